r"""Importance sampling: estimating :math:`\mathbb{E}_p[f]` from samples of another distribution q.

Since :math:`\mathbb{E}_p[f] = \int f\,p = \int f\,\tfrac{p}{q}\,q = \mathbb{E}_q[f\,p/q]`, samples
:math:`x_i \sim q` give the estimate :math:`\frac1n \sum_i f(x_i)\,p(x_i)/q(x_i)`. Notebook 05 writes it
inline and asserts that it equals :func:`is_estimate`.

The rest is the 1-D experiment behind notebook 05's slider, as pure functions that are tested
without a browser: p = N(mu_p, 1), q = N(mu_p + distance, 1), f(x) = x, so that
:math:`\mathbb{E}_p[f] = \mu_p` and :math:`\mathrm{Var}_q[f\,p/q]` has a closed form
(:func:`gaussian_is_variance`). :func:`gaussian_experiment` draws many small-sample estimates;
``helpers.ppo_plots.distance_figure`` draws them, and ``helpers.widgets.distance_explorer`` is
the slider that redraws it.
"""

import math

import torch

from helpers import _validate


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
    and the variance is that minus :math:`(\mathbb{E}_p f)^2 = \mu_p^2`: :math:`e^{d^2}` times a
    quadratic in d, at least :math:`e^{d^2} - \mu_p^2`, exponential in
    :math:`\mathrm{KL}(p \| q) = d^2 / 2`. This is why p and q must stay close.
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
    seed = _validate.seed(seed)
    mu_q = mu_p + distance
    g = torch.Generator().manual_seed(seed)
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
