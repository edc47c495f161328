"""Chapter 04's exercise checks: accept the worked solutions, explain the typical mistakes."""
import random

import numpy as np
import pytest

from microgpt_lib import GPT, Config, Tokenizer, load_docs, softmax
from microgpt_lib.engine import Value
from microgpt_lib.exercises.ch04 import (ROUNDING, check_attention_weights, check_head_output,
                                         check_num_attention_logits, check_order_blindness,
                                         order_blindness)

SCALE = (2 ** 0.5) ** -1
WEIGHTS = softmax([2 * SCALE, 0 * SCALE, 2 * SCALE])       # the worked solution of exercise 1


def mix(weights, vectors):
    return [sum(a * v[j] for a, v in zip(weights, vectors)) for j in range(2)]


@pytest.mark.parametrize('check', [check_attention_weights, check_head_output, check_num_attention_logits,
                                   check_order_blindness])
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
    assert check_num_attention_logits(60.0)             # a count is its value, whatever its type
    assert capsys.readouterr().out.count('Correct') == 3


@pytest.mark.parametrize('answer, hint', [
    (100, 'full grid'),
    (15, 'that is one head'),
    (84, 'only a target'),
    (40, 'also scores its own key'),
    (20, 'all the keys cached so far'),
    (61, 'holds t + 1 keys'),
    (True, 'whole number'),
])
def test_num_attention_logits_explains_typical_mistakes(answer, hint, capsys):
    assert not check_num_attention_logits(answer)
    assert hint in capsys.readouterr().out


def test_order_blindness_is_rounding_without_wpe_and_not_with_it():
    with_wpe, without_wpe = order_blindness()
    assert with_wpe == pytest.approx(0.0086156, rel=1e-4)
    assert abs(without_wpe) <= ROUNDING


def test_order_blindness_accepts_the_notebooks_solution(capsys):
    tokenizer = Tokenizer.from_docs(load_docs())          # as the chapter builds it
    model = GPT.initialise(Config(tokenizer.vocab_size), random.Random(42))
    no_position = model.thawed()
    no_position.weights['wpe'] = [[Value(0.0) for _ in row] for row in model.weights['wpe']]

    def last_logits(net, name):
        keys, values = net.new_cache()
        for pos_id, token_id in enumerate(tokenizer.document(name)[:-1]):
            logits = net(token_id, pos_id, keys, values)
        return [l.data for l in logits]

    def largest_difference(net):
        a, b = last_logits(net, 'maria'), last_logits(net, 'amira')
        return max(abs(x - y) for x, y in zip(a, b))

    answer = (largest_difference(model), largest_difference(no_position))
    assert check_order_blindness(answer)
    assert check_order_blindness(np.array([answer[0], 0.0]))
    assert capsys.readouterr().out.count('rounding only') == 2


@pytest.mark.parametrize('answer, hint', [
    ((0.008615600436736287, 0.008615600436736287), 'still has wpe'),
    ((0.0, 0.0), 'the model as it is, with wpe'),
    ((0.008615600436736287, 1e-3), 'agree up to rounding'),
    ((0.0086, 0.0), 'rounded too far'),
    ((0.5, 0.0), 'after the last letter'),
    (0.0086, 'two numbers'),
    ((0.0086, 0.0, 0.0), 'two numbers'),
    ((0.0086, 'zero'), 'two numbers'),
])
def test_order_blindness_explains_typical_mistakes(answer, hint, capsys):
    assert not check_order_blindness(answer)
    assert hint in capsys.readouterr().out


# The pieces: attend, then multi_head_attention

from microgpt_lib.exercises import ch04
from microgpt_lib.exercises.ch04 import (HEAD_CASES, HEAD_MISTAKES, MULTI_HEAD_MISTAKES, as_values,
                                         check_attend, check_multi_head_attention)


def unwritten(*args):
    raise NotImplementedError()


def test_the_finished_pieces_pass_and_are_returned(capsys):
    assert check_attend(ch04.attend) is ch04.attend
    assert check_multi_head_attention(ch04.multi_head_attention) is ch04.multi_head_attention
    assert capsys.readouterr().out.count('OK: your') == 2


def test_an_unwritten_attend_is_unanswered_and_the_stand_in_works(capsys):
    stand_in = check_attend(unwritten)
    assert 'not written yet' in capsys.readouterr().out
    q, keys, values = (as_values(x) for x in HEAD_CASES[1])
    assert [o.data for o in stand_in(q, keys, values)[0]] == [o.data for o in ch04.attend(q, keys, values)[0]]
    assert check_multi_head_attention(unwritten) is not unwritten


@pytest.mark.parametrize('mistaken, hint', HEAD_MISTAKES, ids=[h[:30] for _, h in HEAD_MISTAKES])
def test_attend_names_each_typical_mistake(mistaken, hint, capsys):
    assert check_attend(mistaken) is not mistaken
    assert hint in capsys.readouterr().out


def test_attend_wants_values_and_their_gradients(capsys):
    def on_floats(q, keys, values):
        out, weights = ch04.attend(q, keys, values)
        return [o.data for o in out], [a.data for a in weights]
    check_attend(on_floats)
    assert 'plain numbers, not Values' in capsys.readouterr().out

    def cut_off(q, keys, values):           # the right numbers in new Values: no gradient reaches the inputs
        out, weights = ch04.attend(q, keys, values)
        return [Value(o.data) for o in out], weights
    check_attend(cut_off)
    assert 'other gradients' in capsys.readouterr().out


@pytest.mark.parametrize('mistaken, hint', MULTI_HEAD_MISTAKES, ids=[h[:30] for _, h in MULTI_HEAD_MISTAKES])
def test_multi_head_attention_names_each_typical_mistake(mistaken, hint, capsys):
    assert check_multi_head_attention(mistaken) is not mistaken
    assert hint in capsys.readouterr().out
