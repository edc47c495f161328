"""Checks for chapter 11's exercises: backward passes on arrays, and a gradient checked numerically.

The first three exercises are small functions: the check calls them on fixed
inputs and names the usual mistake when the result is off.
"""
import random
from functools import lru_cache

import numpy as np

from ..arrays import ArrayGPT, softmax, softmax_backward
from ..data import load_docs
from ..model import Config
from ..tokenizer import Tokenizer
from . import call, close, exercise, raised, read_number, report, shown, unanswered


def _array(result, shape, what):
    """(result as a float array of the given shape, None), or (None, the problem with it)."""
    try:
        result = np.asarray(result, dtype=float)
    except (TypeError, ValueError, OverflowError):
        return None, f"{what} should be an array of numbers, got {shown(result)}"
    if result.shape != shape:
        return None, f"{what} should have shape {shape}, but yours has shape {result.shape}"
    return result, None


def _result(fn, args, shape, what):
    """The learner's fn(*args) as an array of shape, or None after printing why not."""
    if not callable(fn):
        report([f"pass your function itself (without calling it), not {shown(fn)}"])
        return None
    got, error = call(fn, *args)
    if error:
        report([f"calling it raised {raised(error)}"])
        return None
    if unanswered(got):
        return None
    got, problem = _array(got, shape, what)
    if problem:
        report([problem])
        return None
    return got


ANNA = [26, 0, 13, 13, 0]       # BOS a n n a: the inputs of the document 'anna'


def one_head(T=5, head_dim=3, seed=12):
    """Inputs of one attention head with a causal mask: (dout, q, k, v, att, scale)."""
    rng = np.random.default_rng(seed)
    q, k, v, dout = (rng.normal(size=(T, head_dim)) for _ in range(4))
    scale = head_dim ** -0.5
    att = softmax(q @ k.T * scale + np.triu(np.full((T, T), -np.inf), 1))
    return dout, q, k, v, att, scale


def head_gradients(dout, q, k, v, att, scale, skip_softmax=False):
    """(dq, dk, dv) of out = att @ v with att = softmax(q @ k.T * scale + mask)."""
    datt = dout @ v.T
    dscores = (datt if skip_softmax else softmax_backward(datt, att)) * scale
    return dscores @ k, dscores.T @ q, att.T @ dout


@exercise
def check_head_backward(head_backward):
    """Exercise 1: head_backward(dout, q, k, v, att, scale) returns (dq, dk, dv) for one head."""
    inputs = one_head()
    dout, q, k, v, att, scale = inputs
    if not callable(head_backward):
        report([f"pass your function itself (without calling it), not {shown(head_backward)}"])
        return False
    got, error = call(head_backward, *(a.copy() if isinstance(a, np.ndarray) else a for a in inputs))
    if error:
        return report([f"calling it raised {raised(error)}"])
    if unanswered(got) or (isinstance(got, tuple) and any(unanswered(g) for g in got)):
        return False
    if not (isinstance(got, (tuple, list)) and len(got) == 3):
        return report([f"return the three gradients as a tuple (dq, dk, dv), got {shown(got)}"])
    right = head_gradients(*inputs)
    unscaled = head_gradients(dout, q, k, v, att, 1.0)
    no_softmax = head_gradients(*inputs, skip_softmax=True)
    problems = []
    for name, answer, expected in zip(('dq', 'dk', 'dv'), got, right):
        answer, problem = _array(answer, q.shape, name)
        if problem:
            problems.append(problem)
        elif not np.allclose(answer, expected):
            problems.append(head_hint(name, answer, inputs, unscaled, no_softmax))
    if problems:
        return report(problems)
    return report([], "Correct! dq, dk and dv all match, product by product.")


def head_hint(name, answer, inputs, unscaled, no_softmax):
    """What is probably wrong with one of dq, dk, dv."""
    dout, q, k, v, att, scale = inputs
    dscores = softmax_backward(dout @ v.T, att) * scale
    which = ('dq', 'dk', 'dv').index(name)
    if name == 'dv':
        if np.allclose(answer, att @ dout):
            return "dv: out = att @ v, so dv = att.T @ dout (rule 1): transpose att"
        return "dv: out = att @ v is rule 1 with att as x, so dv = att.T @ dout"
    if np.allclose(answer, unscaled[which]):
        return f"{name}: the scores were multiplied by scale, so their gradient is too"
    if np.allclose(answer, no_softmax[which]):
        return (f"{name}: datt = dout @ v.T is the gradient of the probabilities att; go back "
                f"through the softmax first (rule 3: softmax_backward(datt, att))")
    swapped = {'dq': dscores.T @ k, 'dk': dscores @ q}[name]
    if np.allclose(answer, swapped):
        return (f"{name}: scores = q @ k.T, so dq = dscores @ k and dk = dscores.T @ q: "
                f"mind which one needs the transpose")
    return (f"{name}: not yet: first datt = dout @ v.T, then dscores = softmax_backward(datt, att)"
            f" * scale, then scores = q @ k.T gives dq and dk (rule 1)")


@exercise
def check_embedding_backward(embedding_backward):
    """Exercise 2: embedding_backward(dx, inputs, vocab_size) gives wte's gradient."""
    dx = np.random.default_rng(10).normal(size=(len(ANNA), 4))
    expected = np.zeros((27, 4))
    np.add.at(expected, ANNA, dx)
    got = _result(embedding_backward, (dx.copy(), np.array(ANNA), 27), (27, 4),
                  "the gradient of wte (one row per token of the vocabulary)")
    if got is None:
        return False
    if np.allclose(got, expected):
        return report([], "Correct! Each row adds up the gradients of the positions reading it.")
    overwritten = np.zeros((27, 4))
    overwritten[ANNA] = dx
    if np.allclose(got, overwritten):
        problem = ("'n' (token 13) is read at positions 2 and 3, but your row 13 holds only one of their "
                   "gradients: with repeated indices, dwte[inputs] = dx and dwte[inputs] += dx keep just one. "
                   "Add them up with np.add.at(dwte, inputs, dx), or a loop over the positions")
    elif not np.allclose(np.delete(got, sorted(set(ANNA)), axis=0), 0):
        problem = "only tokens 0, 13 and 26 occur in the inputs: every other row of the gradient must stay 0"
    else:
        problem = ("row v should be the sum of dx[t] over the positions t where inputs[t] == v; "
                   "e.g. row 0 ('a') is dx[1] + dx[4]")
    return report([problem])


@exercise
def check_tanh_backward(tanh_backward):
    """Exercise 3: tanh_backward(dh, h) for h = np.tanh(a), on whole arrays."""
    rng = np.random.default_rng(11)
    h, dh = np.tanh(rng.normal(size=(3, 5))), rng.normal(size=(3, 5))
    got = _result(tanh_backward, (dh.copy(), h.copy()), h.shape, "da (like h)")
    if got is None:
        return False
    if np.allclose(got, dh * (1 - h ** 2)):
        return report([])
    if np.allclose(got, 1 - h ** 2):
        problem = "that is tanh's local gradient alone: multiply it by the upstream gradient dh (the chain rule)"
    elif np.allclose(got, dh * (1 - np.tanh(h) ** 2)):
        problem = "h is already tanh(a): the local gradient is 1 - h**2, not 1 - tanh(h)**2"
    elif np.allclose(got, dh * (1 - h) ** 2):
        problem = "mind the brackets: the local gradient is 1 - h**2, not (1 - h)**2"
    elif np.allclose(got, dh * (h > 0)):
        problem = "that is relu's rule; tanh's local gradient is 1 - tanh(a)**2 = 1 - h**2"
    else:
        problem = "not yet: d tanh(a)/da = 1 - tanh(a)**2, so da = dh * (1 - h**2), element by element"
    return report([problem])


@lru_cache(maxsize=1)
def lm_head_gradient():
    """d(loss)/d(lm_head[0, 0]) of the first training name, for the fresh model of seed 42."""
    rng = random.Random(42)
    docs = load_docs()
    tokenizer = Tokenizer.from_docs(docs)
    rng.shuffle(docs)
    model = ArrayGPT.initialise(Config(tokenizer.vocab_size), rng)
    return float(model.loss_and_grads(tokenizer.document(docs[0]))[1]['lm_head'][0, 0])


# The answer is an estimate, so the tolerance is wider than the usual 1e-6: here a one-sided
# difference with h = 1e-5 is off by 3e-5 (relative), a central one by less than 1e-7.
ESTIMATE_REL = 1e-4


@exercise
def check_numerical_gradient(answer):
    """Exercise 4: the finite-difference estimate of d(loss)/d(lm_head[0, 0])."""
    got = read_number(answer, "one number, your estimate of the gradient")
    if got is None:
        return False
    g = lm_head_gradient()
    def near(x, y, rel_tol):
        return close(x, y, rel_tol=rel_tol, abs_tol=0)
    if near(got, g, ESTIMATE_REL):
        return report([], f"Correct! Your estimate {got:.8f} matches backward's {g:.8f}.")
    if near(got, 2 * g, 1e-3):
        problem = "it is twice the gradient: the two losses are 2h apart, so divide their difference by 2 * h"
    elif near(got, -g, 1e-3):
        problem = "the sign is flipped: compute (loss(w + h) - loss(w - h)) / (2 * h)"
    elif abs(got) < 1e-2 * abs(g):
        problem = "much too small: did you divide the difference of the two losses by 2 * h?"
    elif near(got, g, 0.05):
        problem = ("close, but not close enough: if you rounded, give more digits; else take a small step "
                   "like h = 1e-5 and the central difference (loss(w + h) - loss(w - h)) / (2 * h)")
    else:
        problem = (f"{got:.6g} is not it; check that you nudge only lm_head[0, 0], put it back "
                   f"afterwards, and use the loss of the first training document")
    return report([problem])
