"""Auto-checks for the notebooks' "Your turn" exercises.

Each ``check_*`` runs the learner's function on several cases against a reference, and on a
mismatch tries the typical mistakes (a sign error, a missing ``dones`` mask, gamma applied
one step off, ...): if the learner's answers match one, it prints that mistake's hint. Where
the gradient is the lesson (a loss), a check also compares the gradient with respect to the
inputs named in ``grad_args``, so a loss with the right value but a detached ratio or
log-probability fails with its hint. A check never raises, so a notebook with an unfinished
exercise still runs top to bottom; it returns True when the answer is right.
``solution(name)`` prints a reference solution, only when asked.

What a check prints is in the learner's language (``helpers.lang``: Chinese in ``notebooks/zh/``,
English by default): every message (``MESSAGES``) and every hint (``HINTS``) has a short id,
and its Chinese text under that id in ``helpers/zh.py`` (tests/test_lang.py checks that none is
missing).
"""

import inspect

import torch

from helpers import lang, solutions


def solution(name):
    """Print the reference solution of exercise ``name`` (only when you ask for it)."""
    print(solutions.source(name))


# ---------------------------------------------------------------- the checking machinery


# What a check prints, by short id; the fields are filled in with str.format. The Chinese text
# of each id is in helpers/zh.py.
MESSAGES = {
    "not_done": "Not done yet: fill in the function, then run this cell again. (checks.solution({name!r}) shows one answer.)",
    "raised": "Your function raised {error}: {message}",
    "correct": "Correct: matches the reference on all {n} cases.",
    "hint": "Not yet. Hint: {hint}",
    "wrong_value": "Not yet: for inputs {case!r}\n  expected {want!r}\n  got      {got!r}",
    "wrong_gradient": "Not yet: the value is right, but its gradient with respect to {arg} is not (the gradient is what trains the network).\n  inputs {case!r}\n  expected gradient {want!r}\n  got      {got!r}",
}

# The hint of each typical mistake, by id ``<exercise>.<mistake>``.
HINTS = {
    "reward_to_go.past_sum": "you summed the rewards *before* t. Reward-to-go sums from t to the end: loop backwards.",
    "reward_to_go.one_step_off": "gamma is applied one step off: r_t itself is not discounted, G_t = r_t + gamma * G_{t+1}.",
    "reward_to_go.whole_return": "that is R(tau) at every step. Reward-to-go drops the rewards that came before t.",
    "reward_to_go.no_discount": "the discount is missing: each step further away multiplies by gamma.",
    "baseline_pg_loss.sign_error_pytorch": "a sign error: PyTorch minimises, so the loss is *minus* the objective.",
    "baseline_pg_loss.baseline_missing_weight": "the baseline is missing: weight by G - b, not G.",
    "baseline_pg_loss.added_b_subtract": "you added b; subtract it: G - b.",
    "baseline_pg_loss.detach_baseline_b": "detach the baseline (b.detach()): the policy loss must not train the value network.",
    "baseline_pg_loss.value_right_gradient": "the value is right but no gradient reaches logprobs: you detached the log-probabilities (or computed the loss from numbers). Only b is detached; the gradient flows through log pi.",
    "baseline_pg_loss.sum_over_all": "a sum over all steps without dividing by num_episodes: the step size then grows with the batch.",
    "gae.no_mask": "the dones mask is missing: at an episode end, do not bootstrap from V(s_{t+1}) nor carry A_{t+1} back: multiply both by (1 - dones[t]).",
    "gae.no_gamma_in_trace": "the recursion needs gamma * lambda: A_t = delta_t + gamma * lam * (1 - d_t) * A_{t+1}.",
    "gae.no_bootstrap": "after the last step, bootstrap from next_value, V of the state the rollout stopped in.",
    "gae.next_value_everywhere": "V(s_{t+1}) is values[t + 1] inside the rollout; next_value is only for the last step.",
    "gae.bootstrap_past_last_done": "an episode that ends on the rollout's last step (dones[-1] = 1) has no next state: mask next_value with (1 - dones[t]) there too, as at every other step.",
    "td0_update.terminal_step_next": "at a terminal step there is no next state to bootstrap from: the target is just r.",
    "td0_update.sign_error_move": "a sign error: move V(s) *towards* the target, V + alpha * (target - V).",
    "td0_update.monte_carlo_style": "that is a Monte-Carlo-style update on one reward; TD's target adds gamma * V(s_next).",
    "td0_update.jumped_all_way": "you jumped all the way to the target; take a step of size alpha: V + alpha * (target - V).",
    "is_estimate.ratio_upside_down": "the ratio is upside down: samples come from q, so weight by p/q.",
    "is_estimate.importance_weights_plain": "no importance weights: the plain mean estimates E_q[f], not E_p[f].",
    "is_estimate.self_normalised_estimator": "that is the self-normalised estimator (biased for finite n); the plain one divides by n: mean(f * p / q).",
    "is_estimate.sum_instead_mean": "sum instead of mean: divide by the number of samples.",
    "ppo_clip_loss.sign_error_loss": "a sign error: the loss to minimise is *minus* the clipped objective.",
    "ppo_clip_loss.min_missing_take": "the min is missing: take min(ratio * A, clip(ratio) * A), the pessimistic of the two.",
    "ppo_clip_loss.max_instead_min": "max instead of min: PPO keeps the *pessimistic* (smaller) objective.",
    "ppo_clip_loss.ratio_upside_down": "the ratio is upside down: rho = pi / pi_old = exp(logprobs - old_logprobs).",
    "ppo_clip_loss.clipped_log_ratio": "you clipped the log-ratio; clip the ratio itself to [1 - eps, 1 + eps].",
    "ppo_clip_loss.value_right_gradient": "the value is right but no gradient reaches logprobs: the ratio was detached (or computed from numbers). The ratio is what carries the gradient, d rho / d log pi = rho; do not detach it.",
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


def _say(key, **fields):
    print(lang.text(MESSAGES, key, **fields))


def _hint(key):
    return lang.text(HINTS, key)


def _same(a, b):
    try:
        a = torch.as_tensor(a, dtype=torch.float32)
        b = torch.as_tensor(b, dtype=torch.float32)
    except (TypeError, ValueError, RuntimeError):
        return False
    return a.shape == b.shape and torch.allclose(a, b, atol=1e-4, rtol=1e-4)


def _copy(x):
    return x.clone() if torch.is_tensor(x) else (dict(x) if isinstance(x, dict) else x)


def _call(fn, case, grad_args):
    """``fn(*case)`` on fresh copies of the inputs; returns (value, gradients), where the
    gradients of the output's sum are taken with respect to the floating-point tensor inputs
    at the positions ``grad_args`` (zeros where no gradient reaches an input)."""
    args = [_copy(x) for x in case]
    wrt = [i for i in grad_args if torch.is_tensor(args[i]) and args[i].is_floating_point()]
    for i in wrt:
        args[i].requires_grad_(True)
    out = fn(*args)
    if not wrt:
        return out, ()
    inputs = [args[i] for i in wrt]
    grads = [torch.zeros_like(x) for x in inputs]
    if torch.is_tensor(out) and out.requires_grad:
        found = torch.autograd.grad(out.sum(), inputs, allow_unused=True)
        grads = [z if g is None else g for z, g in zip(grads, found, strict=True)]
    value = out.detach() if torch.is_tensor(out) else out
    return value, tuple(g.detach() for g in grads)


def _same_result(a, b):
    (value_a, grads_a), (value_b, grads_b) = a, b
    return (
        _same(value_a, value_b)
        and len(grads_a) == len(grads_b)
        and all(_same(x, y) for x, y in zip(grads_a, grads_b, strict=True))
    )


def _check(fn, cases, reference, mistakes, name, grad_args=(), also_right=()):
    """Run ``fn`` on ``cases`` against ``reference``. ``mistakes``: (wrong function, hint)
    pairs, tried in order. ``grad_args``: positions of inputs whose gradient must match too.
    ``also_right``: other correct answers (e.g. another normalisation of a loss)."""
    try:
        got = [_call(fn, case, grad_args) for case in cases]
    except NotImplementedError:
        _say("not_done", name=name)
        return False
    except Exception as err:  # a learner's bug: say what, keep the notebook running
        _say("raised", error=type(err).__name__, message=err)
        return False

    def matches(other):
        want = [_call(other, case, grad_args) for case in cases]
        return all(_same_result(g, w) for g, w in zip(got, want, strict=True))

    if matches(reference) or any(matches(right) for right in also_right):
        _say("correct", n=len(cases))
        return True
    for mistake, hint in mistakes:
        if matches(mistake):
            _say("hint", hint=_hint(hint))
            return False
    _say_first_difference(got, cases, reference, grad_args)
    return False


def _say_first_difference(got, cases, reference, grad_args):
    """Print the first case where the learner's value, or else its gradient, differs."""
    names = list(inspect.signature(reference).parameters)
    for case, (value, grads) in zip(cases, got, strict=True):
        want_value, want_grads = _call(reference, case, grad_args)
        if not _same(value, want_value):
            _say("wrong_value", case=case, want=want_value, got=value)
            return
        wrt = [i for i in grad_args if torch.is_tensor(case[i]) and case[i].is_floating_point()]
        for i, g, w in zip(wrt, grads, want_grads, strict=True):
            if not _same(g, w):
                _say("wrong_gradient", arg=names[i], case=case, want=w, got=g)
                return


# ---------------------------------------------------------------- the checks


def check_reward_to_go(fn):
    """Notebook 01: ``fn(rewards, gamma)`` returns G_t for one episode, (T,) -> (T,)."""
    cases = [
        (torch.tensor([1.0, 1.0, 1.0]), 1.0),
        (torch.tensor([1.0, 0.0, 2.0, -1.0]), 0.9),
        (torch.tensor([0.5, 2.0, 1.0, 3.0, 1.0]), 0.5),
        (torch.tensor([4.0]), 0.99),
    ]

    def past_sum(r, g):
        return torch.cumsum(r, 0)

    def one_step_off(r, g):
        return g * solutions.reward_to_go_solution(r, g)

    def whole_return(r, g):
        return solutions.reward_to_go_solution(r, g)[0].expand_as(r).clone()

    def no_discount(r, g):
        return solutions.reward_to_go_solution(r, 1.0)

    mistakes = [
        (
            past_sum,
            "reward_to_go.past_sum",
        ),
        (
            one_step_off,
            "reward_to_go.one_step_off",
        ),
        (
            whole_return,
            "reward_to_go.whole_return",
        ),
        (no_discount, "reward_to_go.no_discount"),
    ]
    return _check(fn, cases, solutions.reward_to_go_solution, mistakes, "reward_to_go")


def check_baseline_pg_loss(fn):
    """Notebook 02: ``fn(logprobs, returns, b, num_episodes)`` returns the loss whose gradient is
    -(1/N) sum (G - b) grad log pi over the n steps of N episodes, with no gradient into b.

    Dividing by the number of steps n instead of N (``.mean()``) is also accepted: the same
    direction, a different constant step size. The gradient with respect to ``logprobs`` and
    ``b`` is checked, not only the value.
    """
    torch.manual_seed(0)
    lp, G = torch.randn(6), torch.rand(6) * 10
    V = torch.rand(6) * 5  # a learned baseline V(s_t): a tensor that the value network trained
    cases = [
        (lp, G, 5.0, 2),
        (lp, G, 0.0, 3),
        (lp * 2, G - 3, torch.tensor(1.5), 2),
        (lp, G, V, 2),
        (lp[:4], G[:4], V[:4], 1),
    ]

    def mean_over_steps(lp, G, b, N):
        return -(_adv(G, b) * lp).mean()

    mistakes = [
        (
            lambda lp, G, b, N: (_adv(G, b) * lp).sum() / N,
            "baseline_pg_loss.sign_error_pytorch",
        ),
        (
            lambda lp, G, b, N: -(G * lp).sum() / N,
            "baseline_pg_loss.baseline_missing_weight",
        ),
        (lambda lp, G, b, N: -((G + _val(b)) * lp).sum() / N, "baseline_pg_loss.added_b_subtract"),
        (
            lambda lp, G, b, N: -((G - b) * lp).sum() / N,
            "baseline_pg_loss.detach_baseline_b",
        ),
        (
            lambda lp, G, b, N: -((G - b) * lp).mean(),
            "baseline_pg_loss.detach_baseline_b",
        ),
        (
            lambda lp, G, b, N: -(_adv(G, b) * lp.detach()).sum() / N,
            "baseline_pg_loss.value_right_gradient",
        ),
        (
            lambda lp, G, b, N: -(_adv(G, b) * lp.detach()).mean(),
            "baseline_pg_loss.value_right_gradient",
        ),
        (
            lambda lp, G, b, N: -(_adv(G, b) * lp).sum(),
            "baseline_pg_loss.sum_over_all",
        ),
    ]
    return _check(
        fn,
        cases,
        solutions.baseline_pg_loss_solution,
        mistakes,
        "baseline_pg_loss",
        grad_args=(0, 2),
        also_right=(mean_over_steps,),
    )


def _val(b):
    return b.detach() if torch.is_tensor(b) else b


def _adv(G, b):
    return G - _val(b)


def check_gae(fn):
    """Notebook 03: ``fn(rewards, values, dones, next_value, gamma, lam)`` returns (T, N) advantages."""
    torch.manual_seed(1)
    T, N = 6, 3
    r, v = torch.rand(T, N), torch.rand(T, N)
    d = torch.zeros(T, N)
    d[2, 0] = d[4, 1] = 1.0  # episodes that end inside the rollout
    d[T - 1, 2] = 1.0  # and one that ends on the rollout's last step: nothing to bootstrap there
    nv = torch.rand(N)
    cases = [(r, v, d, nv, 0.99, 0.95), (r, v, d, nv, 0.9, 0.0), (r, v, d, nv, 0.9, 1.0)]

    def no_mask(r, v, d, nv, g, lam):
        return solutions.gae_solution(r, v, torch.zeros_like(d), nv, g, lam)

    def no_gamma_in_trace(r, v, d, nv, g, lam):
        out, last = torch.zeros_like(r), torch.zeros_like(nv)
        for t in reversed(range(r.shape[0])):
            next_v = nv if t == r.shape[0] - 1 else v[t + 1]
            delta = r[t] + g * next_v * (1 - d[t]) - v[t]
            last = delta + lam * (1 - d[t]) * last
            out[t] = last
        return out

    def no_bootstrap(r, v, d, nv, g, lam):
        return solutions.gae_solution(r, v, d, torch.zeros_like(nv), g, lam)

    def bootstrap_past_last_done(r, v, d, nv, g, lam):  # next_value unmasked at the last step
        out, last = torch.zeros_like(r), torch.zeros_like(nv)
        for t in reversed(range(r.shape[0])):
            if t == r.shape[0] - 1:
                delta = r[t] + g * nv - v[t]
            else:
                delta = r[t] + g * v[t + 1] * (1 - d[t]) - v[t]
            last = delta + g * lam * (1 - d[t]) * last
            out[t] = last
        return out

    def next_value_everywhere(r, v, d, nv, g, lam):
        out, last = torch.zeros_like(r), torch.zeros_like(nv)
        for t in reversed(range(r.shape[0])):
            delta = r[t] + g * nv * (1 - d[t]) - v[t]
            last = delta + g * lam * (1 - d[t]) * last
            out[t] = last
        return out

    mistakes = [
        (
            no_mask,
            "gae.no_mask",
        ),
        (
            no_gamma_in_trace,
            "gae.no_gamma_in_trace",
        ),
        (
            no_bootstrap,
            "gae.no_bootstrap",
        ),
        (
            next_value_everywhere,
            "gae.next_value_everywhere",
        ),
        (
            bootstrap_past_last_done,
            "gae.bootstrap_past_last_done",
        ),
    ]
    return _check(fn, cases, solutions.gae_solution, mistakes, "gae")


def check_td0_update(fn):
    """Notebook 04: ``fn(V, s, r, s_next, done, alpha, gamma)`` returns the new V[s]."""
    V = {"A": 0.5, "B": 0.25, "T": 0.0}
    cases = [
        (V, "A", 0.0, "B", False, 0.1, 1.0),
        (V, "B", 1.0, "T", True, 0.5, 1.0),
        (V, "A", 2.0, "B", False, 0.2, 0.9),
        (V, "B", 0.0, "A", True, 0.3, 0.9),
    ]
    mistakes = [
        (
            lambda V, s, r, s2, done, a, g: V[s] + a * (r + g * V[s2] - V[s]),
            "td0_update.terminal_step_next",
        ),
        (
            lambda V, s, r, s2, done, a, g: V[s] - a * (r + (0.0 if done else g * V[s2]) - V[s]),
            "td0_update.sign_error_move",
        ),
        (
            lambda V, s, r, s2, done, a, g: V[s] + a * (r - V[s]),
            "td0_update.monte_carlo_style",
        ),
        (
            lambda V, s, r, s2, done, a, g: r + (0.0 if done else g * V[s2]),
            "td0_update.jumped_all_way",
        ),
    ]
    return _check(fn, cases, solutions.td0_update_solution, mistakes, "td0_update")


def check_is_estimate(fn):
    """Notebook 05: ``fn(f_values, p_probs, q_probs)`` for samples from q returns the E_p[f] estimate."""
    torch.manual_seed(2)
    cases = []
    for _ in range(3):
        p, q = torch.rand(8) + 0.1, torch.rand(8) + 0.1
        cases.append((torch.randn(8), p, q))
    mistakes = [
        (
            lambda f, p, q: (f * q / p).mean(),
            "is_estimate.ratio_upside_down",
        ),
        (
            lambda f, p, q: f.mean(),
            "is_estimate.importance_weights_plain",
        ),
        (
            lambda f, p, q: (f * p / q).sum() / (p / q).sum(),
            "is_estimate.self_normalised_estimator",
        ),
        (
            lambda f, p, q: (f * p / q).sum(),
            "is_estimate.sum_instead_mean",
        ),
    ]
    return _check(fn, cases, solutions.is_estimate_solution, mistakes, "is_estimate")


def check_ppo_clip_loss(fn):
    """Notebook 06: ``fn(logprobs, old_logprobs, advantages, clip_coef)`` returns PPO-clip's loss.

    The gradient with respect to ``logprobs`` is checked too: it is what PPO trains with, and
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
    return _check(
        fn, cases, solutions.ppo_clip_loss_solution, mistakes, "ppo_clip_loss", grad_args=(0,)
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
    return _check(
        fn, cases, solutions.kl_penalized_rewards_solution, mistakes, "kl_penalized_rewards"
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
    return _check(fn, cases, solutions.dpo_loss_solution, mistakes, "dpo_loss", grad_args=(0, 1))
