"""Checks for chapter 08's exercises and its piece: the training loop."""
from functools import lru_cache

from ..data import DATA_DIR
from ..engine import Value
from ..optim import Adam, linear_decay
from ..train import train_step as train_step_of_microgpt_lib
from . import (ROUNDED_TOO_FAR, as_number, attempt, close, exercise, judge, piece, read_numbers,
               report, roughly, shown)

LEARNING_RATE, NUM_STEPS = 0.01, 1000
LR_STEPS = (0, 500, 999)


@exercise
def check_learning_rates(answer):
    """Exercise 1: the learning rate at steps 0, 500 and 999 of 1000 (starting from 0.01)."""
    got = read_numbers(answer, len(LR_STEPS), f"three numbers, the learning rates at steps {LR_STEPS}")
    if got is None:
        return False
    expected = [linear_decay(LEARNING_RATE, s, NUM_STEPS) for s in LR_STEPS]
    if not close(got[0], LEARNING_RATE):
        otherwise = f"step 0 uses the full learning rate, 0.01, not {got[0]!r}"
    else:
        otherwise = "the rate falls in a straight line from 0.01 at step 0 to 0 at step 1000: 0.01 * (1 - step / 1000)"
    return judge(got, expected, [
        ([linear_decay(LEARNING_RATE, s + 1, NUM_STEPS) for s in LR_STEPS],
         "steps count from 0, so use step itself, not step + 1: the first step gets the full 0.01, "
         "and the last one (999) still gets a little, not 0"),
        ([LEARNING_RATE * s / NUM_STEPS for s in LR_STEPS],
         "your learning rate grows; it should start at 0.01 and fall towards 0: 0.01 * (1 - step / 1000)"),
        (expected[:2] + [0.0], "the last step, 999, still gets a little: 0.01 * (1 - 999 / 1000) = 0.00001, not 0"),
    ], otherwise)


def reference_losses():
    """The 1000 losses the original program printed (4 decimals)."""
    lines = (DATA_DIR / 'microgpt_seed42_default.txt').read_text(encoding='utf-8').splitlines()
    return [float(line.rsplit(' ', 1)[1]) for line in lines if line.startswith('step ')]


PRINTED_PRECISION = 5e-5    # the printed losses are rounded to 4 decimals, and so may be their means


@exercise
def check_loss_means(answer):
    """Exercise 3: the mean loss of the first 50 steps and of the last 100 steps."""
    got = read_numbers(answer, 2, "two numbers, (mean of the first 50 losses, mean of the last 100)")
    if got is None:
        return False
    losses = reference_losses()
    mean = lambda xs: sum(xs) / len(xs)
    first, last = mean(losses[:50]), mean(losses[-100:])
    def near(x, y):
        return close(x, y, abs_tol=PRINTED_PRECISION)
    if near(got, (first, last)):
        return report([], success=f"Correct! From {first:.2f} to {last:.2f}: the model learnt, "
                                  f"though single steps still jump around.")
    if near(got, (last, first)):
        problem = "you swapped them: the first 50 steps come first, and their mean is the larger"
    elif near(got[1], mean(losses[-50:])):
        problem = "the second number is the mean of the last 50 losses; take the last 100: losses[-100:]"
    elif near(got[0], mean(losses[:100])):
        problem = "the first number is the mean of the first 100 losses; take the first 50: losses[:50]"
    elif roughly(got, (first, last)):
        problem = ROUNDED_TOO_FAR
    else:
        problem = (f"({got[0]!r}, {got[1]!r}) is not it: use sum(xs) / len(xs) on losses[:50] and "
                   f"on losses[-100:], where losses are the 1000 losses of the training run")
    return report([problem])


# Exercise 2, an experiment: what attention buys after longer training.

LONG_STEPS = 10_000
PART_WEIGHTS = {'attention': 'layer0.attn_wo', 'MLP': 'layer0.mlp_fc2', 'position': 'wpe'}


@lru_cache(maxsize=None)
def held_out_loss(num_steps, off=()):
    """microgpt's loss on the held-out names after num_steps on the array engine (from the
    original's start, on the training split in order), with the parts named in `off` (a tuple)
    held at 0."""
    import random
    from .. import arrays       # NumPy is imported only when needed
    from ..baseline import mean_loss, split_docs
    from ..data import load_docs
    from ..model import Config
    from ..tokenizer import Tokenizer
    docs = load_docs()
    tokenizer = Tokenizer.from_docs(docs)
    rng = random.Random(42)
    rng.shuffle(docs)                   # the original's first draws, before the weights
    model = arrays.ArrayGPT.initialise(Config(tokenizer.vocab_size), rng)
    training, held_out = split_docs(load_docs())

    def switch_off():
        for part in off:
            model.weights[PART_WEIGHTS[part]][:] = 0

    switch_off()
    for _ in arrays.train(model, [tokenizer.document(doc) for doc in training], num_steps):
        switch_off()
    return mean_loss(model.loss, [tokenizer.document(doc) for doc in held_out])


@exercise
def check_longer_training(answer):
    """Exercise 2: the held-out loss after 10,000 steps, with everything and without attention."""
    got = read_numbers(answer, 2, "two numbers, (held-out loss with everything, without attention)")
    if got is None:
        return False
    expected = (held_out_loss(LONG_STEPS), held_out_loss(LONG_STEPS, ('attention',)))
    return judge(got, expected, [
        (expected[::-1], "you swapped them: without attention the loss is higher"),
        ((held_out_loss(1000), held_out_loss(1000, ('attention',))),
         f"those are the losses after 1000 steps; train {LONG_STEPS:,} steps"),
    ], f"{shown(got)} is not it: call held_out_loss({LONG_STEPS}) and "
       f"held_out_loss({LONG_STEPS}, ['attention'])",
        success=f"Correct! After {LONG_STEPS:,} steps attention buys "
                f"{expected[1] - expected[0]:.3f} nats per character.")


# The piece: one training step (forward, backward, update; Adam zeroes the gradients)

SMALL = dict(vocab_size=5, n_embd=4, n_head=2, block_size=8)    # BOS is token 4
STEPS = [([4, 0, 1, 2, 4], 0.01), ([4, 3, 0, 0, 1, 4], 0.009)]   # (document, learning rate) per step


def small_model():
    """A small model with fixed random weights, for the checks."""
    import random
    from ..model import GPT, Config
    return GPT.initialise(Config(**SMALL), random.Random(8))


def step_problems(step, loss, expected_loss, before, params, reference):
    """What is wrong after one of the learner's steps (params) against microgpt_lib's (reference)."""
    if isinstance(loss, Value):
        return [f"step {step} returned the loss as a Value; return loss.data, a float, "
                f"so that the step's graph can be freed"]
    got = as_number(loss)
    if got is None:
        return [f"step {step} returned {shown(loss)}, expected the loss {expected_loss!r}: return loss.data"]
    problems = []
    if not close(got, expected_loss):
        problems.append(f"step {step} returned the loss {got!r}, expected {expected_loss!r}: "
                        f"compute it with document_loss(model, tokens) before updating")
    moved = any(p.data != b for p, b in zip(params, before))
    grads_left = any(p.grad != 0 for p in params)
    if not moved and grads_left:
        problems.append(f"step {step} left every parameter where it was and its gradients not 0: "
                        f"optimizer.step(lr) ran before loss.backward(), so each update uses the last "
                        f"step's gradients; call loss.backward() first")
    elif not moved:
        problems.append(f"step {step} left every parameter where it was: every gradient was 0 when "
                        f"optimizer.step(lr) ran; call loss.backward() before it")
    elif grads_left:
        problems.append(f"after step {step} the gradients are not back to 0, so the next backward() "
                        f"adds onto them and they pile up across steps: update with optimizer.step(lr), "
                        f"which zeroes each gradient after using it")
    gap = max(abs(p.data - r.data) for p, r in zip(params, reference))
    if moved and not close([p.data for p in params], [r.data for r in reference]):
        problems.append(f"after step {step} the parameters differ from microgpt_lib's by up to {gap:.2g}: "
                        f"update with optimizer.step(lr), at the lr passed in")
    return problems


@piece(train_step_of_microgpt_lib)
def check_train_step(train_step):
    """train_step against microgpt_lib's for two steps on copies of a small model: the loss it returns,
    every parameter after each step, and every gradient back to 0."""
    start = small_model()
    ours, theirs = start.thawed(), start.thawed()
    params, reference = ours.parameters(), theirs.parameters()
    ours_adam, their_adam = Adam(params), Adam(reference)
    for step, (tokens, lr) in enumerate(STEPS, 1):
        before = [p.data for p in params]
        loss = attempt(train_step, ours, ours_adam, tokens, lr)
        expected = train_step_of_microgpt_lib(theirs, their_adam, tokens, lr)
        problems = step_problems(step, loss, expected, before, params, reference)
        if problems:
            return report(problems)
    return report([], success=f"OK: your train_step matches microgpt_lib's over {len(STEPS)} steps: "
                              f"the loss, every parameter, and every gradient back to 0.")


# A look inside the trained model: which character's embedding is nearest to 'a'.

NEIGHBOUR_OF = 'a'


@exercise
def check_nearest_to_a(answer):
    """The character whose embedding (its whole row of wte) is nearest to a's, in the shipped model."""
    from . import as_whole_number, unanswered
    if unanswered(answer):
        return False
    import numpy as np
    from .ch09 import trained_model
    from ..inside import embedding_map, nearest, on_arrays, token_labels
    model, tokenizer = trained_model()
    labels, expected = token_labels(tokenizer), nearest(model, tokenizer, NEIGHBOUR_OF)
    if as_whole_number(answer) == labels.index(expected):
        return report([f"{answer!r} is the token id of '{expected}': give the character itself, '{expected}'"])
    if not isinstance(answer, str):
        return report([f"give the character as a string, e.g. 'e', not a {type(answer).__name__}"])
    if answer == expected:
        return report([], success=f"Correct! '{expected}' is nearest to '{NEIGHBOUR_OF}': the model learnt "
                                  f"that these two vowels play alike.")

    def distances(points):
        """From a's point to every token's, a's own left out."""
        to_a = np.linalg.norm(points - points[labels.index(NEIGHBOUR_OF)], axis=1)
        to_a[labels.index(NEIGHBOUR_OF)] = np.nan
        return to_a

    in_full = distances(on_arrays(model).weights['wte'])
    if answer == NEIGHBOUR_OF:
        problem = (f"every row is at distance 0 from itself: leave '{NEIGHBOUR_OF}' out before you take "
                   f"the smallest distance")
    elif answer == labels[np.nanargmin(distances(embedding_map(model, tokenizer).points))]:
        problem = (f"'{answer}' is the nearest on the map, which keeps only part of the variance: measure "
                   f"the distance with all {model.config.n_embd} numbers of each row of wte")
    elif answer == labels[np.nanargmax(in_full)]:
        problem = f"'{answer}' is the farthest from '{NEIGHBOUR_OF}': take the smallest distance, not the largest"
    elif answer not in labels:
        problem = f"{shown(answer)} is not a token: give one character from 'a' to 'z' (or 'BOS')"
    else:
        problem = (f"'{answer}' is not the nearest: compute the distance from a's row of wte to every other "
                   f"row, with all {model.config.n_embd} numbers, and take the smallest")
    return report([problem])
