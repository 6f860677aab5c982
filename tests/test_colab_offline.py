"""Notebook 08 opened from its Colab badge, played offline: it must build notebook 07's world
with nothing but itself and what its set-up cell brings.

Colab opens one notebook alone, in a fresh machine, with no clone of the course. Here: the
links are written for a sample URL (tools/launch_links.py, in a copy of the course), notebook
08 alone is copied into an empty working folder, and it runs in a real kernel in which
``google.colab`` is in ``sys.modules`` (a stub module) and this machine's editable install of
the course is hidden. The set-up cell's network steps are replaced by local copies from the
checkout: its ``pip install --no-deps pg2rlhf @ git+...`` installs the package non-editable
(``pip install --no-deps --target SITE``, SITE being on the kernel's path as site-packages is on
Colab's), its ``pip install`` of the packages checks that each is installed here as named, and
its downloads copy the named file of the checkout. 08's cells then run up to and including its
first use of the world, which is built by running notebook 07 in the temporary working
folder, never in the repository's ``notebooks/cache``: about two minutes on two quiet cores, and
many times that on a machine shared with other runs, hence a cell timeout of an hour.
"""

import json
import os
import shutil
from pathlib import Path

import _scripts
import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
launch_links = _scripts.load("tools/launch_links.py")

URL = "https://github.com/example-org/pg2rlhf-course"
NOTEBOOK = "08_dpo_grpo.ipynb"
FIRST_USE = "world.load_or_build("  # 08's first use of 07's world

# Run first in the kernel: what makes it Colab, and the set-up cell's network steps made local.
COLAB = """
import importlib.metadata, shutil, subprocess, sys, types, urllib.request
from pathlib import Path
from packaging.requirements import Requirement

sys.modules["google.colab"] = types.ModuleType("google.colab")  # as in Colab's kernels
# Colab has no clone of the course: hide this machine's editable install of it
sys.meta_path[:] = [f for f in sys.meta_path if "__editable__" not in getattr(f, "__module__", "")]
SITE, SOURCE, CHECKOUT = {site!r}, {source!r}, Path({checkout!r})
COURSE = "pg2rlhf @ git+{url}@main"
RAW = "https://raw.githubusercontent.com/{owner}/{name}/main/"
PIP = [sys.executable, "-m", "pip", "install", "-q"]
colab_log = {{"courses": [], "packages": [], "fetched": []}}
_run = subprocess.run


def run(cmd, **kwargs):
    if list(cmd[: len(PIP)]) != PIP:
        return _run(cmd, **kwargs)
    args = list(cmd[len(PIP) :])
    if args[:1] == ["--no-deps"]:  # the course, from its repository: from the checkout here
        colab_log["courses"] += args[1:]
        assert args[1:] == [COURSE], args
        return _run(PIP + ["--no-deps", "--no-build-isolation", "--no-index",
                           "--root-user-action=ignore", "--target", SITE, SOURCE], check=True)
    for spec in args:  # the packages: each must be installed here as the cell names it
        req = Requirement(spec)
        have = importlib.metadata.version(req.name)
        assert req.specifier.contains(have, prereleases=True), (spec, have)
        colab_log["packages"].append(spec)
    return subprocess.CompletedProcess(cmd, 0)


def urlretrieve(url, filename):
    assert url.startswith(RAW), url
    shutil.copy(CHECKOUT / url[len(RAW) :], filename)
    colab_log["fetched"].append(url[len(RAW) :])
    return filename, None


subprocess.run, urllib.request.urlretrieve = run, urlretrieve
"""

REPORT = """
import json, os, sys
print(json.dumps({"helpers": sys.modules["helpers"].__file__, "log": colab_log,
                  "files": sorted(os.listdir("."))}))
"""


def _course_with_links(folder):
    """A copy of the course (what launch_links reads) with the links written for ``URL``."""
    (folder / "notebooks").mkdir(parents=True)
    for name in ("README.md", "pyproject.toml"):
        shutil.copy(ROOT / name, folder / name)
    shutil.copytree(
        ROOT / "helpers", folder / "helpers", ignore=shutil.ignore_patterns("__pycache__")
    )
    for path in launch_links.notebooks(ROOT):
        shutil.copy(path, folder / "notebooks" / path.name)
    launch_links.write_links(folder, URL)
    return folder


def test_notebook_08_alone_on_colab_builds_its_world(tmp_path, monkeypatch):
    course = _course_with_links(tmp_path / "course")
    site, work = tmp_path / "site", tmp_path / "work"
    site.mkdir()
    work.mkdir()
    shutil.copy(course / "notebooks" / NOTEBOOK, work / NOTEBOOK)  # the notebook, alone
    repo_cache = ROOT / "notebooks" / "cache"
    cache_before = sorted(repo_cache.iterdir()) if repo_cache.is_dir() else []

    nb = nbformat.read(work / NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    first_use = next(i for i, c in enumerate(code) if FIRST_USE in c.source)
    owner, name = launch_links.parse_github(URL)
    stub = COLAB.format(
        site=str(site), source=str(course), checkout=str(ROOT), url=URL, owner=owner, name=name
    )
    run = nbformat.v4.new_notebook(metadata=nb.metadata)
    run.cells = [nbformat.v4.new_code_cell(stub), *code[: first_use + 1]]
    run.cells.append(nbformat.v4.new_code_cell(REPORT))

    # the kernel sees SITE (empty until the set-up cell installs into it), not this checkout
    offline = str(ROOT / "tests" / "offline")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([offline, str(site)]))
    monkeypatch.setenv("COURSE_BLOCK_NETWORK", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    client = NotebookClient(
        run, timeout=3600, kernel_name="python3", resources={"metadata": {"path": str(work)}}
    )
    client.execute()

    report = json.loads(run.cells[-1].outputs[0]["text"])
    assert Path(report["helpers"]).is_relative_to(site)  # the non-editable install, not a clone
    assert report["log"]["courses"] == [f"pg2rlhf @ git+{URL}@main"]
    assert {"nbclient", "nbformat"} <= set(report["log"]["packages"])
    assert report["log"]["fetched"] == ["notebooks/07_rlhf_tiny_gpt.ipynb"]
    load = "".join(o.get("text", "") for o in run.cells[-2].outputs)
    assert "no cache/07_world_seed0.pt yet: ran notebook 07 with SEED = 0" in load, load
    assert (work / "cache" / "07_world_seed0.pt").is_file()
    assert report["files"] == sorted(["07_rlhf_tiny_gpt.ipynb", NOTEBOOK, "cache"])
    assert (sorted(repo_cache.iterdir()) if repo_cache.is_dir() else []) == cache_before
