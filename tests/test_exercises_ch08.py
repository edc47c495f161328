"""Chapter 08's exercise checks accept the worked solutions and explain typical mistakes; its piece, one
training step, passes when finished and stands in for microgpt_lib's when unwritten or mistaken."""
import numpy as np
import pytest

from conftest import verdict
from microgpt_lib import Adam, document_loss, linear_decay, train_step
from microgpt_lib.exercises import is_unanswered
from microgpt_lib.exercises.ch08 import (check_learning_rates, check_longer_training, check_loss_means,
                                         check_train_step, held_out_loss, reference_losses, small_model)



def mean(xs):
    return sum(xs) / len(xs)


@pytest.mark.parametrize('check', [check_learning_rates, check_longer_training, check_loss_means])
def test_placeholder_gets_a_hint(check, capsys):
    ok, out = verdict(check, ..., capsys=capsys)
    assert not ok and 'Replace the ...' in out


def test_reference_losses_are_the_original_run():
    losses = reference_losses()
    assert len(losses) == 1000 and losses[0] == 3.3660 and losses[-1] == 2.6497


@pytest.mark.parametrize('check, solution', [
    (check_learning_rates, tuple(linear_decay(0.01, k, 1000) for k in (0, 500, 999))),
    (check_learning_rates, [0.01, 0.005, 0.00001]),
    (check_loss_means, (mean(reference_losses()[:50]), mean(reference_losses()[-100:]))),
    (check_loss_means, (2.8515, 2.2761)),
    (check_learning_rates, np.array([0.01, 0.005, 0.00001])),
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
])
def test_mistakes_are_explained(check, answer, explanation, capsys):
    ok, out = verdict(check, answer, capsys=capsys)
    assert not ok and explanation in out


# Exercise 2, the longer-training experiment


def test_held_out_loss_after_1000_steps_is_the_trained_models():
    from microgpt_lib import Tokenizer, load_checkpoint, load_docs
    from microgpt_lib.arrays import ArrayGPT
    from microgpt_lib.baseline import mean_loss, split_docs
    from microgpt_lib.data import DATA_DIR
    model, tokenizer, _, _ = load_checkpoint(DATA_DIR / 'microgpt_seed42.json')
    held_out = [tokenizer.document(doc) for doc in split_docs(load_docs())[1]]
    assert abs(held_out_loss(1000) - mean_loss(ArrayGPT.from_gpt(model).loss, held_out)) < 1e-9


def test_longer_training(capsys):
    with_all, without = held_out_loss(10_000), held_out_loss(10_000, ('attention',))
    assert with_all < held_out_loss(1000) and without > with_all
    ok, out = verdict(check_longer_training, (with_all, without), capsys=capsys)
    assert ok and 'attention buys' in out
    ok, out = verdict(check_longer_training, (round(with_all, 3), round(without, 3)), capsys=capsys)
    assert not ok and 'rounded too far' in out


@pytest.mark.parametrize('wrong, explanation', [
    (lambda: (held_out_loss(10_000, ('attention',)), held_out_loss(10_000)), 'swapped'),
    (lambda: (held_out_loss(1000), held_out_loss(1000, ('attention',))), 'after 1000 steps'),
    (lambda: (3.0, 3.1), 'is not it'),
    (lambda: 2.25, 'two numbers'),
    (lambda: ..., 'Replace the ...'),
])
def test_longer_training_explains_mistakes(wrong, explanation, capsys):
    ok, out = verdict(check_longer_training, wrong(), capsys=capsys)
    assert not ok and explanation in out


# The piece: one training step


def unwritten_step(model, optimizer, tokens, lr):
    # YOUR CODE HERE
    raise NotImplementedError()


def update_before_backward(model, optimizer, tokens, lr):
    loss = document_loss(model, tokens)
    optimizer.step(lr)
    loss.backward()
    return loss.data


def no_backward(model, optimizer, tokens, lr):
    loss = document_loss(model, tokens)
    optimizer.step(lr)
    return loss.data


def sgd_without_zeroing(model, optimizer, tokens, lr):
    loss = document_loss(model, tokens)
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss.data


def fixed_rate(model, optimizer, tokens, lr):
    loss = document_loss(model, tokens)
    loss.backward()
    optimizer.step(0.01)
    return loss.data


def returns_the_value(model, optimizer, tokens, lr):
    loss = document_loss(model, tokens)
    loss.backward()
    optimizer.step(lr)
    return loss


def test_the_finished_train_step_passes_and_is_kept(capsys):
    assert check_train_step(train_step) is train_step
    assert capsys.readouterr().out.startswith("OK: your train_step matches")


@pytest.mark.parametrize('mistake, explanation', [
    (update_before_backward, 'optimizer.step(lr) ran before loss.backward()'),
    (no_backward, 'call loss.backward() before it'),
    (sgd_without_zeroing, 'they pile up across steps'),
    (fixed_rate, 'at the lr passed in'),
    (returns_the_value, 'return loss.data, a float'),
    (lambda model, optimizer, tokens, lr: 1 / 0, 'raised ZeroDivisionError'),
])
def test_a_mistaken_train_step_is_named_and_the_chapter_goes_on_with_microgpt_libs(mistake, explanation, capsys):
    standing_in = check_train_step(mistake)
    out = capsys.readouterr().out
    assert explanation in out and out.endswith("The chapter goes on with microgpt_lib's train_step.\n")
    assert not is_unanswered(out) and standing_in is not mistake
    assert_works_like_microgpt_libs(standing_in)


def test_an_unwritten_train_step_is_unanswered_and_the_stand_in_works(capsys):
    standing_in = check_train_step(unwritten_step)
    out = capsys.readouterr().out
    assert is_unanswered(out) and "goes on with microgpt_lib's train_step" in out
    assert_works_like_microgpt_libs(standing_in)


def assert_works_like_microgpt_libs(step):
    start = small_model()
    ours, theirs = start.thawed(), start.thawed()
    ours_adam, their_adam = Adam(ours.parameters()), Adam(theirs.parameters())
    tokens = [4, 1, 2, 4]
    assert step(ours, ours_adam, tokens, 0.01) == train_step(theirs, their_adam, tokens, 0.01)
    assert ours.frozen().weights == theirs.frozen().weights
