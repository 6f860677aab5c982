"""The checker the exercises' checks (``helpers.checks``, ``helpers.ppo_checks``) run on.

``run`` runs the learner's function on several cases against a reference, and on a mismatch
tries the typical mistakes (a sign error, a missing ``dones`` mask, gamma applied one step
off, ...): if the learner's answers match one, it prints that mistake's hint. Where the
gradient is the lesson (a loss), it also compares the gradient with respect to the inputs
named in ``grad_args``, so a loss with the right value but a detached ratio or log-probability
fails with its hint. It never raises, so a notebook with an unfinished exercise still runs top
to bottom; it returns True when the answer is right.

What it prints is in the learner's language (``helpers.lang``: Chinese in ``notebooks/zh/``,
English by default): every message (``MESSAGES``) and every hint (each check module's
``HINTS``) has a short id, and its Chinese text under that id in ``helpers/zh.py``
(tests/test_lang.py checks that none is missing).
"""

import inspect

import torch

from helpers import lang

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


def _say(key, **fields):
    print(lang.text(MESSAGES, key, **fields))


def _hint(hints, key):
    return lang.text(hints, key)


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


def run(fn, cases, reference, mistakes, name, hints, grad_args=(), also_right=()):
    """Run ``fn`` on ``cases`` against ``reference`` and say what was found; True when right.
    ``mistakes``: (wrong function, hint id) pairs, tried in order, the ids those of ``hints``
    (the calling module's ``HINTS``). ``grad_args``: positions of inputs whose gradient must
    match too. ``also_right``: other correct answers (e.g. another normalisation of a loss).
    What every ``check_*`` of ``helpers.checks`` and ``helpers.ppo_checks`` calls."""
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
            _say("hint", hint=_hint(hints, hint))
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
