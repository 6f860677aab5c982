"""Figures of notebook 09 (RL from a verifiable reward on 4-digit addition): the GRPO run's
diagnostics (R1-Zero's length curve among them), pass@k curves before and after, the swapped
checker's proxy against the truth, and the figure and answers under the checkpoint slider.
Each figure is closed in pyplot (shown once, when a notebook returns or displays it).
"""

import matplotlib.pyplot as plt
import numpy as np

from helpers import _validate, arithmetic

LOG_KEYS = ("reward", "equal_groups", "length", "work", "kl", "entropy", "clipfrac")
EVAL_KEYS = ("pass@k", "work", "length", "answers")


def _check_log(name, log, keys=LOG_KEYS):
    if not isinstance(log, dict) or any(k not in log or len(log[k]) == 0 for k in keys):
        raise ValueError(f"{name} must be a GRPO log: a dict of non-empty lists {keys}")


def _check_curve(name, curve):
    if not isinstance(curve, dict) or not curve:
        raise ValueError(f"{name} must map k to pass@k, got {curve!r}")
    for k, v in curve.items():
        _validate.positive_int(f"{name}'s k", k)
        _validate.number_in(f"{name}[{k}]", v, 0.0, 1.0)


def _check_evals(name, evals):
    if not isinstance(evals, dict) or not evals:
        raise ValueError(f"{name} must map an iteration to an evaluation, got {evals!r}")
    for it, e in evals.items():
        _validate.positive_int(f"{name}'s iteration", it, minimum=0)
        if not isinstance(e, dict) or any(k not in e for k in EVAL_KEYS):
            raise ValueError(f"{name}[{it}] must be an evaluation with keys {EVAL_KEYS}")
        _check_curve(f"{name}[{it}]['pass@k']", e["pass@k"])


def _new(nrows, ncols, figsize):
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False)
    plt.close(fig)
    return fig, axes


def training_figure(log, held_out_pass_at_1):
    """A GRPO log (a dict of per-iteration lists, ``LOG_KEYS``) in eight panels, with the
    held-out pass@1 at the saved copies (``held_out_pass_at_1`` maps iteration to pass@1)."""
    _check_log("log", log)
    if not isinstance(held_out_pass_at_1, dict) or not held_out_pass_at_1:
        raise ValueError("held_out_pass_at_1 must map an iteration to pass@1")
    for i, v in held_out_pass_at_1.items():
        _validate.positive_int("held_out_pass_at_1's iteration", i, minimum=0)
        _validate.number_in(f"held_out_pass_at_1[{i}]", v, 0.0, 1.0)
    it = np.arange(1, len(log["reward"]) + 1)
    panels = [
        ("reward", "reward of the samples", (0, 1)),
        ("work", "share that show their work", (0, 1)),
        ("length", "mean answer length (characters)", (0, arithmetic.MAX_RESPONSE_LEN + 2)),
        ("equal_groups", "share of all-equal groups", (0, 1)),
        ("kl", "KL to the warm start (nats / answer)", None),
        ("entropy", "entropy (nats / character)", None),
        ("clipfrac", "share of clipped tokens", None),
    ]
    fig, axes = _new(2, 4, (16, 6.4))
    for ax, (key, title, ylim) in zip(axes.flat, panels, strict=False):
        ax.plot(it, log[key], color="C0")
        ax.set_title(title, fontsize="medium")
        if ylim:
            ax.set_ylim(*ylim)
    ax = axes.flat[7]
    xs = sorted(held_out_pass_at_1)
    ax.plot(xs, [held_out_pass_at_1[x] for x in xs], "o-", color="C3")
    ax.set_title("pass@1 on held-out problems", fontsize="medium")
    ax.set_ylim(0, 1)
    for ax in axes.flat:
        ax.set_xlabel("GRPO iteration")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def _curve(ax, curve, label, **style):
    ks = sorted(curve)
    ax.plot(ks, [curve[k] for k in ks], "o-", label=label, **style)


def _pass_at_k_axes(ax, ks):
    ax.set_xscale("log", base=2)
    ax.set_xticks(ks, [str(k) for k in ks])
    ax.set_xlabel("k (tries)")
    ax.set_ylabel("pass@k on held-out problems")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")


def pass_at_k_figure(curves):
    """pass@k against k (log scale) for each named curve (``curves`` maps a name to {k: pass@k})."""
    if not isinstance(curves, dict) or not curves:
        raise ValueError("curves must map a name to a pass@k curve {k: value}")
    for name, curve in curves.items():
        _check_curve(f"curves[{name!r}]", curve)
    fig, axes = _new(1, 1, (6, 4))
    ax = axes[0, 0]
    for i, (name, curve) in enumerate(curves.items()):
        _curve(ax, curve, name, color=f"C{i}")
    _pass_at_k_axes(ax, sorted({k for curve in curves.values() for k in curve}))
    ax.set_title("pass@k: the chance that one of k answers is right", fontsize="medium")
    return fig


def hacking_figure(hacked_log, true_log, iterations):
    """The run on the swapped checker: its proxy reward and its true accuracy per iteration,
    beside the first ``iterations`` of the true checker's run (its reward is the truth), and
    both runs' share of answers that show their work and mean answer length."""
    _check_log("hacked_log", hacked_log, ("reward", "truth", "work", "length"))
    _check_log("true_log", true_log, ("reward", "work", "length"))
    n = _validate.positive_int("iterations", iterations)
    fig, axes = _new(1, 3, (16, 3.8))
    ax_r, ax_w, ax_l = axes[0]
    it = np.arange(1, n + 1)
    ax_r.plot(it, hacked_log["reward"][:n], color="C1", label="swapped checker: its reward (proxy)")
    ax_r.plot(
        it, hacked_log["truth"][:n], color="C1", ls="--", label="swapped checker: true accuracy"
    )
    ax_r.plot(it, true_log["reward"][:n], color="C0", label="true checker: its reward (the truth)")
    ax_r.set_title("reward of the samples", fontsize="medium")
    ax_r.set_ylim(0, 1.02)
    for ax, key, title in (
        (ax_w, "work", "share that show their work"),
        (ax_l, "length", "mean answer length (characters)"),
    ):
        ax.plot(it, hacked_log[key][:n], color="C1", label="swapped checker")
        ax.plot(it, true_log[key][:n], color="C0", label="true checker")
        ax.set_title(title, fontsize="medium")
    ax_w.set_ylim(0, 1.02)
    ax_l.set_ylim(0, arithmetic.MAX_RESPONSE_LEN + 2)
    for ax in (ax_r, ax_w, ax_l):
        ax.set_xlabel("GRPO iteration")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def checkpoint_figure(evals, iteration, before):
    """Under 09's slider: pass@k of the copy saved at ``iteration`` against the warm start's
    (``before``, an evaluation), and the length and scratchpad share of every saved copy with
    the chosen one marked (``evals`` maps iteration to an evaluation)."""
    _check_evals("evals", evals)
    _check_evals("before", {0: before})
    if iteration not in evals:
        raise ValueError(
            f"iteration must be one of the saved iterations {sorted(evals)}, got {iteration!r}"
        )
    kmax = max(evals[iteration]["pass@k"])
    fig, axes = _new(1, 2, (12, 3.8))
    ax_k, ax_l = axes[0]
    _curve(ax_k, {k: v for k, v in before["pass@k"].items() if k <= kmax}, "warm start", color="C0")
    _curve(ax_k, evals[iteration]["pass@k"], f"after {iteration} iterations", color="C3")
    _pass_at_k_axes(ax_k, sorted(evals[iteration]["pass@k"]))
    ax_k.set_title("pass@k on held-out problems", fontsize="medium")
    xs = sorted(evals)
    ax_l.plot(
        xs, [evals[x]["length"] for x in xs], "o-", color="C2", label="mean length (characters)"
    )
    ax_l.set_ylim(0, arithmetic.MAX_RESPONSE_LEN + 2)
    ax_l.set_xlabel("GRPO iteration")
    ax_s = ax_l.twinx()
    ax_s.plot(
        xs, [evals[x]["work"] for x in xs], "s--", color="C4", label="share that show their work"
    )
    ax_s.set_ylim(0, 1.02)
    ax_l.axvline(iteration, color="k", alpha=0.4)
    ax_l.set_title("length and working, at each saved copy", fontsize="medium")
    ax_l.legend(loc="upper left", fontsize="small")
    ax_s.legend(loc="lower right", fontsize="small")
    ax_l.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def checkpoint_answers(evals, iteration, problems):
    """The answers of the copy saved at ``iteration`` to the first held-out ``problems``, one
    line each, marked right or wrong by ``arithmetic.check``."""
    _check_evals("evals", evals)
    answers = evals[iteration]["answers"]
    lines = []
    for p, y in zip(problems, answers, strict=False):
        mark = "✓" if arithmetic.check(p, y) else "✗"
        lines.append(f"{mark} {arithmetic.prompt(*p)}{y.strip()}")
    return "\n".join(lines)
