"""Sampling: the model invents a document one character at a time."""
import math
import numbers

from .nn import data, softmax


def check_temperature(temperature):
    """Temperature divides the logits: it must be a finite number above 0 (a NumPy number too)."""
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real) \
            or not math.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"temperature must be a finite number above 0, got {temperature!r}")
    try:
        temperature ** -1
    except OverflowError:
        raise ValueError(f"temperature {temperature!r} is too small: 1/temperature overflows") from None


def most_likely(logits):
    """The limit of softmax(logits / temperature) as the temperature goes to 0.

    The largest logit takes all the probability (tied largest ones share it).
    """
    top = max(map(data, logits))
    ties = sum(data(l) == top for l in logits)
    return [float(data(l) == top) / ties for l in logits]


def next_token_probs(model, token_id, pos_id, keys, values, temperature):
    """Probabilities of the next token at this temperature (Values or floats, like the model)."""
    logits = model(token_id, pos_id, keys, values)
    inv_t = float(temperature) ** -1  # l * inv_t is exactly the original's l / temperature, even for a float32
    scaled = [l * inv_t for l in logits]
    if max(map(data, scaled)) == math.inf:   # so cold that a logit / temperature overflows: take the limit
        return most_likely(logits)
    return softmax(scaled)


def sample(model, tokenizer, rng, temperature=0.5):
    """One new document. Use model.frozen() for speed: the draws are identical."""
    check_temperature(temperature)
    keys, values = model.new_cache()
    token_id, out = tokenizer.BOS, []
    for pos_id in range(model.config.block_size):
        probs = next_token_probs(model, token_id, pos_id, keys, values, temperature)
        token_id = rng.choices(range(tokenizer.vocab_size), weights=[data(p) for p in probs])[0]
        if token_id == tokenizer.BOS:
            break
        out.append(token_id)
    return tokenizer.decode(out)


def sample_names(model, tokenizer, rng, temperature=0.5, num_samples=20):
    """num_samples new documents, drawn one after another from rng."""
    check_temperature(temperature)
    fast = model.frozen()
    return [sample(fast, tokenizer, rng, temperature) for _ in range(num_samples)]


def prefix_probs(model, tokenizer, prefix, temperature=0.5):
    """Probabilities of each token coming next after BOS + prefix.

    Index BOS is the chance that the document ends here.
    """
    check_temperature(temperature)
    tokens = [tokenizer.BOS] + tokenizer.encode(prefix)
    if len(tokens) > model.config.block_size:
        raise ValueError(f"the prefix is too long: the model sees at most "
                         f"{model.config.block_size - 1} characters after BOS")
    fast = model.frozen()
    keys, values = fast.new_cache()
    for pos_id, token_id in enumerate(tokens):
        probs = next_token_probs(fast, token_id, pos_id, keys, values, temperature)
    return probs
