"""Auto-checks for the notebooks' "Your turn" exercises.

Each ``check_*`` runs the learner's function on several cases against a reference, and on a
mismatch tries the typical mistakes (a sign error, a missing ``dones`` mask, gamma applied
one step off, ...): if the learner's answers match one, it prints that mistake's hint. A
check never raises, so a notebook with an unfinished exercise still runs top to bottom; it
returns True when the answer is right. ``solution(name)`` prints a reference solution, only
when asked.
"""

import inspect

import torch

# ---------------------------------------------------------------- reference solutions


def reward_to_go(rewards, gamma):  # (T,) -> (T,)
    G = torch.zeros_like(rewards)
    running = 0.0
    for t in reversed(range(len(rewards))):
        running = rewards[t] + gamma * running  # G_t = r_t + gamma * G_{t+1}
        G[t] = running
    return G


def baseline_pg_loss(logprobs, returns, b):  # (n,), (n,), scalar or (n,) -> scalar
    advantages = returns - b.detach() if torch.is_tensor(b) else returns - b  # b gets no gradient
    return -(advantages * logprobs).mean()  # minimise minus the objective


def gae(rewards, values, dones, next_value, gamma, lam):  # (T, N) x3, (N,) -> (T, N)
    advantages = torch.zeros_like(rewards)
    last = torch.zeros_like(next_value)
    for t in reversed(range(rewards.shape[0])):
        next_v = next_value if t == rewards.shape[0] - 1 else values[t + 1]
        delta = rewards[t] + gamma * next_v * (1 - dones[t]) - values[t]
        last = delta + gamma * lam * (1 - dones[t]) * last
        advantages[t] = last
    return advantages


def td0_update(V, s, r, s_next, done, alpha, gamma):  # V: dict state -> value; returns new V[s]
    target = r + (0.0 if done else gamma * V[s_next])  # no bootstrap from a terminal state
    return V[s] + alpha * (target - V[s])


def is_estimate(f_values, p_probs, q_probs):  # samples x ~ q: f(x), p(x), q(x) -> E_p[f] estimate
    return (f_values * p_probs / q_probs).mean()


def ppo_clip_loss(logprobs, old_logprobs, advantages, clip_coef):  # (n,) x3 -> scalar
    ratio = (logprobs - old_logprobs).exp()
    clipped = torch.clamp(ratio, 1 - clip_coef, 1 + clip_coef)
    return -torch.min(ratio * advantages, clipped * advantages).mean()


def kl_penalized_rewards(rm_score, logprobs, ref_logprobs, beta):  # scalar, (T,), (T,) -> (T,)
    rewards = -beta * (logprobs - ref_logprobs)  # per-token KL penalty
    rewards[-1] = rewards[-1] + rm_score  # the reward model scores the whole response, at its end
    return rewards


_SOLUTIONS = {
    f.__name__: f
    for f in (
        reward_to_go,
        baseline_pg_loss,
        gae,
        td0_update,
        is_estimate,
        ppo_clip_loss,
        kl_penalized_rewards,
    )
}


def solution(name):
    """Print the reference solution of exercise ``name`` (only when you ask for it)."""
    if name not in _SOLUTIONS:
        raise ValueError(f"name must be one of {sorted(_SOLUTIONS)}, got {name!r}")
    print(inspect.getsource(_SOLUTIONS[name]))


# ---------------------------------------------------------------- the checking machinery


def _same(a, b):
    try:
        a = torch.as_tensor(a, dtype=torch.float32)
        b = torch.as_tensor(b, dtype=torch.float32)
    except (TypeError, ValueError, RuntimeError):
        return False
    return a.shape == b.shape and torch.allclose(a, b, atol=1e-4, rtol=1e-4)


def _run(fn, cases):
    return [
        fn(
            *[
                x.clone() if torch.is_tensor(x) else (dict(x) if isinstance(x, dict) else x)
                for x in case
            ]
        )
        for case in cases
    ]


def _check(fn, cases, reference, mistakes, name):
    try:
        got = _run(fn, cases)
    except NotImplementedError:
        print(
            f"Not done yet: fill in the function, then run this cell again. (checks.solution({name!r}) shows one answer.)"
        )
        return False
    except Exception as err:  # a learner's bug: say what, keep the notebook running
        print(f"Your function raised {type(err).__name__}: {err}")
        return False
    want = _run(reference, cases)
    if all(_same(g, w) for g, w in zip(got, want, strict=True)):
        print(f"Correct: matches the reference on all {len(cases)} cases.")
        return True
    for mistake, hint in mistakes:
        if all(_same(g, m) for g, m in zip(got, _run(mistake, cases), strict=True)):
            print(f"Not yet. Hint: {hint}")
            return False
    for case, g, w in zip(cases, got, want, strict=True):
        if not _same(g, w):
            print(f"Not yet: for inputs {case!r}\n  expected {w!r}\n  got      {g!r}")
            return False
    return False  # pragma: no cover


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
        return g * reward_to_go(r, g)

    def whole_return(r, g):
        return reward_to_go(r, g)[0].expand_as(r).clone()

    def no_discount(r, g):
        return reward_to_go(r, 1.0)

    mistakes = [
        (
            past_sum,
            "you summed the rewards *before* t. Reward-to-go sums from t to the end: loop backwards.",
        ),
        (
            one_step_off,
            "gamma is applied one step off: r_t itself is not discounted, G_t = r_t + gamma * G_{t+1}.",
        ),
        (
            whole_return,
            "that is R(tau) at every step. Reward-to-go drops the rewards that came before t.",
        ),
        (no_discount, "the discount is missing: each step further away multiplies by gamma."),
    ]
    return _check(fn, cases, reward_to_go, mistakes, "reward_to_go")


def check_baseline_pg_loss(fn):
    """Notebook 02: ``fn(logprobs, returns, b)`` returns -mean((G - b) * log pi), no gradient into b."""
    torch.manual_seed(0)
    lp, G = torch.randn(6), torch.rand(6) * 10
    cases = [(lp, G, 5.0), (lp, G, 0.0), (lp * 2, G - 3, torch.tensor(1.5))]
    result = _check(
        fn,
        cases,
        baseline_pg_loss,
        [
            (
                lambda lp, G, b: (_adv(G, b) * lp).mean(),
                "a sign error: PyTorch minimises, so the loss is *minus* the objective.",
            ),
            (lambda lp, G, b: -(G * lp).mean(), "the baseline is missing: weight by G - b, not G."),
            (lambda lp, G, b: -((G + _val(b)) * lp).mean(), "you added b; subtract it: G - b."),
            (
                lambda lp, G, b: -(_adv(G, b) * lp).sum(),
                "sum over samples instead of the mean: the step size then grows with the batch.",
            ),
        ],
        "baseline_pg_loss",
    )
    if result:  # the gradient must not flow into a learned baseline
        b = torch.tensor(2.0, requires_grad=True)
        lp = torch.randn(4, requires_grad=True)
        loss = fn(lp, torch.rand(4) * 5, b)
        if loss.requires_grad:
            loss.backward()
        if b.grad is not None and b.grad.abs().sum() > 0:
            print(
                "Not yet. Hint: detach the baseline (b.detach()): the policy loss must not train the value network."
            )
            return False
    return result


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
    nv = torch.rand(N)
    cases = [(r, v, d, nv, 0.99, 0.95), (r, v, d, nv, 0.9, 0.0), (r, v, d, nv, 0.9, 1.0)]

    def no_mask(r, v, d, nv, g, lam):
        return gae(r, v, torch.zeros_like(d), nv, g, lam)

    def no_gamma_in_trace(r, v, d, nv, g, lam):
        out, last = torch.zeros_like(r), torch.zeros_like(nv)
        for t in reversed(range(r.shape[0])):
            next_v = nv if t == r.shape[0] - 1 else v[t + 1]
            delta = r[t] + g * next_v * (1 - d[t]) - v[t]
            last = delta + lam * (1 - d[t]) * last
            out[t] = last
        return out

    def no_bootstrap(r, v, d, nv, g, lam):
        return gae(r, v, d, torch.zeros_like(nv), g, lam)

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
            "the dones mask is missing: at an episode end, do not bootstrap from V(s_{t+1}) nor carry A_{t+1} back: multiply both by (1 - dones[t]).",
        ),
        (
            no_gamma_in_trace,
            "the recursion needs gamma * lambda: A_t = delta_t + gamma * lam * (1 - d_t) * A_{t+1}.",
        ),
        (
            no_bootstrap,
            "after the last step, bootstrap from next_value, V of the state the rollout stopped in.",
        ),
        (
            next_value_everywhere,
            "V(s_{t+1}) is values[t + 1] inside the rollout; next_value is only for the last step.",
        ),
    ]
    return _check(fn, cases, gae, mistakes, "gae")


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
            "at a terminal step there is no next state to bootstrap from: the target is just r.",
        ),
        (
            lambda V, s, r, s2, done, a, g: V[s] - a * (r + (0.0 if done else g * V[s2]) - V[s]),
            "a sign error: move V(s) *towards* the target, V + alpha * (target - V).",
        ),
        (
            lambda V, s, r, s2, done, a, g: V[s] + a * (r - V[s]),
            "that is a Monte-Carlo-style update on one reward; TD's target adds gamma * V(s_next).",
        ),
        (
            lambda V, s, r, s2, done, a, g: r + (0.0 if done else g * V[s2]),
            "you jumped all the way to the target; take a step of size alpha: V + alpha * (target - V).",
        ),
    ]
    return _check(fn, cases, td0_update, mistakes, "td0_update")


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
            "the ratio is upside down: samples come from q, so weight by p/q.",
        ),
        (
            lambda f, p, q: f.mean(),
            "no importance weights: the plain mean estimates E_q[f], not E_p[f].",
        ),
        (
            lambda f, p, q: (f * p / q).sum() / (p / q).sum(),
            "that is the self-normalised estimator (biased for finite n); the plain one divides by n: mean(f * p / q).",
        ),
        (
            lambda f, p, q: (f * p / q).sum(),
            "sum instead of mean: divide by the number of samples.",
        ),
    ]
    return _check(fn, cases, is_estimate, mistakes, "is_estimate")


def check_ppo_clip_loss(fn):
    """Notebook 06: ``fn(logprobs, old_logprobs, advantages, clip_coef)`` returns PPO-clip's loss."""
    old = torch.log(torch.full((6,), 0.5))
    new = torch.log(torch.tensor([0.3, 0.55, 0.7, 0.3, 0.55, 0.7]))
    adv = torch.tensor([1.0, 1.0, 1.0, -1.0, -1.0, -1.0])
    cases = [(new, old, adv, 0.2), (new, old, adv * 2.5, 0.1), (old, old, adv, 0.2)]

    def ratio(lp, olp):
        return (lp - olp).exp()

    mistakes = [
        (
            lambda lp, olp, a, e: torch.min(
                ratio(lp, olp) * a, torch.clamp(ratio(lp, olp), 1 - e, 1 + e) * a
            ).mean(),
            "a sign error: the loss to minimise is *minus* the clipped objective.",
        ),
        (
            lambda lp, olp, a, e: -(torch.clamp(ratio(lp, olp), 1 - e, 1 + e) * a).mean(),
            "the min is missing: take min(ratio * A, clip(ratio) * A), the pessimistic of the two.",
        ),
        (
            lambda lp, olp, a, e: (
                -torch.max(ratio(lp, olp) * a, torch.clamp(ratio(lp, olp), 1 - e, 1 + e) * a).mean()
            ),
            "max instead of min: PPO keeps the *pessimistic* (smaller) objective.",
        ),
        (
            lambda lp, olp, a, e: (
                -torch.min(ratio(olp, lp) * a, torch.clamp(ratio(olp, lp), 1 - e, 1 + e) * a).mean()
            ),
            "the ratio is upside down: rho = pi / pi_old = exp(logprobs - old_logprobs).",
        ),
        (
            lambda lp, olp, a, e: (
                -torch.min(ratio(lp, olp) * a, torch.clamp(lp - olp, -e, e).exp() * a).mean()
            ),
            "you clipped the log-ratio; clip the ratio itself to [1 - eps, 1 + eps].",
        ),
    ]
    return _check(fn, cases, ppo_clip_loss, mistakes, "ppo_clip_loss")


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
        return kl_penalized_rewards(s, ref, lp, beta)

    def no_beta(s, lp, ref, beta):
        return kl_penalized_rewards(s, lp, ref, 1.0)

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
        return kl_penalized_rewards(beta * s, lp, ref, beta)

    mistakes = [
        (
            score_everywhere,
            "the reward model scores the whole response once: add its score at the last token only.",
        ),
        (score_first, "the score belongs to the *last* token, when the response is complete."),
        (
            flipped_kl,
            "the KL sign is flipped: penalise log pi - log pi_ref (the policy's own "
            "log-probabilities first), so a token pays when the policy likes it more than the "
            "reference does.",
        ),
        (no_beta, "beta is missing: the penalty is beta * (log pi - log pi_ref)."),
        (
            score_replaces_last_penalty,
            "the last token lost its own penalty: add the score to it (+=), do not overwrite it.",
        ),
        (
            penalty_summed_at_the_end,
            "the total is right but every token should pay its own penalty where it is sampled "
            "(per-token rewards), not all of it at the end.",
        ),
        (no_penalty, "there is no KL penalty: every token pays -beta * (log pi - log pi_ref)."),
        (
            beta_on_the_score,
            "beta scales only the KL penalty, not the reward model's score.",
        ),
    ]
    return _check(fn, cases, kl_penalized_rewards, mistakes, "kl_penalized_rewards")
