"""Chapter 12's array autograd and GPT-2 variants: gradients checked, and all switches off is microgpt."""
import random

import numpy as np
import pytest

from microgpt_lib import toward_gpt2
from microgpt_lib.arrays import ArrayGPT
from microgpt_lib.model import Config
from microgpt_lib.toward_gpt2 import Model, Tensor, Variant, gradient_error, pad

CONFIG = Config(27)
YUHENG = [26, 24, 20, 7, 4, 13, 6, 26]
ANN = [26, 0, 13, 13, 26]
VARIANTS = {
    'microgpt': Variant(), 'batch': Variant(batch=3), 'gelu': Variant(gelu=True),
    'layernorm': Variant(layernorm=True), 'final_norm': Variant(final_norm=True),
    'tied': Variant(tied=True), 'all': Variant(batch=3, gelu=True, layernorm=True, final_norm=True, tied=True),
    'two layers, two heads': Variant(gelu=True, layernorm=True, tied=True),
}


def numeric_grad(f, x, h=1e-6):
    grad = np.zeros_like(x.data)
    for i in np.ndindex(x.data.shape):
        kept = x.data[i]
        x.data[i] = kept + h
        up = f()
        x.data[i] = kept - h
        down = f()
        x.data[i] = kept
        grad[i] = (up - down) / (2 * h)
    return grad


OPS = {
    'add, broadcast': lambda a, b: a + b[0],
    'mul, broadcast': lambda a, b: a * b[:, :1],
    'matmul, batched': lambda a, b: a.reshape(1, 2, 3) @ b.transpose(1, 0),
    'pow': lambda a, b: (a * a + 1.0) ** -0.5,
    'relu': lambda a, b: a.relu() * b,
    'gelu': lambda a, b: a.gelu() * b,
    'mean': lambda a, b: a.mean() * b[:, :1],
    'reshape, transpose': lambda a, b: a.reshape(3, 2).transpose(1, 0) * b,
    'getitem, a row twice': lambda a, b: a[np.array([0, 0, 1])] * b[0],
    'softmax, masked': lambda a, b: a.softmax(np.array([[0, -np.inf, 0]] * 2)) * b,
    'sub, neg': lambda a, b: (a - b) * (-a),
}


@pytest.mark.parametrize('op', OPS)
def test_every_operation_passes_back_the_finite_difference_gradient(op):
    rng = np.random.default_rng(0)
    a, b = Tensor(rng.normal(size=(2, 3))), Tensor(rng.normal(size=(2, 3)))
    weights = rng.normal(size=OPS[op](a, b).data.shape)

    def loss():
        return float((OPS[op](a, b).data * weights).sum())
    out = OPS[op](a, b)
    picked = out * Tensor(weights)
    total = picked.reshape(1, -1) @ Tensor(np.ones((picked.data.size, 1)))
    total.backward()
    for x in (a, b):
        assert np.allclose(x.grad, numeric_grad(loss, x), rtol=1e-6, atol=1e-8), op


def test_with_every_switch_off_it_is_microgpt_loss_and_gradients():
    model = Model(CONFIG, Variant(), random.Random(42))
    loss = model.loss([YUHENG])
    loss.backward()
    expected, grads = ArrayGPT.initialise(CONFIG, random.Random(42)).loss_and_grads(YUHENG)
    assert float(loss.data) == pytest.approx(expected, rel=1e-14)
    assert set(grads) == set(model.params)
    for name, grad in grads.items():
        assert np.allclose(model.params[name].grad, grad, rtol=0, atol=1e-15), name


@pytest.mark.parametrize('name', VARIANTS)
def test_each_gpt2_variant_has_the_gradients_finite_differences_give(name):
    config = Config(27, n_layer=2, n_head=2) if 'two layers' in name else CONFIG
    model = Model(config, VARIANTS[name], random.Random(1))
    assert gradient_error(model, [YUHENG, ANN], random.Random(0), count=40) < 1e-8


def test_the_gradient_check_catches_a_wrong_backward(monkeypatch):
    model = Model(CONFIG, Variant(gelu=True), random.Random(1))
    original = Tensor.gelu

    def gelu_with_the_relu_slope(self):
        out = original(self)
        out._backward = lambda: self._add_grad(out.grad * (self.data > 0))
        return out
    monkeypatch.setattr(Tensor, 'gelu', gelu_with_the_relu_slope)
    assert gradient_error(model, [YUHENG, ANN], random.Random(0), count=40) > 1e-4


def test_padding_changes_no_real_positions_loss():
    model = Model(CONFIG, Variant(batch=2), random.Random(1))
    tokens, weight = pad([YUHENG, ANN])
    assert tokens.shape == (2, 8) and weight.sum() == 7 + 4
    alone = [float(model.loss([doc]).data) for doc in (YUHENG, ANN)]
    together = float(model.loss([YUHENG, ANN]).data)
    assert together == pytest.approx((7 * alone[0] + 4 * alone[1]) / 11, rel=1e-12)
    assert toward_gpt2.held_out_loss(model, [YUHENG, ANN]) == pytest.approx(sum(alone) / 2, rel=1e-12)


def test_parameter_counts_of_the_variants():
    counts = {name: Model(CONFIG, v, random.Random(1)).num_params() for name, v in VARIANTS.items()}
    assert counts['microgpt'] == counts['batch'] == counts['gelu'] == counts['final_norm'] == 4192
    assert counts['tied'] == 4192 - 27 * 16
    assert counts['layernorm'] == 4192 + 144 + 96


def test_training_lowers_the_loss_and_batches_take_their_names_in_order():
    model = Model(CONFIG, Variant(batch=2), random.Random(1))
    before = toward_gpt2.held_out_loss(model, [YUHENG, ANN])
    losses = [loss for _, loss in toward_gpt2.train(model, [YUHENG, ANN], 20)]
    assert len(losses) == 20 and toward_gpt2.held_out_loss(model, [YUHENG, ANN]) < before - 0.5
