"""Some of GPT-2's changes to microgpt, one switch each, on arrays (chapter 12).

Chapter 02's Value, with a NumPy array in place of each number: every operation records its
inputs and how to pass a gradient back to them, and backward() walks the graph in reverse. One
model, built from these operations, is microgpt when every switch of a Variant is off, and with
switches on takes one step toward GPT-2: batches of documents, GELU, LayerNorm with biases, a
final norm before the head, the head tied to the token embedding. (arrays.py stays microgpt,
with its backward written by hand; this one is written for trying changes, not for speed.)
"""
import math
from dataclasses import dataclass

import numpy as np

from .arrays import softmax
from .model import weight_shapes
from .optim import linear_decay


class Tensor:
    """An array that remembers how it was made, and its gradient."""

    def __init__(self, data, children=(), backward=lambda: None):
        self.data = np.asarray(data, dtype=np.float64)
        self.grad = np.zeros_like(self.data)
        self._children = children
        self._backward = backward

    def _make(self, data, children, backward):
        """A new Tensor whose backward(out) passes out.grad on to children."""
        out = Tensor(data, children)
        out._backward = lambda: backward(out.grad)
        return out

    def __add__(self, other):
        other = as_tensor(other)

        def backward(g):
            self.grad += unbroadcast(g, self.data.shape)
            other.grad += unbroadcast(g, other.data.shape)
        return self._make(self.data + other.data, (self, other), backward)

    def __mul__(self, other):
        other = as_tensor(other)

        def backward(g):
            self.grad += unbroadcast(g * other.data, self.data.shape)
            other.grad += unbroadcast(g * self.data, other.data.shape)
        return self._make(self.data * other.data, (self, other), backward)

    def __matmul__(self, other):
        def backward(g):
            self.grad += unbroadcast(g @ np.swapaxes(other.data, -1, -2), self.data.shape)
            other.grad += unbroadcast(np.swapaxes(self.data, -1, -2) @ g, other.data.shape)
        return self._make(self.data @ other.data, (self, other), backward)

    def __pow__(self, k):
        return self._make(self.data ** k, (self,), lambda g: self._add_grad(g * k * self.data ** (k - 1)))

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + -as_tensor(other)

    def _add_grad(self, g):
        self.grad += g

    def relu(self):
        return self._make(np.maximum(self.data, 0), (self,), lambda g: self._add_grad(g * (self.data > 0)))

    def gelu(self):
        """GPT-2's GELU, in its tanh form: x times (about) the chance a standard normal is below x."""
        x = self.data
        inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)
        t = np.tanh(inner)
        slope = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * math.sqrt(2 / math.pi) * (1 + 3 * 0.044715 * x * x)
        return self._make(0.5 * x * (1 + t), (self,), lambda g: self._add_grad(g * slope))

    def mean(self):
        """The mean along the last axis, kept as an axis of 1."""
        n = self.data.shape[-1]
        return self._make(self.data.mean(-1, keepdims=True), (self,),
                          lambda g: self._add_grad(np.broadcast_to(g / n, self.data.shape)))

    def transpose(self, *axes):
        back = np.argsort(axes)
        return self._make(self.data.transpose(axes), (self,), lambda g: self._add_grad(g.transpose(back)))

    def reshape(self, *shape):
        return self._make(self.data.reshape(shape), (self,), lambda g: self._add_grad(g.reshape(self.data.shape)))

    def __getitem__(self, index):
        def backward(g):
            np.add.at(self.grad, index, g)        # a row picked twice gets both gradients
        return self._make(self.data[index], (self,), backward)

    def softmax(self, mask):
        """Softmax along the last axis of self + mask (mask: -inf where a position must not look)."""
        probs = softmax(self.data + mask)
        return self._make(probs, (self,),
                          lambda g: self._add_grad(probs * (g - (g * probs).sum(-1, keepdims=True))))

    def backward(self):
        """Fill every grad below self (a number: the loss)."""
        order, seen = [], set()

        def visit(t):
            if id(t) not in seen:
                seen.add(id(t))
                for child in t._children:
                    visit(child)
                order.append(t)
        visit(self)
        self.grad = np.ones_like(self.data)
        for t in reversed(order):
            t._backward()


def as_tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)


def unbroadcast(g, shape):
    """g summed down to shape: what broadcasting spread over many entries comes back to one."""
    while g.ndim > len(shape):
        g = g.sum(0)
    return g.sum(tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1), keepdims=True)


def cross_entropy(logits, targets, weight):
    """Mean of -log p(target) over positions of weight 1 (weight 0: padding), as microgpt's loss
    does per document. One operation: its gradient is (probs - onehot) * weight / count."""
    probs = softmax(logits.data)
    picked = np.take_along_axis(probs, targets[..., None], -1)[..., 0]
    count = weight.sum()
    onehot = np.zeros_like(probs)
    np.put_along_axis(onehot, targets[..., None], 1.0, -1)
    return logits._make(-(np.log(picked) * weight).sum() / count, (logits,),
                        lambda g: logits._add_grad(g * (probs - onehot) * (weight / count)[..., None]))


@dataclass(frozen=True)
class Variant:
    """Which of GPT-2's changes are on. All off: microgpt."""
    batch: int = 1                  # documents per step
    gelu: bool = False              # GELU in the MLP instead of ReLU
    layernorm: bool = False         # LayerNorm (a gain and a bias per number) and biases in every linear
    final_norm: bool = False        # a norm before lm_head
    tied: bool = False              # lm_head is wte: the token embedding read backwards


class Model:
    """microgpt's GPT, with a Variant's changes, on Tensors."""

    def __init__(self, config, variant, rng, std=0.08):
        self.config, self.variant = config, variant
        # the same Gaussian draws, in the same order, as microgpt's own initialisation
        self.params = {name: Tensor(np.array([[rng.gauss(0, std) for _ in range(nin)] for _ in range(nout)]))
                       for name, nout, nin in weight_shapes(config)}
        if variant.tied:
            del self.params['lm_head']
        if variant.layernorm:
            for name, nout, _ in weight_shapes(config):
                if name.startswith('layer'):
                    self.params[name + '.bias'] = Tensor(np.zeros(nout))
            for name in self._norms():
                self.params[name + '.gain'] = Tensor(np.ones(config.n_embd))
                self.params[name + '.shift'] = Tensor(np.zeros(config.n_embd))

    def _norms(self):
        """The names of the model's norms, in the order the forward pass meets them."""
        names = ['embedding_norm'] + [f'layer{i}.{part}_norm' for i in range(self.config.n_layer)
                                      for part in ('attn', 'mlp')]
        return names + ['final_norm'] if self.variant.final_norm else names

    def norm(self, x, name):
        """rmsnorm as microgpt's; with layernorm on, the mean taken out too, then a gain and a shift."""
        if not self.variant.layernorm:
            return x * ((x * x).mean() + 1e-5) ** -0.5
        centred = x - x.mean()
        return centred * ((centred * centred).mean() + 1e-5) ** -0.5 * self.params[name + '.gain'] \
            + self.params[name + '.shift']

    def linear(self, x, name):
        y = x @ self.params[name].transpose(1, 0)
        return y + self.params[name + '.bias'] if self.variant.layernorm else y

    def logits(self, tokens):
        """Next-token logits for a (batch, positions) array of token ids."""
        c, p = self.config, self.params
        B, T = tokens.shape
        H, hd = c.n_head, c.head_dim
        mask = np.triu(np.full((T, T), -np.inf), 1)               # position t sees positions 0..t
        x = self.norm(p['wte'][tokens] + p['wpe'][:T], 'embedding_norm')
        for i in range(c.n_layer):
            name = f'layer{i}.'
            xn = self.norm(x, name + 'attn_norm')
            q, k, v = (self.linear(xn, name + 'attn_w' + part).reshape(B, T, H, hd).transpose(0, 2, 1, 3)
                       for part in 'qkv')
            att = (q @ k.transpose(0, 1, 3, 2) * hd ** -0.5).softmax(mask)
            heads = (att @ v).transpose(0, 2, 1, 3).reshape(B, T, c.n_embd)
            x = self.linear(heads, name + 'attn_wo') + x
            h = self.linear(self.norm(x, name + 'mlp_norm'), name + 'mlp_fc1')
            x = self.linear(h.gelu() if self.variant.gelu else h.relu(), name + 'mlp_fc2') + x
        if self.variant.final_norm:
            x = self.norm(x, 'final_norm')
        return x @ p['wte' if self.variant.tied else 'lm_head'].transpose(1, 0)

    def loss(self, documents):
        """Mean cross-entropy over every next token of documents (token lists), as one Tensor."""
        tokens, weight = pad([doc[:self.config.block_size + 1] for doc in documents])
        return cross_entropy(self.logits(tokens[:, :-1]), tokens[:, 1:], weight)

    def num_params(self):
        return sum(t.data.size for t in self.params.values())


def pad(documents):
    """(tokens, weight): documents as rows of equal length, padded with their last token (BOS);
    weight is 1 for each real next token and 0 for padding. The causal mask keeps padding, which
    comes after every real token, from changing any real position's logits."""
    T = max(map(len, documents))
    tokens = np.array([doc + doc[-1:] * (T - len(doc)) for doc in documents])
    weight = np.array([[1.0] * (len(doc) - 1) + [0.0] * (T - len(doc)) for doc in documents])
    return tokens, weight


def train(model, documents, num_steps, learning_rate=0.01, beta1=0.85, beta2=0.99, eps=1e-8):
    """Adam with linear decay, microgpt's, over num_steps batches of documents taken in order.
    A generator yielding (step, loss)."""
    m = {name: np.zeros_like(t.data) for name, t in model.params.items()}
    v = {name: np.zeros_like(t.data) for name, t in model.params.items()}
    B = model.variant.batch
    for step in range(num_steps):
        batch = [documents[(step * B + i) % len(documents)] for i in range(B)]
        for t in model.params.values():
            t.grad = np.zeros_like(t.data)
        loss = model.loss(batch)
        loss.backward()
        lr = linear_decay(learning_rate, step, num_steps)
        for name, t in model.params.items():
            m[name] = beta1 * m[name] + (1 - beta1) * t.grad
            v[name] = beta2 * v[name] + (1 - beta2) * t.grad ** 2
            m_hat, v_hat = m[name] / (1 - beta1 ** (step + 1)), v[name] / (1 - beta2 ** (step + 1))
            t.data -= lr * m_hat / (v_hat ** 0.5 + eps)
        yield step, float(loss.data)


def held_out_loss(model, documents):
    """The mean of each document's own mean loss, as the course compares models (chapter 08),
    all documents in one batch."""
    tokens, weight = pad([doc[:model.config.block_size + 1] for doc in documents])
    probs = softmax(model.logits(tokens[:, :-1]).data)
    picked = np.take_along_axis(probs, tokens[:, 1:, None], -1)[..., 0]
    return float(((-np.log(picked) * weight).sum(1) / weight.sum(1)).mean())


def gradient_error(model, documents, rng, count=20, h=1e-6):
    """The largest difference between backward()'s gradient and a central finite difference, over
    count parameters picked at random. Rounding alone leaves about 1e-9: more means a wrong backward."""
    for t in model.params.values():
        t.grad = np.zeros_like(t.data)
    model.loss(documents).backward()
    worst = 0.0
    for _ in range(count):
        t = rng.choice(list(model.params.values()))
        i = tuple(rng.randrange(n) for n in t.data.shape)
        kept = t.data[i]
        t.data[i] = kept + h
        up = float(model.loss(documents).data)
        t.data[i] = kept - h
        down = float(model.loss(documents).data)
        t.data[i] = kept
        worst = max(worst, abs((up - down) / (2 * h) - t.grad[i]))
    return worst
