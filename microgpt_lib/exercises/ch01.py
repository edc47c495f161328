"""Checks for chapter 01: data and tokenizer.

The pieces (the learner writes them in the chapter): encode, decode, document, the pair counts and
the loss of a name; then the exercises. The names' tokenizer knows 'a'..'z' as ids 0..25, and BOS is 26.
"""
import math
import string

import numpy as np

from . import (as_list, as_number, as_whole_number, attempt, check_number, close, exercise, piece, plain, report,
               shown, unanswered)
from ..baseline import Bigram, tokens_loss
from ..tokenizer import Tokenizer

NAMES = Tokenizer(string.ascii_lowercase)       # the names' tokenizer, as Tokenizer.from_docs(load_docs()) makes it
BOS = NAMES.BOS
WORDS = ['emma', 'jade', 'zoe', 'a', '']        # to encode, decode and count: first and last letters, one letter, none


def _ids_problem(call_text, got, expected):
    """What is wrong with the token ids got (expected), in one sentence, or None."""
    ids = _int_list(got)
    if ids is None:
        return f"{call_text} gave {shown(got)}: give a list of integer ids"
    if ids == expected:
        return None
    letters = [i for i in expected if i != BOS]
    if [i for i in ids if i != BOS] == [i + 1 for i in letters]:
        return (f"{call_text} gave {ids}, expected {expected}: ids count from 0, the position in uchars: "
                f"'a' is 0 and 'z' is 25")
    if len(ids) == len(expected) and len(set(zip(ids, expected))) == len(set(expected)) == len(set(ids)):
        return (f"{call_text} gave {ids}, expected {expected}: each character's id is its position among the "
                f"characters sorted, 'a' 0 to 'z' 25; yours are numbered in another order")
    return f"{call_text} gave {shown(ids)}, expected {expected}"


@piece(NAMES.encode)
def check_encode(encode):
    """encode on a few names against microgpt_lib's Tokenizer, the empty name included."""
    problems = []
    for word in WORDS:
        got, expected = attempt(encode, word), NAMES.encode(word)
        problem = _ids_problem(f"encode({word!r})", got, expected)
        if problem and _int_list(got) in ([BOS] + expected, expected + [BOS], [BOS] + expected + [BOS]):
            problem = f"encode({word!r}) gave {_int_list(got)}: encode gives the letters only, document adds BOS"
        if problem:
            problems.append(problem)
            break
    return report(problems, f"OK: your encode gives microgpt_lib's ids for {len(WORDS)} names.")


@piece(NAMES.decode)
def check_decode(decode):
    """decode of a few names' ids against microgpt_lib's Tokenizer, no ids included."""
    for word in WORDS:
        ids = NAMES.encode(word)
        got = attempt(decode, ids)
        if got == word:
            continue
        if isinstance(got, (list, tuple)) and list(got) == list(word):
            problem = f"decode({ids}) gave {shown(got)}: join the characters into one string, ''.join(...)"
        elif isinstance(got, str) and got == ''.join(NAMES.uchars[i - 1] for i in ids):
            problem = f"decode({ids}) gave {got!r}, expected {word!r}: id i is uchars[i], counting from 0"
        else:
            problem = f"decode({ids}) gave {shown(got)}, expected {word!r}"
        return report([problem])
    return report([], f"OK: your decode gives microgpt_lib's text for {len(WORDS)} lists of ids.")


@piece(NAMES.document)
def check_document(document):
    """document of a few names against microgpt_lib's Tokenizer: BOS, the letters, BOS."""
    for word in WORDS:
        answer, expected = attempt(document, word), NAMES.document(word)
        got, letters = _int_list(answer), NAMES.encode(word)
        if got == expected:
            continue
        if got == [BOS] + letters or got == letters + [BOS] or got == letters:
            problem = (f"document({word!r}) gave {got}: BOS marks both ends, the start the model begins from "
                       f"and the end it learns to predict")
        elif got == [0] + [i + 1 for i in letters] + [0]:
            problem = f"document({word!r}) gave {got}: BOS is the last id, len(uchars) = {BOS}, not 0"
        else:
            problem = _ids_problem(f"document({word!r})", answer, expected)
        return report([problem])
    return report([], f"OK: your document gives microgpt_lib's tokens for {len(WORDS)} names.")


def count_pairs(names):
    """microgpt_lib's pair counts of names: counts[a][b], how often token b follows token a, BOS at both ends."""
    return Bigram([NAMES.document(name) for name in names], NAMES.vocab_size, smoothing=0).counts


def _table(answer):
    """A table of numbers (a list of lists, or a 2-d array) as a list of lists of floats, or None."""
    if isinstance(answer, np.ndarray):
        answer = answer.tolist()
    rows = as_list(answer)
    rows = None if rows is None else [as_list(row) for row in rows]
    if rows is None or None in rows:
        return None
    table = [[as_number(c) for c in row] for row in rows]
    return None if any(None in row for row in table) else table


@piece(count_pairs)
def check_count_pairs(yours):
    """count_pairs on a few lists of names against microgpt_lib's Bigram counts (no smoothing)."""
    for names in (['ab', 'ba', 'b'], ['emma', 'jade'], []):
        got, expected = _table(attempt(yours, names)), count_pairs(names)
        if got == expected:
            continue
        text = f"count_pairs({names})"
        first_letters, last_letters = expected[BOS], [row[BOS] for row in expected]
        if got is None or len(got) != len(expected) or any(len(row) != len(expected) for row in got):
            problem = f"{text} should be a {BOS + 1} by {BOS + 1} table of counts, one row per token"
        elif got == [list(column) for column in zip(*expected)]:
            problem = (f"{text} counts the pairs the wrong way round: counts[current][following], the row is the "
                       f"token before, the column the one after")
        elif got[BOS] != first_letters and any(first_letters):
            problem = (f"{text}: the BOS row should count the first letters, {_nonzero(first_letters)}: count the "
                       f"pairs of document(name), BOS at both ends")
        elif [row[BOS] for row in got] != last_letters:
            problem = (f"{text}: the BOS column should count the last letters, {_nonzero(last_letters)}: count the "
                       f"pairs of document(name), BOS at both ends")
        else:
            problem = f"{text}: the counts differ from microgpt_lib's, first at {_first_difference(got, expected)}"
        return report([problem])
    return report([], "OK: your count_pairs gives microgpt_lib's counts, BOS row and column included.")


def _nonzero(counts):
    """The non-zero counts of a row, by token, e.g. "{'a': 1, 'b': 2}"."""
    symbols = NAMES.uchars + ['BOS']
    return '{' + ', '.join(f"'{symbols[i]}': {c:g}" for i, c in enumerate(counts) if c) + '}'


def _first_difference(got, expected):
    symbols = NAMES.uchars + ['BOS']
    a, b = next((a, b) for a, row in enumerate(expected) for b, c in enumerate(row) if got[a][b] != c)
    return f"counts[{a}][{b}] ({symbols[a]} then {symbols[b]}): {got[a][b]:g}, expected {expected[a][b]}"


def name_loss(probs, doc):
    """microgpt_lib's loss of the name doc: the mean of -ln p(next token) over its positions."""
    return tokens_loss(probs, NAMES.document(doc))


LOSS_MISTAKES = {       # what a typical mistake gives, from the probabilities of the name's next tokens
    "that is the sum of the costs; the loss of a name is their mean, divided by the number of predictions":
        lambda ps: sum(-math.log(p) for p in ps),
    "that is the mean probability; the loss is the mean of -ln p, the log of each probability":
        lambda ps: sum(ps) / len(ps),
    "that is the mean of -p; take the log: the mean of -ln p": lambda ps: -sum(ps) / len(ps),
    "the sign is wrong: each position costs -ln p, a positive number": lambda ps: sum(map(math.log, ps)) / len(ps),
    "divide by the number of predictions, len(doc) + 1, not by the number of letters":
        lambda ps: sum(-math.log(p) for p in ps) / (len(ps) - 1) if len(ps) > 1 else math.nan,
}


@piece(name_loss)
def check_name_loss(yours):
    """name_loss on bigram probabilities of a few names against microgpt_lib's, an impossible pair included."""
    documents = [NAMES.document(name) for name in ('emma', 'ava', 'jade', 'bob')]
    smoothed, raw = Bigram(documents, NAMES.vocab_size).probs, Bigram(documents, NAMES.vocab_size, smoothing=0).probs
    for probs, doc, what in ((smoothed, 'emma', 'smoothed'), (smoothed, 'zoe', 'smoothed'), (raw, 'ava', 'raw'),
                             (raw, 'eve', 'raw')):
        got, expected = as_number(attempt(yours, probs, doc)), name_loss(probs, doc)
        if got == expected or (got is not None and close(got, expected)):
            continue
        text = f"name_loss(probs, {doc!r}) with {what} probabilities"
        tokens = NAMES.document(doc)
        ps = [probs[a][b] for a, b in zip(tokens, tokens[1:])]
        hint = next((hint for hint, wrong in LOSS_MISTAKES.items()
                     if 0 not in ps and got is not None and close(got, wrong(ps))), '')
        if math.isinf(expected):
            hint = "a pair the names never showed has probability 0, and costs math.inf"
        return report([f"{text} gave {shown(got)}, expected {expected!r}{': ' + hint if hint else ''}"])
    return report([], "OK: your name_loss gives microgpt_lib's losses, math.inf included.")


def _ids(name):
    return NAMES.encode(name)


def _int_list(answer):
    """The answer as a list of ints (from a list, tuple or array of whole numbers), or None."""
    items = as_list(answer)
    ids = None if items is None else [as_whole_number(i) for i in items]
    return None if ids is None or None in ids else ids


@exercise
def check_encoding(answer):
    """Exercise 1: the tokens the model sees for the name 'jade'."""
    if unanswered(answer):
        return False
    letters = _ids('jade')
    expected = [BOS] + letters + [BOS]
    ids = _int_list(answer)
    if ids is None:
        return report([f"give a list of integers, like [26, 0, 26]; got {shown(answer)}"])
    if ids == expected:
        return report([])
    if ids == letters:
        problem = "those are the letters' ids, but the model also sees BOS (26) at the start and at the end"
    elif ids == [BOS] + letters:
        problem = "the start is right; the document also ends with BOS, so the model learns where a name stops"
    elif ids == letters + [BOS]:
        problem = "the end is right; the document also starts with BOS, the token the model begins from"
    elif ids == [BOS] + [i + 1 for i in letters] + [BOS]:
        problem = "token ids count from 0: 'a' is 0 and 'z' is 25, so BOS = len(uchars) = 26 comes right after"
    elif ids == [0] + [i + 1 for i in letters] + [0]:
        problem = ("here BOS is not 0 (that is makemore's '.' separator): the letters keep ids 0..25 "
                   "and BOS is the next id, 26")
    elif len(ids) != len(expected):
        problem = f"'jade' should become {len(expected)} tokens (BOS, four letters, BOS), not {len(ids)}"
    else:
        pos = next(pos for pos, (got, exp) in enumerate(zip(ids, expected)) if got != exp)
        what = 'BOS' if expected[pos] == BOS else repr('jade'[pos - 1])
        problem = f"token {pos} is {shown(ids[pos])}, but it should be the id of {what}"
    return report([problem])


@exercise
def check_vocab_size(answer):
    """Exercise 2: vocab_size of a tokenizer built from ['anna', 'bob', 'Anna', 'Bob']."""
    return check_number(answer, 7, {
        6: "6 distinct characters is right, but vocab_size also counts the BOS token",
        5: "upper and lower case are different characters: 'A' is not 'a'",
        4: "two things: 'A' and 'a' are different characters, and BOS counts too",
        14: "that counts every character; the vocabulary holds each distinct character once (plus BOS)",
        15: "that counts every character (plus BOS); the vocabulary holds each distinct character once",
    }, "list the distinct characters of all four names, then add one for BOS")


@exercise
def check_num_predictions(answer):
    """Exercise 3: how many next-token predictions the name 'jade' gives the model."""
    return check_number(answer, 5, {
        4: "the model also predicts the final BOS after 'e': that is how it learns to end a name",
        6: "that is the number of tokens; the last BOS has nothing after it to predict",
        3: "every token but the last is followed by one to predict, the final BOS included",
    }, "write out [BOS, j, a, d, e, BOS] and count the tokens that have a next token")


def _bigram_setting():
    """(tokenizer, training names, held-out names) of the fixed split, names as token lists."""
    from ..baseline import split_docs
    from ..data import load_docs
    from ..tokenizer import Tokenizer
    docs = load_docs()
    tokenizer = Tokenizer.from_docs(docs)
    training, held_out = split_docs(docs)
    return tokenizer, [tokenizer.document(d) for d in training], [tokenizer.document(d) for d in held_out]


def _first_names_of_the_file(tokenizer, n):
    from ..data import load_docs
    return [tokenizer.document(d) for d in load_docs()[:n]]


def _unseen(bigram):
    return sum(count == 0 for row in bigram.counts for count in row)


@exercise
def check_unseen_pairs(answer):
    """Exercise 4: how many of the 27 x 27 token pairs never occur in the training names."""
    from ..baseline import Bigram
    if unanswered(answer):
        return False
    tokenizer, training, held_out = _bigram_setting()
    V = tokenizer.vocab_size
    expected = _unseen(Bigram(training, V, smoothing=0))
    return check_number(answer, expected, {
        _unseen(Bigram(training + held_out, V, smoothing=0)):
            "that counts pairs in all 32,033 names; count in the training names only",
        0: "with add-one smoothing no count is 0: count the raw pairs (smoothing=0)",
        V * V - expected: "those are the pairs that do occur; the question asks for the others",
        V * V: "not every pair is missing: count the cells that are 0",
    }, "build Bigram(training_tokens, vocab_size, smoothing=0) and count the 0s in .counts")


@exercise
def check_small_bigram(answer):
    """Exercise 5: a bigram trained on the 1,000 names microgpt's 1000 steps train on."""
    from ..baseline import Bigram
    if unanswered(answer):
        return False
    if not isinstance(answer, Bigram):
        return report([f"give a Bigram, like Bigram(documents, vocab_size); "
                       f"got a {type(answer).__name__}"])
    tokenizer, training, held_out = _bigram_setting()
    V = tokenizer.vocab_size
    expected = Bigram(training[:1000], V)
    counts = [[as_number(c) for c in row] for row in plain(answer.counts)]   # numbers, whatever their __eq__ says
    if counts == expected.counts:
        full = Bigram(training, V).loss(held_out)
        return report([], success=f"Correct! Held-out loss {answer.loss(held_out):.3f} "
                                  f"(all {len(training):,} names: {full:.3f})")
    if len(counts) != V:
        problem = f"its vocab_size is {len(counts)}; the names' tokenizer has {V}"
    elif counts == Bigram(training, V).counts:
        problem = "that one learned from all training names; use only the first 1,000"
    elif counts == Bigram(training[:1000], V, smoothing=0).counts:
        problem = "keep the default add-one smoothing (smoothing=1)"
    elif counts == Bigram(_first_names_of_the_file(tokenizer, 1000), V).counts:
        problem = ("those are the file's first 1,000 names; microgpt trains on the shuffled "
                   "order, which is the order of the training names")
    else:
        problem = "train it on the token lists of the first 1,000 training names, BOS at both ends"
    return report([problem])
