"""Chapter 07's checks accept the finished pieces and the worked solutions, and explain typical mistakes."""
import numpy as np
import pytest

from conftest import verdict
from microgpt_lib import optim
from microgpt_lib.engine import Value
from microgpt_lib.exercises import LEARNERS
from microgpt_lib.exercises.ch07 import (check_adam_first_step, check_adam_update, check_adam_without_momentum,
                                         check_bias_corrected_mean, check_linear_decay, check_uncorrected_ratio,
                                         heldout_loss_after_training)


def adam_update_with(corrected=True, counted_from=1, swapped=False, zeroes=True, returns_hats=False):
    """The chapter's adam_update written with the typical mistakes asked for (the defaults: none)."""
    def adam_update(p, m, v, step, lr, beta1=0.85, beta2=0.99, eps=1e-8):
        b1, b2 = (beta2, beta1) if swapped else (beta1, beta2)
        m = b1 * m + (1 - b1) * p.grad
        v = b2 * v + (1 - b2) * p.grad ** 2
        t = step + counted_from
        m_hat, v_hat = (m / (1 - b1 ** t), v / (1 - b2 ** t)) if corrected else (m, v)
        p.data -= lr * m_hat / (v_hat ** 0.5 + eps)
        if zeroes:
            p.grad = 0
        return (m_hat, v_hat) if returns_hats else (m, v)
    return adam_update


def test_the_finished_pieces_pass_and_are_returned(capsys):
    assert check_adam_update(optim.adam_update) is optim.adam_update
    assert check_linear_decay(optim.linear_decay) is optim.linear_decay
    assert capsys.readouterr().out.count("exactly") == 2
    chapters = adam_update_with()
    assert check_adam_update(chapters) is chapters


def test_unwritten_pieces_are_unanswered_and_the_chapter_goes_on_with_working_ones(capsys):
    def adam_update(p, m, v, step, lr, beta1=0.85, beta2=0.99, eps=1e-8):
        raise NotImplementedError()

    def linear_decay(learning_rate, step, num_steps):
        raise NotImplementedError()
    update, rate = check_adam_update(adam_update), check_linear_decay(linear_decay)
    out = capsys.readouterr().out
    assert out.count("is not written yet") == 2 and "goes on with microgpt_lib's adam_update" in out
    assert getattr(update, LEARNERS) is adam_update and rate(0.01, 500, 1000) == 0.005
    p = Value(1.0)
    p.grad = -3.0
    assert update(p, 0.0, 0.0, 0, 0.01) == ((1 - 0.85) * -3.0, (1 - 0.99) * 9.0)
    assert p.data == 1.0 + 0.01 * 3.0 / (3.0 + 1e-8) and p.grad == 0


@pytest.mark.parametrize('mistake, explanation', [
    (dict(corrected=False), 'without the bias correction'),
    (dict(counted_from=0), '1 - beta1 ** step is 0 at step 0'),
    (dict(counted_from=2), 'counts one step too many'),
    (dict(swapped=True), 'beta1 and beta2 are swapped'),
    (dict(zeroes=False), 'set p.grad = 0'),
    (dict(returns_hats=True), 'not m_hat and v_hat'),
])
def test_adam_mistakes_are_named(mistake, explanation, capsys):
    standing_in = check_adam_update(adam_update_with(**mistake))
    out = capsys.readouterr().out
    assert explanation in out and out.count('\n  - ') == 1 and getattr(standing_in, LEARNERS)


def test_an_update_that_returns_no_pair_says_what_to_return(capsys):
    check_adam_update(lambda p, m, v, step, lr: None)
    assert 'return the new (m, v), two numbers' in capsys.readouterr().out


@pytest.mark.parametrize('mistake, explanation', [
    (lambda lr, k, n: lr * (1 - (k + 1) / n), "next step's rate, so it reaches 0 at the last step, one step early"),
    (lambda lr, k, n: lr * (1 - k / (n - 1)), 'reaches 0 at the last step, k = num_steps - 1, one step early'),
    (lambda lr, k, n: lr * (1 - (k - 1) / n), 'one step late'),
    (lambda lr, k, n: lr * k / n, 'rises from 0'),
    (lambda lr, k, n: lr / 2, 'linear_decay(0.01, 0, 1000) gave 0.005, expected 0.01'),
    (lambda lr, k, n: None, 'gave None'),
])
def test_decay_mistakes_are_named(mistake, explanation, capsys):
    standing_in = check_linear_decay(mistake)
    assert explanation in capsys.readouterr().out and standing_in(0.01, 999, 1000) == optim.linear_decay(0.01, 999, 1000)


def test_the_same_arithmetic_in_another_order_passes_to_rounding(capsys):
    reordered = lambda lr, k, n: lr - lr * k / n        # 9.999999999999593e-06 at step 999 of 1000
    assert check_linear_decay(reordered) is reordered
    assert "matches microgpt_lib's to rounding" in capsys.readouterr().out

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
