"""Chapter 04's exercise checks: accept the worked solutions, explain the typical mistakes."""
import numpy as np
import pytest

from microgpt_lib import softmax
from microgpt_lib.engine import Value
from microgpt_lib.exercises.ch04 import (check_attention_weights, check_head_output,
                                         check_num_attention_logits)

SCALE = (2 ** 0.5) ** -1
WEIGHTS = softmax([2 * SCALE, 0 * SCALE, 2 * SCALE])       # the worked solution of exercise 1


def mix(weights, vectors):
    return [sum(a * v[j] for a, v in zip(weights, vectors)) for j in range(2)]


@pytest.mark.parametrize('check', [check_attention_weights, check_head_output, check_num_attention_logits])
def test_the_placeholder_gets_a_hint_not_an_error(check, capsys):
    assert not check(...)
    assert 'Replace the ...' in capsys.readouterr().out


def test_attention_weights_accept_the_solution_as_floats_or_numpy(capsys):
    assert check_attention_weights(WEIGHTS)
    assert check_attention_weights(np.array(WEIGHTS))
    assert check_attention_weights([np.float32(w) for w in WEIGHTS])
    assert capsys.readouterr().out.count('Correct') == 3


def test_rounded_answers_are_told_to_give_more_digits(capsys):
    assert not check_attention_weights([0.4458, 0.1084, 0.4458])
    assert not check_head_output([1.7832, 1.4458])
    assert capsys.readouterr().out.count('rounded too far') == 2


@pytest.mark.parametrize('answer, hint', [
    (softmax([2.0, 0.0, 2.0]), 'forgot the scale'),
    (softmax([1.0, 0.0, 1.0]), 'divided by head_dim = 2'),
    ([2 * SCALE, 0.0, 2 * SCALE], 'the scaled logits'),
    ([2.0, 0.0, 2.0], 'raw dot products'),
    ([0.3, 0.3, 0.4], 'sum to 1'),
    ([1.0, 1.0, 1.0], 'take the softmax'),
    ([0.5, 0.5], '3 numbers'),
    ('0.4458', 'a list of 3 numbers'),
    ([10 ** 400, 0, 0], 'too large for a float'),
    (np.ones((3, 1)), 'a list of 3 numbers'),
    ([0.4683, 0.0634, 0.4683], 'forgot the scale'),
])
def test_attention_weights_explains_typical_mistakes(answer, hint, capsys):
    assert not check_attention_weights(answer)
    assert hint in capsys.readouterr().out


def test_answers_may_be_values_as_attend_returns_them(capsys):
    assert check_attention_weights([Value(a) for a in WEIGHTS])
    assert check_head_output([Value(o) for o in mix(WEIGHTS, [[1, 0], [0, 1], [3, 3]])])
    assert capsys.readouterr().out.count('Correct') == 2
    assert not check_attention_weights([Value(2.0), Value(0.0), Value(2.0)])
    assert 'raw dot products' in capsys.readouterr().out


def test_head_output_accepts_the_solution(capsys):
    assert check_head_output(mix(WEIGHTS, [[1, 0], [0, 1], [3, 3]]))
    assert check_head_output(np.array(mix(WEIGHTS, [[1, 0], [0, 1], [3, 3]])))
    assert capsys.readouterr().out.count('Correct') == 2


@pytest.mark.parametrize('answer, hint', [
    (mix([1 / 3] * 3, [[1, 0], [0, 1], [3, 3]]), 'plain average'),
    (mix([2.0, 0.0, 2.0], [[1, 0], [0, 1], [3, 3]]), 'raw dot products'),
    (mix(WEIGHTS, [[1, 0], [0, 1], [1, 1]]), 'you mixed the keys'),
    (mix(softmax([2.0, 0.0, 2.0]), [[1, 0], [0, 1], [3, 3]]), 'the weights are not'),
    ([1.0, 1.0], 'weights[t] * values[t][j]'),
    ([1.0, 1.0, 1.0], 'a list of 2 numbers'),
])
def test_head_output_explains_typical_mistakes(answer, hint, capsys):
    assert not check_head_output(answer)
    assert hint in capsys.readouterr().out


def test_num_attention_logits(capsys):
    assert check_num_attention_logits(4 * (1 + 2 + 3 + 4 + 5))
    assert check_num_attention_logits(np.int64(60))
    assert capsys.readouterr().out.count('Correct') == 2


@pytest.mark.parametrize('answer, hint', [
    (100, 'full grid'),
    (15, 'that is one head'),
    (84, 'only a target'),
    (40, 'also scores its own key'),
    (20, 'all the keys cached so far'),
    (61, 'holds t + 1 keys'),
    (60.0, 'whole number'),
    (True, 'whole number'),
])
def test_num_attention_logits_explains_typical_mistakes(answer, hint, capsys):
    assert not check_num_attention_logits(answer)
    assert hint in capsys.readouterr().out
