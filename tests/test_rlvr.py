"""Notebook 09's helpers: the pass@k exercise check (the reference and an exact-integer answer
pass; each typical mistake fails with its hint, an overflowing one included; a stub neither
passes nor raises), and the figures and the checkpoint slider (they draw, redraw when the slider
moves, and refuse bad input with a ValueError that names the argument)."""

import math

import pytest

from helpers import arithmetic, lang, rlvr_checks, rlvr_plots, solutions, widgets


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv("COURSE_LANG", "en")
    yield
    lang.set_language(None)


def exact(n, c, k):  # also right: Python's integers do not overflow
    return 1 - math.comb(n - c, k) / math.comb(n, k)


def biased(n, c, k):
    return 1 - (1 - c / n) ** k


def off_by_one(n, c, k):
    return 1 - math.comb(n - c, k - 1) / math.comb(n, k - 1)


def complement(n, c, k):
    return math.comb(n - c, k) / math.comb(n, k)


def factorials(n, c, k):  # right on small cases; too large a float for n in the thousands
    def comb(a, b):
        return math.factorial(a) / (math.factorial(b) * math.factorial(a - b)) if a >= b else 0

    return 1 - comb(n - c, k) / comb(n, k)


def products_of_floats(n, c, k):  # right on small cases; inf / inf for n in the thousands
    def comb(a, b):
        return (
            math.prod(float(i) for i in range(a - b + 1, a + 1)) / math.factorial(b)
            if a >= b
            else 0.0
        )

    return 1 - comb(n - c, k) / comb(n, k)


def stub(n, c, k):
    raise NotImplementedError


@pytest.mark.parametrize("right", [solutions.pass_at_k_solution, exact, arithmetic.pass_at_k])
def test_right_answers_pass(right, capsys):
    assert rlvr_checks.check_pass_at_k(right)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (biased, "biased low"),
        (off_by_one, "off-by-one"),
        (complement, "one minus it"),
        (lambda n, c, k: c / n, "c / n is pass@1"),
        (factorials, "overflow a float"),
        (products_of_floats, "overflow a float"),
        (lambda n, c, k: 0.5, "expected"),
    ],
)
def test_typical_mistakes_fail_with_their_hint(wrong, hint, capsys):
    assert not rlvr_checks.check_pass_at_k(wrong)
    assert hint in capsys.readouterr().out


def test_the_overflowing_answers_are_right_on_small_cases():  # so the overflow hint is the lesson
    for fn in (factorials, products_of_floats):
        for case in rlvr_checks.SMALL:
            assert math.isclose(fn(*case), solutions.pass_at_k_solution(*case), abs_tol=1e-12)


def test_a_stub_is_not_done(capsys):
    assert not rlvr_checks.check_pass_at_k(stub)
    assert "Not done yet" in capsys.readouterr().out


def test_chinese_hint(capsys):
    lang.set_language("zh")
    assert not rlvr_checks.check_pass_at_k(biased)
    assert "有放回" in capsys.readouterr().out


def evaluation(scale):
    answers = ["<4+5+0=09,7+3+0=10,0+0+1=01,1+7+0=08>8109", "1234", "9"]
    return {
        "pass@k": {1: 0.1 * scale, 2: 0.15 * scale, 4: 0.2 * scale},
        "work": 0.2 * scale,
        "length": 10.0 * scale,
        "answers": answers,
    }


LOG = {k: [0.1, 0.2, 0.3] for k in rlvr_plots.LOG_KEYS} | {"truth": [0.1, 0.05, 0.0]}


def test_figures_draw():
    fig = rlvr_plots.training_figure(LOG, {0: 0.1, 3: 0.3})
    assert len(fig.axes) == 8
    fig = rlvr_plots.pass_at_k_figure(
        {"before": evaluation(1)["pass@k"], "after": evaluation(2)["pass@k"]}
    )
    assert [line.get_label() for line in fig.axes[0].lines] == ["before", "after"]
    fig = rlvr_plots.hacking_figure(LOG, LOG, 3)
    assert [len(ax.lines) for ax in fig.axes] == [3, 2, 2]


def test_checkpoint_answers_mark_right_and_wrong():
    text = rlvr_plots.checkpoint_answers({0: evaluation(1)}, 0, [(1074, 7035), (1000, 234)])
    assert text.splitlines() == [
        "✓ 1074+7035=<4+5+0=09,7+3+0=10,0+0+1=01,1+7+0=08>8109",
        "✓ 1000+0234=1234",
    ]


def test_checkpoint_explorer_redraws_when_the_slider_moves():
    evals = {0: evaluation(1), 10: evaluation(2), 20: evaluation(3)}
    box = widgets.checkpoint_explorer(evals, evaluation(1), [(1074, 7035), (1, 2)])
    slider, image, answers = box.children
    assert slider.value == 0 and slider.options == (0, 10, 20)  # moving right shows the run
    first = image.value
    slider.value = 20
    assert image.value != first and "1074+7035=" in answers.value


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: rlvr_plots.training_figure({"reward": []}, {0: 0.1}), "log must be a GRPO log"),
        (lambda: rlvr_plots.training_figure(LOG, {0: 1.5}), r"held_out_pass_at_1\[0\]"),
        (lambda: rlvr_plots.pass_at_k_figure({}), "curves must map"),
        (lambda: rlvr_plots.pass_at_k_figure({"a": {0: 0.5}}), "k must be an integer >= 1"),
        (lambda: rlvr_plots.hacking_figure(LOG, LOG, 0), "iterations must be an integer"),
        (
            lambda: rlvr_plots.checkpoint_figure({0: evaluation(1)}, 5, evaluation(1)),
            "iteration must be one of",
        ),
        (
            lambda: rlvr_plots.checkpoint_figure({0: {"work": 1}}, 0, evaluation(1)),
            r"evals\[0\] must be",
        ),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
