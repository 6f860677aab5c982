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

from helpers import _validate


class Episodes(NamedTuple):
    """One episode per environment, padded to the longest: time first, env second."""

    obs: torch.Tensor  # (T, N, obs_size) observation s_t the action was taken in
    actions: torch.Tensor  # (T, N) action a_t
    rewards: torch.Tensor  # (T, N) reward r_t, 0 after the episode ended
    mask: torch.Tensor  # (T, N) True while the episode is running


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
        dist = (
            out
            if isinstance(out, torch.distributions.Distribution)
            else torch.distributions.Categorical(logits=out, validate_args=False)
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


class Rollout(NamedTuple):
    """``num_steps`` steps of N environments, time first (CleanRL's storage)."""

    obs: torch.Tensor  # (T, N, obs_size)
    actions: torch.Tensor  # (T, N)
    logprobs: torch.Tensor  # (T, N) log pi_old(a_t | s_t) when the action was taken
    values: torch.Tensor  # (T, N) V(s_t) when the action was taken
    rewards: torch.Tensor  # (T, N) r_t, plus gamma * V(final obs) where the episode was truncated
    dones: torch.Tensor  # (T, N) 1.0 where the episode ended at step t (terminated or truncated)
    next_obs: torch.Tensor  # (N, obs_size) the observation to start the next rollout from
    next_value: torch.Tensor  # (N,) V(next_obs), to bootstrap the last step
    episode_returns: list  # returns of the episodes that ended during this rollout


def _step_on_device(envs, action, agent, gamma, device):
    """One step of an env that keeps its state on ``device`` (``helpers.torch_cartpole``): the
    next observation, the reward (with the truncation bootstrap, see ``collect_steps``), done
    and the return of each episode that ended here, all tensors on the device."""
    obs, reward, terminated, truncated, info = envs.step(action)
    # branchless on the device: V(final_obs) counts only where the episode was cut
    cut = truncated & ~terminated
    reward = reward + gamma * agent.get_value(info["final_obs"]) * cut
    return obs, reward, terminated | truncated, info["episode_return"]


def _step_gymnasium(envs, action, agent, gamma, device):
    """The same for a gymnasium vector env: the next observation as a tensor on ``device``
    (the agent's next input), the other three as numpy arrays, stacked into tensors once per
    rollout."""
    obs, reward, terminated, truncated, info = envs.step(action.cpu().numpy())
    reward = reward.astype(np.float32)  # (N,), a copy
    cut = truncated & ~terminated
    if cut.any():  # bootstrap through the time limit from the true last observation
        final_obs = torch.as_tensor(np.stack(info["final_obs"][cut]), dtype=torch.float32)
        reward[cut] += np.float32(gamma) * agent.get_value(final_obs.to(device)).cpu().numpy()
    ep_return = info["episode"]["r"] if "episode" in info else np.zeros(len(obs))
    obs = torch.as_tensor(obs, dtype=torch.float32, device=device)
    return obs, reward, terminated | truncated, ep_return


@torch.no_grad()
def collect_steps(envs, agent, next_obs, num_steps, gamma, device=None):
    """Run ``agent`` for ``num_steps`` steps in each of the N environments of ``envs``.

    ``envs`` is a gymnasium vector env from ``helpers.envs.make_vec_env`` or a
    ``helpers.torch_cartpole.TorchCartPole`` (an env with ``on_device = True``: then
    everything stays on its device, with no per-step copy to the host). ``agent.get_action_and_value(obs)`` returns (action,
    logprob, entropy, value) and ``agent.get_value(obs)`` returns V(obs) (see
    ``helpers.nets.ActorCritic``). ``next_obs`` is the (N, obs_size) observation to start
    from (from ``envs.reset()`` the first time, then the previous rollout's ``next_obs``).

    Autoreset is handled here, once: an episode that ends at step t has ``dones[t] = 1``, so
    nothing is bootstrapped across it. Where it ended by *truncation* (the 500-step time
    limit), the pole was still up and the future was cut off by the clock, not by the task,
    so we bootstrap from the real last observation: ``rewards[t] += gamma * V(final_obs)``.
    """
    num_steps = _validate.positive_int("num_steps", num_steps)
    gamma = _validate.number_in("gamma", gamma, 0.0, 1.0)
    on_device = getattr(envs, "on_device", False)  # True for a TorchCartPole
    step = _step_on_device if on_device else _step_gymnasium
    if device is None:
        device = envs.device if on_device else torch.device("cpu")
    device = torch.device(device)
    next_obs = torch.as_tensor(next_obs, dtype=torch.float32, device=device)
    obs, actions, logprobs, values, rewards, dones, ended_returns = ([] for _ in range(7))
    for _ in range(num_steps):
        action, logprob, _, value = agent.get_action_and_value(next_obs)
        obs.append(next_obs)
        actions.append(action)
        logprobs.append(logprob)
        values.append(value)
        next_obs, reward, done, ep_return = step(envs, action, agent, gamma, device)
        rewards.append(reward)
        dones.append(done)
        ended_returns.append(ep_return)

    def stack(xs):  # T steps of (N,) -> (T, N), on the device
        return torch.stack(xs) if on_device else torch.as_tensor(np.stack(xs), device=device)

    dones = stack(dones)  # (T, N) bool
    episode_returns = stack(ended_returns)[dones].tolist()  # one sync per rollout
    return Rollout(
        torch.stack(obs),
        torch.stack(actions),
        torch.stack(logprobs),
        torch.stack(values),
        stack(rewards).float(),
        dones.float(),
        next_obs,
        agent.get_value(next_obs),
        episode_returns,
    )
