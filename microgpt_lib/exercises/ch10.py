"""Checks for chapter 10's exercises: the forward pass on arrays, and its causal mask.

Exercise 2 is an experiment: it trains microgpt on the array engine without
the mask (a fraction of a second) to know the losses it asks for.
"""
import functools
import random

import numpy as np

from . import all_close, attempt, check_number, exercise, judge, piece, read_numbers, report
from .. import arrays
from ..arrays import ArrayGPT, train
from ..baseline import mean_loss, split_docs
from ..data import load_docs
from ..model import Config
from ..tokenizer import Tokenizer

N_HEAD, NAME = 4, 'yuheng'


@exercise
def check_masked_scores(answer):
    """Exercise 1: how many attention scores the causal mask hides for one name, all heads together."""
    T = len(NAME) + 1                       # BOS and the letters are the inputs
    hidden_per_head = T * (T - 1) // 2      # the entries strictly above the diagonal
    mistakes = {
        hidden_per_head: "that is one head's count: every head has its own (T, T) scores",
        N_HEAD * T * (T + 1) // 2: "you counted the diagonal too: a position may look at itself",
        N_HEAD * T * T: "that is every score; only those above the diagonal are hidden",
    }
    return check_number(answer, N_HEAD * hidden_per_head, mistakes,
                        "for T positions a head hides the T(T-1)/2 scores above the diagonal")


def peeking_losses(causal=False):
    """(held-out loss as trained, held-out loss with the mask) of microgpt trained on arrays for 1,000 steps.

    causal=False trains with nothing hiding the future: the experiment; causal=True is microgpt itself.
    """
    docs = load_docs()
    tokenizer = Tokenizer.from_docs(docs)
    training, heldout = ([tokenizer.document(name) for name in part] for part in split_docs(docs))
    config = Config(tokenizer.vocab_size)
    model = ArrayGPT.initialise(config, random.Random(42), causal=causal)
    for _ in train(model, training, 1000):
        pass
    return mean_loss(model.loss, heldout), mean_loss(ArrayGPT(config, model.params).loss, heldout)


@functools.lru_cache(maxsize=1)
def expected_peeking_losses():
    """(the right pair, microgpt's own pair: what a model trained with the mask gives)."""
    return peeking_losses(), peeking_losses(causal=True)


@exercise
def check_peeking_losses(answer):
    """Exercise 2: the held-out losses of a model trained without the mask, measured without and with it."""
    got = read_numbers(answer, 2, "two losses, (without the mask, with the mask back)")
    if got is None:
        return False
    expected, masked_all_along = expected_peeking_losses()
    mistakes = [
        (expected[::-1], "the two are swapped: first the loss as trained (no mask), then with the mask back"),
        (masked_all_along, "that is microgpt trained with its mask: build the model with causal=False"),
        ((expected[0], expected[0]), "the second loss needs the mask back: "
                                     "ArrayGPT(config, model.params) is the same weights, causal"),
    ]
    return judge(got, expected, mistakes, otherwise="train ArrayGPT.initialise(config, random.Random(42), "
                 "causal=False) for 1,000 steps on the training names, then measure mean_loss on all "
                 "held-out names", success=f"Correct! Peeking: {expected[0]:.3f}; honest: {expected[1]:.1f}.")


# The piece: every head's attention over a whole document at once, the future hidden by the mask.

def causal_attention(q, k, v):
    """(weights (H, T, T), outputs (H, T, D)) of every head at every position: scores q.k / sqrt(D),
    -inf above the diagonal, softmax along each row, and the weights mix v."""
    T, D = q.shape[-2:]
    mask = np.triu(np.full((T, T), -np.inf), k=1)
    att = arrays.softmax(q @ k.transpose(0, 2, 1) * (D ** 0.5) ** -1 + mask)
    return att, att @ v


def _mistaken(scale=lambda D: (D ** 0.5) ** -1, diagonal=1, axis=-1, mix_keys=False):
    """causal_attention with one typical mistake: another scale(D), the mask's diagonal moved, the
    softmax along another axis, or the keys mixed. diagonal=None masks nothing."""
    def mistaken(q, k, v):
        T, D = q.shape[-2:]
        hidden = np.zeros((T, T)) if diagonal is None else np.triu(np.full((T, T), -np.inf), k=diagonal)
        scores = q @ k.transpose(0, 2, 1) * scale(D) + hidden
        with np.errstate(invalid='ignore'):         # a row all -inf gives nan, as the mistake would
            exps = np.exp(scores - scores.max(axis, keepdims=True))
            att = exps / exps.sum(axis, keepdims=True)
        return att, att @ (k if mix_keys else v)
    return mistaken


CAUSAL_MISTAKES = [
    (_mistaken(scale=lambda D: 1.0), "the scores are not scaled: multiply q @ k.T by 1/sqrt(head_dim)"),
    (_mistaken(scale=lambda D: 1 / D), "the scores are divided by head_dim; the scale is 1/sqrt(head_dim)"),
    (_mistaken(diagonal=0), "the mask is off by one: it hides the diagonal too, so a position does not see "
                            "itself (np.triu(..., k=1) keeps it)"),
    (_mistaken(diagonal=2), "the mask is off by one: position t sees position t + 1, the token it must "
                            "predict (np.triu(..., k=1) hides it)"),
    (_mistaken(diagonal=None), "nothing is masked: add -inf above the diagonal before the softmax"),
    (_mistaken(axis=-2), "the softmax runs down the columns; it runs along each row, axis -1"),
    (_mistaken(axis=0), "the softmax runs across the heads; it runs along each row, axis -1"),
    (_mistaken(mix_keys=True), "the weights mix the keys; they mix the values, att @ v"),
]


def _qkv(seed, H, T, D):
    rng = np.random.default_rng(seed)
    return tuple(rng.normal(0, 1.5, (H, T, D)) for _ in 'qkv')


CAUSAL_CASES = [_qkv(0, 4, 7, 4), _qkv(1, 2, 3, 8), _qkv(2, 1, 1, 4)]     # yuheng's shapes first


def _attempted(function, q, k, v):
    """function's (att, out) on copies of q, k and v, as two float arrays, or None if it is not that."""
    result = attempt(function, q.copy(), k.copy(), v.copy())
    if not isinstance(result, tuple) or len(result) != 2:
        return None
    try:
        return tuple(np.asarray(part, dtype=float) for part in result)
    except (TypeError, ValueError):
        return None


NAN = -1.0      # a nan compares as this: weights are never negative, and a random output is never exactly -1


def _same(got, expected):
    """Whether (att, out) got equals expected by the one check policy, a nan (a row all masked) as a nan."""
    return got is not None and all(all_close(np.nan_to_num(g, nan=NAN), np.nan_to_num(e, nan=NAN))
                                   for g, e in zip(got, expected))


@piece(causal_attention)
def check_causal_attention(learners):
    """causal_attention against microgpt_lib's on 3 shapes (one of a single position): weights and outputs."""
    for q, k, v in CAUSAL_CASES:
        call = f"causal_attention(q, k, v) with (H, T, D) = {q.shape}"
        got, expected = _attempted(learners, q, k, v), causal_attention(q, k, v)
        if _same(got, expected):
            continue
        mistake = next((sentence for mistaken, sentence in CAUSAL_MISTAKES
                        if _same(got, mistaken(q, k, v))), None)
        if mistake:
            return report([f"{call} is not microgpt_lib's: {mistake}"])
        if got is None or [g.shape for g in got] != [e.shape for e in expected]:
            return report([f"{call} should give (att, out) of shapes {expected[0].shape} and "
                           f"{expected[1].shape}"])
        return report([f"{call} gives other weights or outputs than microgpt_lib's: scale, mask (-inf above "
                       f"the diagonal), softmax along the rows, then att @ v"])
    return report([], success=f"OK: your causal_attention matches microgpt_lib's on {len(CAUSAL_CASES)} "
                  f"shapes, weights and outputs.")
