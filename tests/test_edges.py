"""The library's edges: graphs too large or too slow to draw, labels Graphviz would misread, empty or
zero-sized inputs to the widgets."""
import os
import random
import signal
import threading
import time
from fractions import Fraction
from pathlib import Path

import pytest

from microgpt_lib import GPT, Config, Tokenizer, Value, document_loss, pictures
from microgpt_lib.engine import topological_order
from microgpt_lib.widgets import LiveLossPlot, names_html, smooth

needs_dot = pytest.mark.skipif(not pictures.have_dot(), reason="Graphviz's dot is not installed")
needs_proc = pytest.mark.skipif(not Path('/proc/self/stat').exists(), reason='no /proc to list processes')


def test_draw_graph_refuses_a_training_step_with_the_numbers_and_a_hint():
    tokenizer = Tokenizer.from_docs(['abcdefghijklmnopqrstuvwxyz'])
    model = GPT.initialise(Config(tokenizer.vocab_size), random.Random(0))
    loss = document_loss(model, tokenizer.document('emma'))
    count = len(topological_order(loss))
    with pytest.raises(ValueError) as refused:
        pictures.draw_graph(loss)
    assert str(refused.value) == (f"this graph has {count:,} values, more than draw_graph lays out (at most "
                                  f"{pictures.MAX_DRAWN_VALUES:,}): draw a part of it, e.g. the graph of one logit")


def chain(length):
    """A graph of `length` Values, each the one before plus 1."""
    value = Value(0.0)
    for _ in range(length - 1):
        value = value + 1
    return value


def test_draw_graph_takes_a_graph_of_the_largest_size_it_lays_out():
    limit = pictures.MAX_DRAWN_VALUES
    assert pictures.draw_graph(chain(limit)).source.count('shape=record') == limit
    with pytest.raises(ValueError, match=f'^this graph has {limit + 1:,} values'):
        pictures.draw_graph(chain(limit + 1))


def tangle(n=100):
    """A graph of 3n Values that Graphviz takes seconds to lay out (some 17 s for n = 100 on a slow core)."""
    xs = [Value(float(i)) for i in range(n)]
    return sum(xs[i] * xs[(i * 7) % n] for i in range(n))


def running_dot_children():
    """The pids of `dot` processes this process started that are still running (not yet exited)."""
    found = []
    for stat in Path('/proc').glob('[0-9]*/stat'):
        try:
            text = stat.read_text()
        except OSError:         # the process has just ended
            continue
        command, (state, ppid) = text[text.index('(') + 1:text.rindex(')')], text[text.rindex(')') + 2:].split()[:2]
        if command == 'dot' and int(ppid) == os.getpid() and state != 'Z':
            found.append(int(stat.parent.name))
    return found


@needs_dot
@needs_proc
def test_an_interrupted_drawing_leaves_no_dot_running():
    drawing = pictures.draw_graph(tangle())
    # Ctrl-C as a notebook's interrupt sends it, even when the tests run where SIGINT is ignored
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    ctrl_c = threading.Timer(0.5, signal.pthread_kill, (threading.get_ident(), signal.SIGINT))
    ctrl_c.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            drawing._repr_mimebundle_()
    finally:
        ctrl_c.cancel()
        signal.signal(signal.SIGINT, previous)
    killed_by = time.monotonic() + 2      # a busy machine may take a moment to end a killed process
    while running_dot_children() and time.monotonic() < killed_by:
        time.sleep(0.05)
    assert running_dot_children() == []


@needs_dot
@needs_proc
def test_a_drawing_that_takes_too_long_is_stopped_with_a_clear_error(monkeypatch):
    monkeypatch.setattr(pictures, 'RENDER_SECONDS', 0.5)
    with pytest.raises(TimeoutError, match=r'^Graphviz took more than 0.5 s to lay out this drawing and was '
                                           r'stopped: draw a smaller one$'):
        pictures.draw_graph(tangle())._repr_mimebundle_()
    assert running_dot_children() == []


@needs_dot
def test_labels_with_graphviz_record_characters_show_as_written():
    x = Value(2.0)
    label = r'{x} | <y> \ "z"'
    svg = pictures.draw_graph(x * 3, labels={x: label})._repr_mimebundle_()['image/svg+xml']
    assert '>{x} | &lt;y&gt; \\ &quot;z&quot;</text>' in svg and '>data 2.0000</text>' in svg


def test_values_of_any_kind_of_number_are_drawn():
    third, huge = Value(2) + Fraction(1, 3), Value(2) + 10 ** 400
    assert 'data 2.3333' in pictures.draw_graph(third).source      # 2.333333 before Python 3.12
    source = pictures.draw_graph(huge).source
    assert 'label="data 1e+400 | grad 0.0000"' in source and 'label="+ 1e+400"' in source


def test_an_empty_list_of_names_is_a_sentence():
    assert names_html([], set(), 0.5, 42).endswith(
        "No names to show at temperature 0.50, seed 42: ask for at least one.</div>")


@pytest.mark.parametrize('make, message', [
    (lambda: smooth([1.0, 2.0], 0), 'window must be a whole number of at least 1, got 0'),
    (lambda: smooth([1.0, 2.0], 2.5), r'window must be a whole number given as an int, got 2.5 \(a float\)'),
    (lambda: LiveLossPlot(10, redraw_every=0), 'redraw_every must be a whole number of at least 1, got 0'),
    (lambda: LiveLossPlot(0), 'num_steps must be a whole number of at least 1, got 0'),
])
def test_windows_and_intervals_must_be_whole_numbers_of_at_least_one(make, message):
    with pytest.raises(ValueError, match=f'^{message}$'):
        make()
