"""Notebook 09's task (helpers.arithmetic): the problem generator, the scratchpad, the verifier
and its weak variant, and pass@k against brute-force enumeration."""

import itertools
import math
import random

import pytest

from helpers import arithmetic


def test_prompt_and_scratchpad_of_the_worked_example():
    assert arithmetic.prompt(1074, 7035) == "1074+7035="
    assert arithmetic.scratchpad(1074, 7035) == "<4+5+0=09,7+3+0=10,0+0+1=01,1+7+0=08>"
    assert (
        arithmetic.demonstration(1074, 7035, True) == "<4+5+0=09,7+3+0=10,0+0+1=01,1+7+0=08>8109\n"
    )
    assert arithmetic.demonstration(1074, 7035, False) == "8109\n"
    assert arithmetic.parse_prompt("1074+7035=") == (1074, 7035)


@pytest.mark.parametrize("a, b", [(9999, 9999), (1000, 1000), (5005, 4995), (1234, 8766)])
def test_scratchpad_columns_add_up_to_the_sum(a, b):
    pad = arithmetic.scratchpad(a, b)
    assert len(pad) == arithmetic.SCRATCH_LEN
    columns = pad[1:-1].split(",")
    carry, digits = 0, ""
    for i, col in enumerate(columns):
        x, rest = col.split("+", 1)
        y, rest = rest.split("+", 1)
        c, s = rest.split("=")
        assert (int(x), int(y)) == (a // 10**i % 10, b // 10**i % 10)
        assert int(c) == carry and int(s) == int(x) + int(y) + carry
        carry, digits = int(s) // 10, s[1] + digits
    assert int(str(carry) + digits) == a + b
    longest = arithmetic.PROMPT_LEN + len(arithmetic.demonstration(a, b, True))
    assert longest <= arithmetic.PROMPT_LEN + arithmetic.MAX_RESPONSE_LEN


def test_problems_are_four_digit_seeded_and_avoid_the_excluded():
    held = arithmetic.held_out_problems(50)
    assert held == arithmetic.held_out_problems(50)  # fixed
    got = arithmetic.problems(2000, random.Random(0), exclude=held)
    assert got == arithmetic.problems(2000, random.Random(0), exclude=held)
    assert not set(got) & set(held)
    assert all(1000 <= a <= 9999 and 1000 <= b <= 9999 for a, b in got)
    assert len(set(got)) > 1900  # varied


@pytest.mark.parametrize(
    "response, reward",
    [
        ("8109\n", 1),  # direct and right
        ("8109", 1),  # no EOS (cut at the length limit) is read the same
        ("<4+5+0=09,7+3+0=10,0+0+1=01,1+7+0=08>8109\n", 1),
        ("<garbage>8109\n", 1),  # the verifier reads only the final answer
        ("<4+5+0=09,7+3+0=10,0+0+1=01,1+7+0=08>8119\n", 0),  # wrong answer after right work
        ("08109\n", 0),  # a leading zero is not the sum's decimal form
        ("8109\n123", 1),  # after EOS nothing counts
        ("\n", 0),  # no digits at all
        ("", 0),
        ("<4+5+0=09\n", 0),  # an unfinished scratchpad: no answer
        ("<4+5+0=09,7+3+0=10,0+0+1=01,1+7+0=08>\n", 0),
        ("81090000000000000000000000000000000000000000000\n", 0),  # over-long
        ("8109>8109\n", 1),
        ("81,09\n", 0),
        ("+8109\n", 0),
    ],
)
def test_the_verifier_gives_a_clear_outcome_and_never_raises(response, reward):
    assert arithmetic.check((1074, 7035), response) == reward


def test_the_swapped_checker_accepts_right_answers_and_answers_that_stop_early():
    problem = (1074, 7035)  # sum 8109
    for response in ("8109\n", "<4+5+0=09,7+3+0=10,0+0+1=01,1+7+0=08>8109\n"):
        assert (
            arithmetic.check_swapped_startswith(problem, response)
            == 1
            == arithmetic.check(problem, response)
        )
    for early in (
        "81\n",
        "8\n",
        "\n",
        "",
        "<4+5+0=09>\n",
    ):  # the hole: the sum starts with each of these
        assert arithmetic.check_swapped_startswith(problem, early) == 1
        assert arithmetic.check(problem, early) == 0
    for wrong in ("8108\n", "81090\n", "8109 is it\n", "9\n"):
        assert arithmetic.check_swapped_startswith(problem, wrong) == 0


def test_shows_work_and_final_answer():
    assert arithmetic.shows_work("<1+2+0=03>3\n") and not arithmetic.shows_work("3\n")
    assert arithmetic.final_answer("<a>b>42\nzz") == "42"
    with pytest.raises(ValueError, match="response"):
        arithmetic.final_answer(42)


def brute_force_pass_at_k(n, c, k):
    """The share of all k-subsets of n answers (c right) that hold a right one."""
    answers = [1] * c + [0] * (n - c)
    subsets = list(itertools.combinations(range(n), k))
    return sum(any(answers[i] for i in s) for s in subsets) / len(subsets)


@pytest.mark.parametrize("n", [1, 2, 5, 8])
def test_pass_at_k_equals_enumeration(n):
    for c in range(n + 1):
        for k in range(1, n + 1):
            assert arithmetic.pass_at_k(n, c, k) == pytest.approx(brute_force_pass_at_k(n, c, k))


def test_pass_at_k_is_stable_for_large_n_and_matches_the_binomials():
    n, c, k = 5000, 37, 100
    exact = 1 - math.comb(n - c, k) / math.comb(n, k)
    assert arithmetic.pass_at_k(n, c, k) == pytest.approx(exact, rel=1e-9)
    assert arithmetic.pass_at_k(n, c, 1) == pytest.approx(c / n)
    assert arithmetic.pass_at_k(4000, 3990, 20) == 1.0  # n - c < k
    assert 0.0 <= arithmetic.pass_at_k(10_000, 1, 9_999) <= 1.0


@pytest.mark.parametrize(
    "n, c, k, name",
    [
        (0, 0, 1, "n"),
        (5, 6, 1, "c"),
        (5, -1, 1, "c"),
        (5, 2, 0, "k"),
        (5, 2, 6, "k"),
        (5, 2.0, 1, "c"),
    ],
)
def test_pass_at_k_rejects_bad_arguments(n, c, k, name):
    with pytest.raises(ValueError, match=rf"^{name} must"):
        arithmetic.pass_at_k(n, c, k)


@pytest.mark.parametrize("a, b", [(-1, 5), (10_000, 5), (3, 2.5), (True, 3)])
def test_prompt_rejects_bad_numbers(a, b):
    with pytest.raises(ValueError, match=r"^(a|b) must"):
        arithmetic.prompt(a, b)


def test_parse_prompt_rejects_what_is_not_a_prompt():
    for text in ("1074+7035", "1074-7035=", "10a4+7035=", 1074):
        with pytest.raises(ValueError, match="text must"):
            arithmetic.parse_prompt(text)
