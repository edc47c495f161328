"""The yardstick: the fixed train/held-out split and the count-based bigram model."""
import math
import random

import numpy as np
import pytest

from microgpt_lib import Bigram, Tokenizer, load_docs, mean_loss, split_docs


def test_split_is_microgpts_shuffle_cut_90_10_so_microgpt_trains_only_on_the_first_part():
    docs = load_docs()
    before = list(docs)
    shuffled = list(docs)
    random.Random(42).shuffle(shuffled)          # microgpt's first draw
    cut = int(0.9 * len(shuffled))
    training, held_out = split_docs(docs)
    assert (training, held_out) == (shuffled[:cut], shuffled[cut:])
    assert (len(training), len(held_out)) == (28829, 3204)   # microgpt's 1,000 steps: training only
    assert docs == before, "the caller's list is left as it was"
    assert split_docs(docs, seed=7) != (training, held_out)


def test_split_refuses_fewer_than_two_documents():
    with pytest.raises(ValueError, match='at least 2 documents, got 1'):
        split_docs(['anna'])
    assert split_docs(['anna', 'bob']) in ((['anna'], ['bob']), (['bob'], ['anna']))


def test_bigram_counts_and_probabilities_by_hand():
    tok = Tokenizer(['a', 'b'])                  # BOS = 2
    docs = [tok.document('ab'), tok.document('b')]   # [2, 0, 1, 2] and [2, 1, 2]
    raw = Bigram(docs, tok.vocab_size, smoothing=0)
    assert raw.counts == [[0, 1, 0], [0, 0, 2], [1, 1, 0]]
    assert raw.probs[tok.BOS] == [0.5, 0.5, 0.0]
    assert raw.document_loss(tok.document('ab')) == pytest.approx(math.log(2) / 3)
    add_one = Bigram(docs, tok.vocab_size)
    assert add_one.counts[tok.BOS] == [2, 2, 1]
    assert add_one.probs[0] == pytest.approx([1 / 4, 2 / 4, 1 / 4])
    assert all(sum(row) == pytest.approx(1) for row in add_one.probs)


def test_an_unseen_pair_costs_infinity_without_smoothing_and_a_finite_loss_with_it():
    tok = Tokenizer(['a', 'b'])
    docs = [tok.document('ab')]
    unseen = tok.document('ba')
    assert Bigram(docs, tok.vocab_size, smoothing=0).document_loss(unseen) == math.inf
    assert math.isfinite(Bigram(docs, tok.vocab_size).document_loss(unseen))


def test_loss_is_the_mean_of_document_means_like_microgpts():
    assert mean_loss(len, [[1], [1, 2, 3]]) == 2
    tok = Tokenizer(['a', 'b'])
    docs = [tok.document('a'), tok.document('abab')]
    model = Bigram(docs, tok.vocab_size)
    assert model.loss(docs) == pytest.approx(
        (model.document_loss(docs[0]) + model.document_loss(docs[1])) / 2)


@pytest.mark.parametrize('smoothing', [-1, math.inf, math.nan])
def test_bigram_refuses_bad_smoothing(smoothing):
    with pytest.raises(ValueError, match='smoothing must be'):
        Bigram([], 3, smoothing=smoothing)


def test_the_names_bigram_is_the_yardstick_the_chapters_quote():
    docs = load_docs()
    tok = Tokenizer.from_docs(docs)
    training, held_out = ([tok.document(d) for d in part] for part in split_docs(docs))
    bigram = Bigram(training, tok.vocab_size)
    assert bigram.loss(training) == pytest.approx(2.4602, abs=1e-4)
    assert bigram.loss(held_out) == pytest.approx(2.4656, abs=1e-4)
    assert bigram.loss(held_out) < math.log(tok.vocab_size)
    assert Bigram(training, tok.vocab_size, smoothing=0).loss(held_out) == math.inf


@pytest.mark.parametrize('tokens, bad', [([0, -1], -1), ([3, 4], 4)])
def test_bigram_refuses_token_ids_outside_the_vocabulary_like_the_model(tokens, bad):
    message = f"token id {bad} is out of range: this model's ids run from 0 to 3"
    with pytest.raises(ValueError, match=message):
        Bigram([tokens], 4)
    with pytest.raises(ValueError, match=message):
        Bigram([[0, 1]], 4).document_loss(tokens)


def test_bigram_vocab_size_is_a_whole_number():
    assert Bigram([[0, 1]], np.int64(3)).counts == Bigram([[0, 1]], 3).counts
    with pytest.raises(ValueError, match=r'vocab_size must be a whole number given as an int, got 3.0 \(a float\)'):
        Bigram([[0, 1]], 3.0)
