"""Chapter 01's exercise checks accept the worked solutions and explain typical mistakes."""
import numpy as np
import pytest

from conftest import verdict
from microgpt_lib import Tokenizer
from microgpt_lib.data import load_docs
from microgpt_lib.exercises.ch01 import check_encoding, check_num_predictions, check_vocab_size



@pytest.mark.parametrize('check', [check_encoding, check_vocab_size, check_num_predictions])
def test_placeholder_gets_a_hint(check, capsys):
    ok, out = verdict(check, ..., capsys=capsys)
    assert not ok and 'Replace the ...' in out


def test_the_worked_solutions_pass(capsys):
    tokenizer = Tokenizer.from_docs(load_docs())
    assert verdict(check_encoding, tokenizer.document('jade'), capsys=capsys)[0]
    assert verdict(check_encoding, [26, 9, 0, 3, 4, 26], capsys=capsys)[0]
    assert verdict(check_vocab_size, Tokenizer.from_docs(['anna', 'bob', 'Anna', 'Bob']).vocab_size, capsys=capsys)[0]
    assert verdict(check_num_predictions, len('jade') + 1, capsys=capsys)[0]


@pytest.mark.parametrize('answer, explanation', [
    ([9, 0, 3, 4], 'at the start and at the end'),
    ([26, 9, 0, 3, 4], 'also ends with BOS'),
    ([9, 0, 3, 4, 26], 'also starts with BOS'),
    ([26, 10, 1, 4, 5, 26], "count from 0"),
    ([0, 10, 1, 4, 5, 0], "makemore's '.'"),
    ([26, 9, 0, 3, 26], 'should become 6 tokens'),
    ([26, 9, 0, 4, 4, 26], "token 3 is 4, but it should be the id of 'd'"),
    ([27, 9, 0, 3, 4, 26], 'token 0 is 27, but it should be the id of BOS'),
    ('jade', 'a list of integers'),
    ([[26], [9], [0], [3], [4], [26]], 'a list of integers'),
    ([10 ** 400, 9, 0, 3, 4, 26], 'token 0 is an integer of about 10**400'),
])
def test_encoding_explains_mistakes(answer, explanation, capsys):
    ok, out = verdict(check_encoding, answer, capsys=capsys)
    assert not ok and explanation in out


@pytest.mark.parametrize('check, answer', [
    (check_encoding, (26, 9, 0, 3, 4, 26)),
    (check_encoding, np.array([26, 9, 0, 3, 4, 26])),
    (check_encoding, [np.int64(i) for i in [26, 9, 0, 3, 4, 26]]),
    (check_vocab_size, np.int64(7)),
    (check_num_predictions, np.array(5)),
])
def test_tuples_and_numpy_integers_pass(check, answer, capsys):
    ok, out = verdict(check, answer, capsys=capsys)
    assert ok and 'Correct' in out


@pytest.mark.parametrize('check, answer, explanation', [
    (check_vocab_size, 6, 'also counts the BOS token'),
    (check_vocab_size, 5, "'A' is not 'a'"),
    (check_vocab_size, 4, 'BOS counts too'),
    (check_vocab_size, 14, 'each distinct character once'),
    (check_vocab_size, 27, 'list the distinct characters'),
    (check_vocab_size, True, 'a whole number'),
    (check_num_predictions, 4, 'learns to end a name'),
    (check_num_predictions, 6, 'nothing after it to predict'),
    (check_num_predictions, 9, 'count the tokens that have a next token'),
    (check_num_predictions, '5', 'a whole number'),
    (check_num_predictions, 10 ** 400, 'about 10**400 is not it'),
])
def test_counts_explain_mistakes(check, answer, explanation, capsys):
    ok, out = verdict(check, answer, capsys=capsys)
    assert not ok and explanation in out


@pytest.mark.parametrize('answer', [7, 7.0, np.float64(7), np.int64(7)])
def test_a_count_may_be_any_number_equal_to_it(answer, capsys):
    assert verdict(check_vocab_size, answer, capsys=capsys)[0]
    assert verdict(check_encoding, [26, 9.0, 0, 3, 4, np.float64(26)], capsys=capsys)[0]


def test_the_bigram_exercises_accept_their_solutions_and_explain_mistakes(capsys):
    from microgpt_lib import Bigram, split_docs
    from microgpt_lib.exercises.ch01 import check_small_bigram, check_unseen_pairs
    docs = load_docs()
    tokenizer = Tokenizer.from_docs(docs)
    training, held_out = ([tokenizer.document(d) for d in part] for part in split_docs(docs))
    raw = Bigram(training, tokenizer.vocab_size, smoothing=0)
    unseen = sum(c == 0 for row in raw.counts for c in row)
    assert unseen == 104
    assert verdict(check_unseen_pairs, unseen, capsys=capsys)[0]
    for wrong, explanation in [(102, 'training names only'), (0, 'smoothing=0'),
                               (625, 'pairs that do occur'), (100, 'count the 0s')]:
        ok, out = verdict(check_unseen_pairs, wrong, capsys=capsys)
        assert not ok and explanation in out
    ok, out = verdict(check_small_bigram, Bigram(training[:1000], tokenizer.vocab_size), capsys=capsys)
    assert ok and 'Held-out loss 2.514 (all 28,829 names: 2.466)' in out
    first_of_file = [tokenizer.document(d) for d in docs[:1000]]
    for wrong, explanation in [(Bigram(training, 27), 'use only the first 1,000'),
                               (Bigram(training[:1000], 27, smoothing=0), 'add-one'),
                               (Bigram(first_of_file, 27), "the file's first 1,000 names"),
                               (Bigram(training[:1000], 28), 'vocab_size is 28'),
                               (Bigram(held_out[:1000], 27), 'first 1,000 training names'),
                               (training[:1000], 'give a Bigram')]:
        ok, out = verdict(check_small_bigram, wrong, capsys=capsys)
        assert not ok and explanation in out, out
    class Agreeable(list):
        def __eq__(self, other):
            return True
    lying = Bigram(held_out[:1000], 27)
    lying.counts = Agreeable([Agreeable([0] * 27)] * 27)
    ok, out = verdict(check_small_bigram, lying, capsys=capsys)
    assert not ok and 'first 1,000 training names' in out
    for check in (check_unseen_pairs, check_small_bigram):
        ok, out = verdict(check, ..., capsys=capsys)
        assert not ok and 'Replace the ...' in out


# The pieces: encode, decode, document, count_pairs and name_loss, written in the chapter

import math

from microgpt_lib.exercises import ch01

LETTERS = 'abcdefghijklmnopqrstuvwxyz'


def unwritten(*args):
    raise NotImplementedError()


def encode(text, start=0):
    return [LETTERS.index(ch) + start for ch in text]


def document(doc, bos=26, start=0, ends=(True, True)):
    return [bos] * ends[0] + encode(doc, start) + [bos] * ends[1]


def count_pairs(names, swapped=False, tokens=document):
    counts = [[0] * 27 for _ in range(27)]
    for name in names:
        doc = tokens(name)
        for current, following in zip(doc, doc[1:]):
            if swapped:
                counts[following][current] += 1
            else:
                counts[current][following] += 1
    return counts


def name_loss(probs, doc, mean=True, log=True):
    tokens = document(doc)
    costs = [(-math.log(p) if p else math.inf) if log else p
             for p in (probs[a][b] for a, b in zip(tokens, tokens[1:]))]
    return sum(costs) / len(costs) if mean else sum(costs)


SOLUTIONS = {ch01.check_encode: encode, ch01.check_decode: lambda ids: ''.join(LETTERS[i] for i in ids),
             ch01.check_document: document, ch01.check_count_pairs: count_pairs, ch01.check_name_loss: name_loss}
PROBS = [[1 / 27] * 27 for _ in range(27)]
SAMPLES = {ch01.check_encode: ('jade',), ch01.check_decode: ([9, 0, 3, 4],), ch01.check_document: ('jade',),
           ch01.check_count_pairs: (['jade', 'ava'],), ch01.check_name_loss: (PROBS, 'jade')}


@pytest.mark.parametrize('check', SOLUTIONS, ids=lambda check: check.__name__)
def test_a_piece_passes_and_goes_on_or_falls_back_on_microgpt_libs(check, capsys):
    solution = SOLUTIONS[check]
    assert check(solution) is solution and 'OK:' in capsys.readouterr().out
    stand_in = check(unwritten)
    out = capsys.readouterr().out
    assert stand_in is not unwritten and 'is not written yet' in out and 'OK:' not in out
    assert stand_in(*SAMPLES[check]) == solution(*SAMPLES[check])      # the stand-in does the piece's job


def test_count_pairs_accepts_numpy_counts(capsys):
    as_array = lambda names: np.array(count_pairs(names), dtype=np.float64)
    assert ch01.check_count_pairs(as_array) is as_array


@pytest.mark.parametrize('check, mistake, explanation', [
    (ch01.check_encode, lambda text: encode(text, start=1), 'ids count from 0'),
    (ch01.check_encode, lambda text: document(text), 'document adds BOS'),
    (ch01.check_encode, lambda text: [sorted(set('emma')).index(ch) if ch in 'ema' else 5 for ch in text],
     'yours are numbered in another order'),
    (ch01.check_decode, lambda ids: [LETTERS[i] for i in ids], "''.join"),
    (ch01.check_decode, lambda ids: ''.join(LETTERS[i - 1] for i in ids), 'counting from 0'),
    (ch01.check_document, lambda doc: document(doc, ends=(True, False)), 'BOS marks both ends'),
    (ch01.check_document, lambda doc: document(doc, ends=(False, True)), 'BOS marks both ends'),
    (ch01.check_document, lambda doc: document(doc, bos=0, start=1), 'BOS is the last id, len(uchars) = 26'),
    (ch01.check_document, lambda doc: document(doc, start=1), 'ids count from 0'),
    (ch01.check_count_pairs, lambda names: count_pairs(names, swapped=True), 'the wrong way round'),
    (ch01.check_count_pairs, lambda names: count_pairs(names, tokens=encode), 'the BOS row should count the first'),
    (ch01.check_count_pairs, lambda names: count_pairs(names, tokens=lambda d: document(d, ends=(True, False))),
     'the BOS column should count the last'),
    (ch01.check_name_loss, lambda probs, doc: name_loss(probs, doc, mean=False), 'their mean'),
    (ch01.check_name_loss, lambda probs, doc: name_loss(probs, doc, log=False), 'the log of each probability'),
])
def test_a_pieces_typical_mistake_is_named(check, mistake, explanation, capsys):
    assert check(mistake) is not mistake
    assert explanation in capsys.readouterr().out


def test_name_loss_wants_infinity_for_an_impossible_pair(capsys):
    def without_infinity(probs, doc):
        losses = [name_loss(probs, doc)]
        return min(losses[0], 1e300)
    assert ch01.check_name_loss(without_infinity) is not without_infinity
    assert 'costs math.inf' in capsys.readouterr().out
