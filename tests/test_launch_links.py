"""tools/launch_links.py, run on copies of the course in a temporary folder with a sample URL:
the links and cells it writes, that a second run changes nothing, and the Colab cell's two
paths (nothing at all locally; on Colab, the pip commands it would run)."""

import importlib.util
import io
import json
import shutil
import subprocess
import sys
import time
import types
from contextlib import redirect_stdout
from pathlib import Path

import _scripts
import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
launch_links = _scripts.load("tools/launch_links.py")

URL = "https://github.com/example-org/pg2rlhf-course"
BINDER = "https://mybinder.org/v2/gh/example-org/pg2rlhf-course/main?urlpath=lab/tree/notebooks/"
COLAB = "https://colab.research.google.com/github/example-org/pg2rlhf-course/blob/main/notebooks/"


def course_copy(tmp_path, names=None):
    """README, pyproject, the helpers package (the notebooks' imports go through it) and the
    notebooks (all, or ``names``) copied into ``tmp_path``."""
    (tmp_path / "notebooks").mkdir()
    for name in ("README.md", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(
        ROOT / "helpers", tmp_path / "helpers", ignore=shutil.ignore_patterns("__pycache__")
    )
    for path in launch_links.notebooks(ROOT):
        if names is None or path.name in names:
            shutil.copy(path, tmp_path / "notebooks" / path.name)
    return tmp_path


def run_tool(*args):
    out = io.StringIO()
    with redirect_stdout(out):
        code = launch_links.main(list(args))
    return code, out.getvalue()


def colab_cell(nb):
    cells = [c for c in nb.cells if launch_links.COLAB_TAG in c.metadata.get("tags", [])]
    assert len(cells) == 1
    return cells[0]


def test_writes_the_url_the_badges_and_the_colab_cells(tmp_path):
    root = course_copy(tmp_path)
    before = {p.name: nbformat.read(p, as_version=4) for p in launch_links.notebooks(root)}
    code, out = run_tool("--root", str(root), "--url", URL)
    assert code == 0, out
    assert f'Repository = "{URL}"' in (root / "pyproject.toml").read_text()
    readme = (root / "README.md").read_text()
    assert f"]({BINDER}01_policy_gradient.ipynb)" in readme  # JupyterLab on notebook 01
    assert "names no public URL yet" not in readme
    for name, old in before.items():
        assert f"[![Open in Colab]({launch_links.COLAB_BADGE})]({COLAB}{name})" in readme
        nb = nbformat.read(root / "notebooks" / name, as_version=4)
        first = nb.cells[0].source
        assert (
            first.splitlines()[0] == old.cells[0].source.splitlines()[0]
        )  # the title stays on top
        assert (
            f"]({BINDER}{name})" in first and f"]({COLAB}{name})" in first and f"<{URL}>" in first
        )
        assert (
            nb.cells[1].metadata["tags"] == [launch_links.COLAB_TAG] and nb.cells[1].outputs == []
        )
        assert (
            "pg2rlhf @ git+https://github.com/example-org/pg2rlhf-course@main" in nb.cells[1].source
        )
        # everything else is as it was: the rest of the first cell, every other cell, outputs
        assert (
            first.replace(launch_links.notebook_links(URL, "main", name) + "\n\n", "")
            == old.cells[0].source
        )
        assert nb.cells[2:] == old.cells[1:]
        assert nb.metadata == old.metadata
        nbformat.validate(nb)


def test_a_second_run_changes_nothing(tmp_path):
    root = course_copy(tmp_path)
    assert run_tool("--root", str(root), "--url", URL)[0] == 0
    files = {p: p.read_bytes() for p in [root / "README.md", root / "pyproject.toml"]}
    files.update({p: p.read_bytes() for p in launch_links.notebooks(root)})
    code, out = run_tool("--root", str(root))  # from the setting now in pyproject
    assert code == 0 and "up to date" in out
    assert all(p.read_bytes() == data for p, data in files.items())
    assert run_tool("--root", str(root), "--check")[0] == 0


def test_any_set_of_numbered_notebooks_and_a_new_one_later(tmp_path):
    root = course_copy(tmp_path, names={"02_baseline.ipynb", "04_mc_vs_td.ipynb"})
    assert run_tool("--root", str(root), "--url", URL)[0] == 0
    assert f"]({BINDER}02_baseline.ipynb)" in (root / "README.md").read_text()
    # a notebook added later (08, say), even one that starts with a code cell
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1")]
    nbformat.write(nb, root / "notebooks" / "08_epilogue.ipynb")
    (root / "notebooks" / "scratch.ipynb").write_text(
        (root / "notebooks" / "08_epilogue.ipynb").read_text()
    )
    code, out = run_tool("--root", str(root), "--check")
    assert code == 1 and "08_epilogue.ipynb" in out and "README.md" in out
    assert run_tool("--root", str(root))[0] == 0
    nb = nbformat.read(root / "notebooks" / "08_epilogue.ipynb", as_version=4)
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "code"]
    assert f"]({COLAB}08_epilogue.ipynb)" in nb.cells[0].source
    assert "scratch" not in (root / "README.md").read_text()  # only notebooks/NN_*.ipynb
    assert "launch-links" not in (root / "notebooks" / "scratch.ipynb").read_text()


def test_the_committed_readme_says_how_to_launch_any_clone():
    readme = (ROOT / "README.md").read_text()
    url = launch_links.configured_url(ROOT)
    if url is None:
        names = [p.name for p in launch_links.notebooks(ROOT)]
        zh_names = launch_links.zh_notebooks(ROOT)
        assert zh_names, "the Chinese notebooks are linked too"
        assert launch_links.readme_block(None, "main", names, zh_names) in readme
        assert "Path to a notebook file" in readme and "Git ref" in readme
        readme_zh = (ROOT / "README.zh.md").read_text()
        assert launch_links.readme_zh_block(None, "main", zh_names) in readme_zh
        assert f"lab/tree/notebooks/{zh_names[0]}" in readme_zh
    else:  # once the URL is set, every link must be written and up to date
        assert launch_links.write_links(ROOT, url, check=True) == []


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://github.com/a/b", ("a", "b")),
        ("https://github.com/a/b.git", ("a", "b")),
        ("git@github.com:a/b.git", ("a", "b")),
        ("ssh://git@github.com/a/b", ("a", "b")),
    ],
)
def test_github_urls(url, expected):
    assert launch_links.parse_github(url) == expected


def test_bad_input_is_refused_by_name(tmp_path):
    for bad in ("https://gitlab.com/a/b", "github.com/a", ""):
        with pytest.raises(ValueError, match="url must be a GitHub repository URL"):
            launch_links.parse_github(bad)
    root = course_copy(tmp_path, names={"04_mc_vs_td.ipynb"})
    with pytest.raises(ValueError, match="branch"):
        launch_links.write_links(root, URL, branch="main; rm -rf /")
    code, _ = run_tool("--root", str(root))  # no URL set, no origin: says how to set it
    assert code == 2
    (root / "README.md").write_text("# no launch block\n")
    with pytest.raises(ValueError, match="launch block"):
        launch_links.write_links(root, URL)


def test_set_url_writes_or_replaces_the_one_setting():
    text = (ROOT / "pyproject.toml").read_text()
    once = launch_links.set_url(text, URL)
    assert launch_links.set_url(once, URL) == once
    assert launch_links.set_url(once, "https://github.com/x/y").count("Repository =") == 1
    bare = "[project]\nname = 'x'\n"
    assert 'Repository = "https://github.com/x/y"' in launch_links.set_url(
        bare, "https://github.com/x/y"
    )


def written_colab_cell(tmp_path):
    root = course_copy(tmp_path, names={"01_policy_gradient.ipynb"})
    assert run_tool("--root", str(root), "--url", URL)[0] == 0
    return colab_cell(nbformat.read(root / "notebooks" / "01_policy_gradient.ipynb", as_version=4))


def test_colab_cell_does_nothing_locally(tmp_path, monkeypatch):
    source = written_colab_cell(tmp_path).source
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: calls.append(a))
    modules = set(sys.modules)
    out = io.StringIO()
    start = time.perf_counter()
    with redirect_stdout(out):
        exec(compile(source, "colab-setup", "exec"), {})
    seconds = time.perf_counter() - start
    assert calls == [] and out.getvalue() == ""  # installs nothing, prints nothing
    assert set(sys.modules) - modules <= {"subprocess"}  # imports nothing new (no torch)
    assert seconds < 1.0  # a few microseconds in fact; generous on a busy machine


def test_colab_cell_is_silent_in_a_real_kernel_start_to_finish(tmp_path):
    """In a fresh Python the cell prints nothing and leaves helpers un-imported."""
    source = written_colab_cell(tmp_path).source
    code = (
        source
        + "\nimport sys\nprint(json.dumps(['helpers' in sys.modules, 'torch' in sys.modules]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", "import json\n" + code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stderr == ""
    assert json.loads(result.stdout) == [False, False]


def test_colab_cell_on_colab_installs_the_course_and_keeps_colabs_torch(tmp_path, monkeypatch):
    source = written_colab_cell(tmp_path).source
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: calls.append((cmd, kw)))
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "helpers" else real_find_spec(name, *a),
    )
    exec(compile(source, "colab-setup", "exec"), {})
    pip = [sys.executable, "-m", "pip", "install", "-q"]
    assert calls == [
        (
            pip + ["--no-deps", "pg2rlhf @ git+https://github.com/example-org/pg2rlhf-course@main"],
            {"check": True},
        ),
        (pip + ["numpy", "matplotlib", "gymnasium>=1.1,<2", "tqdm"], {"check": True}),
    ]
    assert not any("torch" in arg or "ipywidgets" in arg for cmd, _ in calls for arg in cmd)
    # and where helpers is importable already (a second run on Colab), nothing again
    calls.clear()
    monkeypatch.setattr(importlib.util, "find_spec", real_find_spec)
    sys.path.insert(0, str(ROOT))
    try:
        exec(compile(source, "colab-setup", "exec"), {})
    finally:
        sys.path.remove(str(ROOT))
    assert calls == []


def test_the_install_spec_is_one_pip_accepts_and_builds(tmp_path):
    """The cell's `pg2rlhf @ git+https://github.com/...@main`, pointed at a local clone instead
    of GitHub (``file://localhost/...``: a URL with a host, like GitHub's): pip clones it,
    checks out the branch and builds the package's metadata (offline, installs nothing)."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=120)
    ref = subprocess.run(
        ["git", "-C", str(clone), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()  # a ref, as the cell's @main is (a commit, so a detached HEAD works too)
    spec = f"pg2rlhf @ git+file://localhost{clone}@{ref}"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",  # the course is installed here (editable): resolve it anew
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--report",
            str(tmp_path / "report.json"),
            spec,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((tmp_path / "report.json").read_text())
    assert [i["metadata"]["name"] for i in report["install"]] == ["pg2rlhf"]


def test_the_notebooks_with_links_pass_the_linter(tmp_path):
    root = course_copy(tmp_path)
    assert run_tool("--root", str(root), "--url", URL)[0] == 0
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")  # the course's ruff settings
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "notebooks"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:]


def test_the_chinese_course_is_linked_and_its_notebooks_rebuilt_with_their_own_links(tmp_path):
    names = {"01_policy_gradient.ipynb", "02_baseline.ipynb"}
    root = course_copy(tmp_path, names=names)
    shutil.copy(ROOT / "README.zh.md", root / "README.zh.md")
    shutil.copytree(ROOT / "i18n", root / "i18n", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "notebooks" / "zh").mkdir()
    for name in names:
        shutil.copy(ROOT / "notebooks" / "zh" / name, root / "notebooks" / "zh" / name)
    code, out = run_tool("--root", str(root), "--url", URL)
    assert code == 0, out
    readme, readme_zh = ((root / n).read_text() for n in ("README.md", "README.zh.md"))
    assert f"]({BINDER}zh/01_policy_gradient.ipynb)" in readme
    assert f"]({COLAB}zh/02_baseline.ipynb)" in readme and "README.zh.md" in readme
    assert f"]({BINDER}zh/01_policy_gradient.ipynb)" in readme_zh
    assert f"]({COLAB}zh/02_baseline.ipynb)" in readme_zh and "COURSE_LANG=zh" in readme_zh
    assert f"]({COLAB}01_policy_gradient.ipynb)" not in readme_zh  # only the Chinese ones
    i18n = launch_links._i18n_builder(root)
    for name in names:
        en = nbformat.read(root / "notebooks" / name, as_version=4)
        zh = nbformat.read(root / "notebooks" / "zh" / name, as_version=4)
        assert i18n.problems(root / "notebooks" / name, root) == []  # nothing new to translate
        assert f"]({BINDER}zh/{name})" in zh.cells[0].source
        assert f"]({COLAB}zh/{name})" in zh.cells[0].source
        title = i18n.read_translations(i18n.translation_path(root / "notebooks" / name, root))
        assert zh.cells[0].source.startswith(title[en.cells[0].id][1].splitlines()[0] + "\n\n")
        assert [c for c in zh.cells if c.cell_type == "code"] == [
            c for c in en.cells if c.cell_type == "code"
        ]  # the Colab cell too
    assert run_tool("--root", str(root), "--check")[0] == 0
