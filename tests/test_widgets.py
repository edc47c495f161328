"""The temperature explorer and the live loss plot, driven from Python (no browser)."""
import base64
import random
import re

import pytest
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from microgpt_lib import load_checkpoint, load_docs, sample_names
from microgpt_lib.data import DATA_DIR
from microgpt_lib.widgets import LiveLossPlot, contrast_on_white, plot_losses, smooth, temperature_explorer


@pytest.fixture(scope='module')
def trained():
    model, tokenizer, _, _ = load_checkpoint(DATA_DIR / 'microgpt_seed42.json')
    return model, tokenizer, load_docs()


@pytest.fixture
def explorer(trained):
    return temperature_explorer(*trained)


def find(widget, css_class):
    """The widget with this CSS class inside widget (depth first), or None."""
    if css_class in widget._dom_classes:
        return widget
    for child in getattr(widget, 'children', ()):
        found = find(child, css_class)
        if found is not None:
            return found
    return None


def part(explorer, name):
    widget = find(explorer, f'microgpt-{name}')
    assert widget is not None, f"the explorer has no widget with class microgpt-{name}"
    return widget


def test_contract(explorer):
    assert 'microgpt-explorer' in explorer._dom_classes
    slider = part(explorer, 'temperature')
    assert (slider.description, slider.min, slider.max, slider.step, slider.value) == ('temperature', 0.1, 2.0, 0.05, 0.5)
    assert slider.continuous_update is False and slider.readout_format == '.2f'
    assert (part(explorer, 'seed').description, part(explorer, 'seed').value) == ('seed', 42)
    count = part(explorer, 'count')
    assert (count.description, count.min, count.max, count.value, count.continuous_update) == ('names', 1, 50, 20, False)
    prefix = part(explorer, 'prefix')
    assert (prefix.description, prefix.placeholder, prefix.continuous_update) == ('prefix', 'e.g. ka', True)


def test_names_show_settings_and_mark_new_ones(explorer, trained):
    model, tokenizer, docs = trained
    text = part(explorer, 'names').value
    assert 'temperature 0.50 · seed 42' in text
    names = sample_names(model, tokenizer, random.Random(42), 0.5, 20)
    new = [n for n in names if n not in set(docs)]
    assert text.count('class="microgpt-name new"') == len(new)
    assert text.count('class="microgpt-name seen"') == 20 - len(new)
    assert f'{len(new)} of 20 names are new ({len(new) / 20:.0%})' in text
    for name in names:
        assert f'>{name}</span>' in text


def test_real_names_the_model_never_saw_are_told_apart(trained):
    model, tokenizer, docs = trained
    trained_on = docs[:1000]
    text = part(temperature_explorer(model, tokenizer, trained_on, all_docs=docs), 'names').value
    names = sample_names(model, tokenizer, random.Random(42), 0.5, 20)
    seen = [n for n in names if n in trained_on]
    real = [n for n in names if n in docs and n not in trained_on]
    new = [n for n in names if n not in docs]
    assert real and new, "the test needs names of both kinds"
    assert text.count('class="microgpt-name seen"') == len(seen)
    assert text.count('class="microgpt-name real"') == len(real)
    assert text.count('class="microgpt-name new"') == len(new)
    assert (f'{len(new)} of 20 names are new ({len(new) / 20:.0%}), '
            f'{len(real)} real names it never trained on, {len(seen)} it trained on') in text


def test_slider_regenerates_names(explorer):
    names = part(explorer, 'names')
    before = names.value
    part(explorer, 'temperature').value = 1.5
    assert names.value != before
    assert 'temperature 1.50 · seed 42' in names.value


def test_seed_and_count_regenerate_names(explorer):
    names = part(explorer, 'names')
    part(explorer, 'seed').value = 7
    assert 'temperature 0.50 · seed 7' in names.value
    part(explorer, 'count').value = 5
    assert names.value.count('class="microgpt-name ') == 5
    assert 'of 5 names are new' in names.value


def test_prefix_and_temperature_change_bars(explorer):
    bars = part(explorer, 'bars')
    start = bars.value
    assert 'at the start of a name' in start and '%' in start
    part(explorer, 'prefix').value = 'ka'
    after_ka = bars.value
    assert after_ka != start and "after 'ka'" in after_ka
    assert after_ka.count('%</span>') == 10          # the ten likeliest next characters
    part(explorer, 'temperature').value = 2.0
    assert bars.value != after_ka and 'temperature 2.00' in bars.value


def test_end_of_name_is_labelled(explorer):
    part(explorer, 'prefix').value = 'emma'
    assert '⏎ end' in part(explorer, 'bars').value


@pytest.mark.parametrize('prefix, message', [('kA', "never saw 'A'"), ('k!', "never saw '!'"),
                                             ('a' * 16, 'at most 15')])
def test_bad_prefix_shows_a_message(explorer, prefix, message):
    part(explorer, 'prefix').value = prefix            # must not raise
    text = part(explorer, 'bars').value.replace('&#x27;', "'")
    assert message in text and '%</span>' not in text
    part(explorer, 'prefix').value = 'ka'               # and it recovers
    assert "after 'ka'" in part(explorer, 'bars').value


def test_longest_prefix_still_works(explorer):
    part(explorer, 'prefix').value = 'a' * 15
    assert '%</span>' in part(explorer, 'bars').value


def test_smooth_is_a_trailing_mean():
    assert smooth([1.0, 3.0, 5.0, 7.0], window=2) == [1.0, 2.0, 4.0, 6.0]
    assert smooth([]) == []


def test_live_loss_plot_counts_steps_and_redraws_sparingly(monkeypatch):
    live = LiveLossPlot(num_steps=45, redraw_every=20)
    redraws = []
    monkeypatch.setattr(live, 'redraw', lambda: redraws.append(len(live.losses)))
    for step in range(45):
        live.update(step, 3.0 - step / 100)
    assert live.bar.value == 45 and len(live.losses) == 45
    assert redraws == [20, 40, 45]
    assert 'step 45 / 45' in live.status.value


def test_live_loss_plot_draws_a_picture_with_alt_text_of_its_numbers():
    live = LiveLossPlot(num_steps=4, redraw_every=1)
    for step in range(3):
        live.update(step, 3.0 - step)
    assert live.ax.get_title() == 'Training loss, step 3 of 4'
    assert len(live.ax.lines) == 2          # raw and smoothed
    img = re.fullmatch(r'<img alt="([^"]+)" src="data:image/png;base64,([^"]+)">', live.plot.value)
    assert img, "an <img> with its alt: the Image widget's has none"
    assert base64.b64decode(img[2]).startswith(b'\x89PNG')
    alt = img[1]
    assert '3 of 4 steps' in alt and 'the last 1.00' in alt and 'from 3.00 to 2.00' in alt


def test_plot_losses_tells_curves_apart_by_line_style_with_marks_3_to_1_on_white():
    figure = Figure()
    ax = figure.subplots()
    plot_losses(ax, [3.0, 2.0, 2.5], label='a', color='tab:blue')
    plot_losses(ax, [3.1, 2.9, 2.7], label='b', color='tab:green', linestyle='--', each_step=False)
    each_step, mean_a, mean_b = ax.lines
    assert [line.get_label() for line in ax.lines] == ['a at each step', 'a (mean of last 50)',
                                                      'b (mean of last 50)']
    assert mean_a.get_linestyle() != mean_b.get_linestyle()
    for line in ax.lines:
        assert contrast_on_white(to_rgb(line.get_color())) >= 3
    assert to_rgb(each_step.get_color()) != to_rgb(mean_a.get_color())     # lighter than its mean
