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
