"""Chapter 05's exercise checks: accept the worked solutions, explain the typical mistakes."""
import math
import random

import numpy as np
import pytest

from microgpt_lib import GPT, Config, mean_loss, softmax
from microgpt_lib.arrays import ArrayGPT
from microgpt_lib.exercises.ch05 import (CONFIGS, DEPTHS, check_depth_losses, check_num_params,
                                         held_out_names, num_params, untrained_loss)
from microgpt_lib.model import weight_shapes


def test_the_reference_count_agrees_with_the_model():
    for vocab_size, n_embd, n_layer, block_size in CONFIGS:
        config = Config(vocab_size, n_layer, n_embd, 1, block_size)
        expected = sum(rows * columns for _, rows, columns in weight_shapes(config))
        assert num_params(vocab_size, n_embd, n_layer, block_size) == expected


def test_the_placeholder_gets_a_hint_not_an_error(capsys):
    assert not check_num_params(...)
    assert not check_num_params(lambda *args: ...)       # the function as committed: `return ...`
    assert not check_depth_losses(...)
    assert capsys.readouterr().out.count('Replace the ...') == 3


def test_num_params_accepts_the_solution(capsys):
    def solution(vocab_size, n_embd, n_layer, block_size):
        return 2 * vocab_size * n_embd + block_size * n_embd + n_layer * 12 * n_embd ** 2
    assert check_num_params(solution)
    assert '4,192' in capsys.readouterr().out


def test_num_params_accepts_numpy_integers_and_integer_valued_floats(capsys):
    assert check_num_params(lambda V, d, L, B: np.int64(2 * V * d + B * d + L * 12 * d ** 2))
    assert check_num_params(lambda V, d, L, B: 2.0 * V * d + B * d + L * 12 * d ** 2)     # 4192.0 is a count too
    assert capsys.readouterr().out.count('Correct') == 2


@pytest.mark.parametrize('formula, hint', [
    (lambda V, d, L, B: 2 * V * d + L * 12 * d ** 2, 'left out wpe'),
    (lambda V, d, L, B: V * d + B * d + L * 12 * d ** 2, 'wte (in) and lm_head (out)'),
    (lambda V, d, L, B: 2 * V * d + B * d + L * 6 * d ** 2, '4 times wider'),
    (lambda V, d, L, B: 2 * V * d + B * d + L * 8 * d ** 2, 'both MLP matrices'),
    (lambda V, d, L, B: 2 * V * d + B * d + L * 11 * d ** 2, 'four n_embd x n_embd'),
    (lambda V, d, L, B: 2 * V * d + B * d + 12 * d ** 2, 'multiply their count by n_layer'),
    (lambda V, d, L, B: L * (2 * V * d + B * d + 12 * d ** 2), 'only the layers repeat'),
    (lambda V, d, L, B: 4192, 'should be'),
    (lambda V, d, L, B: 4192.5, 'whole number'),
    (lambda V, d, L, B: V / 0, 'ZeroDivisionError'),
    (lambda V, d, L, B: 10 ** 400, 'gives an integer of about 10**400'),
    (4192, 'the function itself'),
])
def test_num_params_explains_typical_mistakes(formula, hint, capsys):
    assert not check_num_params(formula)
    assert hint in capsys.readouterr().out


def test_deeper_untrained_models_are_measured_like_the_chapter_measures_one():
    names, vocab_size = held_out_names()
    assert len(names) == 500 and vocab_size == 27
    model = GPT.initialise(Config(vocab_size), random.Random(42)).frozen()
    scalar = mean_loss(lambda tokens: document_loss_on_floats(model, tokens), names)
    assert untrained_loss(names, vocab_size, 1) == pytest.approx(scalar, rel=1e-12)
    assert scalar == pytest.approx(3.3805, abs=1e-4)          # the chapter's printed loss


def document_loss_on_floats(model, tokens):
    n = min(model.config.block_size, len(tokens) - 1)
    keys, values = model.new_cache()
    return sum(-math.log(softmax(model(tokens[pos], pos, keys, values))[tokens[pos + 1]])
               for pos in range(n)) / n


def test_depth_losses_accept_the_solution(capsys):
    names, vocab_size = held_out_names()
    answer = []
    for n_layer in DEPTHS:
        net = ArrayGPT.initialise(Config(vocab_size, n_layer=n_layer), random.Random(42))
        answer.append(mean_loss(net.loss, names))
    assert check_depth_losses(answer)
    assert check_depth_losses(np.array(answer))
    assert capsys.readouterr().out.count('between 3.363 and 3.380') == 2


@pytest.mark.parametrize('answer, hint', [
    ([3.380483344554884] * 4, "one-layer model's loss"),
    ([3.3805, 3.3738, 3.3772, 3.363], 'rounded too far'),
    ([3.2958] * 4, 'on the 500 held-out names'),
    ([3.38, 3.37, 3.38], 'a list of 4 losses'),
    (3.38, 'a list of 4 losses'),
    (['3.38'] * 4, 'a list of 4 losses'),
])
def test_depth_losses_explain_typical_mistakes(answer, hint, capsys):
    assert not check_depth_losses(answer)
    assert hint in capsys.readouterr().out


def test_depth_losses_name_a_generator_shared_by_all_four_models(capsys):
    names, vocab_size = held_out_names()
    shared = random.Random(42)
    assert not check_depth_losses([untrained_loss(names, vocab_size, n_layer, shared) for n_layer in DEPTHS])
    assert 'fresh random.Random(42)' in capsys.readouterr().out


# The pieces: mlp_block, then gpt

from microgpt_lib.exercises import ch05
from microgpt_lib.exercises.ch05 import GPT_MISTAKES, MLP_MISTAKES, check_gpt, check_mlp_block


@pytest.mark.parametrize('check, finished', [(check_mlp_block, ch05.mlp_block), (check_gpt, ch05.gpt)])
def test_a_finished_piece_is_returned_and_an_unwritten_one_is_unanswered(check, finished, capsys):
    assert check(finished) is finished
    assert 'OK: your' in capsys.readouterr().out
    assert check(lambda *args: exec('raise NotImplementedError')) is not finished
    assert 'not written yet' in capsys.readouterr().out


def test_the_stand_in_for_gpt_is_microgpt_lib_s_forward_pass(capsys):
    stand_in = check_gpt(...)
    model = GPT.initialise(Config(27), random.Random(42))
    assert ([l.data for l in stand_in(model.weights, 26, 0, [[]], [[]])]
            == [l.data for l in model(26, 0, *model.new_cache())])


@pytest.mark.parametrize('mistaken, hint', MLP_MISTAKES, ids=[h[:30] for _, h in MLP_MISTAKES])
def test_mlp_block_names_each_typical_mistake(mistaken, hint, capsys):
    assert check_mlp_block(mistaken) is not mistaken
    assert hint in capsys.readouterr().out


@pytest.mark.parametrize('mistaken, hint', GPT_MISTAKES, ids=[h[:30] for _, h in GPT_MISTAKES])
def test_gpt_names_each_typical_mistake(mistaken, hint, capsys):
    assert check_gpt(mistaken) is not mistaken
    assert hint in capsys.readouterr().out
