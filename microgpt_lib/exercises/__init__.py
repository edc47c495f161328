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
