"""Checks for the exercises of chapter 02: autograd."""
import math

from . import exercise, report, unanswered

STEP = 1e-6     # for finite differences


def _grad_hint(x, grad, numeric):
    """What a wrong gradient of tanh at x most likely means."""
    t = math.tanh(x)
    if grad == 0:
        return ("the input's grad is still 0 after backward(): pass the input as the child, "
                "`(self,)`, together with its local gradient")
    for wrong, why in [(t, "the local gradient is tanh(x) itself, but the derivative of tanh is 1 - tanh(x)**2"),
                       (1 - t, "the local gradient is 1 - tanh(x): square the tanh, 1 - tanh(x)**2"),
                       (1 - x * x, "the local gradient uses the input x; it should use the output: 1 - tanh(x)**2")]:
        if math.isclose(grad, wrong, rel_tol=1e-9):
            return why
    return f"at x = {x} the input's grad is {grad:.6f}, but finite differences say {numeric:.6f}"


@exercise
def check_tanh(tanh, value_class):
    """Exercise 1: tanh(self) -> a new Value; checked against math.tanh and finite differences."""
    if unanswered(tanh):
        return False
    if not callable(tanh):
        return report([f"tanh should be a function tanh(self) that returns a new Value; got {tanh!r}"])
    for x in (0.5, -1.3):
        inp = value_class(x)
        try:
            out = tanh(inp)
            if isinstance(out, value_class):
                out.backward()
        except Exception as e:          # show the learner's error as a hint, not a traceback
            return report([f"tanh(Value({x})) raised {type(e).__name__}: {e}"])
        if not isinstance(out, value_class):
            return report([f"tanh must return a new {value_class.__name__}, but it returned {out!r}"])
        numeric = (math.tanh(x + STEP) - math.tanh(x - STEP)) / (2 * STEP)
        problems = []
        if not math.isclose(out.data, math.tanh(x), rel_tol=1e-12, abs_tol=1e-15):
            problems.append(f"tanh({x}) has data {out.data!r}, but should be math.tanh({x}) = {math.tanh(x)!r}")
        if not math.isclose(inp.grad, numeric, rel_tol=1e-6, abs_tol=1e-8):
            problems.append(_grad_hint(x, inp.grad, numeric))
        if problems:
            return report(problems)
    return report([], "✅ Correct! data and gradient agree with math.tanh and with finite differences.")


@exercise
def check_hand_gradients(answer):
    """Exercise 2: (dL/da, dL/db, dL/dc) for L = (a*b + c)**2 at a = 2, b = -3, c = 10."""
    if unanswered(answer):
        return False
    try:
        da, db, dc = (float(g) for g in answer)
    except (TypeError, ValueError):
        return report([f"give three numbers, (dL/da, dL/db, dL/dc); got {answer!r}"])
    got = (da, db, dc)
    if got == (-24.0, 16.0, 8.0):
        return report([])
    known = {
        (-12.0, 8.0, 4.0): "each one is half the right size: d(u**2)/du = 2*u, not u",
        (-3.0, 2.0, 1.0): ("those are the local gradients of u = a*b + c; the chain rule multiplies them "
                           "by dL/du = 2*u"),
        (16.0, -24.0, 8.0): "dL/da and dL/db are swapped: the local gradient of a*b with respect to a is b",
    }
    if got in known:
        return report([known[got]])
    hint = "with u = a*b + c = 4, each one is dL/du = 2*u = 8 times the local gradient of u"
    return report([f"{name} = {value:g} is not right ({hint})"
                   for name, value, right in zip(('dL/da', 'dL/db', 'dL/dc'), got, (-24, 16, 8))
                   if value != right])


def _neuron_losses(learning_rate, steps=10):
    """Chapter 02's gradient descent on relu(w*2 + bias) towards 4, with the gradients by hand."""
    w, bias = -3.0, 7.0
    losses = []
    for _ in range(steps):
        pre = w * 2.0 + bias
        out = max(0.0, pre)
        losses.append((out - 4.0) ** 2)
        d_pre = 2 * (out - 4.0) * (pre > 0)         # dloss/dout times the relu's local gradient
        w, bias = w - learning_rate * d_pre * 2.0, bias - learning_rate * d_pre
    return losses


@exercise
def check_big_learning_rate(answer):
    """Exercise 3: the ten losses of descend(learning_rate=0.25), where the neuron dies."""
    if unanswered(answer):
        return False
    try:
        got = [float(loss) for loss in answer]
    except (TypeError, ValueError):
        return report([f"give the list of losses that descend(learning_rate=0.25) returns; got {answer!r}"])
    expected = _neuron_losses(0.25)
    if len(got) != len(expected):
        return report([f"descend runs {len(expected)} steps by default, so give all {len(expected)} losses; "
                       f"got {len(got)}"])
    if all(math.isclose(g, e, rel_tol=1e-6, abs_tol=1e-9) for g, e in zip(got, expected)):
        return report([], "✅ Correct! The loss overshoots, then sticks at 16.0 for good. Now explain why.")
    if all(math.isclose(g, e, rel_tol=1e-6, abs_tol=1e-9) for g, e in zip(got, _neuron_losses(0.025))):
        return report(["these are the losses at the learning rate 0.025 from above: "
                       "call descend(learning_rate=0.25)"])
    return report(["these are not the losses of descend(learning_rate=0.25) from the chapter: "
                   "run that cell as it is and pass its result unchanged"])
