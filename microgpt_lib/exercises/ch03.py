"""Checks for the exercises of chapter 03: building blocks."""
import math

from ..engine import Value
from .. import nn
from ..nn import rmsnorm
from . import (Mistake, as_number, as_whole_number, attempt, call, check_number, close, exercise, judge,
               piece, raised, report, shown, unanswered)


COURSE_LINEAR_NODES = 512      # linear(x, W), 16 inputs and a 16x16 W, on the course's engine ...
ORIGINAL_LINEAR_NODES = 528    # ... and on the original's, which wraps each row's starting 0 in a Value


LINEAR_NODES = {    # linear(x, W) for 16 inputs and a 16x16 W: the new Values on each engine
    512: "Correct, on the course's engine: 512. The original's makes 528, because its Value wraps the 0 "
         "that sum() starts each row from in a Value of its own, one leaf more per row.",
    528: "Correct, on the original's engine: 528, because its Value wraps the 0 that sum() starts each row "
         "from in a Value of its own, one leaf more per row; the course's engine keeps that 0 inside the "
         "first + node and makes 512.",
}


@exercise
def check_linear_nodes(answer):
    """Exercise 1: how many new Values linear(x, W) creates for 16 inputs and a 16x16 W, on either engine."""
    if unanswered(answer):
        return False
    if as_whole_number(answer) in LINEAR_NODES:
        return report([], LINEAR_NODES[as_whole_number(answer)])
    return check_number(answer, 512, {
        256: "you counted the products w*x; each product is also added to its row's running sum",
        496: "sum() starts from the integer 0, so even the first product is added (to 0): one + per product",
        16: "linear returns 16 Values, but each of them is a sum made of many tiny nodes",
        32: "that is right for one row (one output) on the course's engine; W has 16 rows",
        33: "that is right for one row (one output) on the original's engine; W has 16 rows",
        544: "count only the new nodes: the 16 inputs x existed before linear was called",
        768: "count only the new nodes: the 256 weights existed before linear was called",
        784: "count only the new nodes: the weights (and the inputs) existed before linear was called",
        800: "count only the new nodes: the inputs and the weights existed before linear was called",
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


# The pieces: linear, softmax and rmsnorm, checked against microgpt_lib.nn on several inputs.

def values_of(numbers):
    """Nested lists of numbers as the same lists of fresh Values."""
    return [values_of(n) if isinstance(n, list) else Value(n) for n in numbers]


def leaves(values):
    """The Values of nested lists, in order."""
    return [leaf for v in values for leaf in (leaves(v) if isinstance(v, list) else [v])]


def gradients(outputs, inputs):
    """The gradients of the inputs after backward() from a weighted sum of the outputs (weights 1, 2, 3, ...)."""
    weighted = sum(out * (i + 1) for i, out in enumerate(outputs))
    weighted.backward()
    return [v.grad for v in leaves(inputs)]


def rounded(numbers):
    """Numbers to 6 significant digits, as feedback shows them."""
    return [float(f"{x:.6g}") for x in numbers]


def block_problem(name, block, finished, numbers, mistakes, errors):
    """What is wrong with block(*numbers as Values) against finished, data then gradients, or None.

    mistakes: (mistaken block, hint) pairs, told when the learner's data match the mistaken one's;
    errors: {exception name: hint}, told when the learner's block raises that exception.
    """
    args = [values_of(n) if isinstance(n, list) else n for n in numbers]
    call_text = f"{name}({', '.join(shown(n, 50) for n in numbers)})"
    try:
        got = attempt(block, *args)
    except Mistake as error:
        hint = next((h for kind, h in errors.items() if f"raised {kind}" in str(error)), None)
        return f"{error}: {hint}" if hint else str(error)
    expected_args = [values_of(n) if isinstance(n, list) else n for n in numbers]
    expected = finished(*expected_args)
    if not isinstance(got, list) or len(got) != len(expected):
        return f"{call_text} should return a list of {len(expected)} Values, one per output; got {shown(got)}"
    if not all(isinstance(v, Value) for v in got):
        return f"{call_text} should return Values built from its inputs (not plain numbers), so that gradients flow"
    data = [as_number(v.data) for v in got]
    want = [v.data for v in expected]
    if None in data or not close(data, want):
        shown_data = shown(data if None in data else rounded(data))
        for mistaken, hint in mistakes:
            wrong, error = call(lambda: [v.data for v in mistaken(*[values_of(n) if isinstance(n, list) else n
                                                                     for n in numbers])])
            if not error and None not in data and close(data, wrong):
                return f"{call_text} gave {shown_data}, expected {rounded(want)}: {hint}"
        return f"{call_text} gave {shown_data}, expected {rounded(want)}"
    grads, error = call(gradients, got, args[0] if name != 'linear' else args)
    if error:
        return f"backward() through your {name} raised {raised(error)}"
    if not close([as_number(g) for g in grads], gradients(expected, expected_args)):
        return (f"{call_text} gives the right numbers but the wrong gradients: build every step from the "
                f"Values (a plain number from .data carries no gradient)")
    return None


def check_block(name, block, finished, inputs, mistakes=(), errors=None):
    """Report on the learner's block: the problem with the first input it gets wrong, if any."""
    problems = (block_problem(name, block, finished, numbers, mistakes, errors or {}) for numbers in inputs)
    return report([next(filter(None, problems), None)], success=f"OK: your {name} matches microgpt_lib's on {len(inputs)} inputs, "
                                    f"gradients included.")


LINEAR_INPUTS = (
    ([1.0, -2.0], [[0.3, -0.7], [1.5, 0.2]]),                              # square: a transposed W shows
    ([0.5, -1.0, 2.0], [[1.0, 2.0, 3.0], [-0.5, 0.25, 4.0]]),            # 3 inputs, a 2x3 matrix
    ([0.1, 0.2, 0.3, 0.4], [[0.5, -0.5, 1.0, -1.0]]),                      # one row
)


def transposed_linear(x, w):
    return [sum(w[j][i] * x[j] for j in range(len(w))) for i in range(len(w[0]))]


@piece(nn.linear)
def check_linear(linear):
    """linear against microgpt_lib's on three matrices (one square, one with one row), data and gradients."""
    return check_block('linear', linear, nn.linear, LINEAR_INPUTS, [
        (transposed_linear, "that is W transposed times x: output i is the dot product of row i of W with x"),
        (lambda x, w: [sum(wi * xi for wi, xi in zip(row, x)) for row in w[:1]] * len(w),
         "every output should come from its own row of W"),
    ], {'IndexError': "one output per row of W: zip(row, x) pairs each weight of a row with its input"})


SOFTMAX_INPUTS = ([[2.0, 1.0, 0.1]], [[-3.0, 0.0]], [[1000.0, 1001.0, 1002.0]])


def unnormalised_softmax(logits):
    return [(v - max(l.data for l in logits)).exp() for v in logits]


@piece(nn.softmax)
def check_softmax(softmax):
    """softmax against microgpt_lib's on small, negative and huge logits, data and gradients."""
    return check_block('softmax', softmax, nn.softmax, SOFTMAX_INPUTS, [
        (unnormalised_softmax, "divide each exp by the total of the exps, so that they sum to 1"),
        (lambda logits: [v * 1 for v in nn.softmax(logits)[::-1]], "the probabilities are in the wrong order"),
    ], {'OverflowError': "subtract the largest logit before exp, or exp overflows at large logits"})


RMSNORM_INPUTS = ([[3.0, -4.0, 12.0, 0.5]], [[0.001, -0.002, 0.003]], [[0.0, 0.0]], [[2.0]])
EPS = 1e-5


def rmsnorm_variant(scale):
    """rmsnorm with another scale(mean square): the typical mistakes."""
    def variant(x):
        ms = sum(xi * xi for xi in x) / len(x)
        return [xi * scale(ms) for xi in x]
    return variant


@piece(nn.rmsnorm)
def check_rmsnorm(rmsnorm):
    """rmsnorm against microgpt_lib's on an ordinary, a tiny and an all-zero vector, data and gradients."""
    return check_block('rmsnorm', rmsnorm, nn.rmsnorm, RMSNORM_INPUTS, [
        (rmsnorm_variant(lambda ms: ms ** -0.5), "add the 1e-5 inside the root, (ms + 1e-5) ** -0.5: "
                                                 "without it a tiny vector is blown up and a zero one divides by 0"),
        (rmsnorm_variant(lambda ms: (ms + EPS) ** -1), "that divides by the mean square itself; divide by its "
                                                       "square root: scale = (ms + 1e-5) ** -0.5"),
        (rmsnorm_variant(lambda ms: ms + EPS), "multiply by (ms + 1e-5) ** -0.5, one over the root mean "
                                               "square, not by the mean square"),
        (rmsnorm_variant(lambda ms: (ms + EPS) ** 0.5), "the power is -0.5 (one over the root mean square), "
                                                        "not 0.5"),
        (lambda x: [xi * (sum(v * v for v in x) + EPS) ** -0.5 for xi in x],
         "ms is the mean of the squares: divide their sum by len(x)"),
    ], {'ZeroDivisionError': "add the 1e-5 inside the root, (ms + 1e-5) ** -0.5, so that an all-zero "
                             "vector does not divide by 0"})
