"""Tests of helpers.returns.gae against naive definitions, with episodes ending mid-rollout."""

import math

import pytest
import torch

from helpers import returns


def rollout(T=12, N=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    rewards = torch.randn(T, N, generator=g)
    values = torch.randn(T, N, generator=g)
    dones = torch.zeros(T, N)
    dones[3, 0] = dones[7, 0] = 1.0  # env 0: two episodes end mid-rollout
    dones[0, 1] = 1.0  # env 1: an episode ends at the first step
    dones[T - 1, 2] = 1.0  # env 2: the episode ends exactly at the rollout's end
    next_value = torch.randn(N, generator=g)
    return rewards, values, dones, next_value


def naive_gae(rewards, values, dones, next_value, gamma, lam):
    """A_t = sum_k (gamma lam)^k delta_{t+k}, the sum stopping at the end of t's episode."""
    T, N = rewards.shape
    adv = torch.zeros(T, N, dtype=torch.float64)
    for n in range(N):
        v_next = [values[t + 1, n] if t + 1 < T else next_value[n] for t in range(T)]
        delta = [
            rewards[t, n] + gamma * v_next[t] * (1 - dones[t, n]) - values[t, n] for t in range(T)
        ]
        for t in range(T):
            total, k = 0.0, 0
            while t + k < T:
                total += (gamma * lam) ** k * delta[t + k]
                if dones[t + k, n]:
                    break
                k += 1
            adv[t, n] = total
    return adv


def naive_mc_return(rewards, dones, next_value, gamma, t, n):
    """G_t summed to the episode's end, or bootstrapped from next_value at the rollout's end."""
    T = rewards.shape[0]
    total = 0.0
    for k in range(T - t):
        total += gamma**k * rewards[t + k, n]
        if dones[t + k, n]:
            return total
    return total + gamma ** (T - t) * next_value[n]


@pytest.mark.parametrize("gamma,lam", [(0.99, 0.95), (0.9, 0.5), (1.0, 1.0), (0.0, 0.3)])
def test_gae_matches_naive_sum(gamma, lam):
    r, v, d, nv = rollout()
    got = returns.gae(r, v, d, nv, gamma, lam)
    assert got.shape == r.shape
    torch.testing.assert_close(
        got.double(), naive_gae(r, v, d, nv, gamma, lam), atol=1e-5, rtol=1e-5
    )


def test_lam_zero_is_the_td_error():
    r, v, d, nv = rollout(seed=1)
    gamma = 0.9
    v_next = torch.cat([v[1:], nv[None]])  # V(s_{t+1}), (T, N)
    delta = r + gamma * v_next * (1 - d) - v
    torch.testing.assert_close(returns.gae(r, v, d, nv, gamma, 0.0), delta)


def test_lam_one_is_the_mc_return_minus_v():
    r, v, d, nv = rollout(seed=2)
    gamma = 0.95
    got = returns.gae(r, v, d, nv, gamma, 1.0)
    T, N = r.shape
    for n in range(N):
        for t in range(T):
            G = naive_mc_return(r, d, nv, gamma, t, n)
            assert got[t, n].item() == pytest.approx(float(G - v[t, n]), abs=1e-5)


def test_nothing_leaks_across_an_episode_end():
    """Changing what happens after an episode ends leaves that episode's advantages alone."""
    r, v, d, nv = rollout(seed=3)
    before = returns.gae(r, v, d, nv, 0.99, 0.95)
    r2, v2 = r.clone(), v.clone()
    r2[4:, 0] += 100.0  # env 0's second episode starts at t = 4
    v2[4:, 0] -= 50.0
    after = returns.gae(r2, v2, d, nv + 7.0 * torch.tensor([1.0, 0.0, 1.0]), 0.99, 0.95)
    torch.testing.assert_close(after[:4, 0], before[:4, 0])
    torch.testing.assert_close(after[:, 2], before[:, 2])  # env 2 ends at T-1: next_value unused


@pytest.mark.parametrize(
    "name,value",
    [
        ("gamma", -0.1),
        ("gamma", 1.01),
        ("gamma", math.nan),
        ("lam", -0.5),
        ("lam", 2.0),
        ("lam", math.inf),
    ],
)
def test_bad_gamma_or_lam_raises(name, value):
    r, v, d, nv = rollout()
    kwargs = {"gamma": 0.99, "lam": 0.95, name: value}
    with pytest.raises(ValueError, match=name):
        returns.gae(r, v, d, nv, **kwargs)


def test_bad_shapes_and_values_raise():
    r, v, d, nv = rollout()
    with pytest.raises(ValueError, match="values"):
        returns.gae(r, v[:4], d, nv, 0.99, 0.95)
    with pytest.raises(ValueError, match="dones"):
        returns.gae(r, v, d[:, :1], nv, 0.99, 0.95)
    with pytest.raises(ValueError, match="next_value"):
        returns.gae(r, v, d, torch.zeros(4), 0.99, 0.95)
    with pytest.raises(ValueError, match="rewards"):
        returns.gae(r[:, 0], v, d, nv, 0.99, 0.95)  # (T,) instead of (T, N)
    with pytest.raises(ValueError, match="dones"):
        returns.gae(r, v, d + 0.5, nv, 0.99, 0.95)
    bad = r.clone()
    bad[2, 1] = math.nan
    with pytest.raises(ValueError, match="rewards"):
        returns.gae(bad, v, d, nv, 0.99, 0.95)
    with pytest.raises(ValueError, match="rewards"):
        returns.gae(torch.zeros(0, 3), torch.zeros(0, 3), torch.zeros(0, 3), nv, 0.99, 0.95)
