"""Checks for the exercises at the end of each chapter, one module per chapter.

A check prints what is wrong with an answer (not just "no") and returns
True only for a correct one. Answers start as the placeholder `...`.

One policy for numeric answers, in every chapter:
- An answer is right when `close` to the expected value: within a relative
  1e-6 (or 1e-9 absolute, for answers that should be 0). Any honest way of
  computing it lands far inside: float arithmetic in another order differs by
  about 1e-15, and a central finite difference with a step h from 1e-7 to 1e-3
  by less than 1e-7 (e.g. -23.99999999891 for -24). Typed by hand, it needs
  about 7 significant digits, which `print(x)` shows; 4.6052 for ln(100) is
  off by 6.5e-6 and is not enough.
- An answer that is right to about 3 significant digits (or 3 decimals) but
  not `close` is told it was rounded too far, not that it is wrong.
- A check widens the tolerance only where the answer is itself an estimate
  or is computed from rounded data, and says why where it does.
- An array answer is right when it has the expected shape and every entry
  is `close` (`all_close`).
Answers may be ints, floats, NumPy numbers or arrays: only the values count (a count may be
given as 84.0 or np.float64(84), a whole number as any number equal to one).

A piece is code the learner writes (the body of a function or method, between nbgrader's
`### BEGIN SOLUTION` and `### END SOLUTION` in the teacher's edition), checked by a cell that
rebinds its name: `softmax = check_softmax(softmax)`. `@piece(finished)` makes such a check
return the learner's piece when it passes, else a stand-in for the finished piece from
microgpt_lib, so the chapter runs on either way. Its checks run the learner's code only
through `attempt`, which turns the stub's NotImplementedError into "not written yet".

`@exercise` makes a check a guard: nothing the learner's answer or code does
(raising, even SystemExit, returning oddities, huge numbers) escapes it as an
exception; only KeyboardInterrupt stops it. The check sees plain copies of the
answers (and of what the learner's code returns, through `call`), so a
subclass of str, int, list, ... cannot pass by lying in its __eq__ or __len__.
In a notebook it also leaves the check's verdict, invisibly, for the grader
(microgpt_lib.grade) to read from the executed notebook.
"""
import contextlib
import functools
import io
import math
import numbers
import os
import sys
import threading

import numpy as np

from ..engine import Value

REL_TOL, ABS_TOL = 1e-6, 1e-9
ROUGH_REL, ROUGH_ABS = 5e-3, 5e-4       # right to about 3 significant digits, or 3 decimals
ROUNDED_TOO_FAR = "close: you rounded too far, give more digits (or the expression itself)"
PLACEHOLDER_HINT = "Replace the ... with your answer, then run the cell again."
NOT_WRITTEN = "is not written yet"      # said of an unwritten piece: the grader reads it as unanswered
LEARNERS = '_microgpt_learners_piece'   # a stand-in's attribute: the learner's own piece, checked again later
VERDICT_MIME = 'application/vnd.microgpt.verdict+json'    # a type no frontend renders


class Verdict:
    """A check's result: true or false like a bool, but a notebook shows only the printed feedback."""

    def __init__(self, ok):
        self.ok = bool(ok)

    def __bool__(self):
        return self.ok

    def __repr__(self):
        return f"Verdict({self.ok})"

    def _ipython_display_(self):
        pass


def exercise(check):
    """Decorate a check so that its result is a Verdict, no exception escapes it, and a grader sees it."""
    @functools.wraps(check)
    def checked(*args, **kwargs):
        printed = Tee(sys.stdout)
        with contextlib.redirect_stdout(printed):
            ok, error = call(lambda: check(*map(plain, args), **{k: plain(v) for k, v in kwargs.items()}))
            if error:                   # the learner's answer can fail in any way: feedback, not a traceback
                ok = report([f"checking your answer raised {raised(error)}"])
        record_verdict(check, ok, printed.getvalue())
        fail_for_nbgrader(ok, printed.getvalue())
        return Verdict(ok)
    return checked


class Unwritten(Exception):
    """The learner's piece still raises NotImplementedError: the stub of its body is still there."""


class Mistake(Exception):
    """The learner's piece raised on an input; the message names the call and the error."""


def attempt(function, *args):
    """A plain copy of the learner's function(*args); Unwritten or Mistake if it raises."""
    result, error = call(function, *args)
    if isinstance(error, NotImplementedError):
        raise Unwritten
    if error:
        name = getattr(function, '__name__', 'your code')
        raise Mistake(f"{name}({', '.join(brief(a) for a in args)}) raised {raised(error)}")
    return result


def brief(argument):
    """An argument as feedback shows it: a Value or a list of Values by its data."""
    if isinstance(argument, Value):
        return f"Value({shown(argument.data)})"
    if isinstance(argument, list) and argument and all(isinstance(a, Value) for a in argument):
        return f"[Values {shown([a.data for a in argument], 40)}]"
    return shown(argument, 40)


def piece(finished, name=None):
    """Decorate the check of a piece the learner writes, standing in for microgpt_lib's `finished`.

    The decorated check takes the learner's piece (a function or a class) and returns it if it
    passes; else it says so and returns a stand-in that works like `finished` and remembers the
    learner's piece, so that a later check, or the grader, checks theirs again. Its feedback calls
    the piece `name`, the chapter's name for it (by default the finished piece's own).
    """
    name = name or finished.__name__

    def decorate(check):
        @functools.wraps(check)
        def checked(learners):
            learners = learners_own(learners)
            printed = Tee(sys.stdout)
            with contextlib.redirect_stdout(printed):
                ok, error = (None, Unwritten()) if learners is ... else call(check, learners)
                if isinstance(error, Unwritten):
                    print(f"Not yet: your {name} {NOT_WRITTEN}: write its body where it says"
                          f" YOUR CODE HERE, then run its cell and this one again.")
                    ok = False
                elif isinstance(error, Mistake):
                    ok = report([str(error)])
                elif error:
                    ok = report([f"checking your {name} raised {raised(error)}"])
            record_verdict(check, ok, printed.getvalue())
            fail_for_nbgrader(ok, printed.getvalue())
            if ok:
                return learners
            print(f"The chapter goes on with microgpt_lib's {name}.")
            return stand_in(finished, learners)
        return checked
    return decorate


def learners_own(piece):
    """The learner's own piece: itself, or what a stand-in remembers."""
    try:
        return getattr(piece, LEARNERS, piece)
    except Exception:               # an object whose attributes raise is the learner's own
        return piece


def stand_in(finished, learners):
    """finished, marked with the learner's piece (a class becomes a subclass of finished)."""
    if isinstance(finished, type):
        return type(finished.__name__, (finished,), {LEARNERS: learners, '__doc__': finished.__doc__,
                                                     '__module__': finished.__module__})

    @functools.wraps(finished)
    def standing_in(*args, **kwargs):
        return finished(*args, **kwargs)
    setattr(standing_in, LEARNERS, learners)
    return standing_in


def fail_for_nbgrader(ok, feedback):
    """Under nbgrader's validate or autograde, a check that does not pass says so on stderr too,
    which nbgrader scores as 0 for its cell; the notebook goes on, as it does everywhere."""
    if not ok and os.environ.get('NBGRADER_EXECUTION'):
        print(feedback.strip(), file=sys.stderr)


def is_unanswered(feedback):
    """Whether a check's feedback says the answer or the piece is not there yet."""
    return PLACEHOLDER_HINT in feedback or NOT_WRITTEN in feedback


class Tee(io.StringIO):
    """A text stream that passes what is written to it on to out, and keeps what the thread that
    made it writes: not what another thread of the learner's prints meanwhile."""

    def __init__(self, out):
        super().__init__()
        self.out, self.thread = out, threading.get_ident()

    def write(self, text):
        self.out.write(text)
        return super().write(text) if threading.get_ident() == self.thread else len(text)


def record_verdict(check, ok, feedback):
    """In a Jupyter kernel, display the verdict as data for the grader that a notebook never shows.

    JupyterLab and nbconvert render an output of an unknown MIME type as nothing; the empty
    text/plain beside it keeps other frontends from saying they cannot render it.
    """
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return
    if getattr(get_ipython(), 'kernel', None) is None:     # plain Python or a terminal: no notebook
        return
    result = 'pass' if ok else 'unanswered' if is_unanswered(feedback) else 'fail'
    chapter = check.__module__.rpartition('.')[2]
    verdict = {'exercise': f'{chapter}.{check.__name__}', 'result': result, 'feedback': feedback}
    display({VERDICT_MIME: verdict, 'text/plain': ''}, raw=True)


def raised(error):
    """An exception as one short line: 'TypeError: the message'."""
    if isinstance(error, SystemExit):       # its message is only the exit code, often None
        return "SystemExit: the code called exit() or sys.exit()"
    return f"{type(error).__name__}: {shown(str(error), quoted=False)}"


def call(function, *args):
    """(a plain copy of function(*args), None), or (None, the exception it raised).

    The learner's code may fail in any way, even with SystemExit (sys.exit() or exit()); only
    KeyboardInterrupt, the learner stopping the cell, goes through.
    """
    try:
        return plain(function(*args)), None
    except KeyboardInterrupt:
        raise
    except BaseException as e:
        return None, e


# each copies a subclass's value into its base type without calling the subclass's own methods
# (complex has no __complex__ before Python 3.11; its __pos__ copies as exactly)
PLAIN_VALUES = {int: int.__int__, float: float.__float__, complex: complex.__pos__, str: str.__str__}


def plain(answer):
    """answer copied into the built-in types themselves (str, int, list, dict, ...; a NumPy array), so
    that what a check compares is what answer holds, whatever a subclass's __eq__ or __len__ says.

    Anything else (a function, a Value, a Bigram) is left as it is.
    """
    kind = type(answer)            # not isinstance: a class can fake its __class__
    if kind in PLAIN_VALUES or kind is bool:
        return answer
    for base, copy in PLAIN_VALUES.items():
        if issubclass(kind, base):
            return copy(answer)             # the base's own method: the value itself, as an exact base
    for base in (list, tuple, set, frozenset):
        if issubclass(kind, base):
            return base(plain(item) for item in base.__iter__(answer))
    if issubclass(kind, dict):
        return {plain(key): plain(value) for key, value in dict.items(answer)}
    if issubclass(kind, np.ndarray) and kind is not np.ndarray:
        return np.asarray(answer)
    return answer


def shown(answer, width=60, quoted=True):
    """repr(answer) cut to about width characters, so feedback stays short for any answer."""
    if as_whole_number(answer) is not None and abs(int(answer)) >= 10 ** 30:
        return f"an integer of about 10**{int(abs(int(answer)).bit_length() * math.log10(2))}"
    try:
        text = repr(answer) if quoted else str(answer)
    except Exception:               # a repr that fails, or an int too long to print
        text = f"a {type(answer).__name__}"
    return text if len(text) <= width else text[:width - 1] + "…"


def unanswered(answer):
    """True, with a hint, while the answer is still the placeholder `...`."""
    if answer is ...:
        print(PLACEHOLDER_HINT)
        return True
    return False


def report(problems, success="Correct!"):
    """Print the problems found (or success); True when there are none."""
    problems = [p for p in problems if p]
    if problems:
        print("Not yet:\n" + "\n".join(f"  - {p}" for p in problems))
        return False
    print(success)
    return True


def as_number(x):
    """x as a float if it is a real number (a NumPy number, a 0-d array or a Value's data too), else None.

    A number too large for a float becomes an infinity.
    """
    if isinstance(x, Value):
        x = x.data
    if isinstance(x, np.ndarray) and x.ndim == 0:
        x = x[()]
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        return None
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def as_whole_number(x):
    """x as an int if it is a whole number: an int, a NumPy integer, or any real number equal to one
    (84.0, np.float64(5), Fraction(10, 2)); else None."""
    if isinstance(x, np.ndarray) and x.ndim == 0:
        x = x[()]
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        return None
    if isinstance(x, numbers.Integral):
        return int.__int__(int(x))      # exact, even where x's __int__ returns a subclass of int
    number = as_number(x)
    return int(number) if math.isfinite(number) and number.is_integer() else None


def as_list(answer):
    """A list, tuple or 1-d array as a list of its items, else None."""
    if isinstance(answer, np.ndarray):
        return list(answer) if answer.ndim == 1 else None
    return list(answer) if isinstance(answer, (list, tuple)) else None


def read_number(answer, what="one number"):
    """The answer as a finite float, or None (after a hint, or for the placeholder) if it is not one yet."""
    return (read_numbers(answer, 1, what) or (None,))[0]


def read_numbers(answer, count, what):
    """The answer as a tuple of `count` finite floats, or None (after a hint) if it is not that yet.

    None for the placeholder `...` too, so a check can begin with
    `got = read_numbers(answer, 2, "two numbers, (m, m_hat)")` and return False on None.
    """
    if unanswered(answer):
        return None
    items = [answer] if count == 1 else as_list(answer)
    got = None if items is None else tuple(as_number(x) for x in items)
    if got is None or len(got) != count or None in got:
        report([f"give {what}; got {shown(answer)}"])
        return None
    if not all(math.isfinite(x) for x in got):
        report([f"{shown(answer)} is infinite, NaN or too large for a float: give {what}"])
        return None
    return got


def _pairs(got, expected):
    """Pairs of numbers to compare: got and expected are both numbers or both sequences of one length."""
    if isinstance(expected, numbers.Real):
        return [(got, expected)]
    expected = list(expected)
    return list(zip(got, expected)) if len(got) == len(expected) else None


def close(got, expected, rel_tol=REL_TOL, abs_tol=ABS_TOL):
    """True if got (a number or a sequence of them) equals expected within the tolerance."""
    pairs = _pairs(got, expected)
    return pairs is not None and all(math.isclose(g, e, rel_tol=rel_tol, abs_tol=abs_tol) for g, e in pairs)


def all_close(got, expected):
    """True if the arrays got and expected have one shape and every entry is `close` (the same policy)."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    if got.shape != expected.shape:
        return False
    tolerance = np.maximum(REL_TOL * np.maximum(np.abs(got), np.abs(expected)), ABS_TOL)
    return bool(np.all(np.abs(got - expected) <= tolerance))


def roughly(got, expected):
    """True if got agrees with expected to about 3 significant digits (or 3 decimals): rounded too far."""
    return close(got, expected, ROUGH_REL, ROUGH_ABS)


def judge(got, expected, mistakes=(), otherwise="not yet", success="Correct!", rounded=ROUNDED_TOO_FAR):
    """Report on a numeric answer: success if close to expected; else the hint of a typical mistake
    (value, hint) it matches; else `rounded` if it is nearly right; else the hint of a typical mistake
    it nearly matches; else `otherwise`."""
    if close(got, expected):
        return report([], success)
    hint = next((hint for wrong, hint in mistakes if close(got, wrong)), None)
    if hint is None and roughly(got, expected):
        hint = rounded
    hint = hint or next((hint for wrong, hint in mistakes if roughly(got, wrong)), otherwise)
    return report([hint])


def check_number(answer, expected, hints, otherwise):
    """A whole-number answer: success, the hint for a typical wrong number, or general advice."""
    if unanswered(answer):
        return False
    got = as_whole_number(answer)
    if got is None:
        return report([f"give a whole number; got {shown(answer)}"])
    if got == expected:
        return report([])
    return report([hints.get(got, f"{shown(got)} is not it: {otherwise}")])
