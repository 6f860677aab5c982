"""Write the parts of README.md and README.zh.md that the committed notebooks decide.

    python tools/readme_parts.py            # write them (after course_run.py --write)
    python tools/readme_parts.py --check    # exit 1, naming each part that has drifted

Two parts, each between markers in both READMEs, so running it again changes nothing else:
- the notebook table: one row per ``notebooks/NN_*.ipynb`` (found by glob), its words from
  ``ROWS`` below and its time from the notebook's own clock, the line ``this notebook ran in
  N s`` that its last cell printed in the committed run (``helpers.clock``);
- the figure strip: the images named in ``FIGURES``, copied byte for byte from the committed
  outputs into ``docs/figures/``, each linking to its notebook.

A new notebook needs one entry in ``ROWS`` (its title, the article's section and one line of
what you build, in both languages); its time comes from its clock. After a notebook's outputs
are regenerated, run this again: ``tests/test_readme_parts.py`` fails while the READMEs or an
image disagree with the notebooks.
"""

import argparse
import base64
import difflib
import importlib.util
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
FIGURE_DIR = Path("docs") / "figures"
READMES = {"en": "README.md", "zh": "README.zh.md"}

# One entry per notebook, keyed by its file name without ``.ipynb``: its title, the article's
# section and one line of what you build, in English ("en") and Chinese ("zh"). A new notebook
# needs only its entry, e.g. for a notebooks/10_next_step.ipynb
#     "10_next_step": {"en": (title, section, build), "zh": (title, section, build)},
# its row's place comes from its number and its time from its clock (helpers.clock).
ROWS = {
    "01_policy_gradient": {
        "en": (
            "Policy gradient",
            "策略梯度:强化学习的基础方法 (the basic method)",
            "REINFORCE from the log-derivative trick, checked against a bandit's exact gradient; "
            "it solves CartPole",
        ),
        "zh": (
            "策略梯度",
            "策略梯度：强化学习的基础方法",
            "从对数导数技巧推出 REINFORCE，与多臂老虎机的精确梯度对照；用它解决 CartPole",
        ),
    },
    "02_baseline": {
        "en": (
            "Baseline",
            "策略梯度的问题与优化 (problems and fixes)",
            "why all-positive rewards hurt an unsampled action, how much a baseline b cuts the "
            "variance, and why the batch's own mean shrinks the gradient (leave-one-out fixes it). "
            "**Slider:** b",
        ),
        "zh": (
            "基线",
            "策略梯度的问题与优化",
            "为什么全为正的奖励会伤害未被采样的动作，基线 b 让方差降低多少，以及为什么批次自身的均值会缩小梯度(留一法修正它)。**滑块：** b",
        ),
    },
    "03_advantage_actor_critic": {
        "en": (
            "Advantage and actor-critic",
            "Q-learning 与 Actor-Critic",
            "the advantage, GAE between TD and Monte-Carlo, and A2C on CartPole",
        ),
        "zh": (
            "优势函数与 Actor-Critic",
            "Q-learning 与 Actor-Critic",
            "优势函数、介于 TD 与蒙特卡洛之间的 GAE，以及 CartPole 上的 A2C",
        ),
    },
    "04_mc_vs_td": {
        "en": (
            "Monte-Carlo versus TD",
            "Q-learning 与 Actor-Critic",
            "two ways to learn V: Sutton and Barto's examples, then a CartPole critic's variance "
            "and bias",
        ),
        "zh": (
            "蒙特卡洛与时序差分",
            "Q-learning 与 Actor-Critic",
            "学习 V 的两种方法：Sutton 与 Barto 的例子，再实测 CartPole 上 Critic 的方差与偏差",
        ),
    },
    "05_off_policy_importance_sampling": {
        "en": (
            "Off-policy and importance sampling",
            "PPO (its off-policy part)",
            "reusing old data with the ratio p/q, and where its variance explodes. "
            "**Slider:** the p-q distance",
        ),
        "zh": (
            "Off-policy 学习与重要性采样",
            "PPO(离策略部分)",
            "用比值 p/q 复用旧数据，以及它的方差在哪里爆炸。**滑块：** p 与 q 的距离",
        ),
    },
    "06_ppo": {
        "en": (
            "PPO",
            "PPO",
            "the clipped objective; PPO-clip against PPO-penalty on CartPole over three seeds. "
            "**Slider:** clip epsilon",
        ),
        "zh": (
            "PPO：近端策略优化",
            "PPO",
            "裁剪目标；CartPole 上 PPO-clip 与 PPO-penalty 在三个种子上的比较。**滑块：** 裁剪系数 epsilon",
        ),
    },
    "07_rlhf_tiny_gpt": {
        "en": (
            "RLHF on a tiny GPT",
            "InstructGPT中的强化学习",
            "pretraining, SFT, a reward model from rankings, PPO with a KL penalty; reward "
            "hacking at beta = 0. **Slider:** beta",
        ),
        "zh": (
            "在小型 GPT 上做 RLHF",
            "InstructGPT中的强化学习",
            "预训练、SFT、从排序中学习的奖励模型、带 KL 惩罚的 PPO；beta = 0 时的奖励投机。"
            "**滑块：** beta",
        ),
    },
    "08_dpo_grpo": {
        "en": (
            "After InstructGPT: DPO and GRPO",
            "*epilogue, beyond the article*",
            "DPO, GRPO and RLOO on 07's world, side by side with PPO and best-of-n; which KL the k3 term's gradient follows. **Slider:** DPO beta",
        ),
        "zh": (
            "InstructGPT 之后：DPO 与 GRPO",
            "*尾声，超出文章的范围*",
            "在 07 的世界上训练 DPO、GRPO 与 RLOO，与 PPO 和 best-of-n 并排比较；k3 项的梯度沿着哪个 KL 走。**滑块：** DPO 的 beta",
        ),
    },
    "09_reasoning_verifiable_reward": {
        "en": (
            "Reasoning from a verifiable reward",
            "*epilogue, beyond the article*",
            "GRPO on a checked answer teaches a tiny GPT to show its work (R1-Zero in miniature); "
            "pass@k, and a checker with a hole. **Slider:** GRPO iteration",
        ),
        "zh": (
            "基于可验证奖励的推理",
            "*尾声，超出文章的范围*",
            "用程序核对答案、以 GRPO 训练，小型 GPT 学会写出演算过程(迷你版 R1-Zero)；"
            "pass@k，以及一个有漏洞的检查器。**滑块：** GRPO 迭代",
        ),
    },
}

# The figure strip: (notebook, cell id, file under docs/figures/, English caption, Chinese).
FIGURES = [
    (
        "01_policy_gradient",
        "07b91c6e",
        "01_reinforce_cartpole.png",
        "REINFORCE learning CartPole",
        "REINFORCE 学会 CartPole",
    ),
    (
        "04_mc_vs_td",
        "fbbebc44",
        "04_random_walk.png",
        "Monte-Carlo against TD on the random walk",
        "随机游走上的蒙特卡洛与 TD",
    ),
    ("06_ppo", "efc51e24", "06_clipped_objective.png", "PPO's clipped objective", "PPO 的裁剪目标"),
    (
        "07_rlhf_tiny_gpt",
        "d1497297",
        "07_overoptimisation.png",
        "over-optimisation and mode collapse in RLHF",
        "RLHF 中的过度优化与模式坍缩",
    ),
    (
        "08_dpo_grpo",
        "c36",
        "08_methods_side_by_side.png",
        "PPO, DPO, GRPO and best-of-n side by side",
        "PPO、DPO、GRPO 与 best-of-n 并排比较",
    ),
    (
        "09_reasoning_verifiable_reward",
        "c21",
        "09_length_grows.png",
        "a tiny GPT learns to show its work: GRPO on a checked answer",
        "小型 GPT 学会写出演算过程：在核对过的答案上做 GRPO",
    ),
]
FIGURE_ROWS = [3, 3]  # how many figures go on each line of the strip
FIGURE_HEIGHT = 130  # pixels: lines of three fit GitHub's page width

TEXT = {
    "en": {
        "header": "| # | notebook | the article's section | what you build | time\\* |",
        "untimed": "not yet timed",
        "note": (
            "\\* Each notebook's own clock (its last cell) in the committed run, on a 2-core "
            "CPU without a GPU; the whole course: {total}. Yours will differ: see "
            "[Troubleshooting](#troubleshooting)."
        ),
        "partly": (
            "\\* Each notebook's own clock (its last cell) in the committed run, on a 2-core "
            "CPU without a GPU; the whole course: {total} without {missing}, whose committed "
            "outputs predate the clock ([earlier times]({measurements})). Yours will differ: "
            "see [Troubleshooting](#troubleshooting)."
        ),
        "none": (
            "\\* Not yet timed: the committed outputs predate each notebook's clock (its last "
            "cell prints its wall time); [earlier times]({measurements}). Yours will differ: see "
            "[Troubleshooting](#troubleshooting)."
        ),
    },
    "zh": {
        "header": "| # | 笔记本 | 对应文章的章节 | 你将实现的内容 | 时间\\* |",
        "untimed": "尚未计时",
        "note": (
            "\\* 时间取自每个笔记本自己的计时(最后一个单元格)在已提交的那次运行中打印的结果，"
            "机器是一台没有 GPU 的 2 核 CPU；整个课程：{total}。你的时间会不同，见"
            "[常见问题](#常见问题)。"
        ),
        "partly": (
            "\\* 时间取自每个笔记本自己的计时(最后一个单元格)在已提交的那次运行中打印的结果，"
            "机器是一台没有 GPU 的 2 核 CPU；整个课程：{total}(不含 {missing}：它们已提交的输出"
            "早于计时单元格，[更早的测量]({measurements}))。你的时间会不同，见[常见问题](#常见问题)。"
        ),
        "none": (
            "\\* 尚未计时：已提交的输出早于每个笔记本的计时单元格(最后一个单元格打印运行时间)；"
            "[更早的测量]({measurements})。你的时间会不同，见[常见问题](#常见问题)。"
        ),
    },
}
MEASUREMENTS = "docs/MEASUREMENTS.md#time-and-memory-per-notebook"


def _clock():
    """``helpers/clock.py`` of this checkout (its ``read`` is the one parser of its line)."""
    spec = importlib.util.spec_from_file_location("_clock", ROOT / "helpers" / "clock.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def notebook_paths(root):
    """The English notebooks, ``notebooks/NN_*.ipynb``, in order."""
    return sorted((Path(root) / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def clock_seconds(nb):
    """The seconds of the last ``this notebook ran in N s`` line in ``nb``'s outputs, or None."""
    read, found = _clock().read, None
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stdout":
                seconds = read(out.get("text", ""))
                found = seconds if seconds is not None else found
    return found


def duration(seconds, lang):
    """``37 s`` / ``1 min 54 s`` (``37 秒`` / ``1 分 54 秒``)."""
    minutes, rest = divmod(int(seconds), 60)
    if lang == "zh":
        return f"{minutes} 分 {rest} 秒" if minutes else f"{rest} 秒"
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def figure_png(nb, cell_id):
    """The bytes of the first image/png output of the cell ``cell_id``; ValueError if none."""
    for cell in nb.cells:
        if cell.get("id") == cell_id:
            for out in cell.get("outputs", []):
                if "image/png" in out.get("data", {}):
                    return base64.b64decode(out["data"]["image/png"])
            raise ValueError(f"cell {cell_id} has no image/png output")
    raise ValueError(f"no cell with id {cell_id}")


def _notebooks(root, problems):
    """{stem: (path, notebook, seconds)}; what is missing goes into ``problems``."""
    found = {}
    for path in notebook_paths(root):
        nb = nbformat.read(path, as_version=4)
        seconds = clock_seconds(nb)
        if path.stem not in ROWS:
            problems.append(
                f"{path.name} has no entry in ROWS of tools/readme_parts.py: add "
                f'"{path.stem}": {{"en": (title, section, build), "zh": (...)}}'
            )
        found[path.stem] = (path, nb, seconds)
    problems.extend(
        f"ROWS names {stem}, which is not in notebooks/" for stem in ROWS if stem not in found
    )
    return found


def untimed(root=ROOT):
    """The notebooks whose committed outputs hold no clock line yet (their time shows as
    not yet timed until ``course_run.py --write`` runs them)."""
    return [
        p.name
        for p in notebook_paths(root)
        if clock_seconds(nbformat.read(p, as_version=4)) is None
    ]


def untimed_report(root=ROOT):
    """One line per notebook whose committed outputs have no clock line: what to run."""
    return [
        f"not yet timed: notebooks/{name} (its committed outputs have no "
        f"'this notebook ran in N s' line; run python benchmarks/course_run.py --write "
        f"notebooks/{name} on a quiet machine, then python tools/readme_parts.py)"
        for name in untimed(root)
    ]


def notebook_table(found, lang):
    """The notebook table and its note, in ``lang``."""
    folder = "notebooks/" if lang == "en" else "notebooks/zh/"
    lines = [TEXT[lang]["header"], "|---|---|---|---|---:|"]
    total = 0
    for stem, (path, _, seconds) in found.items():
        title, section, build = ROWS.get(stem, {}).get(lang, ("?", "?", "?"))
        time = duration(seconds, lang) if seconds is not None else TEXT[lang]["untimed"]
        total += seconds or 0
        lines.append(
            f"| {stem[:2]} | [{title}]({folder}{path.name}) | {section} | {build} | {time} |"
        )
    missing = [stem[:2] for stem, (_, _, s) in found.items() if s is None]
    kind = "none" if len(missing) == len(found) else "partly" if missing else "note"
    note = TEXT[lang][kind].format(
        total=duration(total, lang), missing=", ".join(missing), measurements=MEASUREMENTS
    )
    lines += ["", note]
    return "\n".join(lines)


def figure_strip(lang):
    """The HTML of the figure strip: lines of linked images, each with its caption as alt."""
    folder = "notebooks/" if lang == "en" else "notebooks/zh/"
    items = []
    for stem, _, name, caption_en, caption_zh in FIGURES:
        caption = caption_en if lang == "en" else caption_zh
        items.append(
            f'<a href="{folder}{stem}.ipynb"><img src="{FIGURE_DIR.as_posix()}/{name}" '
            f'height="{FIGURE_HEIGHT}" alt="{caption} ({stem[:2]})" title="{caption} ({stem[:2]})"></a>'
        )
    lines, start = [], 0
    for count in FIGURE_ROWS:
        lines.append("<p>\n" + "\n".join(items[start : start + count]) + "\n</p>")
        start += count
    if start != len(items):
        raise ValueError(f"FIGURE_ROWS must add up to {len(items)} figures, got {start}")
    return "\n".join(lines)


def _markers(part):
    return (
        f"<!-- readme-parts:{part}:start: written by `python tools/readme_parts.py` from the "
        f"committed notebooks; edit that script, not this block -->",
        f"<!-- readme-parts:{part}:end -->",
    )


def replace_part(text, part, body):
    """``text`` with the block of ``part`` replaced by ``body``; ValueError without markers."""
    start, end = _markers(part)
    head, found, rest = text.partition(start.split(":start")[0] + ":start")
    if not found or _markers(part)[1] not in rest:
        raise ValueError(f"the README has no {part} block ({start[:33]}... {end})")
    tail = rest.split(end, 1)[1]
    return f"{head}{start}\n{body}\n{end}{tail}"


def expected(root):
    """(problems, {README name: its text as it should be}, {figure path: bytes})."""
    root, problems = Path(root), []
    found = _notebooks(root, problems)
    images = {}
    for stem, cell_id, name, *_ in FIGURES:
        if stem not in found:
            problems.append(f"FIGURES names {stem}, which is not in notebooks/")
            continue
        try:
            images[FIGURE_DIR / name] = figure_png(found[stem][1], cell_id)
        except ValueError as err:
            problems.append(f"{stem}.ipynb: {err} (FIGURES in tools/readme_parts.py)")
    readmes = {}
    for lang, name in READMES.items():
        path = root / name
        if not path.exists():
            problems.append(f"{name} is missing")
            continue
        try:
            text = replace_part(path.read_text(), "notebooks", notebook_table(found, lang))
            readmes[name] = replace_part(text, "figures", figure_strip(lang))
        except ValueError as err:
            problems.append(f"{name}: {err}")
    return problems, readmes, images


def check(root=ROOT):
    """Every way the READMEs' generated parts or ``docs/figures/`` disagree with the notebooks."""
    root = Path(root)
    problems, readmes, images = expected(root)
    for name, text in readmes.items():
        current = (root / name).read_text()
        if current != text:
            diff = [
                line
                for line in difflib.unified_diff(
                    current.splitlines(), text.splitlines(), lineterm="", n=0
                )
                if line[:1] in "+-" and not line.startswith(("+++", "---"))
            ]
            problems.append(
                f"{name} disagrees with the notebooks (run python tools/readme_parts.py):\n  "
                + "\n  ".join(diff[:6])
            )
    for rel, data in images.items():
        path = root / rel
        if not path.exists():
            problems.append(f"{rel.as_posix()} is missing (run python tools/readme_parts.py)")
        elif path.read_bytes() != data:
            problems.append(
                f"{rel.as_posix()} no longer matches its notebook's output "
                "(run python tools/readme_parts.py)"
            )
    named = {rel.name for rel in images}
    for path in sorted((root / FIGURE_DIR).glob("*.png")):
        if path.name not in named and path.name not in {f[2] for f in FIGURES}:
            problems.append(
                f"{(FIGURE_DIR / path.name).as_posix()} is in no figure strip: delete it"
            )
    return problems


def write(root=ROOT):
    """Write the READMEs' generated parts and the figures; refuse (ValueError) on a problem."""
    root = Path(root)
    problems, readmes, images = expected(root)
    if problems:
        raise ValueError("cannot write the README parts:\n" + "\n".join(problems))
    (root / FIGURE_DIR).mkdir(parents=True, exist_ok=True)
    for rel, data in images.items():
        (root / rel).write_bytes(data)
    for name, text in readmes.items():
        (root / name).write_text(text)
    return sorted(readmes) + [rel.as_posix() for rel in images]


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--root", default=str(ROOT), help="the course's folder (default: here)")
    parser.add_argument("--check", action="store_true", help="only check; exit 1 on drift")
    args = parser.parse_args(argv)
    if args.check:
        problems = check(args.root)
        print("\n".join(problems) or "the README parts match the committed notebooks")
        print("\n".join(untimed_report(args.root)))
        return 1 if problems else 0
    try:
        written = write(args.root)
    except ValueError as err:
        print(err)
        return 1
    print("wrote " + ", ".join(written))
    print("\n".join(untimed_report(args.root)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
