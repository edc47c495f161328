"""Checks for chapter 09's exercises: sampling with temperature."""
import math
import random
from functools import lru_cache

from ..checkpoint import load_checkpoint
from ..data import DATA_DIR
from ..nn import softmax
from ..sample import prefix_probs, sample, sample_names
from . import (Mistake, attempt, check_number, exercise, judge, piece, read_number, read_numbers, report,
               shown, unanswered)

LOGITS, TEMPERATURE = [2.0, 1.0, 0.0], 0.5
END_PREFIX = 'emma'


@lru_cache(maxsize=1)
def trained_model():
    """The shipped trained model and its tokenizer."""
    model, tokenizer, _, _ = load_checkpoint(DATA_DIR / 'microgpt_seed42.json')
    return model.frozen(), tokenizer


# The piece: sampling one name at a temperature

SEEDS_AND_TEMPERATURES = [(1, 0.3), (2, 0.5), (3, 0.8), (4, 1.6)]     # none is 1: see below
NAMES_PER_SEED = 10


@piece(sample, name='sample_name')
def check_sample_name(sample_name):
    """sample_name(model, tokenizer, rng, temperature) against microgpt_lib's sample: the same names,
    drawn one after another from the same generator, at four seeds and temperatures."""
    model, tokenizer = trained_model()
    for seed, t in SEEDS_AND_TEMPERATURES:
        rng = random.Random(seed)
        try:
            got = [attempt(sample_name, model, tokenizer, rng, t) for _ in range(NAMES_PER_SEED)]
        except Mistake as e:
            if 'IndexError' not in str(e):
                raise
            return report([f"{e}: when the drawn token is BOS, stop (break) before adding it to the name, "
                           f"since BOS has no character"])
        expected = sample_names(model, tokenizer, random.Random(seed), t, NAMES_PER_SEED)
        if got != expected:
            return report([sample_name_problem(got, expected, model, tokenizer, seed, t)])
    return report([], success=f"OK: your sample_name draws exactly microgpt_lib's "
                              f"{len(SEEDS_AND_TEMPERATURES) * NAMES_PER_SEED} names.")


def sample_name_problem(got, expected, model, tokenizer, seed, t):
    """One sentence on why these names differ from microgpt_lib's, naming the typical mistake they show."""
    where = f"from random.Random({seed}) at T = {t}"
    if not all(isinstance(name, str) for name in got):
        return (f"{where} sample_name returned {shown(got[0], 30)}, not a string: build the name with "
                f"name += tokenizer.uchars[token_id]")
    if got == sample_names(model, tokenizer, random.Random(seed), 1.0, len(got)):
        return (f"{where} your names are the ones T = 1 gives ({shown(got[:3], 50)}): the temperature was "
                f"applied to the probabilities instead of the logits (the draw rescales the weights, so that "
                f"changes nothing); divide each logit by T, then softmax")
    if got == sample_names(model, tokenizer, random.Random(seed), t ** -1, len(got)):
        return (f"{where} your names are the ones T = {1 / t:.3g} gives: you multiplied the logits by T; "
                f"divide them instead (l * temperature ** -1)")
    if any(g.startswith(e) and len(g) > len(e) for g, e in zip(got, expected)):
        return (f"{where} your names run on past their end (first {shown(got[0], 30)}, expected "
                f"{shown(expected[0], 30)}): stop at BOS, breaking out of the loop as soon as it is drawn")
    return (f"{where} your first names are {shown(got[:3], 50)}, microgpt_lib's {shown(expected[:3], 50)}: start "
            f"from BOS at position 0 with a fresh cache, and draw each token with "
            f"rng.choices(range(tokenizer.vocab_size), weights=probs)[0], one draw per position")


@exercise
def check_temperature_probs(answer):
    """Exercise 1: the probabilities of logits [2, 1, 0] at temperature 0.5."""
    got = read_numbers(answer, len(LOGITS), "a list of 3 numbers, one probability per logit")
    if got is None:
        return False
    if not math.isclose(sum(got), 1, abs_tol=0.01):
        otherwise = (f"your numbers add up to {sum(got):.4f}, but probabilities add up to 1: "
                     f"did you apply the softmax (exp of each, divided by the total)?")
    else:
        otherwise = (f"{shown(list(got))} is not it: at T = 0.5 the logits become [4.0, 2.0, 0.0]; "
                     f"the first probability should be the largest, about 0.87")
    return judge(got, softmax([l / TEMPERATURE for l in LOGITS]), [
        (softmax(LOGITS), "these are the probabilities at T = 1: divide every logit by T = 0.5 before the softmax"),
        (softmax([l * TEMPERATURE for l in LOGITS]),
         "you multiplied the logits by T; divide them instead "
         "(a small T makes the gaps between logits larger, so the distribution gets sharper)"),
    ], otherwise)


def greedy_name(model, tokenizer):
    """The name the model writes when it always takes the most likely next token."""
    keys, values = model.new_cache()
    token_id, name = tokenizer.BOS, ''
    for pos_id in range(model.config.block_size):
        logits = model(token_id, pos_id, keys, values)
        token_id = max(range(len(logits)), key=lambda i: logits[i])
        if token_id == tokenizer.BOS:
            break
        name += tokenizer.uchars[token_id]
    return name


@exercise
def check_greedy_name(answer):
    """Exercise 2: the name the trained model writes greedily."""
    if unanswered(answer):
        return False
    if not isinstance(answer, str):
        return report([f"give the name as a string, e.g. 'anna', not a {type(answer).__name__}"])
    expected = greedy_name(*trained_model())
    if answer == expected:
        return report([], success=f"Correct! Greedy decoding always writes '{expected}': no randomness, "
                                  f"so no variety either.")
    if expected.startswith(answer):
        problem = (f"'{answer}' stops too early: keep taking the most likely token until that token is BOS")
    elif answer.startswith(expected):
        problem = f"'{answer}' goes on too long: stop as soon as the most likely token is BOS"
    else:
        problem = (f"'{answer}' is not the greedy name: start from BOS at position 0 and at every step "
                   f"take the token with the largest logit (no rng at all); the name starts with "
                   f"'{expected[0]}'")
    return report([problem])


@exercise
def check_end_probability(answer):
    """Exercise 3: the probability that a name ends right after 'emma', at temperature 1."""
    got = read_number(answer, "one number, a probability")
    if got is None:
        return False
    model, tokenizer = trained_model()
    probs = prefix_probs(model, tokenizer, END_PREFIX, 1.0)
    other_token = (f"that is the probability of another token: the end of a name is BOS, "
                   f"index tokenizer.BOS = {tokenizer.BOS}")
    return judge(got, probs[tokenizer.BOS], [
        (prefix_probs(model, tokenizer, END_PREFIX, 0.5)[tokenizer.BOS],
         "that is the probability at temperature 0.5: the question asks for T = 1.0"),
        (100 * probs[tokenizer.BOS], "that is a percentage: give the probability as a number between 0 and 1"),
    ] + [(p, other_token) for i, p in enumerate(probs) if i != tokenizer.BOS],
        f"{got!r} is not it: run the model on BOS + '{END_PREFIX}' at T = 1.0 and read "
        f"the probability of BOS, the token that ends a name",
        success=f"Correct! After '{END_PREFIX}' the name ends with probability {got:.1%}.")


# Exercise 4, an experiment: a model that sees few names many times copies them.

FEW_NAMES, NUM_STEPS, NUM_SAMPLES = 50, 1000, 100


@lru_cache(maxsize=1)
def names_after_training_on_few(num_names=FEW_NAMES):
    """(training names, all names, 100 samples at T = 0.5 from random.Random(0)) after 1000 steps
    on only the first num_names of the shuffled file, on the array engine, from the original's start."""
    from .. import arrays       # NumPy is imported only when needed
    from ..data import load_docs
    from ..model import Config
    from ..tokenizer import Tokenizer
    rng = random.Random(42)
    docs = load_docs()
    rng.shuffle(docs)
    tokenizer = Tokenizer.from_docs(docs)
    model = arrays.ArrayGPT.initialise(Config(tokenizer.vocab_size), rng)
    few = docs[:num_names]
    for _ in arrays.train(model, [tokenizer.document(doc) for doc in few], NUM_STEPS):
        pass
    return few, docs, arrays.sample_names(model, tokenizer, random.Random(0), 0.5, NUM_SAMPLES)


@exercise
def check_copies(answer):
    """Exercise 4: how many of 100 samples copy one of the 50 names the model trained on."""
    few, docs, samples = names_after_training_on_few()
    copies = [name for name in samples if name in few]
    real = [name for name in samples if name in docs]
    return check_number(answer, len(copies), {
        len(real): "that counts every real name; count only the names it trained on, the first 50",
        len(set(copies)): "that counts each copied name once; count every sample that is a copy",
        NUM_SAMPLES - len(copies): "that is the number of samples that are NOT copies",
    }, f"train 1000 steps on the first {FEW_NAMES} shuffled names (the array engine, seed 42, "
       f"as chapter 08 starts), then count how many of {NUM_SAMPLES} samples at T = 0.5 "
       f"(random.Random(0)) are one of those {FEW_NAMES} names")
