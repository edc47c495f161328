"""Chapter 12's exercise checks: accept the counts and the measured losses, name the usual mistakes."""
import numpy as np
import pytest

from microgpt_lib.exercises.ch12 import (check_batch_learning_rate, check_layernorm_params, check_tied_params,
                                         expected_batch_losses)


@pytest.mark.parametrize('check, answer', [(check_tied_params, 3760), (check_tied_params, np.int64(3760)),
                                           (check_layernorm_params, 4432)])
def test_the_counts_pass(check, answer, capsys):
    assert check(answer)
    assert 'Correct!' in capsys.readouterr().out


@pytest.mark.parametrize('check, answer, hint', [
    (check_tied_params, 4192, 'untied'),
    (check_tied_params, 3328, 'one matrix, not two'),
    (check_tied_params, 432, 'the matrix that goes'),
    (check_tied_params, 4000, 'lm_head is 27 x 16'),
    (check_layernorm_params, 4336, 'a gain and a shift'),
    (check_layernorm_params, 4288, 'a bias per output'),
    (check_layernorm_params, 4384, 'a gain *and* a shift'),
    (check_layernorm_params, 4459, 'no bias'),
    (check_layernorm_params, 5000, 'count a bias'),
    (check_layernorm_params, ..., 'Replace the ...'),
])
def test_the_usual_mistakes_are_named(check, answer, hint, capsys):
    assert not check(answer)
    assert hint in capsys.readouterr().out


def test_the_batch_losses_pass_swapped_ones_are_named_and_the_larger_step_helps(capsys):
    at_001, at_002 = expected_batch_losses()
    assert 2.3 < at_002 < at_001 < 2.45
    assert check_batch_learning_rate((at_001, at_002))
    assert 'doubling it helps' in capsys.readouterr().out
    assert not check_batch_learning_rate((at_002, at_001))
    assert 'swapped' in capsys.readouterr().out
    assert not check_batch_learning_rate((round(at_001, 2), round(at_002, 2)))
    assert 'rounded too far' in capsys.readouterr().out
