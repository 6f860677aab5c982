"""helpers.lang: how the helpers choose the learner's language (English unless told, or unless
the notebook lives in notebooks/zh/), and the widgets' labels that follow it."""

import pytest

from helpers import lang


@pytest.fixture(autouse=True)
def clean(monkeypatch, tmp_path):
    for name in ("COURSE_LANG", "JPY_SESSION_NAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    yield
    lang.set_language(None)


def test_english_by_default():
    assert lang.language() == "en"
    assert lang.pick("b", "基线") == "b"


def test_a_kernel_started_in_notebooks_zh_speaks_chinese(tmp_path, monkeypatch):
    (tmp_path / "notebooks" / "zh").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "notebooks" / "zh")  # nbval, course_run, JupyterLab, VS Code
    assert lang.language() == "zh"
    assert lang.pick("b", "基线") == "基线"
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
