"""Checks for the exercises at the end of each chapter, one module per chapter.

A check prints what is wrong with an answer (not just "no") and returns
True only for a correct one. Answers start as the placeholder `...`.
"""


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
