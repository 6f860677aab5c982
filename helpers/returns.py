"""Returns and advantages: discounted reward-to-go, normalisation, GAE and GRPO's
group-relative advantages.

``discounted_returns`` (notebook 01) and ``gae`` (notebook 03) were first written inline in a
notebook, which asserts that its inline version equals the one here; ``group_advantages`` is
GRPO's (notebook 08). ``normalize`` is plumbing (mean 0, standard deviation 1), used without an
inline derivation.
"""

import torch

from helpers import _validate


def discounted_returns(rewards, gamma):
    r"""Reward-to-go :math:`G_t = \sum_{k \ge 0} \gamma^k r_{t+k}` for one episode.

    ``rewards`` has shape (T,) for one episode, or (T, N) for N episodes padded with zeros
    after their end (zeros add nothing, so each column is that episode's reward-to-go).
    Returns a float tensor of the same shape.
    """
    gamma = _validate.number_in("gamma", gamma, 0.0, 1.0)
    rewards = _validate.float_tensor("rewards", rewards, ndim=(1, 2))
    returns = torch.zeros_like(rewards)  # (T,) or (T, N)
    running = torch.zeros_like(rewards[0])
    for t in reversed(range(rewards.shape[0])):
        running = rewards[t] + gamma * running
        returns[t] = running
    return returns


def normalize(x, eps=1e-8):
    """Shift and scale ``x`` to mean 0 and standard deviation 1 (over all its elements)."""
    eps = _validate.positive("eps", eps)
    x = _validate.float_tensor("x", x)
    return (x - x.mean()) / (x.std(unbiased=False) + eps)


def gae(rewards, values, dones, next_value, gamma, lam):
    r"""Generalised advantage estimates for a rollout of N parallel environments.

    ``rewards``, ``values``, ``dones``: (T, N); ``dones[t]`` is 1 where the episode ended at
    step t (after ``rewards[t]``), so nothing is bootstrapped across it. ``next_value``:
    (N,), V of the state after the last step. With the TD error
    :math:`\delta_t = r_t + \gamma V(s_{t+1})(1 - d_t) - V(s_t)`,
    :math:`A_t = \delta_t + \gamma \lambda (1 - d_t) A_{t+1}`. ``lam = 0`` gives the TD
    error, ``lam = 1`` the Monte-Carlo return minus V(s_t). Returns advantages, (T, N).
    """
    gamma = _validate.number_in("gamma", gamma, 0.0, 1.0)
    lam = _validate.number_in("lam", lam, 0.0, 1.0)
    rewards = _validate.float_tensor("rewards", rewards, ndim=2)
    values = _validate.float_tensor("values", values, ndim=2)
    dones = _validate.float_tensor("dones", dones, ndim=2)
    next_value = _validate.float_tensor("next_value", next_value, ndim=1)
    _validate.same_shape("rewards", rewards, "values", values)
    _validate.same_shape("rewards", rewards, "dones", dones)
    if next_value.shape[0] != rewards.shape[1]:
        raise ValueError(
            f"next_value must have shape (N,) = ({rewards.shape[1]},), got {tuple(next_value.shape)}"
        )
    if ((dones != 0) & (dones != 1)).any():
        raise ValueError("dones must hold only 0 and 1")
    advantages = torch.zeros_like(rewards)  # (T, N)
    last = torch.zeros_like(next_value)  # (N,)
    for t in reversed(range(rewards.shape[0])):
        next_v = next_value if t == rewards.shape[0] - 1 else values[t + 1]
        not_done = 1.0 - dones[t]
        delta = rewards[t] + gamma * next_v * not_done - values[t]
        last = delta + gamma * lam * not_done * last
        advantages[t] = last
    return advantages


def _groups(rewards, group_size):
    """``rewards`` (B,) checked and viewed as (B / group_size, group_size): one row per prompt."""
    rewards = _validate.float_tensor("rewards", rewards, ndim=1)
    group_size = _validate.positive_int("group_size", group_size, minimum=2)
    if rewards.shape[0] % group_size:
        raise ValueError(
            f"group_size must divide the number of rewards ({rewards.shape[0]}), got {group_size}"
        )
    return rewards.view(-1, group_size)


def group_advantages(rewards, group_size, scale=True):
    """GRPO's advantages: ``rewards`` (B,) come in consecutive groups of ``group_size``
    samples of one prompt; each minus its group's mean and, with ``scale``, divided by its
    group's standard deviation (unbiased, torch's default) plus 1e-4. A group whose rewards
    are all equal gets zeros (it carries no signal), never NaN. Returns (B,).
    """
    groups = _groups(rewards, group_size)  # (B / G, G)
    advantages = groups - groups.mean(1, keepdim=True)
    if scale:
        advantages = advantages / (groups.std(1, keepdim=True) + 1e-4)
    return advantages.reshape(-1)


def rloo_advantages(rewards, group_size):
    """RLOO's advantages (Ahmadian et al., 2024): ``rewards`` (B,) come in consecutive groups of
    ``group_size`` samples of one prompt; each minus the mean of the *other* ``group_size - 1``
    rewards of its group, a baseline that does not depend on the sample's own action (no std,
    no critic). Equal to ``group_size / (group_size - 1)`` times the reward minus the group's
    mean. Returns (B,).
    """
    groups = _groups(rewards, group_size)  # (B / G, G)
    others_mean = (groups.sum(1, keepdim=True) - groups) / (groups.shape[1] - 1)  # (B / G, G)
    return (groups - others_mean).reshape(-1)
