"""Chapter 11's pieces and exercise checks: accept the worked solutions, explain the usual mistakes."""
import numpy as np
import pytest

from microgpt_lib import arrays
from microgpt_lib.arrays import softmax_backward
from microgpt_lib.exercises import LEARNERS
from microgpt_lib.exercises.ch11 import (check_embedding_backward, check_head_backward,
                                         check_linear_backward, check_numerical_gradient,
                                         check_softmax_backward, check_tanh_backward, lm_head_gradient,
                                         one_head)


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


@pytest.mark.parametrize('check, solution', [(check_embedding_backward, embedding_backward),
                                             (check_tanh_backward, tanh_backward),
                                             (check_numerical_gradient, numerical_gradient())])
def test_the_worked_solutions_pass_and_the_placeholder_gets_a_hint(check, solution, capsys):
    ok, out = run(check, solution, capsys)
    assert ok and 'Correct!' in out
    ok, out = run(check, placeholder if callable(solution) else ..., capsys)
    assert not ok and 'Replace the ...' in out


def unwritten(*args):
    # YOUR CODE HERE
    raise NotImplementedError()


def linear_backward(dy, x, W):
    return dy @ W, dy.T @ x


def softmax_backward_piece(dprobs, probs):
    return probs * (dprobs - (dprobs * probs).sum(-1, keepdims=True))


PIECES = [(check_linear_backward, linear_backward, 'linear_backward'),
          (check_softmax_backward, softmax_backward_piece, 'softmax_backward'),
          (check_head_backward, head_backward, 'head_backward')]


@pytest.mark.parametrize('check, solution, name', PIECES)
def test_a_written_piece_passes_and_is_the_learners_own(check, solution, name, capsys):
    assert check(solution) is solution
    assert 'OK: your ' in capsys.readouterr().out


@pytest.mark.parametrize('check, solution, name', PIECES)
def test_an_unwritten_piece_is_unanswered_and_the_stand_in_works(check, solution, name, capsys):
    stand_in = check(unwritten)
    out = capsys.readouterr().out
    assert 'is not written yet' in out and f"goes on with microgpt_lib's {name}" in out
    assert getattr(stand_in, LEARNERS) is unwritten
    assert check(stand_in) is not unwritten          # checked again: still the learner's, still unwritten
    rng = np.random.default_rng(0)
    if name == 'linear_backward':
        dy, x, W = rng.normal(size=(3, 2)), rng.normal(size=(3, 4)), rng.normal(size=(2, 4))
        assert all(np.array_equal(a, b) for a, b in zip(stand_in(dy, x, W), linear_backward(dy, x, W)))
    elif name == 'softmax_backward':
        probs, dprobs = arrays.softmax(rng.normal(size=(2, 5))), rng.normal(size=(2, 5))
        assert np.array_equal(stand_in(dprobs, probs), softmax_backward(dprobs, probs))
    else:
        assert all(np.array_equal(a, b) for a, b in zip(stand_in(*one_head()), head_backward(*one_head())))


@pytest.mark.parametrize('mistake, hints', [
    (lambda dy, x, W: (dy @ W, x.T @ dy), ['dW is transposed', 'dy.T @ x']),
    (lambda dy, x, W: (dy @ W.T, dy.T @ x), ['dx uses W.T', 'dx = dy @ W']),
    (lambda dy, x, W: (dy.T @ x, dy @ W), ['you returned (dW, dx)']),
    (lambda dy, x, W: (dy @ W, dy.T @ x / len(x)), ['divided by the number of positions']),
    (lambda dy, x, W: (dy @ W, dy.T @ x + 1), ['dW is not yet right']),
    (lambda dy, x, W: (dy @ W,), ['return the two gradients as a tuple']),
    (lambda dy, x, W: (dy @ W, np.zeros(3)), ["dW should have shape (4, 4)"]),
    (lambda dy, x, W: (x, dy.T @ x), ["dx is not yet right"]),
    (lambda dy, x: dy, ['linear_backward(', 'raised TypeError']),
])
def test_linear_backward_mistakes_are_named(mistake, hints, capsys):
    mistake.__name__ = 'linear_backward'
    assert check_linear_backward(mistake) is not mistake
    out = capsys.readouterr().out
    assert 'Not yet:' in out and "goes on with microgpt_lib's linear_backward" in out
    for hint in hints:
        assert hint in out


def test_a_dw_transposed_is_named_on_a_non_square_w_too(capsys):
    def mistake(dy, x, W):
        return dy @ W, (dy.T @ x).T if W.shape[0] != W.shape[1] else dy.T @ x
    check_linear_backward(mistake)
    assert 'W (3, 2): dW is transposed' in capsys.readouterr().out


@pytest.mark.parametrize('mistake, hint', [
    (lambda dp, p: p * dp, 'the subtracted sum is missing'),
    (lambda dp, p: p * (dp - (dp * p).sum()), 'summed over the whole array'),
    (lambda dp, p: p * (dp - dp.sum(-1, keepdims=True)), 'weighted by the probabilities'),
    (lambda dp, p: dp - (dp * p).sum(-1, keepdims=True), 'multiply by p'),
    (lambda dp, p: p * (dp - (dp * p).sum(-1)), 'the sum lines up with the wrong axis'),
    (lambda dp, p: p, 'not yet: dz = p * (dp'),
    (lambda dp, p: p.sum(), "should have shape (6,)"),
])
def test_softmax_backward_mistakes_are_named(mistake, hint, capsys):
    assert check_softmax_backward(mistake) is not mistake
    out = capsys.readouterr().out
    assert 'Not yet:' in out and hint in out


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
