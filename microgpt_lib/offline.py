"""A temperature slider that needs no kernel, for exported slides and HTML pages.

The live explorer (widgets.temperature_explorer) needs Python behind it: on a static page a widget
is only a sentence. `offline_explorer` shows instead what a notebook computed ahead at each step of
a slider: the names drawn at that temperature, each with its kind in words, and the next
character's probabilities after a few short prefixes, as bars with their numbers in text. It is
one inline script with its data, no web address and no library, so it works offline. The
temperature is an <input type=range> with a visible label (arrow keys move it), the prefix a group
of radio buttons, and a screen reader announces the new names politely when they change.
"""
import hashlib
import html
import json

from IPython.display import HTML

from .widgets import BAR_COLOUR

BAR_PX = 240            # the width of a bar of probability 1

STYLE = """
.reveal #{id} {{font-size:0.85em}}
#{id} .microgpt-offline-controls {{display:flex; flex-wrap:wrap; align-items:center; gap:0.4em 1.5em}}
#{id} fieldset {{border:none; margin:0; padding:0}}
#{id} fieldset label {{margin-right:0.6em; white-space:nowrap}}
#{id} .microgpt-offline-columns {{display:flex; gap:2em; align-items:flex-start}}
#{id} .microgpt-offline-names {{flex:1 1 55%; line-height:1.45}}
#{id} .microgpt-offline-bars {{flex:1 1 45%; line-height:1.2}}
#{id} .microgpt-name {{white-space:nowrap; margin-right:0.7em}}
#{id} .microgpt-name sup {{font-style:italic}}
#{id} .microgpt-offline-row {{display:flex; align-items:center; gap:0.4em; font-family:monospace}}
#{id} .microgpt-offline-row span:first-child {{width:1.5em; text-align:right}}
#{id} .microgpt-offline-bar {{display:inline-block; height:0.8em; background:{bar}}}
"""

# Draws the names and bars of the slider's step and the chosen prefix, from the data put in for __STEPS__.
SCRIPT = """(() => {
  const steps = __STEPS__, kinds = __KINDS__;
  const root = document.getElementById(__ID__);
  const slider = root.querySelector('input[type=range]');
  const escape = text => text.replace(/[&<>"]/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'})[c]);
  const percent = p => (100 * p).toFixed(1) + '%';
  const show = () => {
    const step = steps[slider.value], t = step.temperature.toFixed(2);
    const prefix = root.querySelector('input[type=radio]:checked').value;
    root.querySelector('output').textContent = t;
    slider.setAttribute('aria-valuetext', t);
    const names = step.names.map(([name, kind]) =>
      `<span class="microgpt-name">${escape(name) || '(empty)'}<sup> ${escape(kind)}</sup></span>`);
    const counts = kinds.map(kind => `${step.names.filter(n => n[1] === kind).length} ${escape(kind)}`);
    root.querySelector('.microgpt-offline-names').innerHTML =
      `<div><b>${step.names.length} names: ${counts.join(', ')}</b></div><div>${names.join(' ')}</div>`;
    const after = prefix ? `after '${escape(prefix)}'` : 'first of a name';
    root.querySelector('.microgpt-offline-bars').innerHTML = `<div><b>next character, ${after}</b></div>` +
      step.bars[prefix].map(([label, p]) => `<div class="microgpt-offline-row"><span>${escape(label)}</span>` +
        `<span class="microgpt-offline-bar" style="width:${(__BAR_PX__ * p).toFixed(1)}px"></span>` +
        `<span>${percent(p)}</span></div>`).join('');
  };
  root.addEventListener('input', show);
  show();
})();"""


class OfflineExplorer(HTML):
    """The slider as HTML; as text, a sentence saying what it is."""

    def __init__(self, markup, summary):
        super().__init__(markup)
        self.summary = summary

    def __repr__(self):
        return self.summary


def offline_explorer(steps, start, legend, note):
    """A slider over precomputed steps, showing names and next-character bars at each, as HTML.

    steps: one dict per temperature, from the lowest: {'temperature': 0.5, 'names': [(name, kind), ...],
    'bars': {prefix: [(character, probability), ...], ...}}, every step with the same prefixes.
    start: the temperature shown first (the nearest step). legend: {kind: what it means}, in the order
    the names are counted. note: a sentence above the slider, such as where the live explorer runs.
    """
    data = json.dumps([{'temperature': s['temperature'], 'names': [list(n) for n in s['names']],
                        'bars': {p: [[c, round(q, 4)] for c, q in bars] for p, bars in s['bars'].items()}}
                       for s in steps], ensure_ascii=False, separators=(',', ':'))
    uid = 'microgpt-offline-' + hashlib.sha1(data.encode()).hexdigest()[:10]
    index = min(range(len(steps)), key=lambda i: abs(steps[i]['temperature'] - start))
    shown = f"{steps[index]['temperature']:.2f}"
    radios = ''.join(
        f'<label><input type="radio" name="{uid}-prefix" value="{html.escape(prefix)}"'
        f'{" checked" if k == 0 else ""}> {html.escape(repr(prefix) if prefix else "(start)")}</label>'
        for k, prefix in enumerate(steps[0]['bars']))
    meanings = '; '.join(f'<i>{html.escape(kind)}</i>: {html.escape(meaning)}' for kind, meaning in legend.items())
    script = (SCRIPT.replace('__KINDS__', json.dumps(list(legend))).replace('__ID__', json.dumps(uid))
              .replace('__BAR_PX__', str(BAR_PX)).replace('__STEPS__', data.replace('</', '<\\/')))
    markup = (
        f'<div id="{uid}" class="microgpt-offline">'
        f'<style>{STYLE.format(id=uid, bar=BAR_COLOUR)}</style>'
        f'<p>{html.escape(note)}</p>'
        f'<div class="microgpt-offline-controls">'
        f'<label for="{uid}-t">temperature <output for="{uid}-t">{shown}</output></label>'
        f'<input type="range" id="{uid}-t" min="0" max="{len(steps) - 1}" step="1" value="{index}"'
        f' aria-valuetext="{shown}">'
        f'<fieldset><legend style="float:left; margin-right:0.6em">prefix</legend>{radios}</fieldset></div>'
        f'<div class="microgpt-offline-columns">'
        f'<div class="microgpt-offline-names" aria-live="polite"></div>'
        f'<div class="microgpt-offline-bars"></div></div>'
        f'<p>Each name is marked {meanings}.</p>'
        f'<script>{script}</script></div>')
    summary = (f"A temperature slider of {len(steps)} steps, from {steps[0]['temperature']} to "
               f"{steps[-1]['temperature']}, with names and next-character bars computed ahead. {note}")
    return OfflineExplorer(markup, summary)
