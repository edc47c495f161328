"""The GPT: embeddings, attention with a KV cache, an MLP, residuals and RMSNorm."""
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
            if type(value) is not int or value < 1:
                raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
        if self.vocab_size < 2:
            raise ValueError("vocab_size must be at least 2: one character and BOS")
        if self.n_embd % self.n_head:
            raise ValueError(f"n_embd ({self.n_embd}) must be divisible by n_head ({self.n_head})")

    @property
    def head_dim(self):
        return self.n_embd // self.n_head


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
