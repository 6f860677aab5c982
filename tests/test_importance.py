"""Tests of helpers.importance: the IS estimator and the 1-D experiment behind notebook 05's
slider (its figure and the slider itself are tested in test_widgets_plots.py)."""

import math

import matplotlib
import numpy as np
import pytest
import torch

from helpers import importance

matplotlib.use("Agg")


def normal_logpdf(x, mu):
    return -0.5 * (x - mu) ** 2 - 0.5 * math.log(2 * math.pi)


# --- the estimator ----------------------------------------------------------------------


def test_is_estimate_matches_a_naive_loop():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(7, generator=g, dtype=torch.float64)
    f, log_p, log_q = x**2, normal_logpdf(x, 0.3), normal_logpdf(x, -0.2)
    naive = sum(f[i] * math.exp(log_p[i] - log_q[i]) for i in range(7)) / 7
    assert importance.is_estimate(f, log_p, log_q).item() == pytest.approx(float(naive))
    w = importance.ratios(log_p, log_q)
    assert torch.allclose(w, torch.exp(log_p) / torch.exp(log_q))


def test_is_estimate_batches_over_leading_dims():
    g = torch.Generator().manual_seed(1)
    f, log_p, log_q = (torch.randn(3, 5, generator=g) for _ in range(3))
    rows = importance.is_estimate(f, log_p, log_q)
    assert rows.shape == (3,)
    for i in range(3):
        assert rows[i].item() == pytest.approx(
            importance.is_estimate(f[i], log_p[i], log_q[i]).item()
        )
    cols = importance.is_estimate(f, log_p, log_q, dim=0)
    assert cols.shape == (5,)


def test_equal_distributions_give_the_plain_average():
    f = torch.tensor([1.0, -2.0, 4.0])
    log_p = torch.tensor([-1.0, -3.0, -0.5])
    assert importance.is_estimate(f, log_p, log_p).item() == pytest.approx(1.0)


def test_is_estimate_is_unbiased_on_a_discrete_example():
    """Exact expectation over q of the estimate equals E_p[f] (n = 1, enumerate the support)."""
    p = torch.tensor([0.1, 0.2, 0.7])
    q = torch.tensor([0.5, 0.3, 0.2])
    f = torch.tensor([3.0, -1.0, 2.0])
    per_x = torch.stack(
        [
            importance.is_estimate(f[i : i + 1], p[i : i + 1].log(), q[i : i + 1].log())
            for i in range(3)
        ]
    )
    assert (q * per_x).sum().item() == pytest.approx((p * f).sum().item())


# --- the closed-form variance ----------------------------------------------------------


@pytest.mark.parametrize("mu_p,mu_q", [(-1.0, -1.0), (-1.0, 0.0), (-1.0, 1.0), (0.5, -0.3)])
def test_gaussian_variance_matches_numerical_integration(mu_p, mu_q):
    x = np.linspace(-30, 30, 600_001)
    dx = x[1] - x[0]
    # f^2 p^2 / q in log space, so the far tails do not turn into 0 / 0
    log_integrand = (
        2 * np.log(np.abs(x) + 1e-300) + 2 * normal_logpdf(x, mu_p) - normal_logpdf(x, mu_q)
    )
    second_moment = np.exp(log_integrand).sum() * dx
    assert importance.gaussian_is_variance(mu_p, mu_q) == pytest.approx(
        second_moment - mu_p**2, rel=1e-6
    )


def test_gaussian_variance_is_the_plain_variance_at_distance_zero():
    assert importance.gaussian_is_variance(2.0, 2.0) == pytest.approx(1.0)


def test_gaussian_variance_matches_sampling():
    torch.manual_seed(0)
    x = torch.randn(400_000, dtype=torch.float64) + 0.0  # q = N(0, 1)
    fw = x * torch.exp(normal_logpdf(x, -0.5) - normal_logpdf(x, 0.0))  # p = N(-0.5, 1)
    assert fw.var().item() == pytest.approx(importance.gaussian_is_variance(-0.5, 0.0), rel=0.05)


# --- the experiment behind the slider --------------------------------------------------


def test_experiment_is_consistent_with_its_parts():
    r = importance.gaussian_experiment(1.0, n_samples=10, n_repeats=3000, mu_p=-1.0, seed=0)
    assert r["mu_q"] == 0.0 and r["estimates"].shape == (3000,)
    assert r["samples"].shape == (10,) and r["weights"].shape == (10,)
    w = np.exp(normal_logpdf(r["samples"], -1.0) - normal_logpdf(r["samples"], 0.0))
    assert np.allclose(r["weights"], w)
    assert r["estimates"][0] == pytest.approx(np.mean(r["samples"] * w))
    assert r["std_theory"] == pytest.approx(
        math.sqrt(importance.gaussian_is_variance(-1.0, 0.0) / 10)
    )
    # unbiased: the mean of all estimates is within 4 standard errors of E_p[x]
    assert abs(r["estimates"].mean() + 1.0) < 4 * r["std_theory"] / math.sqrt(3000)
    assert r["std_empirical"] == pytest.approx(r["std_theory"], rel=0.15)
    assert r["wrong_sign"] == pytest.approx(np.mean(r["estimates"] > 0))


def test_experiment_is_reproducible_and_shares_draws_across_distances():
    a = importance.gaussian_experiment(1.5, seed=3)
    b = importance.gaussian_experiment(1.5, seed=3)
    assert np.array_equal(a["estimates"], b["estimates"])
    c = importance.gaussian_experiment(0.5, seed=3)
    assert np.allclose(a["samples"] - a["mu_q"], c["samples"] - c["mu_q"])  # same standard normals


def test_wrong_sign_grows_with_distance():
    fractions = [
        importance.gaussian_experiment(d, n_samples=5, n_repeats=4000, seed=0)["wrong_sign"]
        for d in (0.0, 1.0, 2.0)
    ]
    assert fractions[0] < 0.05 < fractions[1] < fractions[2]
    assert fractions[2] > 0.25


# --- bad input --------------------------------------------------------------------------


def test_bad_estimator_input_raises():
    ok = torch.zeros(4)
    with pytest.raises(ValueError, match="f_values"):
        importance.is_estimate(torch.tensor([1.0, float("nan"), 0.0, 0.0]), ok, ok)
    with pytest.raises(ValueError, match="log_p"):
        importance.is_estimate(ok, torch.tensor([0.0, math.inf, 0.0, 0.0]), ok)
    with pytest.raises(ValueError, match="log_q"):
        importance.is_estimate(ok, ok, torch.zeros(3))
    with pytest.raises(ValueError, match="f_values"):
        importance.is_estimate(torch.zeros(5), ok, ok)
    with pytest.raises(ValueError, match="f_values"):
        importance.is_estimate(torch.zeros(0), torch.zeros(0), torch.zeros(0))
    with pytest.raises(ValueError, match="dim"):
        importance.is_estimate(ok, ok, ok, dim=1)
    with pytest.raises(ValueError, match="log_q"):
        importance.ratios(ok, "abc")


@pytest.mark.parametrize(
    "kwargs,name",
    [
        ({"distance": -0.5}, "distance"),
        ({"distance": float("nan")}, "distance"),
        ({"n_samples": 0}, "n_samples"),
        ({"n_samples": 2.5}, "n_samples"),
        ({"n_repeats": 1}, "n_repeats"),
        ({"mu_p": 0.0}, "mu_p"),
        ({"mu_p": math.inf}, "mu_p"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_experiment_arguments_raise(kwargs, name):
    args = {"distance": 1.0} | kwargs
    with pytest.raises(ValueError, match=name):
        importance.gaussian_experiment(**args)


def test_other_bad_arguments_raise():
    with pytest.raises(ValueError, match="mu_q"):
        importance.gaussian_is_variance(0.0, float("nan"))
    with pytest.raises(ValueError, match="mu_p - mu_q"):
        importance.gaussian_is_variance(0.0, 40.0)
