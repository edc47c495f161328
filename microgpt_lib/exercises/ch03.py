"""Checks for the exercises of chapter 03: building blocks."""
import math

from ..engine import Value
from . import check_number, exercise, report, unanswered


@exercise
def check_linear_nodes(answer):
    """Exercise 1: how many new Values linear(x, W) creates for 16 inputs and a 16x16 W."""
    return check_number(answer, 512, {
        256: "you counted the products w*x; each product is also added to its row's running sum",
        496: "sum() starts from the integer 0, so even the first product is added (to 0): one + per product",
        16: "linear returns 16 Values, but each of them is a sum made of many tiny nodes",
        32: "that is right for one row (one output); W has 16 rows",
        528: "count only the new nodes: the 16 inputs x existed before linear was called",
        768: "count only the new nodes: the 256 weights existed before linear was called",
        784: "count only the new nodes: the inputs and the weights existed before linear was called",
    }, "count the nodes one row makes (16 inputs: products, and additions starting from 0), "
       "then multiply by the number of rows")


LOGITS = (1.0, 2.0, 3.0)
BIG_LOGITS = (1000.0, 1001.0, 1002.0)


def _reference(logits):
    """log_softmax of plain numbers, and softmax (the gradient of output 0 is onehot(0) - softmax)."""
    m = max(logits)
    log_total = math.log(sum(math.exp(l - m) for l in logits))
    log_probs = [l - m - log_total for l in logits]
    return log_probs, [math.exp(lp) for lp in log_probs]


def _close(xs, ys):
    return all(math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12) for x, y in zip(xs, ys))


def _data_hint(got, logits):
    log_probs, probs = _reference(logits)
    m = max(logits)
    if _close(got, probs):
        return "these are the probabilities (softmax); log_softmax is their logarithm"
    if _close(got, [l - m for l in logits]):
        return "you subtracted the max, but not the log of the sum of the exps"
    return f"for logits {list(logits)} the result should be {[round(x, 6) for x in log_probs]}, not {got}"


@exercise
def check_log_softmax(log_softmax):
    """Exercise 2: log_softmax(logits) -> list of Values, stable for large logits, with gradients."""
    if unanswered(log_softmax):
        return False
    if not callable(log_softmax):
        return report([f"log_softmax should be a function of a list of Values; got {log_softmax!r}"])
    for logits in (LOGITS, BIG_LOGITS):
        inputs = [Value(l) for l in logits]
        try:
            out = log_softmax(inputs)
        except OverflowError:
            return report([f"exp overflowed on the logits {list(logits)}: subtract the largest logit first"])
        except Exception as e:          # show the learner's error as a hint, not a traceback
            return report([f"log_softmax({list(logits)}) raised {type(e).__name__}: {e}"])
        if not isinstance(out, list) or len(out) != len(logits):
            return report([f"return a list with one Value per logit; got {out!r}"])
        if not all(isinstance(v, Value) for v in out):
            return report(["return Values built from the logits (not plain numbers), so that gradients flow back"])
        got = [v.data for v in out]
        if not _close(got, _reference(logits)[0]):
            return report([_data_hint(got, logits)])
        out[0].backward()
        expected_grads = [(i == 0) - p for i, p in enumerate(_reference(logits)[1])]
        if not _close([v.grad for v in inputs], expected_grads):
            return report(["the values are right but the gradients are not: build the log of the sum "
                           "from Values (a plain float from .data carries no gradient); only the max "
                           "may be a plain number"])
    return report([], "✅ Correct! Right values, stable for large logits, and the right gradients.")


SWEEP_LOGITS = (2.0, 1.0, 0.1)
TEMPERATURES = (0.001, 0.5, 1, 2, 100)


def _softmax_at(temperature, logits=SWEEP_LOGITS):
    """Stable softmax of the logits divided by the temperature, on plain numbers."""
    return _reference([l / temperature for l in logits])[1]


@exercise
def check_temperature_sweep(answer):
    """Exercise 3: {T: softmax probabilities of [2.0, 1.0, 0.1] / T} for each T in TEMPERATURES."""
    if unanswered(answer):
        return False
    if not isinstance(answer, dict):
        return report([f"give a dict from each temperature to its three probabilities; got {answer!r}"])
    missing = [t for t in TEMPERATURES if t not in answer]
    if missing:
        return report([f"the dict has no probabilities for the temperature(s) {missing}"])
    problems = []
    for t in TEMPERATURES:
        try:
            got = [float(p) for p in answer[t]]
        except (TypeError, ValueError):
            return report([f"at T = {t}, give the probabilities as plain numbers (p.data); got {answer[t]!r}"])
        expected = _softmax_at(t)
        if len(got) != len(expected):
            problems.append(f"at T = {t}, give one probability per logit ({len(expected)}); got {len(got)}")
        elif not _close(got, expected):
            if _close(got, _softmax_at(1 / t)):
                problems.append(f"at T = {t} you multiplied the logits by T: divide them by T")
            elif not math.isclose(sum(got), 1, rel_tol=1e-9):
                problems.append(f"at T = {t} the probabilities sum to {sum(got):.6g}, not 1")
            else:
                problems.append(f"at T = {t} the probabilities should be {[round(p, 6) for p in expected]}, "
                                f"not {[round(p, 6) for p in got]}")
    return report(problems, "✅ Correct! Now compare T = 0.001 with T = 100, and explain what happened.")
