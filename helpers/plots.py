"""Plots: learning curves with a band over seeds, bar charts of action probabilities, the
panels of the "reuse one batch" experiment (notebooks 05 and 06), the importance-sampling
figure under notebook 05's slider, notebook 07's over-optimisation figure (gold score against
sqrt(KL to the SFT model), after Gao, Schulman and Hilton, 2022, with best-of-n on the same axes,
proxy against gold, and mode collapse), and notebook 08's figures (how DPO moves the
log-probabilities of the chosen and the rejected responses; every method side by side, gold
against sqrt(KL)).

Every function returns the matplotlib Figure, so a notebook shows it by leaving it last in
a cell, and a test can inspect it without a screen. Each figure is closed in pyplot as soon
as it is made, so a notebook shows it exactly once (when returned or displayed) and a
redrawn widget leaks none.
"""

import math

import matplotlib.pyplot as plt
import numpy as np

from helpers import _validate


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


def distance_figure(result, xlim=(-6.0, 4.0)):
    """Two panels for a ``helpers.importance.gaussian_experiment`` result (notebook 05): p, q and one batch of weighted
    samples; and the histogram of all the estimates against the true mean."""
    if not isinstance(result, dict) or "estimates" not in result:
        raise ValueError("result must be the dict returned by importance.gaussian_experiment")
    mu_p, mu_q, n = result["mu_p"], result["mu_q"], result["n_samples"]
    fig, (ax_d, ax_h) = new_figure((11, 3.8), ncols=2)
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
RLHF_RUN_KEYS = ("probe_rm", "probe_gold", "probe_kl", "distinct")
BEST_OF_N_KEYS = ("n", "kl", "rm", "gold")


def _check_rlhf_runs(runs):
    if not isinstance(runs, dict) or not runs:
        raise ValueError("runs must map at least one beta to a PPO log (a dict of lists)")
    for beta, log in runs.items():
        _validate.positive("beta", beta, allow_zero=True)
        for key in RLHF_RUN_KEYS:
            if key not in log or len(log[key]) == 0:
                raise ValueError(f"runs[{beta}] must hold a non-empty list {key!r}")


def _check_best_of_n(best_of_n):
    if best_of_n is None:
        return
    if not isinstance(best_of_n, dict) or any(k not in best_of_n for k in BEST_OF_N_KEYS):
        raise ValueError(f"best_of_n must be a dict of lists {BEST_OF_N_KEYS}")
    if len({len(best_of_n[k]) for k in BEST_OF_N_KEYS}) != 1 or not best_of_n["n"]:
        raise ValueError(f"best_of_n's lists {BEST_OF_N_KEYS} must be non-empty and of one length")


def moving_average(x, k=5):
    """Means of ``k`` consecutive values (fewer at the start, so the result is as long as x)."""
    x = np.asarray(x, dtype=float)
    k = _validate.positive_int("k", k)
    c = np.cumsum(np.insert(x, 0, 0.0))
    starts = np.maximum(np.arange(1, len(x) + 1) - k, 0)
    return (c[1:] - c[starts]) / (np.arange(1, len(x) + 1) - starts)


def sqrt_kl(kl):
    """sqrt(KL) for the x axis; an estimate that came out slightly negative counts as 0."""
    return np.sqrt(np.clip(np.asarray(kl, dtype=float), 0.0, None))


def overoptimization_figure(runs, best_of_n=None, beta=None, sft_gold=None, smooth=5):
    """Notebook 07's PPO runs (``runs`` maps beta to a PPO log, a dict of lists with
    ``RLHF_RUN_KEYS``; ``best_of_n`` a dict of lists with ``BEST_OF_N_KEYS``) in three panels. Left: the gold score against sqrt(KL to SFT) along every run (moving
    averages over ``smooth`` iterations; the run for ``beta`` thick) and for best-of-n.
    Middle: the run for ``beta``, proxy (RM) reward and gold score on the same axes.
    Right: the share of distinct answers per iteration, every run (mode collapse).
    """
    _check_rlhf_runs(runs)
    _check_best_of_n(best_of_n)
    fig, (ax_gold, ax_proxy, ax_dist) = new_figure((15, 4.2), ncols=3)
    for i, b in enumerate(sorted(runs)):
        log, thick = runs[b], b == beta
        kw = {"color": f"C{i}", "linewidth": 2.5 if thick else 1.2, "alpha": 1 if thick else 0.75}
        x = sqrt_kl(moving_average(log["probe_kl"], smooth))
        ax_gold.plot(x, moving_average(log["probe_gold"], smooth), **kw, label=f"PPO, beta={b:g}")
        ax_gold.plot(x[-1:], moving_average(log["probe_gold"], smooth)[-1:], "o", color=kw["color"])
        it = np.arange(1, len(log["distinct"]) + 1)
        ax_dist.plot(it, log["distinct"], **kw, label=f"beta={b:g}")
    if best_of_n is not None:
        x = sqrt_kl(best_of_n["kl"])
        ax_gold.plot(x, best_of_n["gold"], "k--", marker="s", markersize=4, label="best-of-n (SFT)")
        for n, xi, g in zip(best_of_n["n"], x, best_of_n["gold"], strict=True):
            ax_gold.annotate(
                f"n={n}", (xi, g), textcoords="offset points", xytext=(3, -10), fontsize="x-small"
            )
    ax_gold.set_xlabel("sqrt(KL(policy || SFT)), sqrt(nats)")
    ax_gold.set_ylabel("gold score on held-out prompts")
    ax_gold.set_title("over-optimisation: gold against distance from SFT")
    if beta in runs:
        log = runs[beta]
        x = sqrt_kl(moving_average(log["probe_kl"], smooth))
        ax_proxy.plot(
            x, moving_average(log["probe_rm"], smooth), color="tab:blue", label="RM reward (proxy)"
        )
        ax_proxy.plot(
            x,
            moving_average(log["probe_gold"], smooth),
            color="tab:orange",
            label="gold score (the labeler)",
        )
        if best_of_n is not None:
            xb = sqrt_kl(best_of_n["kl"])
            ax_proxy.plot(xb, best_of_n["rm"], ":", color="tab:blue", label="best-of-n: proxy")
            ax_proxy.plot(xb, best_of_n["gold"], ":", color="tab:orange", label="best-of-n: gold")
        ax_proxy.set_title(f"beta = {beta:g}: proxy and gold (held-out prompts)")
        ax_proxy.set_xlabel("sqrt(KL(policy || SFT)), sqrt(nats)")
        ax_proxy.legend(fontsize="x-small")
    else:
        ax_proxy.set_title(
            f"beta = {beta:g}: press the button to train" if beta is not None else ""
        )
    ax_dist.set_xlabel("PPO iteration")
    ax_dist.set_ylabel("share of distinct answers in the rollouts")
    ax_dist.set_ylim(0, 1.05)
    ax_dist.set_title("mode collapse")
    ax_dist.legend(fontsize="x-small")
    if sft_gold is not None:
        for ax in (ax_gold, ax_proxy):
            ax.axhline(sft_gold, color="black", linewidth=0.8, linestyle="-.")
        ax_gold.plot([0.0], [sft_gold], "k*", markersize=10)  # every run starts at SFT: KL 0
        ax_gold.plot(
            [], [], color="black", linewidth=0.8, linestyle="-.", label="gold score of SFT"
        )
    ax_gold.legend(fontsize="x-small")
    for ax in (ax_gold, ax_proxy, ax_dist):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- notebook 08: DPO and GRPO
DPO_KEYS = ("chosen", "rejected", "gold", "kl", "accuracy")


def _check_dpo_runs(runs):
    if not isinstance(runs, dict):
        raise ValueError("runs must map a DPO beta to a run (a dict)")
    for beta, run in runs.items():
        _validate.positive("beta", beta)
        for key in DPO_KEYS:
            if key not in run:
                raise ValueError(f"runs[{beta}] must hold {key!r}")
        if not run["chosen"] or len(run["chosen"]) != len(run["rejected"]):
            raise ValueError(
                f"runs[{beta}]'s 'chosen' and 'rejected' must be non-empty, one length"
            )


def dpo_figure(runs, beta=None, sft_gold=None, extra=None, smooth=10):
    """Two panels. Left: how far log pi(y) - log pi_ref(y) of the chosen (solid) and the
    rejected (dashed) responses moved during training, for every run (moving averages over
    ``smooth`` steps; the run for ``beta`` thick). Right: each run's gold score against
    sqrt(KL to SFT) on held-out prompts. ``runs`` maps beta to a run (``DPO_KEYS``); ``extra``
    maps a label to a run drawn the same way (e.g. DPO with an SFT term)."""
    _check_dpo_runs(runs)
    extra = extra or {}
    fig, (ax_lp, ax_gold) = new_figure((13, 4.2), ncols=2)
    items = [(f"DPO, beta={b:g}", runs[b], b == beta) for b in sorted(runs)]
    items += [(label, run, False) for label, run in extra.items()]
    for i, (label, run, thick) in enumerate(items):
        kw = {"color": f"C{i}", "linewidth": 2.5 if thick else 1.2, "alpha": 1 if thick else 0.7}
        steps = np.arange(1, len(run["chosen"]) + 1)
        ax_lp.plot(steps, moving_average(run["chosen"], smooth), **kw, label=f"{label}: chosen")
        ax_lp.plot(steps, moving_average(run["rejected"], smooth), "--", **kw, label="... rejected")
        ax_gold.plot(
            sqrt_kl([run["kl"]]),
            [run["gold"]],
            "o",
            color=kw["color"],
            markersize=11 if thick else 7,
            label=label,
        )
    ax_lp.axhline(0.0, color="black", linewidth=0.8)
    ax_lp.set_xlabel("DPO step")
    ax_lp.set_ylabel("log pi(y) - log pi_SFT(y), nats")
    ax_lp.set_title("log-probabilities of the chosen and the rejected responses")
    ax_lp.legend(fontsize="x-small", ncol=2)
    if sft_gold is not None:
        ax_gold.plot([0.0], [sft_gold], "k*", markersize=12, label="SFT")
        ax_gold.axhline(sft_gold, color="black", linewidth=0.8, linestyle="-.")
    ax_gold.set_xlabel("sqrt(KL(policy || SFT)), sqrt(nats)")
    ax_gold.set_ylabel("gold score on held-out prompts")
    ax_gold.set_title(f"beta = {beta:g}" if beta is not None else "DPO runs")
    ax_gold.legend(fontsize="x-small")
    for ax in (ax_lp, ax_gold):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def side_by_side_figure(points, best_of_n=None, sft_gold=None):
    """Gold score against sqrt(KL to SFT) on held-out prompts for several methods at once.

    ``points`` maps a label to ``(kl, gold)``; ``best_of_n`` (as in 07) is drawn as a dashed
    line with its n; ``sft_gold`` as a star at KL 0."""
    if not isinstance(points, dict) or not points:
        raise ValueError("points must map at least one label to (kl, gold)")
    _check_best_of_n(best_of_n)
    fig, ax = new_figure((11, 5))
    markers = "os^DvP<>X"
    for i, (label, (kl, gold)) in enumerate(points.items()):
        _validate.number_in(f"points[{label!r}]'s gold", gold, -1e6, 1e6)
        ax.plot(
            sqrt_kl([kl]),
            [gold],
            markers[i % len(markers)],
            color=f"C{i}",
            markersize=10,
            label=f"{label}: gold {gold:+.2f}, KL {kl:.1f}",
        )
    if best_of_n is not None:
        x = sqrt_kl(best_of_n["kl"])
        ax.plot(
            x, best_of_n["gold"], "k--", marker="s", markersize=4, label="best-of-n (RM-ranked)"
        )
        for n, xi, g in zip(best_of_n["n"], x, best_of_n["gold"], strict=True):
            ax.annotate(
                f"n={n}", (xi, g), textcoords="offset points", xytext=(3, -10), fontsize="x-small"
            )
    if sft_gold is not None:
        ax.plot([0.0], [sft_gold], "k*", markersize=14, label=f"SFT: gold {sft_gold:+.2f}")
        ax.axhline(sft_gold, color="black", linewidth=0.8, linestyle="-.")
    ax.set_xlabel("sqrt(KL(policy || SFT)), sqrt(nats)")
    ax.set_ylabel("gold score on held-out prompts")
    ax.set_title("every method on one world: gold against distance from SFT")
    ax.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
