"""Chapter 02's exercise checks accept the worked solutions and explain typical mistakes."""
import math

import numpy as np
import pytest

from conftest import verdict
from microgpt_lib.engine import Value
from microgpt_lib.exercises.ch02 import check_big_learning_rate, check_hand_gradients, check_tanh



def tanh_with_local_grad(local_grad):
    """A tanh op whose local gradient is local_grad(x, t): the solution or a typical mistake."""
    def tanh(self):
        t = math.tanh(self.data)
        return Value(t, (self,), (local_grad(self.data, t),), 'tanh')
    return tanh


def test_placeholders_get_a_hint(capsys):
    for ok, out in [verdict(check_tanh, ..., Value, capsys=capsys), verdict(check_hand_gradients, ..., capsys=capsys)]:
        assert not ok and 'Replace the ...' in out


def test_tanh_solution_passes(capsys):
    assert verdict(check_tanh, tanh_with_local_grad(lambda x, t: 1 - t ** 2), Value, capsys=capsys)[0]


def test_tanh_built_from_exp_also_passes(capsys):
    def tanh(self):
        e = (self * 2).exp()
        return (e - 1) / (e + 1)
    assert verdict(check_tanh, tanh, Value, capsys=capsys)[0]


def test_tanh_works_with_any_value_class(capsys):
    class NotebookValue(Value):
        __slots__ = ()
    def tanh(self):
        t = math.tanh(self.data)
        return NotebookValue(t, (self,), (1 - t ** 2,), 'tanh')
    assert verdict(check_tanh, tanh, NotebookValue, capsys=capsys)[0]


@pytest.mark.parametrize('tanh, explanation', [
    (tanh_with_local_grad(lambda x, t: t), 'the derivative of tanh is 1 - tanh(x)**2'),
    (tanh_with_local_grad(lambda x, t: 1 - t), 'square the tanh'),
    (tanh_with_local_grad(lambda x, t: 1 - x * x), 'uses the input x'),
    (tanh_with_local_grad(lambda x, t: 2.0), 'finite differences say'),
    (lambda self: Value(math.tanh(self.data)), "grad is still 0"),
    (lambda self: Value(math.tan(self.data), (self,), (1.0,)), 'should be math.tanh'),
    (lambda self: math.tanh(self.data), 'must return a new Value'),
    (lambda self: self.tanh(), "raised AttributeError"),
    (42, 'should be a function'),
    (lambda self: Value('0.46', (self,), (1.0,)), "holds data '0.46'"),
    (lambda self: Value(math.tanh(self.data), (self,), ('1',)), 'backward() from tanh(Value(0.5)) raised TypeError'),
    (lambda self: Value(math.tanh(self.data), (self,), (10 ** 400,)), "the input's grad is inf"),
])
def test_tanh_explains_mistakes(tanh, explanation, capsys):
    ok, out = verdict(check_tanh, tanh, Value, capsys=capsys)
    assert not ok and explanation in out


def test_tanh_wants_the_value_class_and_reports_its_errors(capsys):
    tanh = tanh_with_local_grad(lambda x, t: 1 - t ** 2)
    ok, out = verdict(check_tanh, tanh, 42, capsys=capsys)
    assert not ok and 'pass your Value class itself' in out

    class Broken(Value):
        __slots__ = ()
        def __init__(self, data):
            raise ValueError('not today')
    ok, out = verdict(check_tanh, tanh, Broken, capsys=capsys)
    assert not ok and 'Broken(0.5) raised ValueError: not today' in out


def test_hand_gradients_solution_passes(capsys):
    a, b, c = Value(2.0), Value(-3.0), Value(10.0)
    ((a * b + c) ** 2).backward()
    assert verdict(check_hand_gradients, (a.grad, b.grad, c.grad), capsys=capsys)[0]
    assert verdict(check_hand_gradients, [-24, 16, 8], capsys=capsys)[0]


@pytest.mark.parametrize('answer', [(-23.99999999891, 16.0000001, 7.99999999), np.array([-24.0, 16.0, 8.0]),
                                    [np.int64(-24), np.float32(16), np.float64(8)]])
def test_hand_gradients_accept_finite_differences_and_numpy(answer, capsys):
    ok, out = verdict(check_hand_gradients, answer, capsys=capsys)
    assert ok and 'Correct' in out


def test_hand_gradients_never_call_a_right_value_wrong(capsys):
    ok, out = verdict(check_hand_gradients, (-23.99999999891, 16.0000001, 7.9), capsys=capsys)
    assert not ok and 'dL/dc = 7.9 is not right' in out and 'dL/da' not in out and 'dL/db' not in out


@pytest.mark.parametrize('answer', [(-23.99, 16.01, 8.0), (-24.00009, 16.00006, 8.00003)])
def test_hand_gradients_rounded_or_a_big_step_is_close_not_wrong(answer, capsys):
    ok, out = verdict(check_hand_gradients, answer, capsys=capsys)
    assert not ok and 'rounded too far' in out and 'smaller step' in out and 'not right' not in out


@pytest.mark.parametrize('answer, explanation', [
    ((-12, 8, 4), 'd(u**2)/du = 2*u'),
    ((-3, 2, 1), 'the chain rule multiplies them'),
    ((16, -24, 8), 'swapped'),
    ((-24, 16, 1), 'dL/dc = 1 is not right'),
    ((-24, 16), 'three numbers'),
    ('abc', 'three numbers'),
    (('-24', '16', '8'), 'three numbers'),
    ((10 ** 400, 16, 8), 'too large for a float'),
    (-24, 'three numbers'),
])
def test_hand_gradients_explain_mistakes(answer, explanation, capsys):
    ok, out = verdict(check_hand_gradients, answer, capsys=capsys)
    assert not ok and explanation in out


def descend(learning_rate, steps=10):
    """The chapter's gradient descent on relu(w*2 + bias) towards 4, on the engine."""
    weights = [Value(-3.0), Value(7.0)]
    losses = []
    for _ in range(steps):
        loss = ((weights[0] * 2.0 + weights[1]).relu() - 4.0) ** 2
        loss.backward()
        for w in weights:
            w.data -= learning_rate * w.grad
            w.grad = 0
        losses.append(loss.data)
    return losses


def test_big_learning_rate_accepts_the_run_where_the_neuron_dies(capsys):
    losses = descend(0.25)
    assert losses[1] > losses[0] and losses[2:] == [16.0] * 8      # overshoot, then stuck
    assert verdict(check_big_learning_rate, losses, capsys=capsys)[0]
    assert not verdict(check_big_learning_rate, ..., capsys=capsys)[0]


@pytest.mark.parametrize('answer, explanation', [
    (descend(0.025), 'the learning rate 0.025 from above'),
    (descend(0.25, steps=5), 'all 10 losses'),
    (descend(0.3), 'not the losses of descend(learning_rate=0.25)'),
    (16.0, 'give the list of losses'),
    (['a'] * 10, 'give the list of losses'),
    ([round(loss, 1) for loss in descend(0.25)], 'rounded too far'),
])
def test_big_learning_rate_explains_mistakes(answer, explanation, capsys):
    ok, out = verdict(check_big_learning_rate, answer, capsys=capsys)
    assert not ok and explanation in out


# The pieces: the learner's Value, its operations and backward()

from microgpt_lib import engine
from microgpt_lib.exercises.ch02 import (check_add, check_backward, check_exp, check_log, check_mul, check_power,
                                         check_propagate, check_relu, check_topological_order, propagate)


def unwritten(*args):
    raise NotImplementedError()


def add(self, other):
    V = type(self)
    if isinstance(other, V):
        return V(self.data + other.data, (self, other), (1, 1), '+')
    return V(self.data + other, (self,), (1,), f'+ {other:g}')


def mul(self, other, crossed=True):
    V = type(self)
    if isinstance(other, V):
        grads = (other.data, self.data) if crossed else (self.data, other.data)
        return V(self.data * other.data, (self, other), grads, '*')
    return V(self.data * other, (self,), (other,), f'* {other:g}')


def one_input(name, data, local_grad, label=None):
    """A one-input operation of the chapter's Value: data(x) and local_grad(x, data) (a solution or a mistake)."""
    def operation(self, *k):
        result = data(self.data, *k)
        return type(self)(result, (self,), (local_grad(self.data, result, *k),), label or name)
    operation.__name__ = name
    return operation


def power(local_grad):
    def operation(self, k):
        return type(self)(self.data ** k, (self,), (local_grad(self.data, k),), f'** {k:g}')
    operation.__name__ = 'power'
    return operation


def chapter_value(**methods):
    """A class like the chapter's Value: its own __init__, and the methods given (the solutions by default)."""
    class Value:
        def __init__(self, data, children=(), local_grads=(), op=''):
            self.data, self.grad = data, 0
            self._children, self._local_grads, self._op = children, local_grads, op
    solutions = {
        '__add__': add, '__mul__': mul, '__pow__': power(lambda x, k: k * x ** (k - 1)),
        'log': one_input('log', math.log, lambda x, out: 1 / x),
        'exp': one_input('exp', math.exp, lambda x, out: math.exp(x)),
        'relu': one_input('relu', lambda x: max(0, x), lambda x, out: float(x > 0)),
        'backward': engine.Value.backward,
    }
    for name, method in {**solutions, **methods}.items():
        setattr(Value, name, method)
    return Value


@pytest.mark.parametrize('check', [check_add, check_mul, check_power, check_log, check_exp, check_relu, check_backward])
def test_the_chapters_value_passes_and_goes_on(check, capsys):
    Value = chapter_value()
    assert check(Value) is Value
    assert 'OK:' in capsys.readouterr().out


@pytest.mark.parametrize('check, method', [(check_add, '__add__'), (check_mul, '__mul__'), (check_power, '__pow__'),
                                           (check_log, 'log'), (check_exp, 'exp'), (check_relu, 'relu'),
                                           (check_backward, 'backward')])
def test_an_unwritten_method_goes_on_with_microgpt_libs_value(check, method, capsys):
    Value = chapter_value(**{method: unwritten})
    stand_in = check(Value)
    out = capsys.readouterr().out
    assert stand_in is not Value and 'OK:' not in out and "microgpt_lib's Value" in out
    assert issubclass(stand_in, engine.Value) and stand_in is not engine.Value    # the chapter may attach to it
    a, b = stand_in(2.0), stand_in(0.5)
    L = (a * b + b.exp()).log()
    L.backward()
    assert (a.grad, b.grad) == (0.1887703343990727, 1.3775406687981453)


@pytest.mark.parametrize('check, methods, explanation', [
    (check_mul, {'__mul__': lambda self, other: mul(self, other, crossed=False)}, 'crossed over'),
    (check_add, {'__add__': lambda self, other: add(self, other if isinstance(other, type(self))
                                                             else type(self)(other))}, 'use the plain number 10'),
    (check_add, {'__add__': lambda self, other: type(self)(self.data + other.data, (self, other), (1, 1))},
     "label the node of Value(2.0) + Value(-3.0) '+'"),
    (check_add, {'__add__': lambda self, other: self.data + other.data}, 'must return a new Value'),
    (check_power, {'__pow__': power(lambda x, k: k * x ** k)}, "exponent is off by one"),
    (check_power, {'__pow__': power(lambda x, k: x ** (k - 1))}, "multiplies by k"),
    (check_exp, {'exp': one_input('exp', math.exp, lambda x, out: x)}, "its own result, e**x, not the input"),
    (check_exp, {'exp': one_input('exp', lambda x: math.e ** x, lambda x, out: out)}, 'not equal to the last bit'),
    (check_relu, {'relu': one_input('relu', lambda x: max(0, x), lambda x, out: float(x >= 0))},
     'at exactly 0'),
    (check_log, {'log': one_input('log', math.log, lambda x, out: 1 / x, label='ln')}, "'log', not 'ln'"),
])
def test_a_typical_mistake_in_an_operation_is_named(check, methods, explanation, capsys):
    Value = chapter_value(**methods)
    assert check(Value) is not Value
    out = capsys.readouterr().out
    assert explanation in out and out.count('\n  - ') == 1, out


def backward_without(seed=True, reverse=True):
    def backward(self):
        topo = engine.topological_order(self)
        if seed:
            self.grad = 1
        for v in reversed(topo) if reverse else topo:
            propagate(v)
    return backward


@pytest.mark.parametrize('backward, explanation', [(backward_without(seed=False), 'set self.grad = 1 first'),
                                                   (backward_without(reverse=False), 'walk the order in reverse')])
def test_backwards_typical_mistakes_are_named(backward, explanation, capsys):
    Value = chapter_value(backward=backward)
    assert check_backward(Value) is not Value
    out = capsys.readouterr().out
    assert explanation in out and 'a.grad is 0.0, expected 0.1887703343990727' in out


def propagate_assigning(v):
    for child, local_grad in zip(v._children, v._local_grads):
        child.grad = local_grad * v.grad


def propagate_without_local_grads(v):
    for child in v._children:
        child.grad += v.grad


def test_propagate_passes_and_its_typical_mistakes_are_named(capsys):
    assert check_propagate(propagate) is propagate
    for mistake, explanation in [(propagate_assigning, "don't assign with ="),
                                 (propagate_without_local_grads, "by each child's local gradient")]:
        stand_in = check_propagate(mistake)
        assert stand_in is not mistake and explanation in capsys.readouterr().out
    assert check_propagate(unwritten) is not unwritten
    a = engine.Value(3.0)
    square = a * a
    square.grad = 1
    check_propagate(unwritten)(square)
    assert a.grad == 6.0


def topological_order_by(visit_children, append_first=False, remember=True):
    """A recursive topological sort: the solution, or a typical mistake."""
    def topological_order(root):
        topo, visited = [], set()
        def visit(v):
            if v in visited:
                return
            if remember:
                visited.add(v)
            if append_first:
                topo.append(v)
            for child in visit_children(v._children):
                visit(child)
            if not append_first:
                topo.append(v)
        visit(root)
        return topo
    return topological_order


@pytest.mark.parametrize('mistake, explanation', [
    (topological_order_by(list, append_first=True), 'children visited after their parent, L before its child s'),
    (topological_order_by(reversed), "a valid order but not microgpt's"),
    (topological_order_by(list, remember=False), 'lists b more than once'),
    (lambda root: tuple(engine.topological_order(root)), 'return a list'),
])
def test_topological_orders_typical_mistakes_are_named(mistake, explanation, capsys):
    assert check_topological_order(mistake) is not mistake
    assert explanation in capsys.readouterr().out


def test_topological_order_passes_and_goes_on(capsys):
    solution = topological_order_by(list)
    assert check_topological_order(solution) is solution
    assert 'OK:' in capsys.readouterr().out
    stand_in = check_topological_order(unwritten)
    chain = engine.Value(1.0)
    for _ in range(5_000):
        chain = chain + 1
    assert len(stand_in(chain)) == 5_001
