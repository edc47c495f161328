"""Chapter 10's exercise check: accepts the count, names the usual mistakes."""
import numpy as np
import pytest

from microgpt_lib.exercises.ch10 import check_masked_scores


@pytest.mark.parametrize('answer', [84, np.int64(84), np.array(84)])
def test_the_count_passes(answer, capsys):
    assert check_masked_scores(answer)
    assert '✅' in capsys.readouterr().out


@pytest.mark.parametrize('answer, hint', [
    (21, "one head's count"),
    (112, "the diagonal too"),
    (196, "every score"),
    (50, "T(T-1)/2"),
    ('84', "not a whole number"),
    (84.5, "not a whole number"),
])
def test_the_usual_mistakes_are_named(answer, hint, capsys):
    assert not check_masked_scores(answer)
    assert hint in capsys.readouterr().out


def test_the_placeholder_asks_for_an_answer(capsys):
    assert not check_masked_scores(...)
    assert 'Replace the ...' in capsys.readouterr().out
