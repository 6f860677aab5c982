"""discounted_returns, normalize and their bad-input errors, against naive definitions."""

import pytest
import torch

from helpers import returns


def naive_reward_to_go(rewards, gamma):
    T = len(rewards)
    return [sum(gamma**k * rewards[t + k] for k in range(T - t)) for t in range(T)]


@pytest.mark.parametrize("gamma", [0.0, 0.5, 0.99, 1.0])
def test_discounted_returns_matches_naive_sum(gamma):
    rewards = [1.0, -2.0, 0.5, 3.0, 0.0, 1.5]
    got = returns.discounted_returns(rewards, gamma)
    assert torch.allclose(got, torch.tensor(naive_reward_to_go(rewards, gamma)), atol=1e-5)


def test_discounted_returns_on_padded_episodes_equals_each_episode():
    torch.manual_seed(0)
    lengths = [5, 2, 7]
    padded = torch.zeros(7, 3)
    for n, T in enumerate(lengths):
        padded[:T, n] = torch.randn(T)
    got = returns.discounted_returns(padded, 0.9)
    for n, T in enumerate(lengths):
        want = naive_reward_to_go(padded[:T, n].tolist(), 0.9)
        assert torch.allclose(got[:T, n], torch.tensor(want), atol=1e-5)
        assert (got[T:, n] == 0).all()


def test_normalize_has_zero_mean_unit_std():
    x = torch.tensor([1.0, 2.0, 3.0, 10.0])
    y = returns.normalize(x)
    assert abs(y.mean().item()) < 1e-6
    assert abs(y.std(unbiased=False).item() - 1) < 1e-5
    assert torch.equal(returns.normalize(torch.tensor([4.0])), torch.tensor([0.0]))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: returns.discounted_returns([1.0, 2.0], 1.5),
            "gamma must be a number in [0.0, 1.0]",
        ),
        (lambda: returns.discounted_returns([1.0, 2.0], -0.1), "gamma"),
        (lambda: returns.discounted_returns([1.0, 2.0], float("nan")), "gamma"),
        (lambda: returns.discounted_returns([], 0.9), "rewards must not be empty"),
        (
            lambda: returns.discounted_returns([1.0, float("nan")], 0.9),
            "rewards must contain only finite",
        ),
        (lambda: returns.discounted_returns(torch.zeros(2, 2, 2), 0.9), "rewards must have"),
        (lambda: returns.discounted_returns("abc", 0.9), "rewards must be a sequence"),
        (lambda: returns.normalize([]), "x must not be empty"),
        (lambda: returns.normalize([1.0], eps=0), "eps must be a number"),
    ],
)
def test_bad_input_raises_value_error_naming_argument(call, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("(", r"\(")):
        call()


def naive_group_advantages(rewards, G, scale):
    import statistics

    out = []
    for i in range(0, len(rewards), G):
        group = rewards[i : i + G]
        mean = sum(group) / G
        std = statistics.stdev(group)  # unbiased, as torch's default
        out += [(r - mean) / (std + 1e-4) if scale else r - mean for r in group]
    return out


@pytest.mark.parametrize("scale", [True, False])
def test_group_advantages_match_a_naive_loop(scale):
    rewards = [1.0, 0.0, 2.0, -1.0, 3.0, 3.0, 0.5, 1.5, 0.0, 2.0, 1.0, 1.0]
    for G in (2, 3, 4, 6):
        got = returns.group_advantages(rewards, G, scale=scale)
        want = torch.tensor(naive_group_advantages(rewards, G, scale))
        assert torch.allclose(got, want, atol=1e-5), (G, scale)


def test_group_of_equal_rewards_gives_zeros_not_nan():
    got = returns.group_advantages(torch.tensor([2.0, 2.0, 2.0, 2.0, 0.0, 1.0, 0.0, 1.0]), 4)
    assert torch.isfinite(got).all()
    assert torch.equal(got[:4], torch.zeros(4))
    assert got[4:].sum().abs() < 1e-6 and (got[4:] != 0).all()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: returns.group_advantages([1.0, 2.0, 3.0], 1),
            "group_size must be an integer >= 2",
        ),
        (lambda: returns.group_advantages([1.0, 2.0, 3.0], 2), "group_size must divide"),
        (lambda: returns.group_advantages([1.0, 2.0], 2.0), "group_size must be an integer"),
        (lambda: returns.group_advantages([[1.0, 2.0]], 2), "rewards must have 1 dimension"),
        (
            lambda: returns.group_advantages([1.0, float("nan")], 2),
            "rewards must contain only finite",
        ),
        (lambda: returns.group_advantages([], 2), "rewards must not be empty"),
    ],
)
def test_group_advantages_bad_input_names_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def naive_rloo(rewards, G):
    out = []
    for i in range(0, len(rewards), G):
        group = rewards[i : i + G]
        for j, r in enumerate(group):
            others = group[:j] + group[j + 1 :]
            out.append(r - sum(others) / len(others))
    return out


def test_rloo_advantages_match_a_leave_one_out_loop_and_rescale_the_group_mean():
    rewards = [1.0, 0.0, 2.0, -1.0, 3.0, 3.0, 0.5, 1.5, 0.0, 2.0, 1.0, 1.0]
    for G in (2, 3, 4, 6):
        got = returns.rloo_advantages(rewards, G)
        assert torch.allclose(got, torch.tensor(naive_rloo(rewards, G)), atol=1e-6), G
        centred = returns.group_advantages(rewards, G, scale=False)
        assert torch.allclose(got, centred * G / (G - 1), atol=1e-6), G


def test_rloo_baseline_is_unbiased_where_the_group_mean_is_scaled():
    """On a 2-armed bandit with a softmax policy, the mean of many sampled RLOO gradients is the
    exact gradient; the group mean's is (1 - 1/G) times it."""
    gen = torch.Generator().manual_seed(0)
    logits, means, G, n = torch.tensor([0.3, -0.2]), torch.tensor([1.0, 0.0]), 4, 200_000
    probs = torch.softmax(logits, 0)
    exact = probs * (means - (probs * means).sum())  # d E[r] / d logits
    actions = torch.multinomial(probs.expand(n, 2), G, replacement=True, generator=gen).view(-1)
    rewards = means[actions]  # deterministic rewards: the baseline is the only noise
    score = torch.nn.functional.one_hot(actions, 2).float() - probs  # d log pi(a) / d logits
    for advantages, scale in (
        (returns.rloo_advantages(rewards, G), 1.0),
        (returns.group_advantages(rewards, G, scale=False), 1 - 1 / G),
    ):
        estimate = (advantages[:, None] * score).view(-1, G, 2).sum(1).mean(0) / G
        assert torch.allclose(estimate, scale * exact, atol=3e-3), (estimate, scale * exact)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: returns.rloo_advantages([1.0, 2.0, 3.0], 1), "group_size must be an integer >= 2"),
        (lambda: returns.rloo_advantages([1.0, 2.0, 3.0], 2), "group_size must divide"),
        (lambda: returns.rloo_advantages([[1.0, 2.0]], 2), "rewards must have 1 dimension"),
    ],
)
def test_rloo_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
