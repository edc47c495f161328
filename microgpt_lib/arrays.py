"""The same GPT on NumPy arrays: a whole document at once, gradients derived by hand.

The scalar engine builds a graph of tens of thousands of Values per step and
walks it back. Here every position of a document goes through the model at
once, one row per position (a causal mask stands in for the KV cache), and
the backward pass is written out by hand, forward line by forward line in
reverse. Same parameters, same initialisation, same Adam, same sampling: the
gradients agree with the scalar engine's up to rounding (sums run in another
order), and a training step takes a fraction of a millisecond.
"""
import numpy as np

from .model import GPT, check_size, check_token_ids, num_params, weight_shapes, whole_number
from .optim import linear_decay
from .sample import check_temperature, check_tokenizer, most_likely
from .train import TrainingDiverged, check_document, document_loss


def rmsnorm(x):
    """Each row rescaled to unit root-mean-square; also the scale, which backward needs."""
    scale = ((x * x).sum(-1, keepdims=True) * x.shape[-1] ** -1 + 1e-5) ** -0.5
    return x * scale, scale


def rmsnorm_backward(dy, y, scale):
    """Gradient of rmsnorm's input, given its output y = x * scale and the output's gradient dy."""
    return scale * (dy - y * (dy * y).sum(-1, keepdims=True) * y.shape[-1] ** -1)


def linear_backward(dy, x, W):
    """(dx, dW) for y = x @ W.T (one row of x per position), given the output's gradient dy."""
    return dy @ W, dy.T @ x


def softmax(logits):
    """Probabilities along the last axis; a logit of -inf (a masked position) gets 0."""
    exps = np.exp(logits - logits.max(-1, keepdims=True))
    return exps * exps.sum(-1, keepdims=True) ** -1


def softmax_backward(dprobs, probs):
    """Gradient of softmax's logits, given its output probs and the output's gradient dprobs."""
    return probs * (dprobs - (dprobs * probs).sum(-1, keepdims=True))


class ArrayGPT:
    """The GPT with every parameter in one flat float64 vector.

    weights[name] is a (rows, columns) view into that vector, so Adam can
    update all parameters with a handful of whole-vector operations while
    the model reads them as matrices; grads has the same layout. The extra
    weights['layer{i}.attn_wqkv'] views wq, wk and wv stacked as one matrix.
    """

    def __init__(self, config, params, causal=True):
        check_size(config, 'numpy', positions=1)        # before allocating the one-hot table and the rest
        self.config = config
        self.params = np.fromiter(params, dtype=np.float64)    # our own copy, in GPT.parameters() order
        if self.params.shape != (num_params(config),):
            raise ValueError(f"this config has {num_params(config)} parameters, got {self.params.shape}")
        self.grad = np.zeros_like(self.params)
        self.weights, self.grads = self._views(self.params), self._views(self.grad)
        self.causal = causal
        self._future = np.zeros((0, 0))
        self._attn_scale = (config.head_dim ** 0.5) ** -1      # as in the scalar model
        self._onehot = np.eye(config.vocab_size)

    @classmethod
    def initialise(cls, config, rng, std=0.08, causal=True):
        """Fresh weights: the very Gaussian draws GPT.initialise makes, in the same order."""
        return cls(config, (rng.gauss(0, std) for _ in range(num_params(config))), causal)   # drawn once the size is checked

    @classmethod
    def from_gpt(cls, model):
        """The same model (Value or float weights) on arrays."""
        return cls(model.config, [float(getattr(p, 'data', p)) for p in model.parameters()])

    def frozen(self):
        """The same model as a scalar GPT on plain floats (to save, or to compare)."""
        return GPT(self.config, {name: self.weights[name].tolist() for name, _, _ in weight_shapes(self.config)})

    def _views(self, flat):
        """name -> a (rows, columns) view into flat, and each layer's stacked q, k, v matrix."""
        views, offset = {}, 0
        for name, nout, nin in weight_shapes(self.config):
            views[name] = flat[offset:offset + nout * nin].reshape(nout, nin)
            if name.endswith('.attn_wq'):   # wq, wk, wv lie side by side: one matrix gives q, k, v at once
                views[name + 'kv'] = flat[offset:offset + 3 * nout * nin].reshape(3 * nout, nin)
            offset += nout * nin
        return views

    def _mask(self, T):
        """Added to attention logits: -inf hides the future; causal=False lets every position see the
        whole document (an experiment: microgpt itself is causal).

        Built for the longest input so far, not for block_size: a block_size of 22,000 would otherwise
        take 3.9 GB for names of 16 positions.
        """
        if len(self._future) < T:
            self._future = np.triu(np.full((T, T), -np.inf), 1) if self.causal else np.zeros((T, T))
        return self._future[:T, :T]

    def forward(self, inputs):
        """Logits at every position of inputs (token ids), and the activations backward needs.

        The activations are a list: (x, scale) of the normalised embeddings;
        per layer (xn, sn, q, k, v, att, heads, xm, sm, h); the final x.
        """
        c, w = self.config, self.weights
        T, H, hd = len(inputs), c.n_head, c.head_dim
        x, s = rmsnorm(w['wte'][inputs] + w['wpe'][:T])        # row t: token t at position t
        acts = [(x, s)]
        for li in range(c.n_layer):
            name = f'layer{li}.'
            # 1) attention: position t's query meets the keys of positions 0..t
            xn, sn = rmsnorm(x)
            q, k, v = (xn @ w[name + 'attn_wqkv'].T).reshape(T, 3, H, hd).transpose(1, 2, 0, 3)   # each (H, T, hd)
            att = softmax(q @ k.transpose(0, 2, 1) * self._attn_scale + self._mask(T))  # (H, T, T)
            heads = (att @ v).transpose(1, 0, 2).reshape(T, -1)    # the heads side by side: (T, n_embd)
            x = heads @ w[name + 'attn_wo'].T + x
            # 2) MLP
            xm, sm = rmsnorm(x)
            h = np.maximum(xm @ w[name + 'mlp_fc1'].T, 0)
            x = h @ w[name + 'mlp_fc2'].T + x
            acts.append((xn, sn, q, k, v, att, heads, xm, sm, h))
        acts.append(x)
        return x @ w['lm_head'].T, acts

    def _backward(self, dlogits, acts, onehot_inputs):
        """Fill self.grad from the logits' gradient, each forward line undone in reverse."""
        c, w, g = self.config, self.weights, self.grads
        T, H, hd = len(dlogits), c.n_head, c.head_dim
        np.matmul(dlogits.T, acts[-1], out=g['lm_head'])       # logits = x @ lm_head.T
        dx = dlogits @ w['lm_head']
        for li in reversed(range(c.n_layer)):
            name = f'layer{li}.'
            xn, sn, q, k, v, att, heads, xm, sm, h = acts[li + 1]
            # 2) MLP: x = relu(xm @ fc1.T) @ fc2.T + x, so the residual passes dx straight through
            np.matmul(dx.T, h, out=g[name + 'mlp_fc2'])
            dh = (dx @ w[name + 'mlp_fc2']) * (h > 0)          # relu passes gradient where it was active
            np.matmul(dh.T, xm, out=g[name + 'mlp_fc1'])
            dx = dx + rmsnorm_backward(dh @ w[name + 'mlp_fc1'], xm, sm)
            # 1) attention: x = heads @ wo.T + x
            np.matmul(dx.T, heads, out=g[name + 'attn_wo'])
            dheads = (dx @ w[name + 'attn_wo']).reshape(T, H, hd).transpose(1, 0, 2)   # (H, T, hd)
            datt = dheads @ v.transpose(0, 2, 1)                # heads = att @ v
            dv = att.transpose(0, 2, 1) @ dheads
            dlogits_att = softmax_backward(datt, att) * self._attn_scale   # masked entries: att = 0, so 0
            dq = dlogits_att @ k                               # att logits = q @ k.T * scale
            dk = dlogits_att.transpose(0, 2, 1) @ q
            dqkv = np.stack((dq, dk, dv)).transpose(2, 0, 1, 3).reshape(T, -1)   # back to (T, 3*n_embd)
            np.matmul(dqkv.T, xn, out=g[name + 'attn_wqkv'])
            dx = dx + rmsnorm_backward(dqkv @ w[name + 'attn_wqkv'], xn, sn)
        dx = rmsnorm_backward(dx, *acts[0])
        np.matmul(onehot_inputs.T, dx, out=g['wte'])         # each token's row sums its positions' gradients
        g['wpe'][:T] = dx
        g['wpe'][T:] = 0                                      # positions beyond this document: unused

    def _loss_and_grad(self, tokens):
        """Mean cross-entropy of one document (as the scalar engine's); fills self.grad."""
        check_document(tokens, self.config.vocab_size)
        n = min(self.config.block_size, len(tokens) - 1)
        tokens = np.asarray(tokens[:n + 1])
        logits, acts = self.forward(tokens[:-1])
        probs = softmax(logits)
        onehot = self._onehot[tokens]                          # row t: the one-hot of token t
        loss = (1 / n) * -np.log((probs * onehot[1:]).sum(-1)).sum()
        self._backward((probs - onehot[1:]) * (1 / n), acts, onehot[:-1])
        return float(loss)

    def logits(self, tokens):
        """Next-token logits at every position of tokens (at most block_size of them)."""
        if not 1 <= len(tokens) <= self.config.block_size:
            raise ValueError(f"the model sees 1 to {self.config.block_size} tokens, got {len(tokens)}")
        check_token_ids(tokens, self.config.vocab_size)
        return self.forward(np.asarray(tokens))[0]

    def loss(self, tokens):
        """Mean cross-entropy of one document (a token list), without gradients."""
        check_document(tokens, self.config.vocab_size)
        n = min(self.config.block_size, len(tokens) - 1)
        probs = softmax(self.logits(tokens[:n]))
        return float((1 / n) * -np.log(probs[np.arange(n), tokens[1:n + 1]]).sum())

    def loss_and_grads(self, tokens):
        """(loss, {matrix name: gradient array}) for one document, like loss.backward() does."""
        loss = self._loss_and_grad(tokens)
        return loss, {name: self.grads[name].copy() for name, _, _ in weight_shapes(self.config)}


def gap_to_scalar(model, tokens):
    """How far ArrayGPT is from the scalar engine on one document: (loss gap, largest gradient gap).

    model is a scalar GPT; neither it nor its gradients are changed. Chapters call this before any
    result rests on the array engine (chapter 10 builds it): both gaps are float rounding, ~1e-16.
    """
    thawed = model.thawed()
    loss = document_loss(thawed, tokens)
    loss.backward()
    array_loss, array_grads = ArrayGPT.from_gpt(model).loss_and_grads(tokens)
    grad_gap = max(abs(p.grad - g) for name, matrix in thawed.weights.items()
                   for row, array_row in zip(matrix, array_grads[name]) for p, g in zip(row, array_row))
    return abs(loss.data - array_loss), float(grad_gap)


class Adam:
    """Adam over the flat parameter vector: the scalar Adam's arithmetic, on whole vectors in place."""

    def __init__(self, params, learning_rate=0.01, beta1=0.85, beta2=0.99, eps=1e-8):
        self.params = params
        self.learning_rate, self.beta1, self.beta2, self.eps = learning_rate, beta1, beta2, eps
        self.m = np.zeros_like(params)
        self.v = np.zeros_like(params)
        self.t = 0
        # scratch space: in-place operations on preallocated vectors, no fresh memory every step
        self._update, self._denominator = np.empty_like(params), np.empty_like(params)

    def step(self, grad, lr):
        """Move every parameter against its gradient, in place."""
        self.t += 1
        b1, b2, m, v = self.beta1, self.beta2, self.m, self.v
        update, denominator = self._update, self._denominator
        m *= b1
        m += np.multiply(1 - b1, grad, out=update)                  # m = b1 * m + (1 - b1) * g
        # Where the gradient stays 0 (a ReLU unit that never fires), m shrinks into subnormal floats
        # and stays there (0.85 times the smallest float rounds back to itself), which the processor
        # handles many times more slowly. Such an m moves no parameter by even one bit: make it 0.
        m[np.abs(m, out=update) < 1e-300] = 0.0
        v *= b2
        v += np.multiply(1 - b2, np.square(grad, out=update), out=update)   # v = b2 * v + (1 - b2) * g**2
        np.divide(v, 1 - b2 ** self.t, out=denominator)             # v_hat
        np.sqrt(denominator, out=denominator)
        denominator += self.eps
        np.divide(m, 1 - b1 ** self.t, out=update)                  # m_hat
        update *= lr
        update /= denominator
        self.params -= update                                       # p -= lr * m_hat / (v_hat ** 0.5 + eps)


def train(model, documents, num_steps=1000, learning_rate=0.01):
    """Train an ArrayGPT in place on documents (token lists), one per step, in order.

    A generator yielding (step, loss) after every step, like microgpt_lib.train.train,
    and raising TrainingDiverged at the same step as it does.
    """
    if not isinstance(model, ArrayGPT):
        raise TypeError(f"arrays.train trains an ArrayGPT, got {type(model).__name__}: "
                        f"convert it with ArrayGPT.from_gpt(model)")
    num_steps = whole_number('num_steps', num_steps)
    if not documents:
        raise ValueError("there are no documents to train on")
    optimizer = Adam(model.params, learning_rate)
    for step in range(num_steps):
        with np.errstate(all='ignore'):      # a diverging run makes inf and nan: reported below, not warned about
            loss = model._loss_and_grad(documents[step % len(documents)])
            optimizer.step(model.grad, linear_decay(learning_rate, step, num_steps))
        # an infinite v is where the scalar engine's grad ** 2 overflows (an OverflowError there)
        if not (np.isfinite(loss) and np.isfinite(model.params).all() and np.isfinite(optimizer.v).all()):
            raise TrainingDiverged(step)
        yield step, loss


def sample(model, tokenizer, rng, temperature=0.5):
    """One new document, drawing from rng exactly as the scalar engine's sample() does."""
    check_temperature(temperature)
    check_tokenizer(model, tokenizer)
    inv_t = temperature ** -1
    tokens = [tokenizer.BOS]
    for _ in range(model.config.block_size):
        logits = model.logits(tokens)[-1]
        with np.errstate(over='ignore'):
            scaled = logits * inv_t
        probs = most_likely(logits.tolist()) if np.isinf(scaled.max()) else softmax(scaled).tolist()
        token_id = rng.choices(range(tokenizer.vocab_size), weights=probs)[0]
        if token_id == tokenizer.BOS:
            break
        tokens.append(token_id)
    return tokenizer.decode(tokens[1:])


def sample_names(model, tokenizer, rng, temperature=0.5, num_samples=20):
    """num_samples new documents, drawn one after another from rng."""
    check_temperature(temperature)
    check_tokenizer(model, tokenizer)
    return [sample(model, tokenizer, rng, temperature) for _ in range(num_samples)]
