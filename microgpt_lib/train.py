"""Training: the loss of one document, one optimisation step, and the loop."""
import math

from .engine import Value, gc_paused
from .model import check_token_ids, whole_number
from .nn import softmax
from .optim import Adam, linear_decay


class TrainingDiverged(ValueError):
    """The loss or the weights stopped being finite numbers: the learning rate is too high."""

    def __init__(self, step):
        super().__init__(f"training diverged at step {step + 1}: the loss or the weights are no longer "
                         f"finite numbers; try a lower learning rate")
        self.step = step


def check_document(tokens, vocab_size):
    """A document to learn from: at least two token ids (BOS ... BOS), each in range."""
    if len(tokens) < 2:
        raise ValueError(f"a document needs at least 2 tokens (BOS, its characters, BOS), got {list(tokens)}")
    check_token_ids(tokens, vocab_size)


def position_losses(model, tokens):
    """The cross-entropy of each next token of one document, one per position (at most block_size)."""
    check_document(tokens, model.config.vocab_size)
    n = min(model.config.block_size, len(tokens) - 1)
    keys, values = model.new_cache()
    losses = []
    for pos_id in range(n):
        logits = model(tokens[pos_id], pos_id, keys, values)
        probs = softmax(logits)
        losses.append(-probs[tokens[pos_id + 1]].log())
    return losses


def document_loss(model, tokens):
    """Mean cross-entropy of predicting each next token of one document."""
    losses = position_losses(model, tokens)
    return (1 / len(losses)) * sum(losses)


def train_step(model, optimizer, tokens, lr):
    """Forward, backward, update; returns the loss as a float.

    The step's graph dies with this frame, so the caller may pause the
    garbage collector around it without memory growing.
    """
    loss = document_loss(model, tokens)
    loss.backward()
    optimizer.step(lr)
    return loss.data


def train(model, documents, num_steps=1000, learning_rate=0.01):
    """Train on documents (token lists), one per step, in order.

    A generator: yields (step, loss) after every step, so the caller can
    print, plot or stop early. Raises TrainingDiverged (before yielding that
    step) once the loss or a weight is no longer a finite number.
    """
    num_steps = whole_number('num_steps', num_steps)
    if not documents:
        raise ValueError("there are no documents to train on")
    params = model.parameters()
    if not all(isinstance(p, Value) for p in params):
        raise TypeError("train needs a model on Values, not plain floats (model.frozen() cannot learn): "
                        "pass model.thawed()")
    optimizer = Adam(params, learning_rate)
    for step in range(num_steps):
        tokens = documents[step % len(documents)]
        check_document(tokens, model.config.vocab_size)     # so that the errors caught below are arithmetic
        with gc_paused():
            try:
                loss = train_step(model, optimizer, tokens, linear_decay(learning_rate, step, num_steps))
            except (ValueError, OverflowError):     # log of a probability that rounded to 0, or grad ** 2 overflowed
                loss = math.nan
        if not (math.isfinite(loss) and all(math.isfinite(p.data) for p in params)):
            raise TrainingDiverged(step)
        yield step, loss
