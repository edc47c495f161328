"""Checks for chapter 12's exercises: what GPT-2's changes cost in parameters, and batches' learning rate.

Exercise 3 is an experiment: its check trains the batched model twice (a second or two) to know
the losses it asks for.
"""
import functools
import random

from . import check_number, exercise, judge, read_numbers
from ..baseline import split_docs
from ..data import load_docs
from ..model import Config
from ..toward_gpt2 import Model, Variant, held_out_loss, train
from ..tokenizer import Tokenizer

VOCAB, N_EMBD, MICROGPT = 27, 16, 4192


@exercise
def check_tied_params(answer):
    """Exercise 1: microgpt's parameters with lm_head tied to wte."""
    head = VOCAB * N_EMBD
    return check_number(answer, MICROGPT - head, {
        MICROGPT: "that is microgpt untied: tying drops lm_head, which is the same size as wte",
        MICROGPT - 2 * head: "tying drops one matrix, not two: wte stays, and lm_head reads it",
        head: "that is the size of the matrix that goes; how many parameters are left?",
    }, otherwise=f"lm_head is {VOCAB} x {N_EMBD}; tying removes it from microgpt's {MICROGPT:,}")


@exercise
def check_layernorm_params(answer):
    """Exercise 2: microgpt's parameters with LayerNorm (a gain and a shift per number) and biases."""
    biases = 4 * N_EMBD + 4 * N_EMBD + N_EMBD          # wq, wk, wv, wo; fc1's 64 outputs; fc2
    norms = 3 * 2 * N_EMBD                             # the embedding's, attention's and the MLP's norm
    return check_number(answer, MICROGPT + biases + norms, {
        MICROGPT + biases: "those are the biases; each of the 3 norms also gets a gain and a shift per number",
        MICROGPT + norms: "those are the norms' gains and shifts; every linear layer also gets a bias per output",
        MICROGPT + biases + norms // 2: "each norm has a gain *and* a shift: 2 x 16 numbers",
        MICROGPT + biases + norms + VOCAB: "lm_head gets no bias here (GPT-2's has none either)",
    }, otherwise="count a bias per output of the 6 linear layers of the block (not lm_head), and "
                 "16 gains plus 16 shifts for each of the 3 norms")


def batch_losses(learning_rates, steps=125, batch=8):
    """Held-out loss of microgpt trained on batches of 8 names for 125 steps, per learning rate."""
    docs = load_docs()
    tokenizer = Tokenizer.from_docs(docs)
    training, heldout = ([tokenizer.document(name) for name in part] for part in split_docs(docs))
    losses = []
    for lr in learning_rates:
        rng = random.Random(42)
        rng.shuffle(list(docs))                        # microgpt's first draw: the weights come next
        model = Model(Config(tokenizer.vocab_size), Variant(batch=batch), rng)
        for _ in train(model, training, steps, learning_rate=lr):
            pass
        losses.append(held_out_loss(model, heldout))
    return tuple(losses)


@functools.lru_cache(maxsize=1)
def expected_batch_losses():
    return batch_losses((0.01, 0.02))


@exercise
def check_batch_learning_rate(answer):
    """Exercise 3: held-out losses after 125 steps of 8 names, at learning rates 0.01 and 0.02."""
    got = read_numbers(answer, 2, "two losses, (at 0.01, at 0.02)")
    if got is None:
        return False
    expected = expected_batch_losses()
    better = "doubling it helps" if expected[1] < expected[0] else "doubling it does not help"
    return judge(got, expected, [(expected[::-1], "the two are swapped: first lr 0.01, then 0.02")],
                 otherwise="train Model(config, Variant(batch=8), rng) for 125 steps at each learning rate, "
                           "from microgpt's start (the rng after the shuffle), then held_out_loss on all "
                           "held-out names",
                 success=f"Correct! {expected[0]:.3f} at 0.01, {expected[1]:.3f} at 0.02: {better}.")
