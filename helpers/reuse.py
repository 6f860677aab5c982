"""Notebook 05's reuse experiment (its section 6), for notebook 06 to repeat with other losses.

A middling CartPole policy pi_old trained by notebook 03's A2C (``train_pi_old``), then
batches of pi_old's data, each reused for many Adam steps on a loss and measured at chosen
numbers of updates (``reuse_batches``). Notebook 05 writes both out inline, where it teaches
them, and asserts that this module gives the same numbers; notebook 06 calls it with the
clipped and the KL-penalised losses.

Seeding, as in notebook 05: pi_old's A2C runs after ``set_seed(seed)`` on environments seeded
with ``seed``; the batches are drawn after ``set_seed(seed + 1)``; every policy is evaluated on
the same ``eval_episodes`` starting states (``seed + 1000``) with its own random numbers, so an
evaluation changes nothing else.
"""

import copy

import numpy as np
import torch
from tqdm.auto import tqdm

import helpers
from helpers import _validate, envs, losses, nets, returns, rollouts, training

# Notebook 05's A2C settings (notebook 03's), which notebook 06 must not overwrite with PPO's.
NUM_ENVS = 16  # parallel environments
NUM_STEPS = 16  # steps per environment per A2C update
GAMMA = 0.99  # discount
GAE_LAMBDA = 0.95  # GAE's lambda
LEARNING_RATE = 5e-3  # A2C's Adam step size
VF_COEF = 0.5  # weight of the critic's loss
MAX_GRAD_NORM = 0.5  # gradient clipping
HIDDEN = 64  # width of the hidden layers
EVAL_EPISODES = 64  # episodes that measure a policy's return
EVAL_OFFSET = 1000  # the evaluation's seed is seed + EVAL_OFFSET
BATCH_OFFSET = 1  # the batches' seed is seed + BATCH_OFFSET

BAR_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| {n}/{total} [{elapsed}]"  # a return, not a rate
KEYS = ("kl", "approx_kl", "surrogate", "ess", "return")  # what reuse_batches measures


def evaluator(seed, eval_episodes=EVAL_EPISODES):
    """A function ``mean_return(model)``: the mean return of ``model``'s actor over
    ``eval_episodes`` CartPole episodes, one per copy, from the same starting states every call
    (``seed + 1000``) and with its own random numbers (training's stream is left alone)."""
    seed = _validate.seed(seed)
    eval_episodes = _validate.positive_int("eval_episodes", eval_episodes)
    eval_seed = seed + EVAL_OFFSET
    eval_env = envs.make_vec_env(
        "CartPole-v1", num_envs=eval_episodes, seed=eval_seed, vectorization_mode="vector"
    )

    def mean_return(model):  # CartPole pays 1 per step, so the return is the length
        obs, _ = eval_env.reset(seed=eval_seed)
        alive, length = np.ones(eval_episodes, dtype=bool), np.zeros(eval_episodes)
        with torch.random.fork_rng(devices=[]), torch.no_grad():
            torch.manual_seed(eval_seed)
            while alive.any():  # until every copy's first episode has ended
                probs = torch.softmax(model.actor(torch.as_tensor(obs)), -1)  # (eval_episodes, 2)
                action = torch.multinomial(probs, 1).squeeze(-1)
                obs, _, terminated, truncated, _ = eval_env.step(action.numpy())
                length += alive
                alive &= ~(terminated | truncated)
        return length.mean()

    return mean_return


def train_pi_old(seed, *, target_return=250, max_return=400, max_updates=500):
    """Train pi_old with notebook 03's A2C (no entropy term), evaluating after every update and
    stopping as soon as the evaluated return reaches ``target_return``.

    Returns ``(agent, pi_old_eval)``: the ``nets.ActorCritic`` and its evaluated mean return.
    Raises ``RuntimeError`` when that return is not in ``[target_return, max_return)`` (not a
    middling policy), and ``ValueError`` naming the argument for bad input.
    """
    seed = _validate.seed(seed)
    target_return = _validate.positive("target_return", target_return)
    max_return = _validate.positive("max_return", max_return)
    if max_return <= target_return:
        raise ValueError(
            f"max_return must be greater than target_return ({target_return}), got {max_return!r}"
        )
    max_updates = _validate.positive_int("max_updates", max_updates)

    helpers.set_seed(seed)
    vec_env = envs.make_vec_env(
        "CartPole-v1", num_envs=NUM_ENVS, seed=seed, vectorization_mode="vector"
    )
    mean_return = evaluator(seed)
    agent = nets.ActorCritic(envs.obs_size(vec_env), envs.n_actions(vec_env), hidden=HIDDEN)
    optimizer = torch.optim.Adam(agent.parameters(), lr=LEARNING_RATE)
    next_obs, _ = vec_env.reset(seed=seed)
    # the bar shows the evaluated return against the target: it ends full when pi_old reaches it
    progress = tqdm(
        total=int(target_return),
        desc="A2C for pi_old, evaluated return",
        leave=False,
        bar_format=BAR_FORMAT,
    )
    for _ in range(max_updates):
        current = mean_return(agent)
        progress.update(int(min(current, target_return)) - progress.n)
        if current >= target_return:
            break
        rollout = rollouts.collect_steps(vec_env, agent, next_obs, NUM_STEPS, GAMMA)
        next_obs = rollout.next_obs
        advantages = returns.gae(
            rollout.rewards, rollout.values, rollout.dones, rollout.next_value, GAMMA, GAE_LAMBDA
        )  # (T, N)
        b_returns = (advantages + rollout.values).flatten()  # (T*N,)
        b_advantages = returns.normalize(advantages.flatten())  # (T*N,)
        b_obs = rollout.obs.flatten(0, 1)  # (T*N, 4)
        _, newlogprobs, _, b_values = agent.get_action_and_value(b_obs, rollout.actions.flatten())
        pg_loss = -(b_advantages * newlogprobs).mean()
        v_loss = 0.5 * ((b_values - b_returns) ** 2).mean()
        loss = pg_loss + VF_COEF * v_loss
        training.check_finite(loss, "A2C")
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(agent.parameters(), MAX_GRAD_NORM)
        optimizer.step()
    progress.refresh()  # its final state, also where a page shows a closed bar
    progress.close()
    pi_old_eval = mean_return(agent)
    if not target_return <= pi_old_eval < max_return:
        raise RuntimeError(
            f"pi_old should be middling: its return {pi_old_eval:.0f} is not in "
            f"[{target_return:.0f}, {max_return:.0f}) after at most {max_updates} A2C updates"
        )
    return agent, pi_old_eval


def _checkpoints(checkpoints):
    ok = isinstance(checkpoints, (list, tuple)) and len(checkpoints) > 0
    ok = ok and all(isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in checkpoints)
    if not ok or any(b <= a for a, b in zip(checkpoints, checkpoints[1:], strict=False)):
        raise ValueError(
            f"checkpoints must be a non-empty increasing list of integers >= 0, got {checkpoints!r}"
        )
    return list(checkpoints)


def _measure(policy, old_dist, b_obs, b_actions, b_logprobs, b_advantages):
    """KL(pi_old || pi) exact and by k3, the surrogate and the effective sample size."""
    with torch.no_grad():
        new_dist = torch.distributions.Categorical(logits=policy.actor(b_obs))
        newlogprobs = new_dist.log_prob(b_actions)
        w = (newlogprobs - b_logprobs).exp()  # (B,) the importance weights, ratio
        return {
            "kl": torch.distributions.kl_divergence(old_dist, new_dist).mean().item(),
            "approx_kl": losses.kl_estimate(b_logprobs, newlogprobs, "k3").item(),
            "surrogate": (w * b_advantages).mean().item(),
            "ess": (w.sum() ** 2 / (w**2).sum() / len(w)).item(),
        }


def reuse_batches(
    pi_old,
    pi_old_eval,
    loss_fn,
    seed,
    *,
    num_batches,
    checkpoints,
    batch_steps=128,
    learning_rate=1e-3,
    eval_episodes=EVAL_EPISODES,
    desc=None,
):
    """Draw ``num_batches`` batches of pi_old's data (``NUM_ENVS`` x ``batch_steps`` each) and
    on each take ``checkpoints[-1]`` Adam steps (on pi_old's actor, copied) minimising
    ``loss_fn(newlogprobs, b_logprobs, b_advantages)``, measuring after each number of updates
    in ``checkpoints``.

    ``seed`` is the seed given to ``train_pi_old``: the batches are drawn after
    ``set_seed(seed + 1)``, so every ``loss_fn`` sees the same batches, and the return is
    evaluated on the same starting states as ``pi_old_eval`` (which stands for 0 updates).

    Returns a dict with keys ``KEYS``, each a numpy array (num_batches, len(checkpoints)):
    ``kl`` = KL(pi_old || pi) over the batch's states (exact), ``approx_kl`` its k3 estimate,
    ``surrogate`` = mean(ratio * A), ``ess`` the effective sample size of the ratios as a
    fraction of the batch, and ``return`` the evaluated mean return.
    """
    if not isinstance(pi_old, nets.ActorCritic):
        raise ValueError(f"pi_old must be a nets.ActorCritic, got {type(pi_old).__name__}")
    pi_old_eval = _validate.positive("pi_old_eval", pi_old_eval, allow_zero=True)
    if not callable(loss_fn):
        raise ValueError(
            f"loss_fn must be a function of (newlogprobs, b_logprobs, b_advantages), got {loss_fn!r}"
        )
    seed = _validate.seed(seed)
    num_batches = _validate.positive_int("num_batches", num_batches)
    checkpoints = _checkpoints(checkpoints)
    batch_steps = _validate.positive_int("batch_steps", batch_steps)
    learning_rate = _validate.positive("learning_rate", learning_rate)
    mean_return = evaluator(seed, eval_episodes)

    helpers.set_seed(seed + BATCH_OFFSET)  # the same batches for every loss_fn
    batch_env = envs.make_vec_env(
        "CartPole-v1", num_envs=NUM_ENVS, seed=seed + BATCH_OFFSET, vectorization_mode="vector"
    )
    next_obs, _ = batch_env.reset(seed=seed + BATCH_OFFSET)
    results = {key: [] for key in KEYS}  # each: (num_batches, len(checkpoints))
    for _ in tqdm(range(num_batches), desc=desc, leave=False):
        rollout = rollouts.collect_steps(batch_env, pi_old, next_obs, batch_steps, GAMMA)
        next_obs = rollout.next_obs
        advantages = returns.gae(
            rollout.rewards, rollout.values, rollout.dones, rollout.next_value, GAMMA, GAE_LAMBDA
        )  # (T, N)
        b_obs = rollout.obs.reshape(-1, envs.obs_size(batch_env))  # (B, 4)
        b_actions, b_logprobs = rollout.actions.reshape(-1), rollout.logprobs.reshape(-1)  # (B,)
        b_advantages = returns.normalize(advantages.reshape(-1))  # (B,)
        with torch.no_grad():
            old_dist = torch.distributions.Categorical(logits=pi_old.actor(b_obs))

        policy = copy.deepcopy(pi_old)
        optimizer = torch.optim.Adam(policy.actor.parameters(), lr=learning_rate)
        row = {key: [] for key in KEYS}
        for update in range(checkpoints[-1] + 1):
            if update in checkpoints:
                for key, value in _measure(
                    policy, old_dist, b_obs, b_actions, b_logprobs, b_advantages
                ).items():
                    row[key].append(value)
                row["return"].append(mean_return(policy) if update else pi_old_eval)
            if update == checkpoints[-1]:
                break
            _, newlogprobs, _, _ = policy.get_action_and_value(b_obs, b_actions)
            pg_loss = loss_fn(newlogprobs, b_logprobs, b_advantages)
            optimizer.zero_grad()
            pg_loss.backward()
            optimizer.step()
        for key in KEYS:
            results[key].append(row[key])
    return {key: np.array(value, dtype=float) for key, value in results.items()}
