"""Checks for the exercises of chapter 06: loss and backprop."""
import functools
import math
import random

from ..engine import Value, nodes_in_original, topological_order
from ..model import GPT, Config
from ..nn import softmax
from ..tokenizer import Tokenizer
from ..train import document_loss
from . import (Mistake, as_list, as_number, as_whole_number, attempt, call, check_number, close, exercise, judge,
               piece, raised, read_number, read_numbers, report, roughly, shown, unanswered)

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
    expected = [p - o for p, o in zip(probs, onehot)]
    if roughly(got, expected) and not close(got, expected):     # worked out on paper, to 3 digits
        return report([], f"Correct to 3 significant digits; exactly, p - onehot = {[round(g, 7) for g in expected]}.")
    return judge(got, expected, [
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
    """The number of Values in the graph of one training step of microgpt on name, on the course's engine
    and on the original's (which wraps every plain number in a Value of its own).

    The graph's shape does not depend on the weights' values, only on the model's size and the
    name's length, so any initialisation gives the same counts."""
    tokenizer = Tokenizer.from_docs(['abcdefghijklmnopqrstuvwxyz'])
    model = GPT.initialise(Config(tokenizer.vocab_size), random.Random(0))
    nodes = topological_order(document_loss(model, tokenizer.document(name)))
    return len(nodes), nodes_in_original(nodes)


@exercise
def check_graph_nodes(answer):
    """Exercise 4 (experiment): how many Values one training step on 'christopher' creates, on either engine."""
    if unanswered(answer):
        return False
    course, original = graph_nodes(GROWTH_NAME)
    why = "its Value wraps every plain number (even the 0 that sum() starts from) in a Value of its own"
    if as_whole_number(answer) == course:
        return report([], f"Correct, on the course's engine: {course:,}. The original's makes {original:,}: {why}.")
    if as_whole_number(answer) == original:
        return report([], f"Correct, on the original's engine: {original:,}, because {why}; the course's "
                          f"engine keeps those numbers inside the operations' nodes and makes {course:,}.")
    return check_number(answer, course, {
        **dict.fromkeys(graph_nodes('yuheng'), "that is the count for 'yuheng'; build the loss of 'christopher' "
                                               "(tokenizer.document('christopher')) and count its graph"),
        len(GROWTH_NAME): "that is the number of letters; count the Values: len(topological_order(loss))",
        len(GROWTH_NAME) + 1: "that is the number of positions; count the Values: len(topological_order(loss))",
    }, "build the loss with document_loss(model, tokenizer.document('christopher')) "
       "and count len(topological_order(loss))")


# The piece: the mean cross-entropy of a document, against microgpt_lib.train's on a tiny GPT.

PIECE_CONFIG = Config(vocab_size=3, n_layer=1, n_embd=2, n_head=1, block_size=4)
DOCUMENTS = ([2, 0, 2], [2, 1, 0, 1, 2], [2, 0, 1, 0, 1, 0, 2])   # 2 and 4 predictions, then 6 cut to 4


def piece_model():
    """The same tiny GPT every time, on fresh Values."""
    return GPT.initialise(PIECE_CONFIG, random.Random(6))


def position_log_probs(tokens, target=1, fresh_cache=False):
    """log p of the token `target` places after each position, as plain floats, up to block_size."""
    model = piece_model().frozen()
    keys, values = model.new_cache()
    log_probs = []
    for pos_id in range(min(model.config.block_size, len(tokens) - 1)):
        if fresh_cache:
            keys, values = model.new_cache()
        probs = softmax(model(tokens[pos_id], pos_id, keys, values))
        log_probs.append(math.log(probs[tokens[pos_id + target]]))
    return log_probs


def mean(numbers):
    return sum(numbers) / len(numbers)


LOSS_MISTAKES = (      # (the loss that a typical mistake gives on tokens, what to say)
    (lambda t: -sum(position_log_probs(t)), "you summed the positions' losses; the document's loss is their "
                                            "mean, (1 / n) * sum(losses)"),
    (lambda t: -mean(position_log_probs(t, target=0)),
     "that is the log-probability of the token the model reads, tokens[pos_id]; the target is the next "
     "token, tokens[pos_id + 1]"),
    (lambda t: mean(position_log_probs(t)), "the loss is -log p, positive: check the sign"),
    (lambda t: -sum(position_log_probs(t)) / len(t), "divide by the number of predictions, n = "
                                                     "min(block_size, len(tokens) - 1), not by len(tokens)"),
    (lambda t: -mean(position_log_probs(t, fresh_cache=True)),
     "make one KV cache for the whole document, before the loop: each position looks back at the earlier ones"),
)
OUT_OF_RANGE = "out of range: this model sees positions"


def document_loss_problem(learners, tokens):
    """What is wrong with the learner's document_loss on tokens, data then gradients, or None."""
    model = piece_model()
    try:
        got = attempt(learners, model, list(tokens))
    except Mistake as error:
        said = f"document_loss(model, {list(tokens)}) raised {str(error).split(') raised ', 1)[-1]}"
        if OUT_OF_RANGE in said:
            return f"{said}: the model reads at most block_size positions, so n = min(block_size, len(tokens) - 1)"
        return said
    expected = document_loss(piece_model(), list(tokens))
    if not isinstance(got, Value):
        return (f"document_loss(model, {list(tokens)}) should return one Value, built from the model's "
                f"Values; got {shown(got)}")
    data = as_number(got.data)
    if data is None or not close(data, expected.data):
        hint = next((h for mistake, h in LOSS_MISTAKES if data is not None and close(data, mistake(tokens))),
                    "compute -log p of each next token with one KV cache, then take the mean")
        got_text = shown(got.data) if data is None else f"{data:.6g}"
        return f"document_loss(model, {list(tokens)}) gave {got_text}, expected {expected.data:.6g}: {hint}"
    _, error = call(got.backward)
    if error:
        return f"backward() from your loss raised {raised(error)}"
    if not close([as_number(p.grad) for p in model.parameters()],
                 [p.grad for p in expected_model_grads(tokens)]):
        return (f"document_loss(model, {list(tokens)}) gives the right loss but the wrong gradients: build "
                f"it from the model's Values (a plain number from .data carries no gradient)")
    return None


def expected_model_grads(tokens):
    """The parameters of the tiny GPT after backward() from microgpt_lib's loss on tokens."""
    model = piece_model()
    document_loss(model, list(tokens)).backward()
    return model.parameters()


@piece(document_loss)
def check_document_loss(learners):
    """The learner's document_loss against microgpt_lib's on a tiny GPT and three documents (one longer
    than block_size), loss and every gradient."""
    problems = (document_loss_problem(learners, tokens) for tokens in DOCUMENTS)
    return report([next(filter(None, problems), None)],
                  success=f"OK: your document_loss matches microgpt_lib's on {len(DOCUMENTS)} documents, "
                          f"every gradient included.")
