"""Sampling: the model invents a document one character at a time."""
import math
import numbers

from .model import MEMORY_LIMIT, training_cost
from .nn import data, softmax

# Multiply-adds a second when sampling, measured on a slow shared core: the scalar engine on floats,
# and NumPy on whole prefixes
SAMPLING_RATE = {'scalar': 3 * 10**6, 'numpy': 4 * 10**8}
MAX_SAMPLING_MINUTES = 45       # the default model's 100,000 samples, each at full length, take some 35


def check_temperature(temperature):
    """Temperature divides the logits: it must be a finite number above 0 (a NumPy number too)."""
    try:
        bad = isinstance(temperature, bool) or not isinstance(temperature, numbers.Real) \
            or not math.isfinite(temperature) or temperature <= 0
    except OverflowError:       # an int beyond every float, e.g. 10**400 in an edited checkpoint
        raise ValueError("temperature must be a finite number above 0, got an integer too large "
                         "for a float") from None
    if bad:
        raise ValueError(f"temperature must be a finite number above 0, got {temperature!r}")
    try:
        temperature ** -1
    except OverflowError:
        raise ValueError(f"temperature {temperature!r} is too small: 1/temperature overflows") from None


def check_tokenizer(model, tokenizer):
    """The model's own tokenizer: one token per row of the model's output."""
    if tokenizer.vocab_size != model.config.vocab_size:
        raise ValueError(f"the tokenizer has {tokenizer.vocab_size} tokens (BOS included) but the model's "
                         f"vocab_size is {model.config.vocab_size}: use the tokenizer it was trained with")


def sampling_cost(config, engine='scalar', num_samples=20):
    """(multiply-adds, bytes) of sampling num_samples documents in the worst case: all block_size positions.

    A position costs the lm_head and 12 n_embd**2 per layer, plus 2 n_embd per position attended to.
    The scalar engine keeps a KV cache: position t attends to t + 1 positions. The NumPy engine
    reruns the whole prefix at every position (t + 1 rows at position t), so it holds what a training
    step on a whole block holds.
    """
    c, B = config, config.block_size
    per_row = c.vocab_size * c.n_embd + 12 * c.n_layer * c.n_embd ** 2
    attend = 2 * c.n_layer * c.n_embd
    if engine == 'numpy':
        rows, attended = B * (B + 1) // 2, B * (B + 1) * (2 * B + 1) // 6     # sums of t and of t**2, t = 1..B
        work, memory = per_row * rows + attend * attended, training_cost(c, engine, B)[2]
    else:
        work, memory = per_row * B + attend * B * (B + 1) // 2, 64 * c.n_layer * B * c.n_embd   # the cache's floats
    return num_samples * work, memory if num_samples else 0


def check_sampling_cost(config, engine='scalar', num_samples=20):
    """Refuse, with the numbers, sampling that could take longer than MAX_SAMPLING_MINUTES or MEMORY_LIMIT."""
    work, memory = sampling_cost(config, engine, num_samples)
    minutes = work / SAMPLING_RATE[engine] / 60
    if minutes > MAX_SAMPLING_MINUTES:
        raise ValueError(f"sampling {num_samples:,} documents could take some {minutes:,.0f} minutes on the "
                         f"{engine} engine: each may run all {config.block_size:,} positions, about {work:,} "
                         f"multiply-adds in all (the limit is {MAX_SAMPLING_MINUTES} minutes); ask for fewer "
                         f"samples or use a smaller block_size")
    if memory > MEMORY_LIMIT:
        raise ValueError(f"sampling needs about {-(-memory // 10**9):,} GB on the {engine} engine with a "
                         f"block_size of {config.block_size:,} (the limit is {MEMORY_LIMIT // 10**9} GB)")


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
    if math.isinf(max(map(data, scaled))):   # so cold that the largest logit / temperature overflows
        return most_likely(logits)            # (to -inf if all are negative): take the limit
    return softmax(scaled)


def sample(model, tokenizer, rng, temperature=0.5):
    """One new document. Use model.frozen() for speed: the draws are identical."""
    check_temperature(temperature)
    check_tokenizer(model, tokenizer)
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
    check_tokenizer(model, tokenizer)
    fast = model.frozen()
    return [sample(fast, tokenizer, rng, temperature) for _ in range(num_samples)]


def prefix_probs(model, tokenizer, prefix, temperature=0.5):
    """Probabilities of each token coming next after BOS + prefix.

    Index BOS is the chance that the document ends here.
    """
    check_temperature(temperature)
    check_tokenizer(model, tokenizer)
    tokens = [tokenizer.BOS] + tokenizer.encode(prefix)
    if len(tokens) > model.config.block_size:
        raise ValueError(f"the prefix is too long: the model sees at most "
                         f"{model.config.block_size - 1} characters after BOS")
    fast = model.frozen()
    keys, values = fast.new_cache()
    for pos_id, token_id in enumerate(tokens):
        probs = next_token_probs(fast, token_id, pos_id, keys, values, temperature)
    return probs
