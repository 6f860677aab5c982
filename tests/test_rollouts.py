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
    lengths = ep.mask.sum(0)  # (N,)
    for n in range(N):
        length = int(lengths[n])
        assert ep.mask[:length, n].all() and not ep.mask[length:, n].any()
        assert (ep.rewards[:length, n] == 1).all() and (ep.rewards[length:, n] == 0).all()
    assert lengths.max() == T  # the longest episode sets the padding
    assert torch.equal(ep.rewards.sum(0), lengths.float())
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
        assert steps == int(lengths[n])


def _final_obs(obs, action):
    """The observation CartPole-v1 reaches from ``obs`` with ``action`` (one plain step)."""
    single = gym.make("CartPole-v1").unwrapped
    single.reset(seed=0)
    single.state = obs.double().numpy()
    final_obs, _, terminated, _, _ = single.step(int(action))
    assert not terminated  # the cases below are built so that only the clock ends an episode
    return torch.as_tensor(final_obs, dtype=torch.float32)


# From any reset state (each coordinate within 0.05 of 0), no sequence of six actions brings
# the pole past 12 degrees (at most 8.5 degrees, checked by enumerating the 64 sequences from
# the 16 corners of the reset box): with max_episode_steps <= 6 every episode is truncated.


def _clocked_rollout(mode, num_envs, seed, max_episode_steps, num_steps, gamma):
    """An untrained agent's rollout in CartPoles whose every episode the clock cuts."""
    torch.manual_seed(seed)
    vec = envs.make_vec_env(
        "CartPole-v1",
        num_envs=num_envs,
        seed=seed,
        max_episode_steps=max_episode_steps,
        vectorization_mode=mode,
    )
    agent = nets.ActorCritic(4, 2)
    next_obs, _ = vec.reset(seed=seed)
    return agent, rollouts.collect_steps(vec, agent, next_obs, num_steps=num_steps, gamma=gamma)


@pytest.mark.parametrize("mode", ["sync", "vector"])
def test_collect_steps_shapes_dones_and_truncation_bootstrap(mode):
    gamma = 0.9
    agent, ro = _clocked_rollout(mode, 2, 0, max_episode_steps=5, num_steps=12, gamma=gamma)
    assert ro.obs.shape == (12, 2, 4)
    for x in (ro.actions, ro.logprobs, ro.values, ro.rewards, ro.dones):
        assert x.shape == (12, 2)
    assert ro.next_obs.shape == (2, 4) and ro.next_value.shape == (2,)
    # every episode is cut by the 5-step clock: at steps 4 and 9 (0-based), and only there
    for n in range(2):
        assert ro.dones[:, n].nonzero().flatten().tolist() == [4, 9]
    # a truncated step's reward is exactly 1 + gamma * V(final obs); every other step's is 1
    for t in (4, 9):
        for n in range(2):
            with torch.no_grad():
                v_final = agent.get_value(_final_obs(ro.obs[t, n], ro.actions[t, n])).item()
            assert ro.rewards[t, n].item() == pytest.approx(1 + gamma * v_final, abs=1e-5)
    plain = ro.rewards[ro.dones == 0]
    assert torch.equal(plain, torch.ones_like(plain))
    # after a cut the environment restarted in the same step: the next obs is a reset state
    assert (ro.obs[5].abs() <= 0.05).all() and (ro.obs[10].abs() <= 0.05).all()
    assert ro.episode_returns == [5.0, 5.0, 5.0, 5.0]
    adv = returns.gae(ro.rewards, ro.values, ro.dones, ro.next_value, gamma, 0.95)
    assert adv.shape == (12, 2) and torch.isfinite(adv).all()


@pytest.mark.parametrize("mode", ["sync", "vector"])
def test_collect_steps_bootstrap_value_is_gamma_times_value_of_final_obs(mode):
    agent, ro = _clocked_rollout(mode, 1, 3, max_episode_steps=3, num_steps=3, gamma=0.5)
    assert ro.dones[:, 0].tolist() == [0.0, 0.0, 1.0]
    with torch.no_grad():
        v_final = agent.get_value(_final_obs(ro.obs[2, 0], ro.actions[2, 0])).item()
    assert v_final != 0  # an untrained critic: the bootstrap term is visible
    assert ro.rewards[2, 0].item() == pytest.approx(1 + 0.5 * v_final, abs=1e-5)
    assert ro.rewards[:2, 0].tolist() == [1.0, 1.0]
