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


# The pieces: the operations of the chapter's Value, and backward(), written in the chapter itself

import nbformat

from conftest import ROOT
from microgpt_lib import engine
from microgpt_lib.exercises import ch02
from microgpt_lib.student import without_solution

CELLS = nbformat.read(ROOT / 'notebooks' / '02_autograd.ipynb', as_version=4).cells
CHAPTERS_CLASS = next(c.source for c in CELLS if c.source.startswith('class Value:'))
PIECES = {c.metadata['nbgrader']['grade_id'].removeprefix('ch02_'): c.source
          for c in CELLS if 'piece' in c.metadata.get('tags', [])}
OPERATIONS = {'add': '__add__', 'mul': '__mul__', 'power': '__pow__', 'log': 'log', 'exp': 'exp', 'relu': 'relu'}


def written(name, source=None):
    """The chapter's piece name (its solution, or source), defined as in the chapter: beside its class Value."""
    namespace = {'math': math, 'topological_order': engine.topological_order, 'propagate': ch02.propagate}
    exec(CHAPTERS_CLASS, namespace)
    exec(PIECES[name] if source is None else source, namespace)
    return namespace[name]


def mutated(name, old, new):
    """The chapter's piece name with old replaced by new in its solution: a typical mistake."""
    assert old in PIECES[name], (name, old)
    return written(name, PIECES[name].replace(old, new))


def check_of(name):
    return getattr(ch02, f'check_{name}')


@pytest.mark.parametrize('name', PIECES)
def test_the_chapters_solution_passes(name, capsys):
    solution = written(name)
    assert check_of(name)(solution) is solution
    assert 'OK:' in capsys.readouterr().out


def chapter_expression(pieces):
    """L = log(a*b + exp(b)) and its inputs, on the chapter's class with the operations pieces."""
    Value = ch02.chapters_value(written('add'))
    for name, attribute in OPERATIONS.items():
        setattr(Value, attribute, pieces[name])
    a, b = Value(2.0), Value(0.5)
    return (a * b + b.exp()).log(), a, b


def test_unwritten_pieces_stand_in_for_microgpt_libs_on_the_chapters_value(capsys):
    stand_ins = {}
    for name in PIECES:
        unwritten = written(name, without_solution(PIECES[name]))
        stand_ins[name] = check_of(name)(unwritten)
        out = capsys.readouterr().out
        assert stand_ins[name] is not unwritten and 'is not written yet' in out, name
        assert f"The chapter goes on with microgpt_lib's {name}." in out
    L, a, b = chapter_expression(stand_ins)
    assert type(L) is type(a) is not engine.Value           # the chapter's own class, with microgpt_lib's arithmetic
    stand_ins['backward'](L)
    assert (L.data, a.grad, b.grad) == (0.9740769841801067, 0.1887703343990727, 1.3775406687981453)
    x = engine.Value(1.0)
    x2 = x * x
    x2.grad = 1
    stand_ins['propagate'](x2)
    assert x.grad == 2.0
    assert stand_ins['topological_order'](L)[-1] is L


@pytest.mark.parametrize('name, old, new, explanation', [
    ('add', "(self, other), (1, 1), '+')", "(self, other), (1, 1))", "label the node of Value(2.0) + Value(-3.0) '+'"),
    ('add', "return Value(self.data + other, (self,), (1,), f'+ {other:g}')",
     "return Value(self.data + other, (self, Value(other)), (1, 1), '+')", 'use the plain number 10 directly'),
    ('mul', '(other.data, self.data)', '(self.data, other.data)', 'crossed over'),
    ('mul', 'return Value(self.data * other, (self,), (other,)', 'return Value(self.data * other, (self,), (self.data,)',
     'gives local gradients (2.0,), expected (2.5,)'),
    ('power', 'k * self.data ** (k - 1)', 'k * self.data ** k', "exponent is off by one"),
    ('power', 'k * self.data ** (k - 1)', 'self.data ** (k - 1)', "multiplies by k"),
    ('log', '(1 / self.data,)', '(self.data,)', "log's local gradient is 1/x, not x"),
    ('exp', '(math.exp(self.data),)', '(self.data,)', "its own result, e**x, not the input x"),
    ('exp', 'math.exp(self.data), (self,)', 'math.e ** self.data, (self,)', 'not equal to the last bit'),
    ('relu', 'float(self.data > 0)', 'float(self.data >= 0)', 'at exactly 0'),
    ('relu', 'max(0, self.data)', 'self.data', 'gives data -3.0, expected 0'),
    ('propagate', 'child.grad += local_grad * v.grad', 'child.grad = local_grad * v.grad', "don't assign with ="),
    ('propagate', 'child.grad += local_grad * v.grad', 'child.grad += local_grad', 'multiply each local gradient by v.grad'),
    ('topological_order', '            for child in v._children:\n                visit(child)\n            topo.append(v)',
     '            topo.append(v)\n            for child in v._children:\n                visit(child)',
     'children visited after their parent, L before its child s'),
    ('topological_order', 'for child in v._children:', 'for child in reversed(v._children):',
     "a valid order but not microgpt's"),
    ('topological_order', '            visited.add(v)\n', '', 'lists b more than once'),
    ('backward', '    self.grad = 1\n', '', 'set self.grad = 1 first'),
    ('backward', 'reversed(topo)', 'topo', 'walk the order in reverse'),
])
def test_a_typical_mistake_is_named(name, old, new, explanation, capsys):
    mistake = mutated(name, old, new)
    assert check_of(name)(mistake) is not mistake
    out = capsys.readouterr().out
    assert explanation in out and out.count('\n  - ') == 1, out


def test_a_piece_that_returns_no_value_or_raises_says_so(capsys):
    for mistake, explanation in [(lambda self, other: self.data + other.data, 'add must return a new Value'),
                                 (lambda self, other: self.nothing, "raised AttributeError")]:
        assert ch02.check_add(mistake) is not mistake
        assert explanation in capsys.readouterr().out
    assert ch02.check_topological_order(lambda root: tuple(engine.topological_order(root)))
    assert 'return a list' in capsys.readouterr().out


def test_the_stand_in_keeps_the_chapters_class_for_a_value_used_twice():
    add = ch02.microgpt_libs(engine.Value.__add__, 'add')
    Value = ch02.chapters_value(written('add'))
    a = Value(3.0)
    twice = add(a, a)
    assert type(twice) is Value and twice._children == (a, a) and twice.data == 6.0
