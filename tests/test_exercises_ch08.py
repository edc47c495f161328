"""Chapter 08's exercise checks accept the worked solutions and explain typical mistakes."""
import numpy as np
import pytest

from conftest import verdict
from microgpt_lib import linear_decay
from microgpt_lib.exercises.ch08 import (check_learning_rates, check_loss_means, check_num_predictions,
                                         reference_losses)



def mean(xs):
    return sum(xs) / len(xs)


@pytest.mark.parametrize('check', [check_learning_rates, check_num_predictions, check_loss_means])
def test_placeholder_gets_a_hint(check, capsys):
    ok, out = verdict(check, ..., capsys=capsys)
    assert not ok and 'Replace the ...' in out


def test_reference_losses_are_the_original_run():
    losses = reference_losses()
    assert len(losses) == 1000 and losses[0] == 3.3660 and losses[-1] == 2.6497


@pytest.mark.parametrize('check, solution', [
    (check_learning_rates, tuple(linear_decay(0.01, k, 1000) for k in (0, 500, 999))),
    (check_learning_rates, [0.01, 0.005, 0.00001]),
    (check_num_predictions, min(16, 22 - 1)),
    (check_loss_means, (mean(reference_losses()[:50]), mean(reference_losses()[-100:]))),
    (check_loss_means, (2.8515, 2.2761)),
    (check_learning_rates, np.array([0.01, 0.005, 0.00001])),
    (check_num_predictions, np.int64(16)),
    (check_loss_means, np.array([2.85145, 2.27612], dtype=np.float32)),
])
def test_solutions_are_accepted(check, solution, capsys):
    ok, out = verdict(check, solution, capsys=capsys)
    assert ok and 'Correct' in out


@pytest.mark.parametrize('check, answer, explanation', [
    (check_learning_rates, (0.00999, 0.00499, 0.0), 'not step + 1'),
    (check_learning_rates, (0.0, 0.005, 0.00999), 'grows'),
    (check_learning_rates, (0.02, 0.01, 0.0), 'full learning rate, 0.01'),
    (check_learning_rates, (0.01, 0.004, 0.0), 'straight line'),
    (check_learning_rates, 0.01, 'give three numbers'),
    (check_num_predictions, 20, 'block_size = 16'),
    (check_num_predictions, 21, 'only has 16 positions'),
    (check_num_predictions, 22, 'number of tokens'),
    (check_num_predictions, 15, '0 to 15'),
    (check_num_predictions, 16.0, 'whole number'),
    (check_num_predictions, 30, 'count the tokens'),
    (check_loss_means, (mean(reference_losses()[-100:]), mean(reference_losses()[:50])), 'swapped'),
    (check_loss_means, (mean(reference_losses()[:50]), mean(reference_losses()[-50:])), 'last 50'),
    (check_loss_means, (mean(reference_losses()[:100]), mean(reference_losses()[-100:])), 'first 100'),
    (check_loss_means, (3.0, 2.0), 'is not it'),
    (check_loss_means, 2.5, 'give two numbers'),
    (check_learning_rates, (0.01, 0.005, 0.0), 'still gets a little'),
    (check_learning_rates, (0.01, 0.00501, 0.00001), 'rounded too far'),
    (check_learning_rates, (10 ** 400, 0.005, 0.0), 'too large for a float'),
    (check_loss_means, (2.85, 2.28), 'rounded too far'),
    (check_loss_means, (3.0, 10 ** 400), 'too large for a float'),
    (check_num_predictions, 10 ** 400, 'about 10**400 is not it'),
])
def test_mistakes_are_explained(check, answer, explanation, capsys):
    ok, out = verdict(check, answer, capsys=capsys)
    assert not ok and explanation in out
