"""Every link in the documentation resolves: README.md, README.zh.md, CONTRIBUTING.md and the
Markdown under docs/. A relative link must name a file or folder of the repository and, with a
``#anchor``, a heading (or an HTML id) of that Markdown file; an external URL is checked only
for its form (the test run is offline). Links inside code (fenced blocks, `spans`) are not links.
"""

import os
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent

FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1", re.DOTALL)
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
MD_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REF_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
HTML_LINK = re.compile(r"\b(?:href|src)\s*=\s*\"([^\"]*)\"")
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
HTML_ID = re.compile(r"<a\s+(?:id|name)\s*=\s*\"([^\"]+)\"")


def doc_files(root=ROOT):
    """The Markdown files whose links must resolve."""
    root = Path(root)
    names = [root / n for n in ("README.md", "README.zh.md", "CONTRIBUTING.md")]
    return [p for p in names if p.exists()] + sorted((root / "docs").rglob("*.md"))


def prose(text):
    """``text`` without code blocks, code spans and HTML comments (their links are not links)."""
    return CODE_SPAN.sub("", FENCE.sub("", COMMENT.sub("", text)))


def slug(heading):
    """GitHub's anchor for a heading: its text, markup removed, lower-cased, punctuation
    dropped (letters of any script, digits, ``_`` and ``-`` kept), spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link: its text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")


def anchors(path):
    """Every ``#anchor`` a Markdown file (or a notebook's markdown cells) offers."""
    if path.suffix == ".ipynb":
        import nbformat

        nb = nbformat.read(path, as_version=4)
        text = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    else:
        text = path.read_text()
    found, seen = set(HTML_ID.findall(text)), {}
    for heading in HEADING.findall(FENCE.sub("", text)):
        base = slug(heading)
        n = seen.get(base, 0)
        seen[base] = n + 1
        found.add(base if n == 0 else f"{base}-{n}")
    return found


def links(path):
    """The link targets of a Markdown file, in order."""
    text = prose(path.read_text())
    return [
        m.group(1) for pattern in (MD_LINK, REF_LINK, HTML_LINK) for m in pattern.finditer(text)
    ]


def url_problem(target):
    """Why an external URL is malformed, or None."""
    parsed = urlparse(target)
    if parsed.scheme == "mailto":
        return None if re.fullmatch(r"[^@\s]+@[^@\s]+\.\w+", parsed.path) else "a malformed mailto"
    if parsed.scheme not in ("http", "https"):
        return f"an unknown scheme {parsed.scheme!r}"
    if not re.fullmatch(r"[A-Za-z0-9.-]+\.[A-Za-z]{2,}(:\d+)?", parsed.netloc or ""):
        return "no host name"
    return None


def problems(path, root=ROOT):
    """Every link of ``path`` that does not resolve, as 'file: target: why' strings."""
    root, path, found = Path(os.path.abspath(root)), Path(os.path.abspath(path)), []
    where = path.relative_to(root).as_posix()
    for target in links(path):
        scheme = urlparse(target).scheme
        if scheme:
            why = url_problem(target)
            if why:
                found.append(f"{where}: {target}: {why}")
            continue
        file_part, _, anchor = target.partition("#")
        dest = Path(os.path.normpath(path.parent / unquote(file_part))) if file_part else path
        if root not in dest.parents and dest != root:
            found.append(f"{where}: {target}: leaves the repository")
        elif not dest.exists():
            found.append(f"{where}: {target}: no such file or folder")
        elif anchor:
            if dest.suffix not in (".md", ".ipynb"):
                found.append(f"{where}: {target}: an anchor into a file that has no headings")
            elif unquote(anchor) not in anchors(dest):
                found.append(f"{where}: {target}: no heading #{anchor} in {dest.name}")
    return found


@pytest.mark.parametrize("path", doc_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_link_resolves(path):
    assert links(path), f"{path.name} has no links at all: is the parser reading it?"
    assert problems(path) == []


def test_the_documents_are_all_checked():
    names = {p.relative_to(ROOT).as_posix() for p in doc_files()}
    assert {"README.md", "README.zh.md", "CONTRIBUTING.md", "docs/MEASUREMENTS.md"} <= names


def test_slugs_follow_github():
    assert slug("Threads, and notebook 07's settings") == "threads-and-notebook-07s-settings"
    assert slug("A whole session in 2 GB") == "a-whole-session-in-2-gb"
    assert slug("常见问题") == "常见问题"
    assert slug("The `helpers` package: [nouns](x.md)") == "the-helpers-package-nouns"


def test_the_checker_catches_each_planted_break(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "other.md").write_text("# Other\n\n## Two words\n")
    (tmp_path / "img.png").write_bytes(b"png")
    good = [
        "[a](docs/other.md)",
        "[b](docs/other.md#two-words)",
        "[c](#here)",
        "[d](https://example.org/x?y=1)",
        '<img src="img.png">',
        "[e](docs/)",
    ]
    bad = {
        "[f](docs/missing.md)": "no such file",
        "[g](docs/other.md#three-words)": "no heading #three-words",
        "[h](#nowhere)": "no heading #nowhere",
        "[i](https:/example.org)": "no host name",
        "[j](htps://example.org)": "unknown scheme",
        '<a href="docs/gone.md">k</a>': "no such file",
        "[l](../outside.md)": "leaves the repository",
        "[m](img.png#x)": "no headings",
    }
    page = tmp_path / "README.md"
    page.write_text(
        "# Here\n\n"
        + "\n".join(good + list(bad))
        + "\n\n```\n[n](not/a/link.md)\n```\nand `[o](nor/this.md)`\n"
    )
    found = problems(page, root=tmp_path)
    for link, why in bad.items():
        target = re.search(r"\(([^)]+)\)|\"([^\"]+)\"", link)
        target = target.group(1) or target.group(2)
        assert any(f": {target}: " in f and why in f for f in found), (link, found)
    assert len(found) == len(bad), found  # the good ones, and the links in code, pass


def test_a_planted_break_in_the_real_readme_fails(tmp_path):
    """The committed README with one anchor into docs/ changed (#seed-sweeps -> #seed-sweep)."""
    text = (ROOT / "README.md").read_text()
    assert "(docs/MEASUREMENTS.md#seed-sweeps)" in text
    for name in ("docs", "notebooks"):
        (tmp_path / name).symlink_to(ROOT / name)
    for name in ("README.zh.md", "CONTRIBUTING.md", "LICENSE", "CITATION.cff"):
        (tmp_path / name).symlink_to(ROOT / name)
    (tmp_path / "README.md").write_text(text)
    assert problems(tmp_path / "README.md", root=tmp_path) == []
    planted = text.replace("#seed-sweeps)", "#seed-sweep)", 1)
    (tmp_path / "README.md").write_text(planted)
    assert problems(tmp_path / "README.md", root=tmp_path) == [
        "README.md: docs/MEASUREMENTS.md#seed-sweep: no heading #seed-sweep in MEASUREMENTS.md"
    ]


def test_the_citation_file_has_what_cff_requires():
    import yaml

    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0"
    assert cff["message"] and cff["title"] == "From Policy Gradient to RLHF"
    assert cff["authors"] and all("name" in a or "family-names" in a for a in cff["authors"])
    assert cff["license"] == "MIT" and "MIT" in (ROOT / "LICENSE").read_text()
