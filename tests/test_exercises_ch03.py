"""Chapter 03's exercise checks accept the worked solutions and explain typical mistakes."""
import math

import numpy as np
import pytest

from conftest import verdict
from microgpt_lib.engine import Value, topological_order
from microgpt_lib.exercises.ch03 import check_linear_nodes, check_log_softmax, check_rmsnorm_scales
from microgpt_lib.nn import linear, rmsnorm, softmax



def log_softmax(logits):
    """The worked solution."""
    max_val = max(val.data for val in logits)
    shifted = [val - max_val for val in logits]
    log_total = sum(s.exp() for s in shifted).log()
    return [s - log_total for s in shifted]


@pytest.mark.parametrize('check', [check_linear_nodes, check_log_softmax])
def test_placeholder_gets_a_hint(check, capsys):
    ok, out = verdict(check, ..., capsys=capsys)
    assert not ok and 'Replace the ...' in out


def test_linear_nodes_is_what_linear_really_creates(capsys):
    x = [Value(float(i)) for i in range(16)]
    w = [[Value(0.5) for _ in range(16)] for _ in range(16)]
    nodes = set()
    for out in linear(x, w):
        nodes.update(topological_order(out))
    created = len(nodes - set(x) - {wi for row in w for wi in row})
    assert verdict(check_linear_nodes, created, capsys=capsys)[0]
    assert verdict(check_linear_nodes, np.int64(created), capsys=capsys)[0]


@pytest.mark.parametrize('answer, explanation', [
    (256, 'each product is also added'),
    (496, 'sum() starts from the integer 0'),
    (32, 'for one row'),
    (528, 'the 16 inputs'),
    (768, 'the 256 weights'),
    (100, 'multiply by the number of rows'),
    ('512', 'a whole number'),
])
def test_linear_nodes_explain_mistakes(answer, explanation, capsys):
    ok, out = verdict(check_linear_nodes, answer, capsys=capsys)
    assert not ok and explanation in out


def test_log_softmax_solutions_pass(capsys):
    assert verdict(check_log_softmax, log_softmax, capsys=capsys)[0]
    assert verdict(check_log_softmax, lambda logits: [p.log() for p in softmax(logits)], capsys=capsys)[0]


def without_max(logits):
    log_total = sum(l.exp() for l in logits).log()
    return [l - log_total for l in logits]


def log_total_as_float(logits):
    max_val = max(val.data for val in logits)
    shifted = [val - max_val for val in logits]
    log_total = math.log(sum(math.exp(s.data) for s in shifted))
    return [s - log_total for s in shifted]


@pytest.mark.parametrize('answer, explanation', [
    (softmax, 'these are the probabilities'),
    (without_max, 'exp overflowed'),
    (log_total_as_float, 'the gradients are not'),
    (lambda logits: [l - max(v.data for v in logits) for l in logits], 'not the log of the sum'),
    (lambda logits: [l.data for l in logits], 'not plain numbers'),
    (lambda logits: log_softmax(logits)[:2], 'one Value per logit'),
    (lambda logits: [l * 2 for l in logits], 'should be'),
    (lambda logits: 1 / 0, 'raised ZeroDivisionError'),
    ('log_softmax', 'should be a function'),
    (lambda logits: [Value('x') for _ in logits], 'every Value should hold a number'),
    (lambda logits: [Value(10 ** 400) for _ in logits], 'the result should be'),
    (lambda logits: [Value(v.data, (l,), ('1',)) for v, l in zip(log_softmax(logits), logits)],
     'backward() from the first log-probability raised TypeError'),
])
def test_log_softmax_explains_mistakes(answer, explanation, capsys):
    ok, out = verdict(check_log_softmax, answer, capsys=capsys)
    assert not ok and explanation in out


SCALES = [1000, 1, 0.01, 0.001, 0.0001]


def mean_squares(transform=rmsnorm, scales=SCALES):
    """The chapter's experiment: the mean square of transform(v * scale) for each scale."""
    v = [3.0, -4.0, 12.0, 0.5]
    return {s: sum(y.data ** 2 for y in transform([Value(x * s) for x in v])) / 4 for s in scales}


def test_rmsnorm_scales_accepts_the_measurement(capsys):
    answer = mean_squares()
    assert abs(answer[1000] - 1) < 1e-9 and answer[0.0001] < 0.05       # epsilon wins for tiny vectors
    assert verdict(check_rmsnorm_scales, answer, capsys=capsys)[0]
    assert verdict(check_rmsnorm_scales, {s: Value(ms) for s, ms in answer.items()}, capsys=capsys)[0]
    assert verdict(check_rmsnorm_scales, {1e3: answer[1000], 1.0: answer[1], 1e-2: answer[0.01],
                                          1e-3: answer[0.001], 1e-4: answer[0.0001]}, capsys=capsys)[0]


def test_rmsnorm_scales_reports_the_placeholder(capsys):
    ok, out = verdict(check_rmsnorm_scales, ..., capsys=capsys)
    assert not ok and 'Replace the ...' in out


@pytest.mark.parametrize('answer, explanation', [
    ({s: 1.0 for s in SCALES}, 'the prediction, not the measurement'),
    (mean_squares(transform=lambda xs: xs), 'before rmsnorm'),
    (mean_squares(scales=[1000, 1, 0.01]), 'no mean square for the scale(s) [0.001, 0.0001]'),
    ({**mean_squares(), 0.001: 0.5}, 'at scale 0.001 it should be 0.808841, not 0.5'),
    ({s: round(ms, 3) for s, ms in mean_squares().items()}, 'rounded too far'),
    ({s: 'one' for s in SCALES}, 'plain number'),
    ([1.0] * 5, 'give a dict'),
])
def test_rmsnorm_scales_explains_mistakes(answer, explanation, capsys):
    ok, out = verdict(check_rmsnorm_scales, answer, capsys=capsys)
    assert not ok and explanation in out
