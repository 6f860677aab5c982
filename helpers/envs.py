"""Environments a notebook steps: gymnasium's CartPole, single and vectorised (the bandit of
notebooks 01-02 is in ``helpers.bandits``, the tabular episodes of notebook 04 in
``helpers.tabular``).

``make_vec_env`` builds a vector env that resets a finished sub-environment within the same
step (gymnasium's ``AutoresetMode.SAME_STEP``): the observation returned after a terminal
step is already the first observation of the next episode, and the last observation of the
finished one is in ``info["final_obs"]``. The rollout code in ``helpers.rollouts`` relies
on this, so every notebook trains only on real transitions.
"""

import gymnasium as gym
import numpy as np
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
