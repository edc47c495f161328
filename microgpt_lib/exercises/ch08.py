"""Checks for chapter 08's exercises: the training loop."""
import math

from ..data import DATA_DIR
from ..optim import linear_decay
from . import check_number, exercise, read_numbers, report

LEARNING_RATE, NUM_STEPS = 0.01, 1000
LR_STEPS = (0, 500, 999)


def _close(xs, ys, tol):
    return all(math.isclose(x, y, rel_tol=tol, abs_tol=1e-12) for x, y in zip(xs, ys))


@exercise
def check_learning_rates(answer):
    """Exercise 1: the learning rate at steps 0, 500 and 999 of 1000 (starting from 0.01)."""
    got = read_numbers(answer, len(LR_STEPS), f"three numbers, the learning rates at steps {LR_STEPS}")
    if got is None:
        return False
    if _close(got, [linear_decay(LEARNING_RATE, s, NUM_STEPS) for s in LR_STEPS], 1e-6):
        return report([])
    if _close(got, [linear_decay(LEARNING_RATE, s + 1, NUM_STEPS) for s in LR_STEPS], 1e-6):
        problem = ("steps count from 0, so use step itself, not step + 1: the first step gets the full 0.01, "
                   "and the last one (999) still gets a little, not 0")
    elif _close(got, [LEARNING_RATE * s / NUM_STEPS for s in LR_STEPS], 1e-6):
        problem = "your learning rate grows; it should start at 0.01 and fall towards 0: 0.01 * (1 - step / 1000)"
    elif got[0] != LEARNING_RATE:
        problem = f"step 0 uses the full learning rate, 0.01, not {got[0]}"
    else:
        problem = "the rate falls in a straight line from 0.01 at step 0 to 0 at step 1000: 0.01 * (1 - step / 1000)"
    return report([problem])


@exercise
def check_num_predictions(answer):
    """Exercise 2: how many predictions the loss of a 20-letter name averages over."""
    return check_number(answer, 16, {
        20: "a 20-letter name has 21 tokens to predict (its letters and the final BOS), "
            "but the model only has block_size = 16 positions",
        21: "that would be right for a longer block_size, but the model only has 16 positions: "
            "n = min(block_size, len(tokens) - 1)",
        22: "that is the number of tokens (BOS, 20 letters, BOS), and the model only has 16 positions anyway",
        15: "the model has 16 positions, 0 to 15, and each one makes a prediction",
        17: "the model has only 16 positions, so it makes 16 predictions (positions 0 to 15)",
    }, "count the tokens that have a next token to predict, then remember the model's 16 positions")


def reference_losses():
    """The 1000 losses the original program printed (4 decimals)."""
    lines = (DATA_DIR / 'microgpt_seed42_default.txt').read_text(encoding='utf-8').splitlines()
    return [float(line.rsplit(' ', 1)[1]) for line in lines if line.startswith('step ')]


@exercise
def check_loss_means(answer):
    """Exercise 3: the mean loss of the first 50 steps and of the last 100 steps."""
    got = read_numbers(answer, 2, "two numbers, (mean of the first 50 losses, mean of the last 100)")
    if got is None:
        return False
    losses = reference_losses()
    mean = lambda xs: sum(xs) / len(xs)
    first, last = mean(losses[:50]), mean(losses[-100:])
    tol = 1e-3      # the printed losses are rounded to 4 decimals
    if _close(got, (first, last), tol):
        return report([], success=f"✅ Correct! From {first:.2f} to {last:.2f}: the model learnt, "
                                  f"though single steps still jump around.")
    if _close(got, (last, first), tol):
        problem = "you swapped them: the first 50 steps come first, and their mean is the larger"
    elif math.isclose(got[1], mean(losses[-50:]), rel_tol=tol):
        problem = "the second number is the mean of the last 50 losses; take the last 100: losses[-100:]"
    elif math.isclose(got[0], mean(losses[:100]), rel_tol=tol):
        problem = "the first number is the mean of the first 100 losses; take the first 50: losses[:50]"
    else:
        problem = (f"({got[0]:.4f}, {got[1]:.4f}) is not it: use sum(xs) / len(xs) on losses[:50] and "
                   f"on losses[-100:], where losses are the 1000 losses of the training run")
    return report([problem])
