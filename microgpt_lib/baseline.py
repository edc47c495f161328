"""A yardstick for the loss: a fixed train/held-out split and a count-based bigram model."""
import math
import random

from .model import check_token_ids, whole_number


def split_docs(docs, seed=42):
    """(training, held-out): the documents shuffled as microgpt shuffles them, cut 90/10.

    The shuffle is microgpt's first draw from random.Random(seed), so the
    training part begins with the very documents microgpt trains on, in
    its order; the last 10% are never trained on.
    """
    docs = list(docs)
    if len(docs) < 2:
        raise ValueError(f"a split needs at least 2 documents, got {len(docs)}")
    random.Random(seed).shuffle(docs)
    cut = int(0.9 * len(docs))
    return docs[:cut], docs[cut:]


def tokens_loss(probs, tokens):
    """Mean negative log-probability (nats) of each next token of tokens, probs[current][following] its probability."""
    nll = [-math.log(p) if p else math.inf for p in (probs[a][b] for a, b in zip(tokens, tokens[1:]))]
    return sum(nll) / len(nll)


def mean_loss(document_loss, documents):
    """The mean over documents of document_loss(tokens): how microgpt's losses are compared."""
    return sum(map(document_loss, documents)) / len(documents)


class Bigram:
    """Next-token probabilities from counting which token follows which.

    Every pair also gets `smoothing` extra counts (add-one by default), so a
    pair never seen in training still has a small probability rather than 0.
    """

    def __init__(self, documents, vocab_size, smoothing=1):
        if not (smoothing >= 0 and math.isfinite(smoothing)):
            raise ValueError(f"smoothing must be a finite number of at least 0, got {smoothing!r}")
        vocab_size = whole_number('vocab_size', vocab_size)
        self.counts = [[smoothing] * vocab_size for _ in range(vocab_size)]
        for tokens in documents:
            check_token_ids(tokens, vocab_size)     # a negative id would count as the last row
            for current, following in zip(tokens, tokens[1:]):
                self.counts[current][following] += 1
        totals = [sum(row) for row in self.counts]     # 0 only for a token never followed
        self.probs = [[c / total if total else 0.0 for c in row]
                      for row, total in zip(self.counts, totals)]

    def document_loss(self, tokens):
        """Mean negative log-probability (nats) of each next token of one document."""
        check_token_ids(tokens, len(self.probs))
        return tokens_loss(self.probs, tokens)

    def loss(self, documents):
        """The mean document loss over documents (token lists, BOS at both ends)."""
        return mean_loss(self.document_loss, documents)
