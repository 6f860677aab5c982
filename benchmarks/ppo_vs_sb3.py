"""The course's PPO (the very cells notebook 06 runs) against Stable-Baselines3's PPO as the
RL Baselines3 Zoo runs it on CartPole-v1, side by side, single-threaded, on held-out seeds.

    python -m pip install -r benchmarks/requirements-sb3.txt
    python benchmarks/ppo_vs_sb3.py                  # seeds 1000-1009
    python benchmarks/ppo_vs_sb3.py --seeds 5 --first-seed 2000

The seeds default to 1000 and up: notebook 06's settings were chosen on seeds 0-59
(``benchmarks/ppo_scan.py``), so those would flatter it. SB3 gets the zoo's hyperparameters for
CartPole-v1 (8 envs, n_steps 32, batch 256, gae_lambda 0.8, gamma 0.98, 20 epochs, no entropy
bonus) with the zoo's linear schedules: the learning rate from 1e-3 and the clip range from 0.2
down to 0 over the zoo's budget of 100,000 steps.

Each run stops once the mean return of its last 20 finished episodes reaches 475 (the course's
runs also stop at notebook 06's bar of 50,000 steps, SB3's at its 100,000; a run that stops
unsolved is reported as such). The two are interleaved seed by seed so that a busy machine
slows both alike. Prints steps and seconds to solve per seed and the median ratio of times.
"""

import argparse
import functools
import statistics
import time

import numpy as np
import torch

from common import ROOT, tagged_cells

NOTEBOOK = ROOT / "notebooks" / "06_ppo.ipynb"
SOLVED = 475


def load_course_ppo(overrides=None):
    """Execute notebook 06's cells tagged ``ppo-imports``, ``ppo-hyperparameters`` and
    ``ppo-train`` (its own import cell, so every module ``train_ppo`` uses is there) and return
    its ``train_ppo``; ``overrides`` (name -> value) replace hyperparameters first. Its progress
    bar is switched off here (the notebook's ``tqdm``, disabled), so the timed runs print nothing."""
    imports, hyperparameters, train = tagged_cells(
        NOTEBOOK, ("ppo-imports", "ppo-hyperparameters", "ppo-train")
    )
    namespace = {"SEED": 0}  # the import cell seeds with the notebook's parameter
    exec(imports, namespace)
    namespace["tqdm"] = functools.partial(namespace["tqdm"], disable=True)
    imported = set(namespace)
    exec(hyperparameters, namespace)
    unknown = set(overrides or {}) - (set(namespace) - imported)
    if unknown:
        raise ValueError(
            f"overrides must name hyperparameters of notebook 06, got {sorted(unknown)}"
        )
    namespace.update(overrides or {})
    exec(train, namespace)
    return namespace["train_ppo"]


def run_course(train_ppo, seed):
    start = time.perf_counter()
    run = train_ppo(seed, "clip")
    return run["steps"], time.perf_counter() - start, run["solved"]


ZOO_TIMESTEPS = 100_000  # the zoo's n_timesteps for CartPole-v1; its schedules run over it


def linear(initial):
    """The zoo's ``lin_<initial>``: ``initial`` times the fraction of the budget still left."""
    return lambda progress_remaining: progress_remaining * initial


def run_sb3(seed, max_steps=ZOO_TIMESTEPS):
    from stable_baselines3 import PPO
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.env_util import make_vec_env

    class StopWhenSolved(BaseCallback):
        def __init__(self):
            super().__init__()
            self.episode_returns = []

        def _on_step(self):
            for info in self.locals["infos"]:
                if "episode" in info:
                    self.episode_returns.append(info["episode"]["r"])
            recent = self.episode_returns[-20:]
            return not (len(recent) == 20 and np.mean(recent) >= SOLVED)

    start = time.perf_counter()
    env = make_vec_env("CartPole-v1", n_envs=8, seed=seed)
    model = PPO(
        "MlpPolicy",
        env,
        n_steps=32,
        batch_size=256,
        gae_lambda=0.8,
        gamma=0.98,
        n_epochs=20,
        ent_coef=0.0,
        learning_rate=linear(1e-3),
        clip_range=linear(0.2),
        seed=seed,
        device="cpu",
        verbose=0,
    )
    callback = StopWhenSolved()
    model.learn(max_steps, callback=callback)
    recent = callback.episode_returns[-20:]
    solved = len(recent) == 20 and np.mean(recent) >= SOLVED
    return model.num_timesteps, time.perf_counter() - start, solved


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=10, help="how many seeds (default 10)")
    parser.add_argument(
        "--first-seed", type=int, default=1000, help="the first seed (default 1000: held out)"
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    # pay torch's one-off optimizer import up front
    torch.optim.Adam([torch.zeros(1, requires_grad=True)])
    train_ppo = load_course_ppo()
    rows = []
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        course = run_course(train_ppo, seed)
        sb3 = run_sb3(seed)
        rows.append((seed, course, sb3))
        print(
            f"seed {seed}: course {course[0]:6d} steps {course[1]:6.1f} s solved={course[2]} | "
            f"SB3 {sb3[0]:6d} steps {sb3[1]:6.1f} s solved={sb3[2]}",
            flush=True,
        )
    print(
        "\n| seed | course PPO steps | course PPO s | SB3 PPO steps | SB3 PPO s |\n|---:|---:|---:|---:|---:|"
    )
    for seed, c, s in rows:
        mark = lambda ok: "" if ok else " (not solved)"  # noqa: E731
        print(f"| {seed} | {c[0]}{mark(c[2])} | {c[1]:.1f} | {s[0]}{mark(s[2])} | {s[1]:.1f} |")
    course_median = statistics.median(c[1] for _, c, _ in rows)
    sb3_median = statistics.median(s[1] for _, _, s in rows)
    print(
        f"\ncourse PPO solved {sum(c[2] for _, c, _ in rows)}/{len(rows)} seeds, "
        f"SB3 {sum(s[2] for _, _, s in rows)}/{len(rows)}"
    )
    print(
        f"median seconds to solve: course {course_median:.1f}, SB3 {sb3_median:.1f}; "
        f"SB3 / course = {sb3_median / course_median:.1f}x"
    )


if __name__ == "__main__":
    main()
