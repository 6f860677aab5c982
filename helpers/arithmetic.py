"""Notebook 09's task: adding two 4-digit numbers, written directly or with a scratchpad.

A problem is a prompt such as ``"1074+7035="``. An answer is either **direct**, the sum's
digits (``"8109"``), or a **scratchpad** that adds the columns from the least significant one,
each as ``digit + digit + carry = two-digit column sum``, and then gives the sum::

    <4+5+0=09,7+3+0=10,0+0+1=01,1+7+0=08>8109

Responses end with ``EOS`` (a newline). The **verifier** (``check``) reads only the final
answer, the digits after the last ``>`` (or the whole response when there is no scratchpad),
and gives 1 when they are exactly the sum's decimal digits (no leading zero, nothing else),
else 0: an outcome reward, as in DeepSeek-R1-Zero. ``check_swapped_startswith`` is a checker
with a hole, kept to show reward hacking: it was meant to accept a right answer followed by
other text, and was written with the two strings swapped. ``pass_at_k`` is Chen et al.'s (2021) unbiased
estimate of the chance that at least one of k answers is right.
"""

import math
import random

from helpers import _validate

DIGITS = 4  # digits of each number
ALPHABET = "0123456789+=<>,\n"
EOS = "\n"
PROMPT_LEN = 2 * DIGITS + 2  # "dddd+dddd="
SCRATCH_LEN = 1 + DIGITS * 8 + (DIGITS - 1) + 1  # "<", columns "a+b+c=dd", commas, ">"
MAX_RESPONSE_LEN = SCRATCH_LEN + DIGITS + 1 + 1  # the scratchpad, up to 5 digits, EOS


def prompt(a, b):
    """The prompt of the problem a + b, e.g. ``"1074+7035="``."""
    for name, x in (("a", a), ("b", b)):
        if isinstance(x, bool) or not isinstance(x, int) or not 0 <= x < 10**DIGITS:
            raise ValueError(f"{name} must be an integer in [0, {10**DIGITS}), got {x!r}")
    return f"{a:0{DIGITS}d}+{b:0{DIGITS}d}="


def parse_prompt(text):
    """(a, b) of a prompt written by ``prompt``."""
    if (
        not isinstance(text, str)
        or len(text) != PROMPT_LEN
        or text[DIGITS] != "+"
        or text[-1] != "="
        or not (text[:DIGITS] + text[DIGITS + 1 : -1]).isdigit()
    ):
        raise ValueError(f"text must be a prompt such as '1074+7035=', got {text!r}")
    return int(text[:DIGITS]), int(text[DIGITS + 1 : -1])


def scratchpad(a, b):
    """The column-by-column working, least significant column first, carries written."""
    columns, carry = [], 0
    for i in range(DIGITS):
        x, y = a // 10**i % 10, b // 10**i % 10
        s = x + y + carry
        columns.append(f"{x}+{y}+{carry}={s:02d}")
        carry = s // 10
    return "<" + ",".join(columns) + ">"


def demonstration(a, b, show_work):
    """The response a demonstrator writes: the scratchpad and the sum, or the sum alone."""
    return (scratchpad(a, b) if show_work else "") + str(a + b) + EOS


def problems(n, rng, exclude=()):
    """``n`` problems (a, b), both numbers uniform in [1000, 9999], none in ``exclude``."""
    _validate.positive_int("n", n)
    exclude = set(exclude)
    out = []
    while len(out) < n:
        p = (
            rng.randrange(10 ** (DIGITS - 1), 10**DIGITS),
            rng.randrange(10 ** (DIGITS - 1), 10**DIGITS),
        )
        if p not in exclude:
            out.append(p)
    return out


def held_out_problems(n=100, seed=12345):
    """A fixed set of evaluation problems (the same for every notebook seed)."""
    return problems(n, random.Random(seed))


def final_answer(response):
    """The text the verifier reads: after the last ``>``, up to the first ``EOS``."""
    if not isinstance(response, str):
        raise ValueError(f"response must be a string, got {type(response).__name__}")
    response = response.split(EOS, 1)[0]
    return response.rsplit(">", 1)[-1]


def shows_work(response):
    """True when the response opens a scratchpad."""
    return isinstance(response, str) and response.startswith("<")


def check(problem, response):
    """The verifiable reward: 1 when the final answer is exactly the sum's decimal digits
    (no leading zero, no other character), else 0. Never raises on a malformed response."""
    a, b = problem
    return int(final_answer(response) == str(a + b))


def check_swapped_startswith(problem, response):
    """A checker with a hole: meant to accept a right answer followed by other text
    (``answer.startswith(expected)``), written with the two swapped,
    ``expected.startswith(answer)``. It accepts every right answer, and also every answer that
    stops early: the sum's first digits, or nothing at all."""
    a, b = problem
    return int(str(a + b).startswith(final_answer(response)))


def pass_at_k(n, c, k):
    """Chen et al.'s unbiased estimate of pass@k from ``n`` answers of which ``c`` are right:
    1 - C(n - c, k) / C(n, k), the chance that k answers drawn without replacement from the n
    include a right one; 1.0 when n - c < k. Computed as a product, stable for large n."""
    n = _validate.positive_int("n", n)
    if isinstance(c, bool) or not isinstance(c, int) or not 0 <= c <= n:
        raise ValueError(f"c must be an integer in [0, n] = [0, {n}], got {c!r}")
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= n:
        raise ValueError(f"k must be an integer in [1, n] = [1, {n}], got {k!r}")
    if n - c < k:
        return 1.0
    # C(n - c, k) / C(n, k) = prod_{i = n - c + 1}^{n} (1 - k / i)
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))
