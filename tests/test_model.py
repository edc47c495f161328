"""Building blocks, the GPT, training and sampling: gradients, exactness and the original's digits."""
import random

import numpy as np
import pytest

from conftest import finite_difference
from microgpt_lib import (GPT, Config, Tokenizer, Value, document_loss, linear, load_docs, rmsnorm,
                          sample, sample_names, softmax, train)
from microgpt_lib import arrays, nn
from microgpt_lib.sample import next_token_probs, prefix_probs

BLOCKS = {     # each block's outputs summed into one number, left to right on floats as on Values
    'linear': lambda x: nn.add_up(y * (i + 1) for i, y in enumerate(linear(x[:3], [x[3:6], x[6:9]]))),
    'softmax': lambda x: nn.add_up(p * w for p, w in zip(softmax(x[:4]), [0.1, 2.0, -1.0, 0.5])),
    'rmsnorm': lambda x: nn.add_up(y * w for y, w in zip(rmsnorm(x[:4]), [0.3, -1.2, 2.0, 0.7])),
}
XS = [0.5, -1.2, 0.8, 1.1, -0.4, 0.3, 0.9, -0.7, 0.2]


def to_float(v):
    return v.data if isinstance(v, Value) else v


@pytest.mark.parametrize('name', BLOCKS)
def test_block_gradients_match_finite_differences(name):
    f = BLOCKS[name]
    vs = [Value(x) for x in XS]
    f(vs).backward()
    for i, v in enumerate(vs):
        assert v.grad == pytest.approx(finite_difference(lambda xs: to_float(f(xs)), XS, i),
                                       rel=1e-6, abs=1e-9), (name, i)


@pytest.mark.parametrize('name', BLOCKS)
def test_blocks_give_identical_numbers_on_floats_and_values(name):
    assert BLOCKS[name]([Value(x) for x in XS]).data == BLOCKS[name](XS)


def test_float_sums_add_left_to_right_like_values_on_any_python():
    terms = [1e16, 1.0, -1e16]          # sum() of floats gives 1.0 since Python 3.12, Values give 0.0
    assert nn.add_up(terms) == nn.add_up([Value(t) for t in terms]).data == 0.0


TINY = Config(vocab_size=5, n_layer=1, n_embd=4, n_head=2, block_size=4)


def test_model_gradients_match_finite_differences():
    model = GPT.initialise(TINY, random.Random(3))
    tokens = [4, 0, 2, 1, 3, 4]
    loss = document_loss(model, tokens)
    loss.backward()
    params = model.parameters()
    values = [p.data for p in params]

    def loss_at(xs):
        for p, x in zip(params, xs):
            p.data = x
        return document_loss(model, tokens).data

    for i in random.Random(0).sample(range(len(params)), 40):
        grad = params[i].grad
        assert grad == pytest.approx(finite_difference(loss_at, values, i), rel=1e-5, abs=1e-8)


def test_float_path_gives_bit_identical_probabilities():
    config = Config(vocab_size=7, n_layer=2, n_embd=6, n_head=3, block_size=5)
    model = GPT.initialise(config, random.Random(9))
    fast = model.frozen()
    caches = model.new_cache(), fast.new_cache()
    for pos, token in enumerate([6, 1, 2, 3, 0]):
        slow_probs = next_token_probs(model, token, pos, *caches[0], temperature=0.7)
        fast_probs = next_token_probs(fast, token, pos, *caches[1], temperature=0.7)
        assert [p.data for p in slow_probs] == fast_probs


def test_sampling_on_floats_draws_the_same_names_as_on_values():
    docs = ['anna', 'bob', 'carla', 'dave']
    tok = Tokenizer.from_docs(docs)
    model = GPT.initialise(Config(tok.vocab_size, n_embd=8, n_head=2, block_size=6), random.Random(1))
    slow = [sample(model, tok, random.Random(5), 0.9) for _ in range(1)]
    assert slow == sample_names(model, tok, random.Random(5), 0.9, 1)


@pytest.mark.parametrize('kwargs, message', [
    (dict(n_embd=16, n_head=3), 'divisible'),
    (dict(block_size=0), 'block_size'),
    (dict(n_layer=0), 'n_layer'),
    (dict(n_embd=2.5), 'n_embd'),
    (dict(n_head=True), 'n_head'),
])
def test_config_rejects_bad_values_clearly(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Config(27, **kwargs)


def test_config_takes_numpy_integers_as_plain_ints():
    config = Config(np.int64(27), n_layer=np.int64(2), n_embd=np.int32(8), n_head=np.uint8(2))
    assert config == Config(27, n_layer=2, n_embd=8, n_head=2)
    assert all(type(getattr(config, name)) is int for name in ('vocab_size', 'n_layer', 'n_embd', 'n_head'))


@pytest.mark.parametrize('kwargs, message', [
    (dict(n_layer=2.0), 'n_layer must be a whole number given as an int, got 2.0 (a float)'),
    (dict(n_embd=np.float64(16)), 'n_embd must be a whole number given as an int, got np.float64(16.0) (a float64)'),
    (dict(n_head=True), 'n_head must be a whole number given as an int, got True (a bool)'),
    (dict(block_size=np.int64(0)), 'block_size must be a whole number of at least 1, got np.int64(0)'),
])
def test_config_errors_name_the_real_problem(kwargs, message):
    with pytest.raises(ValueError) as refused:
        Config(27, **kwargs)
    assert str(refused.value) == message


def test_numpy_numbers_work_as_num_steps_and_temperature():
    tok = Tokenizer('abcd')
    model = GPT.initialise(TINY, random.Random(0))
    for engine_train, trainable in [(train, model.thawed()), (arrays.train, arrays.ArrayGPT.from_gpt(model))]:
        assert [step for step, _ in engine_train(trainable, [tok.document('abc')], np.int64(2))] == [0, 1]
    cold = np.float32(0.8)          # not quite 0.8: the probabilities are float(cold)'s, in float64
    assert prefix_probs(model, tok, 'ab', cold) == prefix_probs(model, tok, 'ab', float(cold))
    assert sample_names(model, tok, random.Random(0), cold, 5) == \
        sample_names(model, tok, random.Random(0), float(cold), 5)


@pytest.mark.parametrize('temperature', [0, -0.5, float('nan'), float('inf'), 1e-320, '0.5'])
def test_temperature_must_be_a_finite_number_above_zero(temperature):
    model = GPT.initialise(TINY, random.Random(0))
    tok = Tokenizer('abcd')
    with pytest.raises(ValueError, match='temperature'):
        sample_names(model, tok, random.Random(0), temperature)


def test_prefix_probs_sum_to_one_and_reject_unknown_characters():
    tok = Tokenizer('abcd')
    model = GPT.initialise(TINY, random.Random(0))
    assert sum(prefix_probs(model, tok, 'ab')) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="never saw 'z'"):
        prefix_probs(model, tok, 'az')
    with pytest.raises(ValueError, match='too long'):
        prefix_probs(model, tok, 'abcd')


def test_deep_long_model_trains_a_step_without_recursion_error():
    tok = Tokenizer.from_docs(['abcdefghijklmnopqrstuvwxyz' * 2])
    model = GPT.initialise(Config(tok.vocab_size, n_layer=4, block_size=32), random.Random(0))
    (_, loss), = train(model, [tok.document('abcdefghijklmnopqrstuvwxyz' * 2)], num_steps=1)
    assert 2.0 < loss < 5.0


def test_first_25_losses_equal_the_reference(reference_lines):
    rng = random.Random(42)
    docs = load_docs()
    rng.shuffle(docs)
    tok = Tokenizer.from_docs(docs)
    model = GPT.initialise(Config(tok.vocab_size), rng)
    assert [len(docs), tok.vocab_size, len(model.parameters())] == [32033, 27, 4192]
    lines = []
    for step, loss in train(model, [tok.document(d) for d in docs], num_steps=1000):
        lines.append(f"step {step + 1:4d} / 1000 | loss {loss:.4f}")
        if step == 24:
            break
    assert lines == reference_lines[3:28]
