"""Tests of helpers.values (tabular MC and TD prediction) against naive definitions."""

import math
import random

import numpy as np
import pytest

from helpers import tabular, values


def random_episodes(seed, n_episodes=30, states="ABCDE"):
    rng = random.Random(seed)
    return [
        [(rng.choice(states), rng.choice([-1.0, 0.0, 0.5, 2.0])) for _ in range(rng.randint(1, 8))]
        for _ in range(n_episodes)
    ]


def naive_return(episode, t, gamma):
    """G_t written as the explicit sum sum_k gamma^k r_{t+k} to the end of the episode."""
    return sum(gamma**k * r for k, (_, r) in enumerate(episode[t:]))


def naive_mc_average(episodes, gamma):
    returns = {}
    for ep in episodes:
        for t, (s, _) in enumerate(ep):
            returns.setdefault(s, []).append(naive_return(ep, t, gamma))
    return {s: sum(g) / len(g) for s, g in returns.items()}


def certainty_equivalence(episodes, gamma):
    """Values of the maximum-likelihood Markov model of the data: solve (I - gamma P) V = r."""
    states = sorted({s for ep in episodes for s, _ in ep})
    idx = {s: i for i, s in enumerate(states)}
    n = len(states)
    counts, P, r = np.zeros(n), np.zeros((n, n)), np.zeros(n)
    for ep in episodes:
        for t, (s, rew) in enumerate(ep):
            counts[idx[s]] += 1
            r[idx[s]] += rew
            if t + 1 < len(ep):  # the last step goes to the terminal state, value 0
                P[idx[s], idx[ep[t + 1][0]]] += 1
    P /= counts[:, None]
    r /= counts
    V = np.linalg.solve(np.eye(n) - gamma * P, r)
    return {s: V[idx[s]] for s in states}


# --- the book's A/B example -------------------------------------------------------------


def test_ab_example_mc_and_batch_td():
    episodes = tabular.ab_episodes()
    mc = values.mc_prediction(episodes)
    td = values.td_prediction(episodes, batch=True)
    assert mc == pytest.approx({"A": 0.0, "B": 0.75})
    assert td == pytest.approx({"A": 0.75, "B": 0.75}, abs=1e-6)


# --- Monte-Carlo ------------------------------------------------------------------------


@pytest.mark.parametrize("gamma", [1.0, 0.9, 0.0])
def test_mc_average_matches_naive_definition(gamma):
    episodes = random_episodes(seed=1)
    assert values.mc_prediction(episodes, gamma=gamma) == pytest.approx(
        naive_mc_average(episodes, gamma)
    )


def test_constant_alpha_mc_matches_naive_loop():
    episodes, gamma, alpha = random_episodes(seed=2), 0.8, 0.3
    V = {"A": 0.5, "Z": 7.0}
    expected = dict(V)
    for ep in episodes:
        for t, (s, _) in enumerate(ep):
            v = expected.get(s, 0.0)
            expected[s] = v + alpha * (naive_return(ep, t, gamma) - v)
    got = values.mc_prediction(episodes, gamma=gamma, alpha=alpha, init=V)
    assert got == pytest.approx(expected)
    assert got["Z"] == 7.0 and V == {"A": 0.5, "Z": 7.0}  # unvisited kept; init not changed
    # one call on all episodes == one call per episode, carrying V along
    carried = V
    for ep in episodes:
        carried = values.mc_prediction([ep], gamma=gamma, alpha=alpha, init=carried)
    assert carried == pytest.approx(got)


def test_mc_alpha_one_is_the_last_return():
    episodes = [[("A", 1.0), ("B", 2.0)], [("A", 5.0)]]
    assert values.mc_prediction(episodes, alpha=1.0) == {"A": 5.0, "B": 2.0}


# --- TD ---------------------------------------------------------------------------------


@pytest.mark.parametrize("gamma", [1.0, 0.9])
def test_online_td_matches_naive_loop(gamma):
    episodes, alpha = random_episodes(seed=3), 0.2
    expected = {"C": 1.0}
    for ep in episodes:
        states = [s for s, _ in ep] + [None]  # None: the terminal state after the last step
        for t, (s, r) in enumerate(ep):
            v_next = 0.0 if states[t + 1] is None else expected.get(states[t + 1], 0.0)
            v = expected.get(s, 0.0)
            expected[s] = v + alpha * (r + gamma * v_next - v)
    got = values.td_prediction(episodes, gamma=gamma, alpha=alpha, batch=False, init={"C": 1.0})
    assert got == pytest.approx(expected)


@pytest.mark.parametrize("gamma", [1.0, 0.7])
@pytest.mark.parametrize("alpha", [1.0, 0.3])
def test_batch_td_is_the_certainty_equivalence_estimate(gamma, alpha):
    episodes = random_episodes(seed=4)
    got = values.td_prediction(episodes, gamma=gamma, alpha=alpha, batch=True)
    assert got == pytest.approx(certainty_equivalence(episodes, gamma), abs=1e-6)


def test_batch_td_matches_the_books_summed_increments():
    """The book's batch TD (sum the increments, apply once per sweep) has the same limit."""
    episodes, gamma, alpha = random_episodes(seed=5, n_episodes=10), 0.9, 0.01
    V = {}
    for _ in range(20_000):
        inc = {}
        for ep in episodes:
            for t, (s, r) in enumerate(ep):
                v_next = V.get(ep[t + 1][0], 0.0) if t + 1 < len(ep) else 0.0
                inc[s] = inc.get(s, 0.0) + alpha * (r + gamma * v_next - V.get(s, 0.0))
        V = {s: V.get(s, 0.0) + d for s, d in inc.items()}
        if max(abs(d) for d in inc.values()) < 1e-12:
            break
    assert values.td_prediction(episodes, gamma=gamma, batch=True) == pytest.approx(V, abs=1e-6)


def test_no_bootstrapping_across_episode_ends():
    """An episode ends after its last pair: the next episode's first state is not s_{t+1}."""
    episodes = [[("A", 0.0)], [("B", 1.0)]]
    for batch in (True, False):
        V = values.td_prediction(episodes, alpha=1.0, batch=batch)
        assert V["A"] == 0.0 and V["B"] == pytest.approx(1.0)
    assert values.mc_prediction(episodes) == {"A": 0.0, "B": 1.0}


def test_batch_td_on_the_random_walk_approaches_the_true_values():
    walk = tabular.RandomWalk(seed=0)
    V = values.td_prediction(walk.episodes(2000), alpha=1.0)
    assert max(abs(V[s] - v) for s, v in walk.true_values.items()) < 0.03


def test_batch_td_keeps_unvisited_init_states():
    V = values.td_prediction([[("A", 1.0)]], init={"Q": 3.0})
    assert V["Q"] == 3.0 and list(V) == ["Q", "A"]


def test_batch_td_that_cannot_settle_says_so():
    with pytest.raises(RuntimeError, match="max_sweeps"):
        values.td_prediction(random_episodes(seed=6), alpha=0.01, max_sweeps=3)


# --- bad input --------------------------------------------------------------------------

BAD_EPISODES = [
    [],  # no episodes
    [[]],  # an empty episode
    "AB",  # a string
    [("A", 0.0), ("B", 1.0)],  # one episode instead of a list of episodes
    [[("A",)]],  # not a pair
    [[("A", float("nan"))]],  # non-finite reward
    [[("A", math.inf)]],
    [[("A", "one")]],
    [[(["A"], 1.0)]],  # unhashable state
    [[("A", True)]],  # a bool is not a reward
]


@pytest.mark.parametrize("episodes", BAD_EPISODES)
@pytest.mark.parametrize(
    "fn",
    [values.mc_prediction, values.td_prediction, lambda e: values.td_prediction(e, batch=False)],
)
def test_bad_episodes_raise(fn, episodes):
    with pytest.raises(ValueError, match="episodes"):
        fn(episodes)


def test_one_episode_instead_of_a_list_gets_a_hint():
    with pytest.raises(ValueError, match="one episode instead of a list"):
        values.mc_prediction([("A", 0.0), ("B", 1.0)])


@pytest.mark.parametrize("gamma", [-0.1, 1.5, float("nan"), math.inf, None])
def test_bad_gamma_raises(gamma):
    for fn in (values.mc_prediction, values.td_prediction):
        with pytest.raises(ValueError, match="gamma"):
            fn(tabular.ab_episodes(), gamma=gamma)


@pytest.mark.parametrize("alpha", [0.0, -0.1, 1.5, float("nan"), math.inf])
def test_bad_alpha_raises(alpha):
    with pytest.raises(ValueError, match="alpha"):
        values.mc_prediction(tabular.ab_episodes(), alpha=alpha)
    for batch in (True, False):
        with pytest.raises(ValueError, match="alpha"):
            values.td_prediction(tabular.ab_episodes(), alpha=alpha, batch=batch)


@pytest.mark.parametrize("init", [[0.5], {"A": float("nan")}, {"A": "x"}, 0.5])
def test_bad_init_raises(init):
    for fn in (values.mc_prediction, values.td_prediction):
        with pytest.raises(ValueError, match="init"):
            fn(tabular.ab_episodes(), init=init)


def test_other_bad_arguments_raise():
    with pytest.raises(ValueError, match="batch"):
        values.td_prediction(tabular.ab_episodes(), batch="yes")
    with pytest.raises(ValueError, match="tol"):
        values.td_prediction(tabular.ab_episodes(), tol=0.0)
    with pytest.raises(ValueError, match="max_sweeps"):
        values.td_prediction(tabular.ab_episodes(), max_sweeps=0)
