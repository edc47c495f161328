"""Training: the loss of one document, one optimisation step, and the loop."""
from .engine import gc_paused
from .nn import softmax
from .optim import Adam, linear_decay


def document_loss(model, tokens):
    """Mean cross-entropy of predicting each next token of one document."""
    n = min(model.config.block_size, len(tokens) - 1)
    keys, values = model.new_cache()
    losses = []
    for pos_id in range(n):
        logits = model(tokens[pos_id], pos_id, keys, values)
        probs = softmax(logits)
        losses.append(-probs[tokens[pos_id + 1]].log())
    return (1 / n) * sum(losses)


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
    print, plot or stop early.
    """
    if type(num_steps) is not int or num_steps < 1:
        raise ValueError(f"num_steps must be a whole number of at least 1, got {num_steps!r}")
    if not documents:
        raise ValueError("there are no documents to train on")
    optimizer = Adam(model.parameters(), learning_rate)
    for step in range(num_steps):
        tokens = documents[step % len(documents)]
        with gc_paused():
            loss = train_step(model, optimizer, tokens, linear_decay(learning_rate, step, num_steps))
        yield step, loss
