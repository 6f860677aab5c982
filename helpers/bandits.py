"""A multi-armed bandit and the closed forms of a softmax policy on it (notebooks 01 and 02):
one policy-gradient update, and the variance of one sample's gradient estimate.
"""

import numpy as np
import torch

from helpers import _validate


class Bandit:
    """A multi-armed bandit: pulling arm ``a`` pays ``means[a]`` plus Gaussian noise.

    One state, one step per episode: the smallest RL problem, whose policy gradient can be
    written in closed form, so sampled estimates can be checked against the exact one.
    """

    def __init__(self, means, noise_std=0.0, seed=None):
        self.means = _validate.float_tensor("means", means, ndim=1)
        if self.means.numel() < 2:
            raise ValueError(f"means must list at least 2 arms, got {self.means.numel()}")
        self.noise_std = _validate.positive("noise_std", noise_std, allow_zero=True)
        self.generator = torch.Generator().manual_seed(0 if seed is None else int(seed))

    @property
    def n_arms(self):
        return self.means.numel()

    def pull(self, actions):
        """Rewards for a tensor of arm indices (any shape); same shape, float."""
        actions = torch.as_tensor(actions)
        if actions.is_floating_point() or actions.numel() == 0:
            raise ValueError(
                f"actions must be a non-empty tensor of integer arm indices, got {actions!r}"
            )
        if actions.min() < 0 or actions.max() >= self.n_arms:
            raise ValueError(
                f"actions must be arm indices in [0, {self.n_arms - 1}], got {actions.tolist()}"
            )
        noise = torch.randn(actions.shape, generator=self.generator) * self.noise_std
        return self.means[actions.long()] + noise

    def expected_return(self, probs):
        """J(pi) = sum_a pi(a) * mean(a) for arm probabilities ``probs`` (..., n_arms)."""
        return (torch.as_tensor(probs) * self.means).sum(-1)


def _softmax_bandit_args(logits, means):
    logits = _validate.float_tensor("logits", logits, ndim=1)
    means = _validate.float_tensor("means", means, ndim=1)
    _validate.same_shape("logits", logits, "means", means)
    return logits, means


def bandit_update(logits, actions, rewards, b, lr):
    """Arm probabilities after one policy-gradient step of a softmax policy on a :class:`Bandit`.

    The step is ``logits += lr * mean_n (r_n - b) * grad log pi(a_n)``, with
    ``grad log pi(a) = onehot(a) - pi``. Returns the new probabilities, (n_arms,).
    """
    logits = _validate.float_tensor("logits", logits, ndim=1)
    rewards = _validate.float_tensor("rewards", rewards, ndim=1)
    actions = torch.as_tensor(actions)
    if actions.shape != rewards.shape or actions.is_floating_point():
        raise ValueError(
            f"actions must be integer arm indices shaped like rewards {tuple(rewards.shape)}"
        )
    if actions.min() < 0 or actions.max() >= logits.numel():
        raise ValueError(f"actions must be arm indices in [0, {logits.numel() - 1}]")
    b = _validate.number_in("b", b, -1e6, 1e6)
    lr = _validate.positive("lr", lr)
    probs = torch.softmax(logits, 0)
    scores = torch.nn.functional.one_hot(actions.long(), logits.numel()) - probs  # (n, n_arms)
    grad = ((rewards - b)[:, None] * scores).mean(0)  # (n_arms,)
    return torch.softmax(logits + lr * grad, 0)


def bandit_gradient_variance(logits, means, noise_std, b):
    r"""Total variance (trace of the covariance) of one sample's gradient estimate
    :math:`(r - b)\nabla\log\pi(a)` on a softmax bandit, in closed form:

    :math:`\sum_a \pi_a\big((\mu_a - b)^2 + \sigma^2\big)\lVert e_a - \pi\rVert^2 - \lVert\nabla J\rVert^2`.
    ``b`` may be a number or an array of baselines (the result has its shape).
    """
    logits, means = _softmax_bandit_args(logits, means)
    noise_std = _validate.positive("noise_std", noise_std, allow_zero=True)
    b = np.asarray(b, dtype=float)
    if not np.isfinite(b).all():
        raise ValueError("b must be finite")
    probs = torch.softmax(logits, 0).double().numpy()
    mu = means.double().numpy()
    score_sq = ((np.eye(len(probs)) - probs) ** 2).sum(1)  # ||e_a - pi||^2, (n_arms,)
    exact = probs * (mu - probs @ mu)  # dJ/dlogits
    second = (probs * score_sq * ((mu - b[..., None]) ** 2 + noise_std**2)).sum(-1)
    return second - exact @ exact
