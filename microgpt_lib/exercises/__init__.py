"""Checks for the exercises at the end of each chapter, one module per chapter.

A check prints what is wrong with an answer (not just "no") and returns
True only for a correct one. Answers start as the placeholder `...`.
"""
import functools


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
    """Decorate a check so that its result is a Verdict."""
    @functools.wraps(check)
    def checked(*args, **kwargs):
        return Verdict(check(*args, **kwargs))
    return checked


def unanswered(answer):
    """True, with a hint, while the answer is still the placeholder `...`."""
    if answer is ...:
        print("✏️  Replace the ... with your answer, then run the cell again.")
        return True
    return False


def report(problems, success="✅ Correct!"):
    """Print the problems found (or success); True when there are none."""
    problems = [p for p in problems if p]
    if problems:
        print("❌ Not yet:\n" + "\n".join(f"  - {p}" for p in problems))
        return False
    print(success)
    return True


def check_number(answer, expected, hints, otherwise):
    """A whole-number answer: success, the hint for a typical wrong number, or general advice."""
    if unanswered(answer):
        return False
    if isinstance(answer, bool) or not isinstance(answer, int):
        return report([f"give a whole number; got {answer!r}"])
    if answer == expected:
        return report([])
    return report([hints.get(answer, f"{answer} is not it: {otherwise}")])


def read_numbers(answer, count, what):
    """The answer as a tuple of `count` floats, or None (after a hint) if it is not that yet.

    None for the placeholder `...` too, so a check can begin with
    `got = read_numbers(answer, 2, "two numbers, (m, m_hat)")` and return False on None.
    """
    if unanswered(answer):
        return None
    try:
        got = tuple(float(x) for x in (answer if count > 1 else [answer]))
    except (TypeError, ValueError):
        got = None
    if got is None or len(got) != count:
        report([f"give {what}; got {answer!r}"])
        return None
    return got
