"""Building blocks: linear, softmax and rmsnorm on lists of numbers.

They work on Values (to learn: every operation becomes a node) and on plain
floats (to sample fast: no graph at all) with bit-identical results. That is
why a division is written as a multiplication by a reciprocal: it is exactly
what `Value.__truediv__` does, so both kinds of number round the same way.
"""
import math
import operator
from functools import reduce

from .engine import Value


def data(x):
    """The plain number inside x."""
    return x.data if isinstance(x, Value) else x


def add_up(terms):
    """0 + t0 + t1 + ..., left to right, as sum() adds Values.

    Since Python 3.12, sum() adds floats with compensation: more accurate, but no
    longer rounded like a sum of Values. This rounds both kinds alike, on any Python.
    """
    return reduce(operator.add, terms, 0)


def exp(x):
    return x.exp() if isinstance(x, Value) else math.exp(x)


def relu(x):
    return x.relu() if isinstance(x, Value) else max(0, x)


def linear(x, w):
    """Matrix times vector: one dot product per row of w."""
    return [add_up(wi * xi for wi, xi in zip(wo, x)) for wo in w]


def softmax(logits):
    """Probabilities from logits. Subtracting the max changes nothing but overflow."""
    max_val = max(data(val) for val in logits)
    exps = [exp(val - max_val) for val in logits]
    total = add_up(exps)
    return [e * total ** -1 for e in exps]


def rmsnorm(x):
    """Rescale x to unit root-mean-square."""
    ms = add_up(xi * xi for xi in x) * len(x) ** -1
    scale = (ms + 1e-5) ** -0.5
    return [xi * scale for xi in x]
