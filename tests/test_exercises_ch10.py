"""Chapter 10's exercise check: accepts the count, names the usual mistakes."""
import numpy as np
import pytest

from microgpt_lib.exercises.ch10 import check_masked_scores, check_peeking_losses, expected_peeking_losses


@pytest.mark.parametrize('answer', [84, np.int64(84), np.array(84), 84.0, np.float64(84)])
def test_the_count_passes_whatever_its_type(answer, capsys):
    assert check_masked_scores(answer)
    assert 'Correct!' in capsys.readouterr().out


@pytest.mark.parametrize('answer, hint', [
    (21, "one head's count"),
    (112, "the diagonal too"),
    (196, "every score"),
    (50, "T(T-1)/2"),
    ('84', "give a whole number"),
    (84.5, "give a whole number"),
])
def test_the_usual_mistakes_are_named(answer, hint, capsys):
    assert not check_masked_scores(answer)
    assert hint in capsys.readouterr().out


def test_the_placeholder_asks_for_an_answer(capsys):
    assert not check_masked_scores(...)
    assert 'Replace the ...' in capsys.readouterr().out


def test_the_peeking_losses_are_what_training_without_the_mask_gives():
    (peeking, honest), (microgpt, microgpt_again) = expected_peeking_losses()
    assert peeking < 0.2 < 2 < microgpt == microgpt_again < 3 < 10 < honest


def test_the_peeking_losses_pass_and_the_usual_mistakes_are_named(capsys):
    right, microgpt = expected_peeking_losses()
    assert check_peeking_losses(right)
    assert check_peeking_losses(np.array(right))
    assert 'Correct!' in capsys.readouterr().out
    for answer, hint in [(right[::-1], "swapped"), (microgpt, "causal=False"),
                         ((right[0], right[0]), "the mask back"),
                         ((round(right[0], 3), round(right[1], 1)), "rounded too far"),
                         ((1.0, 2.0), "held-out names"), (right[0], "two losses"),
                         (..., "Replace the ...")]:
        assert not check_peeking_losses(answer)
        assert hint in capsys.readouterr().out, hint
