r"""Importance sampling: estimating :math:`\mathbb{E}_p[f]` from samples of another distribution q.

Since :math:`\mathbb{E}_p[f] = \int f\,p = \int f\,\tfrac{p}{q}\,q = \mathbb{E}_q[f\,p/q]`, samples
:math:`x_i \sim q` give the estimate :math:`\frac1n \sum_i f(x_i)\,p(x_i)/q(x_i)`. Notebook 05 writes it
inline and asserts that it equals :func:`is_estimate`.

The rest is the 1-D experiment behind notebook 05's slider, as pure functions that are tested
without a browser: p = N(mu_p, 1), q = N(mu_p + distance, 1), f(x) = x, so that
:math:`\mathbb{E}_p[f] = \mu_p` and :math:`\mathrm{Var}_q[f\,p/q]` has a closed form
(:func:`gaussian_is_variance`). :func:`gaussian_experiment` draws many small-sample estimates,
:func:`distance_figure` draws them, and :func:`distance_explorer` is the slider that redraws it.
"""

import math

import matplotlib.pyplot as plt
import numpy as np
import torch

from helpers import _validate, lang


def _log_densities(log_p, log_q):
    log_p = _validate.float_tensor("log_p", log_p)
    log_q = _validate.float_tensor("log_q", log_q)
    _validate.same_shape("log_p", log_p, "log_q", log_q)
    return log_p, log_q


def ratios(log_p, log_q):
    """Importance weights p(x)/q(x) = exp(log p(x) - log q(x)), from log-densities of one shape."""
    log_p, log_q = _log_densities(log_p, log_q)
    return (log_p - log_q).exp()


def is_estimate(f_values, log_p, log_q, dim=-1):
    r"""The importance-sampling estimate of :math:`\mathbb{E}_p[f]` from samples :math:`x_i \sim q`:
    :math:`\frac1n\sum_i f(x_i)\,p(x_i)/q(x_i)`, the mean taken over ``dim``.

    ``f_values``, ``log_p`` and ``log_q`` hold f(x_i), log p(x_i) and log q(x_i) and share one
    shape, e.g. (n,) for one estimate or (repeats, n) for many.
    """
    f_values = _validate.float_tensor("f_values", f_values)
    log_p, log_q = _log_densities(log_p, log_q)
    _validate.same_shape("f_values", f_values, "log_p", log_p)
    if not isinstance(dim, int) or not -f_values.dim() <= dim < f_values.dim():
        raise ValueError(
            f"dim must be an axis of f_values (shape {tuple(f_values.shape)}), got {dim!r}"
        )
    return (f_values * (log_p - log_q).exp()).mean(dim)


def gaussian_is_variance(mu_p, mu_q):
    r"""Closed form of :math:`\mathrm{Var}_q[f\,p/q]` for p = N(mu_p, 1), q = N(mu_q, 1), f(x) = x.

    With :math:`d = \mu_p - \mu_q`: :math:`\mathbb{E}_p[f^2 p/q] = e^{d^2}\big((2\mu_p - \mu_q)^2 + 1\big)`,
    and the variance is that minus :math:`(\mathbb{E}_p f)^2 = \mu_p^2`. It grows like
    :math:`e^{d^2}`: this is why p and q must stay close.
    """
    mu_p = _validate.number_in("mu_p", mu_p, -1e3, 1e3)
    mu_q = _validate.number_in("mu_q", mu_q, -1e3, 1e3)
    d = mu_p - mu_q
    if d * d > 700:
        raise ValueError(f"mu_p - mu_q must be at most about 26 in size (exp overflows), got {d}")
    return math.exp(d * d) * ((2 * mu_p - mu_q) ** 2 + 1) - mu_p**2


def gaussian_experiment(distance, n_samples=10, n_repeats=2000, mu_p=-1.0, seed=0):
    """``n_repeats`` importance-sampling estimates of E_p[x], each from ``n_samples`` draws of q.

    p = N(mu_p, 1), q = N(mu_p + distance, 1). The same seed gives the same standard-normal
    draws at every distance, so a slider moves the samples smoothly. Returns a dict with the
    settings, ``estimates`` (n_repeats,), ``samples`` and ``weights`` of the first repeat,
    ``true_mean`` (mu_p), ``std_theory`` (the closed-form standard deviation of one
    estimate), ``std_empirical`` and ``wrong_sign`` (the fraction of estimates whose sign
    differs from that of E_p[x]).
    """
    distance = _validate.number_in("distance", distance, 0.0, 10.0)
    n_samples = _validate.positive_int("n_samples", n_samples)
    n_repeats = _validate.positive_int("n_repeats", n_repeats, minimum=2)
    mu_p = _validate.number_in("mu_p", mu_p, -100.0, 100.0)
    if mu_p == 0:
        raise ValueError("mu_p must not be 0: the experiment counts estimates with the wrong sign")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    mu_q = mu_p + distance
    g = torch.Generator().manual_seed(int(seed))
    x = mu_q + torch.randn(n_repeats, n_samples, generator=g, dtype=torch.float64)  # x ~ q
    log_p = -0.5 * (x - mu_p) ** 2  # the normalising constants cancel in p/q
    log_q = -0.5 * (x - mu_q) ** 2
    estimates = is_estimate(x, log_p, log_q)  # (n_repeats,)
    return {
        "distance": distance,
        "mu_p": mu_p,
        "mu_q": mu_q,
        "n_samples": n_samples,
        "estimates": estimates.numpy(),
        "samples": x[0].numpy(),
        "weights": ratios(log_p[0], log_q[0]).numpy(),
        "true_mean": mu_p,
        "std_theory": math.sqrt(gaussian_is_variance(mu_p, mu_q) / n_samples),
        "std_empirical": float(estimates.std()),
        "wrong_sign": float((torch.sign(estimates) != math.copysign(1.0, mu_p)).double().mean()),
    }


def distance_figure(result, xlim=(-6.0, 4.0)):
    """Two panels for a :func:`gaussian_experiment` result: p, q and one batch of weighted
    samples; and the histogram of all the estimates against the true mean."""
    if not isinstance(result, dict) or "estimates" not in result:
        raise ValueError("result must be the dict returned by gaussian_experiment")
    mu_p, mu_q, n = result["mu_p"], result["mu_q"], result["n_samples"]
    fig, (ax_d, ax_h) = plt.subplots(1, 2, figsize=(11, 3.8))
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


def distance_explorer(
    n_samples=10, n_repeats=2000, mu_p=-1.0, seed=0, distance=1.0, max_distance=3.0
):
    """A slider for the p-q distance that redraws :func:`distance_figure`."""
    import ipywidgets as W
    from IPython.display import display

    max_distance = _validate.number_in("max_distance", max_distance, 0.1, 10.0)
    distance = _validate.number_in("distance", distance, 0.0, max_distance)
    gaussian_experiment(distance, n_samples, n_repeats, mu_p, seed)  # check the arguments now
    slider = W.FloatSlider(
        value=distance,
        min=0.0,
        max=max_distance,
        step=0.1,
        description=lang.pick("p-q distance", "p 与 q 的距离"),
        continuous_update=False,
        style={"description_width": "initial"},
    )
    out = W.Output()

    def redraw(distance):
        with out:
            out.clear_output(wait=True)
            fig = distance_figure(gaussian_experiment(distance, n_samples, n_repeats, mu_p, seed))
            display(fig)
            plt.close(fig)

    W.interactive_output(redraw, {"distance": slider})
    return W.VBox([slider, out])
