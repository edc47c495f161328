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


# The piece: causal_attention

from microgpt_lib.exercises import ch10
from microgpt_lib.exercises.ch10 import CAUSAL_CASES, CAUSAL_MISTAKES, check_causal_attention


def test_the_finished_piece_passes_and_is_returned(capsys):
    assert check_causal_attention(ch10.causal_attention) is ch10.causal_attention
    assert 'OK: your causal_attention' in capsys.readouterr().out


def test_an_unwritten_piece_is_unanswered_and_the_stand_in_works(capsys):
    def unwritten(q, k, v):
        raise NotImplementedError()
    stand_in = check_causal_attention(unwritten)
    assert 'not written yet' in capsys.readouterr().out
    att, out = stand_in(*CAUSAL_CASES[0])
    assert np.allclose(att.sum(-1), 1) and np.all(np.triu(att, 1) == 0) and out.shape == (4, 7, 4)


@pytest.mark.parametrize('mistaken, hint', CAUSAL_MISTAKES, ids=[h[:30] for _, h in CAUSAL_MISTAKES])
def test_causal_attention_names_each_typical_mistake(mistaken, hint, capsys):
    assert check_causal_attention(mistaken) is not mistaken
    assert hint in capsys.readouterr().out


def test_a_result_of_another_shape_is_told_the_shapes(capsys):
    check_causal_attention(lambda q, k, v: (q, v))            # the weights of the wrong shape
    assert 'shapes (4, 7, 7) and (4, 7, 4)' in capsys.readouterr().out
