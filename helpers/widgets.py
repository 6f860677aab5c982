"""Slider explorers for the notebooks, each a thin ipywidgets layer over pure functions.

Every explorer is built one way: its controls, an ``ipywidgets.Image`` holding the figure's PNG
(``plots.figure_png``), and a ``redraw`` observed on the controls, so a test can move a
control and see the image change without a browser. The figures are made here or in
``helpers.plots``, always closed in pyplot (``plots.new_figure``); the maths they draw lives
with what it is about (``bandits.bandit_update``, ``bandits.bandit_gradient_variance``,
``losses.clipped_surrogate``, ``importance.gaussian_experiment``).
"""

import numpy as np
import torch

from helpers import _validate, bandits, importance, lang, losses, plots


def baseline_figure(logits, means, noise_std, actions, rewards, b, use_baseline=True, lr=1.0):
    """Two panels: the estimator's variance against b (a dot at the current b), and the arm
    probabilities before and after one update from the batch ``actions, rewards``."""
    b_used = float(b) if use_baseline else 0.0
    logits = _validate.float_tensor("logits", logits, ndim=1)
    means = _validate.float_tensor("means", means, ndim=1)  # shapes checked by the variance
    fig, (ax_var, ax_p) = plots.new_figure((10, 3.6), ncols=2)
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


def baseline_explorer(logits, means, noise_std, actions, rewards, lr=1.0):
    """A slider for b and a checkbox for using it, redrawing :func:`baseline_figure`.

    The figure is an ``ipywidgets.Image`` whose PNG bytes change with every redraw, so the
    same widget can be checked in a test without a browser.
    """
    import ipywidgets as W

    means_t = _validate.float_tensor("means", means, ndim=1)
    b_slider = W.FloatSlider(
        value=0.0,
        min=float(means_t.min()) - 2,
        max=float(means_t.max()) + 2,
        step=0.1,
        description=lang.pick("baseline b", "基线 b"),
        continuous_update=False,
    )
    use = W.Checkbox(value=True, description=lang.pick("subtract b", "减去 b"))
    image = W.Image(format="png")

    def redraw(_=None):
        fig = baseline_figure(
            logits, means, noise_std, actions, rewards, b_slider.value, use.value, lr
        )
        image.value = plots.figure_png(fig)

    b_slider.observe(redraw, names="value")
    use.observe(redraw, names="value")
    redraw()
    return W.VBox([W.HBox([b_slider, use]), image])


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


def train_on_click(button, log, train, after):
    """Make ``button`` call ``train()`` (its printout and progress bars go to the Output widget
    ``log``; the button is disabled meanwhile, so a second click cannot start a second run),
    then ``after()``, e.g. a redraw."""

    def clicked(_):
        button.disabled = True
        try:
            with log:
                log.clear_output()
                train()
        finally:
            button.disabled = False
        after()

    button.on_click(clicked)


def clip_explorer(train, clip_coef=0.2):
    """A slider for PPO's clip epsilon that redraws :func:`clip_figure` at once, and a button
    that calls ``train(clip_coef)`` (which returns a learning curve ``(x, y)``) and adds it."""
    import ipywidgets as W

    slider = W.FloatSlider(
        value=clip_coef,
        min=0.02,
        max=0.8,
        step=0.02,
        description=lang.pick("clip epsilon", "裁剪 epsilon"),
        continuous_update=False,
        style={"description_width": "initial"},
    )
    button = W.Button(
        description=lang.pick("retrain with this epsilon", "用这个 epsilon 重新训练"), icon="play"
    )
    image = W.Image(format="png")
    log = W.Output()
    curves = {}

    def redraw(_=None):
        image.value = plots.figure_png(clip_figure(slider.value, curves))

    def retrain():
        curves[f"epsilon = {slider.value:.2f}"] = train(slider.value)

    slider.observe(redraw, names="value")
    train_on_click(button, log, retrain, redraw)
    redraw()
    return W.VBox([W.HBox([slider, button]), image, log])


def distance_explorer(
    n_samples=10, n_repeats=2000, mu_p=-1.0, seed=0, distance=1.0, max_distance=3.0
):
    """A slider for the p-q distance of notebook 05's importance-sampling experiment
    (``importance.gaussian_experiment``), redrawing ``plots.distance_figure``."""
    import ipywidgets as W

    max_distance = _validate.number_in("max_distance", max_distance, 0.1, 10.0)
    distance = _validate.number_in("distance", distance, 0.0, max_distance)
    slider = W.FloatSlider(
        value=distance,
        min=0.0,
        max=max_distance,
        step=0.1,
        description=lang.pick("p-q distance", "p 与 q 的距离"),
        continuous_update=False,
        style={"description_width": "initial"},
    )
    image = W.Image(format="png")

    def redraw(_=None):
        result = importance.gaussian_experiment(slider.value, n_samples, n_repeats, mu_p, seed)
        image.value = plots.figure_png(plots.distance_figure(result))

    slider.observe(redraw, names="value")
    redraw()  # the first drawing also checks the arguments, before the explorer is returned
    return W.VBox([slider, image])


def run_summary(runs, beta):
    """One line about the run with this ``beta``: its last iterations' proxy (RM) reward,
    gold score and KL on the held-out probe, and its distinct answers, or how to get it."""
    beta = _validate.positive("beta", beta, allow_zero=True)
    if beta not in runs:
        return lang.pick(
            f"beta = {beta:g}: not trained yet; press the button to train PPO with it.",
            f"beta = {beta:g}：还没有训练；按下按钮，用它训练 PPO。",
        )
    last = {k: float(np.mean(runs[beta][k][-5:])) for k in plots.RLHF_RUN_KEYS}
    return lang.pick(
        f"beta = {beta:g}, last 5 iterations on held-out prompts: RM reward "
        f"{last['probe_rm']:+.2f}, gold score {last['probe_gold']:+.2f}, KL to the SFT model "
        f"{last['probe_kl']:.1f} nats; distinct answers in its rollouts {last['distinct']:.0%}",
        f"beta = {beta:g}，最近 5 次迭代（留出的提示）：奖励模型(RM)奖励 {last['probe_rm']:+.2f}，"
        f"金标准(gold)得分 {last['probe_gold']:+.2f}，与 SFT 模型的 KL散度 {last['probe_kl']:.1f} nats；"
        f"其采样中不同回答的比例 {last['distinct']:.0%}",
    )


def _runs_explorer(
    runs, train, betas, beta, description, button_text, figure, summary, **slider_style
):
    """The slider of runs already trained (redrawn at once with ``figure(beta)`` and
    ``summary(beta)``) and the button that calls ``train(beta)`` and adds its run to ``runs``:
    the one body of notebook 07's and notebook 08's explorers."""
    import ipywidgets as W

    betas = sorted(set(betas) | set(runs))
    slider = W.SelectionSlider(
        options=betas,
        value=beta if beta in betas else betas[0],
        description=description,
        continuous_update=False,
        **slider_style,
    )
    button = W.Button(description=button_text, icon="play", layout=W.Layout(width="220px"))
    label = W.Label()
    image = W.Image(format="png")
    log = W.Output()

    def redraw(_=None):  # the figure first: it checks the runs
        fig = figure(slider.value)
        label.value = summary(slider.value)
        image.value = plots.figure_png(fig)

    def retrain():
        runs[slider.value] = train(slider.value)

    slider.observe(redraw, names="value")
    train_on_click(button, log, retrain, redraw)
    redraw()
    return W.VBox([W.HBox([slider, button]), label, image, log])


def beta_explorer(
    runs, train, betas=(0.0, 0.03, 0.1, 0.3, 1.0), beta=0.0, best_of_n=None, sft_gold=None
):
    """Notebook 07's "beta" slider that redraws ``plots.overoptimization_figure`` for runs already trained,
    and a button that calls ``train(beta)`` (which returns a PPO log) and adds it to ``runs``."""
    return _runs_explorer(
        runs,
        train,
        betas,
        beta,
        "beta",
        lang.pick("train PPO with this beta", "用这个 beta 训练 PPO"),
        lambda b: plots.overoptimization_figure(runs, best_of_n, b, sft_gold),
        lambda b: run_summary(runs, b),
    )


def dpo_summary(runs, beta):
    """One line about notebook 08's DPO run with this ``beta`` (a run holds
    ``plots.DPO_KEYS``), or how to get it."""
    beta = _validate.positive("beta", beta)
    if beta not in runs:
        return lang.pick(
            f"beta = {beta:g}: not trained yet; press the button to train DPO with it.",
            f"beta = {beta:g}：还没有训练；按下按钮，用它训练 DPO。",
        )
    run = runs[beta]
    return lang.pick(
        f"beta = {beta:g}: implicit reward right on {run['accuracy']:.0%} of held-out comparisons; "
        f"log-prob change of the chosen {run['chosen'][-1]:+.1f}, of the rejected "
        f"{run['rejected'][-1]:+.1f} nats; gold {run['gold']:+.2f}, KL to SFT {run['kl']:.1f} nats",
        f"beta = {beta:g}：隐式奖励在 {run['accuracy']:.0%} 的留出比较上判断正确；"
        f"被选中回答的对数概率变化 {run['chosen'][-1]:+.1f} nats，被拒绝回答的 "
        f"{run['rejected'][-1]:+.1f} nats；金标准(gold)得分 {run['gold']:+.2f}，"
        f"与 SFT 的 KL散度 {run['kl']:.1f} nats",
    )


def dpo_explorer(
    runs, train, betas=(0.05, 0.1, 0.2, 0.5, 1.0), beta=0.1, sft_gold=None, extra=None
):
    """Notebook 08's DPO "beta" slider that redraws ``plots.dpo_figure`` at once for runs already
    trained, and a button that calls ``train(beta)`` (which returns a run) and adds it to ``runs``."""
    return _runs_explorer(
        runs,
        train,
        betas,
        beta,
        "DPO beta",
        lang.pick("train DPO with this beta", "用这个 beta 训练 DPO"),
        lambda b: plots.dpo_figure(runs, b, sft_gold, extra),
        lambda b: dpo_summary(runs, b),
        style={"description_width": "initial"},
    )
