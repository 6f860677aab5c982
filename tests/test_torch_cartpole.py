"""TorchCartPole against gymnasium's CartPole-v1, side by side from the same states and
actions: observations, rewards, terminations, truncations and resets all agree."""

import gymnasium as gym
import numpy as np
import pytest
import torch

import helpers
from helpers import nets, rollouts
from helpers.torch_cartpole import TorchCartPole


@pytest.mark.parametrize(("max_steps", "flip"), [(500, 0.45), (25, 0.1)])
def test_matches_gymnasium_step_by_step_across_resets(max_steps, flip):
    N, steps = 6, 400
    env = TorchCartPole(N, seed=0, max_episode_steps=max_steps)
    obs, _ = env.reset(seed=0)
    gyms = [gym.make("CartPole-v1", max_episode_steps=max_steps) for _ in range(N)]
    for n, g in enumerate(gyms):
        g.reset(seed=n)
        g.unwrapped.state = env.state[n].numpy().copy()  # start both from the same state
    rng = np.random.default_rng(0)
    resets = truncations = 0
    lengths = [0] * N
    for t in range(steps):
        # a policy that leans against the pole, so some episodes last long enough to truncate
        actions = np.where(obs[:, 2].numpy() + 0.3 * obs[:, 3].numpy() > 0, 1, 0)
        actions = np.where(rng.random(N) < flip, 1 - actions, actions)
        obs, reward, terminated, truncated, info = env.step(torch.as_tensor(actions))
        for n, g in enumerate(gyms):
            g_obs, g_reward, g_term, g_trunc, _ = g.step(int(actions[n]))
            assert g_term == bool(terminated[n]) and g_trunc == bool(truncated[n]), (
                f"step {t}, env {n}"
            )
            assert g_reward == reward[n].item()
            if g_term or g_trunc:
                np.testing.assert_allclose(
                    info["final_obs"][n].numpy(), g_obs, rtol=1e-6, atol=1e-6
                )
                assert info["episode_length"][n].item() == lengths[n] + 1
                lengths[n] = -1
                resets += 1
                truncations += int(g_trunc)
                g.reset()
                g.unwrapped.state = env.state[n].numpy().copy()  # the torch env's new episode
                g_obs = np.asarray(g.unwrapped.state, dtype=np.float32)
            np.testing.assert_allclose(obs[n].numpy(), g_obs, rtol=1e-6, atol=1e-6)
            lengths[n] += 1
    assert resets > 10
    if max_steps == 25:
        assert truncations > 0, "the short time limit should truncate some episodes"


def test_reset_distribution_and_episode_statistics():
    env = TorchCartPole(20_000, seed=1)
    obs, _ = env.reset()
    assert obs.dtype == torch.float32 and obs.shape == (20_000, 4)
    assert obs.abs().max() <= 0.05 and obs.std(0).min() > 0.025  # uniform on [-0.05, 0.05]
    total = torch.zeros(20_000)
    for _ in range(12):
        obs, reward, terminated, truncated, info = env.step(torch.ones(20_000, dtype=torch.long))
        total += reward
        done = terminated | truncated
        assert torch.equal(info["episode_return"][done], total[done])
        total[done] = 0


def test_bad_input():
    with pytest.raises(ValueError, match="num_envs must be an integer >= 1"):
        TorchCartPole(0)
    env = TorchCartPole(3)
    env.reset()
    with pytest.raises(ValueError, match=r"actions must have shape \(3,\)"):
        env.step(torch.zeros(4, dtype=torch.long))


def test_collect_steps_on_the_torch_env_matches_the_gymnasium_path_semantics():
    helpers.set_seed(0)
    env = TorchCartPole(16, seed=0, max_episode_steps=20)
    agent = nets.ActorCritic(4, 2)
    next_obs, _ = env.reset()
    ro = rollouts.collect_steps(env, agent, next_obs, num_steps=45, gamma=0.9)
    assert ro.obs.shape == (45, 16, 4) and ro.rewards.shape == (45, 16)
    assert len(ro.episode_returns) == int(ro.dones.sum())
    assert all(1 <= r <= 20 for r in ro.episode_returns)
    # truncated steps carry 1 + gamma * V(final obs); other steps exactly 1
    plain = ro.rewards[ro.dones == 0]
    assert torch.equal(plain, torch.ones_like(plain))
    single = gym.make("CartPole-v1").unwrapped
    single.reset(seed=0)
    cut = fell = 0
    for t, n in ro.dones.nonzero().tolist():
        single.reset(seed=0)  # clears the "already terminated" flag; then set the state
        single.state = ro.obs[t, n].double().numpy()
        final_obs, _, terminated, _, _ = single.step(int(ro.actions[t, n]))
        if terminated:  # the pole fell: nothing to bootstrap
            fell += 1
            assert ro.rewards[t, n].item() == 1.0
        else:  # cut by the 20-step clock
            cut += 1
            with torch.no_grad():
                v = agent.get_value(torch.as_tensor(final_obs, dtype=torch.float32)).item()
            assert ro.rewards[t, n].item() == pytest.approx(1 + 0.9 * v, abs=1e-4)
    assert cut > 0 and fell > 0  # both kinds of episode end occur in this rollout
