"""The Chinese course's sources: ``zh/<notebook>.md`` (the translations) and ``build.py``, their
builder. A package so that the tests and the benchmarks import the builder as
``from i18n import build``; run it as ``python i18n/build.py``."""
