"""Checks for the exercises at the end of each chapter, one module per chapter.

A check prints what is wrong with an answer (not just "no") and returns
True only for a correct one. Answers start as the placeholder `...`.
In a notebook each check also leaves its verdict, invisibly, for the grader
(microgpt_lib.grade) to read from the executed notebook.
"""
import contextlib
import functools
import io
import sys

VERDICT_MIME = 'application/vnd.microgpt.verdict+json'    # a type no frontend renders
PLACEHOLDER_HINT = "✏️  Replace the ... with your answer, then run the cell again."


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
    """Decorate a check so that its result is a Verdict, also recorded for the grader."""
    @functools.wraps(check)
    def checked(*args, **kwargs):
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                ok = check(*args, **kwargs)
        finally:
            sys.stdout.write(printed.getvalue())    # the learner sees the feedback as before
        record_verdict(check, ok, printed.getvalue())
        return Verdict(ok)
    return checked


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
    result = 'pass' if ok else 'unanswered' if PLACEHOLDER_HINT in feedback else 'fail'
    chapter = check.__module__.rpartition('.')[2]
    verdict = {'exercise': f'{chapter}.{check.__name__}', 'result': result, 'feedback': feedback}
    display({VERDICT_MIME: verdict, 'text/plain': ''}, raw=True)


def unanswered(answer):
    """True, with a hint, while the answer is still the placeholder `...`."""
    if answer is ...:
        print(PLACEHOLDER_HINT)
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
