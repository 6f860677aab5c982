"""The Chinese course against the English one, for every notebook in notebooks/: each English
markdown cell has a translation that is fresh (its hash matches the English text) with the
same mathematics; notebooks/zh/ holds the build of each, up to date; a built notebook's code
cells, outputs and metadata are the English ones; its links resolve; and a kernel started for
a Chinese notebook speaks Chinese.

A notebook whose translation is missing fails here, by design: the fix is to translate it
(``python i18n/build.py --add-missing``, edit ``i18n/zh/<notebook>.md``) and build
(``python i18n/build.py``). After regenerating the English outputs (benchmarks/course_run.py
--write), run ``python i18n/build.py`` again.
"""

import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("i18n_build", ROOT / "i18n" / "build.py")
i18n = importlib.util.module_from_spec(spec)
spec.loader.exec_module(i18n)

ENGLISH = i18n.english_notebooks()
ZH = ROOT / "notebooks" / i18n.LANG


def ids(path):
    return path.stem


def test_the_course_has_notebooks_to_translate():
    assert len(ENGLISH) >= 7


@pytest.mark.parametrize("notebook", ENGLISH, ids=ids)
def test_every_markdown_cell_is_translated_and_fresh(notebook):
    found = i18n.problems(notebook)
    assert not found, (
        f"{len(found)} cell(s) of {notebook.name} to translate in "
        f"i18n/{i18n.LANG}/{notebook.stem}.md (python i18n/build.py --status):\n" + "\n".join(found)
    )


@pytest.mark.parametrize("notebook", ENGLISH, ids=ids)
def test_the_chinese_notebook_is_built_and_up_to_date(notebook):
    target = i18n.built_path(notebook)
    assert target.exists(), (
        f"notebooks/{i18n.LANG}/{notebook.name} is missing: python i18n/build.py"
    )
    if i18n.problems(notebook):
        pytest.fail(f"{notebook.name} is not completely translated, so it cannot be rebuilt")
    built = nbformat.read(target, as_version=4)
    assert built == i18n.build(notebook), (
        f"notebooks/{i18n.LANG}/{notebook.name} is out of date with the English notebook or its "
        "translation: python i18n/build.py"
    )


@pytest.mark.parametrize("notebook", ENGLISH, ids=ids)
def test_its_code_cells_outputs_and_metadata_are_the_english_ones(notebook):
    target = i18n.built_path(notebook)
    assert target.exists(), (
        f"notebooks/{i18n.LANG}/{notebook.name} is missing: python i18n/build.py"
    )
    en, zh = (nbformat.read(p, as_version=4) for p in (notebook, target))
    assert [(c.id, c.cell_type) for c in zh.cells] == [(c.id, c.cell_type) for c in en.cells]
    for e, z in zip(en.cells, zh.cells, strict=True):
        if e.cell_type == "markdown":
            assert z.source.strip() and z.metadata == e.metadata, f"cell {e.id}"
        else:
            assert z == e, f"{target.name} cell {e.id}: its code or outputs differ from the English"
    assert {k: v for k, v in zh.metadata.items() if k != "language"} == en.metadata
    assert zh.metadata.get("language") == i18n.LANG


def test_every_chinese_notebook_has_an_english_one():
    names = {p.name for p in ENGLISH}
    orphans = [p.name for p in sorted(ZH.glob("*.ipynb")) if p.name not in names]
    assert not orphans, f"notebooks/{i18n.LANG}/ has notebooks with no English one: {orphans}"


LINK = re.compile(r"\]\(\s*<?([^)\s>]+)")


@pytest.mark.parametrize("notebook", sorted(ZH.glob("*.ipynb")), ids=ids)
def test_the_links_of_a_chinese_notebook_resolve(notebook):
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for target in LINK.findall(cell.source):
            path = target.split("#")[0]
            if not path or ":" in path.split("/")[0]:
                continue  # an anchor or a URL
            assert (notebook.parent / path).exists(), f"{notebook.name} cell {cell.id}: {target}"


def test_a_kernel_started_for_a_chinese_notebook_speaks_chinese():
    """As nbval and benchmarks/course_run.py start it: in the notebook's folder, notebooks/zh."""
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "from helpers import checks, lang\n"
            "print(lang.language())\n"
            "checks.check_reward_to_go(lambda r, g: r)"
        )
    ]
    for folder, want, words in [(ZH, "zh", "还不对"), (ZH.parent, "en", "Not yet")]:
        run = NotebookClient(
            nbformat.from_dict(nb),
            timeout=120,
            kernel_name="python3",
            resources={"metadata": {"path": str(folder)}},
        )
        out = run.execute()
        text = "".join(o.get("text", "") for o in out.cells[0].outputs)
        assert text.splitlines()[0] == want and words in text, text
