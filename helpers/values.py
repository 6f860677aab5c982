r"""Tabular prediction: Monte-Carlo and TD(0) estimates of the state values V(s) of a policy.

Notebook 04 writes both inline and asserts that they equal these.

An *episode* is a list of ``(state, reward)`` pairs, the reward being the one received on
leaving that state; the episode ends after its last pair, in a terminal state of value 0.
States are any hashable names (``"A"``, ``3``, a tuple). Both functions take a list of
episodes and return a dict ``{state: value}`` holding every state of ``init`` and of the
episodes, in the order first met. Neither changes its arguments, so learning online, one
episode at a time, is ``V = td_prediction([episode], alpha=0.1, batch=False, init=V)``.

* :func:`mc_prediction`: the return :math:`G_t = r_t + \gamma G_{t+1}` is the target.
  With ``alpha=None`` V(s) is the average of every return that followed a visit to s
  (every-visit MC); with a number, each episode moves :math:`V(s_t) \mathrel{+}= \alpha
  (G_t - V(s_t))` (constant-alpha MC).
* :func:`td_prediction`: :math:`r_t + \gamma V(s_{t+1})` is the target. ``batch=False``
  is online TD(0), :math:`V(s_t) \mathrel{+}= \alpha\,\delta_t` step by step;
  ``batch=True`` sweeps the fixed data until V stops changing.
"""

import math
from collections.abc import Hashable

import numpy as np

from helpers import _validate


def _check_episodes(episodes):
    """Check the episodes' format; return them as lists of (state, float reward)."""
    if isinstance(episodes, (str, bytes)) or not isinstance(episodes, (list, tuple)):
        raise ValueError(
            f"episodes must be a list of episodes, each a list of (state, reward) pairs, "
            f"got {type(episodes).__name__}"
        )
    if len(episodes) == 0:
        raise ValueError("episodes must hold at least one episode, got an empty list")
    checked = []
    for i, episode in enumerate(episodes):
        if not isinstance(episode, (list, tuple)) or len(episode) == 0:
            raise ValueError(
                f"episodes[{i}] must be a non-empty list of (state, reward) pairs, got {episode!r}"
            )
        pairs = []
        for t, pair in enumerate(episode):
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                hint = (
                    " (did you pass one episode instead of a list of episodes?)"
                    if isinstance(episode, tuple) and len(episode) == 2
                    else ""
                )
                raise ValueError(
                    f"episodes[{i}][{t}] must be a (state, reward) pair, got {pair!r}{hint}"
                )
            state, reward = pair
            if not isinstance(state, Hashable):
                raise ValueError(
                    f"episodes[{i}][{t}]: the state must be hashable (a name or number), "
                    f"got {state!r}"
                )
            try:
                reward = float(reward)
            except (TypeError, ValueError):
                reward = math.nan
            if isinstance(pair[1], bool) or not math.isfinite(reward):
                raise ValueError(
                    f"episodes[{i}][{t}]: the reward must be a finite number, got {pair[1]!r}"
                )
            pairs.append((state, reward))
        checked.append(pairs)
    return checked


def _start_values(init):
    """A fresh dict of float starting values from ``init`` (None means empty)."""
    if init is None:
        return {}
    if not isinstance(init, dict):
        raise ValueError(f"init must be a dict {{state: value}} or None, got {type(init).__name__}")
    values = {}
    for state, v in init.items():
        try:
            v = float(v)
        except (TypeError, ValueError):
            v = math.nan
        if not math.isfinite(v):
            raise ValueError(f"init[{state!r}] must be a finite number, got {init[state]!r}")
        values[state] = v
    return values


def mc_prediction(episodes, gamma=1.0, alpha=None, init=None):
    r"""Monte-Carlo prediction: V(s) from the returns :math:`G_t` that followed visits to s.

    ``alpha=None``: every-visit average of the returns over all ``episodes`` (the states of
    ``init`` that no episode visits keep their value). ``alpha`` in (0, 1]: constant-alpha
    MC, starting from ``init`` (missing states start at 0), episode after episode,
    :math:`V(s_t) \leftarrow V(s_t) + \alpha (G_t - V(s_t))` for t = 0, 1, ...
    """
    episodes = _check_episodes(episodes)
    gamma = _validate.number_in("gamma", gamma, 0.0, 1.0)
    if alpha is not None:
        alpha = _validate.number_in("alpha", alpha, 0.0, 1.0, low_open=True)
    values = _start_values(init)
    sums, counts = {}, {}
    for episode in episodes:
        G, returns = 0.0, []
        for _, reward in reversed(episode):
            G = reward + gamma * G  # G_t = r_t + gamma G_{t+1}
            returns.append(G)
        for (state, _), G in zip(episode, reversed(returns), strict=True):
            if alpha is None:
                sums[state] = sums.get(state, 0.0) + G
                counts[state] = counts.get(state, 0) + 1
                values.setdefault(state, 0.0)
            else:
                v = values.get(state, 0.0)
                values[state] = v + alpha * (G - v)
    for state, total in sums.items():
        values[state] = total / counts[state]
    return values


def td_prediction(
    episodes, gamma=1.0, alpha=0.1, batch=True, init=None, tol=1e-10, max_sweeps=100_000
):
    r"""TD(0) prediction: V(s) from the targets :math:`r_t + \gamma V(s_{t+1})`
    (:math:`V = 0` after the last step of an episode), starting from ``init`` (0 elsewhere).

    ``batch=False``: online TD(0), one pass over the episodes in order, updating after
    every step: :math:`V(s_t) \leftarrow V(s_t) + \alpha\,\delta_t`, with
    :math:`\delta_t = r_t + \gamma V(s_{t+1}) - V(s_t)`.

    ``batch=True``: batch TD(0) on the fixed data. Each sweep computes :math:`\delta_t` of
    every step with the current V, then moves each V(s) by ``alpha`` times the *average*
    :math:`\delta` over the visits to s (the book sums them; averaging has the same fixed
    point and converges for any ``alpha`` in (0, 1]). Sweeps repeat until no value moves by
    more than ``tol``; the result is the value of the maximum-likelihood Markov model of
    the data (the "certainty-equivalence" estimate).
    """
    episodes = _check_episodes(episodes)
    gamma = _validate.number_in("gamma", gamma, 0.0, 1.0)
    alpha = _validate.number_in("alpha", alpha, 0.0, 1.0, low_open=True)
    if not isinstance(batch, bool):
        raise ValueError(f"batch must be True or False, got {batch!r}")
    values = _start_values(init)
    if not batch:
        for episode in episodes:
            for t, (state, reward) in enumerate(episode):
                v_next = values.get(episode[t + 1][0], 0.0) if t + 1 < len(episode) else 0.0
                v = values.get(state, 0.0)
                values[state] = v + alpha * (reward + gamma * v_next - v)  # V += alpha delta
        return values

    tol = _validate.positive("tol", tol)
    max_sweeps = _validate.positive_int("max_sweeps", max_sweeps)
    for episode in episodes:
        for state, _ in episode:
            values.setdefault(state, 0.0)
    states = list(values)
    index = {s: i for i, s in enumerate(states)}
    terminal = len(states)  # one extra slot that always holds V = 0
    s_idx = np.array([index[s] for ep in episodes for s, _ in ep])  # (steps,)
    rewards = np.array([r for ep in episodes for _, r in ep])  # (steps,)
    next_idx = np.array(
        [
            index[ep[t + 1][0]] if t + 1 < len(ep) else terminal
            for ep in episodes
            for t in range(len(ep))
        ]
    )  # (steps,)
    visits = np.bincount(s_idx, minlength=terminal + 1).astype(float)
    visits[visits == 0] = 1.0  # states of init never visited: no delta, no change
    V = np.array([values[s] for s in states] + [0.0])  # (states + 1,)
    for _ in range(max_sweeps):
        deltas = rewards + gamma * V[next_idx] - V[s_idx]  # (steps,) TD errors
        step = alpha * np.bincount(s_idx, weights=deltas, minlength=terminal + 1) / visits
        V = V + step
        if np.abs(step).max() <= tol:
            return {s: float(V[i]) for i, s in enumerate(states)}
    raise RuntimeError(
        f"batch TD did not settle within max_sweeps={max_sweeps} sweeps (last change "
        f"{np.abs(step).max():.2e} > tol={tol}); raise alpha (up to 1) or max_sweeps"
    )
