"""Build the Chinese course, ``notebooks/zh/``, from the English notebooks and the translations.

The English notebooks are the one source of the code and the outputs. Each translation file,
``i18n/zh/<notebook>.md``, holds the Chinese text of every markdown cell of one notebook, under
a marker that names the cell's id and a hash of the English text it translates::

    <!-- cell 877ca4d8 en-sha256 3f2a9c1b7d4e -->
    # 01 · 策略梯度: 从零实现 REINFORCE
    ...

A built notebook is the English notebook (code cells, outputs, widget state, metadata) with each
markdown cell's text replaced by its translation. When an English markdown cell changes, its
hash no longer matches and the translation is *stale*; the build refuses stale or missing
translations, naming each cell, so the Chinese course cannot drift from the English.

    python i18n/build.py             # build notebooks/zh/ (fails on a missing or stale translation)
    python i18n/build.py --check     # only say whether notebooks/zh/ is complete and up to date
    python i18n/build.py --status    # list the cells to translate, with their English text
    python i18n/build.py --add-missing   # append markers (and the English text) for new cells
    python i18n/build.py 01_policy_gradient 02_baseline   # any of these, for some notebooks only

Two rules keep a built notebook working from ``notebooks/zh/``:
- the launch links that ``tools/launch_links.py`` writes into a notebook's first cell (between
  its ``launch-links`` markers) are not part of the text to translate: they are left out of the
  hash, and the build puts them, pointing at the Chinese notebook, after the translation's
  title line;
- a relative link in the markdown that leaves ``notebooks/`` (``../helpers/x.py``, ``../README.md``)
  gets one more ``../``; a link to another notebook stays as it is, so it opens the Chinese one.
"""

import argparse
import copy
import hashlib
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
LANG = "zh"
MARKER = re.compile(r"^<!-- cell (\S+) en-sha256 ([0-9a-f]{12}) -->$", re.MULTILINE)
TODO = "<!-- TODO: translate the English text below, then delete this line -->"
MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+?\$", re.DOTALL)
LAUNCH = re.compile(r"<!-- launch-links:start -->.*?<!-- launch-links:end -->", re.DOTALL)
# a markdown link or image target, or an HTML src/href: (prefix, target)
LINK = re.compile(r"(\]\(\s*<?|\b(?:src|href)=[\"'])([^)\s\"'>]+)")


def english_notebooks(root=ROOT):
    return sorted((root / "notebooks").glob("[0-9]*.ipynb"))


def translation_path(notebook, root=ROOT, lang=LANG):
    return root / "i18n" / lang / (notebook.stem + ".md")


def built_path(notebook, root=ROOT, lang=LANG):
    return root / "notebooks" / lang / notebook.name


def text_hash(text):
    """The first 12 hex digits of the SHA-256 of an English cell's text (its launch links left out)."""
    return hashlib.sha256(without_launch_links(text).encode("utf-8")).hexdigest()[:12]


def without_launch_links(text):
    """``text`` without the block ``tools/launch_links.py`` writes (and the blank line after it)."""
    if not LAUNCH.search(text):
        return text
    # as launch_links writes it: "<title>\n\n<block>\n\n<rest>" or "<block>\n\n<text>"
    return re.sub(LAUNCH.pattern + r"(\n\n|\n?$)", "", text, count=1, flags=re.DOTALL)


def with_launch_links(english, translated, name, lang=LANG):
    """``translated`` with the English cell's launch block, its links opening notebooks/<lang>/."""
    match = LAUNCH.search(english)
    if match is None:
        return translated
    block = match.group(0).replace(f"notebooks/{name}", f"notebooks/{lang}/{name}")
    title, _, rest = translated.partition("\n")
    if title.startswith("# "):
        return f"{title}\n\n{block}\n\n{rest.lstrip(chr(10))}".rstrip("\n")
    return f"{block}\n\n{translated}"


def relink(text, notebook_names):
    """``text`` with each relative link that leaves ``notebooks/`` one folder further up; links
    to the course's notebooks, anchors, absolute paths and URLs are left alone."""

    def fix(match):
        prefix, target = match.groups()
        path = target.split("#")[0].split("?")[0]
        if not path or ":" in target.split("/")[0] or target.startswith("/"):
            return match.group(0)
        if path in notebook_names or path.startswith("./") and path[2:] in notebook_names:
            return match.group(0)
        return prefix + "../" + target

    return LINK.sub(fix, text)


def read_translations(path):
    """``{cell id: (hash of the English text it translates, translated text)}`` of one file."""
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    entries, marks = {}, list(MARKER.finditer(text))
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        body = text[mark.end() : following.start() if following else len(text)]
        cell_id, digest = mark.group(1), mark.group(2)
        if cell_id in entries:
            raise ValueError(f"{path.name}: cell {cell_id} is translated twice")
        entries[cell_id] = (digest, body.strip("\n"))
    return entries


def math_segments(text):
    """The LaTeX of a text (``$...$`` and ``$$...$$``), sorted: a translation keeps it unchanged."""
    return sorted(m.group(0) for m in MATH.finditer(text))


def problems(notebook, root=ROOT, lang=LANG):
    """What stops ``notebook``'s translation from being complete: one line per cell."""
    nb = nbformat.read(notebook, as_version=4)
    entries = read_translations(translation_path(notebook, root, lang))
    found, ids = [], set()
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        ids.add(cell.id)
        where = f"{notebook.name} cell {cell.id}"
        if cell.id not in entries:
            found.append(f"{where}: no translation")
            continue
        digest, text = entries[cell.id]
        if digest != text_hash(cell.source):
            found.append(f"{where}: stale (the English text changed since it was translated)")
        elif TODO in text or not text.strip():
            found.append(f"{where}: not translated yet")
        elif math_segments(text) != math_segments(cell.source):
            found.append(
                f"{where}: its mathematics differs from the English (keep LaTeX unchanged)"
            )
    for cell_id in sorted(set(entries) - ids):
        found.append(f"{notebook.name} cell {cell_id}: translated, but no such markdown cell")
    return found


def build(notebook, root=ROOT, lang=LANG):
    """The translated notebook: the English one with each markdown cell's text translated."""
    nb = nbformat.read(notebook, as_version=4)
    entries = read_translations(translation_path(notebook, root, lang))
    names = {p.name for p in english_notebooks(root)}
    out = copy.deepcopy(nb)
    for cell in out.cells:
        if cell.cell_type == "markdown":
            text = relink(without_launch_links(entries[cell.id][1]), names)
            cell.source = with_launch_links(cell.source, text, notebook.name, lang)
    out.metadata["language"] = lang
    return out


def add_missing(notebook, root=ROOT, lang=LANG):
    """Append a marker and the English text (to translate) for each cell that has none, and
    refresh the marker of each stale one (its old text stays, marked to be redone)."""
    nb = nbformat.read(notebook, as_version=4)
    path = translation_path(notebook, root, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    entries = read_translations(path)
    parts, added = [], 0
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        digest = text_hash(cell.source)
        old = entries.get(cell.id)
        if old is not None and old[0] == digest:
            parts.append((cell.id, digest, old[1]))
        else:
            added += 1
            english = without_launch_links(cell.source)
            previous = f"\n<!-- the English is now:\n{english}\n-->" if old else ""
            body = old[1] if old else english
            parts.append((cell.id, digest, f"{TODO}{previous}\n{body}"))
    head = f"<!-- Chinese text of notebooks/{notebook.name}: python i18n/build.py rebuilds notebooks/{lang}/ -->\n"
    path.write_text(
        head + "".join(f"\n<!-- cell {i} en-sha256 {d} -->\n{t}\n" for i, d, t in parts),
        encoding="utf-8",
    )
    return added


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="fail unless notebooks/zh/ is current")
    mode.add_argument("--status", action="store_true", help="list the cells still to translate")
    mode.add_argument("--add-missing", action="store_true", help="add markers for new cells")
    parser.add_argument(
        "notebooks",
        nargs="*",
        help="only these notebooks (names like 01_policy_gradient, with or without .ipynb); default all",
    )
    parser.add_argument("--root", default=str(ROOT), help="the course's folder (this checkout)")
    args = parser.parse_args(argv)
    root = Path(args.root)
    every = english_notebooks(root)
    notebooks = every
    if args.notebooks:
        by_stem = {nb.stem: nb for nb in every}
        wanted = [Path(n).name.removesuffix(".ipynb") for n in args.notebooks]
        unknown = [n for n in wanted if n not in by_stem]
        if unknown:
            parser.error(f"no such notebook in notebooks/: {', '.join(unknown)}")
        notebooks = [by_stem[n] for n in dict.fromkeys(wanted)]
    if args.add_missing:
        for nb in notebooks:
            print(f"{nb.name}: {add_missing(nb, root)} cell(s) to translate")
        return 0
    found = [line for nb in notebooks for line in problems(nb, root)]
    if args.status or found:
        print("\n".join(found) or "every markdown cell is translated and up to date")
        return 1 if found else 0
    stale = []
    for nb in notebooks:
        target, want = built_path(nb, root), build(nb, root)
        current = nbformat.read(target, as_version=4) if target.exists() else None
        if current != want:
            if args.check:
                stale.append(
                    f"{target.relative_to(root)} is not up to date: run python i18n/build.py"
                )
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(want, target)
            print(f"wrote {target.relative_to(root)}")
    names = {nb.name for nb in every}
    for orphan in sorted((root / "notebooks" / LANG).glob("*.ipynb")):
        if orphan.name not in names:
            stale.append(f"{orphan.relative_to(root)} has no English notebook: delete it")
    which = "" if notebooks == every else f" for {', '.join(nb.stem for nb in notebooks)}"
    print("\n".join(stale) or f"notebooks/{LANG}/ is complete and up to date{which}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
