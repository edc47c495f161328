"""Checks for chapter 07's exercises: Adam and its bias correction."""
import functools
import random

from ..arrays import Adam, ArrayGPT
from ..data import load_docs
from ..model import Config
from ..optim import linear_decay
from ..tokenizer import Tokenizer
from . import ROUNDED_TOO_FAR, close, exercise, judge, read_number, read_numbers, report, roughly

BETA1, BETA2, EPS, LR = 0.85, 0.99, 1e-8, 0.01
NUM_STEPS, HELD_OUT = 1000, 500     # exercise 4: microgpt's training, measured on the last 500 names


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
