"""Checks for the exercises of chapter 05: the MLP and the GPT.

Exercise 1 asks for a function, which the check calls on a few sizes,
naming the piece that is missing; exercise 2 measures untrained models of
several depths on the array engine.
"""
import functools
import random

from . import as_whole_number, call, exercise, judge, piece, raised, read_numbers, report, shown, unanswered
from .. import nn
from ..model import GPT
from .ch04 import compare_piece, first
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


# The pieces: the MLP block, then the whole forward pass. Each check runs the learner's piece and
# microgpt_lib's on fresh Values of the same weights and compares outputs and gradients.

def mlp_block(x, w, li):
    """Layer li's MLP on a normalised copy of x, added to x: mlp_fc1, ReLU, mlp_fc2, residual."""
    x_residual = x
    x = nn.linear(nn.rmsnorm(x), w[f'layer{li}.mlp_fc1'])
    x = nn.linear([nn.relu(xi) for xi in x], w[f'layer{li}.mlp_fc2'])
    return [a + b for a, b in zip(x, x_residual)]


def gpt(w, token_id, pos_id, keys, values):
    """microgpt_lib's forward pass (GPT.__call__) on the weights w, with microgpt's 4 heads."""
    n_layer = sum(name.endswith('.attn_wq') for name in w)
    config = Config(len(w['wte']), n_layer=n_layer, n_embd=len(w['wte'][0]), block_size=len(w['wpe']))
    return GPT(config, w)(token_id, pos_id, keys, values)


def _mistaken_mlp(norm=True, activate=True, residual=True, first_layer=False):
    """mlp_block with one typical mistake."""
    def mistaken(x, w, li):
        li = 0 if first_layer else li
        h = nn.linear(nn.rmsnorm(x) if norm else x, w[f'layer{li}.mlp_fc1'])
        out = nn.linear([nn.relu(hi) for hi in h] if activate else h, w[f'layer{li}.mlp_fc2'])
        return [a + b for a, b in zip(out, x)] if residual else out
    return mistaken


MLP_MISTAKES = [
    (_mistaken_mlp(residual=False), "the residual is missing: add the block's input x to its output"),
    (_mistaken_mlp(norm=False), "mlp_fc1 reads x itself; it reads rmsnorm(x), x is only added back"),
    (_mistaken_mlp(activate=False), "the ReLU is missing between mlp_fc1 and mlp_fc2"),
    (lambda x, w, li: _mistaken_mlp()(nn.rmsnorm(x), w, li),
     "the residual adds rmsnorm(x); keep x_residual = x from before the rmsnorm"),
    (_mistaken_mlp(first_layer=True), "it always reads layer 0's matrices: use f'layer{li}.mlp_fc1'"),
]


def _mlp_case(seed, n_embd, li):
    """(x, weights of li + 1 layers' MLPs, li) as floats."""
    rng = random.Random(seed)
    matrix = lambda rows, columns: [[rng.gauss(0, 0.3) for _ in range(columns)] for _ in range(rows)]
    w = {}
    for layer in range(li + 1):
        w[f'layer{layer}.mlp_fc1'] = matrix(4 * n_embd, n_embd)
        w[f'layer{layer}.mlp_fc2'] = matrix(n_embd, 4 * n_embd)
    return matrix(1, n_embd)[0], w, li


MLP_CASES = [_mlp_case(0, 16, 0), _mlp_case(1, 4, 1), _mlp_case(2, 8, 0)]


@piece(mlp_block)
def check_mlp_block(learners):
    """mlp_block against microgpt_lib's on 3 inputs (one in layer 1), outputs and gradients."""
    problems = [compare_piece(f"mlp_block(x, w, {li}) with {len(x)} numbers", learners, mlp_block, (x, w, li),
                              MLP_MISTAKES, "a list of len(x) Values") for x, w, li in MLP_CASES]
    return report(first(problems), success=f"OK: your mlp_block matches microgpt_lib's on {len(MLP_CASES)} "
                  f"inputs, gradients included.")


def reading(forward):
    """forward(w, token_id, pos_id, keys, values) run over a document with one fresh cache: its logits."""
    def read(w, tokens):
        keys, values = [[]], [[]]           # one layer, as the chapter's config
        return [forward(w, token_id, pos_id, keys, values) for pos_id, token_id in enumerate(tokens)]
    read.__name__ = getattr(forward, '__name__', 'gpt')
    return read


def _zeroed(name):
    """gpt on w with the matrix name set to 0 (an attention or MLP block then adds exactly 0)."""
    def mistaken(w, token_id, pos_id, keys, values):
        changed = {**w, name: [[0 * p for p in row] for row in w[name]]}
        return gpt(changed, token_id, pos_id, keys, values)
    return mistaken


GPT_MISTAKES = [
    (_zeroed('wpe'), "the position is left out: the input is wte[token_id] + wpe[pos_id]"),
    (_zeroed('layer0.attn_wo'), "the attention block's result is not used: "
                                              "x = attention_block(x, w, li, keys[li], values[li])"),
    (_zeroed('layer0.mlp_fc2'), "the MLP block's result is not used: x = mlp_block(x, w, li)"),
    (lambda w, token_id, pos_id, keys, values: nn.softmax(gpt(w, token_id, pos_id, keys, values)),
     "it returns probabilities: gpt() returns the logits, linear(x, w['lm_head']), without a softmax"),
]
GPT_CASES = [(1, (26, 4, 12)), (2, (26, 0))]       # (seed of the weights, tokens): BOS e m, BOS a


@piece(gpt)
def check_gpt(learners):
    """gpt against microgpt_lib's on two short documents, 27 logits at each position and all gradients."""
    problems = []
    for seed, tokens in GPT_CASES:
        weights = GPT.initialise(Config(27), random.Random(seed)).frozen().weights
        problems.append(compare_piece(f"gpt over the tokens {list(tokens)}", reading(learners), reading(gpt),
                                      (weights, tokens), [(reading(m), s) for m, s in GPT_MISTAKES],
                                      "27 logits (Values) at each position"))
    return report(first(problems), success="OK: your gpt matches microgpt_lib's at every position of "
                  f"{len(GPT_CASES)} documents, gradients of all 4,192 weights included.")
