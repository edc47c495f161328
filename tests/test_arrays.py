"""The array engine: the scalar engine's model, gradients, training and sampling, on NumPy."""
import random
import re

import numpy as np
import pytest

from conftest import REFERENCE, run_program
from microgpt_lib import GPT, Adam, Config, Tokenizer, document_loss, load_docs, load_checkpoint, sample_names
from microgpt_lib import arrays
from microgpt_lib.arrays import ArrayGPT
from microgpt_lib.data import DATA_DIR
from microgpt_lib.model import weight_shapes

REFERENCE_TEXT = REFERENCE.read_text(encoding='utf-8')
REFERENCE_LOSSES = [float(x) for x in re.findall(r'\| loss (\d+\.\d+)', REFERENCE_TEXT)]
REFERENCE_NAMES = re.findall(r'sample +\d+: (.*)', REFERENCE_TEXT)


@pytest.fixture
def names():
    """The shuffled names, their tokenizer and the rng right after the shuffle (seed 42)."""
    rng = random.Random(42)
    docs = load_docs()
    tokenizer = Tokenizer.from_docs(docs)
    rng.shuffle(docs)
    return docs, tokenizer, rng


def relative_difference(ours, theirs):
    """Largest elementwise |ours - theirs| / |theirs|, counting 0 == 0 as no difference."""
    ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    diff = np.abs(ours - theirs)
    return float(np.max(np.where(diff == 0, 0, diff / np.maximum(np.abs(theirs), 1e-300))))


def scalar_loss_and_grads(model, tokens):
    for p in model.parameters():
        p.grad = 0
    loss = document_loss(model, tokens)
    loss.backward()
    return loss.data, {name: [[p.grad for p in row] for row in mat] for name, mat in model.weights.items()}


@pytest.mark.parametrize('config', [Config(27), Config(27, n_layer=2, n_embd=15, n_head=3, block_size=7)],
                         ids=['default', '2-layer-3-head-odd'])
def test_loss_and_every_gradient_equal_the_scalar_engines(names, config):
    docs, tokenizer, _ = names
    scalar = GPT.initialise(config, random.Random(7))
    array = ArrayGPT.from_gpt(scalar)
    documents = [tokenizer.document(d) for d in docs[:4] + ['abcdefghijklmnopqrstuvwxyz']]   # the last > block_size
    for tokens in documents:
        loss, grads = scalar_loss_and_grads(scalar, tokens)
        array_loss, array_grads = array.loss_and_grads(tokens)
        assert relative_difference(array_loss, loss) < 1e-10
        assert array.loss(tokens) == array_loss
        assert list(array_grads) == [name for name, _, _ in weight_shapes(config)]
        for name, grad in grads.items():
            assert relative_difference(array_grads[name], grad) < 1e-10, name


def test_logits_at_every_position_equal_the_scalar_models(names):
    docs, tokenizer, _ = names
    model = GPT.initialise(Config(27, n_layer=2), random.Random(3)).frozen()
    tokens = tokenizer.document(docs[0])[:-1]
    keys, values = model.new_cache()
    scalar_logits = [model(t, pos, keys, values) for pos, t in enumerate(tokens)]
    assert relative_difference(ArrayGPT.from_gpt(model).logits(tokens), scalar_logits) < 1e-10


def test_without_the_mask_every_position_sees_the_whole_document_and_the_gradients_still_hold():
    tokens = [26, 24, 20, 7, 4, 13, 6, 26]
    changed_last = tokens[:-2] + [0]
    causal = ArrayGPT.initialise(Config(27), random.Random(5))
    peeking = ArrayGPT.initialise(Config(27), random.Random(5), causal=False)
    assert np.array_equal(peeking.params, causal.params)
    assert np.array_equal(causal.logits(tokens[:-1])[:-1], causal.logits(changed_last)[:-1])
    assert not np.allclose(peeking.logits(tokens[:-1])[0], peeking.logits(changed_last)[0])
    # the last position sees every token either way
    assert np.allclose(peeking.logits(tokens)[-1], causal.logits(tokens)[-1], rtol=1e-12, atol=0)
    _, grads = peeking.loss_and_grads(tokens)
    for name, (i, j) in [('wte', (24, 3)), ('layer0.attn_wk', (5, 2)), ('layer0.attn_wq', (1, 7))]:
        h, weight = 1e-6, peeking.weights[name]
        weight[i, j] += h
        up = peeking.loss(tokens)
        weight[i, j] -= 2 * h
        down = peeking.loss(tokens)
        weight[i, j] += h
        assert abs((up - down) / (2 * h) - grads[name][i, j]) < 1e-7, name


def test_initialisation_makes_the_scalar_engines_draws_and_round_trips_exactly():
    config = Config(27, n_layer=2, n_embd=12, n_head=3)
    rng_scalar, rng_array = random.Random(5), random.Random(5)
    scalar = GPT.initialise(config, rng_scalar)
    array = ArrayGPT.initialise(config, rng_array)
    assert array.params.tolist() == [p.data for p in scalar.parameters()]
    assert rng_array.getstate() == rng_scalar.getstate()
    assert array.frozen().weights == scalar.frozen().weights
    for name, nout, nin in weight_shapes(config):
        assert array.weights[name].shape == array.grads[name].shape == (nout, nin)
        assert np.shares_memory(array.weights[name], array.params)


def test_adam_does_the_scalar_adams_arithmetic():
    rng = random.Random(0)
    scalar = GPT.initialise(Config(3, n_embd=4, n_head=2, block_size=2), rng).parameters()
    array = np.array([p.data for p in scalar])
    scalar_adam, array_adam = Adam(scalar), arrays.Adam(array)
    for step in range(5):
        grads = [rng.gauss(0, 1) for _ in scalar]
        for p, g in zip(scalar, grads):
            p.grad = g
        scalar_adam.step(0.01 * (1 - step / 5))
        array_adam.step(np.array(grads), 0.01 * (1 - step / 5))
    assert relative_difference(array, [p.data for p in scalar]) < 1e-15


def test_adam_flushes_a_vanishing_momentum_without_moving_any_parameter_differently():
    rng = random.Random(1)
    scalar = GPT.initialise(Config(2, n_embd=1, n_head=1, block_size=1), rng).parameters()[:3]
    array = np.array([p.data for p in scalar])
    scalar_adam, array_adam = Adam(scalar), arrays.Adam(array)
    for step in range(6000):       # the third gradient is 0 after the first step: its m sinks below 1e-300
        grads = [rng.gauss(0, 1), rng.gauss(0, 1), 1.0 if step == 0 else 0.0]
        for p, g in zip(scalar, grads):
            p.grad = g
        scalar_adam.step(0.01)
        array_adam.step(np.array(grads), 0.01)
    assert 0 < scalar_adam.m[2] < 1e-300 and array_adam.m[2] == 0
    assert array[2] == scalar[2].data
    assert relative_difference(array, [p.data for p in scalar]) < 1e-12


def test_default_run_tracks_the_reference_losses_and_names(names):
    docs, tokenizer, rng = names
    model = ArrayGPT.initialise(Config(tokenizer.vocab_size), rng)
    losses = [loss for _, loss in arrays.train(model, [tokenizer.document(d) for d in docs])]
    assert len(losses) == len(REFERENCE_LOSSES) == 1000
    assert max(abs(a - b) for a, b in zip(losses, REFERENCE_LOSSES)) < 1e-3
    assert arrays.sample_names(model, tokenizer, rng) == REFERENCE_NAMES


def test_sampling_is_repeatable_and_draws_as_the_scalar_engine():
    model, tokenizer, rng, _ = load_checkpoint(DATA_DIR / 'microgpt_seed42.json')
    array = ArrayGPT.from_gpt(model)
    state = rng.getstate()
    first = arrays.sample_names(array, tokenizer, rng, 0.8, 10)
    after = rng.getstate()
    rng.setstate(state)
    assert arrays.sample_names(array, tokenizer, rng, 0.8, 10) == first
    rng.setstate(state)
    assert sample_names(model, tokenizer, rng, 0.8, 10) == first
    assert rng.getstate() == after


def test_bad_arguments_are_refused():
    model = ArrayGPT.initialise(Config(5, block_size=4), random.Random(0))
    with pytest.raises(ValueError, match='num_steps'):
        next(arrays.train(model, [[4, 0, 4]], 0))
    with pytest.raises(ValueError, match='no documents'):
        next(arrays.train(model, [], 10))
    with pytest.raises(ValueError, match='temperature'):
        arrays.sample(model, Tokenizer('abcd'), random.Random(0), 0)
    with pytest.raises(ValueError, match='1 to 4 tokens'):
        model.logits([4, 0, 1, 2, 3])
    with pytest.raises(ValueError, match='has 3296 parameters'):
        ArrayGPT(model.config, model.params[:-1])


def test_program_with_the_numpy_engine_prints_the_same_format_and_tracks_the_losses():
    run = run_program('--engine', 'numpy')
    assert run.returncode == 0, run.stderr
    ours, reference = run.stdout.splitlines(), REFERENCE_TEXT.splitlines()
    assert len(ours) == len(reference)
    for line, expected in zip(ours, reference):
        if '| loss' in expected:
            assert line[:-6] == expected[:-6]
            assert abs(float(line.split()[-1]) - float(expected.split()[-1])) < 1e-3
        elif expected.startswith('sample'):
            assert re.fullmatch(r'sample +\d+: [a-z]*', line) and line[:11] == expected[:11]
        else:
            assert line == expected


def test_program_checkpoints_are_engine_independent(tmp_path):
    ckpt = tmp_path / 'model.json'
    saved = run_program('--engine', 'numpy', '--steps', 20, '--samples', 5, '--save', ckpt)
    assert saved.returncode == 0, saved.stderr
    for engine in ('scalar', 'numpy'):
        loaded = run_program('--engine', engine, '--load', ckpt)
        assert loaded.returncode == 0, loaded.stderr
        assert saved.stdout.endswith(loaded.stdout)


def test_program_refuses_an_unknown_engine_with_argparses_error():
    run = run_program('--engine', 'torch')
    assert run.returncode == 2
    assert "argument --engine: invalid choice: 'torch'" in run.stderr
    assert 'scalar' in run.stderr and 'numpy' in run.stderr


def test_the_gap_to_the_scalar_engine_is_rounding_and_sees_a_changed_weight(names, monkeypatch):
    docs, tokenizer, rng = names
    model = GPT.initialise(Config(vocab_size=tokenizer.vocab_size), rng)
    tokens = tokenizer.document('yuheng')
    loss_gap, grad_gap = arrays.gap_to_scalar(model, tokens)
    assert loss_gap < 1e-15 and grad_gap < 1e-15
    assert all(p.grad == 0 for p in model.parameters())         # the caller's model is left alone
    from_gpt = ArrayGPT.from_gpt

    def off_by_a_little(gpt):                                   # an array engine with one weight wrong
        array_model = from_gpt(gpt)
        array_model.weights['lm_head'][0, 0] += 1e-3
        return array_model
    monkeypatch.setattr(ArrayGPT, 'from_gpt', off_by_a_little)
    loss_gap, grad_gap = arrays.gap_to_scalar(model, tokens)
    assert loss_gap > 1e-7 and grad_gap > 1e-7
