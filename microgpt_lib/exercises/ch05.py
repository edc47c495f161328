"""Checks for the exercises of chapter 05: the MLP and the GPT.

Exercise 1 asks for a function, which the check calls on a few sizes,
naming the piece that is missing; exercise 2 measures untrained models of
several depths on the array engine.
"""
import functools
import random

from . import as_whole_number, call, exercise, judge, raised, read_numbers, report, shown, unanswered
from ..arrays import ArrayGPT
from ..baseline import mean_loss, split_docs
from ..data import load_docs
from ..model import Config
from ..tokenizer import Tokenizer

# (vocab_size, n_embd, n_layer, block_size): microgpt's defaults first
CONFIGS = [(27, 16, 1, 16), (10, 8, 2, 12), (50, 32, 3, 8), (3, 2, 1, 2)]


def num_params(vocab_size, n_embd, n_layer, block_size):
    """wte, wpe and lm_head once; per layer 4 attention matrices and the 4x wide MLP."""
    return 2 * vocab_size * n_embd + block_size * n_embd + n_layer * 12 * n_embd ** 2


_WRONG_COUNTS = [
    (lambda V, d, L, B: 2 * V * d + L * 12 * d ** 2, "you left out wpe: block_size rows of n_embd numbers"),
    (lambda V, d, L, B: V * d + B * d + L * 12 * d ** 2,
     "there are two vocab_size x n_embd matrices: wte (in) and lm_head (out)"),
    (lambda V, d, L, B: 2 * V * d + B * d + L * 6 * d ** 2,
     "the MLP is 4 times wider than n_embd: mlp_fc1 is (4 n_embd) x n_embd and mlp_fc2 n_embd x (4 n_embd)"),
    (lambda V, d, L, B: 2 * V * d + B * d + L * 8 * d ** 2,
     "both MLP matrices count: mlp_fc1 and mlp_fc2 have 4 n_embd^2 parameters each"),
    (lambda V, d, L, B: 2 * V * d + B * d + L * 11 * d ** 2,
     "attention has four n_embd x n_embd matrices: attn_wq, attn_wk, attn_wv and attn_wo"),
    (lambda V, d, L, B: 2 * V * d + B * d + 12 * d ** 2,
     "every layer has its own attention and MLP: multiply their count by n_layer"),
    (lambda V, d, L, B: L * (2 * V * d + B * d + 12 * d ** 2),
     "only the layers repeat: wte, wpe and lm_head exist once, whatever n_layer is"),
]


@exercise
def check_num_params(answer):
    """Exercise 1: num_params(vocab_size, n_embd, n_layer, block_size) for any sizes."""
    if unanswered(answer):
        return False
    if not callable(answer):
        return report([f"give the function itself (num_params, without brackets); got {shown(answer)}"])
    results = []
    for config in CONFIGS:
        result, error = call(answer, *config)
        if error:
            return report([f"your function raised {raised(error)}"])
        if unanswered(result):
            return False
        if as_whole_number(result) is None:
            return report([f"num_params{config} should be a whole number; got {shown(result)}"])
        results.append(as_whole_number(result))
    if results == [num_params(*config) for config in CONFIGS]:
        return report([], success=f"Correct! microgpt's defaults give {results[0]:,} parameters.")
    for formula, hint in _WRONG_COUNTS:
        if results == [formula(*config) for config in CONFIGS]:
            return report([hint])
    config, result = next((c, r) for c, r in zip(CONFIGS, results) if r != num_params(*c))
    return report([f"num_params{config} gives {shown(result)} but should be {num_params(*config):,}: "
                   "add up the rows x columns of every matrix in weight_shapes"])


DEPTHS = (1, 2, 4, 8)


def held_out_names(count=500):
    """(the first count held-out names of the fixed split as token lists, the vocabulary size)."""
    docs = load_docs()
    tokenizer = Tokenizer.from_docs(docs)
    return [tokenizer.document(name) for name in split_docs(docs)[1][:count]], tokenizer.vocab_size


def untrained_loss(names, vocab_size, n_layer, rng=None):
    """The mean loss on names of an untrained model with n_layer layers (seed 42 unless rng is given)."""
    net = ArrayGPT.initialise(Config(vocab_size, n_layer=n_layer), rng or random.Random(42))
    return mean_loss(net.loss, names)


@functools.lru_cache(maxsize=1)
def depth_losses():
    """(the right losses at DEPTHS, the losses with one generator shared by all four models)."""
    names, vocab_size = held_out_names()
    shared = random.Random(42)                  # later models get the draws after the earlier ones'
    return (tuple(untrained_loss(names, vocab_size, n_layer) for n_layer in DEPTHS),
            tuple(untrained_loss(names, vocab_size, n_layer, shared) for n_layer in DEPTHS))


@exercise
def check_depth_losses(answer):
    """Exercise 2: the untrained loss on the 500 held-out names for n_layer = 1, 2, 4 and 8."""
    got = read_numbers(answer, len(DEPTHS), f"a list of {len(DEPTHS)} losses, for n_layer = 1, 2, 4 and 8")
    if got is None:
        return False
    expected, shared = depth_losses()
    mistakes = [
        ([expected[0]] * len(DEPTHS), "all four are the one-layer model's loss: build each model from its "
                                      "own Config(vocab_size, n_layer=...)"),
        (shared, "start each model from a fresh random.Random(42): with one generator for all four, each "
                 "model gets the draws after the previous one's"),
    ]
    return judge(got, expected, mistakes, otherwise="measure mean_loss(net.loss, name_tokens) for each "
                 "depth, on the 500 held-out names, each model from random.Random(42)",
                 success=f"Correct! From 1 to 8 layers the untrained loss stays\n"
                         f"   between {min(expected):.3f} and {max(expected):.3f}.")
