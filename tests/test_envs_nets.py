"""Environments (make_env, make_vec_env), networks, set_seed, get_device and
usable_cpus."""

import os

import gymnasium as gym
import numpy as np
import pytest
import torch

import helpers
from helpers import envs, nets


def test_set_seed_makes_torch_and_numpy_repeat():
    helpers.set_seed(3)
    a = torch.rand(3), np.random.rand(3)
    helpers.set_seed(3)
    b = torch.rand(3), np.random.rand(3)
    assert torch.equal(a[0], b[0]) and np.array_equal(a[1], b[1])


@pytest.mark.parametrize("bad", [-1, 1.5, "0", None, True])
def test_set_seed_rejects_non_integers(bad):
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        helpers.set_seed(bad)


def test_get_device_prefers_cuda_then_mps_then_the_cpu(monkeypatch):
    mps = getattr(torch.backends, "mps", None)

    def available(cuda, apple):
        monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
        if mps is not None:
            monkeypatch.setattr(mps, "is_available", lambda: apple)

    available(True, True)
    assert helpers.get_device() == torch.device("cuda")
    available(False, True)
    assert helpers.get_device() == torch.device("mps" if mps is not None else "cpu")
    available(False, False)
    assert helpers.get_device() == torch.device("cpu")


def _cgroup(tmp_path, v2=None, v1=None):
    """A fake cgroup folder: v2's cpu.max text and/or v1's (quota, period)."""
    if v2 is not None:
        (tmp_path / "cpu.max").write_text(v2 + "\n")
    if v1 is not None:
        (tmp_path / "cpu").mkdir()
        (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text(f"{v1[0]}\n")
        (tmp_path / "cpu" / "cpu.cfs_period_us").write_text(f"{v1[1]}\n")
    return tmp_path


@pytest.mark.parametrize(
    "v2, v1, cores, expected",
    [
        (None, None, 8, 8),  # no cgroup files: the pinned cores
        ("max 100000", (-1, 100000), 8, 8),  # no quota in either
        ("100000 100000", None, 8, 1),  # a Binder-like quota of one core
        ("250000 100000", None, 8, 2),  # 2.5 cores: two threads fit
        ("50000 100000", None, 8, 1),  # half a core: still one
        (None, (200000, 100000), 8, 2),  # cgroup v1
        ("400000 100000", None, 2, 2),  # a quota above the pinned cores
        ("garbage", None, 4, 4),  # unreadable: ignored
    ],
)
def test_usable_cpus_caps_the_pinned_cores_by_the_cgroup_quota(
    tmp_path, monkeypatch, v2, v1, cores, expected
):
    monkeypatch.setattr(
        helpers.os, "sched_getaffinity", lambda pid: set(range(cores)), raising=False
    )
    assert helpers.usable_cpus(_cgroup(tmp_path, v2, v1)) == expected


def test_usable_cpus_on_this_machine_is_a_positive_count_no_larger_than_the_cores():
    assert 1 <= helpers.usable_cpus() <= (os.cpu_count() or 1)


def test_unknown_env_id_is_a_value_error_with_a_hint():
    with pytest.raises(ValueError, match=r"env_id must be a registered gymnasium id.*CartPole-v1"):
        envs.make_vec_env("cartpole", num_envs=2)
    with pytest.raises(ValueError, match="env_id"):
        envs.make_env("NoSuchEnv-v0")
    with pytest.raises(ValueError, match="num_envs must be an integer >= 1"):
        envs.make_vec_env("CartPole-v1", num_envs=0)


def test_vec_env_resets_in_the_same_step_and_reports_final_obs():
    vec = envs.make_vec_env("CartPole-v1", num_envs=2, seed=0)
    single = gym.make("CartPole-v1")
    obs, _ = vec.reset(seed=5)
    single_obs, _ = single.reset(seed=5)
    assert np.allclose(obs[0], single_obs)
    for _ in range(500):
        obs, reward, terminated, truncated, info = vec.step(np.array([0, 0]))
        single_obs, _, single_term, _, _ = single.step(0)
        if terminated[0]:
            assert single_term
            assert np.allclose(info["final_obs"][0], single_obs)  # last obs of the old episode
            assert not np.allclose(obs[0], single_obs)  # already the next episode's first obs
            assert (
                info["_episode"][0]
                and info["episode"]["r"][0] == reward[0] * info["episode"]["l"][0]
            )
            break
        assert np.allclose(obs[0], single_obs)
    else:
        pytest.fail("pushing left forever should end an episode")


def test_vector_mode_matches_gymnasium_dynamics_and_resets_in_the_same_step():
    """gymnasium's numpy CartPole, adapted to same-step autoreset: the single env's dynamics,
    a reward of 1 on every step (no zero-reward reset step), the last obs in final_obs."""
    vec = envs.make_vec_env("CartPole-v1", num_envs=3, seed=0, vectorization_mode="vector")
    obs, _ = vec.reset(seed=0)
    single = gym.make("CartPole-v1")
    single.reset(seed=0)
    rng = np.random.default_rng(0)
    single.unwrapped.state = obs[1].astype(np.float64)
    vec.unwrapped.state[:, 1] = obs[1].astype(np.float64)  # the same start for env 1
    ends, lengths = 0, np.zeros(3, dtype=int)
    for _ in range(300):
        actions = rng.integers(0, 2, size=3)
        obs, reward, terminated, truncated, info = vec.step(actions)
        assert np.all(reward == 1.0)
        lengths += 1
        done = terminated | truncated
        if ends == 0:  # env 1 follows the single env until its first episode ends
            single_obs, _, single_term, _, _ = single.step(int(actions[1]))
            last = info["final_obs"][1] if done[1] else obs[1]
            assert np.allclose(last, single_obs, atol=1e-6)
            assert bool(terminated[1]) == single_term
        for i in np.flatnonzero(done):
            assert info["_final_obs"][i] and info["_episode"][i]
            assert info["episode"]["r"][i] == lengths[i] == info["episode"]["l"][i]
            assert np.all(np.abs(obs[i]) <= 0.05)  # already the next episode's first obs
            assert not np.allclose(obs[i], info["final_obs"][i])
            ends += i == 1
        lengths[done] = 0
    assert ends > 0


def test_vector_mode_truncates_at_the_time_limit():
    vec = envs.make_vec_env(
        "CartPole-v1", num_envs=4, seed=1, vectorization_mode="vector", max_episode_steps=5
    )
    for _ in range(5):
        obs, reward, terminated, truncated, info = vec.step(np.array([0, 1, 0, 1]))
    assert np.all(truncated | terminated) and truncated.any()
    assert np.all(info["episode"]["l"] == 5)
    obs, reward, terminated, truncated, info = vec.step(np.array([0, 1, 0, 1]))
    assert not truncated.any() and np.all(reward == 1.0)


def test_vector_mode_is_reproducible_from_its_seed():
    def run(seed):
        vec = envs.make_vec_env("CartPole-v1", num_envs=2, seed=seed, vectorization_mode="vector")
        return np.stack([vec.step(np.array([0, 1]))[0] for _ in range(40)])

    assert np.array_equal(run(3), run(3)) and not np.array_equal(run(3), run(4))


def test_networks_shapes_and_near_uniform_start():
    torch.manual_seed(0)
    policy = nets.CategoricalPolicy(4, 2)
    probs = policy.dist(torch.randn(10, 4)).probs
    assert probs.shape == (10, 2) and torch.allclose(probs, torch.full_like(probs, 0.5), atol=0.05)
    assert nets.ValueNet(4)(torch.randn(7, 3, 4)).shape == (7, 3)
    agent = nets.ActorCritic(4, 2)
    action, logprob, entropy, value = agent.get_action_and_value(torch.randn(5, 4))
    assert action.shape == logprob.shape == entropy.shape == value.shape == (5,)
    _, logprob2, _, _ = agent.get_action_and_value(torch.randn(5, 4), action)
    assert logprob2.shape == (5,)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: nets.CategoricalPolicy(4, 2)(torch.randn(3, 5)),
            "obs must end in a dimension of size 4",
        ),
        (lambda: nets.ValueNet(4)(torch.randn(5)), "obs must end in a dimension of size 4"),
        (
            lambda: nets.ActorCritic(4, 2).get_value(torch.randn(2, 3)),
            "obs must end in a dimension of size 4",
        ),
        (lambda: nets.CategoricalPolicy(4, 1), "n_actions must be an integer >= 2"),
        (lambda: nets.mlp([4]), "sizes must list at least two positive integers"),
    ],
)
def test_network_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_actor_critic_logprob_and_entropy_match_categorical():
    torch.manual_seed(0)
    agent = nets.ActorCritic(4, 3)
    obs = torch.randn(6, 4)
    action, logprob, entropy, value = agent.get_action_and_value(obs)
    dist = torch.distributions.Categorical(logits=agent.actor(obs))
    assert torch.allclose(logprob, dist.log_prob(action), atol=1e-6)
    assert torch.allclose(entropy, dist.entropy(), atol=1e-6)
    assert torch.allclose(value, agent.get_value(obs))
    # sampled actions follow pi: the empirical frequencies of 20k draws from one state
    one = obs[:1].expand(20_000, 4)
    counts = torch.bincount(agent.get_action_and_value(one)[0], minlength=3) / 20_000
    assert torch.allclose(counts, dist.probs[0], atol=0.015)


def test_actor_critic_samples_the_actions_torch_multinomial_would():
    agent = nets.ActorCritic(4, 3)
    obs = torch.randn(64, 4)
    torch.manual_seed(7)
    action = agent.get_action_and_value(obs)[0]
    probs = torch.softmax(agent.actor(obs), -1)
    torch.manual_seed(7)
    assert torch.equal(action, torch.multinomial(probs, 1).squeeze(-1))


def test_mlp_gives_what_nn_sequential_gives_with_the_same_layers():
    net = nets.mlp([4, 16, 16, 2])
    x = torch.randn(5, 4, requires_grad=True)
    assert isinstance(net, torch.nn.Sequential)
    (grad,) = torch.autograd.grad(net(x).sum(), x)
    plain = torch.nn.Sequential(*net)
    (grad_plain,) = torch.autograd.grad(plain(x).sum(), x)
    assert torch.equal(net(x), plain(x)) and torch.equal(grad, grad_plain)


def test_actor_critic_is_a_policy_and_a_value_net_built_in_that_order():
    """ActorCritic reuses CategoricalPolicy and ValueNet: from one seed, the same parameters as
    the two built one after the other (so notebooks' numbers do not depend on which builds)."""
    torch.manual_seed(0)
    agent = nets.ActorCritic(4, 2, hidden=8)
    torch.manual_seed(0)
    policy, value = nets.CategoricalPolicy(4, 2, hidden=8), nets.ValueNet(4, hidden=8)
    mine = list(agent.parameters())
    theirs = [*policy.parameters(), *value.parameters()]
    assert len(mine) == len(theirs) and all(
        torch.equal(a, b) for a, b in zip(mine, theirs, strict=True)
    )
    x = torch.randn(5, 4)
    assert torch.equal(agent.actor(x), policy(x)) and torch.equal(agent.get_value(x), value(x))
