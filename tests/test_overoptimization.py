"""Notebook 07's over-optimisation asserts (the cell tagged ``overoptimization-asserts``) pass on a
curve that rises and then falls, and fail on the curves that only look like one: a gold score
that only falls from its first probe, one that rises too little above SFT's, one that never
falls, and a proxy that stays flat. The cell runs as the notebook writes it, on made-up logs and
evaluations."""

from pathlib import Path

import nbformat
import numpy as np
import pytest

from helpers import rlhf, rlhf_plots

ROOT = Path(__file__).resolve().parent.parent
PROMPT = "a line about the cat:"
SFT_GOLD = -0.4


def tagged_cell():
    nb = nbformat.read(ROOT / "notebooks" / "07_rlhf_tiny_gpt.ipynb", as_version=4)
    cells = [c.source for c in nb.cells if "overoptimization-asserts" in c.metadata.get("tags", [])]
    assert len(cells) == 1, "notebook 07 should tag exactly one cell 'overoptimization-asserts'"
    return cells[0]


def evaluation(gold, kl, distinct, answer):
    return {"gold": gold, "kl": kl, "distinct": distinct, "responses": [answer] * 4}


def run_cell(gold_curve, rm_curve):
    n = len(gold_curve)
    namespace = {
        "np": np,
        "rlhf": rlhf,
        "rlhf_plots": rlhf_plots,
        "beta": 0.15,
        "eval_prompts": [PROMPT] * 4,
        "sft_eval": evaluation(SFT_GOLD, 0.0, 0.7, " the cat is very happy.\n"),
        "ppo_eval": evaluation(1.0, 3.0, 0.3, " the cat is very kind.\n"),
        "beta0_eval": evaluation(gold_curve[-1], 60.0, 0.9, " the cat xqzt xqzt xqzt.\n"),
        "beta0_log": {
            "probe_gold": list(gold_curve),
            "probe_rm": list(rm_curve),
            "probe_kl": list(np.linspace(0.5, 60.0, n)),
        },
    }
    exec(tagged_cell(), namespace)


RISING_RM = np.linspace(0.2, 2.5, 32)
RISE_THEN_FALL = np.concatenate([[-0.2, 0.1, 0.3, 0.35, 0.2], np.linspace(0.0, -5.0, 27)])


def test_a_curve_that_rises_and_then_falls_passes():
    run_cell(RISE_THEN_FALL, RISING_RM)


@pytest.mark.parametrize(
    ("curve", "rm", "message"),
    [
        (np.linspace(-0.3, -5.0, 32), RISING_RM, "first rise"),  # falls from the first probe
        (
            np.concatenate([[-0.3, -0.3, -0.3, -0.3], np.linspace(-0.3, -5.0, 28)]),
            RISING_RM,
            "first rise",
        ),
        (np.concatenate([[-0.2, 0.1, 0.3, 0.35, 0.2], np.full(27, 0.2)]), RISING_RM, "then fall"),
        (RISE_THEN_FALL, np.full(32, 1.0), "above its value at the gold.s peak"),
    ],
    ids=["only-falls", "too-small-a-rise", "never-falls", "proxy-flat"],
)
def test_curves_that_are_not_over_optimisation_fail(curve, rm, message):
    with pytest.raises(AssertionError, match=message):
        run_cell(curve, rm)


def test_centred_average_is_centred_and_keeps_the_length():
    got = rlhf_plots.centred_average([0.0, 3.0, 0.0, 0.0, 6.0], k=3)
    assert np.allclose(got, [1.5, 1.0, 1.0, 2.0, 3.0])
    assert np.allclose(rlhf_plots.centred_average([4.0], k=3), [4.0])
    assert int(np.argmax(rlhf_plots.centred_average([0, 0, 9, 0, 0], k=3))) in (1, 2, 3)
    with pytest.raises(ValueError, match="k must be odd"):
        rlhf_plots.centred_average([1.0, 2.0], k=2)
