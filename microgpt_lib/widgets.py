"""Widgets for the chapters: a live loss curve while training, and the temperature explorer.

They need a running kernel: a notebook saved without widget state shows only
a one-line placeholder where a widget was, so the chapters also draw the
final results as ordinary figures.
"""
import html
import io
import random

import ipywidgets as widgets
from IPython.display import display
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from traitlets import validate

from .pictures import described
from .sample import prefix_probs, sample_names
from .model import whole_number

SMOOTHING_WINDOW = 50    # steps averaged into one point of a smoothed loss curve


def smooth(losses, window=SMOOTHING_WINDOW):
    """The mean of the last `window` losses at every step (of all so far, at the start)."""
    window = whole_number('window', window)
    means = []
    for i in range(len(losses)):
        recent = losses[max(0, i + 1 - window):i + 1]
        means.append(sum(recent) / len(recent))
    return means


def contrast_on_white(rgb):
    """WCAG's contrast ratio of an (r, g, b) colour, channels from 0 to 1, against white."""
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def faint(color, contrast=3.0):
    """color mixed with white, as light as it gets while `contrast`:1 on white (WCAG's minimum for graphics)."""
    rgb = to_rgb(color)
    mixes = ([c + (1 - c) * white / 100 for c in rgb] for white in range(100, -1, -1))   # lightest first
    return next((mix for mix in mixes if contrast_on_white(mix) >= contrast), rgb)


def plot_losses(ax, losses, label='loss', color='#1b4f8a', linestyle='-', window=SMOOTHING_WINDOW,
                each_step=True):
    """Draw the moving average of the losses boldly in color and linestyle on ax, and each step's loss
    thinly in a lighter shade of it (each with a legend entry).

    Curves drawn together differ by their line styles, not by colour alone; draw several runs' means
    only (each_step=False), as their steps' losses would hide one another.
    """
    steps = range(1, len(losses) + 1)
    if each_step:
        ax.plot(steps, losses, color=faint(color), linewidth=0.6, label=f"{label} at each step")
    ax.plot(steps, smooth(losses, window), color=color, linestyle=linestyle, linewidth=2.2,
            label=f'{label} (mean of last {window})')
    ax.set_xlabel('step')
    ax.set_ylabel('loss')
    ax.legend(loc='upper right')


class LiveLossPlot:
    """A progress bar and a loss curve that redraw in place while a model trains.

    Show it with display(live), then call live.update(step, loss) after every
    step (step counts from 0). The curve is redrawn every `redraw_every`
    steps and after the last one, so drawing costs little next to training.
    """

    def __init__(self, num_steps, redraw_every=20, figsize=(7, 3.5)):
        num_steps, redraw_every = whole_number('num_steps', num_steps), whole_number('redraw_every', redraw_every)
        self.num_steps, self.redraw_every = num_steps, redraw_every
        self.losses = []
        self.bar = widgets.IntProgress(value=0, min=0, max=num_steps, description='training')
        self.status = widgets.HTML()
        # each redraw swaps the picture in place; an HTML <img>, since the Image widget's has no alt
        self.plot = widgets.HTML()
        self.widget = widgets.VBox([widgets.HBox([self.bar, self.status]), self.plot])
        self.fig = Figure(figsize=figsize, layout='tight')   # not pyplot's: never shown by itself
        self.ax = self.fig.subplots()

    def _ipython_display_(self):
        display(self.widget)

    def update(self, step, loss):
        self.losses.append(loss)
        self.bar.value = step + 1
        self.status.value = f"step {step + 1} / {self.num_steps} · loss {loss:.4f}"
        if (step + 1) % self.redraw_every == 0 or step + 1 == self.num_steps:
            self.redraw()

    def redraw(self):
        self.ax.clear()
        plot_losses(self.ax, self.losses)
        self.ax.set_xlim(0, self.num_steps)
        self.ax.set_title(f'Training loss, step {len(self.losses)} of {self.num_steps}')
        png = io.BytesIO()
        self.fig.savefig(png, format='png', dpi=80)
        self.plot.value = described({'image/png': png.getvalue()}, self.alt())['text/html']

    def alt(self):
        """The picture's alt text: what it shows and the numbers it shows."""
        means = smooth(self.losses)
        return (f"Training loss by step, {len(self.losses)} of {self.num_steps} steps so far: a thin line "
                f"for each step's loss (the last {self.losses[-1]:.2f}) and a bold line for the mean of the "
                f"last {SMOOTHING_WINDOW}, which went from {means[0]:.2f} to {means[-1]:.2f}.")


# The temperature explorer ------------------------------------------------------------

# Colours from JupyterLab's theme, so that each reaches 4.5:1 on the light theme's background and on
# the dark one's (no single colour does both); the fallback, the light theme's value, serves elsewhere.
NEW_STYLE = 'color:var(--jp-success-color0, #1b5e20);font-weight:bold'
REAL_STYLE = 'color:var(--jp-brand-color1, #1976d2)'
SEEN_STYLE = 'color:var(--jp-content-font-color2, #757575)'
BAR_COLOUR = 'var(--jp-brand-color1, #1976d2)'
MARKS = {'new': 'new', 'real': 'real', 'seen': 'trained'}   # each name's kind in words, not by colour alone
END_LABEL = '⏎ end'


def name_kind(name, seen, real):
    """'seen' if the model trained on the name, 'real' if it is only elsewhere in the data, else 'new'."""
    return 'seen' if name in seen else 'real' if name in real else 'new'


def names_html(names, seen, temperature, seed, real=frozenset()):
    """The sampled names marked and coloured by kind (see name_kind), and how many there are of each.

    seen: the documents the model trained on; real: the rest of the data, so
    that a real name the model never saw is not mistaken for a remembered one.
    """
    if not names:
        return message_html(f"No names to show at temperature {temperature:.2f}, seed {seed}: ask for at least one.")
    styles = {'new': NEW_STYLE, 'real': REAL_STYLE, 'seen': SEEN_STYLE}
    kinds = [name_kind(name, seen, real) for name in names]
    spans = [f'<span class="microgpt-name {kind}" style="{styles[kind]};white-space:nowrap">{html.escape(name) or "(empty)"}'
             f'<sup> {MARKS[kind]}</sup></span>' for name, kind in zip(names, kinds)]
    new = kinds.count('new')
    counts = [f"{new} of {len(names)} names are new ({new / len(names):.0%})"]
    meanings = {'new': "in no data" if real else "not in the training data"}
    if real:
        counts.append(f"{kinds.count('real')} real names it never trained on")
        meanings['real'] = "a real name it never trained on"
    counts.append(f"{kinds.count('seen')} it trained on")
    meanings['seen'] = "a name it trained on"
    legend = [f'<span style="{styles[kind]}">{MARKS[kind]}</span>: {meaning}' for kind, meaning in meanings.items()]
    return (f'<div><b>temperature {temperature:.2f} · seed {seed}</b></div>'
            f'<div style="line-height:1.8">{" &nbsp; ".join(spans)}</div>'
            f'<div>{", ".join(counts)}.</div>'
            f'<div>Each name is marked {"; ".join(legend)}.</div>')


def bars_html(model, tokenizer, prefix, temperature, top=10):
    """Horizontal bars of the most likely next characters after prefix, or a friendly message."""
    try:
        probs = prefix_probs(model, tokenizer, prefix, temperature)
    except ValueError as e:                 # an unseen character, or a prefix too long
        return message_html(f"{str(e)[0].upper()}{str(e)[1:]}.")
    ranked = sorted(range(len(probs)), key=lambda i: -probs[i])[:top]
    rows = []
    for i in ranked:
        label = END_LABEL if i == tokenizer.BOS else tokenizer.uchars[i]
        rows.append(f'<div style="display:flex;align-items:center;gap:6px;font-family:monospace">'
                    f'<span style="width:4em;text-align:right">{html.escape(label)}</span>'
                    f'<span style="display:inline-block;height:0.9em;background:{BAR_COLOUR};'
                    f'width:{probs[i] * 300:.1f}px"></span>'
                    f'<span>{probs[i]:.1%}</span></div>')
    after = f"after '{html.escape(prefix)}'" if prefix else "at the start of a name"
    return (f'<div><b>next character {after}, temperature {temperature:.2f}</b></div>'
            + ''.join(rows))


def message_html(text):
    return f'<div>{html.escape(text)}</div>'     # no emoji: a machine without an emoji font shows a box


class SteppedFloatText(widgets.BoundedFloatText):
    """A number box that rounds what is typed to its step, so that it stays on its slider's steps."""

    @validate('value')
    def _validate_value(self, proposal):
        value = super()._validate_value(proposal)
        return round(self.min + round((value - self.min) / self.step) * self.step, 10)


def slider_beside(box, slider_class):
    """A slider linked both ways to the number box, which is labelled and shows the value instead of
    the slider's own readout (an unlabelled editable field)."""
    slider = slider_class(min=box.min, max=box.max, step=box.step, value=box.value,
                          readout=False, continuous_update=False)
    widgets.link((box, 'value'), (slider, 'value'))
    return slider


def temperature_explorer(model, tokenizer, training_docs, seed=42, num_names=20, all_docs=()):
    """Labelled boxes for temperature, seed and count (with sliders) that regenerate names, and
    next-character bars for a prefix.

    Names are drawn with random.Random(seed) on the fast float path, so the same
    settings always give the same names. training_docs are the documents the
    model trained on; all_docs, if given, the whole data file, so that real
    names the model never saw show as such.
    """
    fast, seen = model.frozen(), set(training_docs)
    real = set(all_docs) - seen
    label_fits = {'description_width': 'initial'}
    temperature = SteppedFloatText(description='temperature', min=0.1, max=2.0, step=0.05, value=0.5,
                                   style=label_fits, layout=widgets.Layout(width='12em'))
    temperature_slider = slider_beside(temperature, widgets.FloatSlider)
    seed_box = widgets.IntText(description='seed', value=seed, style=label_fits, layout=widgets.Layout(width='10em'))
    count = widgets.BoundedIntText(description='names', min=1, max=50, value=num_names,
                                   style=label_fits, layout=widgets.Layout(width='8em'))
    count_slider = slider_beside(count, widgets.IntSlider)
    names_view = widgets.HTML()
    prefix = widgets.Text(description='prefix', placeholder='e.g. ka', continuous_update=True)
    bars_view = widgets.HTML()
    for widget, name in [(temperature, 'temperature'), (temperature_slider, 'temperature-slider'),
                         (seed_box, 'seed'), (count, 'count'), (count_slider, 'count-slider'),
                         (names_view, 'names'), (prefix, 'prefix'), (bars_view, 'bars')]:
        widget.add_class(f'microgpt-{name}')

    def show_names(_=None):
        try:
            drawn = sample_names(fast, tokenizer, random.Random(seed_box.value), temperature.value, count.value)
            names_view.value = names_html(drawn, seen, temperature.value, seed_box.value, real)
        except Exception as e:      # a callback must never raise: say what went wrong instead
            names_view.value = message_html(f"Could not sample names: {e}")

    def show_bars(_=None):
        try:
            bars_view.value = bars_html(fast, tokenizer, prefix.value, temperature.value)
        except Exception as e:
            bars_view.value = message_html(f"Could not compute the probabilities: {e}")

    for widget in (temperature, seed_box, count):
        widget.observe(show_names, names='value')
    for widget in (temperature, prefix):
        widget.observe(show_bars, names='value')
    show_names()
    show_bars()
    controls = [widgets.HBox([temperature, temperature_slider]), widgets.HBox([seed_box, count, count_slider])]
    explorer = widgets.VBox([*controls, names_view, prefix, bars_view])
    explorer.add_class('microgpt-explorer')
    return explorer
