"""Chapter 11's exercise checks: accept the worked solutions, explain the usual mistakes."""
import numpy as np
import pytest

from microgpt_lib.arrays import softmax_backward
from microgpt_lib.exercises.ch11 import (check_embedding_backward, check_head_backward,
                                         check_numerical_gradient, check_tanh_backward,
                                         lm_head_gradient)


def run(check, answer, capsys):
    ok = check(answer)
    return ok, capsys.readouterr().out


def placeholder(*args):
    return ...


# the worked solutions, as in the notebook
def head_backward(dout, q, k, v, att, scale):
    datt = dout @ v.T                                 # out = att @ v
    dv = att.T @ dout
    dscores = softmax_backward(datt, att) * scale     # scores = q @ k.T * scale + mask
    return dscores @ k, dscores.T @ q, dv


def embedding_backward(dx, inputs, vocab_size):
    dwte = np.zeros((vocab_size, dx.shape[1]))
    np.add.at(dwte, inputs, dx)
    return dwte


def tanh_backward(dh, h):
    return dh * (1 - h ** 2)


def numerical_gradient(h=1e-5):
    """The notebook's solution: nudge lm_head[0, 0] of the fresh seed-42 model both ways."""
    import random
    from microgpt_lib import Config, Tokenizer, load_docs
    from microgpt_lib.arrays import ArrayGPT
    rng = random.Random(42)
    docs = load_docs()
    tokenizer = Tokenizer.from_docs(docs)
    rng.shuffle(docs)
    model = ArrayGPT.initialise(Config(tokenizer.vocab_size), rng)
    tokens = tokenizer.document(docs[0])
    w = model.weights['lm_head']
    w[0, 0] += h
    loss_plus = model.loss(tokens)
    w[0, 0] -= 2 * h
    loss_minus = model.loss(tokens)
    w[0, 0] += h
    return (loss_plus - loss_minus) / (2 * h)


@pytest.mark.parametrize('check, solution', [(check_head_backward, head_backward),
                                             (check_embedding_backward, embedding_backward),
                                             (check_tanh_backward, tanh_backward),
                                             (check_numerical_gradient, numerical_gradient())])
def test_the_worked_solutions_pass_and_the_placeholder_gets_a_hint(check, solution, capsys):
    ok, out = run(check, solution, capsys)
    assert ok and 'Correct!' in out
    ok, out = run(check, placeholder if callable(solution) else ..., capsys)
    assert not ok and 'Replace the ...' in out


def test_an_unanswered_head_backward_as_in_the_exercise_cell_gets_the_placeholder_hint(capsys):
    def template(dout, q, k, v, att, scale):
        dq = dk = dv = ...
        return dq, dk, dv
    ok, out = run(check_head_backward, template, capsys)
    assert not ok and 'Replace the ...' in out


def head_mistake(dq=None, dk=None, dv=None):
    """head_backward with some of its three results replaced by a wrong formula."""
    def mistaken(dout, q, k, v, att, scale):
        right = head_backward(dout, q, k, v, att, scale)
        wrong = [f(dout, q, k, v, att, scale) if f else None for f in (dq, dk, dv)]
        return tuple(r if w is None else w for r, w in zip(right, wrong))
    return mistaken


@pytest.mark.parametrize('answer, hints', [
    (head_mistake(dv=lambda dout, q, k, v, att, scale: att @ dout), ['dv: ', 'transpose att']),
    (head_mistake(dv=lambda dout, q, k, v, att, scale: dout), ['dv: out = att @ v is rule 1']),
    (head_mistake(dq=lambda dout, q, k, v, att, scale: softmax_backward(dout @ v.T, att) @ k),
     ['dq: the scores were multiplied by scale']),
    (head_mistake(dq=lambda dout, q, k, v, att, scale: dout @ v.T * scale @ k,
                  dk=lambda dout, q, k, v, att, scale: (dout @ v.T * scale).T @ q),
     ['dq: datt = dout @ v.T', 'dk: datt = dout @ v.T', 'softmax_backward(datt, att)']),
    (head_mistake(dk=lambda dout, q, k, v, att, scale:
                  softmax_backward(dout @ v.T, att) * scale @ q), ['dk: scores = q @ k.T', 'transpose']),
    (head_mistake(dq=lambda dout, q, k, v, att, scale: q), ['dq: not yet']),
    (head_mistake(dk=lambda dout, q, k, v, att, scale: k.sum()), ['dk should have shape (5, 3)']),
    (lambda dout, q, k, v, att, scale: head_backward(dout, q, k, v, att, scale)[:2],
     ['return the three gradients as a tuple (dq, dk, dv)']),
    (lambda dout, q, k: q, ['calling it raised TypeError']),
    (head_backward(*[np.eye(3)] * 5, 1.0), ['pass your function itself']),
])
def test_head_backward_mistakes_are_explained(answer, hints, capsys):
    ok, out = run(check_head_backward, answer, capsys)
    assert not ok
    for hint in hints:
        assert hint in out


def test_a_head_backward_right_in_one_part_is_told_only_about_the_others(capsys):
    ok, out = run(check_head_backward, head_mistake(dv=lambda dout, q, k, v, att, scale: att @ dout), capsys)
    assert not ok and 'dv:' in out and 'dq:' not in out and 'dk:' not in out


def overwriting(dx, inputs, vocab_size):
    dwte = np.zeros((vocab_size, dx.shape[1]))
    dwte[inputs] += dx          # repeated indices: only one of them counts
    return dwte


@pytest.mark.parametrize('answer, hint', [
    (overwriting, 'keep just one'),
    (lambda dx, inputs, vocab_size: dx, 'should have shape (27, 4)'),
    (lambda dx, inputs, vocab_size: embedding_backward(dx, inputs, vocab_size) + 1, 'must stay 0'),
    (lambda dx, inputs, vocab_size: 2 * embedding_backward(dx, inputs, vocab_size), 'dx[1] + dx[4]'),
    (lambda dx: dx, 'calling it raised TypeError'),
    (np.zeros((27, 4)), 'pass your function itself'),
    (lambda dx, inputs, vocab_size: 'rows', 'should be an array of numbers'),
])
def test_embedding_backward_mistakes_are_explained(answer, hint, capsys):
    ok, out = run(check_embedding_backward, answer, capsys)
    assert not ok and hint in out


@pytest.mark.parametrize('answer, hint', [
    (lambda dh, h: 1 - h ** 2, 'multiply it by the upstream gradient'),
    (lambda dh, h: dh * (1 - np.tanh(h) ** 2), 'h is already tanh(a)'),
    (lambda dh, h: dh * (1 - h) ** 2, 'mind the brackets'),
    (lambda dh, h: dh * (h > 0), "relu's rule"),
    (lambda dh, h: dh * h, 'not yet'),
    (lambda dh, h: dh.sum(), 'should have shape (3, 5)'),
])
def test_tanh_backward_mistakes_are_explained(answer, hint, capsys):
    ok, out = run(check_tanh_backward, answer, capsys)
    assert not ok and hint in out


@pytest.mark.parametrize('wrong, hint', [
    (lambda g: 2 * g, 'divide their difference by 2 * h'),
    (lambda g: -g, 'the sign is flipped'),
    (lambda g: 2e-5 * g, 'much too small'),
    (lambda g: 1.01 * g, 'close, but not close enough'),
    (lambda g: 0.5, 'is not it'),
    (lambda g: [g], 'give one number'),
    (lambda g: 10 ** 400, 'too large for a float'),
    (lambda g: str(g), 'give one number'),
    (lambda g: round(g, 5), 'if you rounded, give more digits'),
])
def test_numerical_gradient_mistakes_are_explained(wrong, hint, capsys):
    ok, out = run(check_numerical_gradient, wrong(lm_head_gradient()), capsys)
    assert not ok and hint in out


def test_a_one_sided_difference_and_numpy_numbers_are_accepted_too():
    assert check_numerical_gradient(lm_head_gradient() * (1 + 3.3e-5))
    assert check_numerical_gradient(np.float64(lm_head_gradient()))
    assert check_numerical_gradient(np.array(lm_head_gradient(), dtype=np.float32))


@pytest.mark.parametrize('check', [check_embedding_backward, check_tanh_backward])
def test_array_functions_returning_odd_things_get_feedback(check, capsys):
    for answer, hint in [(lambda *args: [[10 ** 400]], 'should be an array of numbers'),
                         (lambda *args: np.full(args[0].shape, 'x'), 'should be an array of numbers'),
                         (lambda *args: args[0].nonsense, 'calling it raised AttributeError')]:
        ok, out = run(check, answer, capsys)
        assert not ok and hint in out
