"""Checks for chapter 10's exercises: the forward pass on arrays, and its causal mask.

Exercise 2 is an experiment: it trains microgpt on the array engine without
the mask (a fraction of a second) to know the losses it asks for.
"""
import functools
import random

from . import check_number, exercise, judge, read_numbers
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
