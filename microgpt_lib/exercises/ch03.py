"""Checks for the exercises of chapter 03: building blocks."""
import math

from ..engine import Value
from ..nn import rmsnorm
from . import as_number, call, check_number, close, exercise, judge, raised, report, shown, unanswered


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


def _data_hint(got, logits):
    log_probs, probs = _reference(logits)
    m = max(logits)
    if close(got, probs):
        return "these are the probabilities (softmax); log_softmax is their logarithm"
    if close(got, [l - m for l in logits]):
        return "you subtracted the max, but not the log of the sum of the exps"
    return (f"for logits {list(logits)} the result should be {[round(x, 6) for x in log_probs]}, "
            f"not {shown(got)}")


def _numbers(values):
    """The .data (or .grad) of Values as floats, or None if one of them is not a number."""
    got = [as_number(v) for v in values]
    return None if None in got else got


def _log_softmax_problem(log_softmax, logits):
    """What is wrong with the learner's log_softmax on these logits, or None; calls their code once."""
    log_probs, probs = _reference(logits)
    expected_grads = [(i == 0) - p for i, p in enumerate(probs)]
    inputs = [Value(l) for l in logits]
    out, error = call(log_softmax, list(inputs))
    if isinstance(error, OverflowError):
        return f"exp overflowed on the logits {list(logits)}: subtract the largest logit first"
    if error:
        return f"log_softmax({list(logits)}) raised {raised(error)}"
    if not isinstance(out, list) or len(out) != len(logits):
        return f"return a list with one Value per logit; got {shown(out)}"
    if not all(isinstance(v, Value) for v in out):
        return "return Values built from the logits (not plain numbers), so that gradients flow back"
    got = _numbers(v.data for v in out)
    if got is None:
        return f"every Value should hold a number; got {shown(out)}"
    if not close(got, log_probs):
        return _data_hint(got, logits)
    _, error = call(out[0].backward)
    if error:
        return f"backward() from the first log-probability raised {raised(error)}"
    grads = _numbers(v.grad for v in inputs)
    if grads is None or not close(grads, expected_grads):
        return ("the values are right but the gradients are not: build the log of the sum "
                "from Values (a plain float from .data carries no gradient); only the max "
                "may be a plain number")
    return None


@exercise
def check_log_softmax(log_softmax):
    """Exercise 2: log_softmax(logits) -> list of Values, stable for large logits, with gradients."""
    if unanswered(log_softmax):
        return False
    if not callable(log_softmax):
        return report([f"log_softmax should be a function of a list of Values; got {shown(log_softmax)}"])
    for logits in (LOGITS, BIG_LOGITS):
        problem = _log_softmax_problem(log_softmax, logits)
        if problem:
            return report([problem])
    return report([], "Correct! Right values, stable for large logits, and the right gradients.")


SCALED_VECTOR = (3.0, -4.0, 12.0, 0.5)
SCALES = (1000, 1, 0.01, 0.001, 0.0001)


def _mean_square(xs):
    return sum(x * x for x in xs) / len(xs)


@exercise
def check_rmsnorm_scales(answer):
    """Exercise 3: {scale: mean square of rmsnorm(v * scale)} for v = [3, -4, 12, 0.5] and each of SCALES."""
    if unanswered(answer):
        return False
    if not isinstance(answer, dict):
        return report([f"give a dict from each scale to a mean square; got {shown(answer)}"])
    missing = [scale for scale in SCALES if scale not in answer]
    if missing:
        return report([f"the dict has no mean square for the scale(s) {missing}"])
    got = [as_number(answer[scale]) for scale in SCALES]
    if None in got:
        return report(["give each mean square as a plain number (use .data on a Value)"])
    expected = [_mean_square(rmsnorm([x * scale for x in SCALED_VECTOR])) for scale in SCALES]
    before = [_mean_square(SCALED_VECTOR) * scale ** 2 for scale in SCALES]
    wrong = [f"at scale {scale} it should be {e:.6g}, not {g:.6g}"
             for scale, g, e in zip(SCALES, got, expected) if not close(g, e)]
    return judge(got, expected,
                 [([1.0] * len(SCALES), "that is the prediction, not the measurement: run rmsnorm on each "
                                        "scaled vector"),
                  (before, "those are the mean squares before rmsnorm: measure its output")],
                 otherwise="; ".join(wrong),
                 success="Correct! Not always 1: now explain what happens to the small vectors.")
