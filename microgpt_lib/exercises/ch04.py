"""Checks for the exercises of chapter 04: attention.

Exercises 1 and 2 use one head with head_dim 2, the query Q, the cached keys
KEYS and the cached values VALUES below; exercise 4 runs the chapter's
untrained model (seed 42) with and without its position embedding.
"""
import math
import random
import string

from . import as_number, attempt, call, check_number, close, exercise, judge, piece, read_numbers, report, shown
from .. import nn
from ..engine import Value
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


# The pieces: one head over the KV cache, then the heads side by side. Each check runs the learner's
# piece and microgpt_lib's on fresh Values of the same numbers and compares outputs and gradients.

def attend(q, keys, values):
    """One head: (out, weights), the weights the softmax of q.k / sqrt(head_dim) over the cached keys,
    out the cached values mixed by them."""
    scale = (len(q) ** 0.5) ** -1
    weights = nn.softmax([nn.add_up(qj * kj for qj, kj in zip(q, k)) * scale for k in keys])
    out = [nn.add_up(a * v[j] for a, v in zip(weights, values)) for j in range(len(q))]
    return out, weights


def multi_head_attention(q, keys, values, n_head):
    """n_head heads, each on its slice of head_dim = len(q) // n_head numbers of q, of every cached key
    and of every cached value: (their outputs concatenated, each head's weights)."""
    head_dim = len(q) // n_head
    out, all_weights = [], []
    for h in range(n_head):
        s = slice(h * head_dim, (h + 1) * head_dim)
        head_out, weights = attend(q[s], [k[s] for k in keys], [v[s] for v in values])
        out.extend(head_out)
        all_weights.append(weights)
    return out, all_weights


def _cache(rng, dim, length, spread):
    """(q, keys, values) as floats: a query and length cached keys and values of dim numbers."""
    vector = lambda: [rng.gauss(0, spread) for _ in range(dim)]
    return vector(), [vector() for _ in range(length)], [vector() for _ in range(length)]


# (head_dim, positions cached, spread): position 0 alone, a longer cache, scores far from 0
HEAD_CASES = [_cache(random.Random(seed), *sizes) for seed, sizes in
              enumerate([(4, 1, 1.0), (4, 5, 1.0), (2, 3, 2.0), (8, 4, 1.5)])]
# (n_embd, positions cached, spread), n_head
MULTI_HEAD_CASES = [(_cache(random.Random(10 + seed), *sizes), n_head) for seed, (sizes, n_head) in
                    enumerate([((16, 3, 1.0), 4), ((8, 4, 1.5), 2), ((6, 2, 1.0), 1)])]


def as_values(numbers):
    """Fresh Values of nested lists (and dicts) of floats, the same nesting."""
    if isinstance(numbers, dict):
        return {name: as_values(n) for name, n in numbers.items()}
    return [as_values(n) for n in numbers] if isinstance(numbers, list) else Value(numbers)


def leaves(nested):
    """The numbers or Values of nested lists, tuples and dicts, in order."""
    if isinstance(nested, dict):
        nested = list(nested.values())
    if isinstance(nested, (list, tuple)):
        return [leaf for item in nested for leaf in leaves(item)]
    return [nested]


def shape(nested):
    """The lengths of nested lists and tuples, as a nested tuple (None for a leaf)."""
    return tuple(shape(item) for item in nested) if isinstance(nested, (list, tuple)) else None


def run_on_values(function, args, output=lambda result: result, gradients=True):
    """(function's result on fresh Values of args' lists of floats, the gradients of every input number
    of sum_i (i + 1) * output(result)[i]) or (the result, None) if output(result) is not all Values."""
    inputs = [as_values(a) if isinstance(a, (list, dict)) else a for a in args]     # ids and counts stay
    result = attempt(function, *inputs)
    outputs = leaves(output(result))
    if not gradients or not all(isinstance(o, Value) for o in outputs):
        return result, None
    nn.add_up(o * (i + 1) for i, o in enumerate(outputs)).backward()
    return result, [p.grad for p in leaves(inputs) if isinstance(p, Value)]


def numbers_of(result):
    """The plain numbers of a nested result, or None if it holds anything else."""
    numbers = [nn.data(leaf) for leaf in leaves(result)]
    return numbers if all(as_number(n) is not None for n in numbers) else None


def compare_piece(what, function, finished, args, mistakes, returns, output=lambda result: result):
    """One sentence, beginning with what (the call), saying how function(*args) differs from
    finished(*args), or None if it does not.

    mistakes are (a function making that mistake, the sentence naming it); returns says what the
    result should be. Data and gradients are compared within the one check policy's tolerance.
    """
    expected, expected_grads = run_on_values(finished, args, output)
    got, grads = run_on_values(function, args, output)
    got_numbers = numbers_of(got)
    if got_numbers is not None and shape(got) == shape(expected) and close(got_numbers, numbers_of(expected)):
        if grads is None:
            return f"{what} gave plain numbers, not Values: keep them Values, so that gradients flow back"
        if not close(grads, expected_grads):
            return (f"{what} gave the right numbers but other gradients: build the result from the "
                    f"inputs' Values only (no .data, no new Values)")
        return None
    for mistaken, sentence in mistakes:
        wrong, error = call(run_on_values, mistaken, args, output, False)
        wrong = None if error else wrong[0]        # a mistake that cannot happen on these inputs
        if got_numbers is not None and shape(wrong) == shape(got) and close(got_numbers, numbers_of(wrong)):
            return f"{what} is not microgpt_lib's: {sentence}"
    if got_numbers is None or shape(got) != shape(expected):
        return f"{what} gave {shown(got, 40)}, not what it should: {returns}"
    return (f"{what} gave {shown([round(n, 4) for n in got_numbers], 40)}, expected "
            f"{shown([round(n, 4) for n in numbers_of(expected)], 40)}")


def _mistaken_attend(scale=lambda d: (d ** 0.5) ** -1, weigh=nn.softmax, mix_keys=False, own_key=True):
    """attend with one typical mistake: another scale(head_dim), no softmax, the keys mixed, or the
    position's own key left out of the cache."""
    def mistaken(q, keys, values):
        if not own_key and len(keys) > 1:
            keys, values = keys[:-1], values[:-1]
        weights = weigh([nn.add_up(qj * kj for qj, kj in zip(q, k)) * scale(len(q)) for k in keys])
        mixed = keys if mix_keys else values
        return [nn.add_up(a * v[j] for a, v in zip(weights, mixed)) for j in range(len(q))], weights
    return mistaken


HEAD_MISTAKES = [
    (_mistaken_attend(scale=lambda d: 1.0), "the scores are not scaled: multiply each q.k by 1/sqrt(head_dim)"),
    (_mistaken_attend(scale=lambda d: 1 / d), "the scores are divided by head_dim; the scale is 1/sqrt(head_dim)"),
    (_mistaken_attend(scale=lambda d: d ** 0.5), "the scores are multiplied by sqrt(head_dim); divide by it"),
    (_mistaken_attend(weigh=list), "the scores mix the values without a softmax: the weights are softmax(scores)"),
    (_mistaken_attend(mix_keys=True), "the output mixes the cached keys; it mixes the values"),
    (_mistaken_attend(own_key=False), "the last cached key, the position's own, is left out: a position sees "
                                      "itself too"),
]


def first(problems):
    """The first problem found, as a list for report: one sentence is enough to fix one thing."""
    return [next((p for p in problems if p), None)]


@piece(attend)
def check_attend(learners):
    """attend against microgpt_lib's on 4 caches (one of a single position), outputs, weights, gradients."""
    problems = [compare_piece(f"attend(q, keys, values) with head_dim {len(q)} and a cache of {len(keys)}", learners, attend, (q, keys, values), HEAD_MISTAKES,
                              "(out, weights): head_dim numbers, then one weight per cached key",
                              output=lambda r: r[0])
                for q, keys, values in HEAD_CASES]
    return report(first(problems), success=f"OK: your attend matches microgpt_lib's on "
                  f"{len(HEAD_CASES)} caches, weights and gradients included.")


def _every_head_on(first_slice_only=False, keys_sliced=True):
    """multi_head_attention with a typical mistake in the slicing."""
    def mistaken(q, keys, values, n_head):
        head_dim = len(q) // n_head
        out, all_weights = [], []
        for h in range(n_head):
            s = slice(0, head_dim) if first_slice_only else slice(h * head_dim, (h + 1) * head_dim)
            head_out, weights = attend(q[s], [k[s] if keys_sliced else k for k in keys], [v[s] for v in values])
            out.extend(head_out)
            all_weights.append(weights)
        return out, all_weights
    return mistaken


MULTI_HEAD_MISTAKES = [
    (_every_head_on(first_slice_only=True), "every head reads the first slice; head h's starts at h * head_dim"),
    (_every_head_on(keys_sliced=False), "the keys are not sliced: head h scores its slice of q against the "
                                        "same slice of every key"),
    (lambda q, keys, values, n_head: multi_head_attention(q, keys, values, 1),
     "all the numbers go into one head: split q, keys and values into n_head slices of len(q) // n_head"),
]


@piece(multi_head_attention)
def check_multi_head_attention(learners):
    """multi_head_attention against microgpt_lib's with 4, 2 and 1 heads, outputs, weights, gradients."""
    problems = [compare_piece(f"multi_head_attention(q, keys, values, {n_head}) with {len(q)} numbers and "
                              f"a cache of {len(keys)}", learners, multi_head_attention, (q, keys, values, n_head),
                              MULTI_HEAD_MISTAKES, "(out, all_weights): len(q) numbers, then each head's "
                              "weights", output=lambda r: r[0])
                for (q, keys, values), n_head in MULTI_HEAD_CASES]
    return report(first(problems), success=f"OK: your multi_head_attention matches "
                  f"microgpt_lib's with {', '.join(str(n) for _, n in MULTI_HEAD_CASES)} heads, weights and "
                  f"gradients included.")
