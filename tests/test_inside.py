"""Looking inside a model: the embedding map, dead ReLUs, update ratios, their pictures and the check."""
import random

import numpy as np
import pytest

from conftest import verdict
from microgpt_lib import Config, Tokenizer, arrays, inside, pictures
from microgpt_lib.exercises.ch08 import check_nearest_to_a
from microgpt_lib.model import weight_shapes

TOKENIZER = Tokenizer('abcd')           # 4 characters and BOS: 5 tokens
CONFIG = Config(TOKENIZER.vocab_size, n_embd=8, n_head=2, block_size=8)
DOCUMENTS = [TOKENIZER.document(name) for name in ['abba', 'cad', 'dab', 'bcd', 'a']]


@pytest.fixture
def model():
    return arrays.ArrayGPT.initialise(CONFIG, random.Random(42))


def with_embeddings(model, wte):
    model.weights['wte'][:] = wte
    return model


def test_the_map_recovers_points_that_lie_in_a_plane(model):
    plane = np.array([[3.0, 0.0], [-3.0, 0.0], [0.0, 1.0], [0.0, -1.0], [0.0, 0.0]])
    rotation, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(8, 8)))
    emap = inside.embedding_map(with_embeddings(model, plane @ rotation[:2] + 5.0), TOKENIZER)
    assert emap.kept == pytest.approx(1.0)
    assert emap.shares == pytest.approx((18 / 20, 2 / 20))          # variance 18 along one axis, 2 along the other
    assert np.abs(emap.points) == pytest.approx(np.abs(plane))      # the plane's axes, up to their signs
    assert emap.labels == ['a', 'b', 'c', 'd', 'BOS']
    assert emap.along(0)[-1] in ('a', 'b') and emap.points[:, 0].max() == pytest.approx(3.0)


def test_the_map_keeps_its_orientation_whatever_the_sign_svd_returns(model):
    plane = np.array([[3.0, 0.0], [-1.0, 0.0], [-1.0, 1.0], [-1.0, -2.0], [0.0, 1.0]])
    for sign in (1, -1):
        emap = inside.embedding_map(with_embeddings(model, np.pad(sign * plane, ((0, 0), (0, 6)))), TOKENIZER)
        assert emap.along(0)[-1] == 'a' and emap.points[0, 0] > 0


def test_nearest_measures_in_every_dimension_and_leaves_the_token_itself_out(model):
    wte = np.zeros((5, 8))
    wte[0, :2] = [1.0, 0.0]
    wte[1, :3] = [1.2, 0.0, 0.7]        # near a in the plane of the first two numbers, far in the third
    wte[2, :2] = [1.0, 0.6]             # nearest to a in all of them
    wte[3, :2] = [-4.0, 0.0]
    with_embeddings(model, wte)
    assert inside.nearest(model, TOKENIZER, 'a') == 'c'
    assert inside.nearest(model, TOKENIZER, 'd') == 'BOS'


def test_a_relu_made_dead_is_counted_and_its_zeros_with_it(model):
    alive = inside.dead_relus(model, DOCUMENTS)[0]
    assert alive.never_fire == 0 and 0 < alive.zero < 1
    model.weights['layer0.mlp_fc1'][[3, 17]] = 0          # these two units' inputs are always 0: dead
    dead = inside.dead_relus(model, DOCUMENTS)[0]
    assert dead.never_fire == 2 / 32 and list(np.flatnonzero(dead.rates == 0)) == [3, 17]
    hs = [model.forward(np.asarray(doc[:-1]))[1][1][-1] for doc in DOCUMENTS]
    assert dead.zero == pytest.approx(np.mean(np.concatenate(hs) == 0))
    assert dead.rates == pytest.approx(np.mean(np.concatenate(hs) > 0, axis=0))


def test_firing_rates_read_the_positions_the_loss_reads_and_take_scalar_models(model):
    long = [TOKENIZER.BOS] + [0] * 20 + [TOKENIZER.BOS]     # longer than block_size: its first 8 positions
    rates = inside.firing_rates(model.frozen(), [long])
    h = model.forward(np.asarray(long[:CONFIG.block_size]))[1][1][-1]
    assert rates[0] == pytest.approx((h > 0).mean(axis=0))


def test_the_update_ratio_of_a_first_step_is_what_adam_gives_by_hand(model):
    before = {name: model.weights[name].copy() for name, _, _ in weight_shapes(CONFIG)}
    _, grads = arrays.ArrayGPT(CONFIG, model.params).loss_and_grads(DOCUMENTS[0])
    ratios = inside.update_ratios(model, DOCUMENTS, num_steps=1)
    for name in ('lm_head', 'layer0.mlp_fc1'):
        g = grads[name]     # on the first step m_hat = g and v_hat = g ** 2: Adam steps by lr * g / (|g| + eps)
        update = 0.01 * g / (np.abs(g) + 1e-8)
        assert ratios[name][0] == pytest.approx(np.log10(np.linalg.norm(update) / np.linalg.norm(before[name])))


def test_recording_ratios_trains_exactly_as_arrays_train(model):
    twin = arrays.ArrayGPT(CONFIG, model.params)
    ratios = inside.update_ratios(model, DOCUMENTS, num_steps=12, learning_rate=0.02)
    for _ in arrays.train(twin, DOCUMENTS, 12, 0.02):
        pass
    assert np.array_equal(model.params, twin.params)
    assert list(ratios) == [name for name, _, _ in weight_shapes(CONFIG)]
    assert all(len(r) == 12 and np.isfinite(r).all() for r in ratios.values())


def test_original_start_is_microgpts():
    tokenizer, model, documents = inside.original_start()
    assert tokenizer.vocab_size == 27 and len(documents) == 32033 and model.params.shape == (4192,)
    assert documents[0] == tokenizer.document('yuheng')


@pytest.fixture
def alts(monkeypatch):
    said = []
    monkeypatch.setattr(pictures, 'show_figure', lambda fig, alt: said.append(alt))
    return said


def test_the_pictures_say_what_their_data_show(model, alts):
    plane = np.array([[3.0, 0.0], [-3.0, 0.0], [0.0, 1.0], [0.0, -1.0], [0.0, 0.0]])
    pictures.plot_embedding_map(inside.embedding_map(with_embeddings(model, np.pad(plane, ((0, 0), (0, 6)))),
                                                     TOKENIZER), 'Map')
    assert 'keep 100% of their variance' in alts[-1] and 'farthest left: b' in alts[-1]
    model.weights['layer0.mlp_fc1'][:16] = 0
    pictures.plot_firing_rates({'half dead': inside.dead_relus(model, DOCUMENTS)[0]}, 'Firing')
    assert '16 of 32 units never fire' in alts[-1] and 'rarest unit fires at 0.0%' in alts[-1]
    ratios = {'wte': np.linspace(-1, -4, 100), 'wpe': np.full(100, -2.0), 'lm_head': np.full(100, -3.5)}
    pictures.plot_update_ratios(ratios, 'Ratios', window=1)
    assert 'between -3.5 and -1.0' in alts[-1]
    assert 'from step 1 (lm_head) to step 68 (wte); wpe never, of 100 steps' in alts[-1]


@pytest.mark.parametrize('answer, hint', [
    ('a', "leave 'a' out"),
    ('i', 'nearest on the map'),
    ('v', 'the farthest'),
    (14, "token id of 'o'"),
    ('x', 'not the nearest'),
    ('ab', 'not a token'),
    (2.5, 'as a string'),
])
def test_nearest_to_a_explains_typical_mistakes(answer, hint, capsys):
    ok, out = verdict(check_nearest_to_a, answer, capsys=capsys)
    assert not ok and hint in out


def test_nearest_to_a_accepts_o_and_hints_at_the_placeholder(capsys):
    assert verdict(check_nearest_to_a, 'o', capsys=capsys)[0]
    ok, out = verdict(check_nearest_to_a, ..., capsys=capsys)
    assert not ok and 'Replace the ...' in out


def test_each_label_of_the_map_sits_nearer_its_own_point_than_any_other():
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    points = np.array([[0.0, 0.0], [0.01, 0.02], [0.03, -0.01], [1.0, 1.0], [0.5, 0.1]])
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.scatter(*points.T)
    fig.canvas.draw()
    at = ax.transData.transform(points)
    for i, offset in enumerate(pictures.label_offsets(ax, points, fig.dpi / 72)):
        centre = at[i] + np.multiply(offset, fig.dpi / 72)
        distances = np.linalg.norm(at - centre, axis=1)
        assert distances.argmin() == i
    plt.close(fig)
