"""Chapter 06's exercise checks: accept the worked solutions, explain the typical mistakes."""
import math

import numpy as np
import pytest

from microgpt_lib import Tokenizer, Value, load_docs, softmax
from microgpt_lib import GPT, Config, document_loss, topological_order
from microgpt_lib.exercises.ch06 import (ANNA_ROWS, check_graph_nodes, check_initial_loss, check_logit_grads,
                                         check_wte_rows, graph_nodes)

PROBS = softmax([2.0, 1.0, 0.1])


@pytest.mark.parametrize('check', [check_initial_loss, check_logit_grads, check_wte_rows, check_graph_nodes])
def test_the_placeholder_gets_a_hint_not_an_error(check, capsys):
    assert not check(...)
    assert 'Replace the ...' in capsys.readouterr().out


def test_initial_loss_accepts_the_solution(capsys):
    assert check_initial_loss(math.log(100))
    assert check_initial_loss(np.float32(math.log(100)))
    assert check_initial_loss(np.log(np.full(1, 100.0))[0])
    assert capsys.readouterr().out.count('Correct') == 3


@pytest.mark.parametrize('answer, hint', [
    (0.01, 'that is the probability'),
    (-math.log(100), 'check the sign'),
    (2.0, 'not log10'),
    (math.log2(100), 'not log2'),
    (math.log(27), 'this vocabulary has 100'),
    (100, '1/p'),
    (4.0, 'the loss is -log p'),
    ('4.6', 'give one number'),
    (4.6052, 'rounded too far'),
    (10 ** 400, 'too large for a float'),
    (float('nan'), 'too large for a float'),
    (2.00001, 'not log10'),
])
def test_initial_loss_explains_typical_mistakes(answer, hint, capsys):
    assert not check_initial_loss(answer)
    assert hint in capsys.readouterr().out


def test_logit_grads_accepts_the_solution_and_what_backward_computes(capsys):
    assert check_logit_grads([p - (1 if i == 0 else 0) for i, p in enumerate(PROBS)])
    logits = [Value(2.0), Value(1.0), Value(0.1)]
    (-softmax(logits)[0].log()).backward()
    assert check_logit_grads([z.grad for z in logits])
    assert check_logit_grads(np.array([z.grad for z in logits]))
    assert capsys.readouterr().out.count('Correct') == 3
    assert not check_logit_grads([-0.3410, 0.2424, 0.0986])
    assert 'rounded too far' in capsys.readouterr().out


@pytest.mark.parametrize('answer, hint', [
    (PROBS, 'those are the probabilities'),
    ([(1 if i == 0 else 0) - p for i, p in enumerate(PROBS)], 'signs are flipped'),
    ([-1 / PROBS[0], 0.0, 0.0], 'with respect to the probability'),
    ([PROBS[0] - 1, 0.0, 0.0], 'the other logits get a gradient too'),
    ([0.1, 0.2, 0.3], 'p - onehot'),
    ([0.1, 0.2], 'a list of 3 numbers'),
    (0.5, 'a list of 3 numbers'),
    ([10 ** 400, 0, 0], 'too large for a float'),
])
def test_logit_grads_explains_typical_mistakes(answer, hint, capsys):
    assert not check_logit_grads(answer)
    assert hint in capsys.readouterr().out


def test_wte_rows_accepts_the_solution(capsys):
    tokenizer = Tokenizer.from_docs(load_docs())
    assert set(tokenizer.document('anna')[:-1]) == ANNA_ROWS
    assert check_wte_rows(set(tokenizer.document('anna')[:-1]))
    assert check_wte_rows([26, 0, 13, 13, 0])
    assert check_wte_rows(np.array([26, 0, 13, 13, 0]))
    assert check_wte_rows({np.int64(0), np.int64(13), np.int64(26)})
    assert capsys.readouterr().out.count('Correct') == 4


@pytest.mark.parametrize('answer, hint', [
    ({0, 13}, 'reads BOS too'),
    (set(range(27)), 'only the rows that are looked up'),
    ({0, 1, 2, 3, 4}, 'rows of wpe'),
    ({1, 14, 27}, 'count from 0'),
    ({'a', 'n'}, 'not characters'),
    ({0, 13, 25}, 'write out the input tokens'),
    (13, 'a set of token ids'),
    ([[0], [13], [26]], 'a set of token ids'),
    ([0, 'n', 26], 'not characters'),
    ({10 ** 400}, 'write out the input tokens'),
])
def test_wte_rows_explains_typical_mistakes(answer, hint, capsys):
    assert not check_wte_rows(answer)
    assert hint in capsys.readouterr().out


def test_the_graph_size_is_measured_on_the_chapters_model():
    """Exercise 4's answer, counted on microgpt's own first-step model: the graph's shape ignores the weights."""
    import random
    docs = load_docs()
    rng = random.Random(42)
    rng.shuffle(docs)
    tokenizer = Tokenizer.from_docs(docs)
    model = GPT.initialise(Config(tokenizer.vocab_size), rng)
    count = len(topological_order(document_loss(model, tokenizer.document('christopher'))))
    assert count == graph_nodes('christopher') > graph_nodes('yuheng')


@pytest.mark.parametrize('answer, ok, explanation', [
    (lambda: graph_nodes('christopher'), True, 'Correct'),
    (lambda: np.int64(graph_nodes('christopher')), True, 'Correct'),
    (lambda: graph_nodes('yuheng'), False, "the count for 'yuheng'"),
    (lambda: 12, False, 'number of positions'),
    (lambda: 11, False, 'number of letters'),
    (lambda: 99000, False, 'is not it'),
    (lambda: 99029.5, False, 'whole number'),
])
def test_the_graph_size_check(answer, ok, explanation, capsys):
    assert bool(check_graph_nodes(answer())) == ok
    assert explanation in capsys.readouterr().out
