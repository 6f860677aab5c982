"""Networks: an MLP builder, a categorical policy, a state-value network, and the two as an
actor-critic.

Layers are initialised as in CleanRL (orthogonal weights, zero biases), with a small gain
on the policy's last layer so that a new policy starts close to uniform.
"""

import math

import torch
from torch import nn
from torch.distributions import Categorical

from helpers import _validate


def layer_init(layer, std=math.sqrt(2), bias=0.0):
    """Orthogonal weights with gain ``std`` and constant bias, returned for chaining."""
    nn.init.orthogonal_(layer.weight, std)
    nn.init.constant_(layer.bias, bias)
    return layer


class MLP(nn.Sequential):
    """An ``nn.Sequential`` that runs its layers by calling their ``forward`` directly.

    Same layers, parameters and results; it skips ``nn.Module.__call__`` for each layer,
    whose bookkeeping (hooks) costs about as much as a 64-wide layer's arithmetic on a few
    rows. Hooks registered on the inner layers therefore do not run.
    """

    def forward(self, x):
        for layer in self:
            x = layer.forward(x)
        return x


def mlp(sizes, activation=nn.Tanh, out_std=1.0):
    """A multilayer perceptron ``sizes[0] -> ... -> sizes[-1]`` with ``activation`` between."""
    if len(sizes) < 2 or any(not isinstance(s, int) or s < 1 for s in sizes):
        raise ValueError(f"sizes must list at least two positive integers, got {sizes!r}")
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        last = i == len(sizes) - 2
        layers.append(layer_init(nn.Linear(n_in, n_out), std=out_std if last else math.sqrt(2)))
        if not last:
            layers.append(activation())
    return MLP(*layers)


def _check_obs(obs, obs_size):
    """A clear error for observations of the wrong size, before torch's shape error."""
    if obs.shape[-1] != obs_size:
        raise ValueError(
            f"obs must end in a dimension of size {obs_size}, got shape {tuple(obs.shape)}"
        )


class CategoricalPolicy(nn.Module):
    """pi_theta(a | s): an MLP from observations to the logits of a categorical distribution."""

    def __init__(self, obs_size, n_actions, hidden=64):
        super().__init__()
        _validate.positive_int("obs_size", obs_size)
        _validate.positive_int("n_actions", n_actions, minimum=2)
        self.obs_size = obs_size
        self.net = mlp([obs_size, hidden, hidden, n_actions], out_std=0.01)

    def forward(self, obs):  # (..., obs_size) -> (..., n_actions)
        _check_obs(obs, self.obs_size)
        return self.net(obs)

    def dist(self, obs):
        """The action distribution pi_theta(. | obs)."""
        return Categorical(logits=self(obs), validate_args=False)


class ValueNet(nn.Module):
    """V_phi(s): an MLP from observations to one number, the expected return from s."""

    def __init__(self, obs_size, hidden=64):
        super().__init__()
        _validate.positive_int("obs_size", obs_size)
        self.obs_size = obs_size
        self.net = mlp([obs_size, hidden, hidden, 1], out_std=1.0)

    def forward(self, obs):  # (..., obs_size) -> (...)
        _check_obs(obs, self.obs_size)
        return self.net(obs).squeeze(-1)


class ActorCritic(nn.Module):
    """An actor pi_theta(a | s) and a critic V_phi(s) as two separate MLPs, CleanRL-style: a
    :class:`CategoricalPolicy` and a :class:`ValueNet`, built in that order."""

    def __init__(self, obs_size, n_actions, hidden=64):
        super().__init__()
        self.actor = CategoricalPolicy(obs_size, n_actions, hidden)  # actor(obs) -> logits
        self.critic = ValueNet(obs_size, hidden)  # critic(obs) -> V(obs)
        self.obs_size = obs_size

    def get_value(self, obs):  # (..., obs_size) -> (...)
        return self.critic(obs)

    def get_action_and_value(self, obs, action=None):
        """Sample an action (or score the given one): action, log pi(a|s), entropy, V(s).

        The same numbers as ``torch.distributions.Categorical(logits=...)`` gives, written
        out with ``log_softmax`` because this runs at every environment step.
        """
        _check_obs(obs, self.obs_size)
        logp_all = torch.log_softmax(self.actor.net(obs), -1)  # (..., n_actions)
        probs = logp_all.exp()
        if action is None:  # argmax of p / Exp(1) noise: a sample from p, as torch.multinomial
            # draws one (same random numbers, same action), without its checks of p on every call
            action = (probs / torch.empty_like(probs).exponential_()).argmax(-1)
        logprob = logp_all.gather(-1, action.long().unsqueeze(-1)).squeeze(-1)
        entropy = -(probs * logp_all).sum(-1)
        return action, logprob, entropy, self.critic.net(obs).squeeze(-1)
