"""ppo_clip_loss, preference_loss, kl_estimate and dpo_loss against naive definitions, and their errors."""

import math

import pytest
import torch

from helpers import losses


def naive_ppo_clip(logprobs, old_logprobs, advantages, eps):
    total = 0.0
    for lp, olp, a in zip(
        logprobs.tolist(), old_logprobs.tolist(), advantages.tolist(), strict=True
    ):
        ratio = math.exp(lp - olp)
        total += min(ratio * a, min(max(ratio, 1 - eps), 1 + eps) * a)
    return -total / len(advantages)


def test_ppo_clip_loss_matches_naive_formula():
    torch.manual_seed(0)
    logprobs, old = torch.randn(50) * 0.3 - 1, torch.randn(50) * 0.3 - 1
    adv = torch.randn(50)
    got = losses.ppo_clip_loss(logprobs, old, adv, 0.2).item()
    assert got == pytest.approx(naive_ppo_clip(logprobs, old, adv, 0.2), abs=1e-6)


def test_ppo_clip_loss_gradient_is_zero_where_clipped_and_ratio_times_a_elsewhere():
    old = torch.zeros(4)
    # ratios 1.5 (A>0: clipped), 0.5 (A<0: clipped), 1.1 (A>0: inside), 0.5 (A>0: below range, not clipped)
    logprobs = torch.log(torch.tensor([1.5, 0.5, 1.1, 0.5])).requires_grad_()
    adv = torch.tensor([1.0, -1.0, 2.0, 1.0])
    losses.ppo_clip_loss(logprobs, old, adv, 0.2).backward()
    ratio = logprobs.detach().exp()
    want = torch.tensor(
        [0.0, 0.0, -ratio[2] * 2.0 / 4, -ratio[3] * 1.0 / 4]
    )  # d/dlogpi of -ratio*A/n
    assert torch.allclose(logprobs.grad, want, atol=1e-6)


def test_ppo_clip_loss_with_ratio_one_is_minus_mean_advantage():
    adv = torch.tensor([1.0, -3.0, 0.5])
    lp = torch.tensor([-0.5, -1.0, -2.0])
    assert losses.ppo_clip_loss(lp, lp.clone(), adv, 0.1).item() == pytest.approx(
        -adv.mean().item()
    )


def test_preference_loss_matches_naive_and_prefers_larger_gaps():
    chosen, rejected = torch.tensor([2.0, 0.0, -1.0]), torch.tensor([1.0, 0.5, -3.0])
    naive = (
        -sum(
            math.log(1 / (1 + math.exp(-(c - r))))
            for c, r in zip(chosen.tolist(), rejected.tolist(), strict=True)
        )
        / 3
    )
    assert losses.preference_loss(chosen, rejected).item() == pytest.approx(naive, abs=1e-6)
    assert losses.preference_loss(chosen + 1, rejected) < losses.preference_loss(chosen, rejected)
    assert losses.preference_loss(torch.tensor([0.0]), torch.tensor([0.0])).item() == pytest.approx(
        math.log(2)
    )


def test_kl_estimate_direction_is_the_order_of_its_arguments():
    """Samples of pi_old: kl_estimate(old, new) is KL(pi_old || pi_new), not the reverse
    (notebooks 05-07's approx_kl)."""
    torch.manual_seed(0)
    p_old = torch.tensor([0.7, 0.2, 0.1])
    p_new = torch.tensor([0.4, 0.3, 0.3])
    samples = torch.multinomial(p_old, 200_000, replacement=True)
    estimate = losses.kl_estimate(p_old.log()[samples], p_new.log()[samples]).item()
    exact = (p_old * (p_old / p_new).log()).sum().item()
    reverse = (p_new * (p_new / p_old).log()).sum().item()
    assert estimate >= 0 and estimate == pytest.approx(exact, rel=0.03)
    assert estimate != pytest.approx(reverse, rel=0.05)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: losses.ppo_clip_loss(torch.zeros(3), torch.zeros(3), torch.zeros(3), -0.1),
            "clip_coef must be a number",
        ),
        (
            lambda: losses.ppo_clip_loss(torch.zeros(3), torch.zeros(2), torch.zeros(3), 0.2),
            "logprobs and old_logprobs must have the same shape",
        ),
        (
            lambda: losses.ppo_clip_loss(torch.zeros(3), torch.zeros(3), torch.zeros(4), 0.2),
            "logprobs and advantages must have the same shape",
        ),
        (
            lambda: losses.ppo_clip_loss(torch.zeros(0), torch.zeros(0), torch.zeros(0), 0.2),
            "logprobs must not be empty",
        ),
        (
            lambda: losses.ppo_clip_loss(
                torch.tensor([float("nan")]), torch.zeros(1), torch.zeros(1), 0.2
            ),
            "logprobs must contain only finite",
        ),
        (
            lambda: losses.ppo_clip_loss(
                torch.zeros(2), torch.zeros(2), torch.tensor([1.0, float("-inf")]), 0.2
            ),
            "advantages must contain only finite",
        ),
        (
            # +inf and -inf in two arguments: the sum is NaN, and the first is named
            lambda: losses.ppo_clip_loss(
                torch.zeros(1), torch.tensor([float("inf")]), torch.tensor([-float("inf")]), 0.2
            ),
            "old_logprobs must contain only finite",
        ),
        (
            lambda: losses.ppo_clip_loss([0.0], torch.zeros(1), torch.zeros(1), 0.2),
            "logprobs must be a torch tensor",
        ),
        (
            lambda: losses.preference_loss(torch.zeros(2), torch.zeros(3)),
            "r_chosen and r_rejected must have the same shape",
        ),
        (
            lambda: losses.preference_loss(torch.zeros(0), torch.zeros(0)),
            "r_chosen must not be empty",
        ),
        (
            lambda: losses.preference_loss(torch.tensor([float("inf")]), torch.zeros(1)),
            "r_chosen must contain only finite",
        ),
    ],
)
def test_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------- kl_estimate and dpo_loss


def test_kl_estimate_matches_the_three_naive_formulas():
    torch.manual_seed(1)
    lp, ref = -torch.rand(40) * 3, -torch.rand(40) * 3
    log_r = [r - p for p, r in zip(lp.tolist(), ref.tolist(), strict=True)]
    naive = {
        "k1": sum(-x for x in log_r) / 40,
        "k2": sum(x * x / 2 for x in log_r) / 40,
        "k3": sum(math.exp(x) - 1 - x for x in log_r) / 40,
    }
    for name, want in naive.items():
        assert losses.kl_estimate(lp, ref, name).item() == pytest.approx(want, rel=1e-5)
    assert losses.kl_estimate(lp, ref).item() == pytest.approx(naive["k3"], rel=1e-5)


def test_kl_estimators_against_the_exact_kl_of_two_categoricals():
    pi = torch.tensor([0.5, 0.3, 0.15, 0.05])
    ref = torch.tensor([0.25, 0.25, 0.25, 0.25])
    exact = (pi * (pi / ref).log()).sum().item()
    gen = torch.Generator().manual_seed(0)
    a = torch.multinomial(pi, 200_000, replacement=True, generator=gen)
    lp, lr = pi.log()[a], ref.log()[a]
    log_r = lr - lp
    for name, per_sample in (("k1", -log_r), ("k3", log_r.exp() - 1 - log_r)):
        se = per_sample.std().item() / len(a) ** 0.5
        assert abs(losses.kl_estimate(lp, lr, name).item() - exact) < 4 * se, name  # unbiased
    k2 = losses.kl_estimate(lp, lr, "k2").item()
    assert abs(k2 - exact) > 0.002 and abs(k2 - exact) < 0.3 * exact  # biased, but close here
    assert (log_r.exp() - 1 - log_r >= 0).all()  # k3 is never negative, k1 often is
    assert (-log_r < 0).any()


def naive_dpo(pc, pr, rc, rr, beta):
    total = 0.0
    for a, b, c, d in zip(pc.tolist(), pr.tolist(), rc.tolist(), rr.tolist(), strict=True):
        total += math.log(1 + math.exp(-beta * ((a - c) - (b - d))))  # -log sigmoid
    return total / len(pc)


def test_dpo_loss_matches_naive_and_is_the_preference_loss_of_implicit_rewards():
    torch.manual_seed(2)
    pc, pr, rc, rr = (-torch.rand(8) * 20 for _ in range(4))
    for beta in (0.1, 0.5, 2.0):
        got = losses.dpo_loss(pc, pr, rc, rr, beta)
        assert got.item() == pytest.approx(naive_dpo(pc, pr, rc, rr, beta), rel=1e-5)
        implicit = losses.preference_loss(beta * (pc - rc), beta * (pr - rr))
        assert torch.allclose(got, implicit)
    assert losses.dpo_loss(pc, pr, pc, pr, 0.1).item() == pytest.approx(math.log(2))  # pi = ref
    pc = pc.clone().requires_grad_()
    losses.dpo_loss(pc, pr, rc, rr, 0.1).backward()
    assert (pc.grad < 0).all()  # raising the chosen response's log-prob lowers the loss


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: losses.kl_estimate(torch.zeros(3), torch.zeros(3), "k4"),
            "estimator must be one of",
        ),
        (lambda: losses.kl_estimate(torch.zeros(3), torch.zeros(2)), "logprobs and ref_logprobs"),
        (lambda: losses.kl_estimate(torch.tensor([float("nan")]), torch.zeros(1)), "logprobs must"),
        (lambda: losses.kl_estimate(torch.zeros(0), torch.zeros(0)), "logprobs must not be empty"),
        (lambda: losses.dpo_loss(*[torch.zeros(3)] * 4, beta=0.0), "beta must be a number in"),
        (lambda: losses.dpo_loss(*[torch.zeros(3)] * 4, beta=-1), "beta must be a number in"),
        (
            lambda: losses.dpo_loss(
                torch.zeros(3), torch.zeros(3), torch.zeros(2), torch.zeros(3), 0.1
            ),
            "logps_chosen and ref_logps_chosen must have the same shape",
        ),
        (
            lambda: losses.dpo_loss(*[torch.zeros(2, 3)] * 4, beta=0.1),
            r"logps_chosen must have shape \(B,\)",
        ),
        (
            lambda: losses.dpo_loss(
                torch.zeros(2), torch.zeros(2), [0.0, 0.0], torch.zeros(2), 0.1
            ),
            "ref_logps_chosen must be a torch tensor",
        ),
    ],
)
def test_kl_and_dpo_bad_input_names_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()
