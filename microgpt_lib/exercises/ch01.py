"""Checks for the exercises of chapter 01: data and tokenizer.

The names' tokenizer knows 'a'..'z' as ids 0..25, and BOS is 26.
"""
from . import as_list, as_number, as_whole_number, check_number, exercise, plain, report, shown, unanswered

BOS = 26


def _ids(name):
    return [ord(ch) - ord('a') for ch in name]


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
