"""Plots: learning curves with a band over seeds, bar charts of action probabilities, and the
panels of the "reuse one batch" experiment (notebooks 05 and 06).

Every function returns the matplotlib Figure, so a notebook shows it by leaving it last in
a cell, and a test can inspect it without a screen. Each figure is closed in pyplot as soon
as it is made, so a notebook shows it exactly once (when returned or displayed) and a
redrawn widget leaks none.
"""

import matplotlib.pyplot as plt
import numpy as np


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


REUSE_PANELS = [
    ("return", "mean return of pi_theta", "the real return"),
    ("kl", "KL(pi_old || pi_theta)", "the distance from pi_old"),
    ("surrogate", "mean(ratio * A)", "what the update believes"),
    ("ess", "effective sample size / batch size", "how many samples still count"),
]


def reuse_panels(runs, checkpoints, title=None):
    """Four panels of the "reuse one batch" experiment: return, KL(pi_old || pi_theta) (with the
    sample estimate ``approx_kl`` dotted, where given), surrogate and effective sample size,
    against the number of updates on the same batch.

    ``runs`` maps a label (an objective) to a dict of arrays of shape (batches, checkpoints)
    under the keys ``"return"``, ``"kl"``, ``"surrogate"``, ``"ess"`` (and optionally
    ``"approx_kl"``); ``checkpoints`` lists the numbers of updates. Each batch is a thin line,
    the mean over batches a thick one; the dashed grey line is pi_old's return (at 0 updates).
    """
    if not runs:
        raise ValueError("runs must map at least one label to the experiment's results")
    checkpoints = list(checkpoints)
    for label, res in runs.items():
        for key, _, _ in REUSE_PANELS:
            shape = np.shape(res.get(key)) if isinstance(res, dict) else ()
            if len(shape) != 2 or shape[1] != len(checkpoints):
                raise ValueError(
                    f"runs[{label!r}][{key!r}] must be an array (batches, {len(checkpoints)}), got shape {shape}"
                )
    fig, axes = new_figure((17, 4), ncols=4)
    xs = np.arange(len(checkpoints))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (label, res) in enumerate(runs.items()):
        color = colors[i % len(colors)]
        for ax, (key, _, _) in zip(axes, REUSE_PANELS, strict=True):
            values = np.asarray(res[key], dtype=float)
            for curve in values:
                ax.plot(xs, curve, color=color, alpha=0.25, linewidth=1)
            ax.plot(
                xs,
                values.mean(0),
                "o-",
                color=color,
                linewidth=2,
                label=f"{label} (mean of {len(values)} batches)",
            )
        if "approx_kl" in res:
            (cross,) = axes[1].plot(
                xs,
                np.asarray(res["approx_kl"], float).mean(0),
                "x",
                color=color,
                markersize=8,
                markeredgewidth=2,
                zorder=3,
                label="crosses: approx_kl (k3), the sample estimate",
            )
    first = next(iter(runs.values()))
    axes[0].axhline(
        np.asarray(first["return"], float)[:, 0].mean(),
        color="grey",
        linestyle="--",
        label="pi_old",
    )
    for ax, (_, ylabel, panel_title) in zip(axes, REUSE_PANELS, strict=True):
        ax.set_xticks(xs, [str(k) for k in checkpoints])
        ax.set_xlabel("updates on the same batch")
        ax.set_ylabel(ylabel)
        ax.set_title(panel_title)
        ax.grid(alpha=0.3)
    axes[1].set_yscale("symlog", linthresh=1e-3)
    axes[1].set_ylim(bottom=0)
    axes[0].legend(fontsize="x-small", loc="best")
    if any("approx_kl" in res for res in runs.values()):  # one entry: what the crosses are
        axes[1].legend(handles=[cross], fontsize="x-small", loc="upper left")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
