"""Chapter 03's exercise checks accept the worked solutions and explain typical mistakes."""
import math

import numpy as np
import pytest

from conftest import verdict
from microgpt_lib.engine import Value, nodes_in_original, topological_order
from microgpt_lib.exercises.ch03 import (check_linear, check_linear_nodes, check_log_softmax, check_rmsnorm,
                                        check_rmsnorm_scales, check_softmax)
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


def wrap_every_number(monkeypatch):
    """Make the course's Value wrap every plain number in a Value of its own, as the original's does."""
    add, mul = Value.__add__, Value.__mul__
    monkeypatch.setattr(Value, '__add__', lambda v, other: add(v, other if isinstance(other, Value) else Value(other)))
    monkeypatch.setattr(Value, '__mul__', lambda v, other: mul(v, other if isinstance(other, Value) else Value(other)))


def linear_nodes():
    """The new Values that linear makes for 16 inputs and a 16x16 W."""
    x = [Value(float(i)) for i in range(16)]
    w = [[Value(0.5) for _ in range(16)] for _ in range(16)]
    nodes = set()
    for out in linear(x, w):
        nodes.update(topological_order(out))
    made = nodes - set(x) - {wi for row in w for wi in row}
    return len(made), nodes_in_original(made)


def test_linear_nodes_accepts_the_courses_count_and_gives_the_originals(capsys):
    assert linear_nodes() == (512, 528)
    for answer in (512, np.int64(512), 512.0):
        ok, out = verdict(check_linear_nodes, answer, capsys=capsys)
        assert ok and "on the course's engine" in out and "528" in out


def test_linear_nodes_accepts_the_originals_count_and_says_why_it_differs(monkeypatch, capsys):
    wrap_every_number(monkeypatch)
    assert linear_nodes()[0] == 528            # on an engine that wraps every number, as the original does
    ok, out = verdict(check_linear_nodes, 528, capsys=capsys)
    assert ok and "on the original's engine" in out and "wraps the 0" in out and "512" in out


@pytest.mark.parametrize('answer, explanation', [
    (256, 'each product is also added'),
    (496, 'sum() starts from the integer 0'),
    (32, "for one row (one output) on the course's engine"),
    (33, "for one row (one output) on the original's engine"),
    (544, 'the 16 inputs'),
    (768, 'the 256 weights'),
    (100, 'multiply by the number of rows'),
    (512.5, 'a whole number'),
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


# The pieces: the finished one passes and is returned; an unwritten one stands in; typical mistakes are named.

def unwritten(*args):
    raise NotImplementedError()


def written_linear(x, w):
    return [sum(wi * xi for wi, xi in zip(row, x)) for row in w]


def written_softmax(logits):
    max_val = max(val.data for val in logits)
    exps = [(val - max_val).exp() for val in logits]
    total = sum(exps)
    return [e / total for e in exps]


def written_rmsnorm(x):
    ms = sum(xi * xi for xi in x) / len(x)
    scale = (ms + 1e-5) ** -0.5
    return [xi * scale for xi in x]


PIECES = [(check_linear, linear, written_linear), (check_softmax, softmax, written_softmax),
          (check_rmsnorm, rmsnorm, written_rmsnorm)]


@pytest.mark.parametrize('check, finished, written', PIECES)
def test_a_written_piece_passes_and_is_the_learners_own(check, finished, written, capsys):
    assert check(finished) is finished and check(written) is written
    assert capsys.readouterr().out.count('OK: your') == 2


@pytest.mark.parametrize('check, finished, written', PIECES)
def test_an_unwritten_piece_is_unanswered_and_the_chapter_goes_on_with_microgpt_libs(check, finished, written,
                                                                                     capsys):
    standing_in = check(unwritten)
    out = capsys.readouterr().out
    assert 'is not written yet' in out and f"goes on with microgpt_lib's {finished.__name__}" in out
    args = ([Value(1.0), Value(2.0)], [[Value(0.5), Value(-1.0)]]) if finished is linear else ([Value(1.0), Value(2.0)],)
    assert [v.data for v in standing_in(*args)] == [v.data for v in finished(*args)]


def transposed(x, w):
    return [sum(w[j][i] * x[j] for j in range(len(w))) for i in range(len(w[0]))]


def floats_only(x, w):
    return [Value(sum(wi.data * xi.data for wi, xi in zip(row, x))) for row in w]


def without_max(logits):
    exps = [v.exp() for v in logits]
    total = sum(exps)
    return [e / total for e in exps]


def rms_with(scale, mean=True):
    def rms(x):
        ms = sum(xi * xi for xi in x) / (len(x) if mean else 1)
        return [xi * scale(ms) for xi in x]
    return rms


@pytest.mark.parametrize('check, mistake, says', [
    (check_linear, transposed, 'that is W transposed times x'),
    (check_linear, lambda x, w: [sum(a * b for a, b in zip(col, x)) for col in zip(*w)], 'W transposed'),
    (check_linear, floats_only, 'the right numbers but the wrong gradients'),
    (check_linear, lambda x, w: [r.data for r in linear(x, w)], 'not plain numbers'),
    (check_linear, lambda x, w: linear(x, w[:1]) * len(w), 'its own row of W'),
    (check_softmax, without_max, 'raised OverflowError: math range error: subtract the largest logit before exp'),
    (check_softmax, lambda logits: [(v - max(l.data for l in logits)).exp() for v in logits],
     'divide each exp by the total'),
    (check_softmax, lambda logits: [v * 2 for v in logits], 'softmax([2.0, 1.0, 0.1]) gave [4.0, 2.0, 0.2], '
                                                          'expected [0.659001, 0.242433, 0.0985659]'),
    (check_rmsnorm, rms_with(lambda ms: ms ** -0.5), 'add the 1e-5 inside the root'),
    (check_rmsnorm, rms_with(lambda ms: (ms + 1e-5) ** -1), 'divides by the mean square itself'),
    (check_rmsnorm, rms_with(lambda ms: (ms + 1e-5) ** 0.5), 'the power is -0.5'),
    (check_rmsnorm, rms_with(lambda ms: ms + 1e-5), 'not by the mean square'),
    (check_rmsnorm, rms_with(lambda ms: (ms + 1e-5) ** -0.5, mean=False), 'divide their sum by len(x)'),
])
def test_a_typical_mistake_fails_with_a_message_that_names_it(check, mistake, says, capsys):
    standing_in = check(mistake)
    out = capsys.readouterr().out
    assert says in out and out.startswith('Not yet:') and standing_in is not mistake


def test_a_zero_vector_that_divides_by_zero_is_named_too(capsys):
    def divides_by_zero(x):
        return [xi * 0.0 ** -0.5 for xi in x] if not any(v.data for v in x) else written_rmsnorm(x)
    check_rmsnorm(divides_by_zero)
    assert 'so that an all-zero vector does not divide by 0' in capsys.readouterr().out
