"""Slider explorers for the notebooks, each a thin ipywidgets layer over pure functions.

The pure functions (``bandit_update``, ``gradient_variance``, ``baseline_figure``) are
what the widgets redraw; they are unit-tested without a browser.
"""

import numpy as np
import torch

from helpers import _validate, lang, plots


def _softmax_bandit_args(logits, means):
    logits = _validate.float_tensor("logits", logits, ndim=1)
    means = _validate.float_tensor("means", means, ndim=1)
    _validate.same_shape("logits", logits, "means", means)
    return logits, means


def bandit_update(logits, actions, rewards, b, lr):
    """Arm probabilities after one policy-gradient step on a softmax bandit.

    The step is ``logits += lr * mean_n (r_n - b) * grad log pi(a_n)``, with
    ``grad log pi(a) = onehot(a) - pi``. Returns the new probabilities, (n_arms,).
    """
    logits = _validate.float_tensor("logits", logits, ndim=1)
    rewards = _validate.float_tensor("rewards", rewards, ndim=1)
    actions = torch.as_tensor(actions)
    if actions.shape != rewards.shape or actions.is_floating_point():
        raise ValueError(
            f"actions must be integer arm indices shaped like rewards {tuple(rewards.shape)}"
        )
    if actions.min() < 0 or actions.max() >= logits.numel():
        raise ValueError(f"actions must be arm indices in [0, {logits.numel() - 1}]")
    b = _validate.number_in("b", b, -1e6, 1e6)
    lr = _validate.positive("lr", lr)
    probs = torch.softmax(logits, 0)
    scores = torch.nn.functional.one_hot(actions.long(), logits.numel()) - probs  # (n, n_arms)
    grad = ((rewards - b)[:, None] * scores).mean(0)  # (n_arms,)
    return torch.softmax(logits + lr * grad, 0)


def gradient_variance(logits, means, noise_std, b):
    r"""Total variance (trace of the covariance) of one sample's gradient estimate
    :math:`(r - b)\nabla\log\pi(a)` on a softmax bandit, in closed form:

    :math:`\sum_a \pi_a\big((\mu_a - b)^2 + \sigma^2\big)\lVert e_a - \pi\rVert^2 - \lVert\nabla J\rVert^2`.
    ``b`` may be a number or an array of baselines (the result has its shape).
    """
    logits, means = _softmax_bandit_args(logits, means)
    noise_std = _validate.positive("noise_std", noise_std, allow_zero=True)
    b = np.asarray(b, dtype=float)
    if not np.isfinite(b).all():
        raise ValueError("b must be finite")
    probs = torch.softmax(logits, 0).double().numpy()
    mu = means.double().numpy()
    score_sq = ((np.eye(len(probs)) - probs) ** 2).sum(1)  # ||e_a - pi||^2, (n_arms,)
    exact = probs * (mu - probs @ mu)  # dJ/dlogits
    second = (probs * score_sq * ((mu - b[..., None]) ** 2 + noise_std**2)).sum(-1)
    return second - exact @ exact


def baseline_figure(logits, means, noise_std, actions, rewards, b, use_baseline=True, lr=1.0):
    """Two panels: the estimator's variance against b (a dot at the current b), and the arm
    probabilities before and after one update from the batch ``actions, rewards``."""
    b_used = float(b) if use_baseline else 0.0
    logits, means = _softmax_bandit_args(logits, means)
    fig, (ax_var, ax_p) = plots.new_figure((10, 3.6), ncols=2)
    bs = np.linspace(float(means.min()) - 2, float(means.max()) + 2, 200)
    ax_var.plot(bs, gradient_variance(logits, means, noise_std, bs), color="tab:blue")
    var_now = float(gradient_variance(logits, means, noise_std, b_used))
    ax_var.plot([b_used], [var_now], "o", color="tab:red", markersize=9)
    ax_var.set_xlabel("baseline b")
    ax_var.set_ylabel("variance of one-sample gradient")
    label = f"b = {b_used:.2f}" if use_baseline else "no baseline (b = 0)"
    ax_var.set_title(f"{label}: variance {var_now:.2f}")
    ax_var.grid(alpha=0.3)
    before = torch.softmax(logits, 0).numpy()
    after = bandit_update(logits, actions, rewards, b_used, lr).numpy()
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


def clipped_surrogate(ratio, advantage, clip_coef):
    """PPO-clip's per-sample objective min(ratio * A, clip(ratio, 1 - eps, 1 + eps) * A)."""
    clip_coef = _validate.number_in("clip_coef", clip_coef, 0.0, 1.0)
    advantage = _validate.number_in("advantage", advantage, -1e6, 1e6)
    ratio = np.asarray(ratio, dtype=float)
    if (ratio < 0).any() or not np.isfinite(ratio).all():
        raise ValueError("ratio must hold finite, non-negative probability ratios")
    return np.minimum(ratio * advantage, np.clip(ratio, 1 - clip_coef, 1 + clip_coef) * advantage)


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
            clipped_surrogate(ratio, adv, clip_coef),
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
