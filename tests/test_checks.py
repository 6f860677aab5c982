"""Every exercise checker: the reference passes, a different correct implementation passes,
typical wrong implementations fail with the hint for their mistake (including answers whose
value is right but whose gradient is not, where the gradient is the lesson), and a stub that
raises NotImplementedError neither passes nor raises."""

import pytest
import torch

from helpers import checker, checks, lang, ppo_checks, rlvr_checks, solutions, zh


@pytest.fixture(autouse=True)
def english(monkeypatch):
    """These tests read the English messages, wherever pytest runs; the Chinese ones below
    choose Chinese themselves."""
    monkeypatch.setenv("COURSE_LANG", "en")
    yield
    lang.set_language(None)


def run(check, fn, capsys):
    ok = check(fn)
    return ok, capsys.readouterr().out


def stub(*args):
    raise NotImplementedError


# ------------------------------------------------------------------ 01 reward-to-go
def rtg_loop(r, g):
    return torch.tensor(
        [sum(g**k * r[t + k].item() for k in range(len(r) - t)) for t in range(len(r))]
    )


def rtg_forward_sum(r, g):
    return torch.tensor([sum(r[: t + 1].tolist()) for t in range(len(r))])


def rtg_off_by_one(r, g):
    return torch.tensor(
        [sum(g ** (k + 1) * r[t + k].item() for k in range(len(r) - t)) for t in range(len(r))]
    )


def rtg_no_discount(r, g):
    return torch.tensor([sum(r[t:].tolist()) for t in range(len(r))])


def rtg_whole(r, g):
    total = sum(g**k * r[k].item() for k in range(len(r)))
    return torch.full_like(r, total)


# ------------------------------------------------------------------ 02 baseline loss
def _d(b):
    return b.detach() if torch.is_tensor(b) else b


def bl_right(lp, G, b, N):  # the notebooks' normalisation: sum over steps / number of episodes
    return -((G - _d(b)) * lp).sum() / N


def bl_mean(lp, G, b, N):  # also right: divide by the number of steps instead
    return -((G - _d(b)) * lp).mean()


def bl_sign(lp, G, b, N):
    return ((G - _d(b)) * lp).sum() / N


def bl_no_baseline(lp, G, b, N):
    return -(G * lp).sum() / N


def bl_added(lp, G, b, N):
    return -((G + _d(b)) * lp).sum() / N


def bl_no_detach(lp, G, b, N):
    return -((G - b) * lp).sum() / N


def bl_no_detach_mean(lp, G, b, N):
    return -((G - b) * lp).mean()


def bl_detached_logprobs(lp, G, b, N):  # the right value, but nothing to train with
    return -((G - _d(b)) * lp.detach()).sum() / N


def bl_from_numbers(lp, G, b, N):
    return -((G - _d(b)) * lp).sum().item() / N


def bl_sum(lp, G, b, N):
    return -((G - _d(b)) * lp).sum()


# ------------------------------------------------------------------ 03 GAE
# Written as a forward sum of TD errors, not as the checker's backward recursion: each wrong
# answer below makes its mistake independently of the checker's own copy of that mistake.
def td_errors(r, v, d, nv, g):  # delta_t = r_t + gamma * V(s_{t+1}) * (1 - d_t) - V(s_t)
    next_v = torch.cat([v[1:], nv[None]])  # (T, N): V(s_{t+1}); next_value after the last step
    return r + g * next_v * (1 - d) - v


def decayed_sum(delta, d, decay):  # A_t = sum over k >= t of decay^(k - t) delta_k, to the end
    T, N = delta.shape
    out = torch.zeros(T, N)
    for n in range(N):
        for t in range(T):
            total, discount = 0.0, 1.0
            for k in range(t, T):
                total += discount * delta[k, n]
                if d[k, n]:  # the episode ended at step k
                    break
                discount *= decay
            out[t, n] = total
    return out


def gae_naive(r, v, d, nv, g, lam):  # the n-step sum, written out
    return decayed_sum(td_errors(r, v, d, nv, g), d, g * lam)


def gae_no_dones(r, v, d, nv, g, lam):
    return gae_naive(r, v, torch.zeros_like(d), nv, g, lam)


def gae_lambda_only(r, v, d, nv, g, lam):
    return decayed_sum(td_errors(r, v, d, nv, g), d, lam)


def gae_next_value_everywhere(r, v, d, nv, g, lam):
    return decayed_sum(r + g * nv * (1 - d) - v, d, g * lam)


def gae_no_bootstrap(r, v, d, nv, g, lam):
    return gae_naive(r, v, d, torch.zeros_like(nv), g, lam)


def gae_bootstrap_last_step_always(r, v, d, nv, g, lam):  # ignores dones[-1] at the last step
    delta = td_errors(r, v, d, nv, g)
    delta[-1] = r[-1] + g * nv - v[-1]
    return decayed_sum(delta, d, g * lam)


# ------------------------------------------------------------------ 04 TD(0)
def td_right(V, s, r, s2, done, a, g):
    target = r if done else r + g * V[s2]
    return (1 - a) * V[s] + a * target


def td_no_terminal(V, s, r, s2, done, a, g):
    return V[s] + a * (r + g * V[s2] - V[s])


def td_sign(V, s, r, s2, done, a, g):
    target = r if done else r + g * V[s2]
    return V[s] + a * (V[s] - target)


def td_jump(V, s, r, s2, done, a, g):
    return r if done else r + g * V[s2]


def td_mc(V, s, r, s2, done, a, g):
    return V[s] + a * (r - V[s])


# ------------------------------------------------------------------ 05 importance sampling
def ess_right(w):
    return w.mean() ** 2 / (w**2).mean()  # the same fraction, written with means


def ess_loop(w):
    total = sum(w.tolist())
    return total**2 / sum(x * x for x in w.tolist()) / len(w)


def ess_count(w):
    return w.sum() ** 2 / (w**2).sum()


def ess_inverse(w):
    return len(w) * (w**2).sum() / w.sum() ** 2


def ess_mean_one(w):
    return 1 / (w**2).mean()


def ess_not_squared(w):
    return w.sum() / (w**2).sum()


# ------------------------------------------------------------------ 06 PPO clip
def ppo_right(lp, olp, a, e):
    ratio = torch.exp(lp - olp)
    return torch.max(-a * ratio, -a * ratio.clamp(1 - e, 1 + e)).mean()


def ppo_sign(lp, olp, a, e):
    return -ppo_right(lp, olp, a, e)


def ppo_no_min(lp, olp, a, e):
    return -(torch.exp(lp - olp).clamp(1 - e, 1 + e) * a).mean()


def ppo_max(lp, olp, a, e):
    ratio = torch.exp(lp - olp)
    return -torch.max(ratio * a, ratio.clamp(1 - e, 1 + e) * a).mean()


def ppo_log_ratio_clipped(lp, olp, a, e):
    ratio = torch.exp(lp - olp)
    return -torch.min(ratio * a, (lp - olp).clamp(-e, e).exp() * a).mean()


def ppo_inverted(lp, olp, a, e):
    return ppo_right(olp, lp, a, e)


def ppo_detached_ratio(lp, olp, a, e):  # the right value, but no gradient
    ratio = torch.exp(lp - olp).detach()
    return -torch.min(ratio * a, ratio.clamp(1 - e, 1 + e) * a).mean()


def ppo_from_probs(lp, olp, a, e):  # also right: the ratio from probabilities
    ratio = lp.exp() / olp.exp()
    clipped = torch.where(ratio > 1 + e, 1 + e, torch.where(ratio < 1 - e, 1 - e, ratio))
    clipped = ratio + (clipped - ratio).detach()  # the clip's value, the ratio's gradient
    objective = torch.where(ratio * a <= clipped * a, ratio * a, clipped * a)
    inside = (ratio >= 1 - e) & (ratio <= 1 + e)
    objective = torch.where(inside, ratio * a, objective)
    flat = ((a > 0) & (ratio > 1 + e)) | ((a < 0) & (ratio < 1 - e))
    return -torch.where(flat, objective.detach(), objective).mean()


def ppo_gradient_through_clip(lp, olp, a, e):  # the right value, but a gradient where it is flat
    ratio = torch.exp(lp - olp)
    clipped = ratio + (ratio.clamp(1 - e, 1 + e) - ratio).detach()
    return -torch.min(ratio * a, clipped * a).mean()


# ------------------------------------------------------------------ 07 KL-penalised reward
def kl_right(s, lp, ref, beta):
    out = beta * (ref - lp)
    return torch.cat([out[:-1], out[-1:] + s])


def kl_everywhere(s, lp, ref, beta):
    return beta * (ref - lp) + s


def kl_flipped(s, lp, ref, beta):
    out = beta * (lp - ref)
    return torch.cat([out[:-1], out[-1:] + s])


def kl_first(s, lp, ref, beta):
    out = beta * (ref - lp)
    return torch.cat([out[:1] + s, out[1:]])


def kl_no_beta(s, lp, ref, beta):
    return kl_right(s, lp, ref, 1.0)


def kl_overwrites_last(s, lp, ref, beta):
    out = beta * (ref - lp)
    return torch.cat([out[:-1], torch.tensor([float(s)])])


def kl_summed_at_end(s, lp, ref, beta):
    out = torch.zeros_like(lp)
    out[-1] = s + (beta * (ref - lp)).sum()
    return out


def kl_no_penalty(s, lp, ref, beta):
    return torch.cat([torch.zeros(len(lp) - 1), torch.tensor([float(s)])])


def kl_beta_on_score(s, lp, ref, beta):
    return kl_right(beta * s, lp, ref, beta)


# ------------------------------------------------------------------ 08 DPO loss
def dpo_naive(lc, lr, rc, rr, beta):  # one comparison at a time, log sigmoid as -log(1 + e^-x)
    terms = [
        torch.log1p(torch.exp(-beta * ((lc[i] - rc[i]) - (lr[i] - rr[i])))) for i in range(len(lc))
    ]
    return torch.stack(terms).mean()


def dpo_implicit_rewards(lc, lr, rc, rr, beta):  # also right: 07's RM loss on implicit rewards
    return -torch.nn.functional.logsigmoid(beta * (lc - rc) - beta * (lr - rr)).mean()


def dpo_swapped(lc, lr, rc, rr, beta):
    return dpo_naive(lr, lc, rr, rc, beta)


def dpo_no_minus(lc, lr, rc, rr, beta):
    return -dpo_naive(lc, lr, rc, rr, beta)


def dpo_no_ref(lc, lr, rc, rr, beta):
    return -torch.nn.functional.logsigmoid(beta * (lc - lr)).mean()


def dpo_ref_added(lc, lr, rc, rr, beta):
    return -torch.nn.functional.logsigmoid(beta * ((lc + rc) - (lr + rr))).mean()


def dpo_beta_outside(lc, lr, rc, rr, beta):
    return beta * dpo_naive(lc, lr, rc, rr, 1.0)


def dpo_beta_divides(lc, lr, rc, rr, beta):
    return dpo_naive(lc, lr, rc, rr, 1.0 / beta)


def dpo_no_beta(lc, lr, rc, rr, beta):
    return dpo_naive(lc, lr, rc, rr, 1.0)


def dpo_no_log(lc, lr, rc, rr, beta):
    return -torch.sigmoid(beta * ((lc - rc) - (lr - rr))).mean()


def dpo_sum(lc, lr, rc, rr, beta):
    return dpo_naive(lc, lr, rc, rr, beta) * len(lc)


def dpo_detached(lc, lr, rc, rr, beta):
    return torch.tensor(dpo_naive(lc, lr, rc, rr, beta).item())


CASES = [
    (
        checks.check_reward_to_go,
        [solutions.reward_to_go_solution, rtg_loop],
        [
            (rtg_forward_sum, "before* t"),
            (rtg_off_by_one, "one step off"),
            (rtg_whole, "R(tau) at every step"),
            (rtg_no_discount, "discount is missing"),
        ],
    ),
    (
        checks.check_baseline_pg_loss,
        [solutions.baseline_pg_loss_solution, bl_right, bl_mean],
        [
            (bl_sign, "sign error"),
            (bl_no_baseline, "baseline is missing"),
            (bl_added, "you added b"),
            (bl_no_detach, "detach the baseline"),
            (bl_no_detach_mean, "detach the baseline"),
            (bl_detached_logprobs, "no gradient reaches logprobs"),
            (bl_from_numbers, "no gradient reaches logprobs"),
            (bl_sum, "without dividing by num_episodes"),
        ],
    ),
    (
        checks.check_gae,
        [solutions.gae_solution, gae_naive],
        [
            (gae_no_dones, "dones mask is missing"),
            (gae_lambda_only, "gamma * lambda"),
            (gae_no_bootstrap, "bootstrap from next_value"),
            (gae_next_value_everywhere, "next_value is only for the last step"),
            (gae_bootstrap_last_step_always, "ends on the rollout's last step"),
        ],
    ),
    (
        checks.check_td0_update,
        [solutions.td0_update_solution, td_right],
        [
            (td_no_terminal, "terminal step"),
            (td_sign, "sign error"),
            (td_mc, "Monte-Carlo-style"),
            (td_jump, "jumped all the way"),
        ],
    ),
    (
        checks.check_ess,
        [solutions.ess_solution, ess_right, ess_loop],
        [
            (ess_count, "divide by n"),
            (ess_inverse, "upside down"),
            (ess_mean_one, "average 1"),
            (ess_not_squared, "square the sum"),
        ],
    ),
    (
        checks.check_ppo_clip_loss,
        [solutions.ppo_clip_loss_solution, ppo_right, ppo_from_probs],
        [
            (ppo_sign, "sign error"),
            (ppo_no_min, "min is missing"),
            (ppo_inverted, "upside down"),
            (ppo_max, "max instead of min"),
            (ppo_log_ratio_clipped, "clipped the log-ratio"),
            (ppo_detached_ratio, "no gradient reaches newlogprobs"),
            (ppo_gradient_through_clip, "gradient with respect to newlogprobs is not"),
        ],
    ),
    (
        checks.check_kl_penalized_rewards,
        [solutions.kl_penalized_rewards_solution, kl_right],
        [
            (kl_everywhere, "last token only"),
            (kl_flipped, "KL sign is flipped"),
            (kl_first, "*last* token"),
            (kl_no_beta, "beta is missing"),
            (kl_overwrites_last, "lost its own penalty"),
            (kl_summed_at_end, "every token should pay its own penalty"),
            (kl_no_penalty, "there is no KL penalty"),
            (kl_beta_on_score, "beta scales only the KL penalty"),
        ],
    ),
    (
        checks.check_dpo_loss,
        [solutions.dpo_loss_solution, dpo_naive, dpo_implicit_rewards],
        [
            (dpo_swapped, "chosen response's log-ratio comes first"),
            (dpo_no_minus, "*minus* the log-likelihood"),
            (dpo_no_ref, "the reference is missing"),
            (dpo_ref_added, "the reference has the wrong sign"),
            (dpo_beta_outside, "*inside* the log-sigmoid"),
            (dpo_beta_divides, "do not divide by it"),
            (dpo_no_beta, "beta is missing"),
            (dpo_no_log, "the log is missing"),
            (dpo_sum, "a sum instead of a mean"),
            (dpo_detached, "no gradient reaches the policy's log-probabilities"),
        ],
    ),
]


@pytest.mark.parametrize(
    ("check", "rights", "wrongs"), CASES, ids=lambda x: getattr(x, "__name__", "")
)
def test_checker_accepts_right_answers_and_names_typical_mistakes(check, rights, wrongs, capsys):
    for right in rights:
        ok, out = run(check, right, capsys)
        assert ok and "Correct" in out, f"{right.__name__} should pass: {out}"
    for wrong, hint in wrongs:
        ok, out = run(check, wrong, capsys)
        assert not ok, f"{wrong.__name__} should fail"
        assert hint in out, f"{wrong.__name__}: expected the hint {hint!r}, got {out!r}"
    ok, out = run(check, stub, capsys)
    assert not ok and "Not done yet" in out


def test_checker_reports_an_unknown_mistake_with_the_failing_case(capsys):
    ok, out = run(checks.check_reward_to_go, lambda r, g: r * 0 + 7.0, capsys)
    assert not ok and "expected" in out and "got" in out


def test_a_wrong_gradient_is_reported_with_the_input_it_concerns(capsys):
    def right_value_wrong_gradient(lp, G, b, N):  # twice the gradient: 2 lp - lp has lp's value
        return -((G - _d(b)) * (2 * lp - lp.detach())).sum() / N

    ok, out = run(checks.check_baseline_pg_loss, right_value_wrong_gradient, capsys)
    assert not ok and "gradient with respect to logprobs is not" in out


def test_solution_prints_only_on_request_and_rejects_unknown_names(capsys):
    checks.solution("gae")
    printed = capsys.readouterr().out
    assert printed.startswith("def gae(") and "_solution" not in printed  # named as in the exercise
    assert set(solutions.EXERCISES) == {
        "reward_to_go",
        "baseline_pg_loss",
        "gae",
        "td0_update",
        "ess",
        "ppo_clip_loss",
        "kl_penalized_rewards",
        "dpo_loss",
        "pass_at_k",
    }
    with pytest.raises(ValueError, match="name must be one of"):
        checks.solution("nope")


# ------------------------------------------------------------------ the Chinese checks
def every_hint(monkeypatch):
    """Every hint any check can print, as (hint id, the table it is looked up in): each check
    hands its mistakes and its hints to ``checker.run``."""
    seen = []

    def record(fn, cases, reference, mistakes, name, hints, **kwargs):
        seen.extend((hint, hints) for _, hint in mistakes)
        return False

    monkeypatch.setattr(checker, "run", record)
    for name in dir(checks):
        if name.startswith("check_"):
            getattr(checks, name)(stub)
    monkeypatch.undo()
    return seen


def test_every_hint_a_check_names_has_english_text_and_every_hint_is_used(monkeypatch):
    hints = every_hint(monkeypatch)
    assert len(hints) >= 30  # every check's mistakes were found
    missing = [h for h, table in hints if h not in table]
    assert not missing, f"hint ids with no English text in their check module's HINTS: {missing}"
    used = {h for h, _ in hints}
    used.add("pass_at_k.overflow")  # printed by check_pass_at_k itself, before checker.run
    unused = sorted((set(checks.HINTS) | set(ppo_checks.HINTS) | set(rlvr_checks.HINTS)) - used)
    assert not unused, f"hints that no check names: {unused}"
    tables = {id(checks.HINTS), id(ppo_checks.HINTS), id(rlvr_checks.HINTS)}
    assert {id(table) for _, table in hints} == tables


@pytest.mark.parametrize(
    ("check", "rights", "wrongs"), CASES, ids=lambda x: getattr(x, "__name__", "")
)
def test_checker_speaks_chinese_in_a_chinese_notebook(check, rights, wrongs, capsys, monkeypatch):
    monkeypatch.delenv("COURSE_LANG")
    for wrong, _ in wrongs:
        lang.set_language("en")
        _, english = run(check, wrong, capsys)
        lang.set_language("zh")
        ok, out = run(check, wrong, capsys)
        assert not ok and "Not yet" not in out, wrong.__name__
        if english.startswith("Not yet. Hint: "):  # a known mistake: its hint, in Chinese
            hint = english.strip().removeprefix("Not yet. Hint: ")
            key = {text: key for key, text in (checks.HINTS | ppo_checks.HINTS).items()}[hint]
            assert out.strip() == f"还不对。提示：{zh.TEXT[key]}", wrong.__name__
        else:  # a wrong value or gradient, with the failing case
            assert out.startswith("还不对："), wrong.__name__
    ok, out = run(check, rights[0], capsys)
    assert ok and out.startswith("正确：")
    ok, out = run(check, stub, capsys)
    assert not ok and out.startswith("还没完成") and "checks.solution(" in out


def test_the_chinese_messages_without_a_known_mistake(capsys):
    lang.set_language("zh")
    ok, out = run(checks.check_reward_to_go, lambda r, g: r * 0 + 7.0, capsys)
    assert not ok and "期望" in out and "得到" in out

    def right_value_wrong_gradient(lp, G, b, N):
        return -((G - _d(b)) * (2 * lp - lp.detach())).sum() / N

    ok, out = run(checks.check_baseline_pg_loss, right_value_wrong_gradient, capsys)
    assert not ok and "关于 logprobs 的梯度不对" in out

    def broken(r, g):
        raise KeyError("x")

    ok, out = run(checks.check_reward_to_go, broken, capsys)
    assert not ok and out.startswith("你的函数抛出了 KeyError")
