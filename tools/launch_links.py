"""Write the course's launch links from one setting: the repository's public URL.

    python tools/launch_links.py --url https://github.com/OWNER/NAME   # set it, and write
    python tools/launch_links.py                                       # rewrite from the setting
    python tools/launch_links.py --check                               # exit 1 if out of date

The URL is pyproject.toml's ``[project.urls] Repository`` (``--url`` writes it there); without
it, ``git remote get-url origin`` if that is on GitHub. From it this writes
- README.md's "Launch" block: a Binder badge (JupyterLab open on the first notebook) and a
  Colab badge per notebook;
- in each ``notebooks/NN_*.ipynb``, its first cell: Binder and Colab badges for that notebook
  and the course's URL (after the title line);
- and, right after that cell, a code cell tagged ``colab-setup`` that on Google Colab installs
  the course's ``helpers`` from the repository and the packages that notebook imports (through
  ``helpers`` too), keeping Colab's own torch and ipywidgets, and fetches beside it the notebooks
  it runs (08 runs 07 to build its world), all named by ``tools/notebook_needs.py``; anywhere
  else it does nothing (no output, no import, microseconds);
- the Chinese course too: README.md's block links the notebooks in ``notebooks/zh/``,
  README.zh.md gets its own block in Chinese, and each Chinese notebook is rebuilt from its
  English one (``i18n/build.py``, which points the links at the Chinese notebook).
Everything it writes sits between markers (or in the tagged cell), so running it again
replaces its own text and changes nothing else: it is idempotent. Outputs are untouched; the
new cell has none until the notebook is next run (``benchmarks/course_run.py --write``).
"""

import argparse
import importlib.util
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- launch-links:start -->", "<!-- launch-links:end -->"
README_START = (
    "<!-- launch-links:start: written by `python tools/launch_links.py` from pyproject.toml's "
    "[project.urls] Repository; edit that, not this block -->"
)
BINDER_BADGE = "https://mybinder.org/badge_logo.svg"
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
COLAB_TAG = "colab-setup"
# Colab has its own builds of these, matched to its GPU and its frontend: never replace them.
KEEP_COLABS = {"torch", "ipywidgets"}
NOTEBOOK_NAME = re.compile(r"\d\d_.+\.ipynb")


def _sibling(name):
    """The module ``tools/{name}.py`` (loaded by path: this file runs as a script or is loaded
    by path in the tests, so ``tools`` is not a package)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


notebook_needs = _sibling("notebook_needs")


def parse_github(url):
    """``(owner, name)`` of a GitHub repository URL (https, ssh or ``git@`` form)."""
    match = re.fullmatch(
        r"(?:https://|ssh://git@|git@)github\.com[/:]([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\.git)?/?",
        url.strip(),
    )
    if not match:
        raise ValueError(
            f"url must be a GitHub repository URL like https://github.com/OWNER/NAME, got {url!r}"
        )
    return match.group(1), match.group(2)


def configured_url(root):
    """The public URL: pyproject's ``[project.urls] Repository``, else a GitHub ``origin``."""
    urls = tomllib.loads((root / "pyproject.toml").read_text())["project"].get("urls", {})
    if urls.get("Repository"):
        return urls["Repository"]
    try:
        origin = subprocess.run(
            ["git", "-C", str(root), "remote", "get-url", "origin"],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        origin = ""
    if origin:
        try:
            parse_github(origin)
            return origin
        except ValueError:
            pass
    return None


def set_url(pyproject_text, url):
    """pyproject.toml's text with ``[project.urls] Repository = url`` (written or replaced)."""
    line = f'Repository = "{url}"'
    header = re.search(r"^\[project\.urls\]\s*$", pyproject_text, re.M)
    if header is None:
        return pyproject_text.rstrip("\n") + f"\n\n[project.urls]\n{line}\n"
    table_end = re.compile(r"^\[", re.M).search(pyproject_text, header.end())
    end = table_end.start() if table_end else len(pyproject_text)
    table = pyproject_text[header.end() : end]
    existing = re.compile(r"^#?\s*Repository\s*=.*$", re.M)
    if existing.search(table):
        table = existing.sub(line, table, count=1)
    else:
        table = f"\n{line}" + table
    text = pyproject_text[: header.end()] + table + pyproject_text[end:]
    assert tomllib.loads(text)["project"]["urls"]["Repository"] == url
    return text


def binder_url(owner, name, branch, notebook):
    return (
        f"https://mybinder.org/v2/gh/{owner}/{name}/{branch}?urlpath=lab/tree/notebooks/{notebook}"
    )


def colab_url(owner, name, branch, notebook):
    return f"https://colab.research.google.com/github/{owner}/{name}/blob/{branch}/notebooks/{notebook}"


def notebooks(root):
    return sorted(
        p for p in (root / "notebooks").glob("*.ipynb") if NOTEBOOK_NAME.fullmatch(p.name)
    )


def zh_notebooks(root):
    """The Chinese notebooks, ``zh/NN_*.ipynb`` (paths relative to ``notebooks/``)."""
    folder = root / "notebooks" / "zh"
    return [
        f"zh/{p.name}" for p in sorted(folder.glob("*.ipynb")) if NOTEBOOK_NAME.fullmatch(p.name)
    ]


def readme_block(url, branch, names, zh_names=()):
    """The README's launch block for ``url`` (None: how to launch any clone by hand);
    ``zh_names``: the Chinese notebooks (``zh/01_...ipynb``), linked too."""
    lines = [README_START, ""]
    if url:
        owner, name = parse_github(url)
        first = names[0]
        lines += [
            f"[![Launch the course on Binder]({BINDER_BADGE})]({binder_url(owner, name, branch, first)})"
            f" opens JupyterLab on `{first}` on mybinder.org (free: about 1 CPU and 2 GB;"
            " the first launch after a change builds the image, which takes several minutes).",
        ]
        if zh_names:
            lines += [
                "",
                f"[![Launch the Chinese course on Binder]({BINDER_BADGE})]"
                f"({binder_url(owner, name, branch, zh_names[0])}) the course in Chinese "
                f"(中文版，[README.zh.md](README.zh.md)), on `{zh_names[0]}`.",
            ]
        lines += [
            "",
            "Or open one notebook in Google Colab (its first code cell installs the course there):",
            "",
            "| notebook | Colab |",
            "|---|---|",
        ]
        for nb in [*names, *zh_names]:
            colab = colab_url(owner, name, branch, nb)
            lines.append(f"| `{nb}` | [![Open in Colab]({COLAB_BADGE})]({colab}) |")
        lines += ["", f"The course's repository: <{url}> (branch `{branch}`).", ""]
    else:
        lines += [
            "This copy of the course names no public URL yet (pyproject.toml's",
            "`[project.urls] Repository`), so it has no launch badges. Any public clone on GitHub",
            "launches on [mybinder.org](https://mybinder.org) by filling its form:",
            "",
            "- **GitHub repository name or URL**: the clone's URL, e.g. `https://github.com/OWNER/NAME`;",
            "- **Git ref**: its branch, e.g. `main`;",
            "- **Path to a notebook file**: switch the drop-down from *File* to *URL* and type",
            f"  `lab/tree/notebooks/{names[0] if names else '01_policy_gradient.ipynb'}`;",
            "",
            "then press **launch**. Google Colab opens a notebook from a clone too (*File > Open",
            "notebook > GitHub*), but it needs the set-up cell that the launch links add.",
            "",
        ]
        if zh_names:
            lines += [
                f"The course in Chinese (中文版，[README.zh.md](README.zh.md)): `lab/tree/notebooks/{zh_names[0]}`.",
                "",
            ]
    lines += [
        "For a new URL or fork: `python tools/launch_links.py --url https://github.com/OWNER/NAME`",
        "records it and writes the badges here, the links in each notebook's first cell and each",
        "notebook's Colab set-up cell.",
        "",
        END,
    ]
    return "\n".join(lines)


def readme_zh_block(url, branch, zh_names):
    """README.zh.md's launch block, in Chinese, for the Chinese notebooks."""
    first = zh_names[0] if zh_names else "zh/01_policy_gradient.ipynb"
    lines = [README_START, ""]
    if url:
        owner, name = parse_github(url)
        lines += [
            f"[![在 Binder 上启动课程]({BINDER_BADGE})]({binder_url(owner, name, branch, first)})"
            f" 在 mybinder.org 上打开 JupyterLab，进入 `{first}`(免费：约 1 个 CPU、2 GB 内存；"
            "改动之后的第一次启动要构建镜像，需要几分钟)。",
            "",
            "或者在 Google Colab 中打开一个笔记本(它的第一个代码单元格会在那里安装课程)：",
            "",
            "| 笔记本 | Colab |",
            "|---|---|",
        ]
        for nb in zh_names:
            colab = colab_url(owner, name, branch, nb)
            lines.append(f"| `{nb}` | [![Open in Colab]({COLAB_BADGE})]({colab}) |")
        lines += [
            "",
            "在 Colab 中，检查的提示默认是英文：先运行 `%env COURSE_LANG=zh`。",
            "",
            f"课程的仓库：<{url}>(分支 `{branch}`)。",
            "",
        ]
    else:
        lines += [
            "这份课程还没有填写公开地址(pyproject.toml 的 `[project.urls] Repository`)，所以还没有启动徽章。",
            "GitHub 上的任何公开克隆都可以在 [mybinder.org](https://mybinder.org) 上启动：在表单中填写",
            "",
            "- **GitHub repository name or URL**：克隆的地址，例如 `https://github.com/OWNER/NAME`；",
            "- **Git ref**：分支，例如 `main`；",
            "- **Path to a notebook file**：把下拉框从 *File* 切换为 *URL*，填写",
            f"  `lab/tree/notebooks/{first}`；",
            "",
            "然后按 **launch**。Google Colab 也能从克隆打开笔记本(*File > Open notebook > GitHub*)，"
            "但需要启动链接添加的设置单元格。",
            "",
        ]
    lines += [
        "有了新地址或分支后：`python tools/launch_links.py --url https://github.com/OWNER/NAME`",
        "会记录它，并写出这里和英文 README 的徽章、每个笔记本第一个单元格中的链接，以及每个笔记本的 Colab 设置单元格。",
        "",
        END,
    ]
    return "\n".join(lines)


def _i18n_builder(root):
    """``i18n/build.py`` of the course at ``root`` as a module, or None if it has none."""
    import importlib.util

    path = root / "i18n" / "build.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location("i18n_build", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def notebook_links(url, branch, notebook):
    owner, name = parse_github(url)
    return (
        f"{START}\n"
        f"[![Open in Binder]({BINDER_BADGE})]({binder_url(owner, name, branch, notebook)}) "
        f"[![Open in Colab]({COLAB_BADGE})]({colab_url(owner, name, branch, notebook)}) "
        f"· the course: <{url}>\n"
        f"{END}"
    )


def colab_requirements(requirements):
    """The requirements the Colab cell may install: all but Colab's own builds."""
    return [r for r in requirements if Requirement(r).name.lower() not in KEEP_COLABS]


def raw_url(owner, name, branch, path):
    """The URL of file ``path`` of the repository at ``branch``, as plain bytes."""
    return f"https://raw.githubusercontent.com/{owner}/{name}/{branch}/{path}"


def colab_cell_source(url, branch, package, dependencies, notebooks=()):
    """The Colab set-up cell: install the course and ``dependencies``; fetch ``notebooks``
    (file names in the repository's ``notebooks/``) into the working folder."""
    owner, name = parse_github(url)
    spec = f"{package} @ git+https://github.com/{owner}/{name}@{branch}"
    lines = [
        "# Google Colab only (written by tools/launch_links.py): Colab has no `helpers`, so this",
        "# installs the course from its repository and what this notebook imports, keeping Colab's",
        "# own torch and ipywidgets. Anywhere else (JupyterLab, Binder, the tests) it does nothing.",
        "import importlib.util",
        "import sys",
        "",
        'if "google.colab" in sys.modules and importlib.util.find_spec("helpers") is None:',
        "    import subprocess",
    ]
    if notebooks:
        lines.append("    import urllib.request")
    lines += [
        "",
        f"    course = {json.dumps(spec)}",
        f"    missing = {json.dumps(dependencies)}",
    ]
    if notebooks:
        lines.append(f"    notebooks = {json.dumps(list(notebooks))}  # this notebook runs them")
    lines += [
        '    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", course], check=True)',
        '    subprocess.run([sys.executable, "-m", "pip", "install", "-q", *missing], check=True)',
    ]
    if notebooks:
        folder = raw_url(owner, name, branch, "notebooks")
        lines += [
            "    for name in notebooks:  # beside this one, in the working folder",
            f'        urllib.request.urlretrieve(f"{folder}/{{name}}", name)',
        ]
    lines.append("    importlib.invalidate_caches()")
    return "\n".join(lines)


def replace_block(text, block):
    """``text`` with its launch block replaced by ``block``, or None if it has none."""
    pattern = re.compile(re.escape(START[:-4]) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        return None
    return pattern.sub(lambda _: block, text, count=1)


def _with_id(nb, cell, cell_id):
    """``cell`` with a fixed id (so reruns write the same file), or none before nbformat 4.5."""
    if (nb.nbformat, nb.nbformat_minor) >= (4, 5):
        cell.id = cell_id
    else:
        cell.pop("id", None)
    return cell


def update_notebook(nb, url, branch, package, dependencies, notebook, notebooks=()):
    """Write the links into ``nb``'s first cell and its Colab cell (in place); the cell installs
    ``dependencies`` and fetches ``notebooks``."""
    links = notebook_links(url, branch, notebook)
    first = nb.cells[0] if nb.cells else None
    if first is None or first.cell_type != "markdown":
        first = _with_id(nb, nbformat.v4.new_markdown_cell(links), "launch-links")
        nb.cells.insert(0, first)
    else:
        replaced = replace_block(first.source, links)
        if replaced is None:
            title, _, rest = first.source.partition("\n")
            if title.startswith("# "):  # after the title line
                replaced = f"{title}\n\n{links}\n\n{rest.lstrip(chr(10))}".rstrip("\n")
            else:
                replaced = f"{links}\n\n{first.source}"
        first.source = replaced
    source = colab_cell_source(url, branch, package, dependencies, notebooks)
    tagged = [c for c in nb.cells if COLAB_TAG in c.get("metadata", {}).get("tags", [])]
    if tagged:
        tagged[0].source = source
    else:
        cell = _with_id(nb, nbformat.v4.new_code_cell(source), COLAB_TAG)
        cell.metadata["tags"] = [COLAB_TAG]
        nb.cells.insert(nb.cells.index(first) + 1, cell)


def write_links(root, url, branch="main", check=False):
    """Write every launch link under ``root``; return the paths that changed (or would)."""
    root = Path(root)
    pyproject = (root / "pyproject.toml").read_text()
    project = tomllib.loads(pyproject)["project"]
    parse_github(url)
    if not re.fullmatch(r"[A-Za-z0-9_./-]+", branch):
        raise ValueError(f"branch must be a git branch name, got {branch!r}")
    paths = notebooks(root)
    if not paths:
        raise ValueError(f"no notebooks/NN_*.ipynb under {root}")
    changed = []
    zh_names = zh_notebooks(root)
    blocks = {"README.md": readme_block(url, branch, [p.name for p in paths], zh_names)}
    if (root / "README.zh.md").exists():
        blocks["README.zh.md"] = readme_zh_block(url, branch, zh_names)
    for readme_name, block in blocks.items():
        readme = (root / readme_name).read_text()
        new_readme = replace_block(readme, block)
        if new_readme is None:
            raise ValueError(
                f"{readme_name} has no launch block (the <!-- launch-links:start ... --> markers)"
            )
        if new_readme != readme:
            changed.append(root / readme_name)
            if not check:
                (root / readme_name).write_text(new_readme)
    for path in paths:
        text = path.read_text()
        nb = nbformat.reads(text, as_version=4)
        requirements, ran = notebook_needs.needs(path, root)
        dependencies = colab_requirements(requirements)
        update_notebook(nb, url, branch, project["name"], dependencies, path.name, ran)
        new_text = nbformat.writes(nb) + "\n"
        if new_text != text:
            changed.append(path)
            if not check:
                path.write_text(new_text)
    changed += _rebuild_chinese(root, paths, zh_names, check)
    return changed


def _rebuild_chinese(root, paths, zh_names, check):
    """Rebuild each Chinese notebook from its (now linked) English one; the changed paths."""
    i18n = _i18n_builder(root) if zh_names else None
    changed = []
    for path in paths if i18n else ():
        target = root / "notebooks" / "zh" / path.name
        if f"zh/{path.name}" not in zh_names or i18n.problems(path, root):
            continue  # not translated (yet): i18n/build.py says what is missing
        want = i18n.build(path, root)
        if nbformat.read(target, as_version=4) != want:
            changed.append(target)
            if not check:
                nbformat.write(want, target)
    return changed


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="the repository's public URL; written into pyproject.toml")
    parser.add_argument("--branch", default="main", help="the branch the links open (main)")
    parser.add_argument("--root", default=str(ROOT), help="the course's folder (this checkout)")
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if anything is out of date"
    )
    args = parser.parse_args(argv)
    root = Path(args.root)
    try:
        if args.url:
            parse_github(args.url)
            text = (root / "pyproject.toml").read_text()
            new = set_url(text, args.url)
            if new != text:
                if args.check:
                    print("pyproject.toml: the URL differs")
                    return 1
                (root / "pyproject.toml").write_text(new)
                print(f"pyproject.toml: [project.urls] Repository = {args.url!r}")
        url = args.url or configured_url(root)
        if url is None:
            print(
                "no public URL: set [project.urls] Repository in pyproject.toml, or pass "
                "--url https://github.com/OWNER/NAME (or add a GitHub remote 'origin')",
                file=sys.stderr,
            )
            return 2
        changed = write_links(root, url, args.branch, check=args.check)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for path in changed:
        print(f"{'out of date' if args.check else 'wrote'}: {path.relative_to(root)}")
    if not changed:
        print(f"launch links for {url} (branch {args.branch}) are up to date")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
