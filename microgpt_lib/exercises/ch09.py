"""Checks for chapter 09's exercises: sampling with temperature."""
import math
from functools import lru_cache

from ..checkpoint import load_checkpoint
from ..data import DATA_DIR
from ..nn import softmax
from ..sample import prefix_probs
from . import exercise, judge, read_number, read_numbers, report, shown, unanswered

LOGITS, TEMPERATURE = [2.0, 1.0, 0.0], 0.5
END_PREFIX = 'emma'


@lru_cache(maxsize=1)
def trained_model():
    """The shipped trained model and its tokenizer."""
    model, tokenizer, _, _ = load_checkpoint(DATA_DIR / 'microgpt_seed42.json')
    return model.frozen(), tokenizer


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
        return report([], success=f"✅ Correct! Greedy decoding always writes '{expected}': no randomness, "
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
        success=f"✅ Correct! After '{END_PREFIX}' the name ends with probability {got:.1%}.")
