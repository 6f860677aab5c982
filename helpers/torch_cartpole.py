"""CartPole-v1 written in torch: N environments stepped in one batched tensor operation, on
any device (thousands at once on a GPU).

The dynamics, termination, reward, 500-step truncation and reset distribution are
gymnasium's ``CartPole-v1`` (its state is float64 inside, observations float32; so here).
Finished environments reset within the same step, as ``helpers.envs.make_vec_env`` does:
``step`` returns the next episode's first observation and puts the last observation of the
finished episode in ``info["final_obs"]``. A test steps it beside gymnasium from the same
states and actions and checks that every number agrees.
"""

import math

import gymnasium as gym
import numpy as np
import torch

from helpers import _validate, envs


class TorchCartPole:
    """``num_envs`` CartPole-v1 environments as tensors on ``device``."""

    on_device = True  # steps take and return tensors on its device (``helpers.rollouts``)

    gravity, masscart, masspole, length, force_mag, tau = 9.8, 1.0, 0.1, 0.5, 10.0, 0.02
    theta_threshold, x_threshold = 12 * 2 * math.pi / 360, 2.4

    def __init__(self, num_envs, device="cpu", seed=None, max_episode_steps=500):
        self.num_envs = _validate.positive_int("num_envs", num_envs)
        self.max_episode_steps = _validate.positive_int("max_episode_steps", max_episode_steps)
        self.device = torch.device(device)
        self.total_mass = self.masspole + self.masscart
        self.polemass_length = self.masspole * self.length
        self.generator = torch.Generator(device=self.device)
        self.generator.manual_seed(0 if seed is None else int(seed))
        self.state = torch.zeros(num_envs, 4, dtype=torch.float64, device=self.device)
        self.elapsed = torch.zeros(num_envs, dtype=torch.long, device=self.device)
        self.episode_return = torch.zeros(num_envs, device=self.device)
        high = np.array(
            [self.x_threshold * 2, np.inf, self.theta_threshold * 2, np.inf], dtype=np.float32
        )
        self.single_observation_space = gym.spaces.Box(-high, high, dtype=np.float32)
        self.single_action_space = gym.spaces.Discrete(2)

    def _random_states(self, n):
        u = torch.rand(n, 4, generator=self.generator, device=self.device, dtype=torch.float64)
        return u * 0.1 - 0.05  # uniform in [-0.05, 0.05), as gymnasium's reset

    def reset(self, seed=None):
        """Start every environment anew; returns (obs (N, 4) float32, {})."""
        if seed is not None:
            self.generator.manual_seed(int(seed))
        self.state = self._random_states(self.num_envs)
        self.elapsed.zero_()
        self.episode_return.zero_()
        return self.state.float(), {}

    def step(self, actions):
        """Advance every environment by one step with ``actions`` (N,) of 0 (left) or 1 (right).

        Returns obs (N, 4), reward (N,), terminated (N,), truncated (N,) and an info dict with
        ``final_obs`` (N, 4), ``episode_return`` (N,) and ``episode_length`` (N,), meaningful
        where the episode ended at this step.
        """
        actions = torch.as_tensor(actions, device=self.device)
        if actions.shape != (self.num_envs,):
            raise ValueError(
                f"actions must have shape ({self.num_envs},), got {tuple(actions.shape)}"
            )
        force = torch.where(actions == 1, self.force_mag, -self.force_mag).to(torch.float64)
        x, x_dot, theta, theta_dot = envs.cartpole_euler_step(
            self, *self.state.unbind(1), force, torch
        )
        self.state = torch.stack([x, x_dot, theta, theta_dot], 1)
        terminated = (
            (x < -self.x_threshold)
            | (x > self.x_threshold)
            | (theta < -self.theta_threshold)
            | (theta > self.theta_threshold)
        )
        self.elapsed += 1
        truncated = (self.elapsed >= self.max_episode_steps) & ~terminated
        reward = torch.ones(self.num_envs, device=self.device)
        self.episode_return += reward
        done = terminated | truncated
        info = {
            "final_obs": self.state.float(),
            "episode_return": self.episode_return.clone(),
            "episode_length": self.elapsed.clone(),
        }
        # same-step autoreset of the finished environments, without a host sync
        self.state = torch.where(done[:, None], self._random_states(self.num_envs), self.state)
        self.elapsed = torch.where(done, 0, self.elapsed)
        self.episode_return = torch.where(done, 0.0, self.episode_return)
        return self.state.float(), reward, terminated, truncated, info

    def close(self):
        pass
