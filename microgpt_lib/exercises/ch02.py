"""Checks for chapter 02: autograd.

The pieces (the learner writes them in the chapter): Value's operations and the parts of backward().
Each check compares with microgpt_lib's engine, to the last bit, because the chapter ends by
comparing the learner's Value with microgpt_lib's node by node, with ==.
"""
import math

from . import (ROUNDED_TOO_FAR, as_list, as_number, attempt, call, close, exercise, judge, piece, raised,
               read_numbers, report, shown, unanswered)
from .. import engine

STEP = 1e-6     # for finite differences


def chapters_value(function):
    """The class the learner's function makes its Values of: what the name Value is where it was written.

    A piece is a plain function, attached to the chapter's class only after its check; its check
    makes the inputs of that class, since the learner's code asks isinstance(other, Value).
    """
    return getattr(function, '__globals__', {}).get('Value', engine.Value)


def microgpt_libs(method, name):
    """microgpt_lib's operation as a function on any class like the chapter's Value: the stand-in for a piece.

    It runs engine.Value's own method on copies of the inputs, and gives the result, children and all,
    in the class of self: the chapter's Value keeps its class, with microgpt_lib's arithmetic.
    """
    def operation(self, *operand):
        Value = type(self)
        mine = [self, *(x for x in operand if isinstance(x, Value))]
        copies = [engine.Value(v.data) for v in mine]
        originals = {id(copy): v for copy, v in zip(copies, mine)}
        others = iter(copies[1:])
        out = method(copies[0], *(next(others) if isinstance(x, Value) else x for x in operand))
        return Value(out.data, tuple(originals[id(c)] for c in out._children), out._local_grads, out._op)
    operation.__name__ = operation.__qualname__ = name
    return operation


# The operations

OPERATIONS = {      # method: (its name in the chapter, how microgpt computes the data, and the local gradients)
    '__add__': ('add', 'self.data + other.data', '(1, 1)'),
    '__mul__': ('mul', 'self.data * other.data', '(other.data, self.data)'),
    '__pow__': ('power', 'self.data ** k', 'k * self.data ** (k - 1)'),
    'log': ('log', 'math.log(self.data)', '1 / self.data'),
    'exp': ('exp', 'math.exp(self.data)', 'math.exp(self.data)'),
    'relu': ('relu', 'max(0, self.data)', 'float(self.data > 0)'),
}
SYMBOLS = {'__add__': '+', '__mul__': '*', '__pow__': '**'}


def _call_text(method, datas, number):
    """How the learner would write the case, e.g. 'Value(2.0) * 2.5' or 'Value(4.0).log()'."""
    values = [f"Value({x!r})" for x in datas]
    if method not in SYMBOLS:
        return f"{values[0]}.{method}()"
    return f" {SYMBOLS[method]} ".join(values + ([] if number is None else [repr(number)]))


LOCAL_GRAD_MISTAKES = {     # method: [(the local gradients a typical mistake gives, from x and the other operand, hint)]
    '__mul__': [(lambda x, y: (x, y), "the local gradients of a * b are crossed over: (b, a), not (a, b)")],
    '__pow__': [(lambda x, k: (k * x ** k,), "the power rule's exponent is off by one: the local gradient of x**k "
                                             "is k * x**(k - 1), not k * x**k"),
                (lambda x, k: (x ** (k - 1),), "the power rule multiplies by k: k * x**(k - 1)")],
    'log': [(lambda x, _: (x,), "log's local gradient is 1/x, not x"),
            (lambda x, _: (math.log(x),), "log's local gradient is 1/x, not ln x")],
    'exp': [(lambda x, _: (x,), "exp's local gradient is its own result, e**x, not the input x"),
            (lambda x, _: (1,), "exp's local gradient is its own result, e**x, not 1")],
    'relu': [(lambda x, _: (1.0,), "at exactly 0 microgpt's relu passes no gradient: float(self.data > 0) is 0.0 there"),
             (lambda x, _: (x,), "relu's local gradient is 1 where the input is positive, not the input itself")],
}


def _local_grad_hint(method, datas, number, got):
    """The typical mistake that gives the local gradients got, or ''."""
    x, other = datas[0], datas[-1] if number is None else number
    return next((hint for wrong, hint in LOCAL_GRAD_MISTAKES.get(method, [])
                 if len(wrong(x, other)) == len(got) and close(got, wrong(x, other))), '')


def _exactly(got, expected, what, formula):
    """'' if got == expected (numbers or tuples of them), else what is wrong, in one clause."""
    if got == expected:
        return ''
    if close(got, expected):
        return (f"{what} {shown(got)}, close to {shown(expected)} but not equal to the last bit: compute it "
                f"as microgpt does, {formula}, since the chapter compares with microgpt_lib with ==")
    return f"{what} {shown(got)}, expected {shown(expected)}"


def _operation_problem(function, method, datas, number=None):
    """What is wrong with the learner's function for method on one case, in one sentence, or None."""
    name, data_formula, grads_formula = OPERATIONS[method]
    text = _call_text(method, datas, number)
    mine = [attempt(chapters_value(function), x) for x in datas]
    operand = () if number is None else (number,)
    got = attempt(function, *mine, *operand)
    expected = getattr(engine.Value, method)(*[engine.Value(x) for x in datas], *operand)
    if not all(hasattr(got, attr) for attr in ('data', '_children', '_local_grads', '_op')):
        return f"{text} gave {shown(got)}: {name} must return a new Value(data, children, local_grads, op)"
    children, grads = tuple(got._children), tuple(got._local_grads)
    if len(children) != len(expected._children):
        if number is not None:
            return (f"{text} has {len(children)} children: use the plain number {number!r} directly, so the only "
                    f"child is self, with its label {expected._op!r}")
        return f"{text} has {len(children)} children; it should have {len(expected._children)}, the input Values"
    if any(c is not m for c, m in zip(children, mine)):
        return f"the children of {text} must be the input Values themselves, in order: (self, other) or (self,)"
    if any(isinstance(v, engine.Value) or hasattr(v, '_children') for v in (got.data, *grads)):
        return f"in {text}, data and local gradients must be plain numbers (x.data), not Values"
    if as_number(got.data) is None or None in map(as_number, grads) or len(grads) != len(children):
        return (f"{text} holds data {shown(got.data)} and local gradients {shown(grads)}: give one number, and one "
                f"local gradient per child")
    problem = (_exactly(got.data, expected.data, f"{text} gives data", data_formula)
               or _exactly(grads, tuple(expected._local_grads), f"{text} gives local gradients", grads_formula))
    if problem:
        hint = _local_grad_hint(method, datas, number, grads)
        return f"{problem}{': ' + hint if hint else ''}"
    if got._op != expected._op:
        return f"label the node of {text} {expected._op!r}, not {shown(got._op)}: the drawings show it"
    return None


def _operation_report(function, method, cases, success):
    """The first problem of function over cases (the input Values' data, the plain number or None), or success."""
    return report([next(filter(None, (_operation_problem(function, method, *case) for case in cases)), None)],
                  success)


@piece(microgpt_libs(engine.Value.__add__, 'add'))
def check_add(add):
    """+ of the chapter's Value, with a Value and with a plain number, against microgpt_lib's."""
    return _operation_report(add, '__add__', [((2.0, -3.0), None), ((2.0,), 10), ((0.1, 0.2), None)],
                             "OK: your + gives microgpt_lib's data, children, local gradients and labels.")


@piece(microgpt_libs(engine.Value.__mul__, 'mul'))
def check_mul(mul):
    """* of the chapter's Value, with a Value and with a plain number, against microgpt_lib's."""
    return _operation_report(mul, '__mul__', [((2.0, -3.0), None), ((2.0,), 2.5), ((0.1, 0.2), None)],
                             "OK: your * gives microgpt_lib's data, children, local gradients and labels.")


@piece(microgpt_libs(engine.Value.__pow__, 'power'))
def check_power(power):
    """** of the chapter's Value with a plain exponent (squares, reciprocals, roots), against microgpt_lib's."""
    return _operation_report(power, '__pow__', [((3.0,), 2), ((2.0,), -1), ((4.0,), 0.5), ((-1.5,), 3)],
                             "OK: your ** gives microgpt_lib's data, local gradient and label.")


@piece(microgpt_libs(engine.Value.log, 'log'))
def check_log(log):
    """log of the chapter's Value against microgpt_lib's."""
    return _operation_report(log, 'log', [((4.0,), None), ((0.3,), None)],
                             "OK: your log gives microgpt_lib's data, local gradient and label.")


@piece(microgpt_libs(engine.Value.exp, 'exp'))
def check_exp(exp):
    """exp of the chapter's Value against microgpt_lib's."""
    return _operation_report(exp, 'exp', [((0.5,), None), ((-3.0,), None)],
                             "OK: your exp gives microgpt_lib's data, local gradient and label.")


@piece(microgpt_libs(engine.Value.relu, 'relu'))
def check_relu(relu):
    """relu of the chapter's Value against microgpt_lib's, at exactly 0 too."""
    return _operation_report(relu, 'relu', [((2.5,), None), ((-3.0,), None), ((0.0,), None)],
                             "OK: your relu gives microgpt_lib's data, local gradient and label, at 0 too.")


# backward(): the chain rule at one node, the topological order, and the two put together

def propagate(v):
    """Pass v's gradient on to its children: the chain rule, as microgpt_lib's Value.backward() does at each node."""
    for child, local_grad in zip(v._children, v._local_grads):
        child.grad += local_grad * v.grad


PROPAGATE_MISTAKES = {      # what a child's grad becomes, from its grad before, for typical mistakes
    "add each contribution with +=, don't assign with =: a child used twice, or by two nodes, collects them all":
        lambda before, local_grad, grad: local_grad * grad,
    "multiply each local gradient by v.grad (the chain rule)": lambda before, local_grad, grad: before + local_grad,
    "multiply v.grad by each child's local gradient (the chain rule)": lambda before, local_grad, grad: before + grad,
}


def _propagated(node, rule):
    """{child: its grad} after node passes on its gradient by rule(grad before, local gradient, node's grad)."""
    grads = {child: child.grad for child in node._children}
    for child, local_grad in zip(node._children, node._local_grads):
        grads[child] = rule(grads[child], local_grad, node.grad)
    return grads


def _propagate_cases():
    """(text, node, names) of nodes to propagate from, their children's grads set as if other nodes had passed theirs."""
    b = engine.Value(3.0)
    square = b * b
    square.grad = 0.5
    c, d = engine.Value(2.0), engine.Value(-1.0)
    c.grad = 0.25                   # c is also used by another node, which passed 0.25 on already
    total = c + d
    total.grad = 0.5
    return [("v = b * b (b used twice), v.grad = 0.5", square, {b: 'b'}),
            ("v = c + d, v.grad = 0.5, c.grad = 0.25 from another node", total, {c: 'c', d: 'd'})]


@piece(propagate)
def check_propagate(propagate):
    """propagate(v) on a node whose child is used twice and on one whose child has a gradient already."""
    for text, node, names in _propagate_cases():
        rule = lambda before, local_grad, grad: before + local_grad * grad
        expected = _propagated(node, rule)
        mistakes = {hint: _propagated(node, wrong) for hint, wrong in PROPAGATE_MISTAKES.items()}
        attempt(propagate, node)
        got = {child: child.grad for child in names}
        if got != expected:
            wrong = ', '.join(f"{names[child]}.grad is {shown(got[child])}, expected {expected[child]!r}"
                              for child in names if got[child] != expected[child])
            hint = next((hint for hint, grads in mistakes.items() if grads == got), "")
            return report([f"after propagate(v) with {text}: {wrong}{'; ' + hint if hint else ''}"])
    return report([], "OK: your propagate passes v.grad on as microgpt_lib's does.")


def _graphs():
    """(text, root, names) of graphs with a Value used twice, built with microgpt_lib's Value."""
    a, b = engine.Value(2.0), engine.Value(0.5)
    ab, exp_b = a * b, b.exp()
    s = ab + exp_b
    L = s.log()
    x, y = engine.Value(-1.0), engine.Value(3.0)
    xy = x * y
    z = xy + x
    out = z * xy
    return [("L = log(a*b + exp(b))", L, {a: 'a', b: 'b', ab: 'a*b', exp_b: 'exp(b)', s: 's', L: 'L'}),
            ("out = (x*y + x) * (x*y)", out, {x: 'x', y: 'y', xy: 'x*y', z: 'x*y + x', out: 'out'})]


def _order_problem(text, got, expected, names):
    """What is wrong with the order got of the nodes of text (microgpt's is expected), in one sentence, or None."""
    if got == expected:
        return None
    shown_order = '[' + ', '.join(names.get(v, shown(v)) for v in got) + ']'
    missing = [names[v] for v in expected if v not in got]
    twice = [names[v] for v in expected if got.count(v) > 1]
    if twice:
        return (f"topological_order({text}) lists {', '.join(twice)} more than once: remember the nodes "
                f"visited in a set, and visit each only once")
    if missing or len(got) != len(expected):
        return f"topological_order({text}) gave {shown_order}: it must list every node below the root once"
    place = {v: i for i, v in enumerate(got)}
    late = next(((v, child) for v in got for child in v._children if place[child] > place[v]), None)
    if late:
        parent, child = late
        return (f"topological_order({text}) gave {shown_order}: children visited after their parent, "
                f"{names[parent]} before its child {names[child]}; append a node only once all its children are in")
    return (f"topological_order({text}) gave {shown_order}, a valid order but not microgpt's, "
            f"[{', '.join(names[v] for v in expected)}]: visit the children in order, first child first, "
            f"since that order decides how gradients add up")


@piece(engine.topological_order)
def check_topological_order(topological_order):
    """topological_order(root) against microgpt_lib's on two graphs with a Value used twice: the same list."""
    for text, root, names in _graphs():
        got = attempt(topological_order, root)
        if not isinstance(got, list):
            return report([f"topological_order({text}) gave {shown(got)}: return a list of the nodes"])
        problem = _order_problem(text, got, engine.topological_order(root), names)
        if problem:
            return report([problem])
    return report([], "OK: your topological_order gives microgpt_lib's order on 2 graphs.")


def _grads_in_order(root):
    """The grads of the nodes below root, in topological order."""
    return [v.grad for v in engine.topological_order(root)]


def _without_seed(root):
    """The grads backward() gives if it never sets root.grad = 1: none at all."""
    return [0] * len(engine.topological_order(root))


def _in_forward_order(root):
    """The grads backward() gives if it propagates in topological order, children first, not reversed."""
    root.grad = 1
    for v in engine.topological_order(root):
        propagate(v)
    return _grads_in_order(root)


BACKWARD_MISTAKES = {
    "set self.grad = 1 first: the output's gradient with respect to itself": _without_seed,
    "walk the order in reverse, reversed(topo), from the output down to the inputs": _in_forward_order,
}


@piece(engine.Value.backward)
def check_backward(backward):
    """backward(root) on two graphs with a Value used twice: every node's grad, as microgpt_lib's gives."""
    for i, (text, root, names) in enumerate(_graphs()):
        def fresh():
            """The same graph again, untouched."""
            return _graphs()[i][1]
        theirs = fresh()
        theirs.backward()
        expected = _grads_in_order(theirs)
        mistakes = {hint: wrong(fresh()) for hint, wrong in BACKWARD_MISTAKES.items()}
        attempt(backward, root)
        got = _grads_in_order(root)
        if got != expected:
            nodes = engine.topological_order(root)
            wrong = ', '.join(f"{names[v]}.grad is {shown(g)}, expected {e!r}"       # the inputs' grads say enough
                              for v, g, e in zip(nodes, got, expected) if g != e and not v._children)
            wrong = wrong or f"{names[root]}.grad is {shown(got[-1])}, expected 1"
            order = [names[v] for v in nodes]
            hint = next((hint for hint, grads in mistakes.items() if grads == got), "")
            return report([f"after {order[-1]}.backward() with {text}: {wrong}{'; ' + hint if hint else ''}"])
    return report([], "OK: your backward() gives microgpt_lib's gradients on 2 graphs.")


# The exercises at the end of the chapter

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
