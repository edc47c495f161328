"""A look inside a trained model: where its embeddings put the characters, how often its MLP's
units fire, and how far each training step moves each weight matrix.

These are the diagnostics of Karpathy's makemore, parts 2 and 3, on microgpt. They run on the
array engine (chapter 10), which computes the same numbers as the scalar one, only faster.
"""
import random
from dataclasses import dataclass

import numpy as np

from . import arrays
from .data import load_docs
from .model import Config, weight_shapes
from .tokenizer import Tokenizer


def on_arrays(model):
    """model (a scalar GPT, on Values or floats, or an ArrayGPT) as an ArrayGPT."""
    return model if isinstance(model, arrays.ArrayGPT) else arrays.ArrayGPT.from_gpt(model)


def token_labels(tokenizer):
    """Each token's name, by id: its character, and 'BOS'."""
    return list(tokenizer.uchars) + ['BOS']


@dataclass
class EmbeddingMap:
    """The token embeddings projected on their two first principal components."""
    labels: list        # a token's name per row
    points: np.ndarray  # (vocab_size, 2): each token's coordinates on the two components
    shares: tuple       # the share of the embeddings' variance each component keeps

    @property
    def kept(self):
        """The share of the embeddings' variance the two components keep together."""
        return sum(self.shares)

    def along(self, axis=0):
        """The labels in order along one component, from its lowest to its highest coordinate."""
        return [self.labels[i] for i in np.argsort(self.points[:, axis])]


def embedding_map(model, tokenizer):
    """The rows of `wte` (one per token) seen from the two directions in which they spread most.

    The embeddings are centred on their mean and split by SVD; the first two right singular
    vectors are those directions. Each direction's sign is arbitrary; it is chosen so that the
    token farthest along it lies on its positive side, which keeps a picture the same from run
    to run.
    """
    wte = on_arrays(model).weights['wte']
    centred = wte - wte.mean(axis=0)
    _, singular, directions = np.linalg.svd(centred, full_matrices=False)
    points = centred @ directions[:2].T
    farthest = np.abs(points).argmax(axis=0)
    points *= np.sign(points[farthest, [0, 1]])
    variance = singular ** 2
    return EmbeddingMap(token_labels(tokenizer), points, tuple(float(v) for v in variance[:2] / variance.sum()))


def nearest(model, tokenizer, label):
    """The token whose embedding is nearest (Euclidean distance, in all n_embd dimensions) to label's."""
    labels = token_labels(tokenizer)
    wte = on_arrays(model).weights['wte']
    distances = np.linalg.norm(wte - wte[labels.index(label)], axis=1)
    distances[labels.index(label)] = np.inf        # every token is nearest to itself
    return labels[int(distances.argmin())]


def firing_rates(model, documents):
    """Per layer, each MLP hidden unit's share of positions where its ReLU fires (output > 0).

    documents are token lists; every position the loss reads counts (the first block_size).
    """
    model = on_arrays(model)
    fired = np.zeros((model.config.n_layer, 4 * model.config.n_embd))
    positions = 0
    for tokens in documents:
        n = min(model.config.block_size, len(tokens) - 1)
        _, acts = model.forward(np.asarray(tokens[:n]))
        for li, layer in enumerate(acts[1:-1]):
            fired[li] += (layer[-1] > 0).sum(axis=0)      # layer[-1] is h, the ReLU's output
        positions += n
    return fired / positions


@dataclass
class Dead:
    """How much of one layer's MLP stays off, from its units' firing rates."""
    rates: np.ndarray   # each hidden unit's share of positions where it fires

    @property
    def never_fire(self):
        """The share of units that fire on no position at all: dead ReLUs."""
        return float((self.rates == 0).mean())

    @property
    def zero(self):
        """The share of all activations (units times positions) that are 0."""
        return float(1 - self.rates.mean())


def dead_relus(model, documents):
    """Per layer, a Dead: how many MLP units never fire on documents, and how many outputs are 0."""
    return [Dead(rates) for rates in firing_rates(model, documents)]


def original_start(seed=42):
    """(tokenizer, ArrayGPT, documents): microgpt's start, the names shuffled, then the weights drawn."""
    rng = random.Random(seed)
    docs = load_docs()
    rng.shuffle(docs)
    tokenizer = Tokenizer.from_docs(docs)
    model = arrays.ArrayGPT.initialise(Config(tokenizer.vocab_size), rng)
    return tokenizer, model, [tokenizer.document(doc) for doc in docs]


def update_ratios(model, documents, num_steps=1000, learning_rate=0.01):
    """Train model (an ArrayGPT) in place with arrays.train; per matrix name, log10(|update| / |weight|)
    at every step.

    |update| is the (Frobenius) norm of what the step changed in the matrix, |weight| the matrix's
    norm before the step. Karpathy's makemore part 3 plots the same ratio with standard deviations.
    """
    names = [name for name, _, _ in weight_shapes(model.config)]
    ratios = {name: np.empty(num_steps) for name in names}
    previous = {name: model.weights[name].copy() for name in names}     # as they were before this step
    for step, _ in arrays.train(model, documents, num_steps, learning_rate):
        for name in names:
            update = model.weights[name] - previous[name]
            ratios[name][step] = np.log10(np.linalg.norm(update) / np.linalg.norm(previous[name]))
            previous[name][:] = model.weights[name]
    return ratios
