"""Checks for the exercises of chapter 02: autograd."""
import math

from . import (ROUNDED_TOO_FAR, as_list, as_number, call, close, exercise, judge, raised, read_numbers, report,
               shown, unanswered)

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
        if close(grad, wrong):
            return why
    return f"at x = {x} the input's grad is {grad:.10g}, but finite differences say {numeric:.10g}"


def _tanh_problems(tanh, value_class, x):
    """What is wrong with the learner's tanh at x (an empty list if nothing), calling their code once."""
    expected = math.tanh(x)
    numeric = (math.tanh(x + STEP) - math.tanh(x - STEP)) / (2 * STEP)
    inp, error = call(value_class, x)
    if error:
        return [f"{value_class.__name__}({x}) raised {raised(error)}"]
    out, error = call(tanh, inp)
    if error:
        return [f"tanh(Value({x})) raised {raised(error)}"]
    if not isinstance(out, value_class):
        return [f"tanh must return a new {value_class.__name__}, but it returned {shown(out)}"]
    _, error = call(lambda: out.backward())
    if error:
        return [f"backward() from tanh(Value({x})) raised {raised(error)}"]
    data, grad = as_number(getattr(out, 'data', None)), as_number(getattr(inp, 'grad', None))
    if data is None or grad is None:
        return [f"tanh(Value({x})) holds data {shown(getattr(out, 'data', None))} and gives the input "
                f"grad {shown(getattr(inp, 'grad', None))}: both should be numbers"]
    problems = []
    if not close(data, expected):
        problems.append(f"tanh({x}) has data {data!r}, but should be math.tanh({x}) = {expected!r}")
    if not close(grad, numeric):
        problems.append(_grad_hint(x, grad, numeric))
    return problems


@exercise
def check_tanh(tanh, value_class):
    """Exercise 1: tanh(self) -> a new Value; checked against math.tanh and finite differences."""
    if unanswered(tanh):
        return False
    if not callable(tanh):
        return report([f"tanh should be a function tanh(self) that returns a new Value; got {shown(tanh)}"])
    if not isinstance(value_class, type):
        return report([f"pass your Value class itself as the second argument; got {shown(value_class)}"])
    for x in (0.5, -1.3):
        problems = _tanh_problems(tanh, value_class, x)
        if problems:
            return report(problems)
    return report([], "Correct! data and gradient agree with math.tanh and with finite differences.")


GRADIENTS = (-24.0, 16.0, 8.0)      # of L = (a*b + c)**2 at a = 2, b = -3, c = 10


@exercise
def check_hand_gradients(answer):
    """Exercise 2: (dL/da, dL/db, dL/dc) for L = (a*b + c)**2 at a = 2, b = -3, c = 10."""
    got = read_numbers(answer, 3, "three numbers, (dL/da, dL/db, dL/dc)")
    if got is None:
        return False
    mistakes = [
        ((-12.0, 8.0, 4.0), "each one is half the right size: d(u**2)/du = 2*u, not u"),
        ((-3.0, 2.0, 1.0), ("those are the local gradients of u = a*b + c; the chain rule multiplies them "
                            "by dL/du = 2*u")),
        ((16.0, -24.0, 8.0), "dL/da and dL/db are swapped: the local gradient of a*b with respect to a is b"),
    ]
    wrong = [f"{name} = {value:.12g}" for name, value, right in zip(('dL/da', 'dL/db', 'dL/dc'), got, GRADIENTS)
             if not close(value, right)]
    otherwise = (f"{' and '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} not right (with u = a*b + c = 4, "
                 f"each one is dL/du = 2*u = 8 times the local gradient of u)")
    return judge(got, GRADIENTS, mistakes, otherwise,
                 rounded=f"{ROUNDED_TOO_FAR}; with finite differences, take a smaller step h")


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
    items = as_list(answer)
    got = None if items is None else [as_number(loss) for loss in items]
    if got is None or None in got:
        return report([f"give the list of losses that descend(learning_rate=0.25) returns; got {shown(answer)}"])
    expected = _neuron_losses(0.25)
    if len(got) != len(expected):
        return report([f"descend runs {len(expected)} steps by default, so give all {len(expected)} losses; "
                       f"got {len(got)}"])
    return judge(got, expected,
                 [(_neuron_losses(0.025), "these are the losses at the learning rate 0.025 from above: "
                                          "call descend(learning_rate=0.25)")],
                 otherwise=("these are not the losses of descend(learning_rate=0.25) from the chapter: "
                            "run that cell as it is and pass its result unchanged"),
                 success="Correct! The loss overshoots, then sticks at 16.0 for good. Now explain why.")
