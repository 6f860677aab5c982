"""Losses the notebooks derive inline and then reuse: PPO's clipped surrogate (the loss, and
the per-sample objective that notebook 06 draws), the reward model's pairwise preference loss,
DPO's loss, and the estimators of the KL divergence from samples (``kl_estimate``).
"""

import numpy as np
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


def clipped_surrogate(ratio, advantage, clip_coef):
    """PPO-clip's per-sample objective min(ratio * A, clip(ratio, 1 - eps, 1 + eps) * A), to maximise,
    as a NumPy array shaped like ``ratio`` (what notebook 06 draws against the ratio; the loss
    :func:`ppo_clip_loss` is minus its mean)."""
    clip_coef = _validate.number_in("clip_coef", clip_coef, 0.0, 1.0)
    advantage = _validate.number_in("advantage", advantage, -1e6, 1e6)
    ratio = np.asarray(ratio, dtype=float)
    if (ratio < 0).any() or not np.isfinite(ratio).all():
        raise ValueError("ratio must hold finite, non-negative probability ratios")
    return np.minimum(ratio * advantage, np.clip(ratio, 1 - clip_coef, 1 + clip_coef) * advantage)


def preference_loss(r_chosen, r_rejected):
    r"""The reward model's pairwise loss :math:`-\mathrm{mean}\,\log\sigma(r_{chosen} - r_{rejected})`."""
    _validate.finite_tensors(r_chosen=r_chosen, r_rejected=r_rejected)
    _validate.same_shape("r_chosen", r_chosen, "r_rejected", r_rejected)
    return -F.logsigmoid(r_chosen - r_rejected).mean()


KL_ESTIMATORS = ("k1", "k2", "k3")


def kl_estimate(logprobs, ref_logprobs, estimator="k3"):
    r"""An estimate of KL(sampler || ref) from samples: ``logprobs`` are the samples'
    log-probabilities under the distribution that drew them, ``ref_logprobs`` under the other
    one. The order of the arguments is the order in the KL.

    With :math:`\log r = \log\pi_{ref} - \log\pi` at each sample, the mean of
    ``"k1"``: :math:`-\log r` (unbiased, can be negative, high variance);
    ``"k2"``: :math:`(\log r)^2 / 2` (biased, low variance, >= 0);
    ``"k3"``: :math:`(r - 1) - \log r` (unbiased and >= 0: the usual choice).
    Notebook 07 samples from the policy pi being trained: ``kl_estimate(logprobs,
    ref_logprobs)`` is KL(pi || pi_ref). PPO's diagnostic ``approx_kl`` (notebooks 05-07)
    reuses a batch drawn by pi_old: ``kl_estimate(old_logprobs, new_logprobs)`` is
    KL(pi_old || pi), Schulman's :math:`\mathrm{mean}((\rho - 1) - \log\rho)`.
    ``logprobs`` and ``ref_logprobs`` share one shape; the mean is over all elements.
    """
    if estimator not in KL_ESTIMATORS:
        raise ValueError(f"estimator must be one of {KL_ESTIMATORS}, got {estimator!r}")
    _validate.finite_tensors(logprobs=logprobs, ref_logprobs=ref_logprobs)
    _validate.same_shape("logprobs", logprobs, "ref_logprobs", ref_logprobs)
    log_r = ref_logprobs - logprobs
    if estimator == "k1":
        return (-log_r).mean()
    if estimator == "k2":
        return (log_r**2 / 2).mean()
    return (log_r.exp() - 1 - log_r).mean()


def dpo_loss(logps_chosen, logps_rejected, ref_logps_chosen, ref_logps_rejected, beta):
    r"""DPO's loss (Rafailov et al., 2023), to minimise:
    :math:`-\mathrm{mean}\,\log\sigma\big(\beta\,[(\log\pi(y_w) - \log\pi_{ref}(y_w)) - (\log\pi(y_l) - \log\pi_{ref}(y_l))]\big)`.

    Each argument is a (B,) tensor of summed response log-probabilities (policy or reference,
    chosen y_w or rejected y_l, of the same B comparisons); ``beta`` > 0.
    """
    beta = _validate.positive("beta", beta)
    named = {
        "logps_chosen": logps_chosen,
        "logps_rejected": logps_rejected,
        "ref_logps_chosen": ref_logps_chosen,
        "ref_logps_rejected": ref_logps_rejected,
    }
    _validate.finite_tensors(**named)
    for name, x in named.items():
        if x.dim() != 1:
            raise ValueError(f"{name} must have shape (B,), got {tuple(x.shape)}")
        _validate.same_shape("logps_chosen", logps_chosen, name, x)
    margin = (logps_chosen - ref_logps_chosen) - (logps_rejected - ref_logps_rejected)
    return -F.logsigmoid(beta * margin).mean()
