"""Import a script of the repository (tools/, .ci/, binder/, benchmarks/) that is not part of a
package, by its path from the repository's root, so that a test can call its functions."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load(relative_path):
    """The module of the script at ``ROOT / relative_path``, named after its file."""
    path = ROOT / relative_path
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
