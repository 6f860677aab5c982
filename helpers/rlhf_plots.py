"""Figures of notebook 07's PPO runs: the over-optimisation curve (gold score against
sqrt(KL to the SFT model), after Gao, Schulman and Hilton, 2022) with best-of-n on the same
axes, proxy against gold, mode collapse, and the beta explorer that redraws them.

A run's log (what ``train_ppo`` in notebook 07 returns) is a dict of lists, one entry per
PPO iteration: ``rm``, ``gold``, ``kl``, ``entropy``, ``distinct`` on the rollouts
(training prompts), and ``probe_rm``, ``probe_gold``, ``probe_kl`` on a probe of held-out
prompts that PPO never trains on.
"""

import numpy as np

from helpers import _validate, lang, plots, widgets

RUN_KEYS = ("probe_rm", "probe_gold", "probe_kl", "distinct")
BEST_OF_N_KEYS = ("n", "kl", "rm", "gold")


def _check_runs(runs):
    if not isinstance(runs, dict) or not runs:
        raise ValueError("runs must map at least one beta to a PPO log (a dict of lists)")
    for beta, log in runs.items():
        _validate.positive("beta", beta, allow_zero=True)
        for key in RUN_KEYS:
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


def run_summary(runs, beta):
    """One line about the run with this ``beta``: its last iterations' proxy (RM) reward,
    gold score and KL on the held-out probe, and its distinct answers, or how to get it."""
    beta = _validate.positive("beta", beta, allow_zero=True)
    if beta not in runs:
        return lang.pick(
            f"beta = {beta:g}: not trained yet; press the button to train PPO with it.",
            f"beta = {beta:g}：还没有训练；按下按钮，用它训练 PPO。",
        )
    last = {k: float(np.mean(runs[beta][k][-5:])) for k in RUN_KEYS}
    return lang.pick(
        f"beta = {beta:g}, last 5 iterations on held-out prompts: RM reward "
        f"{last['probe_rm']:+.2f}, gold score {last['probe_gold']:+.2f}, KL to the SFT model "
        f"{last['probe_kl']:.1f} nats; distinct answers in its rollouts {last['distinct']:.0%}",
        f"beta = {beta:g}，最近 5 次迭代（留出的提示）：奖励模型(RM)奖励 {last['probe_rm']:+.2f}，"
        f"金标准(gold)得分 {last['probe_gold']:+.2f}，与 SFT 模型的 KL散度 {last['probe_kl']:.1f} nats；"
        f"其采样中不同回答的比例 {last['distinct']:.0%}",
    )


def overoptimization_figure(runs, best_of_n=None, beta=None, sft_gold=None, smooth=5):
    """Three panels. Left: the gold score against sqrt(KL to SFT) along every run (moving
    averages over ``smooth`` iterations; the run for ``beta`` thick) and for best-of-n.
    Middle: the run for ``beta``, proxy (RM) reward and gold score on the same axes.
    Right: the share of distinct answers per iteration, every run (mode collapse).
    """
    _check_runs(runs)
    _check_best_of_n(best_of_n)
    fig, (ax_gold, ax_proxy, ax_dist) = plots.new_figure((15, 4.2), ncols=3)
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


def beta_explorer(
    runs, train, betas=(0.0, 0.03, 0.1, 0.3, 1.0), beta=0.0, best_of_n=None, sft_gold=None
):
    """A "beta" slider that redraws :func:`overoptimization_figure` for runs already trained,
    and a button that calls ``train(beta)`` (which returns a PPO log) and adds it to ``runs``."""
    import ipywidgets as W

    _check_runs(runs)
    _check_best_of_n(best_of_n)
    betas = sorted(set(betas) | set(runs))
    slider = W.SelectionSlider(
        options=betas,
        value=beta if beta in betas else betas[0],
        description="beta",
        continuous_update=False,
    )
    button = W.Button(
        description=lang.pick("train PPO with this beta", "用这个 beta 训练 PPO"),
        icon="play",
        layout=W.Layout(width="220px"),
    )
    summary = W.Label()
    image = W.Image(format="png")
    log = W.Output()

    def redraw(_=None):
        summary.value = run_summary(runs, slider.value)
        fig = overoptimization_figure(runs, best_of_n, slider.value, sft_gold)
        image.value = plots.figure_png(fig)

    def retrain():
        runs[slider.value] = train(slider.value)

    slider.observe(redraw, names="value")
    widgets.train_on_click(button, log, retrain, redraw)
    redraw()
    return W.VBox([W.HBox([slider, button]), summary, image, log])
