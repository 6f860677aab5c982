"""Tests of helpers.training: the one non-finite-loss guard, the one "solved" measure, and
autocast."""

import numpy as np
import pytest
import torch

from helpers import training


def test_check_finite_returns_a_finite_loss_unchanged():
    loss = torch.tensor(1.5, requires_grad=True)
    assert training.check_finite(loss, "SFT") is loss


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_check_finite_names_the_loss_and_what_to_lower(bad):
    with pytest.raises(ValueError, match=r"the A2C loss became .* \(not finite\): lower lr_x"):
        training.check_finite(torch.tensor(bad), "A2C", "lr_x")
    with pytest.raises(ValueError, match="lower learning_rate and run the cell again"):
        training.check_finite(torch.tensor([1.0, bad]), "PPO")


def test_mean_last_is_the_mean_of_the_last_twenty_or_of_all_while_fewer():
    returns = [float(r) for r in range(1, 31)]  # 1 .. 30
    assert training.mean_last(returns) == pytest.approx(np.mean(returns[-20:]))  # 11 .. 30
    assert training.mean_last(returns) == pytest.approx(20.5)
    assert training.mean_last(returns[:5]) == pytest.approx(3.0)  # fewer than 20: all of them
    assert training.mean_last([]) == 0.0
    assert training.mean_last(returns, n=2) == pytest.approx(29.5)


def test_reached_needs_a_full_window_at_the_target():
    assert not training.reached([500.0] * 19, 475)  # 19 perfect episodes are not yet 20
    assert training.reached([500.0] * 20, 475)
    assert training.reached([10.0] * 5 + [475.0] * 20, 475)  # only the last 20 count
    assert training.reached([500.0] * 19 + [0.0], 475)  # a mean of exactly 475
    assert not training.reached([500.0] * 19 + [0.0, 499.0], 474.96)  # 474.95: just below


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: training.mean_last(np.ones(20)), "episode_returns must be a list"),
        (lambda: training.mean_last([1.0], n=0), "n must be"),
        (lambda: training.reached([1.0], 475, n=2.5), "n must be"),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_autocast_is_full_precision_on_cpu():
    layer = torch.nn.Linear(3, 2)
    with training.autocast(torch.device("cpu")):
        assert layer(torch.ones(1, 3)).dtype == torch.float32
    with training.autocast("cpu"):  # a device name works too
        assert layer(torch.ones(1, 3)).dtype == torch.float32
