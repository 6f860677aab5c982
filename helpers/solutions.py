"""Reference solutions of the notebooks' "Your turn" exercises, one ``<exercise>_solution``
function each: the answers ``helpers.checks`` compares a learner's function with, and what
``checks.solution(name)`` prints when asked. Written for reading, not for reuse: the course's
own helpers (``returns.gae``, ``losses.ppo_clip_loss``, ...) have other signatures and checks.
"""

import inspect
import math

import torch


# each def on one line, with its shapes, as checks.solution prints it
# fmt: off
def reward_to_go_solution(rewards, gamma):  # (T,) -> (T,)
    G = torch.zeros_like(rewards)
    running = 0.0
    for t in reversed(range(len(rewards))):
        running = rewards[t] + gamma * running  # G_t = r_t + gamma * G_{t+1}
        G[t] = running
    return G


def baseline_pg_loss_solution(logprobs, G, b, num_episodes):  # (n,), (n,), number or (n,), N -> scalar
    advantages = G - b.detach() if torch.is_tensor(b) else G - b  # b gets no gradient
    return -(advantages * logprobs).sum() / num_episodes  # minus (1/N) sum_n sum_t (G_t - b) log pi


def gae_solution(rewards, values, dones, next_value, gamma, lam):  # (T, N) x3, (N,) -> (T, N)
    advantages = torch.zeros_like(rewards)
    last = torch.zeros_like(next_value)
    for t in reversed(range(rewards.shape[0])):
        next_v = next_value if t == rewards.shape[0] - 1 else values[t + 1]
        delta = rewards[t] + gamma * next_v * (1 - dones[t]) - values[t]
        last = delta + gamma * lam * (1 - dones[t]) * last
        advantages[t] = last
    return advantages


def td0_update_solution(V, s, r, s_next, done, alpha, gamma):  # V: dict state -> value; returns new V[s]
    target = r + (0.0 if done else gamma * V[s_next])  # no bootstrap from a terminal state
    return V[s] + alpha * (target - V[s])


def ess_solution(w):  # (n,) importance weights -> the effective sample size, as a fraction of n
    return w.sum() ** 2 / (w**2).sum() / len(w)  # 1 when all weights are equal, 1/n when one carries all


def ppo_clip_loss_solution(newlogprobs, b_logprobs, advantages, clip_coef):  # (n,) x3 -> scalar
    ratio = (newlogprobs - b_logprobs).exp()  # pi / pi_old
    clipped = torch.clamp(ratio, 1 - clip_coef, 1 + clip_coef)
    return -torch.min(ratio * advantages, clipped * advantages).mean()


def kl_penalized_rewards_solution(rm_score, logprobs, ref_logprobs, beta):  # scalar, (T,), (T,) -> (T,)
    rewards = -beta * (logprobs - ref_logprobs)  # per-token KL penalty
    rewards[-1] = rewards[-1] + rm_score  # the reward model scores the whole response, at its end
    return rewards


def dpo_loss_solution(logps_chosen, logps_rejected, ref_logps_chosen, ref_logps_rejected, beta):  # (B,) x4
    chosen_logratio = logps_chosen - ref_logps_chosen  # log pi(y_w) / pi_ref(y_w)
    rejected_logratio = logps_rejected - ref_logps_rejected  # log pi(y_l) / pi_ref(y_l)
    return -torch.nn.functional.logsigmoid(beta * (chosen_logratio - rejected_logratio)).mean()


def pass_at_k_solution(n, c, k):  # ints -> float: one problem, n answers sampled, c of them right
    if n - c < k:
        return 1.0  # fewer wrong answers than draws: every draw of k includes a right one
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))  # 1 - C(n-c, k) / C(n, k)


# fmt: on


EXERCISES = tuple(name.removesuffix("_solution") for name in dir() if name.endswith("_solution"))


def source(name):
    """The source of exercise ``name``'s solution, its function named as in the exercise."""
    if name not in EXERCISES:
        raise ValueError(f"name must be one of {sorted(EXERCISES)}, got {name!r}")
    return inspect.getsource(globals()[f"{name}_solution"]).replace(
        f"{name}_solution(", f"{name}(", 1
    )
