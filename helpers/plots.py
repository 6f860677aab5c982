"""Plots every notebook uses (a new closed figure, its PNG for a widget, learning curves with
a band over seeds) and the figures of notebooks 01-02 (arm probabilities of the bandit, and
the baseline figure under notebook 02's slider). Notebooks 05-06's figures are in
``helpers.ppo_plots``, notebooks 07-08's in ``helpers.rlhf_plots``.

Every function returns the matplotlib Figure, so a notebook shows it by leaving it last in
a cell, and a test can inspect it without a screen. Each figure is closed in pyplot as soon
as it is made, so a notebook shows it exactly once (when returned or displayed) and a
redrawn widget leaks none.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch

from helpers import _validate, bandits


def new_figure(figsize, ncols=1):
    """A figure with ``ncols`` axes, already closed in pyplot (shown only when displayed)."""
    fig, axes = plt.subplots(1, ncols, figsize=figsize)
    plt.close(fig)
    return fig, axes


def figure_png(fig, dpi=90):
    """The figure as PNG bytes (what an ``ipywidgets.Image`` shows)."""
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def learning_curves(
    runs,
    xlabel="environment steps",
    ylabel="mean episode return",
    title=None,
    target=None,
    ax=None,
    points=200,
    hold_final=True,
):
    """Mean over seeds as a line and min-max over seeds as a band, one colour per label.

    ``runs`` maps a label to a list with one ``(x, y)`` pair of sequences per seed (x
    increasing, e.g. environment steps and the mean return at each update). Each seed's own
    curve is drawn as a thin line to its end. Seeds may stop at different x (a run that stops
    once solved): with ``hold_final`` (the default) the mean and band run to the furthest x,
    and a run that stopped earlier counts at its final value from there on (its thin line
    continues dotted at that value, and the legend says so); with ``hold_final=False`` they
    cover only the x that every seed reached.
    """
    if not runs:
        raise ValueError("runs must map at least one label to a list of (x, y) curves")
    fig, ax = (ax.figure, ax) if ax is not None else new_figure((7, 4))
    any_held = False
    for label, curves in runs.items():
        if not curves:
            raise ValueError(f"runs[{label!r}] must hold at least one (x, y) curve")
        curves = [(np.asarray(x, dtype=float), np.asarray(y, dtype=float)) for x, y in curves]
        x_lo = max(x[0] for x, _ in curves)
        x_hi = (max if hold_final else min)(x[-1] for x, _ in curves)
        grid = np.linspace(x_lo, x_hi, points)
        # np.interp holds each curve at its last value beyond its last x
        ys = np.stack([np.interp(grid, x, y) for x, y in curves])  # (seeds, points)
        held = hold_final and len(curves) > 1 and any(x[-1] < x_hi for x, _ in curves)
        any_held |= held
        name = f"{label} ({len(curves)} seed{'s' * (len(curves) > 1)})"
        (line,) = ax.plot(grid, ys.mean(0), linewidth=2, label=name)
        if len(curves) > 1:
            ax.fill_between(
                grid, ys.min(0), ys.max(0), color=line.get_color(), alpha=0.2, linewidth=0
            )
            for x, y in curves:
                ax.plot(x, y, color=line.get_color(), linewidth=0.7, alpha=0.5)
                if held and x[-1] < x_hi:
                    ax.plot([x[-1], x_hi], [y[-1], y[-1]], ":", color=line.get_color(), linewidth=1)
    if any_held:  # one legend entry says what the dotted ends are
        ax.plot([], [], ":", color="grey", label="a run that stopped: held at its last value")
    if target is not None:
        ax.axhline(target, color="grey", linestyle="--", linewidth=1, label=f"target {target}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(loc="best", fontsize="small")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def arm_probabilities(probs, labels=None, title=None, ax=None, best=None):
    """Grouped bars of a policy's arm probabilities: ``probs`` maps a label to (n_arms,)."""
    if not probs:
        raise ValueError("probs must map at least one label to a vector of arm probabilities")
    fig, ax = (ax.figure, ax) if ax is not None else new_figure((5, 3.5))
    n_arms = len(next(iter(probs.values())))
    width = 0.8 / len(probs)
    for i, (label, p) in enumerate(probs.items()):
        ax.bar(
            np.arange(n_arms) + (i - (len(probs) - 1) / 2) * width,
            np.asarray(p, float),
            width,
            label=label,
        )
    ax.set_xticks(np.arange(n_arms), labels or [f"arm {a}" for a in range(n_arms)])
    if best is not None:
        ax.get_xticklabels()[best].set_fontweight("bold")
    ax.set_ylabel("probability")
    ax.set_ylim(0, 1)
    if title:
        ax.set_title(title)
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def baseline_figure(logits, means, noise_std, actions, rewards, b, use_baseline=True, lr=1.0):
    """Two panels: the estimator's variance against b (a dot at the current b), and the arm
    probabilities before and after one update from the batch ``actions, rewards``."""
    b_used = float(b) if use_baseline else 0.0
    logits = _validate.float_tensor("logits", logits, ndim=1)
    means = _validate.float_tensor("means", means, ndim=1)  # shapes checked by the variance
    fig, (ax_var, ax_p) = new_figure((10, 3.6), ncols=2)
    bs = np.linspace(float(means.min()) - 2, float(means.max()) + 2, 200)
    ax_var.plot(
        bs, bandits.bandit_gradient_variance(logits, means, noise_std, bs), color="tab:blue"
    )
    var_now = float(bandits.bandit_gradient_variance(logits, means, noise_std, b_used))
    ax_var.plot([b_used], [var_now], "o", color="tab:red", markersize=9)
    ax_var.set_xlabel("baseline b")
    ax_var.set_ylabel("variance of one-sample gradient")
    label = f"b = {b_used:.2f}" if use_baseline else "no baseline (b = 0)"
    ax_var.set_title(f"{label}: variance {var_now:.2f}")
    ax_var.grid(alpha=0.3)
    before = torch.softmax(logits, 0).numpy()
    after = bandits.bandit_update(logits, actions, rewards, b_used, lr).numpy()
    x = np.arange(len(before))
    ax_p.bar(x - 0.2, before, 0.4, label="before", color="tab:grey")
    ax_p.bar(x + 0.2, after, 0.4, label="after one update", color="tab:orange")
    counts = np.bincount(np.asarray(actions), minlength=len(before))
    ax_p.set_xticks(
        x,
        [
            f"arm {a}\nmean {m:.1f}\nsampled {c}x"
            for a, (m, c) in enumerate(zip(means.tolist(), counts, strict=True))
        ],
    )
    ax_p.set_ylim(0, 1)
    ax_p.set_ylabel("probability")
    ax_p.set_title(f"best arm: {before[-1]:.3f} -> {after[-1]:.3f}")
    ax_p.legend(fontsize="small")
    fig.tight_layout()
    return fig
