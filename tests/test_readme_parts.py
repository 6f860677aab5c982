"""The READMEs' generated parts agree with the committed notebooks (tools/readme_parts.py): the
time column is each notebook's own printed clock, the figure strip's images are the notebooks'
outputs byte for byte; and each kind of disagreement, planted in a copy, is caught. Also
helpers.clock, whose printed line the time column is read from."""

import base64
import re
import shutil
import time
from pathlib import Path

import _scripts
import nbformat
import pytest

from helpers import clock

ROOT = Path(__file__).resolve().parent.parent
readme_parts = _scripts.load("tools/readme_parts.py")


def course_copy(tmp_path):
    """The READMEs, the English notebooks and docs/figures/ copied into ``tmp_path``."""
    for name in readme_parts.READMES.values():
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "notebooks").mkdir()
    for path in readme_parts.notebook_paths(ROOT):
        shutil.copy(path, tmp_path / "notebooks" / path.name)
    shutil.copytree(ROOT / readme_parts.FIGURE_DIR, tmp_path / readme_parts.FIGURE_DIR)
    return tmp_path


def set_clock(path, seconds):
    """Make the committed output of notebook ``path``'s last cell say it ran in ``seconds``
    (whether or not its committed outputs had a clock line)."""
    nb = nbformat.read(path, as_version=4)
    last = next(c for c in reversed(nb.cells) if c.cell_type == "code")
    assert last.source.strip() == "notebook_clock.report()", path.name
    last.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=f"this notebook ran in {seconds} s\n")
    ]
    nbformat.write(nb, path)


def test_the_readmes_and_figures_match_the_committed_notebooks():
    assert readme_parts.check(ROOT) == []


def test_every_notebook_has_a_row_and_a_clock():
    for path in readme_parts.notebook_paths(ROOT):
        nb = nbformat.read(path, as_version=4)
        assert path.stem in readme_parts.ROWS, path.name
        code = [  # Colab's set-up cell (tools/launch_links.py) may come first; it is not timed
            c
            for c in nb.cells
            if c.cell_type == "code" and "colab-setup" not in c.metadata.get("tags", [])
        ]
        assert "clock.start()" in code[0].source, (
            f"{path.name}: the clock starts in its first code cell"
        )
        assert code[-1].source.strip() == "notebook_clock.report()", f"{path.name}: last cell"


def test_every_notebook_printed_its_clock():
    """Fails while a notebook's committed outputs predate its clock cells (the README then says
    "not yet timed"): run benchmarks/course_run.py --write on it, then tools/readme_parts.py."""
    assert readme_parts.untimed(ROOT) == [], "\n".join(readme_parts.untimed_report(ROOT))


def test_a_planted_time_disagreement_fails(tmp_path):
    """Notebook 02's committed clock says 999 s; the READMEs still have the real time."""
    root = course_copy(tmp_path)
    assert readme_parts.check(root) == []
    set_clock(root / "notebooks" / "02_baseline.ipynb", 999)
    found = readme_parts.check(root)
    assert len(found) == 2, found  # README.md and README.zh.md
    assert "README.md disagrees" in found[0] and "16 min 39 s" in found[0], found[0]
    assert "README.zh.md disagrees" in found[1] and "16 分 39 秒" in found[1], found[1]
    readme_parts.write(root)  # the one command that brings them back in line
    assert readme_parts.check(root) == []
    assert "| 02 | [Baseline](notebooks/02_baseline.ipynb) |" in (root / "README.md").read_text()


def test_a_planted_edit_of_the_time_column_fails(tmp_path):
    root = course_copy(tmp_path)
    readme = root / "README.md"
    row = next(line for line in readme.read_text().splitlines() if line.startswith("| 04 |"))
    readme.write_text(readme.read_text().replace(row, re.sub(r"\| [^|]+ \|$", "| 1 s |", row)))
    found = readme_parts.check(root)
    assert len(found) == 1 and found[0].startswith("README.md disagrees"), found


def test_a_planted_image_disagreement_fails(tmp_path):
    root = course_copy(tmp_path)
    stem, cell_id, name, *_ = readme_parts.FIGURES[1]
    image = root / readme_parts.FIGURE_DIR / name
    image.write_bytes(image.read_bytes()[:-1] + b"\0")  # one byte of the docs copy
    found = readme_parts.check(root)
    assert found == [
        f"docs/figures/{name} no longer matches its notebook's output "
        "(run python tools/readme_parts.py)"
    ]
    readme_parts.write(root)
    assert readme_parts.check(root) == []
    nb_path = root / "notebooks" / f"{stem}.ipynb"  # now the notebook's figure changes
    nb = nbformat.read(nb_path, as_version=4)
    cell = next(c for c in nb.cells if c.get("id") == cell_id)
    out = next(o for o in cell.outputs if "image/png" in o.get("data", {}))
    out["data"]["image/png"] = base64.b64encode(b"\x89PNG another figure").decode()
    nbformat.write(nb, nb_path)
    assert readme_parts.check(root) == found


def test_a_new_notebook_needs_its_row_and_its_clock(tmp_path):
    root = course_copy(tmp_path)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("notebook_clock.report()")]
    nbformat.write(nb, root / "notebooks" / "09_new.ipynb")
    found = readme_parts.check(root)
    assert any("09_new.ipynb has no entry in ROWS" in f for f in found), found
    assert "09_new.ipynb" in readme_parts.untimed(root)  # no clock line in its outputs yet
    with pytest.raises(ValueError, match="09_new.ipynb has no entry in ROWS"):
        readme_parts.write(root)


def test_a_new_notebook_needs_only_its_entry_in_rows(tmp_path, monkeypatch):
    """Notebook 10, say: one entry in ROWS, and its row follows 09's, timed by its clock."""
    root = course_copy(tmp_path)
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("from helpers import clock\n\nnotebook_clock = clock.start()"),
        nbformat.v4.new_code_cell("notebook_clock.report()"),
    ]
    path = root / "notebooks" / "10_next_step.ipynb"
    nbformat.write(nb, path)
    set_clock(path, 75)
    rows = dict(readme_parts.ROWS)
    rows["10_next_step"] = {"en": ("Next step", "-", "more"), "zh": ("下一步", "-", "更多")}
    monkeypatch.setattr(readme_parts, "ROWS", rows)
    readme_parts.write(root)
    assert readme_parts.check(root) == []
    lines = (root / "README.md").read_text().splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("| 10 |"))
    assert lines[row - 1].startswith("| 09 |")
    assert (
        lines[row] == "| 10 | [Next step](notebooks/10_next_step.ipynb) | - | more | 1 min 15 s |"
    )
    assert (
        "| 10 | [下一步](notebooks/zh/10_next_step.ipynb) |" in (root / "README.zh.md").read_text()
    )


def test_the_note_says_what_is_not_yet_timed():
    found = {
        "01_policy_gradient": (Path("01_policy_gradient.ipynb"), None, None),
        "02_baseline": (Path("02_baseline.ipynb"), None, 37),
    }
    partly = readme_parts.notebook_table(found, "en")
    assert "| not yet timed |" in partly and "| 37 s |" in partly
    assert "the whole course: 37 s without 01, whose committed outputs predate the clock" in partly
    assert readme_parts.MEASUREMENTS in partly
    found["01_policy_gradient"] = (Path("01_policy_gradient.ipynb"), None, 40)
    timed = readme_parts.notebook_table(found, "en")
    assert "the whole course: 1 min 17 s. Yours will differ" in timed
    assert "not yet timed" not in timed.lower()
    found = {stem: (p, None, None) for stem, (p, _, _) in found.items()}
    none = readme_parts.notebook_table(found, "zh")
    assert none.count("| 尚未计时 |") == 2 and "\\* 尚未计时：" in none


def test_a_readme_without_its_markers_is_refused(tmp_path):
    root = course_copy(tmp_path)
    (root / "README.zh.md").write_text("# 没有标记\n")
    assert readme_parts.check(root) == [
        "README.zh.md: the README has no notebooks block "
        "(<!-- readme-parts:notebooks:start... "
        "<!-- readme-parts:notebooks:end -->)"
    ]


@pytest.mark.parametrize(
    "seconds, en, zh",
    [(0, "0 s", "0 秒"), (37, "37 s", "37 秒"), (114, "1 min 54 s", "1 分 54 秒")],
)
def test_durations(seconds, en, zh):
    assert readme_parts.duration(seconds, "en") == en
    assert readme_parts.duration(seconds, "zh") == zh


def test_the_clock_prints_the_line_the_table_reads(capsys):
    started = clock.start()
    time.sleep(0.01)
    assert 0.01 <= started.seconds() < 5
    assert started.report() is None  # a notebook's last cell echoes nothing
    printed = capsys.readouterr().out
    assert printed == "this notebook ran in 0 s\n"
    assert clock.read(printed) == 0
    assert clock.read("this notebook ran in 37 s\nthis notebook ran in 41 s\n") == 41
    assert clock.read("notebook: 37 s on cpu\n") is None
