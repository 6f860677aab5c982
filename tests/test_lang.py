"""helpers.lang: how the helpers choose the learner's language (English unless told, or unless
the notebook lives in notebooks/zh/), and the widgets' labels that follow it."""

import string

import pytest

from helpers import checker, checks, lang, ppo_checks, rlhf_plots, widgets, zh

ENGLISH = {"checker.MESSAGES": checker.MESSAGES, "checks.HINTS": checks.HINTS}
ENGLISH |= {"ppo_checks.HINTS": ppo_checks.HINTS}
ENGLISH |= {"widgets.LABELS": widgets.LABELS, "rlhf_plots.SUMMARIES": rlhf_plots.SUMMARIES}


@pytest.fixture(autouse=True)
def clean(monkeypatch, tmp_path):
    for name in ("COURSE_LANG", "JPY_SESSION_NAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    yield
    lang.set_language(None)


def test_english_by_default():
    assert lang.language() == "en"
    assert lang.text(widgets.LABELS, "baseline_b") == "baseline b"
    assert (
        lang.text(checker.MESSAGES, "correct", n=3)
        == "Correct: matches the reference on all 3 cases."
    )


def test_a_kernel_started_in_notebooks_zh_speaks_chinese(tmp_path, monkeypatch):
    (tmp_path / "notebooks" / "zh").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "notebooks" / "zh")  # nbval, course_run, JupyterLab, VS Code
    assert lang.language() == "zh"
    assert lang.text(widgets.LABELS, "baseline_b") == "基线 b"
    assert lang.text(checker.MESSAGES, "correct", n=3) == "正确：在全部 3 个用例上与参考答案一致。"
    assert "{t+1}" in lang.text(checks.HINTS, "reward_to_go.one_step_off")  # no fields: as written
    monkeypatch.chdir(tmp_path / "notebooks")
    assert lang.language() == "en"


def test_the_notebook_path_jupyter_server_gives_the_kernel_comes_before_its_folder(
    tmp_path, monkeypatch
):
    (tmp_path / "zh").mkdir()
    monkeypatch.chdir(tmp_path / "zh")
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "notebooks" / "02_baseline.ipynb"))
    assert lang.language() == "en"  # an English notebook, whatever its kernel's folder
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "notebooks" / "zh" / "02_baseline.ipynb"))
    monkeypatch.chdir(tmp_path)
    assert lang.language() == "zh"


def test_the_setting_and_set_language_come_first(tmp_path, monkeypatch):
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "notebooks" / "zh" / "02_baseline.ipynb"))
    monkeypatch.setenv("COURSE_LANG", "en")
    assert lang.language() == "en"
    monkeypatch.setenv("COURSE_LANG", "ZH ")
    assert lang.language() == "zh"
    lang.set_language("en")
    assert lang.language() == "en"
    lang.set_language(None)
    assert lang.language() == "zh"


def test_an_unknown_language_is_a_clear_error(monkeypatch):
    with pytest.raises(ValueError, match="lang must be one of"):
        lang.set_language("fr")
    monkeypatch.setenv("COURSE_LANG", "fr")
    with pytest.raises(ValueError, match="COURSE_LANG environment variable must be one of"):
        lang.language()


def fields(text):
    return sorted(f for _, f, _, _ in string.Formatter().parse(text) if f is not None)


def test_every_english_text_has_a_chinese_one_with_the_same_fields_and_none_is_left_over():
    ids = [key for table in ENGLISH.values() for key in table]
    assert len(ids) == len(set(ids)), "an id stands in two English tables"
    for where, table in ENGLISH.items():
        missing = [key for key in table if key not in zh.TEXT]
        assert not missing, f"{where}: ids with no Chinese text in helpers/zh.py: {missing}"
        for key, english in table.items():
            chinese = zh.TEXT[key]
            assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese), key
            if "{" in english and not where.endswith(".HINTS"):  # hints are printed as written
                assert fields(chinese) == fields(english), key
    left_over = sorted(set(zh.TEXT) - set(ids))
    assert not left_over, f"Chinese texts in helpers/zh.py whose id is gone: {left_over}"
