"""Chapter 06's exercise checks: accept the worked solutions, explain the typical mistakes."""
import math
import random

import numpy as np
import pytest

from microgpt_lib import Tokenizer, Value, load_docs, softmax
from microgpt_lib import GPT, Config, document_loss, topological_order
from microgpt_lib.exercises.ch06 import (ANNA_ROWS, check_document_loss, check_graph_nodes, check_initial_loss,
                                         check_logit_grads, check_wte_rows, graph_nodes)
from test_exercises_ch03 import wrap_every_number

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


@pytest.mark.parametrize('on_paper', [[-0.341, 0.242, 0.0986], [-0.341, 0.242, 0.099], (-0.3410, 0.2424, 0.0986)])
def test_logit_grads_accepts_a_careful_hand_computation_to_3_significant_digits(on_paper, capsys):
    assert check_logit_grads(on_paper)
    assert 'Correct to 3 significant digits' in capsys.readouterr().out


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
    docs = load_docs()
    rng = random.Random(42)
    rng.shuffle(docs)
    tokenizer = Tokenizer.from_docs(docs)
    model = GPT.initialise(Config(tokenizer.vocab_size), rng)
    count = len(topological_order(document_loss(model, tokenizer.document('christopher'))))
    assert (count, graph_nodes('yuheng')) == (graph_nodes('christopher')[0], (57706, 59647))


def test_the_graph_sizes_on_the_original_engine_are_what_an_engine_wrapping_every_number_counts(monkeypatch):
    expected = {name: graph_nodes(name)[1] for name in ('yuheng', 'christopher')}
    assert expected['yuheng'] == 59647          # the original's first step, as issue 17 measured it
    wrap_every_number(monkeypatch)
    tokenizer = Tokenizer.from_docs(['abcdefghijklmnopqrstuvwxyz'])
    model = GPT.initialise(Config(tokenizer.vocab_size), random.Random(0))
    for name, count in expected.items():
        assert len(topological_order(document_loss(model, tokenizer.document(name)))) == count


@pytest.mark.parametrize('answer, ok, explanation', [
    (lambda: graph_nodes('christopher')[0], True, "Correct, on the course's engine: 99,029. The original's makes 102,715"),
    (lambda: np.int64(graph_nodes('christopher')[0]), True, "on the course's engine"),
    (lambda: float(graph_nodes('christopher')[0]), True, "on the course's engine"),
    (lambda: graph_nodes('christopher')[1], True, "Correct, on the original's engine: 102,715, because its Value wraps"),
    (lambda: graph_nodes('yuheng')[0], False, "the count for 'yuheng'"),
    (lambda: graph_nodes('yuheng')[1], False, "the count for 'yuheng'"),
    (lambda: 12, False, 'number of positions'),
    (lambda: 11, False, 'number of letters'),
    (lambda: 99000, False, 'is not it'),
    (lambda: 99029.5, False, 'whole number'),
])
def test_the_graph_size_check(answer, ok, explanation, capsys):
    assert bool(check_graph_nodes(answer())) == ok
    assert explanation in capsys.readouterr().out


# The piece: the mean cross-entropy of a document.

def a_document_loss(target=1, mean=True, sign=-1, cut=True, fresh_cache=False):
    """The worked document_loss, or one with a typical mistake."""
    def document_loss(model, tokens):
        n = min(model.config.block_size, len(tokens) - 1) if cut else len(tokens) - 1
        keys, values = model.new_cache()
        losses = []
        for pos_id in range(n):
            if fresh_cache:
                keys, values = model.new_cache()
            probs = softmax(model(tokens[pos_id], pos_id, keys, values))
            losses.append(sign * probs[tokens[pos_id + target]].log())
        return (1 / n) * sum(losses) if mean else sum(losses)
    return document_loss


def test_the_finished_and_the_worked_document_loss_pass_and_are_the_learners_own(capsys):
    worked = a_document_loss()
    assert check_document_loss(document_loss) is document_loss and check_document_loss(worked) is worked
    assert capsys.readouterr().out.count('OK: your document_loss matches') == 2


def test_an_unwritten_document_loss_is_unanswered_and_the_chapter_goes_on_with_microgpt_libs(capsys):
    def unwritten(model, tokens):
        raise NotImplementedError()
    standing_in = check_document_loss(unwritten)
    out = capsys.readouterr().out
    assert 'is not written yet' in out and "goes on with microgpt_lib's document_loss" in out
    tokenizer = Tokenizer.from_docs(['a', 'b'])
    model = GPT.initialise(Config(3, n_layer=1, n_embd=2, n_head=1, block_size=2), random.Random(0))
    assert standing_in(model, tokenizer.document('a')).data == document_loss(model, tokenizer.document('a')).data


@pytest.mark.parametrize('mistake, says', [
    (a_document_loss(mean=False), 'you summed the positions\' losses; the document\'s loss is their mean'),
    (a_document_loss(target=0), 'the log-probability of the token the model reads, tokens[pos_id]'),
    (a_document_loss(sign=1), 'check the sign'),
    (a_document_loss(cut=False), 'raised ValueError: position 4 is out of range: this model sees positions 0 to 3: '
                                 'the model reads at most block_size positions'),
    (a_document_loss(fresh_cache=True), 'one KV cache for the whole document'),
    (lambda model, tokens: (1 / len(tokens)) * sum(a_document_loss(mean=False)(model, tokens) for _ in [0]),
     'not by len(tokens)'),
    (lambda model, tokens: a_document_loss()(model, tokens).data, 'should return one Value'),
    (lambda model, tokens: Value(a_document_loss()(model, tokens).data), 'the right loss but the wrong gradients'),
])
def test_a_typical_mistake_in_document_loss_fails_with_a_message_that_names_it(mistake, says, capsys):
    assert check_document_loss(mistake) is not mistake
    out = capsys.readouterr().out
    assert out.startswith('Not yet:') and says in out
