"""Checks for chapter 07's pieces, Adam's update and the linear decay, and its exercises."""
import functools
import random

from .. import optim
from ..arrays import Adam, ArrayGPT
from ..data import load_docs
from ..engine import Value
from ..model import Config
from ..optim import linear_decay
from ..tokenizer import Tokenizer
from . import (ROUNDED_TOO_FAR, Mistake, as_number, attempt, close, exercise, judge, piece, read_number,
               read_numbers, report, roughly, shown)

BETA1, BETA2, EPS, LR = 0.85, 0.99, 1e-8, 0.01
NUM_STEPS, HELD_OUT = 1000, 500     # exercise 4: microgpt's training, measured on the last 500 names

# the adam_update piece: 4 parameters (one whose gradient stays 0), steps 0, 1, 2 at decaying rates
ADAM_START = [0.5, -1.0, 2.0, 0.0]
ADAM_GRADS = [[0.3, -2.0, 0.0, 1e-3], [0.1, -1.5, 0.0, -1e-3], [-0.2, 0.5, 0.0, 2e-3]]
ADAM_RATES = [0.01, 0.0075, 0.005]


def adam_updates(update):
    """[(parameters, their (m, v), gradients)] after each step of an update function on ADAM_GRADS;
    the learner's code runs only through attempt."""
    params = [Value(x) for x in ADAM_START]
    means = [(0.0, 0.0)] * len(params)
    after = []
    for step, (grads, lr) in enumerate(zip(ADAM_GRADS, ADAM_RATES)):
        for i, (p, g) in enumerate(zip(params, grads)):
            p.grad = g
            returned = attempt(update, p, *means[i], step, lr)
            pair = [as_number(x) for x in returned] if isinstance(returned, (tuple, list)) else []
            if len(pair) != 2 or None in pair:
                raise Mistake(f"adam_update returned {shown(returned)}: return the new (m, v), two numbers")
            means[i] = tuple(pair)
        after.append(([as_number(p.data) for p in params], list(means), [p.grad for p in params]))
    return after


def flat(pairs):
    return [x for pair in pairs for x in pair]


def mistaken_adam(correct_m=True, correct_v=True, b1=BETA1, b2=BETA2, direction=-1, t_ahead=0):
    """The parameters after each step of Adam with a typical mistake (the defaults: none)."""
    params, m, v = list(ADAM_START), [0.0] * len(ADAM_START), [0.0] * len(ADAM_START)
    after = []
    for t, (grads, lr) in enumerate(zip(ADAM_GRADS, ADAM_RATES), start=1 + t_ahead):
        for i, g in enumerate(grads):
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g ** 2
            m_hat = m[i] / (1 - b1 ** t) if correct_m else m[i]
            v_hat = v[i] / (1 - b2 ** t) if correct_v else v[i]
            params[i] += direction * lr * m_hat / (v_hat ** 0.5 + EPS)
        after.append(list(params))
    return after


ADAM_MISTAKES = [
    (dict(correct_m=False, correct_v=False), "that is Adam without the bias correction: "
     "divide m by 1 - beta1 ** (step + 1) and v by 1 - beta2 ** (step + 1)"),
    (dict(correct_v=False), "v is not bias-corrected: v_hat = v / (1 - beta2 ** (step + 1))"),
    (dict(correct_m=False), "m is not bias-corrected: m_hat = m / (1 - beta1 ** (step + 1))"),
    (dict(b1=BETA2, b2=BETA1), "beta1 and beta2 are swapped: m, the mean of the gradients, "
     "decays with beta1 = 0.85, and v, of their squares, with beta2 = 0.99"),
    (dict(t_ahead=1), "the correction counts one step too many: step counts from 0, so use step + 1"),
    (dict(direction=1), "the parameter moves with the gradient: p.data -= lr * m_hat / (v_hat ** 0.5 + eps)"),
]


@piece(optim.adam_update)
def check_adam_update(adam_update):
    """The learner's adam_update against microgpt_lib's over 3 steps on 4 parameters, with the
    typical mistakes named by what they do to the parameters."""
    try:
        got = adam_updates(adam_update)
    except Mistake as error:
        if 'ZeroDivisionError' not in str(error):
            raise
        return report([f"{error}: 1 - beta1 ** step is 0 at step 0; step counts from 0, so the "
                       "correction divides by 1 - beta1 ** (step + 1)"])
    expected = adam_updates(optim.adam_update)
    wrong_means = None      # reported only if the parameters stay right: they name the mistake better
    for step, ((data, means, grads), (want, want_means, _)) in enumerate(zip(got, expected)):
        if None in data:
            return report([f"after step {step} a parameter's data is {shown(data)}: p.data should stay a float"])
        if not close(data, want):
            why = next((why for mistake, why in ADAM_MISTAKES
                        if close(data, mistaken_adam(**mistake)[step])),
                       "compare your lines one by one with the formulas above")
            return report([f"after step {step} the parameters are {shown(data, 90)}, "
                           f"expected {shown(want, 90)}: {why}"])
        hats = [(m / (1 - BETA1 ** (step + 1)), v / (1 - BETA2 ** (step + 1))) for m, v in want_means]
        if close(flat(means), flat(hats)) and not close(flat(means), flat(want_means)):
            return report([f"after step {step} adam_update returned (m, v) = {shown(means, 90)}: "
                           "return the running means m and v, not m_hat and v_hat"])
        if not close(flat(means), flat(want_means)) and wrong_means is None:
            wrong_means = (f"after step {step} adam_update returned (m, v) = {shown(means, 90)}, expected "
                           f"{shown(want_means, 90)}: m = beta1 * m + (1 - beta1) * g, v likewise with g ** 2")
        if any(g != 0 for g in grads):
            return report([f"after step {step} the gradients are {shown(grads)}: set p.grad = 0 "
                           "after moving p, since backward() adds into it"])
    if wrong_means:
        return report([wrong_means])
    exactly = "exactly" if got == expected else "to rounding"
    return report([], success=f"OK: your adam_update matches microgpt_lib's {exactly}: 3 steps on 4\n"
                              "    parameters, one with a gradient of 0; (m, v) returned, gradients zeroed.")


DECAY_CASES = [(0.01, 0, 1000), (0.01, 500, 1000), (0.01, 999, 1000), (0.1, 0, 5), (0.1, 3, 5), (0.1, 4, 5)]
DECAY_MISTAKES = [
    (lambda lr, k, n: lr * (1 - (k + 1) / n), "that is the next step's rate, so it reaches 0 at the last "
     "step, one step early: at step k (from 0) the rate is learning_rate * (1 - k / num_steps)"),
    (lambda lr, k, n: lr * (1 - k / (n - 1)), "it reaches 0 at the last step, k = num_steps - 1, one step "
     "early: divide by num_steps, so that the last step keeps learning_rate / num_steps"),
    (lambda lr, k, n: lr * (1 - (k - 1) / n), "that is the previous step's rate, one step late: "
     "at step 0 the rate is learning_rate itself"),
    (lambda lr, k, n: lr * k / n, "the rate rises from 0 instead of falling from learning_rate: "
     "use 1 - step / num_steps"),
    (lambda lr, k, n: 1 - k / n, "1 - step / num_steps is not multiplied by learning_rate"),
]


@piece(optim.linear_decay)
def check_linear_decay(linear_decay):
    """The learner's linear_decay against microgpt_lib's at the first, a middle and the last step
    of two schedules, with the typical off-by-one mistakes named."""
    got = [as_number(attempt(linear_decay, *case)) for case in DECAY_CASES]
    expected = [optim.linear_decay(*case) for case in DECAY_CASES]
    for case, rate, want in zip(DECAY_CASES, got, expected):
        if rate is None or not close(rate, want):
            why = next((why for mistaken, why in DECAY_MISTAKES
                        if None not in got and close(got, [mistaken(*c) for c in DECAY_CASES])),
                       "the rate at step k (from 0) is learning_rate * (1 - k / num_steps)")
            call = f"linear_decay({', '.join(map(str, case))})"
            return report([f"{call} gave {shown(rate)}, expected {want!r}: {why}"])
    exactly = "exactly" if got == expected else "to rounding"
    return report([], success=f"OK: your linear_decay matches microgpt_lib's {exactly} at {len(DECAY_CASES)} steps\n"
                              "    of two schedules, the first and the last included.")


@exercise
def check_bias_corrected_mean(answer):
    """Exercise 1: m and m_hat after Adam's first step, for a gradient of 0.4."""
    got = read_numbers(answer, 2, "two numbers, (m, m_hat)")
    if got is None:
        return False
    g = 0.4
    m = (1 - BETA1) * g
    m_hat = m / (1 - BETA1)
    m_ok, m_hat_ok = close(got[0], m), close(got[1], m_hat)
    if m_ok and m_hat_ok:
        return report([], success="Correct! m is only 15% of the gradient;\n   the correction scales it back up to 0.4.")
    problems = []
    if not m_ok:
        if close(got[0], g):
            problems.append("m starts at 0 and takes in only (1 - beta1) = 15% of the gradient: m is not g itself")
        elif close(got[0], BETA1 * g):
            problems.append("m = beta1 * m + (1 - beta1) * g: the new gradient is weighted by 1 - beta1 = 0.15, not by beta1")
        elif roughly(got[0], m):
            problems.append(f"m: {ROUNDED_TOO_FAR}")
        else:
            problems.append(f"m = {got[0]!r} is not it: m = beta1 * 0 + (1 - beta1) * g")
    if not m_hat_ok:
        if close(got[1], got[0]):
            problems.append("m_hat is m divided by (1 - beta1 ** t); at t = 1 that is a division by 0.15, "
                            "so m_hat is not m")
        elif close(got[1], m / BETA1):
            problems.append("divide by 1 - beta1 ** t = 1 - 0.85 = 0.15, not by beta1")
        elif roughly(got[1], m_hat):
            problems.append(f"m_hat: {ROUNDED_TOO_FAR}")
        else:
            problems.append(f"m_hat = {got[1]!r} is not it: m_hat = m / (1 - beta1 ** t) with t = 1")
    return report(problems)


@exercise
def check_adam_first_step(answer):
    """Exercise 2: a parameter at 1.0 with gradient -3.0 after Adam's first step (lr 0.01)."""
    got = read_number(answer, "one number, the parameter's new value")
    if got is None:
        return False
    p, g = 1.0, -3.0
    m_hat, v_hat = g, g ** 2          # after one step, the corrected averages are g and g**2 themselves
    return judge(got, p - LR * m_hat / (v_hat ** 0.5 + EPS), [
        (p - LR * g, "that is plain SGD (p - lr * g); Adam divides the averaged gradient by the root of the "
                     "averaged squared gradient, so the size of g cancels out"),
        (p + LR * m_hat / (v_hat ** 0.5),
         "the step goes against the gradient: p -= lr * m_hat / (sqrt(v_hat) + eps)"),
        (p + LR * g,
         "that is SGD with the wrong sign, and Adam divides by sqrt(v_hat), so the size of g cancels out"),
        (p - LR * (1 - BETA1) * g / ((1 - BETA2) * g ** 2) ** 0.5, "that uses m and v without the bias correction "
         "(the step would be 1.5 times too long); divide m by 1 - beta1 and v by 1 - beta2 first"),
    ], f"{got!r} is not it: after one step m_hat = g and v_hat = g ** 2, so the step is lr * g / (|g| + eps)",
        success="Correct! On its first step Adam moves every parameter by lr,\n"
                "   whatever the size of its gradient: only the sign counts.")


@exercise
def check_uncorrected_ratio(answer):
    """Exercise 3: how many times longer Adam's first step would be without bias correction."""
    got = read_number(answer, "one number, a ratio")
    if got is None:
        return False
    expected = (1 - BETA1) / (1 - BETA2) ** 0.5
    return judge(got, expected, [
        (1 - BETA1,
         "0.15 accounts only for m's bias; v starts at 0 too, and the step divides by sqrt(v) = 0.1 |g|"),
        (1 / expected, "that is the inverse: the uncorrected step m / sqrt(v) is the larger one"),
        ((1 - BETA1) / (1 - BETA2), "the step divides by the square root of v, so use sqrt(1 - beta2) = 0.1, "
                                    "not 1 - beta2"),
        (1.0, "without the correction the two biases do not cancel: m is 0.15 g, while sqrt(v) is 0.1 |g|"),
    ], f"{got!r} is not it: compare m / sqrt(v) after one step, with m = 0.15 g and v = 0.01 g ** 2",
        success="Correct! m is 0.15 g but sqrt(v) is only 0.1 |g|:\n"
                "   v's bias, with the larger beta2, is the bigger one.")


@functools.cache
def heldout_loss_after_training(beta1):
    """Exercise 4's measurement, as the chapter's train_fast makes it: microgpt trained on arrays
    for its 1000 steps (Adam with this beta1, linear decay), then its mean loss on the last 500
    shuffled names, which those steps never read."""
    docs = load_docs()
    random.Random(42).shuffle(docs)
    tokenizer = Tokenizer.from_docs(docs)
    documents = [tokenizer.document(doc) for doc in docs]
    model = ArrayGPT.initialise(Config(tokenizer.vocab_size), random.Random(42))
    optimizer = Adam(model.params, beta1=beta1)
    for step in range(NUM_STEPS):
        model.loss_and_grads(documents[step])
        optimizer.step(model.grad, linear_decay(LR, step, NUM_STEPS))
    return sum(model.loss(tokens) for tokens in documents[-HELD_OUT:]) / HELD_OUT


@exercise
def check_adam_without_momentum(answer):
    """Exercise 4 (experiment): the held-out loss of microgpt trained with Adam's beta1 = 0."""
    got = read_number(answer, "one number, the held-out loss")
    if got is None:
        return False
    without, default = heldout_loss_after_training(0.0), heldout_loss_after_training(BETA1)
    return judge(got, without, [
        (default, "that is the default run's loss, with beta1 = 0.85: "
                  "train again with train_fast(arrays.Adam, 0.01, beta1=0.0)"),
    ], f"{got!r} is not it: train with train_fast(arrays.Adam, 0.01, beta1=0.0) and give the "
       "held-out loss, the second thing it returns",
        success=f"Correct! {without:.4f} without momentum against {default:.4f} "
                "with it:\n   on this model momentum hardly matters.")
