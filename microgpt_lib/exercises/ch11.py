"""Checks for chapter 11's pieces and exercises: backward passes on arrays, and a gradient checked numerically.

The pieces (linear_backward, softmax_backward, head_backward) are checked against
microgpt_lib.arrays' own on random inputs of several shapes; the exercises are
small functions and one number. Each check names the usual mistake when the result is off.
Arrays are compared entry by entry with the course's one tolerance (`all_close`).
"""
import random
from functools import lru_cache

import numpy as np

from .. import arrays
from ..arrays import ArrayGPT, softmax
from ..data import load_docs
from ..model import Config
from ..tokenizer import Tokenizer
from . import ABS_TOL, all_close, attempt, call, close, exercise, piece, raised, read_number, report, shown, unanswered


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


LINEAR_SHAPES = [(3, 4, 4), (5, 2, 3), (7, 16, 27)]     # (T, n_in, n_out): a square W first, then not


def linear_problems(got, dy, x, W):
    """What is wrong with the learner's (dx, dW) for y = x @ W.T: a list of sentences."""
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        return [f"return the two gradients as a tuple (dx, dW), got {shown(got)}"]
    dx_right, dW_right = arrays.linear_backward(dy, x, W)
    try:
        dx, dW = (np.asarray(g, dtype=float) for g in got)
    except (TypeError, ValueError, OverflowError):
        return [f"dx and dW should be arrays of numbers, got {shown(got)}"]
    if all_close(dx, dW_right) and all_close(dW, dx_right):
        return ["you returned (dW, dx): return dx first, then dW"]
    dW_mistakes = [(dW_right.T, f"dW is transposed (x.T @ dy, shape {dW_right.T.shape}): dW has W's "
                                f"shape {W.shape}, so it is dy.T @ x"),
                   (dW_right / len(x), "dW is divided by the number of positions: their contributions "
                                       "add up (dy.T @ x), as child.grad += did")]
    dx_mistakes = [(dy @ W.T, "dx uses W.T: y = x @ W.T, so dx = dy @ W (each x[t, j] reaches y[t, i] "
                              "through W[i, j])")] if W.shape[0] == W.shape[1] else []
    problems = [gradient_problem('dW', dW, dW_right, dW_mistakes,
                                 "dW[i, j] adds dy[t, i] * x[t, j] over the positions t, which is dy.T @ x"),
                gradient_problem('dx', dx, dx_right, dx_mistakes,
                                 "dx[t, j] adds W[i, j] * dy[t, i] over the outputs i, which is dy @ W")]
    return [problem for problem in problems if problem]


def gradient_problem(name, got, right, mistakes, formula):
    """None if got is right; else the hint of the first (wrong, hint) mistake it matches, else its shape or formula."""
    if all_close(got, right):
        return None
    hint = next((hint for wrong, hint in mistakes if all_close(got, wrong)), None)
    if hint:
        return hint
    if np.shape(got) != right.shape:
        return f"{name} should have shape {right.shape}, but yours has shape {np.shape(got)}: {formula}"
    return f"{name} is not yet right: {formula}"


@piece(arrays.linear_backward)
def check_linear_backward(linear_backward):
    """linear_backward(dy, x, W) -> (dx, dW) against microgpt_lib.arrays' on three shapes."""
    rng = np.random.default_rng(7)
    for T, n_in, n_out in LINEAR_SHAPES:
        x, W, dy = rng.normal(size=(T, n_in)), rng.normal(size=(n_out, n_in)), rng.normal(size=(T, n_out))
        got = attempt(linear_backward, dy.copy(), x.copy(), W.copy())
        problems = linear_problems(got, dy, x, W)
        if problems:
            return report([f"with dy {dy.shape}, x {x.shape}, W {W.shape}: {p}" for p in problems])
    return report([], "OK: your linear_backward matches microgpt_lib's on 3 shapes, dx and dW both.")


SOFTMAX_SHAPES = [(6,), (4, 4), (2, 3, 5)]          # one row, a square stack of rows, heads of rows


def softmax_problem(got, dprobs, probs):
    """What is wrong with the learner's gradient of the logits, or None."""
    got, problem = _array(got, probs.shape, "the logits' gradient (like probs)")
    if problem:
        return problem
    right = arrays.softmax_backward(dprobs, probs)
    if all_close(got, right):
        return None
    weighted = (dprobs * probs).sum(-1, keepdims=True)
    mistakes = [
        (probs * dprobs, "the subtracted sum is missing: every probability depends on every logit "
                         "of its row, so dz = p * (dp - (p * dp).sum(-1, keepdims=True))"),
        (probs * (dprobs - (dprobs * probs).sum()), "you summed over the whole array: each row has "
                                                    "its own sum, (p * dp).sum(-1, keepdims=True)"),
        (probs * (dprobs - dprobs.sum(-1, keepdims=True)), "the subtracted sum is weighted by the "
                                                           "probabilities: (p * dp).sum(-1, keepdims=True)"),
        (dprobs - weighted, "multiply by p: dz_j = p_j * (dp_j - sum_i p_i dp_i)"),
    ]
    if probs.ndim > 1 and probs.shape[-1] == probs.shape[-2]:
        mistakes.append((probs * (dprobs - (dprobs * probs).sum(-1)[..., None, :]),
                         "the sum lines up with the wrong axis: keep it as a column with "
                         ".sum(-1, keepdims=True)"))
    return next((hint for wrong, hint in mistakes if all_close(got, wrong)),
                "not yet: dz = p * (dp - (p * dp).sum(-1, keepdims=True)), one sum per row")


@piece(arrays.softmax_backward)
def check_softmax_backward(softmax_backward):
    """softmax_backward(dprobs, probs) against microgpt_lib.arrays' on one row, rows, and heads of rows."""
    rng = np.random.default_rng(8)
    for shape in SOFTMAX_SHAPES:
        probs, dprobs = softmax(rng.normal(size=shape)), rng.normal(size=shape)
        problem = softmax_problem(attempt(softmax_backward, dprobs.copy(), probs.copy()), dprobs, probs)
        if problem:
            return report([f"with probs of shape {shape}: {problem}"])
    return report([], "OK: your softmax_backward matches microgpt_lib's on 3 shapes.")


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
    dscores = (datt if skip_softmax else arrays.softmax_backward(datt, att)) * scale
    return dscores @ k, dscores.T @ q, att.T @ dout


def head_backward(dout, q, k, v, att, scale):
    """(dq, dk, dv) of one attention head: the finished piece the chapter goes on with."""
    return head_gradients(dout, q, k, v, att, scale)


@piece(head_backward)
def check_head_backward(learners):
    """head_backward(dout, q, k, v, att, scale) -> (dq, dk, dv) for one head, against microgpt_lib's."""
    inputs = one_head()
    dout, q, k, v, att, scale = inputs
    got = attempt(learners, *(a.copy() if isinstance(a, np.ndarray) else a for a in inputs))
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
        elif not all_close(answer, expected):
            problems.append(head_hint(name, answer, inputs, unscaled, no_softmax))
    return report(problems, "OK: your head_backward matches microgpt_lib's: dq, dk and dv, product by product.")


def head_hint(name, answer, inputs, unscaled, no_softmax):
    """What is probably wrong with one of dq, dk, dv."""
    dout, q, k, v, att, scale = inputs
    dscores = arrays.softmax_backward(dout @ v.T, att) * scale
    which = ('dq', 'dk', 'dv').index(name)
    if name == 'dv':
        if all_close(answer, att @ dout):
            return "dv: out = att @ v, so dv = att.T @ dout (rule 1): transpose att"
        return "dv: out = att @ v is rule 1 with att as x, so dv = att.T @ dout"
    if all_close(answer, unscaled[which]):
        return f"{name}: the scores were multiplied by scale, so their gradient is too"
    if all_close(answer, no_softmax[which]):
        return (f"{name}: datt = dout @ v.T is the gradient of the probabilities att; go back "
                f"through the softmax first (rule 3: softmax_backward(datt, att))")
    swapped = {'dq': dscores.T @ k, 'dk': dscores @ q}[name]
    if all_close(answer, swapped):
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
    if all_close(got, expected):
        return report([], "Correct! Each row adds up the gradients of the positions reading it.")
    overwritten = np.zeros((27, 4))
    overwritten[ANNA] = dx
    if all_close(got, overwritten):
        problem = ("'n' (token 13) is read at positions 2 and 3, but your row 13 holds only one of their "
                   "gradients: with repeated indices, dwte[inputs] = dx and dwte[inputs] += dx keep just one. "
                   "Add them up with np.add.at(dwte, inputs, dx), or a loop over the positions")
    elif np.abs(np.delete(got, sorted(set(ANNA)), axis=0)).max() > ABS_TOL:
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
    if all_close(got, dh * (1 - h ** 2)):
        return report([])
    if all_close(got, 1 - h ** 2):
        problem = "that is tanh's local gradient alone: multiply it by the upstream gradient dh (the chain rule)"
    elif all_close(got, dh * (1 - np.tanh(h) ** 2)):
        problem = "h is already tanh(a): the local gradient is 1 - h**2, not 1 - tanh(h)**2"
    elif all_close(got, dh * (1 - h) ** 2):
        problem = "mind the brackets: the local gradient is 1 - h**2, not (1 - h)**2"
    elif all_close(got, dh * (h > 0)):
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
