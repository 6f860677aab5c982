"""Auto-checks for the "Your turn" exercises of notebooks 06-08 (PPO and what came after it):
PPO-clip's loss (06), the KL-penalised per-token rewards of 07's PPO, and DPO's loss (08).

The notebooks call them as ``checks.check_*`` (``helpers.checks`` names them too). They work
as the checks of 01-05 do, on ``helpers.checker.run``; their hints are here, by id, with the
Chinese text in ``helpers/zh.py``. ``checks.solution(name)`` prints the reference solution of
any exercise.
"""

import torch

from helpers import checker, solutions

# The hint of each typical mistake, by id ``<exercise>.<mistake>``.
HINTS = {
    "ppo_clip_loss.sign_error_loss": "a sign error: the loss to minimise is *minus* the clipped objective.",
    "ppo_clip_loss.min_missing_take": "the min is missing: take min(ratio * A, clip(ratio) * A), the pessimistic of the two.",
    "ppo_clip_loss.max_instead_min": "max instead of min: PPO keeps the *pessimistic* (smaller) objective.",
    "ppo_clip_loss.ratio_upside_down": "the ratio is upside down: rho = pi / pi_old = exp(newlogprobs - b_logprobs).",
    "ppo_clip_loss.clipped_log_ratio": "you clipped the log-ratio; clip the ratio itself to [1 - eps, 1 + eps].",
    "ppo_clip_loss.value_right_gradient": "the value is right but no gradient reaches newlogprobs: the ratio was detached (or computed from numbers). The ratio is what carries the gradient, d rho / d log pi = rho; do not detach it.",
    "kl_penalized_rewards.score_everywhere": "the reward model scores the whole response once: add its score at the last token only.",
    "kl_penalized_rewards.score_first": "the score belongs to the *last* token, when the response is complete.",
    "kl_penalized_rewards.flipped_kl": "the KL sign is flipped: penalise log pi - log pi_ref (the policy's own log-probabilities first), so a token pays when the policy likes it more than the reference does.",
    "kl_penalized_rewards.no_beta": "beta is missing: the penalty is beta * (log pi - log pi_ref).",
    "kl_penalized_rewards.score_replaces_last_penalty": "the last token lost its own penalty: add the score to it (+=), do not overwrite it.",
    "kl_penalized_rewards.penalty_summed_at_the_end": "the total is right but every token should pay its own penalty where it is sampled (per-token rewards), not all of it at the end.",
    "kl_penalized_rewards.no_penalty": "there is no KL penalty: every token pays -beta * (log pi - log pi_ref).",
    "kl_penalized_rewards.beta_on_the_score": "beta scales only the KL penalty, not the reward model's score.",
    "dpo_loss.sign_error_chosen": "a sign error: the chosen response's log-ratio comes first, beta * ((log pi(y_w) - log pi_ref(y_w)) - (log pi(y_l) - log pi_ref(y_l))).",
    "dpo_loss.sign_error_loss": "a sign error: the loss to minimise is *minus* the log-likelihood, -log sigmoid(...).",
    "dpo_loss.reference_missing_dpo": "the reference is missing: DPO's implicit reward is beta * log(pi(y) / pi_ref(y)), so subtract ref_logps_chosen and ref_logps_rejected.",
    "dpo_loss.reference_has_wrong": "the reference has the wrong sign: it is log pi(y) - log pi_ref(y), a log-ratio.",
    "dpo_loss.beta_wrong_place": "beta is in the wrong place: it multiplies the margin *inside* the log-sigmoid (it is the implicit reward's scale), not the loss.",
    "dpo_loss.beta_wrong_place_multiply": "beta is in the wrong place: multiply the margin by beta, do not divide by it.",
    "dpo_loss.beta_missing_margin": "beta is missing: the margin is multiplied by beta inside the log-sigmoid.",
    "dpo_loss.log_missing_minimise": "the log is missing: minimise -log sigmoid(...), the negative log-likelihood.",
    "dpo_loss.sum_instead_mean": "a sum instead of a mean over the comparisons of the batch.",
    "dpo_loss.value_right_gradient": "the value is right but no gradient reaches the policy's log-probabilities: they were detached (or turned into numbers). They are what DPO trains.",
}


def check_ppo_clip_loss(fn):
    """Notebook 06: ``fn(newlogprobs, b_logprobs, advantages, clip_coef)`` returns PPO-clip's loss
    (``newlogprobs``: the current policy's, ``b_logprobs``: pi_old's, recorded with the batch).

    The gradient with respect to ``newlogprobs`` is checked too: it is what PPO trains with, and
    it must be zero exactly where the clipped branch is taken.
    """
    old = torch.log(torch.full((6,), 0.5))
    new = torch.log(torch.tensor([0.3, 0.55, 0.7, 0.3, 0.55, 0.7]))
    adv = torch.tensor([1.0, 1.0, 1.0, -1.0, -1.0, -1.0])
    cases = [
        (new, old, adv, 0.2),
        (new, old, adv * 2.5, 0.15),
        (old, old, adv, 0.2),
    ]  # no ratio on a clip edge

    def ratio(lp, olp):
        return (lp - olp).exp()

    def clipped(lp, olp, a, e, r=None):
        r = ratio(lp, olp) if r is None else r
        return -torch.min(r * a, torch.clamp(r, 1 - e, 1 + e) * a).mean()

    mistakes = [
        (
            lambda lp, olp, a, e: -clipped(lp, olp, a, e),
            "ppo_clip_loss.sign_error_loss",
        ),
        (
            lambda lp, olp, a, e: -(torch.clamp(ratio(lp, olp), 1 - e, 1 + e) * a).mean(),
            "ppo_clip_loss.min_missing_take",
        ),
        (
            lambda lp, olp, a, e: (
                -torch.max(ratio(lp, olp) * a, torch.clamp(ratio(lp, olp), 1 - e, 1 + e) * a).mean()
            ),
            "ppo_clip_loss.max_instead_min",
        ),
        (
            lambda lp, olp, a, e: clipped(olp, lp, a, e),
            "ppo_clip_loss.ratio_upside_down",
        ),
        (
            lambda lp, olp, a, e: (
                -torch.min(ratio(lp, olp) * a, torch.clamp(lp - olp, -e, e).exp() * a).mean()
            ),
            "ppo_clip_loss.clipped_log_ratio",
        ),
        (
            lambda lp, olp, a, e: clipped(lp, olp, a, e, r=ratio(lp, olp).detach()),
            "ppo_clip_loss.value_right_gradient",
        ),
        (
            lambda lp, olp, a, e: clipped(lp.detach(), olp, a, e),
            "ppo_clip_loss.value_right_gradient",
        ),
    ]
    return checker.run(
        fn,
        cases,
        solutions.ppo_clip_loss_solution,
        mistakes,
        "ppo_clip_loss",
        hints=HINTS,
        grad_args=(0,),
    )


def check_kl_penalized_rewards(fn):
    """Notebook 07: ``fn(rm_score, logprobs, ref_logprobs, beta)`` returns per-token rewards (T,)."""
    torch.manual_seed(3)
    lp, ref = -torch.rand(6) * 3, -torch.rand(6) * 3
    cases = [
        (1.5, lp[:5], ref[:5], 0.1),
        (-0.5, lp, ref, 0.5),
        (2.0, lp[:1], ref[:1], 0.2),
        (0.8, lp[2:5], ref[2:5], 2.0),
    ]

    def kl(lp, ref, beta):
        return -beta * (lp - ref)

    def score_everywhere(s, lp, ref, beta):
        return kl(lp, ref, beta) + s

    def score_first(s, lp, ref, beta):
        out = kl(lp, ref, beta)
        out[0] = out[0] + s
        return out

    def flipped_kl(s, lp, ref, beta):
        return solutions.kl_penalized_rewards_solution(s, ref, lp, beta)

    def no_beta(s, lp, ref, beta):
        return solutions.kl_penalized_rewards_solution(s, lp, ref, 1.0)

    def score_replaces_last_penalty(s, lp, ref, beta):
        out = kl(lp, ref, beta)
        out[-1] = s
        return out

    def penalty_summed_at_the_end(s, lp, ref, beta):
        out = torch.zeros_like(lp)
        out[-1] = s + kl(lp, ref, beta).sum()
        return out

    def no_penalty(s, lp, ref, beta):
        out = torch.zeros_like(lp)
        out[-1] = s
        return out

    def beta_on_the_score(s, lp, ref, beta):
        return solutions.kl_penalized_rewards_solution(beta * s, lp, ref, beta)

    mistakes = [
        (
            score_everywhere,
            "kl_penalized_rewards.score_everywhere",
        ),
        (score_first, "kl_penalized_rewards.score_first"),
        (
            flipped_kl,
            "kl_penalized_rewards.flipped_kl",
        ),
        (no_beta, "kl_penalized_rewards.no_beta"),
        (
            score_replaces_last_penalty,
            "kl_penalized_rewards.score_replaces_last_penalty",
        ),
        (
            penalty_summed_at_the_end,
            "kl_penalized_rewards.penalty_summed_at_the_end",
        ),
        (no_penalty, "kl_penalized_rewards.no_penalty"),
        (
            beta_on_the_score,
            "kl_penalized_rewards.beta_on_the_score",
        ),
    ]
    return checker.run(
        fn,
        cases,
        solutions.kl_penalized_rewards_solution,
        mistakes,
        "kl_penalized_rewards",
        hints=HINTS,
    )


def check_dpo_loss(fn):
    """Notebook 08: ``fn(logps_chosen, logps_rejected, ref_logps_chosen, ref_logps_rejected,
    beta)`` returns DPO's loss. Its gradient with respect to the policy's log-probabilities
    (the first two arguments) is checked too: it is what DPO trains with."""
    torch.manual_seed(8)
    lc, lr = -torch.rand(5) * 20, -torch.rand(5) * 20
    rc, rr = lc + torch.randn(5), lr + torch.randn(5)
    cases = [(lc, lr, rc, rr, 0.1), (lc, lr, rc, rr, 0.5), (lc[:3], lr[:3], rc[:3], rr[:3], 2.0)]
    logsig = torch.nn.functional.logsigmoid

    def margin(lc, lr, rc, rr):
        return (lc - rc) - (lr - rr)

    mistakes = [
        (
            lambda lc, lr, rc, rr, b: -logsig(-b * margin(lc, lr, rc, rr)).mean(),
            "dpo_loss.sign_error_chosen",
        ),
        (
            lambda lc, lr, rc, rr, b: logsig(b * margin(lc, lr, rc, rr)).mean(),
            "dpo_loss.sign_error_loss",
        ),
        (
            lambda lc, lr, rc, rr, b: -logsig(b * (lc - lr)).mean(),
            "dpo_loss.reference_missing_dpo",
        ),
        (
            lambda lc, lr, rc, rr, b: -logsig(b * ((lc + rc) - (lr + rr))).mean(),
            "dpo_loss.reference_has_wrong",
        ),
        (
            lambda lc, lr, rc, rr, b: -b * logsig(margin(lc, lr, rc, rr)).mean(),
            "dpo_loss.beta_wrong_place",
        ),
        (
            lambda lc, lr, rc, rr, b: -logsig(margin(lc, lr, rc, rr) / b).mean(),
            "dpo_loss.beta_wrong_place_multiply",
        ),
        (
            lambda lc, lr, rc, rr, b: -logsig(margin(lc, lr, rc, rr)).mean(),
            "dpo_loss.beta_missing_margin",
        ),
        (
            lambda lc, lr, rc, rr, b: -torch.sigmoid(b * margin(lc, lr, rc, rr)).mean(),
            "dpo_loss.log_missing_minimise",
        ),
        (
            lambda lc, lr, rc, rr, b: -logsig(b * margin(lc, lr, rc, rr)).sum(),
            "dpo_loss.sum_instead_mean",
        ),
        (
            lambda lc, lr, rc, rr, b: solutions.dpo_loss_solution(
                lc.detach(), lr.detach(), rc, rr, b
            ),
            "dpo_loss.value_right_gradient",
        ),
    ]
    return checker.run(
        fn, cases, solutions.dpo_loss_solution, mistakes, "dpo_loss", hints=HINTS, grad_args=(0, 1)
    )
