"""Checks for chapter 10's exercises: the forward pass on arrays, and its causal mask."""
from . import as_whole_number, exercise, report, shown, unanswered

N_HEAD, NAME = 4, 'yuheng'


@exercise
def check_masked_scores(answer):
    """Exercise 1: how many attention scores the causal mask hides for one name, all heads together."""
    if unanswered(answer):
        return False
    got = as_whole_number(answer)
    if got is None:
        return report([f"{shown(answer)} is not a whole number: count the -inf entries"])
    T = len(NAME) + 1                       # BOS and the letters are the inputs
    hidden_per_head = T * (T - 1) // 2      # the entries strictly above the diagonal
    mistakes = {
        hidden_per_head: "that is one head's count: every head has its own (T, T) scores",
        N_HEAD * T * (T + 1) // 2: "you counted the diagonal too: a position may look at itself",
        N_HEAD * T * T: "that is every score; only those above the diagonal are hidden",
    }
    if got == N_HEAD * hidden_per_head:
        return report([])
    return report([mistakes.get(got, f"{got} is not it: for T positions a head hides the "
                                     "T(T-1)/2 scores above the diagonal")])
