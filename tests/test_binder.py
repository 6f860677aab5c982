"""Binder builds the course from binder/: its pins must be the tested ones in requirements.txt."""

import re
from pathlib import Path

import _scripts

ROOT = Path(__file__).resolve().parent.parent


def pins(path):
    found = {}
    for line in (ROOT / path).read_text().splitlines():
        match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*==\s*([^\s#;]+)", line)
        if match:
            found[match.group(1).lower().replace("_", "-")] = match.group(2)
    return found


def test_every_binder_pin_equals_the_tested_requirement():
    tested, binder = pins("requirements.txt"), pins("binder/requirements.txt")
    assert {"torch", "jupyterlab", "ipywidgets", "jupyterlab-widgets", "gymnasium"} <= set(binder)
    for name, version in binder.items():
        assert tested.get(name) == version, (
            f"binder pins {name}=={version}, requirements.txt {tested.get(name)}"
        )


def test_binder_uses_cpu_torch_and_installs_the_helpers_package():
    text = (ROOT / "binder" / "requirements.txt").read_text()
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in text
    post_build = (ROOT / "binder" / "postBuild").read_text()
    assert "pip install --no-deps -e ." in post_build
    assert (ROOT / "binder" / "postBuild").stat().st_mode & 0o111, "postBuild must be executable"


def test_every_notebook_names_its_kernel_and_has_a_parameters_cell():
    import nbformat

    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert nb.metadata.get("kernelspec", {}).get("name") == "python3", (
            f"{path.name}: no python3 kernelspec"
        )
        tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1 and "SEED" in tagged[0].source, (
            f"{path.name}: one parameters cell with SEED"
        )


def claimed_pythons():
    """The Pythons pyproject claims (its classifiers), as .ci/check_pins.py reads them."""
    check_pins = _scripts.load(".ci/check_pins.py")
    return check_pins.claimed_pythons((ROOT / "pyproject.toml").read_text())


def test_binder_python_is_pinned_to_one_the_project_claims():
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    assert re.fullmatch(r"python-3\.\d+", runtime), runtime
    assert runtime.removeprefix("python-") in claimed_pythons()


def test_readme_requires_python_and_ruff_name_the_same_pythons():
    import tomllib

    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    pythons = claimed_pythons()
    oldest, newest = pythons[0], pythons[-1]
    major, minor = (int(p) for p in oldest.split("."))
    assert pythons == [f"{major}.{m}" for m in range(minor, minor + len(pythons))], "no gaps"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    spec = SpecifierSet(pyproject["project"]["requires-python"])
    assert Version(oldest) in spec and Version(f"{major}.{minor - 1}") not in spec
    assert pyproject["tool"]["ruff"]["target-version"] == f"py{major}{minor}"
    readme = (ROOT / "README.md").read_text()
    assert f"Python {oldest} to {newest}" in readme
    assert not re.search(r"Python 3\.\d+ or newer", readme), "the README must name a range"
