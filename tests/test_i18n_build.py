"""i18n/build.py, the builder of the Chinese notebooks, on a small notebook of its own: a
translation is found by cell id, a changed English cell makes it stale, the mathematics must
stay as it is, and the built notebook keeps the English code and outputs."""

import importlib.util
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("i18n_build", ROOT / "i18n" / "build.py")
i18n = importlib.util.module_from_spec(spec)
spec.loader.exec_module(i18n)


@pytest.fixture
def course(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            "# Title\n\nThe return $G_t = r_t + \\gamma G_{t+1}$.", id="md1"
        ),
        nbformat.v4.new_code_cell("x = 1\nx", id="code1"),
        nbformat.v4.new_markdown_cell("$$J(\\theta) = \\mathbb{E}[R]$$\n\nMaximise it.", id="md2"),
    ]
    nb.cells[1].outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "1"})]
    (tmp_path / "notebooks").mkdir()
    path = tmp_path / "notebooks" / "01_demo.ipynb"
    nbformat.write(nb, path)
    return tmp_path, path


def write_translation(root, entries):
    path = root / "i18n" / "zh" / "01_demo.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "".join(f"\n<!-- cell {i} en-sha256 {d} -->\n{t}\n" for i, d, t in entries),
        encoding="utf-8",
    )


def test_a_complete_translation_builds_with_the_english_code_and_outputs(course):
    root, path = course
    nb = nbformat.read(path, as_version=4)
    complete_translation(root, path)
    assert i18n.problems(path, root) == []
    zh = i18n.build(path, root)
    assert zh.cells[0].source.startswith("# 标题") and zh.cells[2].source.endswith("最大化它。")
    assert zh.cells[1] == nb.cells[1]  # code and outputs untouched
    assert [c.id for c in zh.cells] == [c.id for c in nb.cells]
    assert zh.metadata["language"] == "zh"


def test_missing_stale_untranslated_and_changed_math_are_each_reported(course):
    root, path = course
    nb = nbformat.read(path, as_version=4)
    assert i18n.problems(path, root) == [
        "01_demo.ipynb cell md1: no translation",
        "01_demo.ipynb cell md2: no translation",
    ]
    write_translation(
        root,
        [
            ("md1", "0" * 12, "# 标题\n\n回报 $G_t = r_t + \\gamma G_{t+1}$。"),
            ("md2", i18n.text_hash(nb.cells[2].source), "$$J = \\mathbb{E}[R]$$\n\n最大化它。"),
            ("gone", "0" * 12, "旧的"),
        ],
    )
    found = i18n.problems(path, root)
    assert any("md1: stale" in f for f in found)
    assert any("md2: its mathematics differs" in f for f in found)
    assert any("gone: translated, but no such markdown cell" in f for f in found)


def test_add_missing_writes_markers_to_translate_and_keeps_what_is_done(course):
    root, path = course
    nb = nbformat.read(path, as_version=4)
    write_translation(
        root,
        [
            (
                "md1",
                i18n.text_hash(nb.cells[0].source),
                "# 标题\n\n回报 $G_t = r_t + \\gamma G_{t+1}$。",
            )
        ],
    )
    assert i18n.add_missing(path, root) == 1
    entries = i18n.read_translations(i18n.translation_path(path, root))
    assert entries["md1"][1].startswith("# 标题")
    assert i18n.TODO in entries["md2"][1] and "Maximise it." in entries["md2"][1]
    assert i18n.problems(path, root) == ["01_demo.ipynb cell md2: not translated yet"]
    nb.cells[0].source += " More."  # the English changes: the old translation is kept, marked
    nbformat.write(nb, path)
    assert i18n.add_missing(path, root) == 1  # md1 is stale now; md2 still waits, unchanged
    entries = i18n.read_translations(i18n.translation_path(path, root))
    assert entries["md1"][0] == i18n.text_hash(nb.cells[0].source)
    assert (
        i18n.TODO in entries["md1"][1]
        and "# 标题" in entries["md1"][1]
        and "More." in entries["md1"][1]
    )


def test_a_cell_translated_twice_is_an_error(course):
    root, path = course
    write_translation(root, [("md1", "0" * 12, "a"), ("md1", "0" * 12, "b")])
    with pytest.raises(ValueError, match="cell md1 is translated twice"):
        i18n.problems(path, root)


def complete_translation(root, path):
    nb = nbformat.read(path, as_version=4)
    h1, h2 = (i18n.text_hash(nb.cells[k].source) for k in (0, 2))
    write_translation(
        root,
        [
            ("md1", h1, "# 标题\n\n回报 $G_t = r_t + \\gamma G_{t+1}$。"),
            ("md2", h2, "$$J(\\theta) = \\mathbb{E}[R]$$\n\n最大化它。"),
        ],
    )


def test_the_command_builds_the_notebooks_it_is_given_and_refuses_all_while_one_is_missing(
    course, capsys
):
    root, path = course
    other = nbformat.read(path, as_version=4)
    nbformat.write(other, root / "notebooks" / "02_other.ipynb")  # no translation at all
    complete_translation(root, path)
    assert i18n.main(["--root", str(root)]) == 1  # the whole course: 02_other is missing
    assert "02_other.ipynb cell md1: no translation" in capsys.readouterr().out
    assert not (root / "notebooks" / "zh").exists()
    assert i18n.main(["--root", str(root), "01_demo"]) == 0
    assert (root / "notebooks" / "zh" / "01_demo.ipynb").exists()
    assert not (root / "notebooks" / "zh" / "02_other.ipynb").exists()
    assert i18n.main(["--root", str(root), "--check", "01_demo.ipynb"]) == 0
    assert "up to date for 01_demo" in capsys.readouterr().out
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].source = "x = 2\nx"  # the English code changes: the built notebook is stale
    nbformat.write(nb, path)
    assert i18n.main(["--root", str(root), "--check", "01_demo"]) == 1
    assert "notebooks/zh/01_demo.ipynb is not up to date" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        i18n.main(["--root", str(root), "03_nothing"])
    assert "no such notebook in notebooks/: 03_nothing" in capsys.readouterr().err


def test_a_chinese_notebook_without_an_english_one_is_reported(course, capsys):
    root, path = course
    complete_translation(root, path)
    assert i18n.main(["--root", str(root), "01_demo"]) == 0
    (root / "notebooks" / "zh" / "09_gone.ipynb").write_text(path.read_text())
    assert i18n.main(["--root", str(root), "--check", "01_demo"]) == 1
    assert "notebooks/zh/09_gone.ipynb has no English notebook" in capsys.readouterr().out


def test_launch_links_are_not_translated_and_open_the_chinese_notebook(course):
    root, path = course
    complete_translation(root, path)
    nb = nbformat.read(path, as_version=4)
    block = (
        "<!-- launch-links:start -->\n[![Open in Binder](https://mybinder.org/badge_logo.svg)]"
        "(https://mybinder.org/v2/gh/o/n/main?urlpath=lab/tree/notebooks/01_demo.ipynb) "
        "[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
        "(https://colab.research.google.com/github/o/n/blob/main/notebooks/01_demo.ipynb)\n"
        "<!-- launch-links:end -->"
    )
    english = nb.cells[0].source
    title, _, rest = english.partition("\n")
    nb.cells[
        0
    ].source = f"{title}\n\n{block}\n\n{rest.lstrip(chr(10))}"  # as launch_links writes it
    nbformat.write(nb, path)
    assert i18n.without_launch_links(nb.cells[0].source) == english
    assert i18n.problems(path, root) == []  # the links changed nothing to translate
    zh = i18n.build(path, root).cells[0].source
    assert zh.startswith("# 标题\n\n<!-- launch-links:start -->")
    assert "lab/tree/notebooks/zh/01_demo.ipynb" in zh
    assert "blob/main/notebooks/zh/01_demo.ipynb" in zh
    assert "notebooks/01_demo.ipynb" not in zh
    assert zh.endswith("回报 $G_t = r_t + \\gamma G_{t+1}$。")


def test_relative_links_that_leave_notebooks_get_one_more_level():
    names = {"01_demo.ipynb", "02_next.ipynb"}
    text = (
        "See [the helper](../helpers/returns.py), [the README](../README.md#start), "
        "[next](02_next.ipynb), [next again](./02_next.ipynb#recap), [above](#recap), "
        '[a page](https://example.org/a.md), <img src="figures/a.png"> and ![b](b.svg).'
    )
    assert i18n.relink(text, names) == (
        "See [the helper](../../helpers/returns.py), [the README](../../README.md#start), "
        "[next](02_next.ipynb), [next again](./02_next.ipynb#recap), [above](#recap), "
        '[a page](https://example.org/a.md), <img src="../figures/a.png"> and ![b](../b.svg).'
    )
