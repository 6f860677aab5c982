"""The bandit of notebooks 01-02 (helpers.bandits): pulls, the closed-form update and the
closed-form variance of the gradient estimate, against autograd and sampling; its errors."""

import numpy as np
import pytest
import torch

from helpers import bandits

LOGITS = torch.tensor([1.0, 1.0, -0.8])
MEANS = torch.tensor([1.0, 2.0, 3.0])


def test_bandit_rewards_and_expected_return():
    bandit = bandits.Bandit([1.0, 2.0, 3.0], noise_std=0.0)
    assert torch.equal(bandit.pull(torch.tensor([2, 0, 1])), torch.tensor([3.0, 1.0, 2.0]))
    assert bandit.expected_return(torch.tensor([0.5, 0.5, 0.0])).item() == pytest.approx(1.5)
    noisy = bandits.Bandit([1.0, 2.0], noise_std=1.0, seed=1)
    assert noisy.pull(torch.zeros(20_000, dtype=torch.long)).mean().item() == pytest.approx(
        1.0, abs=0.05
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: bandits.Bandit([1.0]), "means must list at least 2 arms"),
        (lambda: bandits.Bandit([1.0, float("inf")]), "means must contain only finite"),
        (lambda: bandits.Bandit([1.0, 2.0], noise_std=-1), "noise_std"),
        (
            lambda: bandits.Bandit([1.0, 2.0]).pull(torch.tensor([2])),
            r"actions must be arm indices in \[0, 1\]",
        ),
        (
            lambda: bandits.Bandit([1.0, 2.0]).pull(torch.tensor([0.5])),
            "actions must be a non-empty tensor of integer",
        ),
    ],
)
def test_bandit_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_bandit_update_matches_autograd_step():
    actions = torch.tensor([0, 1, 1, 0])
    rewards = torch.tensor([1.2, 2.1, 1.9, 0.8])
    theta = LOGITS.clone().requires_grad_()
    surrogate = ((rewards - 1.5) * torch.log_softmax(theta, 0)[actions]).mean()
    (grad,) = torch.autograd.grad(surrogate, theta)
    want = torch.softmax(LOGITS + 0.7 * grad, 0)
    assert torch.allclose(
        bandits.bandit_update(LOGITS, actions, rewards, 1.5, 0.7), want, atol=1e-6
    )


@pytest.mark.parametrize("b", [0.0, 1.7, 4.0])
def test_gradient_variance_closed_form_matches_sampling(b):
    torch.manual_seed(0)
    probs = torch.softmax(LOGITS, 0)
    actions = torch.multinomial(probs, 400_000, replacement=True)
    rewards = MEANS[actions] + 0.5 * torch.randn(actions.shape)
    g = (rewards - b)[:, None] * (torch.nn.functional.one_hot(actions, 3) - probs)
    assert bandits.bandit_gradient_variance(LOGITS, MEANS, 0.5, b) == pytest.approx(
        g.var(0).sum().item(), rel=0.02
    )


def test_gradient_variance_is_vectorised_over_b_and_minimal_near_mean_reward():
    bs = np.linspace(-2, 6, 81)
    v = bandits.bandit_gradient_variance(LOGITS, MEANS, 0.3, bs)
    assert v.shape == bs.shape
    best = bs[v.argmin()]
    assert 1.0 < best < 3.0  # between the smallest and the largest arm mean


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: bandits.bandit_update(
                LOGITS, torch.tensor([0, 3]), torch.tensor([1.0, 1.0]), 0.0, 1.0
            ),
            "actions must be arm indices",
        ),
        (
            lambda: bandits.bandit_update(LOGITS, torch.tensor([0]), torch.tensor([1.0]), 0.0, 0.0),
            "lr must be a number",
        ),
        (
            lambda: bandits.bandit_update(
                LOGITS, torch.tensor([0]), torch.tensor([1.0]), float("nan"), 1.0
            ),
            "b must be a number",
        ),
        (
            lambda: bandits.bandit_gradient_variance(LOGITS, MEANS[:2], 0.1, 0.0),
            "logits and means must have the same shape",
        ),
        (lambda: bandits.bandit_gradient_variance(LOGITS, MEANS, -1.0, 0.0), "noise_std"),
    ],
)
def test_update_and_variance_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
