"""The scalar engine: every op's gradient against finite differences, and the original's order."""
import math
import sys
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from conftest import finite_difference
from microgpt_lib import Value, topological_order

# each op as a function of a list of inputs, on Values or on floats
OPS = {
    'add': (lambda v: v[0] + v[1], lambda x: x[0] + x[1]),
    'mul': (lambda v: v[0] * v[1], lambda x: x[0] * x[1]),
    'pow': (lambda v: v[0] ** 3, lambda x: x[0] ** 3),
    'pow_neg_half': (lambda v: v[0] ** -0.5, lambda x: x[0] ** -0.5),
    'log': (lambda v: v[0].log(), lambda x: math.log(x[0])),
    'exp': (lambda v: v[0].exp(), lambda x: math.exp(x[0])),
    'relu': (lambda v: v[0].relu(), lambda x: max(0.0, x[0])),
    'neg': (lambda v: -v[0], lambda x: -x[0]),
    'sub': (lambda v: v[0] - v[1], lambda x: x[0] - x[1]),
    'rsub': (lambda v: 2.5 - v[0], lambda x: 2.5 - x[0]),
    'div': (lambda v: v[0] / v[1], lambda x: x[0] / x[1]),
    'rdiv': (lambda v: 3.0 / v[0], lambda x: 3.0 / x[0]),
    'radd_rmul': (lambda v: 2 + 3 * v[0], lambda x: 2 + 3 * x[0]),
    'shared_use': (lambda v: v[0] * v[0] + v[0].exp() * v[1], lambda x: x[0] * x[0] + math.exp(x[0]) * x[1]),
}


def grads_of(f, xs):
    vs = [Value(x) for x in xs]
    out = f(vs)
    out.backward()
    return out.data, [v.grad for v in vs]


@pytest.mark.parametrize('name', OPS)
def test_gradient_matches_finite_differences(name):
    f_value, f_float = OPS[name]
    xs = [1.3, 0.7]
    data, grads = grads_of(f_value, xs)
    assert data == pytest.approx(f_float(xs), rel=1e-12)
    for i, g in enumerate(grads):
        assert g == pytest.approx(finite_difference(f_float, xs, i), rel=1e-6, abs=1e-8), (name, i)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(OPS)),
       st.lists(st.floats(0.1, 4.0), min_size=2, max_size=2))
def test_gradient_property_on_random_inputs(name, xs):
    f_value, f_float = OPS[name]
    _, grads = grads_of(f_value, xs)
    for i, g in enumerate(grads):
        assert g == pytest.approx(finite_difference(f_float, xs, i), rel=1e-5, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(st.floats(-50, 50), st.floats(-50, 50).filter(lambda b: abs(b) > 1e-3))
def test_derived_ops_round_like_the_original(a, b):
    # a - b is a + (-b); a / b is a * b**-1 (not a true division)
    assert (Value(a) - Value(b)).data == a + (-b)
    assert (Value(a) / Value(b)).data == a * b ** -1
    assert (Value(a) / b).data == a * b ** -1
    assert (a / Value(b)).data == a * b ** -1


def recursive_post_order(root):
    topo, visited = [], set()
    def visit(v):
        if v not in visited:
            visited.add(v)
            for child in v._children:
                visit(child)
            topo.append(v)
    visit(root)
    return topo


def test_explicit_stack_gives_the_recursive_post_order():
    xs = [Value(float(i)) for i in range(6)]
    out = sum((xs[i] * xs[(i * 3) % 6]).relu() + xs[i].exp() for i in range(6)) * xs[2]
    assert topological_order(out) == recursive_post_order(out)


def test_deep_graph_has_no_recursion_limit():
    x = Value(1.0)
    y = x
    for _ in range(sys.getrecursionlimit() * 3):
        y = y * 1.0001 + 0
    y.backward()
    assert x.grad == pytest.approx(1.0001 ** (sys.getrecursionlimit() * 3))


def test_constants_need_no_nodes():
    x = Value(2.0)
    assert [v for v in topological_order(x * 3 + 1)][0] is x
    assert len(topological_order(x * 3 + 1)) == 3


def test_a_constant_of_any_kind_of_number_gets_a_short_label_and_exact_arithmetic():
    third = Value(2) + Fraction(1, 3)
    assert (third.data, third._op) == (Fraction(7, 3), '+ 0.333333')
    huge = Value(2) + 10 ** 400
    assert (huge.data, huge._op) == (10 ** 400 + 2, '+ 1e+400')
    assert (Value(2) * (-3 * 10 ** 400))._op == '* -3e+400'
    assert (Value(2.0) * np.float32(0.5))._op == '* 0.5' and (Value(2.0) ** np.int64(3))._op == '** 3'
    x = Value(2.0)
    assert [v._op for v in (x + 1e-5, -x, x ** -0.5, x - 1)] == ['+ 1e-05', '* -1', '** -0.5', '+ -1']


ARRAY = np.array([1.0, 2.0])


@pytest.mark.parametrize('combine, what', [
    (lambda v: v * ARRAY, 'an array of shape (2,): use one Value per element'),
    (lambda v: v + ARRAY, 'an array of shape (2,): use one Value per element'),
    (lambda v: v - ARRAY, 'an array of shape (2,): use one Value per element'),
    (lambda v: v ** ARRAY, 'an array of shape (2,): use one Value per element'),
    (lambda v: v * [1.0, 2.0], 'a list'),        # which would repeat the list
    (lambda v: 2 * v * 'ab', 'a str'),
])
def test_a_value_combines_only_with_one_number(combine, what):
    with pytest.raises(TypeError) as refused:
        combine(Value(2))
    assert str(refused.value) == f"a Value holds one number, so it combines only with a number or a Value, not {what}"
