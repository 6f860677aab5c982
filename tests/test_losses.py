"""ppo_clip_loss, preference_loss and approx_kl against naive definitions, and their errors."""

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


def test_approx_kl_is_non_negative_and_close_to_exact_kl():
    torch.manual_seed(0)
    p_old = torch.tensor([0.5, 0.3, 0.2])
    p_new = torch.tensor([0.4, 0.35, 0.25])
    samples = torch.multinomial(p_old, 200_000, replacement=True)
    estimate = losses.approx_kl(p_new.log()[samples], p_old.log()[samples]).item()
    exact = (p_old * (p_old / p_new).log()).sum().item()
    assert estimate >= 0 and estimate == pytest.approx(exact, rel=0.05)


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
