"""Argument checks shared by the helpers: each raises a ValueError naming the argument."""

import math

import torch


def number_in(name, value, low, high, *, low_open=False, high_open=False):
    """Check that ``value`` is a finite real number in [low, high] (ends open where asked)."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not ok:
        try:
            value = float(value)  # numpy and 0-d torch scalars
            ok = True
        except (TypeError, ValueError):
            ok = False
    if ok and math.isfinite(value):
        ok = (value > low if low_open else value >= low) and (
            value < high if high_open else value <= high
        )
    else:
        ok = False
    if not ok:
        lo, hi = "(" if low_open else "[", ")" if high_open else "]"
        raise ValueError(f"{name} must be a number in {lo}{low}, {high}{hi}, got {value!r}")
    return float(value)


def positive(name, value, *, allow_zero=False):
    """Check that ``value`` is a finite number > 0 (or >= 0 with ``allow_zero``)."""
    return number_in(name, value, 0.0, math.inf, low_open=not allow_zero, high_open=True)


def positive_int(name, value, *, minimum=1):
    """Check that ``value`` is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        try:
            import numpy as np

            if isinstance(value, np.integer) and value >= minimum:
                return int(value)
        except ImportError:  # pragma: no cover
            pass
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return value


def seed(value):
    """Check that ``value`` is a random seed: an integer >= 0 (a Python or NumPy integer).
    The one seed check of the helpers; returns it as a Python int."""
    return positive_int("seed", value, minimum=0)


def float_tensor(name, x, *, ndim=None, allow_empty=False):
    """Turn ``x`` into a float tensor, checking it is non-empty, finite and of ``ndim`` dims."""
    try:
        t = x if isinstance(x, torch.Tensor) else torch.as_tensor(x, dtype=torch.float32)
    except (TypeError, ValueError, RuntimeError) as err:
        raise ValueError(f"{name} must be a sequence or tensor of numbers, got {x!r}") from err
    if not t.is_floating_point():
        t = t.float()
    if ndim is not None and t.dim() not in (ndim if isinstance(ndim, tuple) else (ndim,)):
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {tuple(t.shape)}")
    if not allow_empty and t.numel() == 0:
        raise ValueError(f"{name} must not be empty")
    if not torch.isfinite(t).all():
        raise ValueError(f"{name} must contain only finite numbers (no NaN or inf)")
    return t


def finite_tensors(**tensors):
    """Check that each named argument is a non-empty tensor of finite numbers.

    Called on every gradient step, so it costs one host sync for all of them: a non-finite
    element makes its tensor's sum non-finite. Only when the total is not finite (a NaN or
    inf somewhere, or finite sums beyond float range) are the tensors checked one by one,
    and the first with a NaN or inf is named.
    """
    for name, x in tensors.items():
        if not isinstance(x, torch.Tensor):
            raise ValueError(f"{name} must be a torch tensor, got {type(x).__name__}")
        if x.numel() == 0:
            raise ValueError(f"{name} must not be empty")
    total = sum(x.detach().sum(dtype=torch.float64) for x in tensors.values())
    if not torch.isfinite(total):
        for name, x in tensors.items():
            if not torch.isfinite(x).all():
                raise ValueError(f"{name} must contain only finite numbers (no NaN or inf)")


def same_shape(name_a, a, name_b, b):
    """Check that two tensors have the same shape."""
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape, "
            f"got {tuple(a.shape)} and {tuple(b.shape)}"
        )
