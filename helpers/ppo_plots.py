"""Figures of notebooks 05 and 06 (off-policy reuse and PPO): the panels of the "reuse one
batch" experiment, the importance-sampling figure under notebook 05's slider, and PPO's clipped
surrogate against the ratio under notebook 06's slider. Each returns the matplotlib Figure,
closed in pyplot (``plots.new_figure``).
"""

import math

import matplotlib.pyplot as plt
import numpy as np

from helpers import _validate, losses, plots

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
    checkpoints = list(checkpoints)
    _check_reuse_runs(runs, len(checkpoints))
    fig, axes = plots.new_figure((17, 4), ncols=4)
    xs = np.arange(len(checkpoints))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    crosses = [
        _draw_reuse_run(axes, xs, label, res, colors[i % len(colors)])
        for i, (label, res) in enumerate(runs.items())
    ]
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
    crosses = [c for c in crosses if c is not None]
    if crosses:  # one entry: what the crosses are
        axes[1].legend(handles=crosses[-1:], fontsize="x-small", loc="upper left")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _check_reuse_runs(runs, n_checkpoints):
    if not runs:
        raise ValueError("runs must map at least one label to the experiment's results")
    for label, res in runs.items():
        for key, _, _ in REUSE_PANELS:
            shape = np.shape(res.get(key)) if isinstance(res, dict) else ()
            if len(shape) != 2 or shape[1] != n_checkpoints:
                raise ValueError(
                    f"runs[{label!r}][{key!r}] must be an array (batches, {n_checkpoints}), got shape {shape}"
                )


def _draw_reuse_run(axes, xs, label, res, color):
    """One objective's lines on the four panels: each batch thin, their mean thick; its
    ``approx_kl`` as crosses on the KL panel, returned (None where it has none)."""
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
    if "approx_kl" not in res:
        return None
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
    return cross


def distance_figure(result, xlim=(-6.0, 4.0)):
    """Two panels for a ``helpers.importance.gaussian_experiment`` result (notebook 05): p, q and one batch of weighted
    samples; and the histogram of all the estimates against the true mean."""
    if not isinstance(result, dict) or "estimates" not in result:
        raise ValueError("result must be the dict returned by importance.gaussian_experiment")
    mu_p, mu_q, n = result["mu_p"], result["mu_q"], result["n_samples"]
    fig, (ax_d, ax_h) = plots.new_figure((11, 3.8), ncols=2)
    grid = np.linspace(min(mu_p, mu_q) - 4, max(mu_p, mu_q) + 4, 400)
    for mu, name, color in ((mu_p, "p (target)", "tab:blue"), (mu_q, "q (sampler)", "tab:orange")):
        ax_d.plot(
            grid,
            np.exp(-0.5 * (grid - mu) ** 2) / math.sqrt(2 * math.pi),
            color=color,
            label=f"{name} = N({mu:.1f}, 1)",
        )
    ax_d.axvline(0, color="grey", linewidth=0.8)
    ax_d.set_xlabel("x   (f(x) = x: negative left of 0, positive right of it)")
    ax_d.set_ylabel("density")
    ax_w = ax_d.twinx()
    ax_w.vlines(result["samples"], 0, result["weights"], color="tab:green", linewidth=2)
    ax_w.plot(
        result["samples"],
        result["weights"],
        "o",
        color="tab:green",
        label=f"one batch of {n} samples of q,\nheight = weight p/q",
    )
    ax_w.set_ylim(0, 1.6 * max(1.0, float(result["weights"].max())))  # room for the legend
    ax_d.set_ylim(0, 0.62)
    ax_w.set_ylabel("weight p(x)/q(x)", color="tab:green")
    lines = ax_d.get_legend_handles_labels()
    extra = ax_w.get_legend_handles_labels()
    ax_d.legend(lines[0] + extra[0], lines[1] + extra[1], fontsize="small", loc="upper left")
    ax_d.set_title(f"p-q distance {result['distance']:.1f}")

    est = result["estimates"]
    lo, hi = xlim
    outside = int(((est < lo) | (est > hi)).sum())
    ax_h.hist(np.clip(est, lo, hi), bins=np.linspace(lo, hi, 61), color="tab:purple", alpha=0.8)
    ax_h.axvline(result["true_mean"], color="black", linestyle="--", label=f"E_p[f] = {mu_p:g}")
    ax_h.axvline(0, color="grey", linewidth=0.8)
    ax_h.set_xlim(lo, hi)
    ax_h.set_xlabel(f"estimate from {n} samples (values beyond the axis piled at its ends)")
    ax_h.set_ylabel(f"count of {len(est)} estimates")
    ax_h.set_title(
        f"std {result['std_empirical']:.2f} (theory {result['std_theory']:.3g}), "
        f"wrong sign {100 * result['wrong_sign']:.0f}%, {outside} off-axis"
    )
    ax_h.legend(fontsize="small", loc="upper left")
    # a fixed layout (tight_layout costs more than the rest of a redraw)
    fig.subplots_adjust(left=0.06, right=0.98, bottom=0.14, top=0.91, wspace=0.3)
    return fig


# ------------------------------------------------------------------ notebook 07's PPO runs


def clip_figure(clip_coef, curves=None, target=475):
    """The clipped surrogate against the ratio for A = +1 and A = -1 at ``clip_coef``, and,
    unless ``curves`` is None, a third panel of learning curves ``{label: (x, y)}`` from runs
    trained with chosen epsilons."""
    clip_coef = _validate.number_in("clip_coef", clip_coef, 0.0, 1.0)
    fig, axes = plots.new_figure(
        (12, 3.4) if curves is not None else (8.5, 3.4), ncols=3 if curves is not None else 2
    )
    ratio = np.linspace(0.0, 2.0, 401)
    for ax, adv in zip(axes[:2], (1.0, -1.0), strict=True):
        ax.plot(ratio, ratio * adv, "--", color="grey", label="ratio x A (unclipped)")
        ax.plot(
            ratio,
            losses.clipped_surrogate(ratio, adv, clip_coef),
            color="tab:blue",
            linewidth=2.5,
            label="min(ratio A, clip(ratio) A)",
        )
        flat = (ratio > 1 + clip_coef) if adv > 0 else (ratio < 1 - clip_coef)
        ax.fill_between(
            ratio, -2.2, 2.2, where=flat, color="tab:red", alpha=0.1, label="flat: zero gradient"
        )
        ax.axvline(1.0, color="black", linewidth=0.5)
        ax.set_ylim(-2.2, 2.2)
        ax.set_xlabel("ratio pi / pi_old")
        ax.set_title(f"A {'> 0' if adv > 0 else '< 0'}, epsilon = {clip_coef:.2f}")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("objective (to maximise)")
    axes[0].legend(fontsize="x-small", loc="upper left")
    if curves is None:
        fig.tight_layout()
        return fig
    ax = axes[2]
    for label, (x, y) in curves.items():
        ax.plot(x, y, label=label)
    ax.axhline(target, color="grey", linestyle="--", linewidth=1)
    ax.set_xlabel("environment steps")
    ax.set_ylabel("mean return (last 20 episodes)")
    ax.set_title("retrained with the chosen epsilon" if curves else "press 'retrain' to add a run")
    if curves:
        ax.legend(fontsize="x-small")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
