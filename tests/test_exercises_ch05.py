"""Chapter 05's exercise checks: accept the worked solutions, explain the typical mistakes."""
import numpy as np
import pytest

from microgpt_lib import Config, linear, rmsnorm
from microgpt_lib.exercises.ch05 import CONFIGS, check_mlp_block, check_num_params, num_params
from microgpt_lib.model import weight_shapes
from microgpt_lib.nn import relu


def test_the_reference_count_agrees_with_the_model():
    for vocab_size, n_embd, n_layer, block_size in CONFIGS:
        config = Config(vocab_size, n_layer, n_embd, 1, block_size)
        expected = sum(rows * columns for _, rows, columns in weight_shapes(config))
        assert num_params(vocab_size, n_embd, n_layer, block_size) == expected


@pytest.mark.parametrize('check', [check_num_params, check_mlp_block])
def test_the_placeholder_gets_a_hint_not_an_error(check, capsys):
    assert not check(...)
    assert not check(lambda *args: ...)       # the function as committed: `return ...`
    assert capsys.readouterr().out.count('Replace the ...') == 2


def test_num_params_accepts_the_solution(capsys):
    def solution(vocab_size, n_embd, n_layer, block_size):
        return 2 * vocab_size * n_embd + block_size * n_embd + n_layer * 12 * n_embd ** 2
    assert check_num_params(solution)
    assert '4,192' in capsys.readouterr().out


def test_num_params_accepts_numpy_integers(capsys):
    assert check_num_params(lambda V, d, L, B: np.int64(2 * V * d + B * d + L * 12 * d ** 2))
    assert 'Correct' in capsys.readouterr().out


@pytest.mark.parametrize('formula, hint', [
    (lambda V, d, L, B: 2 * V * d + L * 12 * d ** 2, 'left out wpe'),
    (lambda V, d, L, B: V * d + B * d + L * 12 * d ** 2, 'wte (in) and lm_head (out)'),
    (lambda V, d, L, B: 2 * V * d + B * d + L * 6 * d ** 2, '4 times wider'),
    (lambda V, d, L, B: 2 * V * d + B * d + L * 8 * d ** 2, 'both MLP matrices'),
    (lambda V, d, L, B: 2 * V * d + B * d + L * 11 * d ** 2, 'four n_embd x n_embd'),
    (lambda V, d, L, B: 2 * V * d + B * d + 12 * d ** 2, 'multiply their count by n_layer'),
    (lambda V, d, L, B: L * (2 * V * d + B * d + 12 * d ** 2), 'only the layers repeat'),
    (lambda V, d, L, B: 4192, 'should be'),
    (lambda V, d, L, B: 4192.0, 'whole number'),
    (lambda V, d, L, B: V / 0, 'ZeroDivisionError'),
    (lambda V, d, L, B: 10 ** 400, 'gives an integer of about 10**400'),
    (4192, 'the function itself'),
])
def test_num_params_explains_typical_mistakes(formula, hint, capsys):
    assert not check_num_params(formula)
    assert hint in capsys.readouterr().out


def solution_mlp(x, fc1, fc2):
    h = linear(rmsnorm(x), fc1)
    h = [relu(hi) for hi in h]
    out = linear(h, fc2)
    return [a + b for a, b in zip(out, x)]


def values_only_mlp(x, fc1, fc2):
    h = [hi.relu() for hi in linear(rmsnorm(x), fc1)]
    return [a + b for a, b in zip(linear(h, fc2), x)]


def true_division_mlp(x, fc1, fc2):
    scale = (sum(xi * xi for xi in x) / len(x) + 1e-5) ** -0.5
    h = [max(0.0, hi) for hi in linear([xi * scale for xi in x], fc1)]
    return [a + b for a, b in zip(linear(h, fc2), x)]


def numpy_mlp(x, fc1, fc2):
    return np.array(solution_mlp(x, fc1, fc2), dtype=np.float32).astype(float)


def zeroing_fc2(fc2):
    for row in fc2:
        row[:] = [0.0] * len(row)


def identity_zeroing_fc2(x, fc1, fc2):
    zeroing_fc2(fc2)
    return list(x)


def no_residual_in_place(x, fc1, fc2):
    out = linear([relu(h) for h in linear(rmsnorm(x), fc1)], fc2)
    zeroing_fc2(fc2)
    x[:] = out
    return out


@pytest.mark.parametrize('answer, hint', [(identity_zeroing_fc2, 'not the right numbers'),
                                          (no_residual_in_place, 'forgot the residual')])
def test_mlp_block_is_not_fooled_by_functions_changing_their_inputs(answer, hint, capsys):
    assert not check_mlp_block(answer)
    assert hint in capsys.readouterr().out


@pytest.mark.parametrize('answer', [solution_mlp, values_only_mlp, true_division_mlp, numpy_mlp])
def test_mlp_block_accepts_correct_functions_on_floats_or_values(answer, capsys):
    assert check_mlp_block(answer)
    assert 'Correct' in capsys.readouterr().out


@pytest.mark.parametrize('answer, hint', [
    (lambda x, fc1, fc2: linear([relu(h) for h in linear(rmsnorm(x), fc1)], fc2), 'forgot the residual'),
    (lambda x, fc1, fc2: [a + b for a, b in zip(linear(linear(rmsnorm(x), fc1), fc2), x)], 'forgot the ReLU'),
    (lambda x, fc1, fc2: [a + b for a, b in zip(linear([relu(h) for h in linear(x, fc1)], fc2), x)],
     'apply rmsnorm before mlp_fc1'),
    (lambda x, fc1, fc2: [a + b for a, b in zip(linear([relu(h) for h in linear(rmsnorm(x), fc1)], fc2),
                                                 rmsnorm(x))], 'not its normalised copy'),
    (lambda x, fc1, fc2: list(x), 'not the right numbers'),
    (lambda x, fc1, fc2: None, 'return a list of 4 numbers'),
    (lambda x, fc1, fc2: x[0], 'return a list of 4 numbers'),
    (lambda x, fc1, fc2: x.nonsense, "raised AttributeError"),
    (lambda x, fc1, fc2: ['a'] * 4, 'return a list of 4 numbers'),
    (lambda x, fc1, fc2: [10 ** 400] * 4, 'not the right numbers'),
    ('mlp', 'the function itself'),
])
def test_mlp_block_explains_typical_mistakes(answer, hint, capsys):
    assert not check_mlp_block(answer)
    assert hint in capsys.readouterr().out
