"""Environments: gymnasium's CartPole (single and vectorised), a small multi-armed bandit with
the closed forms of a softmax policy on it (one update, the variance of the gradient estimate),
and tiny tabular environments.

``make_vec_env`` builds a vector env that resets a finished sub-environment within the same
step (gymnasium's ``AutoresetMode.SAME_STEP``): the observation returned after a terminal
step is already the first observation of the next episode, and the last observation of the
finished one is in ``info["final_obs"]``. The rollout code in ``helpers.rollouts`` relies
on this, so every notebook trains only on real transitions.
"""

import gymnasium as gym
import numpy as np
import torch
from gymnasium.envs.classic_control.cartpole import CartPoleVectorEnv

from helpers import _validate


def _check_env_id(env_id):
    if not isinstance(env_id, str) or env_id not in gym.registry:
        close = [k for k in gym.registry if isinstance(env_id, str) and env_id.lower() in k.lower()]
        hint = f" (did you mean {max(close)!r}?)" if close else ""  # newest version
        raise ValueError(f"env_id must be a registered gymnasium id, got {env_id!r}{hint}")


def make_env(env_id="CartPole-v1", seed=None, **kwargs):
    """One gymnasium environment, reset once with ``seed`` so its episodes are reproducible."""
    _check_env_id(env_id)
    env = gym.make(env_id, **kwargs)
    env.reset(seed=seed)
    env.action_space.seed(seed)
    return env


def make_vec_env(
    env_id="CartPole-v1", num_envs=8, seed=None, vectorization_mode="sync", **env_kwargs
):
    """``num_envs`` copies of ``env_id`` stepped together, with same-step autoreset.

    At the step where an episode ends, ``info["final_obs"]`` holds its last observation and
    ``info["episode"]["r"]`` its return (where ``info["_episode"]`` is True).

    ``vectorization_mode="sync"`` steps ``num_envs`` gymnasium environments one after the
    other in Python; ``"vector"`` (CartPole-v1 only) uses gymnasium's numpy-vectorised
    CartPole, which steps all of them with a few array operations: the same dynamics, many
    times faster for small networks, with its own random stream for the starting states.
    The sub-environments are seeded from ``seed`` so runs are reproducible.
    ``env_kwargs`` go to each environment (e.g. ``max_episode_steps=50``).
    """
    _check_env_id(env_id)
    num_envs = _validate.positive_int("num_envs", num_envs)
    if vectorization_mode == "vector":
        if env_id != "CartPole-v1":
            raise ValueError(
                f"vectorization_mode='vector' supports only env_id='CartPole-v1', got {env_id!r}"
            )
        try:
            envs = SameStepCartPoleVectorEnv(num_envs=num_envs, **env_kwargs)
        except TypeError as err:  # an env_kwargs name the vector CartPole does not take
            raise ValueError(
                f"env_kwargs for vectorization_mode='vector' may be max_episode_steps or "
                f"render_mode, got {sorted(env_kwargs)}"
            ) from err
    elif vectorization_mode == "sync":
        envs = gym.make_vec(
            env_id,
            num_envs=num_envs,
            vectorization_mode="sync",
            **env_kwargs,
            vector_kwargs={"autoreset_mode": gym.vector.AutoresetMode.SAME_STEP},
        )
    else:
        raise ValueError(
            f"vectorization_mode must be 'sync' or 'vector', got {vectorization_mode!r}"
        )
    envs = gym.wrappers.vector.RecordEpisodeStatistics(envs)  # info["episode"]["r"] at each end
    envs.reset(seed=seed)
    envs.action_space.seed(seed)
    return envs


def cartpole_euler_step(env, x, x_dot, theta, theta_dot, force, xp):
    """CartPole-v1's equations of motion and one explicit Euler step of ``env.tau``, as
    gymnasium writes them, for numpy arrays (``xp=np``) or torch tensors (``xp=torch``).

    ``env`` holds the constants (gravity, masspole, total_mass, length, polemass_length,
    tau); ``force`` is +-force_mag per environment. Returns the next x, x_dot, theta,
    theta_dot. Both vectorised CartPoles step through this one function.
    """
    costheta, sintheta = xp.cos(theta), xp.sin(theta)
    temp = (force + env.polemass_length * xp.square(theta_dot) * sintheta) / env.total_mass
    thetaacc = (env.gravity * sintheta - costheta * temp) / (
        env.length * (4.0 / 3.0 - env.masspole * xp.square(costheta) / env.total_mass)
    )
    xacc = temp - env.polemass_length * thetaacc * costheta / env.total_mass
    return (
        x + env.tau * x_dot,
        x_dot + env.tau * xacc,
        theta + env.tau * theta_dot,
        theta_dot + env.tau * thetaacc,
    )


class SameStepCartPoleVectorEnv(CartPoleVectorEnv):
    """gymnasium's numpy-vectorised CartPole, resetting finished episodes in the same step.

    gymnasium's version resets on the *next* step (that step ignores the action and returns
    reward 0); this one resets at once and returns the last observation in
    ``info["final_obs"]`` (where ``info["_final_obs"]``), as the ``"sync"`` vector env does.
    ``step`` is gymnasium's physics (``cartpole_euler_step``, reward 1 per step) without the
    parts this variant does not need, which halves its cost on a few environments; the
    tests check it step by step against the single gymnasium env.
    """

    metadata = {**CartPoleVectorEnv.metadata, "autoreset_mode": gym.vector.AutoresetMode.SAME_STEP}

    def __init__(self, num_envs=1, **kwargs):
        super().__init__(num_envs=num_envs, **kwargs)
        if self._sutton_barto_reward:
            raise ValueError(
                "vectorization_mode='vector' supports only CartPole-v1's reward "
                "(sutton_barto_reward=False)"
            )

    def step(self, actions):
        actions = np.asarray(actions)
        if actions.shape != (self.num_envs,) or ((actions != 0) & (actions != 1)).any():
            raise ValueError(
                f"actions must be {self.num_envs} integers, each 0 or 1, got {actions!r}"
            )
        force = np.where(actions == 1, self.force_mag, -self.force_mag)
        self.state = np.stack(cartpole_euler_step(self, *self.state, force, np))  # (4, N)
        x, theta = self.state[0], self.state[2]
        terminated = (np.abs(x) > self.x_threshold) | (np.abs(theta) > self.theta_threshold_radians)
        self.steps += 1
        truncated = self.steps >= self.max_episode_steps
        reward = np.ones(self.num_envs, dtype=np.float32)
        obs = self.state.T.astype(np.float32)  # (N, 4)
        done = terminated | truncated
        info = {}
        if done.any():
            info = {"final_obs": obs.copy(), "_final_obs": done}
            # the reset that gymnasium would do on the next step, done now
            self.state[:, done] = self.np_random.uniform(
                self.low, self.high, size=(4, int(done.sum()))
            )
            self.steps[done] = 0
            obs = self.state.T.astype(np.float32)
        return obs, reward, terminated, truncated, info


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


def obs_size(envs):
    """Length of one observation vector of a (vector) env."""
    space = (
        envs.single_observation_space
        if hasattr(envs, "single_observation_space")
        else envs.observation_space
    )
    return int(np.prod(space.shape))


def n_actions(envs):
    """Number of discrete actions of a (vector) env."""
    space = envs.single_action_space if hasattr(envs, "single_action_space") else envs.action_space
    return int(space.n)


class RandomWalk:
    """Sutton and Barto's random walk (Example 6.2): ``n_states`` states in a row, named
    ``"A", "B", ...``; every episode starts in the middle one and steps left or right with
    probability 1/2 until it walks off an end. Walking off the right end pays 1, every other
    step pays 0, so the true value of the i-th state (counting from 1) is i / (n_states + 1).

    ``episode()`` returns one episode as a list of ``(state, reward)`` pairs, the reward being
    the one received on leaving that state: the format of ``helpers.values``.
    """

    def __init__(self, n_states=5, seed=None):
        import random

        n_states = _validate.positive_int("n_states", n_states, minimum=3)
        if n_states % 2 == 0 or n_states > 25:
            raise ValueError(f"n_states must be an odd integer in [3, 25], got {n_states}")
        self.n_states = n_states
        self.states = [chr(ord("A") + i) for i in range(n_states)]
        self.rng = random.Random(seed)

    @property
    def true_values(self):
        """The exact values {state: (i + 1) / (n_states + 1)}."""
        return {s: (i + 1) / (self.n_states + 1) for i, s in enumerate(self.states)}

    def episode(self):
        """One episode from the middle state: a list of ``(state, reward)`` pairs."""
        i, pairs = self.n_states // 2, []
        while 0 <= i < self.n_states:
            step = 1 if self.rng.random() < 0.5 else -1
            pairs.append((self.states[i], 1.0 if i + step == self.n_states else 0.0))
            i += step
        return pairs

    def episodes(self, n):
        """A list of ``n`` independent episodes."""
        n = _validate.positive_int("n", n)
        return [self.episode() for _ in range(n)]


def ab_episodes():
    """Sutton and Barto's "you are the predictor" batch (Example 6.4): eight episodes,
    ``A,0,B,0`` once, ``B,1`` six times and ``B,0`` once, as lists of ``(state, reward)``."""
    return [[("A", 0.0), ("B", 0.0)]] + [[("B", 1.0)] for _ in range(6)] + [[("B", 0.0)]]
