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


def english_notebooks(root=ROOT):
    return sorted((root / "notebooks").glob("[0-9]*.ipynb"))


def translation_path(notebook, root=ROOT, lang=LANG):
    return root / "i18n" / lang / (notebook.stem + ".md")


def built_path(notebook, root=ROOT, lang=LANG):
    return root / "notebooks" / lang / notebook.name


def text_hash(text):
    """The first 12 hex digits of the SHA-256 of an English cell's text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


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
    out = copy.deepcopy(nb)
    for cell in out.cells:
        if cell.cell_type == "markdown":
            cell.source = entries[cell.id][1]
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
            previous = f"\n<!-- the English is now:\n{cell.source}\n-->" if old else ""
            body = old[1] if old else cell.source
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
    args = parser.parse_args(argv)
    notebooks = english_notebooks()
    if args.add_missing:
        for nb in notebooks:
            print(f"{nb.name}: {add_missing(nb)} cell(s) to translate")
        return 0
    found = [line for nb in notebooks for line in problems(nb)]
    if args.status or found:
        print("\n".join(found) or "every markdown cell is translated and up to date")
        return 1 if found else 0
    stale = []
    for nb in notebooks:
        target, want = built_path(nb), build(nb)
        current = nbformat.read(target, as_version=4) if target.exists() else None
        if current != want:
            if args.check:
                stale.append(
                    f"{target.relative_to(ROOT)} is not up to date: run python i18n/build.py"
                )
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(want, target)
            print(f"wrote {target.relative_to(ROOT)}")
    print("\n".join(stale) or f"notebooks/{LANG}/ is complete and up to date")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
