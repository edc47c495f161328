"""Chapter 03's exercise checks accept the worked solutions and explain typical mistakes."""
import math

import pytest

from conftest import verdict
from microgpt_lib.engine import Value, topological_order
from microgpt_lib.exercises.ch03 import check_linear_nodes, check_log_softmax, check_temperature_sweep
from microgpt_lib.nn import linear, softmax



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
])
def test_log_softmax_explains_mistakes(answer, explanation, capsys):
    ok, out = verdict(check_log_softmax, answer, capsys=capsys)
    assert not ok and explanation in out


TEMPERATURES = [0.001, 0.5, 1, 2, 100]


def sweep(scale=lambda logit, t: logit / t, temperatures=TEMPERATURES):
    """The chapter's temperature sweep on the engine's softmax; scale is how a logit meets T."""
    return {t: [p.data for p in softmax([Value(scale(l, t)) for l in (2.0, 1.0, 0.1)])]
            for t in temperatures}


def test_temperature_sweep_accepts_the_solution(capsys):
    answer = sweep()
    assert answer[0.001] == [1.0, 0.0, 0.0] and all(abs(p - 1 / 3) < 0.01 for p in answer[100])
    assert verdict(check_temperature_sweep, answer, capsys=capsys)[0]
    assert verdict(check_temperature_sweep, sweep(lambda l, t: l * (1 / t)), capsys=capsys)[0]


def test_temperature_sweep_reports_the_placeholder(capsys):
    ok, out = verdict(check_temperature_sweep, ..., capsys=capsys)
    assert not ok and 'Replace the ...' in out


@pytest.mark.parametrize('answer, explanation', [
    (sweep(lambda l, t: l * t), 'multiplied the logits by T'),
    (sweep(temperatures=[0.5, 1, 2]), 'no probabilities for the temperature(s) [0.001, 100]'),
    ({t: [0.5, 0.5, 0.5] for t in TEMPERATURES}, 'sum to 1.5'),
    ({t: [0.5, 0.3, 0.2] for t in TEMPERATURES}, 'should be [0.863777'),
    ({t: [1.0, 0.0] for t in TEMPERATURES}, 'one probability per logit'),
    ({t: [Value(0.5)] * 3 for t in TEMPERATURES}, 'plain numbers'),
    ([0.1, 0.2], 'give a dict'),
])
def test_temperature_sweep_explains_mistakes(answer, explanation, capsys):
    ok, out = verdict(check_temperature_sweep, answer, capsys=capsys)
    assert not ok and explanation in out
