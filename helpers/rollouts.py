"""Rollouts: running a policy in a vector env and storing what happened as tensors.

``collect_episodes`` runs every sub-environment for exactly one whole episode (what
REINFORCE needs). The vector env comes from ``helpers.envs.make_vec_env``, which resets a
finished sub-environment within the same step; steps taken after a sub-environment's
episode ended belong to its next episode and are masked out here, once, so no notebook
ever trains on them.
"""

from typing import NamedTuple

import numpy as np
import torch


class Episodes(NamedTuple):
    """One episode per environment, padded to the longest: time first, env second."""

    obs: torch.Tensor  # (T, N, obs_size) observation s_t the action was taken in
    actions: torch.Tensor  # (T, N) action a_t
    rewards: torch.Tensor  # (T, N) reward r_t, 0 after the episode ended
    mask: torch.Tensor  # (T, N) True while the episode is running

    @property
    def lengths(self):
        """Episode lengths, (N,)."""
        return self.mask.sum(0)

    @property
    def total_rewards(self):
        """Undiscounted return R(tau) of each episode, (N,)."""
        return self.rewards.sum(0)


@torch.no_grad()
def collect_episodes(envs, policy, device=None, max_steps=10_000):
    """Run each of ``envs.num_envs`` environments for one episode with actions from ``policy``.

    ``policy(obs)`` takes a (N, obs_size) float tensor and returns logits (N, n_actions) or
    a ``torch.distributions`` object. Episodes end at termination or truncation, whichever
    comes first (CartPole-v1 truncates at 500 steps). Returns :class:`Episodes`.
    """
    device = torch.device("cpu") if device is None else torch.device(device)
    num_envs = envs.num_envs
    next_obs, _ = envs.reset()
    running = np.ones(num_envs, dtype=bool)
    obs, actions, rewards, mask = [], [], [], []
    for _ in range(max_steps):
        obs_t = torch.as_tensor(next_obs, dtype=torch.float32, device=device)  # (N, obs_size)
        out = policy(obs_t)
        dist = out if isinstance(out, torch.distributions.Distribution) else (
            torch.distributions.Categorical(logits=out, validate_args=False)
        )
        action = dist.sample()  # (N,)
        next_obs, reward, terminated, truncated, _ = envs.step(action.cpu().numpy())
        obs.append(obs_t)
        actions.append(action)
        rewards.append(torch.as_tensor(reward * running, dtype=torch.float32, device=device))
        mask.append(torch.as_tensor(running.copy(), device=device))
        running &= ~(terminated | truncated)
        if not running.any():
            break
    else:
        raise RuntimeError(f"an episode ran longer than max_steps={max_steps}")
    return Episodes(torch.stack(obs), torch.stack(actions), torch.stack(rewards), torch.stack(mask))
