"""Checks for the exercises of chapter 03: building blocks."""
import math

from ..engine import Value
from ..nn import rmsnorm
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



SCALED_VECTOR = (3.0, -4.0, 12.0, 0.5)
SCALES = (1000, 1, 0.01, 0.001, 0.0001)


def _mean_square(xs):
    return sum(x * x for x in xs) / len(xs)


def _mean_square_after_rmsnorm(scale):
    """The mean square of rmsnorm(SCALED_VECTOR * scale), on plain numbers."""
    return _mean_square(rmsnorm([x * scale for x in SCALED_VECTOR]))


def _agree(got, expected, scale):
    return math.isclose(got[scale], expected[scale], rel_tol=1e-6, abs_tol=1e-9)


@exercise
def check_rmsnorm_scales(answer):
    """Exercise 3: {scale: mean square of rmsnorm(v * scale)} for v = [3, -4, 12, 0.5] and each of SCALES."""
    if unanswered(answer):
        return False
    if not isinstance(answer, dict):
        return report([f"give a dict from each scale to a mean square; got {answer!r}"])
    missing = [scale for scale in SCALES if scale not in answer]
    if missing:
        return report([f"the dict has no mean square for the scale(s) {missing}"])
    try:
        got = {scale: float(answer[scale]) for scale in SCALES}
    except (TypeError, ValueError):
        return report(["give each mean square as a plain number (use .data on a Value)"])
    expected = {scale: _mean_square_after_rmsnorm(scale) for scale in SCALES}
    wrong = [scale for scale in SCALES if not _agree(got, expected, scale)]
    if not wrong:
        return report([], "✅ Correct! Not always 1: now explain what happens to the small vectors.")
    if all(got[scale] == 1 for scale in SCALES):
        return report(["that is the prediction, not the measurement: run rmsnorm on each scaled vector"])
    before = {scale: _mean_square(SCALED_VECTOR) * scale ** 2 for scale in SCALES}
    if all(_agree(got, before, scale) for scale in SCALES):
        return report(["those are the mean squares before rmsnorm: measure its output"])
    return report([f"at scale {scale} the mean square after rmsnorm should be {expected[scale]:.6g}, "
                   f"not {got[scale]:.6g}" for scale in wrong])
