"""Checks for chapter 08's exercises: the training loop."""

from ..data import DATA_DIR
from ..optim import linear_decay
from . import ROUNDED_TOO_FAR, check_number, close, exercise, judge, read_numbers, report, roughly

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
        return report([], success=f"✅ Correct! From {first:.2f} to {last:.2f}: the model learnt, "
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
