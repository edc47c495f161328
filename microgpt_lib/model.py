"""The GPT: embeddings, attention with a KV cache, an MLP, residuals and RMSNorm."""
import numbers
from dataclasses import dataclass, asdict

from .engine import Value
from .nn import add_up, data, linear, relu, rmsnorm, softmax


@dataclass(frozen=True)
class Config:
    vocab_size: int
    n_layer: int = 1
    n_embd: int = 16
    n_head: int = 4
    block_size: int = 16

    def __post_init__(self):
        for name, value in asdict(self).items():
            object.__setattr__(self, name, whole_number(name, value))    # a plain int, even from NumPy
        if self.vocab_size < 2:
            raise ValueError("vocab_size must be at least 2: one character and BOS")
        if self.n_embd % self.n_head:
            raise ValueError(f"n_embd ({self.n_embd}) must be divisible by n_head ({self.n_head})")

    @property
    def head_dim(self):
        return self.n_embd // self.n_head


def whole_number(name, value, least=1):
    """value as a plain int if it is a whole number (an int or a NumPy integer) of at least `least`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a whole number given as an int, got {value!r} (a {type(value).__name__})")
    if value < least:
        raise ValueError(f"{name} must be a whole number of at least {least}, got {value!r}")
    return int(value)


def weight_shapes(config):
    """Every weight matrix as (name, rows, columns), in creation order."""
    c = config
    shapes = [('wte', c.vocab_size, c.n_embd), ('wpe', c.block_size, c.n_embd),
              ('lm_head', c.vocab_size, c.n_embd)]
    for i in range(c.n_layer):
        shapes += [(f'layer{i}.attn_wq', c.n_embd, c.n_embd), (f'layer{i}.attn_wk', c.n_embd, c.n_embd),
                   (f'layer{i}.attn_wv', c.n_embd, c.n_embd), (f'layer{i}.attn_wo', c.n_embd, c.n_embd),
                   (f'layer{i}.mlp_fc1', 4 * c.n_embd, c.n_embd), (f'layer{i}.mlp_fc2', c.n_embd, 4 * c.n_embd)]
    return shapes


def num_params(config):
    """How many parameters a model of this config has (the sum over weight_shapes, without building it)."""
    c = config
    return c.n_embd * (2 * c.vocab_size + c.block_size) + c.n_layer * 12 * c.n_embd ** 2


MEMORY_LIMIT = 4 * 10**9    # bytes a training step may take: far more than any model this course trains
MAX_PARAMS = MEMORY_LIMIT // 200    # 20 million: as Values with Adam's state, about what MEMORY_LIMIT holds


def training_cost(config, engine='scalar', positions=None):
    """(parameters, graph nodes or None, bytes): a rough estimate of one training step.

    positions is the longest document's length in positions (block_size if
    not known). The scalar engine takes about 200 bytes per parameter (a Value
    and Adam's state) and per graph node: a node per multiply and per add of
    every dot product, plus attention's, which grows with the square of the
    positions. The NumPy engine holds a few float64 vectors of all parameters,
    a causal mask as large as the longest document (twice, while it is built),
    a vocab_size x vocab_size one-hot table, and one step's activations.
    """
    c = config
    T = c.block_size if positions is None else min(positions, c.block_size)
    params = num_params(c)
    if engine == 'numpy':
        activations = c.n_layer * (20 * T * c.n_embd + 4 * c.n_head * T * T) + 4 * T * c.vocab_size
        return params, None, 8 * (6 * params + 2 * T * T + c.vocab_size ** 2 + activations)
    nodes = T * (2 * c.vocab_size * c.n_embd + 26 * c.n_layer * c.n_embd ** 2) + 3 * c.n_layer * c.n_embd * T * T
    return params, nodes, 200 * (params + nodes)


def check_size(config, engine='scalar', positions=None):
    """Refuse, with the numbers, a model whose training would need more than MEMORY_LIMIT."""
    params, nodes, memory = training_cost(config, engine, positions)
    if memory > MEMORY_LIMIT or params > MAX_PARAMS:
        graph = '' if nodes is None else f", about {nodes:,} graph nodes"
        raise ValueError(f"this model is too large: {params:,} parameters{graph}, about "
                         f"{-(-memory // 10**9):,} GB per training step on the {engine} engine "
                         f"(the limits are {MAX_PARAMS:,} parameters and {MEMORY_LIMIT // 10**9} GB)")


def check_token_ids(tokens, vocab_size):
    """Refuse ids outside 0..vocab_size-1: a negative one would silently index from the end."""
    bad = [t for t in tokens if not 0 <= t < vocab_size]
    if bad:
        raise ValueError(f"token id {bad[0]!r} is out of range: this model's ids run from 0 to {vocab_size - 1}")


class GPT:
    """A GPT whose weights are Values (to train) or plain floats (to sample fast).

    Both kinds run the same forward pass and give bit-identical logits.
    """

    def __init__(self, config, weights):
        self.config = config
        self.weights = weights          # name -> matrix (a list of rows)

    @classmethod
    def initialise(cls, config, rng, std=0.08):
        """Fresh weights, one Gaussian draw per parameter, in the original's order."""
        check_size(config, 'scalar', positions=1)     # before building millions of Values
        weights = {name: [[Value(rng.gauss(0, std)) for _ in range(nin)] for _ in range(nout)]
                   for name, nout, nin in weight_shapes(config)}
        return cls(config, weights)

    def parameters(self):
        """All weights in one flat list, matrix by matrix and row by row."""
        return [p for mat in self.weights.values() for row in mat for p in row]

    def frozen(self):
        """A copy on plain floats: the same numbers, no graph, much faster."""
        return GPT(self.config, {name: [[data(p) for p in row] for row in mat]
                                 for name, mat in self.weights.items()})

    def thawed(self):
        """A copy on fresh Values, ready to train."""
        return GPT(self.config, {name: [[Value(data(p)) for p in row] for row in mat]
                                 for name, mat in self.weights.items()})

    def new_cache(self):
        """An empty KV cache: keys and values, one list per layer."""
        return [[] for _ in range(self.config.n_layer)], [[] for _ in range(self.config.n_layer)]

    def __call__(self, token_id, pos_id, keys, values, attention=None):
        """Logits for the next token, given this token and its position.

        keys and values grow by one entry per call: a position sees only the
        past, so no causal mask is needed. Pass a list as attention to collect
        each head's weights over the cached positions, as floats, by layer.
        """
        c, w = self.config, self.weights
        check_token_ids([token_id], c.vocab_size)
        if not 0 <= pos_id < c.block_size:
            raise ValueError(f"position {pos_id!r} is out of range: this model sees positions 0 to {c.block_size - 1}")
        hd, attn_scale = c.head_dim, (c.head_dim ** 0.5) ** -1   # x * scale is x / sqrt(hd)
        x = [t + p for t, p in zip(w['wte'][token_id], w['wpe'][pos_id])]
        x = rmsnorm(x)
        for li in range(c.n_layer):
            # 1) multi-head attention
            x_residual = x
            x = rmsnorm(x)
            q = linear(x, w[f'layer{li}.attn_wq'])
            k = linear(x, w[f'layer{li}.attn_wk'])
            v = linear(x, w[f'layer{li}.attn_wv'])
            keys[li].append(k)
            values[li].append(v)
            x_attn = []
            for h in range(c.n_head):
                hs = h * hd
                q_h = q[hs:hs + hd]
                k_h = [ki[hs:hs + hd] for ki in keys[li]]
                v_h = [vi[hs:hs + hd] for vi in values[li]]
                attn_logits = [add_up(q_h[j] * k_h[t][j] for j in range(hd)) * attn_scale
                               for t in range(len(k_h))]
                attn_weights = softmax(attn_logits)
                if attention is not None:
                    attention.append([data(a) for a in attn_weights])
                x_attn.extend(add_up(attn_weights[t] * v_h[t][j] for t in range(len(v_h)))
                              for j in range(hd))
            x = linear(x_attn, w[f'layer{li}.attn_wo'])
            x = [a + b for a, b in zip(x, x_residual)]
            # 2) MLP
            x_residual = x
            x = rmsnorm(x)
            x = linear(x, w[f'layer{li}.mlp_fc1'])
            x = [relu(xi) for xi in x]
            x = linear(x, w[f'layer{li}.mlp_fc2'])
            x = [a + b for a, b in zip(x, x_residual)]
        return linear(x, w['lm_head'])
