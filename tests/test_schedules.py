"""The step-size schedules of notebooks 07 and 08 decay over the run's own ``iterations``.

A training function that takes ``iterations`` but decays its step size over the notebook's global
default (``train_grpo(iterations=60)`` against ``grpo_iterations = 40``) reaches a step size of 0
too early and then a negative one: gradient ascent. Running the training cells takes minutes, so
this test takes the line that sets the step size out of each training function, evaluates it at
every iteration of a run twice as long as the default (with the notebook's hyperparameters cell
defining the globals), and checks that it stays in [0, peak] and decays over the whole run.
"""

import ast
from pathlib import Path

import nbformat
import pytest

from helpers import corpus

ROOT = Path(__file__).resolve().parent.parent

# notebook, training function, its default number of iterations, its peak step size
SCHEDULES = [
    ("07_rlhf_tiny_gpt", "train_ppo", "ppo_iterations", "ppo_lr"),
    ("08_dpo_grpo", "train_grpo", "grpo_iterations", "grpo_lr"),
]


def notebook_parts(stem, function):
    """The notebook's hyperparameters (as a namespace) and the step-size expression of ``function``."""
    nb = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    hyper = next(s for s in code if "# the model" in s or "# DPO" in s)  # the hyperparameters cell
    namespace = {"corpus": corpus}
    exec(hyper, namespace)  # plain assignments (07's block_size reads corpus.PROMPT_LEN)
    source = next(s for s in code if f"def {function}(" in s)
    tree = ast.parse(source)
    fn = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == function)
    lines = [
        n
        for n in ast.walk(fn)
        if isinstance(n, ast.Assign)
        and isinstance(n.targets[0], ast.Subscript)
        and isinstance(n.targets[0].slice, ast.Constant)
        and n.targets[0].slice.value == "lr"
    ]
    assert len(lines) == 1, f"expected one step-size line in {function}, found {len(lines)}"
    return namespace, compile(ast.Expression(lines[0].value), function, "eval")


@pytest.mark.parametrize(("stem", "function", "default", "peak"), SCHEDULES)
def test_the_step_size_decays_over_the_runs_own_iterations(stem, function, default, peak):
    namespace, expression = notebook_parts(stem, function)
    iterations = 2 * namespace[default]  # longer than the notebook's default run
    lrs = [
        eval(
            expression,
            namespace | {"iteration": i, "iterations": iterations, "lr": namespace[peak]},
        )
        for i in range(iterations)
    ]
    top = namespace[peak]
    assert min(lrs) >= 0, f"{function}: a negative step size (gradient ascent) in a longer run"
    assert max(lrs) <= top * (1 + 1e-9)
    assert lrs[namespace[default]] > 0.4 * top, (
        f"{function} decays over the global {default}, not over its own iterations"
    )
    assert lrs[-1] < 0.1 * top, f"{function}: the step size should decay to near 0 by the end"
