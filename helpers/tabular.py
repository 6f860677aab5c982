"""Tabular episodes for notebook 04's prediction (``helpers.values``): Sutton and Barto's random
walk and their "you are the predictor" A/B batch, as lists of ``(state, reward)`` pairs.
"""

from helpers import _validate


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
