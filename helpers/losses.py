"""Losses the notebooks derive inline and then reuse: PPO's clipped surrogate, the
reward model's pairwise preference loss, and estimators of the KL divergence.
"""

import torch
import torch.nn.functional as F

from helpers import _validate


def ppo_clip_loss(logprobs, old_logprobs, advantages, clip_coef):
    r"""PPO-clip's loss to minimise: :math:`-\mathrm{mean}\,\min(\rho A, \mathrm{clip}(\rho, 1-\epsilon, 1+\epsilon) A)`.

    ``logprobs`` (with gradient), ``old_logprobs`` and ``advantages`` share one shape;
    the ratio is :math:`\rho = \exp(\log\pi - \log\pi_{old})`.
    """
    clip_coef = _validate.positive("clip_coef", clip_coef, allow_zero=True)
    _validate.finite_tensors(logprobs=logprobs, old_logprobs=old_logprobs, advantages=advantages)
    _validate.same_shape("logprobs", logprobs, "old_logprobs", old_logprobs)
    _validate.same_shape("logprobs", logprobs, "advantages", advantages)
    ratio = (logprobs - old_logprobs).exp()
    pg_loss1 = -advantages * ratio
    pg_loss2 = -advantages * torch.clamp(ratio, 1 - clip_coef, 1 + clip_coef)
    return torch.max(pg_loss1, pg_loss2).mean()


def preference_loss(r_chosen, r_rejected):
    r"""The reward model's pairwise loss :math:`-\mathrm{mean}\,\log\sigma(r_{chosen} - r_{rejected})`."""
    _validate.finite_tensors(r_chosen=r_chosen, r_rejected=r_rejected)
    _validate.same_shape("r_chosen", r_chosen, "r_rejected", r_rejected)
    return -F.logsigmoid(r_chosen - r_rejected).mean()


def approx_kl(logprobs, old_logprobs):
    r"""Schulman's low-variance estimator of KL(pi_old || pi) from samples of pi_old:
    :math:`\mathrm{mean}((\rho - 1) - \log\rho)`, always >= 0."""
    _validate.same_shape("logprobs", logprobs, "old_logprobs", old_logprobs)
    if logprobs.numel() == 0:
        raise ValueError("logprobs must not be empty")
    log_ratio = logprobs - old_logprobs
    return ((log_ratio.exp() - 1) - log_ratio).mean()
