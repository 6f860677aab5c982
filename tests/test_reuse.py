"""Tests of helpers.reuse: notebook 05's reuse experiment as notebook 06 calls it (notebook 05
itself asserts that the module gives the numbers of its inline code, at its full settings)."""

import numpy as np
import pytest
import torch

from helpers import nets, reuse

SMALL = {"num_batches": 2, "checkpoints": [0, 1, 3], "batch_steps": 8, "eval_episodes": 64}


def is_loss(newlogprobs, b_logprobs, b_advantages):
    return -((newlogprobs - b_logprobs).exp() * b_advantages).mean()


@pytest.fixture(scope="module")
def pi_old():
    # a low target: a few A2C updates, or none, instead of notebook 05's forty-odd
    return reuse.train_pi_old(0, target_return=20, max_return=500, max_updates=50)


def test_train_pi_old_returns_an_agent_and_its_evaluated_return(pi_old):
    agent, pi_old_eval = pi_old
    assert isinstance(agent, nets.ActorCritic)
    assert 20 <= pi_old_eval < 500
    assert reuse.evaluator(0)(agent) == pi_old_eval  # the same starting states, the same numbers


def test_train_pi_old_is_seeded():
    a, eval_a = reuse.train_pi_old(3, target_return=20, max_return=500, max_updates=50)
    b, eval_b = reuse.train_pi_old(3, target_return=20, max_return=500, max_updates=50)
    assert eval_a == eval_b
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))


def test_train_pi_old_that_is_not_middling_raises():
    with pytest.raises(RuntimeError, match="middling"):
        reuse.train_pi_old(0, target_return=1, max_return=2, max_updates=5)


def test_reuse_batches_shapes_and_the_zero_update_column(pi_old):
    agent, pi_old_eval = pi_old
    results = reuse.reuse_batches(agent, pi_old_eval, is_loss, 0, **SMALL)
    assert set(results) == set(reuse.KEYS)
    for value in results.values():
        assert isinstance(value, np.ndarray) and value.shape == (2, 3)
    assert (results["return"][:, 0] == pi_old_eval).all()  # 0 updates: pi_old itself
    assert np.allclose(results["kl"][:, 0], 0, atol=1e-7)
    assert np.allclose(results["approx_kl"][:, 0], 0, atol=1e-7)
    assert np.allclose(results["ess"][:, 0], 1)
    assert (results["kl"][:, -1] > 0).all()  # the updates moved the policy
    # the actor was copied: pi_old is unchanged by the updates
    assert reuse.evaluator(0)(agent) == pi_old_eval


def test_every_loss_fn_sees_the_same_batches(pi_old):
    agent, pi_old_eval = pi_old
    seen = {}

    def recorder(name, scale):
        def loss_fn(newlogprobs, b_logprobs, b_advantages):
            seen.setdefault(name, []).append((b_logprobs.clone(), b_advantages.clone()))
            return scale * is_loss(newlogprobs, b_logprobs, b_advantages)

        return loss_fn

    first = reuse.reuse_batches(agent, pi_old_eval, recorder("a", 1.0), 0, **SMALL)
    second = reuse.reuse_batches(agent, pi_old_eval, recorder("b", 0.1), 0, **SMALL)
    assert len(seen["a"]) == len(seen["b"]) == 2 * 3  # 3 updates on each of 2 batches
    for (lp_a, adv_a), (lp_b, adv_b) in zip(seen["a"], seen["b"], strict=True):
        assert torch.equal(lp_a, lp_b) and torch.equal(adv_a, adv_b)
    assert np.array_equal(first["surrogate"][:, 0], second["surrogate"][:, 0])
    assert not np.array_equal(
        first["kl"][:, -1], second["kl"][:, -1]
    )  # different losses, different moves


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"seed": -1}, "seed"),
        ({"target_return": 0}, "target_return"),
        ({"target_return": 300, "max_return": 300}, "max_return"),
        ({"max_updates": 0}, "max_updates"),
    ],
)
def test_train_pi_old_bad_input(kwargs, name):
    args = {"seed": 0} | kwargs
    with pytest.raises(ValueError, match=name):
        reuse.train_pi_old(args.pop("seed"), **args)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"pi_old": "policy"}, "pi_old"),
        ({"pi_old_eval": float("nan")}, "pi_old_eval"),
        ({"loss_fn": None}, "loss_fn"),
        ({"seed": 1.5}, "seed"),
        ({"num_batches": 0}, "num_batches"),
        ({"checkpoints": []}, "checkpoints"),
        ({"checkpoints": [0, 4, 2]}, "checkpoints"),
        ({"checkpoints": [-1, 2]}, "checkpoints"),
        ({"batch_steps": 0}, "batch_steps"),
        ({"learning_rate": -1e-3}, "learning_rate"),
        ({"eval_episodes": 0}, "eval_episodes"),
    ],
)
def test_reuse_batches_bad_input(kwargs, name):
    args = {"pi_old": nets.ActorCritic(4, 2), "pi_old_eval": 20.0, "loss_fn": is_loss, "seed": 0}
    args |= {"num_batches": 1, "checkpoints": [0, 1]} | kwargs
    with pytest.raises(ValueError, match=name):
        reuse.reuse_batches(
            args.pop("pi_old"),
            args.pop("pi_old_eval"),
            args.pop("loss_fn"),
            args.pop("seed"),
            **args,
        )
