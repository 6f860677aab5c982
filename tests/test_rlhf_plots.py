"""The figures and the sliders of notebooks 07 and 08 (the over-optimisation figure and the
beta explorer; DPO's figure, its beta explorer and the side-by-side figure): their pure
functions and the widgets themselves, without a browser."""

import matplotlib
import numpy as np
import pytest

from helpers import lang, rlhf, rlhf_plots, widgets


def fake_log(beta, n=12):
    it = np.arange(n)
    drift = 1.0 / (beta + 0.05)
    return {
        "probe_rm": list(0.1 * it),
        "probe_gold": list(0.1 * it - 0.02 * drift * it),
        "probe_kl": list(0.3 * drift * it),
        "distinct": list(1.0 - 0.5 * it / n),
    }


RUNS = {0.1: fake_log(0.1), 0.0: fake_log(0.0)}
BEST_OF_N = {
    "n": [1, 4, 16],
    "kl": [rlhf.best_of_n_kl(n) for n in (1, 4, 16)],
    "rm": [0.0, 0.8, 1.2],
    "gold": [0.0, 0.5, 0.7],
}


def test_moving_average_keeps_the_length_and_averages_what_it_has():
    got = rlhf_plots.moving_average([1.0, 2.0, 3.0, 4.0], k=2)
    assert np.allclose(got, [1.0, 1.5, 2.5, 3.5])
    assert np.allclose(rlhf_plots.moving_average([5.0], k=5), [5.0])
    assert np.allclose(rlhf_plots.sqrt_kl([-0.01, 4.0]), [0.0, 2.0])


def test_run_summary():
    line = rlhf_plots.run_summary(RUNS, 0.1)
    assert line.startswith("beta = 0.1, last 5 iterations on held-out prompts: RM reward +0.90")
    last = {k: float(np.mean(RUNS[0.1][k][-5:])) for k in ("probe_gold", "probe_kl", "distinct")}
    assert (
        f"gold score {last['probe_gold']:+.2f}, KL to the SFT model {last['probe_kl']:.1f} nats; "
        f"distinct answers in its rollouts {last['distinct']:.0%}"
    ) in line
    assert "not trained yet" in rlhf_plots.run_summary(RUNS, 0.3)
    with pytest.raises(ValueError, match="beta"):
        rlhf_plots.run_summary(RUNS, -1)


def test_overoptimization_figure_highlights_the_chosen_beta_and_draws_best_of_n():
    fig = rlhf_plots.overoptimization_figure(RUNS, BEST_OF_N, beta=0.0, sft_gold=0.1)
    assert isinstance(fig, matplotlib.figure.Figure)
    ax_gold, ax_proxy, ax_dist = fig.axes[:3]
    widths = {line.get_label(): line.get_linewidth() for line in ax_gold.get_lines()}
    assert widths["PPO, beta=0"] > widths["PPO, beta=0.1"]
    bon = next(
        line for line in ax_gold.get_lines() if line.get_label() == "best-of-n (SFT; KL at most)"
    )
    assert np.allclose(bon.get_xdata(), np.sqrt(BEST_OF_N["kl"]))
    assert ax_proxy.get_title().startswith("beta = 0:")
    assert len(ax_dist.get_lines()) == 2
    title = rlhf_plots.overoptimization_figure(RUNS, beta=0.3).axes[1].get_title()
    assert "press the button" in title


def recording(make_log):
    """A stand-in for an explorer's train function: (train, the list of betas it was called with)."""
    calls = []

    def train(beta):
        calls.append(beta)
        return make_log(beta)

    return train, calls


def test_overoptimization_figure_errors():
    with pytest.raises(ValueError, match="runs must map"):
        rlhf_plots.overoptimization_figure({})
    with pytest.raises(ValueError, match="'probe_kl'"):
        rlhf_plots.overoptimization_figure({0.1: {"probe_rm": [1.0], "probe_gold": [1.0]}})
    with pytest.raises(ValueError, match="best_of_n must be a dict"):
        rlhf_plots.overoptimization_figure(RUNS, {"n": [1]})
    with pytest.raises(ValueError, match="of one length"):
        rlhf_plots.overoptimization_figure(RUNS, dict(BEST_OF_N, gold=[0.0]))


def test_beta_explorer_redraws_and_trains_on_the_button():
    runs = dict(RUNS)
    train, calls = recording(fake_log)
    box = widgets.beta_explorer(runs, train, betas=(0.0, 0.1, 0.3), beta=0.0, best_of_n=BEST_OF_N)
    (slider, button), summary, image, _ = box.children[0].children, *box.children[1:]
    assert slider.description == "beta"
    first_png, first_text = image.value, summary.value
    slider.value = 0.1  # a trained run: redraws at once, trains nothing
    assert image.value != first_png and summary.value != first_text and calls == []
    slider.value = 0.3
    assert "not trained yet" in summary.value
    button.click()  # trains beta = 0.3 and draws it
    assert calls == [0.3] and 0.3 in runs
    assert summary.value.startswith("beta = 0.3, last 5 iterations")


# ---------------------------------------------------------------- notebook 08
def fake_dpo(beta, steps=30):
    drift = 1.0 / beta
    return {
        "chosen_shift": list(-0.1 * drift * np.arange(steps) / steps),
        "rejected_shift": list(-0.3 * drift * np.arange(steps) / steps),
        "gold": 1.0 - 0.1 * drift,
        "kl": 0.2 * drift,
        "accuracy": 0.9,
    }


DPO_RUNS = {0.1: fake_dpo(0.1), 0.5: fake_dpo(0.5)}


def test_dpo_summary_and_figure():
    line = rlhf_plots.dpo_summary(DPO_RUNS, 0.1)
    assert line.startswith("beta = 0.1: implicit reward right on 90% of held-out comparisons")
    assert "gold +0.00, KL to SFT 2.0 nats" in line
    assert "not trained yet" in rlhf_plots.dpo_summary(DPO_RUNS, 0.2)
    fig = rlhf_plots.dpo_figure(DPO_RUNS, beta=0.1, sft_gold=-0.3, extra={"RPO": fake_dpo(0.2)})
    ax_lp, ax_gold = fig.axes[:2]
    widths = {line.get_label(): line.get_linewidth() for line in ax_lp.get_lines()}
    assert widths["DPO, beta=0.1: chosen"] > widths["DPO, beta=0.5: chosen"]
    assert "RPO: chosen" in widths
    point = next(line for line in ax_gold.get_lines() if line.get_label() == "DPO, beta=0.1")
    assert np.allclose(point.get_xdata(), [np.sqrt(2.0)]) and np.allclose(point.get_ydata(), [0.0])
    assert ax_gold.get_title().startswith("every run")  # every beta is on it, not only the slider's
    sizes = {line.get_label(): line.get_markersize() for line in ax_gold.get_lines()}
    assert sizes["DPO, beta=0.1"] > sizes["DPO, beta=0.5"]  # the slider's beta stands out


def test_dpo_errors():
    with pytest.raises(ValueError, match="must hold 'accuracy'"):
        rlhf_plots.dpo_figure(
            {0.1: {"chosen_shift": [1.0], "rejected_shift": [1.0], "gold": 0, "kl": 0}}
        )
    with pytest.raises(ValueError, match="one length"):
        rlhf_plots.dpo_figure({0.1: dict(fake_dpo(0.1), rejected_shift=[1.0])})
    with pytest.raises(ValueError, match="beta must be a number"):
        rlhf_plots.dpo_figure({0.0: fake_dpo(0.1)})


def test_dpo_explorer_redraws_and_trains_on_the_button():
    runs = dict(DPO_RUNS)
    train, calls = recording(fake_dpo)
    box = widgets.dpo_explorer(runs, train, betas=(0.1, 0.2, 0.5), beta=0.1)
    (slider, button), summary, image, _ = box.children[0].children, *box.children[1:]
    assert slider.description == "DPO beta"
    first_png = image.value
    slider.value = 0.5  # trained: redraws at once
    assert image.value != first_png and calls == []
    slider.value = 0.2
    assert "not trained yet" in summary.value
    button.click()
    assert calls == [0.2] and 0.2 in runs and summary.value.startswith("beta = 0.2: implicit")


def test_dpo_explorer_speaks_chinese_in_the_chinese_course():
    lang.set_language("zh")
    try:
        box = widgets.dpo_explorer(dict(DPO_RUNS), fake_dpo, betas=(0.1, 0.2), beta=0.1)
        (_, button), summary = box.children[0].children, box.children[1]
        assert button.description == "用这个 beta 训练 DPO"
        assert summary.value.startswith("beta = 0.1：隐式奖励在 90% 的留出比较上判断正确")
        assert "还没有训练" in rlhf_plots.dpo_summary(DPO_RUNS, 0.2)
    finally:
        lang.set_language(None)


def test_side_by_side_figure():
    fig = rlhf_plots.side_by_side_figure(
        {"DPO, beta = 0.1, 0.5": ([16.0, 2.0], [-1.0, 0.5]), "GRPO": (9.0, 1.0)},
        best_of_n=BEST_OF_N,
        sft_gold=-0.3,
    )
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines()]
    assert "DPO, beta = 0.1, 0.5" in labels and "SFT: gold -0.30" in labels
    dpo = next(line for line in ax.get_lines() if line.get_label() == "DPO, beta = 0.1, 0.5")
    assert np.allclose(dpo.get_xdata(), [4.0, np.sqrt(2.0)]) and np.allclose(
        dpo.get_ydata(), [-1.0, 0.5]
    )
    grpo = next(line for line in ax.get_lines() if line.get_label() == "GRPO")
    assert np.allclose(grpo.get_xdata(), [3.0])
    with pytest.raises(ValueError, match="curves must map"):
        rlhf_plots.side_by_side_figure({})
    with pytest.raises(ValueError, match="of one length"):
        rlhf_plots.side_by_side_figure({"DPO": ([1.0, 2.0], [0.5])})
    with pytest.raises(ValueError, match="finite"):
        rlhf_plots.side_by_side_figure({"DPO": (float("nan"), 0.5)})
