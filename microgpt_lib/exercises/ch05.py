"""Checks for the exercises of chapter 05: the MLP and the GPT.

Both exercises ask for a function; the check calls it on a few inputs and
compares with the right result, naming the piece that is missing.
"""
import copy
import random

from . import as_list, as_number, as_whole_number, call, close, exercise, raised, report, shown, unanswered
from ..engine import Value
from ..nn import linear, relu, rmsnorm

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
        return report([], success=f"✅ Correct! microgpt's defaults give {results[0]:,} parameters.")
    for formula, hint in _WRONG_COUNTS:
        if results == [formula(*config) for config in CONFIGS]:
            return report([hint])
    config, result = next((c, r) for c, r in zip(CONFIGS, results) if r != num_params(*c))
    return report([f"num_params{config} gives {shown(result)} but should be {num_params(*config):,}: "
                   "add up the rows x columns of every matrix in weight_shapes"])


def mlp_block(x, fc1, fc2):
    """The worked solution: x plus fc2(relu(fc1(rmsnorm(x))))."""
    h = [relu(hi) for hi in linear(rmsnorm(x), fc1)]
    return [a + b for a, b in zip(linear(h, fc2), x)]


def _mlp_inputs(seed, n_embd=4):
    rng = random.Random(seed)
    x = [rng.gauss(0, 1) for _ in range(n_embd)]
    fc1 = [[rng.gauss(0, 0.5) for _ in range(n_embd)] for _ in range(4 * n_embd)]
    fc2 = [[rng.gauss(0, 0.5) for _ in range(4 * n_embd)] for _ in range(n_embd)]
    return x, fc1, fc2


def _as_values(x, fc1, fc2):
    def matrix(mat):
        return [[Value(p) for p in row] for row in mat]
    return [Value(xi) for xi in x], matrix(fc1), matrix(fc2)


_WRONG_MLPS = [
    (lambda x, fc1, fc2: linear([relu(h) for h in linear(rmsnorm(x), fc1)], fc2),
     "you forgot the residual connection: add x back to the MLP's output"),
    (lambda x, fc1, fc2: [a + b for a, b in zip(linear(linear(rmsnorm(x), fc1), fc2), x)],
     "you forgot the ReLU between mlp_fc1 and mlp_fc2"),
    (lambda x, fc1, fc2: [a + b for a, b in zip(linear([relu(h) for h in linear(x, fc1)], fc2), x)],
     "the MLP reads a normalised copy of x: apply rmsnorm before mlp_fc1"),
    (lambda x, fc1, fc2: [a + b for a, b in zip(linear([relu(h) for h in linear(rmsnorm(x), fc1)], fc2),
                                                 rmsnorm(x))],
     "add the original x back, not its normalised copy: the residual stream itself is never normalised"),
]


def _call_mlp(answer, x, fc1, fc2):
    """(the learner's mlp_block on copies of the inputs, None), or (None, what went wrong).

    Copies, so that a function changing its inputs in place cannot change the verdict.
    """
    result, error = call(answer, *copy.deepcopy((x, fc1, fc2)))
    if error:                       # plain floats failed (e.g. h.relu()): try Values
        result, error_with_values = call(answer, *_as_values(x, fc1, fc2))
        if error_with_values:
            return None, (f"your function raised {raised(error)} (the check calls it on lists of plain "
                          f"floats, then of Values)")
    return result, None


def _numbers(result, count):
    """A list of count numbers (floats, NumPy numbers or Values) as floats, or None."""
    items = as_list(result)
    got = None if items is None else [as_number(r) for r in items]
    return None if got is None or len(got) != count or None in got else got


@exercise
def check_mlp_block(answer):
    """Exercise 2: mlp_block(x, fc1, fc2) -> x plus the MLP's output, for one position."""
    if unanswered(answer):
        return False
    if not callable(answer):
        return report([f"give the function itself (mlp_block, without brackets); got {shown(answer)}"])
    for seed in (0, 1):
        x, fc1, fc2 = _mlp_inputs(seed)
        expected = mlp_block(x, fc1, fc2)       # before the learner's code runs
        wrongs = [(wrong(x, fc1, fc2), hint) for wrong, hint in _WRONG_MLPS]
        result, problem = _call_mlp(answer, x, fc1, fc2)
        if problem:
            return report([problem])
        if unanswered(result):
            return False
        got = _numbers(result, len(x))
        if got is None:
            return report([f"return a list of {len(x)} numbers, as long as x; got {shown(result)}"])
        if not close(got, expected):
            return report([next((hint for wrong, hint in wrongs if close(got, wrong)),
                                "not the right numbers: rmsnorm(x), then mlp_fc1, ReLU, mlp_fc2, then add x")])
    return report([])
