"""What one notebook needs to run where it is alone (Google Colab, a folder holding only it),
read from its code: the packages it imports and the notebooks it runs.

    python tools/notebook_needs.py notebooks/08_dpo_grpo.ipynb

A notebook needs
- the distribution of every module its code cells import, and of every module that the
  course's package modules it imports import in turn, anywhere in their source: a lazy
  ``import nbclient`` inside a function counts (it is what the notebook can reach);
- every notebook that a package module it reaches names in its ``NOTEBOOKS_RUN`` (a tuple of
  file names, beside the notebook: helpers/world.py runs notebook 07 to build 08's world),
  and, since that notebook then runs on the same machine, everything that notebook needs.
The standard library and the course's own package are not distributions to install.
Requirements keep pyproject's specifier (``gymnasium>=1.1,<2``), in pyproject's order; a
module that no installed distribution provides is a ValueError that names it.

tools/launch_links.py writes each notebook's Colab set-up cell from this, and
tests/test_launch_links.py checks each written cell against it.
"""

import ast
import importlib.metadata
import sys
import tomllib
from pathlib import Path

import nbformat
from packaging.requirements import Requirement

NOTEBOOKS_RUN = "NOTEBOOKS_RUN"  # the module-level name that lists the notebooks a module runs


def package_name(root):
    """The course's import package (pyproject's ``[tool.setuptools] packages``): ``helpers``."""
    setuptools = tomllib.loads((Path(root) / "pyproject.toml").read_text())["tool"]["setuptools"]
    return setuptools["packages"][0]


def code_source(cell_source):
    """A code cell's source as Python (IPython's ``%magics`` and ``!shell`` lines translated)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(cell_source)


def imports(tree, package, inside=None):
    """``(top-level modules, package modules)`` that the statements of ``tree`` import;
    ``inside``: the dotted name of the package that holds the module ``tree`` is (for its
    relative imports)."""
    tops, own = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: only inside the package
                parts = (inside or package).split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top == package:
                own.add(name)
            elif top:
                tops.add(top)
    return tops, own


def _module_file(root, dotted):
    """The source file of package module ``dotted`` (``helpers.world``), or None if it is a
    name defined in a module (``from helpers import set_seed``) rather than a module."""
    path = Path(root).joinpath(*dotted.split("."))
    for candidate in (path / "__init__.py", path.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _notebooks_run(tree):
    """The file names a module lists in ``NOTEBOOKS_RUN`` (strings, or module-level names of strings)."""
    strings, listed = {}, []
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if not isinstance(target, ast.Name):
                continue
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                strings[target.id] = node.value.value
            elif target.id == NOTEBOOKS_RUN:
                for element in getattr(node.value, "elts", []):
                    if isinstance(element, ast.Constant) and isinstance(element.value, str):
                        listed.append(element.value)
                    elif isinstance(element, ast.Name) and element.id in strings:
                        listed.append(strings[element.id])
                    else:
                        raise ValueError(
                            f"{NOTEBOOKS_RUN} must list file names (strings), got {ast.unparse(element)}"
                        )
    return listed


def _reach(root, package, start):
    """Follow package modules from ``start``: ``(top-level modules they import, notebooks they run)``."""
    tops, notebooks, seen, todo = set(), set(), set(), [package, *start]
    while todo:
        dotted = todo.pop()
        if dotted in seen:
            continue
        seen.add(dotted)
        path = _module_file(root, dotted)
        if path is None:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        inside = dotted if path.name == "__init__.py" else dotted.rpartition(".")[0]
        more_tops, more_own = imports(tree, package, inside)
        tops |= more_tops
        notebooks.update(_notebooks_run(tree))
        # importing helpers.x runs helpers/__init__.py first
        todo += [m for m in more_own if m not in seen] + [package]
    return tops, notebooks


def distributions_of(modules, where):
    """The installed distributions (lower-case names) that provide top-level ``modules``;
    the standard library's are left out. ``where`` names the importer in errors."""
    provided = importlib.metadata.packages_distributions()
    found = set()
    for name in sorted(modules):
        if name in sys.stdlib_module_names or name == "__future__":
            continue
        if name not in provided:
            raise ValueError(
                f"{where} imports {name!r}, which is neither the standard library nor in any "
                "installed distribution: install it (and add it to pyproject's dependencies)"
            )
        found.update(Requirement(d).name.lower() for d in provided[name])
    return found


def requirements(root, distributions):
    """``distributions`` as requirement strings: pyproject's own where it lists one (with its
    specifier), in pyproject's order, then the rest by name."""
    declared = tomllib.loads((Path(root) / "pyproject.toml").read_text())["project"]
    declared = {Requirement(d).name.lower(): d for d in declared["dependencies"]}
    ordered = [spec for name, spec in declared.items() if name in distributions]
    return ordered + sorted(distributions - set(declared))


def needs(notebook, root, _seen=None):
    """``(requirements, notebooks)``: what the notebook at ``notebook`` needs, see the module's
    docstring. ``notebooks`` are file names beside it, in the order to fetch them."""
    notebook, root = Path(notebook), Path(root)
    package = package_name(root)
    if not (root / package / "__init__.py").is_file():
        raise ValueError(f"root must hold the course's {package} package, got {root}")
    seen = _seen if _seen is not None else {notebook.name}
    tops, own = set(), set()
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "code":
            more_tops, more_own = imports(ast.parse(code_source(cell.source)), package)
            tops |= more_tops
            own |= more_own
    dists = distributions_of(tops, notebook.name)
    ran = []
    if own:
        package_tops, run = _reach(root, package, own)
        dists |= distributions_of(package_tops, f"{package} (imported by {notebook.name})")
        for name in sorted(run):
            if name in seen:
                continue
            seen.add(name)
            path = notebook.parent / name
            if not path.is_file():
                raise ValueError(f"{notebook.name} runs {name} (through {package}), not beside it")
            more, theirs = needs(path, root, seen)
            dists |= {Requirement(r).name.lower() for r in more}
            ran += [*theirs, name]
    return requirements(root, dists), ran


def main(argv=None):
    root = Path(__file__).resolve().parent.parent
    for arg in argv if argv is not None else sys.argv[1:]:
        reqs, ran = needs(arg, root)
        print(f"{arg}: packages {reqs}; notebooks {ran}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
