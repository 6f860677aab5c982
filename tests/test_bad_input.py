"""Learner mistakes across the helpers, one table: each call must raise a ValueError whose
message names the argument and what was expected (never a NaN, never a deep torch error)."""

import pytest
import torch

import helpers
from helpers import bandits, envs, losses, nets, returns, rollouts, values
from helpers.torch_cartpole import TorchCartPole

T = torch.tensor
A_B = [[("A", 0.0), ("B", 0.0)], [("B", 1.0)]]

CALLS = [
    # seeds, environments, networks
    ("set_seed negative", lambda: helpers.set_seed(-3), "seed must be an integer >= 0"),
    ("set_seed float", lambda: helpers.set_seed(0.5), "seed must be an integer >= 0"),
    (
        "unknown env id",
        lambda: envs.make_env("CartPol-v1"),
        "env_id must be a registered gymnasium id",
    ),
    (
        "vec env unknown id",
        lambda: envs.make_vec_env("Pendulm-v1", 2),
        "env_id must be a registered",
    ),
    (
        "zero envs",
        lambda: envs.make_vec_env("CartPole-v1", num_envs=0),
        "num_envs must be an integer >= 1",
    ),
    (
        "unknown vectorization mode",
        lambda: envs.make_vec_env("CartPole-v1", 2, vectorization_mode="async"),
        "vectorization_mode must be 'sync' or 'vector'",
    ),
    (
        "vector mode for another env",
        lambda: envs.make_vec_env("Acrobot-v1", 2, vectorization_mode="vector"),
        "vectorization_mode='vector' supports only env_id='CartPole-v1'",
    ),
    (
        "vector mode action out of range",
        lambda: envs.make_vec_env("CartPole-v1", 2, vectorization_mode="vector").step([0, 2]),
        "actions must be 2 integers, each 0 or 1",
    ),
    (
        "vector mode too few actions",
        lambda: envs.make_vec_env("CartPole-v1", 3, vectorization_mode="vector").step([1]),
        "actions must be 3 integers, each 0 or 1",
    ),
    (
        "vector mode other reward",
        lambda: envs.make_vec_env(
            "CartPole-v1", 2, vectorization_mode="vector", sutton_barto_reward=True
        ),
        "vectorization_mode='vector' supports only CartPole-v1's reward",
    ),
    (
        "vector mode unknown env kwarg",
        lambda: envs.make_vec_env("CartPole-v1", 2, vectorization_mode="vector", gravity=3.0),
        "env_kwargs for vectorization_mode='vector' may be max_episode_steps or render_mode",
    ),
    ("one-armed bandit", lambda: bandits.Bandit([1.0]), "means must list at least 2 arms"),
    (
        "negative noise",
        lambda: bandits.Bandit([1.0, 2.0], noise_std=-0.1),
        "noise_std must be a number",
    ),
    (
        "arm out of range",
        lambda: bandits.Bandit([1.0, 2.0]).pull(T([5])),
        "actions must be arm indices",
    ),
    ("torch env zero", lambda: TorchCartPole(0), "num_envs must be an integer >= 1"),
    (
        "policy obs size",
        lambda: nets.CategoricalPolicy(4, 2)(torch.zeros(2, 3)),
        "obs must end in a dimension of size 4",
    ),
    ("one action", lambda: nets.ActorCritic(4, 1), "n_actions must be an integer >= 2"),
    ("mlp sizes", lambda: nets.mlp([8]), "sizes must list at least two positive integers"),
    # returns and advantages
    (
        "gamma above 1",
        lambda: returns.discounted_returns([1.0], 1.01),
        "gamma must be a number in [0.0, 1.0]",
    ),
    (
        "gamma NaN",
        lambda: returns.discounted_returns([1.0], float("nan")),
        "gamma must be a number",
    ),
    ("empty rewards", lambda: returns.discounted_returns([], 0.9), "rewards must not be empty"),
    (
        "NaN reward",
        lambda: returns.discounted_returns([float("nan")], 0.9),
        "rewards must contain only finite",
    ),
    ("normalize empty", lambda: returns.normalize(torch.zeros(0)), "x must not be empty"),
    (
        "gae lam",
        lambda: returns.gae(
            torch.ones(3, 2), torch.ones(3, 2), torch.zeros(3, 2), torch.ones(2), 0.9, 1.5
        ),
        "lam must be a number in [0.0, 1.0]",
    ),
    (
        "gae gamma",
        lambda: returns.gae(
            torch.ones(3, 2), torch.ones(3, 2), torch.zeros(3, 2), torch.ones(2), -0.1, 0.9
        ),
        "gamma must be a number",
    ),
    (
        "gae shapes",
        lambda: returns.gae(
            torch.ones(3, 2), torch.ones(4, 2), torch.zeros(3, 2), torch.ones(2), 0.9, 0.9
        ),
        "rewards and values must have the same shape",
    ),
    (
        "gae next_value",
        lambda: returns.gae(
            torch.ones(3, 2), torch.ones(3, 2), torch.zeros(3, 2), torch.ones(3), 0.9, 0.9
        ),
        "next_value must have shape",
    ),
    (
        "gae dones",
        lambda: returns.gae(
            torch.ones(3, 2), torch.ones(3, 2), torch.full((3, 2), 0.5), torch.ones(2), 0.9, 0.9
        ),
        "dones must hold only 0 and 1",
    ),
    (
        "gae 1-D",
        lambda: returns.gae(torch.ones(3), torch.ones(3), torch.zeros(3), torch.ones(1), 0.9, 0.9),
        "rewards must have 2 dimension",
    ),
    # rollouts
    (
        "num_steps zero",
        lambda: rollouts.collect_steps(
            TorchCartPole(2), nets.ActorCritic(4, 2), torch.zeros(2, 4), 0, 0.9
        ),
        "num_steps must be an integer >= 1",
    ),
    (
        "rollout gamma",
        lambda: rollouts.collect_steps(
            TorchCartPole(2), nets.ActorCritic(4, 2), torch.zeros(2, 4), 4, 2.0
        ),
        "gamma must be a number",
    ),
    # losses
    (
        "negative clip",
        lambda: losses.ppo_clip_loss(torch.zeros(2), torch.zeros(2), torch.zeros(2), -0.2),
        "clip_coef must be a number",
    ),
    (
        "clip shapes",
        lambda: losses.ppo_clip_loss(torch.zeros(2), torch.zeros(3), torch.zeros(2), 0.2),
        "logprobs and old_logprobs must have the same shape",
    ),
    (
        "empty batch",
        lambda: losses.ppo_clip_loss(torch.zeros(0), torch.zeros(0), torch.zeros(0), 0.2),
        "logprobs must not be empty",
    ),
    (
        "NaN advantages",
        lambda: losses.ppo_clip_loss(torch.zeros(1), torch.zeros(1), T([float("nan")]), 0.2),
        "advantages must contain only finite",
    ),
    (
        "preference shapes",
        lambda: losses.preference_loss(torch.zeros(2), torch.zeros(1)),
        "r_chosen and r_rejected must have the same shape",
    ),
    (
        "preference empty",
        lambda: losses.preference_loss(torch.zeros(0), torch.zeros(0)),
        "r_chosen must not be empty",
    ),
    # tabular prediction
    (
        "mc gamma",
        lambda: values.mc_prediction(A_B, gamma=1.5),
        "gamma must be a number in [0.0, 1.0]",
    ),
    (
        "td gamma",
        lambda: values.td_prediction(A_B, gamma=-1.0),
        "gamma must be a number in [0.0, 1.0]",
    ),
    (
        "td alpha",
        lambda: values.td_prediction(A_B, alpha=0.0),
        "alpha must be a number in (0.0, 1.0]",
    ),
    ("empty episodes", lambda: values.mc_prediction([]), "episodes must hold at least one episode"),
    (
        "bad pair",
        lambda: values.td_prediction([[("A", 0.0, 1)]]),
        "episodes[0][0] must be a (state, reward) pair",
    ),
    (
        "NaN reward in episode",
        lambda: values.mc_prediction([[("A", float("nan"))]]),
        "the reward must be a finite number",
    ),
    # the pure functions under the sliders
    (
        "bandit lr",
        lambda: bandits.bandit_update(T([0.0, 0.0]), T([0]), T([1.0]), 0.0, -1.0),
        "lr must be a number",
    ),
    (
        "variance shapes",
        lambda: bandits.bandit_gradient_variance(T([0.0, 0.0]), T([1.0, 2.0, 3.0]), 0.1, 0.0),
        "logits and means must have the same shape",
    ),
    (
        "surrogate clip",
        lambda: losses.clipped_surrogate([1.0], 1.0, 2.0),
        "clip_coef must be a number in [0.0, 1.0]",
    ),
]


@pytest.mark.parametrize(("what", "call", "message"), CALLS, ids=[c[0] for c in CALLS])
def test_learner_mistake_gives_a_clear_value_error(what, call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert message in str(info.value), f"{what}: {str(info.value)!r} should contain {message!r}"


@pytest.mark.parametrize(("what", "call", "message"), CALLS, ids=[c[0] for c in CALLS])
def test_each_expected_message_names_an_argument_and_what_it_must_be(what, call, message):
    """A row's expected text starts with the argument's name and says what was expected
    ("num_envs must be an integer >= 1"), so a message that only says "bad input" fails."""
    for verb in (" must ", " supports only ", " may be "):
        name, _, expectation = message.partition(verb)
        if expectation:
            break
    assert name and expectation, f"{what}: {message!r} names no argument and no expectation"
