"""Figures and summaries of notebooks 07 and 08 (RLHF on the tiny GPT): 07's over-optimisation
figure (gold score against sqrt(KL to the SFT model), after Gao, Schulman and Hilton, 2022, with
best-of-n on the same axes, proxy against gold, and mode collapse), 08's figures (how DPO moves
the log-probabilities of the chosen and the rejected responses; every method side by side, gold
against sqrt(KL)), and the one-line summaries their explorers show under the figure. Each
figure is closed in pyplot (``plots.new_figure``).
"""

import numpy as np

from helpers import _validate, lang, plots

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


def centred_average(x, k=3):
    """Means of ``k`` consecutive values centred on each one (``k`` odd; fewer at both ends,
    so the result is as long as x and no point is shifted to a later iteration)."""
    x = np.asarray(x, dtype=float)
    k = _validate.positive_int("k", k)
    if k % 2 == 0:
        raise ValueError(f"k must be odd (a window centred on each value), got {k}")
    c = np.cumsum(np.insert(x, 0, 0.0))
    i = np.arange(len(x))
    lo, hi = np.maximum(i - k // 2, 0), np.minimum(i + k // 2 + 1, len(x))
    return (c[hi] - c[lo]) / (hi - lo)


def sqrt_kl(kl):
    """sqrt(KL) for the x axis; an estimate that came out slightly negative counts as 0."""
    return np.sqrt(np.clip(np.asarray(kl, dtype=float), 0.0, None))


def overoptimization_figure(runs, best_of_n=None, beta=None, sft_gold=None, smooth=3):
    """Notebook 07's PPO runs (``runs`` maps beta to a PPO log, a dict of lists with
    ``RLHF_RUN_KEYS``; ``best_of_n`` a dict of lists with ``BEST_OF_N_KEYS``) in three panels. Left: the gold score against sqrt(KL to SFT) along every run (centred
    means over ``smooth`` iterations, ``centred_average``; the run for ``beta`` thick) and for best-of-n.
    Middle: the run for ``beta``, proxy (RM) reward and gold score on the same axes.
    Right: the share of distinct answers per iteration, every run (mode collapse).
    """
    _check_rlhf_runs(runs)
    _check_best_of_n(best_of_n)
    fig, (ax_gold, ax_proxy, ax_dist) = plots.new_figure((15, 4.2), ncols=3)
    for i, b in enumerate(sorted(runs)):
        log, thick = runs[b], b == beta
        kw = {"color": f"C{i}", "linewidth": 2.5 if thick else 1.2, "alpha": 1 if thick else 0.75}
        x = sqrt_kl(centred_average(log["probe_kl"], smooth))
        gold = centred_average(log["probe_gold"], smooth)
        ax_gold.plot(x, gold, **kw, label=f"PPO, beta={b:g}")
        ax_gold.plot(x[-1:], gold[-1:], "o", color=kw["color"])
        it = np.arange(1, len(log["distinct"]) + 1)
        ax_dist.plot(it, log["distinct"], **kw, label=f"beta={b:g}")
    if best_of_n is not None:
        x = sqrt_kl(best_of_n["kl"])
        label = "best-of-n (SFT; KL at most)"
        ax_gold.plot(x, best_of_n["gold"], "k--", marker="s", markersize=4, label=label)
        for n, xi, g in zip(best_of_n["n"], x, best_of_n["gold"], strict=True):
            ax_gold.annotate(
                f"n={n}", (xi, g), textcoords="offset points", xytext=(3, -10), fontsize="x-small"
            )
    ax_gold.set_xlabel("sqrt(KL(policy || SFT)), sqrt(nats)")
    ax_gold.set_ylabel("gold score on held-out prompts")
    ax_gold.set_title("over-optimisation: gold against distance from SFT")
    if beta in runs:
        log = runs[beta]
        x = sqrt_kl(centred_average(log["probe_kl"], smooth))
        rm, gold = (
            centred_average(log["probe_rm"], smooth),
            centred_average(log["probe_gold"], smooth),
        )
        ax_proxy.plot(x, rm, color="tab:blue", label="RM reward (proxy; normalised on SFT)")
        ax_proxy.plot(x, gold, color="tab:orange", label="gold score (labeler points)")
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

DPO_KEYS = ("chosen_shift", "rejected_shift", "gold", "kl", "accuracy")


def _check_dpo_runs(runs):
    if not isinstance(runs, dict):
        raise ValueError("runs must map a DPO beta to a run (a dict)")
    for beta, run in runs.items():
        _validate.positive("beta", beta)
        for key in DPO_KEYS:
            if key not in run:
                raise ValueError(f"runs[{beta}] must hold {key!r}")
        if not run["chosen_shift"] or len(run["chosen_shift"]) != len(run["rejected_shift"]):
            raise ValueError(
                f"runs[{beta}]'s 'chosen_shift' and 'rejected_shift' must be non-empty, one length"
            )


def dpo_figure(runs, beta=None, sft_gold=None, extra=None, smooth=10):
    """Two panels. Left: how far log pi(y) - log pi_ref(y) of the chosen (solid) and the
    rejected (dashed) responses moved during training (a run's ``chosen_shift`` and
    ``rejected_shift``, one number per step), for every run (moving averages over
    ``smooth`` steps; the run for ``beta`` thick). Right: each run's gold score against
    sqrt(KL to SFT) on held-out prompts. ``runs`` maps beta to a run (``DPO_KEYS``); ``extra``
    maps a label to a run drawn the same way (e.g. DPO with an SFT term)."""
    _check_dpo_runs(runs)
    extra = extra or {}
    fig, (ax_lp, ax_gold) = plots.new_figure((13, 4.2), ncols=2)
    items = [(f"DPO, beta={b:g}", runs[b], b == beta) for b in sorted(runs)]
    items += [(label, run, False) for label, run in extra.items()]
    for i, (label, run, thick) in enumerate(items):
        kw = {"color": f"C{i}", "linewidth": 2.5 if thick else 1.2, "alpha": 1 if thick else 0.7}
        steps = np.arange(1, len(run["chosen_shift"]) + 1)
        chosen, rejected = (
            moving_average(run[k], smooth) for k in ("chosen_shift", "rejected_shift")
        )
        ax_lp.plot(steps, chosen, **kw, label=f"{label}: chosen")
        ax_lp.plot(steps, rejected, "--", **kw, label="... rejected")
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
    ax_lp.set_ylabel("log pi(y) - log pi_ref(y), nats")
    ax_lp.set_title("log-probabilities of the chosen and the rejected responses")
    ax_lp.legend(fontsize="x-small", ncol=2)
    if sft_gold is not None:
        ax_gold.plot([0.0], [sft_gold], "k*", markersize=12, label="SFT")
        ax_gold.axhline(sft_gold, color="black", linewidth=0.8, linestyle="-.")
    ax_gold.set_xlabel("sqrt(KL(policy || SFT)), sqrt(nats)")
    ax_gold.set_ylabel("gold score on held-out prompts")
    ax_gold.set_title("every run: gold against distance from SFT (held-out prompts)")
    ax_gold.legend(fontsize="x-small")
    for ax in (ax_lp, ax_gold):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def side_by_side_figure(curves, best_of_n=None, sft_gold=None):
    """Gold score against sqrt(KL to SFT) on held-out prompts for several methods at once.

    ``curves`` maps a label to ``(kl, gold)``: two numbers (one point) or two sequences of one
    length (a method's frontier: checkpoints along one run, or one run per beta), drawn as a line
    through its points with its last point large; ``best_of_n`` (as in 07) is drawn as a dashed
    line with its n; ``sft_gold`` as a star at KL 0."""
    if not isinstance(curves, dict) or not curves:
        raise ValueError("curves must map at least one label to (kl, gold)")
    _check_best_of_n(best_of_n)
    fig, ax = plots.new_figure((11, 5))
    markers = "os^DvP<>X"
    for i, (label, pair) in enumerate(curves.items()):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"curves[{label!r}] must be a pair (kl, gold)")
        kl, gold = (np.atleast_1d(np.asarray(v, dtype=float)) for v in pair)
        if kl.ndim != 1 or kl.shape != gold.shape or len(kl) == 0:
            raise ValueError(
                f"curves[{label!r}] must hold kl and gold of one length, got {kl.shape}, {gold.shape}"
            )
        if not (np.isfinite(kl).all() and np.isfinite(gold).all()):
            raise ValueError(f"curves[{label!r}] must hold finite numbers")
        x, marker, color = sqrt_kl(kl), markers[i % len(markers)], f"C{i}"
        ax.plot(x, gold, "-", marker=marker, color=color, markersize=4, alpha=0.8, label=label)
        ax.plot(x[-1:], gold[-1:], marker, color=color, markersize=10)
    if best_of_n is not None:
        x = sqrt_kl(best_of_n["kl"])
        ax.plot(
            x, best_of_n["gold"], "k--", marker="s", markersize=4, label="best-of-n (KL at most)"
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


# The summary lines under the explorers, by short id (their Chinese text is in helpers/zh.py).
SUMMARIES = {
    "ppo_not_trained": "beta = {beta:g}: not trained yet; press the button to train PPO with it.",
    "ppo_summary": (
        "beta = {beta:g}, last 5 iterations on held-out prompts: RM reward {rm:+.2f}, gold score "
        "{gold:+.2f}, KL to the SFT model {kl:.1f} nats; distinct answers in its rollouts "
        "{distinct:.0%}"
    ),
    "dpo_not_trained": "beta = {beta:g}: not trained yet; press the button to train DPO with it.",
    "dpo_summary": (
        "beta = {beta:g}: implicit reward right on {accuracy:.0%} of held-out comparisons; "
        "log-prob change of the chosen {chosen:+.1f}, of the rejected {rejected:+.1f} nats; "
        "gold {gold:+.2f}, KL to SFT {kl:.1f} nats"
    ),
}


def run_summary(runs, beta):
    """One line about the run with this ``beta``: its last iterations' proxy (RM) reward,
    gold score and KL on the held-out probe, and its distinct answers, or how to get it."""
    beta = _validate.positive("beta", beta, allow_zero=True)
    if beta not in runs:
        return lang.text(SUMMARIES, "ppo_not_trained", beta=beta)
    last = {k: float(np.mean(runs[beta][k][-5:])) for k in RLHF_RUN_KEYS}
    return lang.text(
        SUMMARIES,
        "ppo_summary",
        beta=beta,
        rm=last["probe_rm"],
        gold=last["probe_gold"],
        kl=last["probe_kl"],
        distinct=last["distinct"],
    )


def dpo_summary(runs, beta):
    """One line about notebook 08's DPO run with this ``beta`` (a run holds
    ``DPO_KEYS``), or how to get it."""
    beta = _validate.positive("beta", beta)
    if beta not in runs:
        return lang.text(SUMMARIES, "dpo_not_trained", beta=beta)
    run = runs[beta]
    return lang.text(
        SUMMARIES,
        "dpo_summary",
        beta=beta,
        accuracy=run["accuracy"],
        chosen=run["chosen_shift"][-1],
        rejected=run["rejected_shift"][-1],
        gold=run["gold"],
        kl=run["kl"],
    )
