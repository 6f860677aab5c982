"""Binder builds the course from binder/: its pins must be the tested ones in requirements.txt."""

import re
from pathlib import Path

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
