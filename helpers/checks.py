"""Auto-checks for the notebooks' "Your turn" exercises: those of notebooks 01-05 here, and, under
the same names, those of 06-08 (written in ``helpers.ppo_checks``) and 09 (``helpers.rlvr_checks``), so that every notebook calls
``checks.check_<exercise>``. Each ``check_*`` runs the learner's function through
``helpers.checker.run`` against a reference solution (``helpers.solutions``), and names the
typical mistake it recognises (its hint, by id, in ``HINTS``; the Chinese text in
``helpers/zh.py``). A check never raises; it returns True when the answer is right.
``solution(name)`` prints a reference solution of any exercise, only when asked.
"""

import torch

from helpers import checker, ppo_checks, rlvr_checks, solutions


def solution(name):
    """Print the reference solution of exercise ``name`` (only when you ask for it)."""
    print(solutions.source(name))


# The hint of each typical mistake of the exercises checked here, by id ``<exercise>.<mistake>``.
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
    "ess.count_not_fraction": "that is the number of effective samples; divide by n for the fraction of the batch.",
    "ess.upside_down": "upside down: (sum w)^2 / (n sum w^2) is at most 1, and 1 only when all the weights are equal.",
    "ess.assumed_mean_one": "1 / mean(w^2) equals the effective sample size only when the weights average 1; square the sum instead: (sum w)^2 / (n sum w^2).",
    "ess.sum_not_squared": "square the sum of the weights in the numerator: (sum w)^2, so that scaling every weight changes nothing.",
}


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
    return checker.run(fn, cases, solutions.reward_to_go_solution, mistakes, "reward_to_go", HINTS)


def check_baseline_pg_loss(fn):
    """Notebook 02: ``fn(logprobs, G, b, num_episodes)`` returns the loss whose gradient is
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
    return checker.run(
        fn,
        cases,
        solutions.baseline_pg_loss_solution,
        mistakes,
        "baseline_pg_loss",
        HINTS,
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
    return checker.run(fn, cases, solutions.gae_solution, mistakes, "gae", HINTS)


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
    return checker.run(fn, cases, solutions.td0_update_solution, mistakes, "td0_update", HINTS)


def check_ess(fn):
    """Notebook 05: ``fn(w)`` for importance weights w (n,) returns the effective sample size as a
    fraction of n, (sum w)^2 / (n sum w^2)."""
    torch.manual_seed(2)
    cases = [
        (torch.rand(8) * 3,),  # weights that do not average 1
        ((2 * torch.randn(16)).exp(),),  # a few large weights
        (torch.tensor([0.0, 0.5, 4.0, 0.5, 1.0]),),
    ]
    mistakes = [
        (lambda w: w.sum() ** 2 / (w**2).sum(), "ess.count_not_fraction"),
        (lambda w: (w**2).mean() / w.mean() ** 2, "ess.upside_down"),
        (lambda w: 1 / (w**2).mean(), "ess.assumed_mean_one"),
        (lambda w: w.sum() / (w**2).sum(), "ess.sum_not_squared"),
    ]
    return checker.run(fn, cases, solutions.ess_solution, mistakes, "ess", HINTS)


# notebooks 06-08's exercises, checked in helpers.ppo_checks
check_ppo_clip_loss = ppo_checks.check_ppo_clip_loss
check_kl_penalized_rewards = ppo_checks.check_kl_penalized_rewards
check_dpo_loss = ppo_checks.check_dpo_loss
# notebook 09's, in helpers.rlvr_checks
check_pass_at_k = rlvr_checks.check_pass_at_k
