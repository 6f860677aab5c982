"""The check of notebook 09's exercise, the unbiased pass@k estimator (notebook 09 calls it as
``checks.check_pass_at_k``). It runs the learner's function through ``helpers.checker.run`` on
small cases and on large ones (n in the thousands), and names the typical mistakes: the biased
1 - (1 - c/n)^k, an off-by-one in a binomial, the complement, c/n for every k, and an overflow.
Hints by id in ``HINTS``; their Chinese text in ``helpers/zh.py``.
"""

import math

from helpers import checker, lang, solutions

HINTS = {
    "pass_at_k.biased": "that is 1 - (1 - c/n)^k, the k answers drawn *with* replacement: it treats c/n as the true pass@1 and is biased low. Draw the k answers without replacement: 1 - C(n - c, k) / C(n, k).",
    "pass_at_k.off_by_one": "an off-by-one in a binomial: the chance that k answers drawn from the n are all wrong is C(n - c, k) / C(n, k): k draws, from the n - c wrong answers and from all n.",
    "pass_at_k.complement": "that is the chance that all k answers are wrong; pass@k is one minus it.",
    "pass_at_k.pass_at_1": "c / n is pass@1 whatever k is: with more tries, the chance that one is right grows.",
    "pass_at_k.overflow": "for large n the binomials (or factorials) overflow a float: compute C(n - c, k) / C(n, k) as the product of (1 - k / i) for i from n - c + 1 to n, or with Python's exact integers (math.comb).",
}

SMALL = [(10, 3, 1), (10, 3, 4), (10, 0, 3), (10, 10, 1), (10, 8, 5), (64, 4, 16), (20, 1, 20)]
LARGE = [(5000, 50, 200), (3000, 0, 1000), (4000, 3, 4000)]


def _comb_ratio(a, b, k):
    return math.comb(a, k) / math.comb(b, k) if 0 <= k <= b and a >= 0 else 0.0


def _overflows(fn):
    """True when ``fn`` raises OverflowError or returns a non-finite number on a large case."""
    try:
        values = [fn(*case) for case in LARGE]
    except OverflowError:
        return True
    except Exception:  # any other error: checker.run reports it
        return False
    try:
        return any(not math.isfinite(float(v)) for v in values)
    except (TypeError, ValueError):
        return False


def check_pass_at_k(fn):
    """Notebook 09: ``fn(n, c, k)`` returns the unbiased estimate of pass@k for one problem,
    ``n`` answers sampled of which ``c`` are right."""
    if _overflows(fn):
        print(lang.text(checker.MESSAGES, "hint", hint=lang.text(HINTS, "pass_at_k.overflow")))
        return False
    mistakes = [
        (lambda n, c, k: 1 - (1 - c / n) ** k, "pass_at_k.biased"),
        (lambda n, c, k: 1 - _comb_ratio(n - c, n, k - 1), "pass_at_k.off_by_one"),
        (lambda n, c, k: 1 - _comb_ratio(n - c - 1, n, k), "pass_at_k.off_by_one"),
        (lambda n, c, k: 1 - _comb_ratio(n - c + 1, n + 1, k), "pass_at_k.off_by_one"),
        (lambda n, c, k: _comb_ratio(n - c, n, k), "pass_at_k.complement"),
        (lambda n, c, k: c / n, "pass_at_k.pass_at_1"),
    ]
    return checker.run(
        fn, SMALL + LARGE, solutions.pass_at_k_solution, mistakes, "pass_at_k", HINTS
    )
