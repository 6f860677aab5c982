"""Rollout collection: whole episodes for REINFORCE, fixed-length rollouts for A2C/PPO."""

import gymnasium as gym
import numpy as np
import pytest
import torch

from helpers import envs, nets, returns, rollouts


class ScriptedPolicy:
    """Always pushes left: episodes are short and depend only on the start state."""

    def __call__(self, obs):
        logits = torch.zeros(obs.shape[0], 2)
        logits[:, 1] = -1e9
        return logits


def test_collect_episodes_masks_everything_after_each_episode_end():
    vec = envs.make_vec_env("CartPole-v1", num_envs=3, seed=11)
    ep = rollouts.collect_episodes(vec, ScriptedPolicy())
    T, N = ep.rewards.shape
    assert ep.obs.shape == (T, N, 4) and ep.actions.shape == ep.mask.shape == (T, N)
    for n in range(N):
        length = int(ep.lengths[n])
        assert ep.mask[:length, n].all() and not ep.mask[length:, n].any()
        assert (ep.rewards[:length, n] == 1).all() and (ep.rewards[length:, n] == 0).all()
    assert ep.lengths.max() == T  # the longest episode sets the padding
    assert torch.equal(ep.total_rewards, ep.lengths.float())
    # the first observations are those of the environments after reset, replayed in plain gymnasium
    for n in range(N):
        env = gym.make("CartPole-v1")
        first = ep.obs[0, n].numpy()
        env.reset()
        env.unwrapped.state = first.astype(np.float64)
        steps = 0
        while True:
            _, _, terminated, truncated, _ = env.step(0)
            steps += 1
            if terminated or truncated:
                break
        assert steps == int(ep.lengths[n])


@pytest.mark.parametrize("mode", ["sync", "vector"])
def test_collect_steps_shapes_dones_and_truncation_bootstrap(mode):
    torch.manual_seed(0)
    vec = envs.make_vec_env(
        "CartPole-v1", num_envs=2, seed=0, max_episode_steps=5, vectorization_mode=mode
    )
    agent = nets.ActorCritic(4, 2)
    next_obs, _ = vec.reset(seed=0)
    gamma = 0.9
    ro = rollouts.collect_steps(vec, agent, next_obs, num_steps=12, gamma=gamma)
    assert ro.obs.shape == (12, 2, 4)
    for x in (ro.actions, ro.logprobs, ro.values, ro.rewards, ro.dones):
        assert x.shape == (12, 2)
    assert ro.next_obs.shape == (2, 4) and ro.next_value.shape == (2,)
    # random actions rarely drop the pole within 5 steps: truncation at steps 4 and 9 (0-based)
    truncated_steps = ro.dones[:, 0].nonzero().flatten().tolist()
    assert 4 in truncated_steps
    # the reward at a truncated step is 1 + gamma * V(final obs), not the plain 1
    assert (
        (ro.rewards[4] > 1).all()
        or (ro.rewards[4] < 1).all()
        or not torch.equal(ro.rewards[4], torch.ones(2))
    )
    assert torch.equal(ro.rewards[0], torch.ones(2))
    assert len(ro.episode_returns) == int(ro.dones.sum())
    adv = returns.gae(ro.rewards, ro.values, ro.dones, ro.next_value, gamma, 0.95)
    assert adv.shape == (12, 2) and torch.isfinite(adv).all()


def test_collect_steps_bootstrap_value_is_gamma_times_value_of_final_obs():
    torch.manual_seed(1)
    vec = envs.make_vec_env("CartPole-v1", num_envs=1, seed=3, max_episode_steps=3)
    agent = nets.ActorCritic(4, 2)
    next_obs, _ = vec.reset(seed=3)
    single = gym.make("CartPole-v1", max_episode_steps=3)
    single.reset(seed=3)
    ro = rollouts.collect_steps(vec, agent, next_obs, num_steps=3, gamma=0.5)
    for t in range(3):
        final_obs, _, terminated, _, _ = single.step(int(ro.actions[t, 0]))
    if not terminated:
        with torch.no_grad():
            v_final = agent.get_value(torch.as_tensor(final_obs, dtype=torch.float32)).item()
        assert ro.dones[2, 0] == 1
        assert abs(ro.rewards[2, 0].item() - (1 + 0.5 * v_final)) < 1e-5


def test_collect_steps_bootstraps_from_the_final_obs_in_vector_mode():
    torch.manual_seed(2)
    vec = envs.make_vec_env(
        "CartPole-v1", num_envs=1, seed=4, max_episode_steps=3, vectorization_mode="vector"
    )
    agent = nets.ActorCritic(4, 2)
    next_obs, _ = vec.reset(seed=4)
    ro = rollouts.collect_steps(vec, agent, next_obs, num_steps=3, gamma=0.5)
    single = gym.make("CartPole-v1").unwrapped  # one step from the same state gives the final obs
    single.reset(seed=0)
    single.state = ro.obs[2, 0].double().numpy()
    final_obs, _, terminated, _, _ = single.step(int(ro.actions[2, 0]))
    assert ro.dones[2, 0] == 1
    if not terminated:
        with torch.no_grad():
            v_final = agent.get_value(torch.as_tensor(final_obs, dtype=torch.float32)).item()
        assert abs(ro.rewards[2, 0].item() - (1 + 0.5 * v_final)) < 1e-4
