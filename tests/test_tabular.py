"""Tests of the tabular episodes in helpers.tabular: the random walk and the A/B batch."""

import numpy as np
import pytest

from helpers import tabular


def test_random_walk_episodes_start_in_the_middle_and_step_to_neighbours():
    walk = tabular.RandomWalk(n_states=5, seed=0)
    assert walk.states == ["A", "B", "C", "D", "E"]
    for episode in walk.episodes(200):
        assert episode[0][0] == "C"
        idx = [walk.states.index(s) for s, _ in episode]
        assert all(abs(b - a) == 1 for a, b in zip(idx[:-1], idx[1:], strict=True))
        assert idx[-1] in (0, 4)  # it ends by walking off an end
        rewards = [r for _, r in episode]
        assert all(r == 0.0 for r in rewards[:-1])  # only the last step can pay
        assert rewards[-1] == (1.0 if idx[-1] == 4 else 0.0)


def test_random_walk_true_values_match_the_empirical_returns():
    walk = tabular.RandomWalk(n_states=5, seed=1)
    assert walk.true_values == pytest.approx(
        {"A": 1 / 6, "B": 2 / 6, "C": 3 / 6, "D": 4 / 6, "E": 5 / 6}
    )
    # the undiscounted return from the start state is 1 exactly when the walk exits right
    finishes = [episode[-1][1] for episode in walk.episodes(20_000)]
    se = np.sqrt(0.25 / len(finishes))
    assert abs(np.mean(finishes) - walk.true_values["C"]) < 4 * se
    # mean episode length from the middle of 5 states is 3 * 3 = 9 (gambler's ruin)
    lengths = [len(e) for e in walk.episodes(20_000)]
    assert abs(np.mean(lengths) - 9.0) < 4 * np.std(lengths) / np.sqrt(len(lengths))


def test_random_walk_is_reproducible_with_a_seed():
    assert tabular.RandomWalk(seed=3).episodes(20) == tabular.RandomWalk(seed=3).episodes(20)
    assert tabular.RandomWalk(seed=3).episodes(20) != tabular.RandomWalk(seed=4).episodes(20)


def test_random_walk_other_sizes():
    walk = tabular.RandomWalk(n_states=19, seed=0)
    assert len(walk.states) == 19 and walk.episode()[0][0] == walk.states[9]
    assert walk.true_values[walk.states[-1]] == pytest.approx(19 / 20)


@pytest.mark.parametrize("bad", [4, 1, 27, 0, -5, 2.0, "5", True])
def test_random_walk_rejects_bad_sizes(bad):
    with pytest.raises(ValueError, match="n_states"):
        tabular.RandomWalk(n_states=bad)


@pytest.mark.parametrize("bad", [0, -1, 1.5])
def test_random_walk_episodes_rejects_bad_counts(bad):
    with pytest.raises(ValueError, match="n must"):
        tabular.RandomWalk(seed=0).episodes(bad)


def test_ab_episodes_are_the_books_batch():
    episodes = tabular.ab_episodes()
    assert len(episodes) == 8
    assert episodes[0] == [("A", 0.0), ("B", 0.0)]
    assert sorted(tuple(e) for e in episodes[1:]) == [(("B", 0.0),)] + [(("B", 1.0),)] * 6
    episodes[0].append(("X", 5.0))  # each call returns fresh lists
    assert tabular.ab_episodes()[0] == [("A", 0.0), ("B", 0.0)]
