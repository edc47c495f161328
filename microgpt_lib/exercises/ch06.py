"""Checks for the exercises of chapter 06: loss and backprop."""
import functools
import math
import random

from ..engine import topological_order
from ..model import GPT, Config
from ..tokenizer import Tokenizer
from ..train import document_loss
from . import (as_list, as_whole_number, check_number, exercise, judge, read_number, read_numbers, report,
               shown, unanswered)

LOGITS = [2.0, 1.0, 0.1]      # exercise 2: the logits of one position ...
TARGET = 0                    # ... and the index of the token that really comes next
ANNA_ROWS = {0, 13, 26}       # exercise 3: 'a', 'n' and BOS in the names' tokenizer
GROWTH_NAME = 'christopher'   # exercise 4: the graph of one training step on this name


@exercise
def check_initial_loss(answer):
    """Exercise 1: the loss of perfectly even predictions over a vocabulary of 100 tokens."""
    got = read_number(answer)
    if got is None:
        return False
    return judge(got, math.log(100), [
        (1 / 100, "that is the probability of the right token; the loss is -log of it"),
        (-math.log(100), "-log(p) is positive for p < 1: check the sign"),
        (math.log10(100), "use the natural logarithm (math.log), as the loss does, not log10"),
        (math.log2(100), "use the natural logarithm (math.log), as the loss does, not log2"),
        (math.log(27), "ln 27 is microgpt's loss, with 27 tokens; this vocabulary has 100"),
        (100.0, "that is 1/p; the loss is the logarithm of it, -log(1/100)"),
    ], f"{got!r} is not it: every token gets p = 1/100, and the loss is -log p")


def _softmax(logits):
    exps = [math.exp(l - max(logits)) for l in logits]
    return [e / sum(exps) for e in exps]


@exercise
def check_logit_grads(answer):
    """Exercise 2: d loss / d logits for loss = -log softmax(LOGITS)[TARGET]."""
    got = read_numbers(answer, len(LOGITS), f"a list of {len(LOGITS)} numbers, one gradient per logit")
    if got is None:
        return False
    probs = _softmax(LOGITS)
    onehot = [float(i == TARGET) for i in range(len(LOGITS))]
    return judge(got, [p - o for p, o in zip(probs, onehot)], [
        (probs, "those are the probabilities p; the target's logit also gets -1: the gradient is p - onehot"),
        ([o - p for p, o in zip(probs, onehot)], "the signs are flipped: raising the target's logit lowers "
                                                 "the loss, so its gradient is negative"),
        ([-1 / probs[TARGET] if i == TARGET else 0.0 for i in range(len(LOGITS))],
         "-1/p is the gradient with respect to the probability p[target]; carry on through the softmax "
         "to the logits"),
        ([probs[TARGET] - 1 if i == TARGET else 0.0 for i in range(len(LOGITS))],
         "the target is right, but the other logits get a gradient too: raising any of them takes "
         "probability away from the target"),
    ], "not yet: compute p = softmax(logits), then the gradient of -log p[target] is p - onehot "
       "(or check with Values and backward())")


@exercise
def check_wte_rows(answer):
    """Exercise 3: the rows of wte that get a non-zero gradient from the document 'anna'."""
    if unanswered(answer):
        return False
    items = list(answer) if isinstance(answer, (set, frozenset)) else as_list(answer)
    if items is not None and any(isinstance(i, str) for i in items):
        return report(["give token ids, not characters: 'a' is 0, 'n' is 13 and BOS is 26"])
    ids = None if items is None else [as_whole_number(i) for i in items]
    if ids is None or None in ids:
        return report([f"give a set of token ids (whole numbers), like {{0, 1}}; got {shown(answer)}"])
    rows = set(ids)
    if rows == ANNA_ROWS:
        return report([])
    if rows == ANNA_ROWS - {26}:
        problem = "the model reads BOS too, at position 0: its row of wte is looked up like any other"
    elif rows >= set(range(27)):
        problem = ("only the rows that are looked up are part of the graph; the other rows never touch the "
                   "loss, so their gradient stays 0 (unlike lm_head, whose every row makes a logit)")
    elif rows == {0, 1, 2, 3, 4}:
        problem = "those are the positions, the rows of wpe that are used; wte has a row per token"
    elif rows == {1, 14, 27}:
        problem = "token ids count from 0: 'a' is 0, 'n' is 13, and BOS is 26"
    else:
        problem = ("not yet: write out the input tokens of 'anna' (BOS, a, n, n, a; the final BOS is only "
                   "a target) and collect their ids, each once")
    return report([problem])


@functools.cache
def graph_nodes(name):
    """The number of Values in the graph of one training step of microgpt on name.

    The graph's shape does not depend on the weights' values, only on the model's size and the
    name's length, so any initialisation gives the same count."""
    tokenizer = Tokenizer.from_docs(['abcdefghijklmnopqrstuvwxyz'])
    model = GPT.initialise(Config(tokenizer.vocab_size), random.Random(0))
    return len(topological_order(document_loss(model, tokenizer.document(name))))


@exercise
def check_graph_nodes(answer):
    """Exercise 4 (experiment): how many Values one training step on 'christopher' creates."""
    expected = graph_nodes(GROWTH_NAME)
    return check_number(answer, expected, {
        graph_nodes('yuheng'): "that is the count for 'yuheng'; build the loss of 'christopher' "
                               "(tokenizer.document('christopher')) and count its graph",
        len(GROWTH_NAME): "that is the number of letters; count the Values: "
                          "len(topological_order(loss))",
        len(GROWTH_NAME) + 1: "that is the number of positions; count the Values: "
                              "len(topological_order(loss))",
    }, "build the loss with document_loss(model, tokenizer.document('christopher')) "
       "and count len(topological_order(loss))")
