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
from matplotlib.figure import Figure

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


def plot_losses(ax, losses, label='loss', color='tab:blue', window=SMOOTHING_WINDOW):
    """Draw each step's loss faintly and their moving average boldly (with a legend entry) on ax."""
    steps = range(1, len(losses) + 1)
    ax.plot(steps, losses, color=color, alpha=0.25, linewidth=0.8)
    ax.plot(steps, smooth(losses, window), color=color, linewidth=2, label=f'{label} (mean of last {window})')
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
        self.plot = widgets.Image(format='png')     # each redraw swaps the picture in place
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
        self.plot.value = png.getvalue()


# The temperature explorer ------------------------------------------------------------

NEW_STYLE = 'color:#1a7f37;font-weight:bold'
REAL_STYLE = 'color:#0969da'
SEEN_STYLE = 'color:#888888'
END_LABEL = '⏎ end'


def name_kind(name, seen, real):
    """'seen' if the model trained on the name, 'real' if it is only elsewhere in the data, else 'new'."""
    return 'seen' if name in seen else 'real' if name in real else 'new'


def names_html(names, seen, temperature, seed, real=frozenset()):
    """The sampled names coloured by kind (see name_kind), and how many there are of each.

    seen: the documents the model trained on; real: the rest of the data, so
    that a real name the model never saw is not mistaken for a remembered one.
    """
    if not names:
        return message_html(f"No names to show at temperature {temperature:.2f}, seed {seed}: ask for at least one.")
    styles = {'new': NEW_STYLE, 'real': REAL_STYLE, 'seen': SEEN_STYLE}
    kinds = [name_kind(name, seen, real) for name in names]
    spans = [f'<span class="microgpt-name {kind}" style="{styles[kind]}">{html.escape(name) or "(empty)"}</span>'
             for name, kind in zip(names, kinds)]
    new = kinds.count('new')
    counts = [f"{new} of {len(names)} names are new ({new / len(names):.0%})"]
    legend = [f'<span style="{NEW_STYLE}">new</span> = {"in no data" if real else "not in the training data"}']
    if real:
        counts.append(f"{kinds.count('real')} real names it never trained on")
        legend.append(f'<span style="{REAL_STYLE}">blue</span> = a real name it never saw')
    counts.append(f"{kinds.count('seen')} it trained on")
    legend.append(f'<span style="{SEEN_STYLE}">grey</span> = a name it trained on')
    return (f'<div><b>temperature {temperature:.2f} · seed {seed}</b></div>'
            f'<div style="line-height:1.8">{" &nbsp; ".join(spans)}</div>'
            f'<div>{", ".join(counts)} &nbsp;·&nbsp; {", ".join(legend)}</div>')


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
                    f'<span style="display:inline-block;height:0.9em;background:#4c72b0;'
                    f'width:{probs[i] * 300:.1f}px"></span>'
                    f'<span>{probs[i]:.1%}</span></div>')
    after = f"after '{html.escape(prefix)}'" if prefix else "at the start of a name"
    return (f'<div><b>next character {after}, temperature {temperature:.2f}</b></div>'
            + ''.join(rows))


def message_html(text):
    return f'<div style="color:#9a6700">🙂 {html.escape(text)}</div>'


def temperature_explorer(model, tokenizer, training_docs, seed=42, num_names=20, all_docs=()):
    """A slider for temperature that regenerates names, and next-character bars for a prefix.

    Names are drawn with random.Random(seed) on the fast float path, so the same
    settings always give the same names. training_docs are the documents the
    model trained on; all_docs, if given, the whole data file, so that real
    names the model never saw show as such.
    """
    fast, seen = model.frozen(), set(training_docs)
    real = set(all_docs) - seen
    temperature = widgets.FloatSlider(description='temperature', min=0.1, max=2.0, step=0.05, value=0.5,
                                      continuous_update=False, readout_format='.2f',
                                      style={'description_width': 'initial'})
    seed_box = widgets.IntText(description='seed', value=seed)
    count = widgets.IntSlider(description='names', min=1, max=50, value=num_names, continuous_update=False)
    names_view = widgets.HTML()
    prefix = widgets.Text(description='prefix', placeholder='e.g. ka', continuous_update=True)
    bars_view = widgets.HTML()
    for widget, name in [(temperature, 'temperature'), (seed_box, 'seed'), (count, 'count'),
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
    explorer = widgets.VBox([widgets.HBox([temperature, seed_box, count]), names_view, prefix, bars_view])
    explorer.add_class('microgpt-explorer')
    return explorer
