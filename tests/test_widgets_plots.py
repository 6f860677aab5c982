"""The pure functions under the sliders (wherever they live: losses, importance; the bandit's
in tests/test_bandits.py), the
slider widgets themselves (without a browser), and the plot helpers."""

import matplotlib
import numpy as np
import pytest
import torch

from helpers import importance, losses, plots, ppo_plots, widgets

LOGITS = torch.tensor([1.0, 1.0, -0.8])
MEANS = torch.tensor([1.0, 2.0, 3.0])


def test_baseline_figure_changes_with_b_and_checkbox():
    actions, rewards = torch.tensor([0, 1, 0]), torch.tensor([1.0, 2.0, 1.1])
    titles = []
    for b, use in [(0.0, True), (2.0, True), (2.0, False)]:
        fig = plots.baseline_figure(LOGITS, MEANS, 0.3, actions, rewards, b, use)
        assert isinstance(fig, matplotlib.figure.Figure)
        titles.append(tuple(ax.get_title() for ax in fig.axes))
    assert titles[0] != titles[1]
    assert titles[2][1] == titles[0][1]  # unticked: b is ignored, the update is the b = 0 one
    assert titles[2][0].startswith("no baseline")


def test_baseline_explorer_redraws_when_the_slider_moves():
    box = widgets.baseline_explorer(
        LOGITS, MEANS, 0.3, torch.tensor([0, 1]), torch.tensor([1.0, 2.0])
    )
    slider, checkbox = box.children[0].children
    image = box.children[1]
    first = image.value
    assert first[:8] == b"\x89PNG\r\n\x1a\n", "the explorer should draw a PNG when created"
    slider.value = 2.5
    moved = image.value
    assert moved != first
    checkbox.value = False
    assert image.value != moved
    slider.value = 0.0  # b = 0 with the box unticked looks the same as b = 0 ticked
    checkbox.value = True
    assert image.value == first


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: plots.learning_curves({}), "runs must map at least one label"),
        (lambda: plots.learning_curves({"a": []}), r"runs\['a'\] must hold at least one"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_learning_curves_hold_a_stopped_run_at_its_last_value():
    runs = {"a": [([0, 10, 20], [0, 5, 10]), ([0, 10], [0, 15])]}
    fig = plots.learning_curves(runs, target=8)
    mean_line = fig.axes[0].lines[0]
    x, y = mean_line.get_data()
    assert x[0] == 0 and x[-1] == 20  # the mean runs to the longest seed's end
    assert y[-1] == pytest.approx(12.5)  # mean of 10 and the stopped seed's last value, 15
    dotted = [
        line for line in fig.axes[0].lines if line.get_linestyle() == ":" and len(line.get_xdata())
    ]
    assert len(dotted) == 1 and list(dotted[0].get_xdata()) == [10, 20]
    assert list(dotted[0].get_ydata()) == [15, 15]
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "2 seeds" in legend[0] and any("held at its last value" in t for t in legend)


def test_learning_curves_without_hold_cover_the_common_range():
    runs = {"a": [([0, 10, 20], [0, 5, 10]), ([0, 10], [0, 15])]}
    fig = plots.learning_curves(runs, target=8, hold_final=False)
    x, y = fig.axes[0].lines[0].get_data()
    assert x[0] == 0 and x[-1] == 10  # the mean stops where the shorter seed stops
    assert y[-1] == pytest.approx(10.0)  # mean of 5 and 15
    assert not any("held" in t.get_text() for t in fig.axes[0].get_legend().get_texts())


def test_clipped_surrogate_is_flat_outside_the_helpful_side_only():
    ratio = np.array([0.5, 0.9, 1.0, 1.1, 1.5])
    assert np.allclose(losses.clipped_surrogate(ratio, 1.0, 0.2), [0.5, 0.9, 1.0, 1.1, 1.2])
    assert np.allclose(losses.clipped_surrogate(ratio, -1.0, 0.2), [-0.8, -0.9, -1.0, -1.1, -1.5])
    # the same numbers as the loss helper, per sample (the loss is minus the mean)
    lp = torch.log(torch.tensor(ratio, dtype=torch.float32))
    for adv in (1.0, -2.0):
        want = -losses.clipped_surrogate(ratio, adv, 0.2).mean()
        got = losses.ppo_clip_loss(lp, torch.zeros(5), torch.full((5,), adv), 0.2).item()
        assert got == pytest.approx(want, abs=1e-6)


def test_clip_figure_panels_and_explorer_retrain_button():
    fig = ppo_plots.clip_figure(0.2)
    assert len(fig.axes) == 2
    # the shaded flat region (zero gradient) is on the helpful side only: ratio > 1 + eps for
    # A > 0, ratio < 1 - eps for A < 0
    (flat_pos,), (flat_neg,) = (ax.collections[0].get_paths() for ax in fig.axes)
    assert flat_pos.vertices[:, 0].min() >= 1.2 - 0.01
    assert flat_neg.vertices[:, 0].max() <= 0.8 + 0.01
    assert len(ppo_plots.clip_figure(0.2, curves={}).axes) == 3
    calls = []

    def fake_train(epsilon):
        calls.append(epsilon)
        return [0, 1000, 2000], [20.0, 200.0, 480.0]

    box = widgets.clip_explorer(fake_train, clip_coef=0.2)
    slider, button = box.children[0].children
    image = box.children[1]
    first = image.value
    slider.value = 0.5
    assert image.value != first, "moving the slider should redraw the surrogate at once"
    assert calls == [], "moving the slider must not retrain"
    moved = image.value
    button.click()
    assert calls == [0.5] and image.value != moved, "the button retrains with the slider's epsilon"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: losses.clipped_surrogate([1.0], 1.0, -0.1), "clip_coef must be a number"),
        (
            lambda: losses.clipped_surrogate([-1.0], 1.0, 0.2),
            "ratio must hold finite, non-negative",
        ),
        (lambda: losses.clipped_surrogate([1.0], float("nan"), 0.2), "advantage must be a number"),
        (lambda: ppo_plots.clip_figure(1.5), "clip_coef must be a number"),
    ],
)
def test_clip_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def _reuse_results(batches=3, checkpoints=4, level=1.0):
    rng = np.random.default_rng(0)
    return {
        key: level * rng.random((batches, checkpoints))
        for key in ["return", "kl", "approx_kl", "surrogate", "ess"]
    }


def test_reuse_panels_draw_each_objective_on_the_four_panels():
    runs = {"IS": _reuse_results(), "clip": _reuse_results(level=0.5)}
    fig = ppo_plots.reuse_panels(runs, [0, 1, 2, 4])
    assert [ax.get_title() for ax in fig.axes] == [t for _, _, t in ppo_plots.REUSE_PANELS]
    means = [line for line in fig.axes[0].lines if line.get_marker() == "o"]
    assert len(means) == 2  # one mean line per objective
    assert np.allclose(means[1].get_ydata(), runs["clip"]["return"].mean(0))
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["0", "1", "2", "4"]


@pytest.mark.parametrize(
    ("runs", "message"),
    [
        ({}, "runs must map at least one label"),
        (
            {"IS": {"return": np.zeros((2, 3))}},
            r"runs\['IS'\]\['return'\] must be an array \(batches, 4\)",
        ),
    ],
)
def test_reuse_panels_bad_input(runs, message):
    with pytest.raises(ValueError, match=message):
        ppo_plots.reuse_panels(runs, [0, 1, 2, 4])


def test_distance_figure_draws_both_panels_closed():
    import matplotlib.pyplot as plt

    fig = ppo_plots.distance_figure(importance.gaussian_experiment(2.0, n_samples=5))
    assert len(fig.axes) == 3  # densities, their twin axis (weights), histogram
    assert any("wrong sign" in ax.get_title() for ax in fig.axes)
    assert any("distance 2.0" in ax.get_title() for ax in fig.axes)
    assert not plt.fignum_exists(fig.number), "the figure must be closed in pyplot (shown once)"


def test_distance_explorer_redraws_quickly_when_the_slider_moves():
    import time

    box = widgets.distance_explorer(n_samples=10, n_repeats=2000, distance=1.0)
    slider, image = box.children
    assert "distance" in slider.description
    first = image.value
    assert first[:8] == b"\x89PNG\r\n\x1a\n", "the explorer should draw a PNG when created"
    start = time.perf_counter()
    slider.value = 2.5
    elapsed = time.perf_counter() - start
    assert image.value != first, "moving the slider should redraw the figure"
    want = plots.figure_png(
        ppo_plots.distance_figure(importance.gaussian_experiment(2.5, 10, 2000))
    )
    assert image.value == want, "the redraw should show the experiment at the new distance"
    assert elapsed < 2.0, f"one redraw took {elapsed:.2f} s"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ppo_plots.distance_figure({"distance": 1.0}), "result must be the dict"),
        (lambda: widgets.distance_explorer(distance=5.0, max_distance=3.0), "distance"),
        (lambda: widgets.distance_explorer(n_samples=0), "n_samples"),
    ],
)
def test_distance_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
