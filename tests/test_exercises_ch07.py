"""Chapter 07's exercise checks accept the worked solutions and explain typical mistakes."""
import numpy as np
import pytest

from conftest import verdict
from microgpt_lib.exercises.ch07 import (check_adam_first_step, check_adam_without_momentum, check_bias_corrected_mean,
                                         check_uncorrected_ratio, heldout_loss_after_training)

@pytest.mark.parametrize('check', [check_bias_corrected_mean, check_adam_first_step, check_uncorrected_ratio,
                                   check_adam_without_momentum])
def test_placeholder_gets_a_hint(check, capsys):
    ok, out = verdict(check, ..., capsys=capsys)
    assert not ok and 'Replace the ...' in out


@pytest.mark.parametrize('check, solution', [
    (check_bias_corrected_mean, (0.85 * 0 + (1 - 0.85) * 0.4, (1 - 0.85) * 0.4 / (1 - 0.85 ** 1))),
    (check_bias_corrected_mean, [0.06, 0.4]),
    (check_adam_first_step, 1.0 - 0.01 * -3.0 / ((9.0) ** 0.5 + 1e-8)),
    (check_adam_first_step, 1.01),
    (check_uncorrected_ratio, (1 - 0.85) / (1 - 0.99) ** 0.5),
    (check_uncorrected_ratio, 1.5),
    (check_bias_corrected_mean, np.array([0.06, 0.4])),
    (check_adam_first_step, np.float32(1.01)),
    (check_uncorrected_ratio, np.array(1.5)),
    (check_uncorrected_ratio, np.float64(0.15) / np.sqrt(0.01)),
])
def test_solutions_are_accepted(check, solution, capsys):
    ok, out = verdict(check, solution, capsys=capsys)
    assert ok and 'Correct' in out


@pytest.mark.parametrize('check, answer, explanation', [
    (check_bias_corrected_mean, (0.4, 0.4), 'm is not g itself'),
    (check_bias_corrected_mean, (0.34, 0.4), 'weighted by 1 - beta1'),
    (check_bias_corrected_mean, (0.06, 0.06), 'so m_hat is not m'),
    (check_bias_corrected_mean, (0.06, 0.06 / 0.85), 'not by beta1'),
    (check_bias_corrected_mean, (0.06, 0.5), 'm_hat = 0.5 is not it'),
    (check_bias_corrected_mean, 0.06, 'give two numbers'),
    (check_adam_first_step, 1.03, 'plain SGD'),
    (check_adam_first_step, 0.99, 'against the gradient'),
    (check_adam_first_step, 0.97, 'wrong sign'),
    (check_adam_first_step, 1.015, 'without the bias correction'),
    (check_adam_first_step, 2.0, 'lr * g / (|g| + eps)'),
    (check_adam_first_step, 'up', 'give one number'),
    (check_uncorrected_ratio, 0.15, "only for m's bias"),
    (check_uncorrected_ratio, 1 / 1.5, 'the inverse'),
    (check_uncorrected_ratio, 15.0, 'square root of v'),
    (check_uncorrected_ratio, 1, 'do not cancel'),
    (check_uncorrected_ratio, 3.0, 'compare m / sqrt(v)'),
    (check_adam_first_step, 10 ** 400, 'too large for a float'),
    (check_uncorrected_ratio, 10 ** 400, 'too large for a float'),
    (check_uncorrected_ratio, -10 ** 400, 'too large for a float'),
    (check_bias_corrected_mean, (10 ** 400, 0.4), 'too large for a float'),
    (check_uncorrected_ratio, 1.499, 'rounded too far'),
    (check_adam_first_step, 1.00999, 'rounded too far'),
    (check_bias_corrected_mean, (0.06, 0.399), 'm_hat: close: you rounded too far'),
    (check_adam_first_step, '1.01', 'give one number'),
])
def test_mistakes_are_explained(check, answer, explanation, capsys):
    ok, out = verdict(check, answer, capsys=capsys)
    assert not ok and explanation in out


def test_the_experiment_is_measured_not_remembered():
    """Exercise 4's answer is the run's own held-out loss: without momentum, a little worse than with it."""
    without, default = heldout_loss_after_training(0.0), heldout_loss_after_training(0.85)
    assert 2.3 < default < without < 2.4


@pytest.mark.parametrize('answer, ok, explanation', [
    (lambda: heldout_loss_after_training(0.0), True, 'momentum hardly matters'),
    (lambda: np.float64(heldout_loss_after_training(0.0)), True, 'Correct'),
    (lambda: round(heldout_loss_after_training(0.0), 3), False, 'rounded too far'),
    (lambda: heldout_loss_after_training(0.85), False, "default run's loss"),
    (lambda: 2.0, False, 'train with train_fast'),
    (lambda: 'low', False, 'give one number'),
])
def test_the_experiment_check(answer, ok, explanation, capsys):
    got, out = verdict(check_adam_without_momentum, answer(), capsys=capsys)
    assert bool(got) == ok and explanation in out
