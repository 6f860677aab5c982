"""Environment steps per second: gymnasium's vectorised CartPole-v1 against the course's
TorchCartPole, at 1k, 16k and 256k environments, on the CPU and (where present) the GPU.

    python benchmarks/env_throughput.py [--sizes 1024 16384 262144] [--threads 1]

Random actions; only the environment is timed (actions are drawn beforehand). gymnasium's
"sync" vectorisation steps one Python env object after another, so it is timed only at the
smallest size; its "vector_entry_point" CartPoleVectorEnv steps all of them with NumPy.
"""

import argparse
import time

import gymnasium as gym
import numpy as np
import torch

from helpers.torch_cartpole import TorchCartPole


def rate(step, n_envs, seconds=2.0, min_steps=5):
    step()  # warm-up
    count, start = 0, time.perf_counter()
    while count < min_steps or time.perf_counter() - start < seconds:
        step()
        count += 1
    return n_envs * count / (time.perf_counter() - start)


def gym_rate(n_envs, mode):
    kwargs = {"autoreset_mode": gym.vector.AutoresetMode.SAME_STEP} if mode == "sync" else {}
    envs = gym.make_vec(
        "CartPole-v1", num_envs=n_envs, vectorization_mode=mode, vector_kwargs=kwargs
    )
    envs.reset(seed=0)
    actions = np.random.default_rng(0).integers(0, 2, size=(64, n_envs))
    i = [0]

    def step():
        envs.step(actions[i[0] % 64])
        i[0] += 1

    result = rate(step, n_envs)
    envs.close()
    return result


def torch_rate(n_envs, device):
    env = TorchCartPole(n_envs, device=device, seed=0)
    env.reset()
    actions = torch.randint(0, 2, (64, n_envs), device=device)
    i = [0]

    def step():
        env.step(actions[i[0] % 64])
        i[0] += 1
        if device.type == "cuda":
            torch.cuda.synchronize()

    return rate(step, n_envs)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1024, 16384, 262144])
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    print(
        "| envs | gymnasium sync | gymnasium vector_entry_point | "
        + " | ".join(f"TorchCartPole {d.type}" for d in devices)
        + " |"
    )
    print("|---:|---:|---:|" + "---:|" * len(devices))
    for n in args.sizes:
        sync = f"{gym_rate(n, 'sync'):.3g}" if n <= 1024 else "(too slow)"
        row = [f"{n}", sync, f"{gym_rate(n, 'vector_entry_point'):.3g}"]
        row += [f"{torch_rate(n, d):.3g}" for d in devices]
        print("| " + " | ".join(row) + " |", flush=True)
    print(
        "\nsteps per second (higher is better); CPU threads:",
        args.threads,
        "| GPU:",
        torch.cuda.get_device_name() if torch.cuda.is_available() else "none",
    )


if __name__ == "__main__":
    main()
