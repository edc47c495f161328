"""Chapter 09's exercise checks accept the worked solutions and explain typical mistakes."""
import random

import numpy as np
import pytest

from conftest import verdict
from microgpt_lib import prefix_probs, sample_names, softmax
from microgpt_lib.exercises import is_unanswered
from microgpt_lib.exercises.ch09 import (check_copies, check_end_probability, check_greedy_name,
                                         check_sample_name, check_temperature_probs, greedy_name,
                                         names_after_training_on_few, trained_model)



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


# The piece: sampling one name at a temperature


def sample_name(model, tokenizer, rng, temperature):
    """The chapter's piece, as its teacher's edition has it."""
    keys, values = model.new_cache()
    token_id, name = tokenizer.BOS, ''
    for pos_id in range(model.config.block_size):
        logits = model(token_id, pos_id, keys, values)
        probs = softmax([l * temperature ** -1 for l in logits])
        token_id = rng.choices(range(tokenizer.vocab_size), weights=probs)[0]
        if token_id == tokenizer.BOS:
            break
        name += tokenizer.uchars[token_id]
    return name


def mutated(logits_at=None, probs_at=None, stop=True, add_bos=False):
    """sample_name with a typical mistake: the temperature elsewhere, or no stop at BOS."""
    def sample_name(model, tokenizer, rng, temperature):
        keys, values = model.new_cache()
        token_id, name = tokenizer.BOS, ''
        for pos_id in range(model.config.block_size):
            logits = model(token_id, pos_id, keys, values)
            probs = softmax([(logits_at or (lambda l, t: l * t ** -1))(l, temperature) for l in logits])
            if probs_at:
                probs = [probs_at(p, temperature) for p in probs]
            token_id = rng.choices(range(tokenizer.vocab_size), weights=probs)[0]
            if token_id == tokenizer.BOS and stop:
                break
            if token_id != tokenizer.BOS or add_bos:
                name += tokenizer.uchars[token_id]
        return name
    return sample_name


def test_the_finished_sample_name_passes_and_is_the_learners_own(capsys):
    assert check_sample_name(sample_name) is sample_name
    assert capsys.readouterr().out == "OK: your sample_name draws exactly microgpt_lib's 40 names.\n"


def test_an_unwritten_sample_name_is_unanswered_and_the_chapter_goes_on_with_the_library_sample(capsys):
    def unwritten(model, tokenizer, rng, temperature):
        # YOUR CODE HERE
        raise NotImplementedError()
    standing_in = check_sample_name(unwritten)
    out = capsys.readouterr().out
    assert 'Not yet: your sample_name is not written yet' in out and is_unanswered(out) and "The chapter goes on with microgpt_lib's sample_name." in out
    model, tokenizer = trained_model()
    rng = random.Random(7)
    assert [standing_in(model, tokenizer, rng, 0.5) for _ in range(5)] == sample_names(
        model, tokenizer, random.Random(7), 0.5, 5)


@pytest.mark.parametrize('mistake, says', [
    (mutated(logits_at=lambda l, t: l, probs_at=lambda p, t: p / t), 'the temperature was applied to the probabilities instead of the logits'),
    (mutated(logits_at=lambda l, t: l * t), 'you multiplied the logits by T'),
    (mutated(stop=False), 'run on past their end'),
    (mutated(stop=False, add_bos=True), 'stop (break) before adding it to the name'),
    (lambda model, tokenizer, rng, t: sample_name(model, tokenizer, random.Random(0), t), 'your first names are'),
    (lambda model, tokenizer, rng, t: list(sample_name(model, tokenizer, rng, t)), 'not a string'),
])
def test_a_typical_mistake_in_sample_name_fails_with_a_message_that_names_it(mistake, says, capsys):
    standing_in = check_sample_name(mistake)
    out = capsys.readouterr().out
    assert says in out and not is_unanswered(out), out
    assert out.count('\n  - ') == 1, "one sentence per problem"
    assert standing_in is not mistake
