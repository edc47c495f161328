"""Checks for the exercises of chapter 04: attention.

Exercises 1 and 2 use one head with head_dim 2, the query Q, the cached keys
KEYS and the cached values VALUES below; exercise 4 runs the chapter's
untrained model (seed 42) with and without its position embedding.
"""
import math
import random
import string

from . import check_number, close, exercise, judge, read_numbers, report
from ..model import GPT, Config
from ..tokenizer import Tokenizer

Q = [2.0, 0.0]
KEYS = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
VALUES = [[1.0, 0.0], [0.0, 1.0], [3.0, 3.0]]


def _softmax(logits):
    exps = [math.exp(l - max(logits)) for l in logits]
    return [e / sum(exps) for e in exps]


def _dots(q, keys):
    return [sum(qj * kj for qj, kj in zip(q, k)) for k in keys]


def _mix(weights, values):
    return [sum(a * v[j] for a, v in zip(weights, values)) for j in range(len(values[0]))]


def attention_weights(q, keys):
    """One head's weights: softmax of q.k / sqrt(head_dim) over the cached keys."""
    return _softmax([d / math.sqrt(len(q)) for d in _dots(q, keys)])


def _check_numbers(answer, what, expected, mistakes, otherwise):
    """Check a list-of-numbers answer: success, the hint of a typical mistake, or general advice."""
    got = read_numbers(answer, len(expected), f"a list of {len(expected)} numbers ({what})")
    return got is not None and judge(got, expected, mistakes, otherwise)


@exercise
def check_attention_weights(answer):
    """Exercise 1: the weights the head puts on the three cached positions."""
    dots = _dots(Q, KEYS)
    return _check_numbers(answer, "one weight per cached key", attention_weights(Q, KEYS), [
        (_softmax(dots), "you forgot the scale: divide each dot product by sqrt(head_dim) = sqrt(2) "
                         "before the softmax"),
        (_softmax([d / len(Q) for d in dots]), "you divided by head_dim = 2; the scale is its square root, "
                                               "sqrt(2) = 1.414"),
        (_softmax([d * math.sqrt(len(Q)) for d in dots]), "you multiplied by sqrt(2); the dot products are "
                                                          "divided by it"),
        ([d / math.sqrt(len(Q)) for d in dots], "those are the scaled logits: the weights are their softmax"),
        (dots, "those are the raw dot products q.k: scale them by 1/sqrt(2), then take the softmax"),
    ], "score each key with q.k / sqrt(2), then take the softmax of the three scores "
       "(the weights are positive and sum to 1)")


@exercise
def check_head_output(answer):
    """Exercise 2: the head's output, the cached values mixed by the weights of exercise 1."""
    weights = attention_weights(Q, KEYS)
    return _check_numbers(answer, "one per number of a value vector: head_dim", _mix(weights, VALUES), [
        (_mix([1 / len(VALUES)] * len(VALUES), VALUES),
         "that is the plain average of the values: weight each value by its attention weight"),
        (_mix(_dots(Q, KEYS), VALUES), "you mixed the values with the raw dot products; use the attention "
                                       "weights (after scale and softmax) from exercise 1"),
        (_mix(weights, KEYS), "you mixed the keys; the keys only decide the weights, the output mixes "
                              "the values"),
        (_mix(_softmax(_dots(Q, KEYS)), VALUES), "the mixing is right, but the weights are not: they are "
                                                 "softmax(q.k / sqrt(2)), see exercise 1"),
    ], "output[j] = sum over t of weights[t] * values[t][j]")


@exercise
def check_num_attention_logits(answer):
    """Exercise 3: attention logits (q.k products) computed while reading 'emma' with 4 heads."""
    n_head, positions = 4, len('emma') + 1       # inputs: BOS e m m a (the last BOS is only a target)
    expected = n_head * positions * (positions + 1) // 2
    hints = {
        n_head * positions ** 2: "that is a full grid, as if every position saw every key; position t "
                                 "finds only t + 1 keys in the cache",
        positions * (positions + 1) // 2: "that is one head; each of the 4 heads scores its own slices",
        n_head * (positions + 1) * (positions + 2) // 2: "the last BOS is only a target: it is never fed "
                                                         "in, so there are 5 positions, not 6",
        n_head * positions * (positions - 1) // 2: "a position also scores its own key (it is appended to "
                                                   "the cache first): t + 1 keys at position t, not t",
        n_head * positions: "every position scores all the keys cached so far, not only its own",
    }
    return check_number(answer, expected, hints, "at position t the cache holds t + 1 keys, "
                                                 "and each head scores all of them")


ANAGRAMS = ('maria', 'amira')       # the same letters in another order, and the same last letter


def _last_logits(model, tokenizer, name):
    """The model's logits after reading all of name: its prediction of what follows."""
    keys, values = model.new_cache()
    for pos_id, token_id in enumerate(tokenizer.document(name)[:-1]):
        logits = model(token_id, pos_id, keys, values)
    return logits


def _largest_difference(model, tokenizer):
    first, second = (_last_logits(model, tokenizer, name) for name in ANAGRAMS)
    return max(abs(a - b) for a, b in zip(first, second))


def order_blindness():
    """(largest logit difference between the ANAGRAMS with wpe, without wpe) in chapter 04's model."""
    tokenizer = Tokenizer(string.ascii_lowercase)       # the names' vocabulary
    model = GPT.initialise(Config(tokenizer.vocab_size), random.Random(42)).frozen()
    without = GPT(model.config, {**model.weights, 'wpe': [[0.0] * len(row) for row in model.weights['wpe']]})
    return _largest_difference(model, tokenizer), _largest_difference(without, tokenizer)


ROUNDING = 1e-12        # two sums of the same terms in another order differ by a few units of 1e-17 here


@exercise
def check_order_blindness(answer):
    """Exercise 4: how differently the model ends 'maria' and 'amira', with and without wpe."""
    got = read_numbers(answer, 2, "two numbers, (with wpe, without wpe)")
    if got is None:
        return False
    with_wpe, without_wpe = got
    expected = order_blindness()[0]
    if close(without_wpe, expected):
        return report(["your second model still has wpe: set every entry of its wpe to 0"])
    if close(with_wpe, 0):
        return report(["the first number is for the model as it is, with wpe: "
                       f"{ANAGRAMS[0]!r} and {ANAGRAMS[1]!r} then end differently"])
    if abs(without_wpe) > ROUNDING:
        return report([f"without wpe the two names give the same vectors in another order, so their "
                       f"logits agree up to rounding (below {ROUNDING:g}); {without_wpe:.3g} is more "
                       f"than that: compare the logits after the last letter"])
    return judge(with_wpe, expected, otherwise="with wpe, compare the 27 logits after the last letter of "
                 "each name (position 5) and give the largest absolute difference",
                 success=f"Correct! With wpe the predictions differ by {expected:.4f},\n"
                         f"   without it by {without_wpe:.1g}: rounding only.")
