"""tools/notebook_needs.py: what a notebook needs to run alone, read from its imports and those
of the helpers it reaches, on a small made-up course and on the real one; the Colab set-up
cell that tools/launch_links.py writes for each notebook names exactly that."""

import ast
import shutil
import tomllib
from pathlib import Path

import _scripts
import nbformat
import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


needs_tool = _scripts.load("tools/notebook_needs.py")
launch_links = _scripts.load("tools/launch_links.py")
URL = "https://github.com/example-org/pg2rlhf-course"

PYPROJECT = """
[project]
name = "tiny"
dependencies = ["gymnasium>=1.1,<2", "numpy", "nbclient"]
[tool.setuptools]
packages = ["pkg"]
"""
MODULES = {
    "__init__.py": "import os\n",
    "maths.py": "import math\nimport numpy as np\nfrom . import plain\n",
    "plain.py": "from pathlib import Path\n",
    "runner.py": (
        "NB = '07_first.ipynb'\nNOTEBOOKS_RUN = (NB,)\n\n"
        "def run():\n    import nbclient  # lazy: reached all the same\n"
    ),
    "env.py": "import gymnasium\n",
}


def tiny_course(tmp_path, cells):
    """A made-up course: pyproject, the package ``pkg``, and notebooks {name: [code]}."""
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "pkg").mkdir()
    for name, source in MODULES.items():
        (tmp_path / "pkg" / name).write_text(source)
    (tmp_path / "notebooks").mkdir()
    for name, sources in cells.items():
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_markdown_cell("# title\nimport torch")]
        nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
        nbformat.write(nb, tmp_path / "notebooks" / name)
    return tmp_path


def needs(root, name):
    return needs_tool.needs(root / "notebooks" / name, root)


def test_imports_are_followed_through_the_package_and_into_the_notebooks_it_runs(tmp_path):
    root = tiny_course(
        tmp_path,
        {
            "07_first.ipynb": ["from pkg import env\nimport tqdm"],
            "08_second.ipynb": ["%env X=1\nimport json", "from pkg import maths, runner"],
            "09_plain.ipynb": ["import pkg.plain\nfrom collections import Counter"],
        },
    )
    # 08: numpy through maths; nbclient through runner's lazy import; 07, which runner runs,
    # and gymnasium and tqdm, which 07 needs; pyproject's specifier and order, then the rest
    assert needs(root, "08_second.ipynb") == (
        ["gymnasium>=1.1,<2", "numpy", "nbclient", "tqdm"],
        ["07_first.ipynb"],
    )
    assert needs(root, "07_first.ipynb") == (["gymnasium>=1.1,<2", "tqdm"], [])
    assert needs(root, "09_plain.ipynb") == ([], [])  # the standard library only
    # markdown is not code: the "import torch" in the title cell is no import


def test_bad_input_is_refused_by_name(tmp_path):
    root = tiny_course(
        tmp_path,
        {"01_x.ipynb": ["import not_a_real_module_xyz"], "08_y.ipynb": ["from pkg import runner"]},
    )
    with pytest.raises(ValueError, match="01_x.ipynb imports 'not_a_real_module_xyz'"):
        needs(root, "01_x.ipynb")
    with pytest.raises(ValueError, match="08_y.ipynb runs 07_first.ipynb .*not beside it"):
        needs(root, "08_y.ipynb")
    shutil.rmtree(root / "pkg")
    with pytest.raises(ValueError, match="root must hold the course's pkg package"):
        needs(root, "08_y.ipynb")


def _cell_lists(source):
    """The ``missing`` and ``notebooks`` lists a written Colab cell installs and fetches."""
    found = {"missing": None, "notebooks": []}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) in found:
            found[node.targets[0].id] = ast.literal_eval(node.value)
    return found["missing"], found["notebooks"]


def test_each_colab_cell_installs_and_fetches_what_its_notebook_needs(tmp_path):
    root = tmp_path / "course"
    (root / "notebooks").mkdir(parents=True)
    for name in ("README.md", "pyproject.toml"):
        shutil.copy(ROOT / name, root / name)
    shutil.copytree(
        ROOT / "helpers", root / "helpers", ignore=shutil.ignore_patterns("__pycache__")
    )
    paths = launch_links.notebooks(ROOT)
    for path in paths:
        shutil.copy(path, root / "notebooks" / path.name)
    launch_links.write_links(root, URL)
    seen = {}
    for path in paths:
        nb = nbformat.read(root / "notebooks" / path.name, as_version=4)
        cell = next(c for c in nb.cells if launch_links.COLAB_TAG in c.metadata.get("tags", []))
        requirements, ran = needs_tool.needs(path, ROOT)
        missing, fetched = _cell_lists(cell.source)
        kept = {Requirement(r).name for r in requirements} & launch_links.KEEP_COLABS
        assert missing == [r for r in requirements if Requirement(r).name not in kept], path.name
        assert fetched == ran, path.name
        for name in fetched:  # each fetched file is in the repository, at the URL the cell uses
            assert (ROOT / "notebooks" / name).is_file()
            assert (
                "raw.githubusercontent.com/example-org/pg2rlhf-course/main/notebooks/"
                in cell.source
            )
        seen[path.name] = (missing, fetched)
    # notebook 08 builds 07's world by running 07 with nbclient: it needs 07 and nbclient
    missing, fetched = seen["08_dpo_grpo.ipynb"]
    assert fetched == ["07_rlhf_tiny_gpt.ipynb"]
    assert {"nbclient", "nbformat"} <= set(missing)
    assert "nbclient" not in seen["01_policy_gradient.ipynb"][0]  # only where it is needed
    assert seen["01_policy_gradient.ipynb"][1] == []


def test_pyproject_declares_exactly_what_the_notebooks_import():
    """A plain `pip install .` (not editable, not the requirements file) brings every package
    that some notebook, or a helper it imports, imports, and nothing no notebook needs."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    needed = set()
    for path in launch_links.notebooks(ROOT):
        needed |= {Requirement(r).name for r in needs_tool.needs(path, ROOT)[0]}
    assert {Requirement(d).name for d in declared} == needed


def test_binder_pins_every_package_the_course_declares():
    """Binder installs the package with ``--no-deps`` (binder/postBuild), so its requirements
    file must name each of pyproject's dependencies itself."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pinned = set()
    for line in (ROOT / "binder" / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            pinned.add(Requirement(line).name.lower().replace("_", "-"))
    assert {Requirement(d).name for d in declared} <= pinned
