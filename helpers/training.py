"""Guards and measures that the notebooks' training loops share (the loops themselves stay
inline in each notebook).

``check_finite`` stops a loop with one clear message when its loss turns NaN or infinite;
``autocast`` runs a forward pass in bfloat16 on CUDA and in full precision elsewhere;
``mean_last`` and ``reached`` are the one definition of CartPole's "solved" measure, the mean
return of the last 20 finished episodes.
"""

import math

import torch

from helpers import _validate

SOLVED_WINDOW = 20  # episodes in CartPole's "solved" measure


def check_finite(loss, stage, lower="learning_rate"):
    """Return ``loss`` unchanged if it is finite; otherwise stop training with a ``ValueError``
    that names the loss (``stage``, e.g. ``"A2C"``) and what to lower (``lower``)."""
    if not torch.isfinite(loss).all():
        raise ValueError(
            f"the {stage} loss became {loss.detach().float().mean().item()} (not finite): "
            f"lower {lower} and run the cell again"
        )
    return loss


def _returns_list(episode_returns, n):
    if not isinstance(episode_returns, (list, tuple)):
        raise ValueError(
            f"episode_returns must be a list of episode returns, got {type(episode_returns).__name__}"
        )
    return _validate.positive_int("n", n)


def mean_last(episode_returns, n=SOLVED_WINDOW):
    """The mean return of the last ``n`` finished episodes (``episode_returns`` lists them in
    the order they ended): of all of them while fewer than ``n`` have finished, 0.0 before the
    first. What the learning curves and progress bars show."""
    n = _returns_list(episode_returns, n)
    recent = episode_returns[-n:]
    return math.fsum(recent) / len(recent) if recent else 0.0


def reached(episode_returns, target, n=SOLVED_WINDOW):
    """True once at least ``n`` episodes have finished and the mean return of the last ``n``
    reaches ``target`` (475 for CartPole-v1)."""
    n = _returns_list(episode_returns, n)
    return len(episode_returns) >= n and mean_last(episode_returns, n) >= target


def autocast(device):
    """bfloat16 autocast on CUDA (faster matmuls on a GPU); a no-op elsewhere, so the CPU
    computes in full precision."""
    on_cuda = torch.device(device).type == "cuda"
    return torch.autocast("cuda" if on_cuda else "cpu", dtype=torch.bfloat16, enabled=on_cuda)
