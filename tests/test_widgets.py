"""The temperature explorer and the live loss plot, driven from Python (no browser)."""
import base64
import random
import re
from html.parser import HTMLParser
from pathlib import Path

import ipywidgets as widgets
import pytest
from jupyterlab.commands import get_app_dir
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from microgpt_lib import load_checkpoint, load_docs, sample_names
from microgpt_lib.data import DATA_DIR
from microgpt_lib.widgets import (LiveLossPlot, bars_html, contrast_on_white, message_html, names_html,
                                  plot_losses, smooth, temperature_explorer)


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
    box = part(explorer, 'temperature')
    assert (box.description, box.min, box.max, box.step, box.value) == ('temperature', 0.1, 2.0, 0.05, 0.5)
    slider = part(explorer, 'temperature-slider')
    assert (slider.min, slider.max, slider.step, slider.value) == (0.1, 2.0, 0.05, 0.5)
    assert (part(explorer, 'seed').description, part(explorer, 'seed').value) == ('seed', 42)
    count = part(explorer, 'count')
    assert (count.description, count.min, count.max, count.value) == ('names', 1, 50, 20)
    count_slider = part(explorer, 'count-slider')
    assert (count_slider.min, count_slider.max, count_slider.value) == (1, 50, 20)
    for slider in (part(explorer, 'temperature-slider'), count_slider):
        assert slider.continuous_update is False
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
        assert f'>{name}<sup>' in text


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


KIND_WORDS = {'new': 'new', 'real': 'real', 'seen': 'trained'}     # what a screen reader must hear


class NameSpans(HTMLParser):
    """The text of each <span class="microgpt-name KIND"> (sub-elements included), with its KIND."""

    def __init__(self, text):
        super().__init__()
        self.names, self.depth = [], 0
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get('class') or '').split()
        if self.depth:
            self.depth += 1
        elif tag == 'span' and 'microgpt-name' in classes:
            self.names.append([classes[-1], ''])
            self.depth = 1

    def handle_endtag(self, tag):
        self.depth = max(0, self.depth - 1)

    def handle_data(self, data):
        if self.depth:
            self.names[-1][1] += data


@pytest.mark.parametrize('with_real', [False, True])
def test_every_name_says_its_kind_in_words(trained, with_real):
    model, tokenizer, docs = trained
    trained_on = docs[:1000] if with_real else docs
    text = part(temperature_explorer(model, tokenizer, trained_on, all_docs=docs if with_real else ()),
                'names').value
    drawn = sample_names(model, tokenizer, random.Random(42), 0.5, 20)
    kinds = ['seen' if n in trained_on else 'real' if n in docs else 'new' for n in drawn]
    assert NameSpans(text).names == [[kind, f'{name} {KIND_WORDS[kind]}'] for name, kind in zip(drawn, kinds)]
    legend = re.sub('<[^>]+>', '', text.rsplit('<div>', 1)[1])     # the last line, read as plain text
    assert legend.startswith('Each name is marked new: ')
    assert ('real: a real name it never trained on' in legend) == with_real
    assert 'trained: a name it trained on' in legend


BACKGROUNDS = {'light': '#ffffff', 'dark': '#111111'}     # JupyterLab's --jp-layout-color0 in each theme


def rgb(colour, background):
    """(r, g, b) in 0..255 of '#rgb', '#rrggbb' or 'rgba(r,g,b,a)' (blended over background, a '#rrggbb')."""
    if colour.startswith('rgba('):
        *channels, alpha = (float(x) for x in colour[5:-1].split(','))
        return tuple(alpha * c + (1 - alpha) * b for c, b in zip(channels, rgb(background, background)))
    digits = colour.lstrip('#')
    digits = ''.join(d * 2 for d in digits) if len(digits) == 3 else digits
    assert re.fullmatch('[0-9a-fA-F]{6}', digits), f"not a colour this test can read: {colour}"
    return tuple(int(digits[i:i + 2], 16) for i in (0, 2, 4))


def luminance(channels):
    """WCAG 2.1's relative luminance of an sRGB colour."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (x / 255 for x in channels)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(colour, background):
    lighter, darker = sorted([luminance(rgb(colour, background)), luminance(rgb(background, background))],
                             reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_matches_wcag_examples():
    assert contrast('#000', '#ffffff') == pytest.approx(21)
    assert contrast('#767676', '#ffffff') == pytest.approx(4.54, abs=0.01)     # the lightest grey that passes
    assert contrast('rgba(0,0,0,.54)', '#ffffff') == pytest.approx(contrast('#757575', '#ffffff'), abs=0.03)


def theme_value(theme, variable):
    """A --jp-* variable's colour in a theme; its Material palette colours are read from their fallbacks."""
    stylesheet = Path(get_app_dir()) / f'themes/@jupyterlab/theme-{theme}-extension/index.css'
    found = re.search(rf'{variable}:\s*([^;}}]+)', stylesheet.read_text())
    assert found, f"JupyterLab's {theme} theme has no {variable}"
    value = found[1].strip()
    palette = re.fullmatch(r'var\(--md-[a-z0-9-]+,\s*(#[0-9a-fA-F]+)\)', value)
    return palette[1] if palette else value


def colour_contrasts(colour):
    """Each place a style's colour is seen, with its contrast: a plain colour on both themes' backgrounds;
    var(--jp-x, fallback) as each theme defines --jp-x, and the fallback (used outside JupyterLab) on white."""
    variable = re.fullmatch(r'var\((--jp-[a-z0-9-]+),\s*(.+)\)', colour)
    if not variable:
        return {f'{colour} on {theme}': contrast(colour, bg) for theme, bg in BACKGROUNDS.items()}
    name, fallback = variable.groups()
    seen = {f'{name} = {theme_value(theme, name)} on {theme}': contrast(theme_value(theme, name), bg)
            for theme, bg in BACKGROUNDS.items()}
    return seen | {f'fallback {fallback} on light': contrast(fallback, BACKGROUNDS['light'])}


def inline_colours(text):
    """Every colour set in a style="..." attribute of the HTML."""
    styles = re.findall(r'style="([^"]*)"', text)
    return {value.strip() for style in styles
            for value in re.findall(r'(?:^|;)\s*(?:color|background(?:-color)?)\s*:\s*([^;]+)', style)}


def test_every_colour_reaches_4_5_to_1_on_light_and_dark(trained):
    model, tokenizer, docs = trained
    explorer = temperature_explorer(model, tokenizer, docs[:1000], all_docs=docs)
    shown = [part(explorer, 'names').value, part(explorer, 'bars').value,
             names_html(['anna', 'zzq', 'emma'], {'anna'}, 0.5, 42, real={'emma'}),
             bars_html(model.frozen(), tokenizer, 'ka', 1.0), bars_html(model.frozen(), tokenizer, 'k!', 1.0),
             message_html("Could not sample names: an example")]
    colours = set().union(*map(inline_colours, shown))
    assert len(colours) >= 3, f"expected the three kinds' colours at least, found {colours}"
    low = {where: round(ratio, 2) for colour in colours for where, ratio in colour_contrasts(colour).items()
           if ratio < 4.5}
    assert not low, f"colours below 4.5:1: {low}"


def test_number_boxes_are_labelled_and_the_readouts_gone(explorer):
    for box, label in [('temperature', 'temperature'), ('seed', 'seed'), ('count', 'names')]:
        assert part(explorer, box).description == label     # ipywidgets renders it as <label for=the input>
        assert isinstance(part(explorer, box), (widgets.BoundedFloatText, widgets.IntText, widgets.BoundedIntText))
    for slider in ('temperature-slider', 'count-slider'):
        assert part(explorer, slider).readout is False       # the box shows the value, in the tab order once


def test_temperature_box_and_slider_move_each_other_and_the_names(explorer):
    box, slider, names = part(explorer, 'temperature'), part(explorer, 'temperature-slider'), part(explorer, 'names')
    before = names.value
    box.value = 1.5
    assert slider.value == 1.5 and 'temperature 1.50 · seed 42' in names.value and names.value != before
    slider.value = 0.7
    assert box.value == 0.7 and 'temperature 0.70 · seed 42' in names.value


@pytest.mark.parametrize('typed, kept', [(0.53, 0.55), (0.6500000000000001, 0.65), (0.124, 0.1), (9, 2.0), (0, 0.1)])
def test_a_typed_temperature_stays_on_the_sliders_steps(explorer, typed, kept):
    part(explorer, 'temperature').value = typed
    assert part(explorer, 'temperature').value == part(explorer, 'temperature-slider').value == kept
    assert f'temperature {kept:.2f} ·' in part(explorer, 'names').value


def test_count_box_and_slider_move_each_other_and_the_names(explorer):
    box, slider, names = part(explorer, 'count'), part(explorer, 'count-slider'), part(explorer, 'names')
    box.value = 5
    assert slider.value == 5 and names.value.count('class="microgpt-name ') == 5
    slider.value = 8
    assert box.value == 8 and names.value.count('class="microgpt-name ') == 8


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
    assert all(ord(c) <= 0xFF or 0x2000 <= ord(c) <= 0x206F for c in text), "a font may lack it"
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
