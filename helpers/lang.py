"""The language the course's helpers speak to the learner: English, or Chinese (``zh``).

The Chinese notebooks (``notebooks/zh/``, built by ``i18n/build.py``) run exactly the English
code, so the code cannot say which language it is in; the helpers that print words into a
notebook (the exercise checks, the sliders' labels) ask ``text(english, key)`` instead, which
gives the English text or, under the same short id, the Chinese one of ``helpers/zh.py``.
``language()`` decides which, each time it is asked, in this order:

1. ``set_language("zh")`` (or ``"en"``) called in the kernel, if it was;
2. the ``COURSE_LANG`` environment variable, ``zh`` or ``en``, if it is set (a setting for
   your whole machine, or ``%env COURSE_LANG=zh`` in a notebook);
3. the notebook's own path: Jupyter Server (JupyterLab, Binder) tells a kernel the notebook
   it was started for in ``JPY_SESSION_NAME``; a notebook in a folder named ``zh`` is Chinese;
4. the kernel's working directory: Jupyter Server, nbval, nbclient with a path (as
   ``benchmarks/course_run.py`` runs it) and VS Code start a notebook's kernel in the
   notebook's folder, so ``notebooks/zh/`` is Chinese.

Otherwise English. Google Colab gives a kernel neither the notebook's path nor its folder:
there, call ``lang.set_language("zh")`` or use ``%env COURSE_LANG=zh``.
"""

import os
from pathlib import Path

LANGUAGES = ("en", "zh")
_chosen = None


def set_language(lang):
    """Speak ``lang`` ("en" or "zh") from now on in this kernel; ``None`` goes back to choosing."""
    global _chosen
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES} or None, got {lang!r}")
    _chosen = lang


def language():
    """``"zh"`` or ``"en"``: see the module's docstring for how it is chosen."""
    if _chosen is not None:
        return _chosen
    setting = os.environ.get("COURSE_LANG", "").strip().lower()
    if setting:
        if setting not in LANGUAGES:
            raise ValueError(
                f"the COURSE_LANG environment variable must be one of {LANGUAGES}, got {setting!r}"
            )
        return setting
    session = os.environ.get("JPY_SESSION_NAME", "")
    if session.endswith(".ipynb"):
        return _folder_language(Path(session).parent)
    try:
        return _folder_language(Path.cwd())
    except OSError:  # the working directory was deleted
        return "en"


def _folder_language(folder):
    return folder.name if folder.name in LANGUAGES else "en"


def text(english, key, **fields):
    """The text with the short id ``key``, in the learner's language: ``english[key]`` (the
    English texts of the module that speaks, by id), or ``helpers.zh.TEXT[key]`` for a learner
    who reads Chinese; ``str.format``-ed with ``fields`` when there are any."""
    if language() == "zh":
        from helpers import zh

        english = zh.TEXT
    return english[key].format(**fields) if fields else english[key]
