"""Chapter 09's exercise checks accept the worked solutions and explain typical mistakes."""
import numpy as np
import pytest

from conftest import verdict
from microgpt_lib import prefix_probs, softmax
from microgpt_lib.exercises.ch09 import (check_copies, check_end_probability, check_greedy_name,
                                         check_temperature_probs, greedy_name, names_after_training_on_few,
                                         trained_model)



@pytest.mark.parametrize('check', [check_temperature_probs, check_greedy_name, check_end_probability])
def test_placeholder_gets_a_hint(check, capsys):
    ok, out = verdict(check, ..., capsys=capsys)
    assert not ok and 'Replace the ...' in out


def test_temperature_probs(capsys):
    assert verdict(check_temperature_probs, softmax([l / 0.5 for l in [2.0, 1.0, 0.0]]), capsys=capsys)[0]
    assert verdict(check_temperature_probs, np.exp([4.0, 2.0, 0.0]) / np.exp([4.0, 2.0, 0.0]).sum(),
                   capsys=capsys)[0]
    ok, out = verdict(check_temperature_probs, [0.867, 0.117, 0.016], capsys=capsys)
    assert not ok and 'rounded too far' in out


@pytest.mark.parametrize('answer, explanation', [
    (softmax([2.0, 1.0, 0.0]), 'probabilities at T = 1'),
    (softmax([1.0, 0.5, 0.0]), 'multiplied the logits by T'),
    ([4.0, 2.0, 0.0], 'add up to 6.0000'),
    ([0.5, 0.3, 0.2], 'about 0.87'),
    ([0.9, 0.1], 'a list of 3 numbers'),
    ('abc', 'a list of 3 numbers'),
    ([10 ** 400, 0, 0], 'too large for a float'),
    ([0.6652, 0.2447, 0.0900], 'probabilities at T = 1'),
    (0.87, 'a list of 3 numbers'),
])
def test_temperature_probs_explains_mistakes(answer, explanation, capsys):
    ok, out = verdict(check_temperature_probs, answer, capsys=capsys)
    assert not ok and explanation in out


def test_greedy_name(capsys):
    expected = greedy_name(*trained_model())
    assert expected == 'anan'
    ok, out = verdict(check_greedy_name, expected, capsys=capsys)
    assert ok and "always writes 'anan'" in out


@pytest.mark.parametrize('answer, explanation', [
    ('ana', 'stops too early'),
    ('anana', 'goes on too long'),
    ('kamon', "starts with 'a'"),
    (['a', 'n'], 'as a string'),
])
def test_greedy_name_explains_mistakes(answer, explanation, capsys):
    ok, out = verdict(check_greedy_name, answer, capsys=capsys)
    assert not ok and explanation in out


def test_a_str_that_says_it_equals_anything_is_judged_on_its_characters(capsys):
    class Agreeable(str):
        def __eq__(self, other):
            return True
        __hash__ = str.__hash__
    ok, out = verdict(check_greedy_name, Agreeable('zz'), capsys=capsys)
    assert not ok and "'zz' is not the greedy name" in out
    assert verdict(check_greedy_name, Agreeable('anan'), capsys=capsys)[0]


def test_end_probability(capsys):
    model, tokenizer = trained_model()
    ok, out = verdict(check_end_probability, prefix_probs(model, tokenizer, 'emma', 1.0)[tokenizer.BOS], capsys=capsys)
    assert ok and "After 'emma'" in out
    assert verdict(check_end_probability, np.float32(prefix_probs(model, tokenizer, 'emma', 1.0)[tokenizer.BOS]),
                   capsys=capsys)[0]
    ok, out = verdict(check_end_probability, 0.166, capsys=capsys)
    assert not ok and 'rounded too far' in out


@pytest.mark.parametrize('wrong, explanation', [
    (lambda probs_t1, probs_t05, bos: probs_t05[bos], 'temperature 0.5'),
    (lambda probs_t1, probs_t05, bos: 100 * probs_t1[bos], 'percentage'),
    (lambda probs_t1, probs_t05, bos: probs_t1[0], 'another token'),
    (lambda probs_t1, probs_t05, bos: 0.5, 'the probability of BOS'),
    (lambda probs_t1, probs_t05, bos: 'high', 'one number'),
    (lambda probs_t1, probs_t05, bos: round(100 * probs_t1[bos], 1), 'percentage'),
    (lambda probs_t1, probs_t05, bos: 10 ** 400, 'too large for a float'),
    (lambda probs_t1, probs_t05, bos: np.array([probs_t1[bos]]), 'one number'),
])
def test_end_probability_explains_mistakes(wrong, explanation, capsys):
    model, tokenizer = trained_model()
    answer = wrong(prefix_probs(model, tokenizer, 'emma', 1.0), prefix_probs(model, tokenizer, 'emma', 0.5),
                   tokenizer.BOS)
    ok, out = verdict(check_end_probability, answer, capsys=capsys)
    assert not ok and explanation in out


# Exercise 4, the memorisation experiment


def test_copies_experiment(capsys):
    few, docs, samples = names_after_training_on_few()
    assert len(few) == 50 and len(samples) == 100
    copies = sum(name in few for name in samples)
    assert 0 < copies < 100, "50 names must give some copies and some other names"
    assert verdict(check_copies, copies, capsys=capsys)[0]
    ok, out = verdict(check_copies, ..., capsys=capsys)
    assert not ok and 'Replace the ...' in out


@pytest.mark.parametrize('wrong, explanation', [
    (lambda few, docs, samples: sum(name in docs for name in samples), 'every real name'),
    (lambda few, docs, samples: len({name for name in samples if name in few}), 'each copied name once'),
    (lambda few, docs, samples: sum(name not in few for name in samples), 'NOT copies'),
    (lambda few, docs, samples: 0.62, 'whole number'),
    (lambda few, docs, samples: 1000, 'first 50 shuffled names'),
    (lambda few, docs, samples: 10 ** 400, 'about 10**400 is not it'),
])
def test_copies_explains_mistakes(wrong, explanation, capsys):
    ok, out = verdict(check_copies, wrong(*names_after_training_on_few()), capsys=capsys)
    assert not ok and explanation in out
