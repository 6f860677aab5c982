"""Markdown states no number that a run produces (DESIGN.md section 7).

A measured figure typed into a markdown cell goes stale the day the code changes, and it is
true of one seed only: such numbers belong in a printout beside the figure. This test reads
every markdown cell of every notebook, English and Chinese, and fails on a measured-looking
number outside LaTeX and inline code: a percentage, a value in nats, seconds, minutes or
megabytes, "N of M seeds", a ratio "N/M" of seeds or runs, and a decimal followed by a unit.

Numbers that are not measurements (a hyperparameter, a bar of the course, a constant of the
method, a textbook value) may stay when they are on ``REVIEWED``, keyed by the notebook and the
matched text, each with the reason it is not a measurement.
"""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(
    p for p in (ROOT / "notebooks").glob("**/[0-9]*.ipynb") if ".ipynb_checkpoints" not in p.parts
)

NUM = r"\d[\d,]*(?:\.\d+)?"
# (what it is, pattern); each is searched in markdown with LaTeX, code and links removed
PATTERNS = [
    ("a percentage", rf"{NUM}\s*(?:%|％|percent\b)"),
    ("a value in nats", rf"{NUM}\s*(?:nats?\b|纳特)"),
    (
        "a time",
        rf"{NUM}\s*(?:s\b|sec\b|secs\b|seconds?\b|ms\b|min\b|minutes?\b|秒|毫秒|分钟)",
    ),
    ("a memory size", rf"{NUM}\s*(?:[KMG]i?B\b|兆)"),
    (
        "a count of seeds or runs",
        rf"{NUM}\s*(?:of|out of|/)\s*{NUM}\s*(?:seeds?|runs?|batches)\b"
        rf"|{NUM}\s*个(?:种子|随机种子)中(?:的)?\s*{NUM}"
        rf"|{NUM}\s*/\s*{NUM}\s*(?:个)?(?:种子|次运行)",
    ),
    ("a multiple measured by a run", rf"\b{NUM}\s*(?:×|x)\s*(?:faster|slower|fewer|more)\b"),
    ("a number of seeds", r"\b\d[\d,]*\s+(?:seeds|random seeds)\b|\d[\d,]*\s*个(?:随机)?种子"),
    ("a decimal a run could produce", r"(?<![\w.])[-+−]\d+\.\d+|(?<![\w.])\d+\.\d\d+"),
]
PATTERN = re.compile("|".join(f"(?P<p{i}>{p})" for i, (_, p) in enumerate(PATTERNS)))

# (notebook stem, matched text) -> why it is not a measurement. Keep this list short and read.
REVIEWED = {
    (
        "06_ppo",
        "0.01",
    ): "the adaptive KL penalty's target, a hyperparameter (the PPO paper's d_targ)",
    (
        "05_off_policy_importance_sampling",
        "50%",
    ): "an exercise's question: a sign no better than a coin",
    ("08_dpo_grpo", "0.05"): "an exercise: a value of the DPO beta slider to try",
    (
        "09_reasoning_verifiable_reward",
        "0.001",
    ): "R1-Zero's KL coefficient, a published hyperparameter",
}

STRIP = [
    re.compile(r"\$\$.*?\$\$", re.S),  # display LaTeX
    re.compile(r"(?<!\\)\$.*?(?<!\\)\$", re.S),  # inline LaTeX
    re.compile(r"```.*?```", re.S),  # code blocks
    re.compile(r"`[^`]*`"),  # inline code
    re.compile(r"<!--.*?-->", re.S),  # comments (the launch-links markers)
    re.compile(r"\]\([^)]*\)"),  # link targets
    re.compile(r"https?://\S+"),
]


def prose(text):
    """The markdown as a reader reads it, without LaTeX, code and link targets."""
    for pattern in STRIP:
        text = pattern.sub(" ", text)
    return text


def matches(nb):
    """(cell index, cell, match, the cell's prose) for every measured-looking number in the
    notebook's markdown, reviewed or not."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        text = prose(cell.source)
        for match in PATTERN.finditer(text):
            yield index, cell, match, text


def violations(nb, name):
    """Every measured-looking number in the notebook's markdown: 'cell N: what "text"'."""
    found = []
    for index, cell, match, text in matches(nb):
        if (name, match.group(0)) in REVIEWED:
            continue
        what = PATTERNS[int(match.lastgroup[1:])][0]
        context = text[max(match.start() - 40, 0) : match.end() + 40].replace("\n", " ")
        found.append(
            f"cell {index} ({cell.get('id')}): {what} {match.group(0)!r} in ...{context}..."
        )
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(ROOT)) for p in NOTEBOOKS])
def test_markdown_states_no_measured_number(path):
    nb = nbformat.read(path, as_version=4)
    found = violations(nb, path.stem)
    assert not found, (
        f"{path.relative_to(ROOT)}: a number a run produces is typed into the markdown; print it "
        "from code instead, or (if it is not a measurement) add it to REVIEWED with the reason:\n"
        + "\n".join(found)
    )


def test_reviewed_entries_are_still_used():
    """A reviewed number that no markdown states any more is removed from the list."""
    used = {
        (path.stem, match.group(0))
        for path in NOTEBOOKS
        for _, _, match, _ in matches(nbformat.read(path, as_version=4))
    }
    assert set(REVIEWED) <= used, sorted(set(REVIEWED) - used)


def one_cell(text):
    """A notebook of one markdown cell holding ``text``."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(text)]
    return nb


@pytest.mark.parametrize(
    "text",
    [
        "The clipped run solved CartPole on 9 of 10 seeds.",
        "The KL reached 0.7 nats after the update.",
        "Training took 122 s on this machine.",
        "The gold score rose by 35% against SFT.",
        "The kernel peaked at 876 MB.",
        "PPO ran 3.5x faster than A2C.",
        "The RMS error was 7.59 for MC and 7.67 for TD.",
        "Gold peaks at +0.33 on this run.",
        "It held on each of 60 seeds.",
        "KL 为 0.7 纳特。",
        "训练用了 122 秒。",
        "10 个种子中 9 个解决了它。",
    ],
)
def test_a_planted_measurement_is_caught(text):
    assert violations(one_cell(text), "planted"), text


@pytest.mark.parametrize(
    "text",
    [
        "We clip the ratio to $[1 - \\epsilon, 1 + \\epsilon]$ with $\\epsilon = 0.2$.",
        "The discount is $\\gamma = 0.99$ and the network has 64 hidden units.",
        "Run `python benchmarks/course_run.py --seconds 5` to time it.",
        "Sutton and Barto's random walk has true values 1/6 to 5/6.",
        "Sutton and Barto (Example 6.4) give these eight episodes; on every seed it holds.",
    ],
)
def test_hyperparameters_latex_and_code_pass(text):
    assert violations(one_cell(text), "planted") == [], text
