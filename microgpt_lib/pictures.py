"""Pictures: computation graphs, the model's block diagram, a schematic of one attention head and
the shapes of one attention layer's arrays, drawn with Graphviz (as text where `dot` is missing);
attention heatmaps; and the looks inside a trained model (microgpt_lib.inside): its embeddings on
a map, how often its MLP's units fire, how far each step moves each matrix."""
import base64
import html
import io
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import graphviz

from .engine import topological_order, unusual_number


def graphviz_install(platform=sys.platform, prefix=sys.prefix):
    """How to install Graphviz's `dot` for this Python: in its conda environment, or for the system."""
    if (Path(prefix) / 'conda-meta').is_dir():
        return "`conda install -c conda-forge graphviz`"
    if platform == 'darwin':
        return "`brew install graphviz`"
    if platform == 'win32':
        return ("Graphviz's installer from https://graphviz.org/download/ (let it add Graphviz to the PATH), "
                "then restart Jupyter")
    return "`sudo apt-get install graphviz` (Debian, Ubuntu; elsewhere your distribution's graphviz package)"


INSTALL_HINT = ("The Graphviz program `dot` is not installed, so here is the graph as text. "
                f"To see the drawing, install it: {graphviz_install()}.")


def have_dot():
    """Whether Graphviz's `dot` program is on the PATH (the Python package alone cannot draw)."""
    return shutil.which('dot') is not None


RENDER_SECONDS = 60     # far longer than any drawing of the course takes


def run_dot(source, format, engine='dot'):
    """What Graphviz draws of source in format, as bytes.

    Graphviz is stopped, not left running, when the cell is interrupted (graphviz's own pipe
    leaves it behind) or once it has taken RENDER_SECONDS.
    """
    try:
        done = subprocess.run([engine, f'-T{format}'], input=source.encode('utf-8'), capture_output=True,
                              timeout=RENDER_SECONDS)
    except subprocess.TimeoutExpired:
        raise TimeoutError(f"Graphviz took more than {RENDER_SECONDS} s to lay out this drawing and was "
                           f"stopped: draw a smaller one") from None
    if done.returncode:
        raise RuntimeError(f"Graphviz could not draw this: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


MAX_DRAWN_VALUES = 1000     # Graphviz lays out 640 Values in some 3 s, 1,846 in half a minute


def check_drawable(root):
    """Refuse, with the numbers, a graph that Graphviz would take minutes to lay out, or forever."""
    count = len(topological_order(root))
    if count > MAX_DRAWN_VALUES:
        raise ValueError(f"this graph has {count:,} values, more than draw_graph lays out (at most "
                         f"{MAX_DRAWN_VALUES:,}): draw a part of it, e.g. the graph of one logit")


def record_field(text):
    """text as it shows in a field of a Graphviz record: braces, bars, angle brackets and backslashes escaped."""
    return re.sub(r'([{}|<>\\])', r'\\\1', str(text))


def four_decimals(x):
    """x with 4 decimals, or as short as engine.unusual_number writes it (a Fraction, an int beyond floats)."""
    try:
        return f'{x:.4f}'
    except (TypeError, ValueError, OverflowError):
        return unusual_number(x)


class GraphText:
    """A graph shown as text: what draw_graph gives when `dot` is missing."""

    def __init__(self, graph):
        self.source = graph.source

    def __repr__(self):
        return f"{INSTALL_HINT}\n\n{self.source}"

    def _repr_markdown_(self):
        return f"{INSTALL_HINT}\n\n```dot\n{self.source}```"


def shown(drawing):
    """The drawing itself where `dot` can render it, else its text form."""
    return drawing if have_dot() else GraphText(drawing)


def described(pictures, alt, details=''):
    """An output bundle: the pictures ({MIME type: data}, the first one shown) and their alt text.

    JupyterLab, nbconvert's lab and reveal templates and repository web pages read no alt text
    from output metadata, but all of them show an HTML output: so the alt text rides in an HTML
    <img alt="..."> of the first picture, with `details` (HTML, say a graph's numbers as text)
    under it. The pictures themselves stay beside it for readers that show no HTML.
    """
    if not alt or not alt.strip():
        raise ValueError("a picture needs alt text: a sentence saying what it shows and what to see in it")
    mime, data = next(iter(pictures.items()))
    encoded = base64.b64encode(data.encode('utf-8') if isinstance(data, str) else data).decode('ascii')
    img = f'<img alt="{html.escape(alt)}" src="data:{mime};base64,{encoded}">'
    return {**pictures, 'text/html': img + details, 'text/plain': alt}


class Described:
    """Any pictures with their alt text, shown as one output (see described)."""

    def __init__(self, pictures, alt, details=''):
        self.bundle = described(pictures, alt, details)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.bundle


def show_figure(fig, alt):
    """Show a Matplotlib figure with its alt text, as the inline backend would draw it, and close it.

    alt says what the figure shows and its one finding, and points to the prose for the detail.
    """
    import matplotlib.pyplot as plt
    from IPython.display import display
    png = io.BytesIO()
    fig.savefig(png, format='png', bbox_inches='tight')
    plt.close(fig)
    display(Described({'image/png': png.getvalue()}, alt))


class Drawing(graphviz.Digraph):
    """A Digraph shown as SVG and PNG, with its alt text (set `alt` before showing it).

    JupyterLab shows SVG only in notebooks the learner has run or trusted,
    so the PNG makes a committed notebook's drawings visible straight away.
    """
    alt = ''
    details = ''

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        return described({'image/svg+xml': self.pipe(format='svg', encoding='utf-8'),
                          'image/png': self.pipe(format='png')}, self.alt, self.details)

    def pipe(self, format=None, encoding=None):
        """The drawing in format (bytes, or text in encoding), from run_dot."""
        drawn = run_dot(self.source, format or self.format, self.engine)
        return drawn if encoding is None else drawn.decode(encoding)


class ComputationGraph(Drawing):
    """A drawing of Values, with a stable text form."""

    def __repr__(self):
        return f"<computation graph: {self.source.count('shape=record')} values>"


class BlockDiagram(Drawing):
    def __repr__(self):
        return "<block diagram of the GPT>"


def draw_graph(root, labels=None, clusters=None, alt=None, **graph_attr):
    """Draw root and every Value it was computed from.

    Each Value is a box with its data and grad; each operation is a small oval
    between its inputs and its result. labels maps Values to names shown in
    their boxes; clusters maps Values to a component name, and the Values of
    one component are framed together. graph_attr are Graphviz settings, e.g.
    rankdir='TB' (top to bottom rather than left to right) or size='9,7'
    (shrink to fit 9 x 7 inches). alt is the picture's text alternative
    (what it shows and what to see in it; by default, how many values and the
    result's); every box's numbers are also given as text under the picture.
    Returns a graphviz.Digraph (a picture in a notebook), or a GraphText where
    the `dot` program is missing.
    """
    check_drawable(root)
    labels, clusters = labels or {}, clusters or {}
    # 14-point text stays readable on a slide (at least 3/4 of its body text) even when a wide
    # graph is shrunk to the slide's width
    dot = ComputationGraph(graph_attr={'rankdir': 'LR', 'nodesep': '0.15', 'ranksep': '0.25',
                                       'fontname': 'Helvetica', 'fontsize': '14', **graph_attr},
                           node_attr={'fontname': 'Helvetica', 'fontsize': '14', 'height': '0.35'},
                           edge_attr={'arrowsize': '0.7'})
    groups, uids = {}, {}
    order = topological_order(root)
    for i, v in enumerate(order):
        uid = uids[v] = f'v{i}'          # numbered in order, so a redraw gives the same SVG
        name = f"{record_field(labels[v])} | " if v in labels else ''
        # a record's fields stack across the direction of flow: the boxes stay compact either way
        box = dict(name=uid, label=f"{name}data {four_decimals(v.data)} | grad {four_decimals(v.grad)}",
                   shape='record')
        groups.setdefault(clusters.get(v), []).append(box)
        if v._op:
            groups.setdefault(clusters.get(v), []).append(dict(name=uid + 'op', label=v._op, shape='oval'))
            dot.edge(uid + 'op', uid)
        for child in v._children:
            dot.edge(uids[child], uid + 'op')
    for group, nodes in groups.items():
        target = dot if group is None else graphviz.Digraph(name=f'cluster_{group}')
        if group is not None:
            target.attr(label=str(group), style='rounded', color='gray')
        for node in nodes:
            target.node(**node)
        if group is not None:
            dot.subgraph(target)
    name = lambda v: labels.get(v, f'value {uids[v][1:]}')
    inputs = 'on top' if graph_attr.get('rankdir') == 'TB' else 'on the left'
    dot.alt = alt or (f"Computation graph of {len(order)} values, inputs {inputs}: each box holds a "
                      f"value's data and grad, each oval the operation that made it. The result, "
                      f"{name(root)}, has data {four_decimals(root.data)}; every box's numbers follow as text.")
    dot.details = numbers_as_text(order, name)
    return shown(dot)


def numbers_as_text(order, name):
    """A graph's boxes as a collapsed HTML list, one line each: name = op of inputs: data, grad."""
    def line(v):
        made = f" = {v._op} of {', '.join(map(name, v._children))}" if v._op else ''
        return f"<li>{html.escape(name(v) + made)}: data {four_decimals(v.data)}, grad {four_decimals(v.grad)}</li>"
    return f"<details><summary>The graph's numbers as text</summary><ul>{''.join(map(line, order))}</ul></details>"


def block_diagram(n_layer=1):
    """The GPT as blocks, from a token and its position to next-token probabilities.

    Drawn top to bottom, with text large enough for a projector; dashed
    arrows are the residual connections. Returns a graphviz.Digraph (a
    picture in a notebook), or a GraphText where `dot` is missing.
    """
    font = {'fontname': 'Helvetica', 'fontsize': '14'}
    dot = BlockDiagram(graph_attr={'rankdir': 'TB', 'nodesep': '0.3', 'ranksep': '0.15', **font},
                       node_attr={'shape': 'box', 'style': 'rounded,filled', 'fillcolor': 'white',
                                  'height': '0.3', 'margin': '0.1,0.03', 'group': 'main', **font},
                       edge_attr={'arrowsize': '0.6'})
    plain = {'shape': 'plaintext', 'style': '', 'height': '0.2'}
    plus = {'label': '+', 'shape': 'circle', 'width': '0.28', 'fixedsize': 'true', 'style': ''}
    dot.node('input', 'token id, position', **plain)
    dot.node('embed', 'wte[token] + wpe[position], rmsnorm', fillcolor='#dbe9f6')
    layer = graphviz.Digraph(name='cluster_layer')
    layer.attr(label=f'× n_layer (here {n_layer})',
               labeljust='l', style='rounded', color='gray40')
    layer.node('layer_input', '', shape='point', width='0.06')
    layer.node('attention', 'rmsnorm, multi-head attention\nattn_wq, attn_wk, attn_wv, attn_wo',
               fillcolor='#fde2c8')
    layer.node('add_attention', **plus)
    layer.node('mlp', 'rmsnorm, MLP\nmlp_fc1, ReLU, mlp_fc2', fillcolor='#d8f0d2')
    layer.node('add_mlp', **plus)
    dot.subgraph(layer)
    dot.node('head', 'lm_head, softmax', fillcolor='#dbe9f6')
    dot.node('output', 'next-token probabilities', **plain)
    dot.edge('input', 'embed')
    dot.edge('embed', 'layer_input', arrowhead='none')
    for tail, head in [('layer_input', 'attention'), ('attention', 'add_attention'), ('add_attention', 'mlp'),
                       ('mlp', 'add_mlp'), ('add_mlp', 'head'), ('head', 'output')]:
        dot.edge(tail, head)
    for tail, head in [('layer_input', 'add_attention'), ('add_attention', 'add_mlp')]:   # residuals
        dot.edge(tail, head, style='dashed', tailport='e', headport='e')
    times = 'once' if n_layer == 1 else f'{n_layer} times'
    dot.alt = (f"Block diagram of the GPT, top to bottom: a token id and its position become "
               f"wte[token] + wpe[position] and an rmsnorm; then, {times}, rmsnorm and multi-head "
               f"attention, added back to its input, and rmsnorm and the MLP, added back too (the dashed "
               f"residual arrows); last lm_head and softmax give the next-token probabilities. The text "
               f"beside it says what each block does.")
    return shown(dot)


def attention_grids(model, tokens):
    """What each attention head looks at while the model reads tokens.

    One square grid per head (layer by layer): row = the position being read,
    column = the position looked at, NaN above the diagonal, where the cache
    holds nothing yet.
    """
    keys, values = model.new_cache()
    rows = []
    for pos_id, token_id in enumerate(tokens):
        per_head = []
        model(token_id, pos_id, keys, values, attention=per_head)
        rows.append(per_head)
    future = lambda pos: [math.nan] * (len(tokens) - pos - 1)
    return [[row[h] + future(pos) for pos, row in enumerate(rows)] for h in range(len(rows[0]))]


def plot_attention(grids, labels, title, alt):
    """Heatmaps of attention grids, one panel per head, rows and columns labelled by the tokens,
    shown with alt text saying what to see in them.

    At most 8.8 inches wide with the course's 14-point plot text, so that a slide shows it
    unshrunk and its text is as large as on every other picture. The squares above the diagonal,
    the future a position never sees, are left blank in every chapter: whether the grids hold NaN
    there (nothing cached yet, chapter 04's KV cache) or the zeros of a causal mask (chapter 10).
    """
    import matplotlib.pyplot as plt
    import numpy as np
    grids = [np.where(np.triu(np.ones((len(g), len(g))), 1) == 1, np.nan, g) for g in np.asarray(grids, float)]
    with plt.rc_context({'font.size': 14}):
        fig, axes = plt.subplots(1, len(grids), figsize=(min(8.8, 2.1 * len(grids) + 1.5), 3.4),
                                 squeeze=False, sharey=True, layout='constrained')
        for h, (ax, grid) in enumerate(zip(axes[0], grids)):
            image = ax.imshow(grid, vmin=0, vmax=1, cmap='viridis')
            ax.set_title(f'head {h}')
            ax.set_xticks(range(len(labels)), labels, rotation=90)
            ax.set_yticks(range(len(labels)), labels)
            ax.set_xlabel('looks at')
        axes[0][0].set_ylabel('reading')
        fig.colorbar(image, ax=axes[0], shrink=0.8, label='attention weight')
        fig.suptitle(title)
        show_figure(fig, alt)


class HeadSchematic(Drawing):
    def __repr__(self):
        return "<query, key and value schematic of one attention head>"


def qkv_schematic():
    """One attention head at position t: queries, keys, values and the KV cache.

    The position's vector x gives a query, a key and a value; the key and the
    value join the cache of positions 0 … t; the query scores every cached
    key, softmax turns the scores into weights, and the weights mix the cached
    values into the head's output. Sized for a 1280 x 720 slide. Returns a
    graphviz.Digraph (a picture in a notebook), or a GraphText where `dot` is
    missing.
    """
    font = {'fontname': 'Helvetica', 'fontsize': '16'}
    dot = HeadSchematic(graph_attr={'rankdir': 'TB', 'nodesep': '0.3', 'ranksep': '0.3', **font},
                        node_attr={'shape': 'box', 'style': 'rounded,filled', 'fillcolor': 'white',
                                   'height': '0.3', 'margin': '0.1,0.05', **font},
                        edge_attr={'arrowsize': '0.6', **font})
    dot.node('x', 'x, the vector of position t', shape='plaintext', style='', height='0.2')
    matrices = graphviz.Digraph()
    matrices.attr(rank='same')
    for name, colour in [('q', '#fde2c8'), ('k', '#dbe9f6'), ('v', '#d8f0d2')]:
        matrices.node(f'w{name}', f'attn_w{name}', fillcolor=colour)
        dot.edge('x', f'w{name}')
    dot.subgraph(matrices)
    cache = graphviz.Digraph(name='cluster_cache')
    cache.attr(style='rounded', color='gray40')
    cache.node('cache', 'KV cache', shape='plaintext', style='')
    # plain-text indices, as in the code: Graphviz's <SUB> labels come out garbled in Chromium
    cache.node('keys', 'keys k[0] … k[t]', fillcolor='#dbe9f6')
    cache.node('values', 'values v[0] … v[t]', fillcolor='#d8f0d2')
    dot.subgraph(cache)
    dot.node('weights', 'weights a[s] = softmax(q · k[s] / √head_dim)')
    dot.node('out', "the head's output: a[0] v[0] + … + a[t] v[t]")
    dot.edge('wq', 'weights', label='q')
    dot.edge('wk', 'keys', label='k')
    dot.edge('wv', 'values', label='v')
    dot.edge('keys', 'weights')
    dot.edge('weights', 'out')
    dot.edge('values', 'out')
    dot.alt = ("Schematic of one attention head at position t: the vector x goes through attn_wq, attn_wk "
               "and attn_wv; the key and the value join the KV cache of keys k[0] to k[t] and values v[0] to v[t]; "
               "the query scores every cached key, softmax(q · k[s] / √head_dim) gives weights a[s], and the "
               "head's output is a[0] v[0] + … + a[t] v[t]. Only keys and values are cached, no query.")
    return shown(dot)


class ShapesDiagram(Drawing):
    def __repr__(self):
        return "<the arrays of one attention layer, drawn to their shapes>"


# Each head's fill: at least 3:1 against white (the background and the masked squares) and against
# the heads beside it, light and dark in turn; labels h0, h1, ... name them too, for readers who
# cannot tell the colours apart. Masked squares are blank, as the heatmaps leave them.
HEAD_COLOURS = ['#d55e00', '#22306b', '#009e73', '#44115e']
MASKED_COLOUR = '#ffffff'
SQUARE = 5      # points a side: one number of an array (the picture fits a 1024x576 slide)


def _grid(rows, columns, colour, cell=SQUARE):
    """An HTML-like Graphviz table of rows x columns small squares; colour(row, column) fills each."""
    cells = ''.join(
        '<TR>' + ''.join(f'<TD WIDTH="{cell}" HEIGHT="{cell}" FIXEDSIZE="TRUE" BGCOLOR="{colour(r, c)}"></TD>'
                         for c in range(columns)) + '</TR>'
        for r in range(rows))
    return (f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="0" COLOR="#999999" '
            f'FIXEDSIZE="TRUE" WIDTH="{columns * cell}" HEIGHT="{rows * cell}">{cells}</TABLE>')


def _head_names(n_head, width):
    """A row of labels h0, h1, ..., each centred under a block `width` points wide."""
    cells = ''.join(f'<TD FIXEDSIZE="TRUE" WIDTH="{width}" HEIGHT="18">h{h}</TD>' for h in range(n_head))
    return (f'<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="0" FIXEDSIZE="TRUE" WIDTH="{n_head * width}" '
            f'HEIGHT="18"><TR>{cells}</TR></TABLE>')


def _array_label(title, grids, captions=()):
    """A node's label: its title above one or more grids side by side, with a caption under each."""
    row = ''.join(f'<TD>{grid}</TD>' for grid in grids)
    # captions without padding and little spacing: the picture must still fit a slide
    under = ''.join(f'<TD CELLPADDING="0">{caption}</TD>' for caption in captions)
    under = f'<TR>{under}</TR>' if captions else ''
    return (f'<<TABLE BORDER="0" CELLSPACING="1"><TR><TD COLSPAN="{len(grids)}">{title}</TD></TR>'
            f'<TR>{row}</TR>{under}</TABLE>>')


def attention_shapes(T=7, n_embd=16, n_head=4):
    """The arrays of one attention layer for a document of T positions, one small square per number.

    The residual stream (T, n_embd) gives each head its q, k and v, (T, head_dim)
    each; q and k give each head's (T, T) attention weights, the squares above the
    diagonal left blank by the causal mask; the weights mix v; the heads' outputs
    sit side by side again as (T, n_embd), which attn_wo turns into the layer's
    addition to the stream. Each head has its colour and its label, h0, h1, ...
    Sized for a 1024 x 576 slide. Returns a graphviz.Digraph (a picture in a
    notebook), or a GraphText where `dot` is missing.
    """
    head_dim = n_embd // n_head
    colour = lambda h: HEAD_COLOURS[h % len(HEAD_COLOURS)]
    names = [f'h{h}' for h in range(n_head)]
    font = {'fontname': 'Helvetica', 'fontsize': '15'}
    dot = ShapesDiagram(graph_attr={'rankdir': 'TB', 'nodesep': '0.35', 'ranksep': '0.2', **font},
                        node_attr={'shape': 'plaintext', 'margin': '0', **font},
                        edge_attr={'arrowsize': '0.6', **font})
    stream = _grid(T, n_embd, lambda r, c: 'white')
    per_head = [_grid(T, head_dim, lambda r, c, h=h: colour(h)) for h in range(n_head)]
    weights = [_grid(T, T, lambda r, c, h=h: MASKED_COLOUR if c > r else colour(h)) for h in range(n_head)]
    dot.node('x', _array_label('rmsnorm(x)   (T, C)', [stream]))
    projections = graphviz.Digraph()
    projections.attr(rank='same')
    for name in 'qkv':
        projections.node(name, _array_label(f'{name}   (H, T, D)', per_head, names))
        dot.edge('x', name, label=f' attn_w{name}')
    dot.subgraph(projections)
    mixing = graphviz.Digraph()
    mixing.attr(rank='same')
    mixing.node('weights', _array_label('weights   (H, T, T)<BR/>softmax(q @ k.T / √D + mask)', weights, names))
    heads = _grid(T, n_embd, lambda r, c: colour(c // head_dim))
    mixing.node('heads', _array_label('heads side by side   (T, C)<BR/>weights @ v', [heads],
                                      [_head_names(n_head, head_dim * SQUARE)]))
    dot.subgraph(mixing)
    dot.node('out', 'x + heads @ attn_wo.T   (T, C)')
    for tail, head in [('q', 'weights'), ('k', 'weights'), ('weights', 'heads'), ('v', 'heads'),
                       ('heads', 'out')]:
        dot.edge(tail, head)
    dot.alt = (f"The arrays of one attention layer for {T} positions, one small square per number, each "
               f"head in its own colour and labelled h0 to h{n_head - 1}: rmsnorm(x), {T} by {n_embd}, gives "
               f"q, k and v, {n_head} heads of {T} by {head_dim} each; q and k give each head's {T} by {T} "
               f"weights, the squares above the diagonal blank (masked); the weights mix v, and the heads "
               f"side by side, {T} by {n_embd}, each head's {head_dim} columns together, go through attn_wo "
               f"and are added to x.")
    return shown(dot)


def label_offsets(ax, points, pixels_per_point, radius=10):
    """Where to write each point's label (offsets in points) so that it is nearer its own point than any
    other and as far as it gets from the other points and labels: the most crowded points choose first."""
    import numpy as np
    at = ax.transData.transform(points)
    directions = [(math.cos(a), math.sin(a)) for a in np.linspace(0, 2 * math.pi, 16, endpoint=False)]
    others = lambda i: np.delete(at, i, axis=0)
    crowding = [np.linalg.norm(others(i) - at[i], axis=1).min() for i in range(len(at))]
    offsets, labels = {}, []
    for i in np.argsort(crowding):
        def room(direction):
            centre = at[i] + np.multiply(direction, radius * pixels_per_point)
            to_points = np.linalg.norm(others(i) - centre, axis=1).min()
            to_labels = min((np.linalg.norm(centre - c) for c in labels), default=np.inf)
            own = np.linalg.norm(centre - at[i])
            return min(to_points, to_labels) if own < to_points else -np.inf
        best = max(directions, key=room)
        offsets[i] = (best[0] * radius, best[1] * radius)
        labels.append(at[i] + np.multiply(best, radius * pixels_per_point))
    return [offsets[i] for i in range(len(at))]


def plot_embedding_map(emap, title):
    """Each token at its place on the embeddings' two first principal components, labelled by its
    name (an inside.EmbeddingMap), with alt text naming who lies at each end of the first one."""
    import matplotlib.pyplot as plt
    import numpy as np
    x, y = emap.points.T
    with plt.rc_context({'font.size': 14}):
        fig, ax = plt.subplots(figsize=(8.8, 3.3), layout='constrained')
        ax.scatter(x, y, s=12, color='#1b4f8a')
        ax.margins(0.08)
        fig.canvas.draw()                   # fixes the axes' limits, so that points have their places in pixels
        for label, point, offset in zip(emap.labels, emap.points, label_offsets(ax, emap.points, fig.dpi / 72)):
            ax.annotate(label, point, xytext=offset, textcoords='offset points', ha='center', va='center')
        ax.set_xlabel(f'first component ({emap.shares[0]:.0%} of the variance)')
        ax.set_ylabel(f'second ({emap.shares[1]:.0%})')
        ax.set_title(title)
        order = emap.along(0)
        show_figure(fig, f"{title}: the {len(emap.labels)} token embeddings on their two first principal "
                         f"components, which keep {emap.kept:.0%} of their variance, each point labelled with "
                         f"its token. Farthest right along the first component: {', '.join(order[:-7:-1])}; "
                         f"farthest left: {', '.join(order[:4])}.")


def plot_firing_rates(runs, title):
    """Each MLP unit's share of positions where its ReLU fires, sorted, one line style per run
    ({label: inside.Dead}), with alt text giving each run's share of zeros and its extremes."""
    import matplotlib.pyplot as plt
    import numpy as np
    styles = [('#1b4f8a', '-', 'o'), ('#b3541e', '--', 's'), ('#2e7d32', ':', '^')]
    with plt.rc_context({'font.size': 14}):
        fig, ax = plt.subplots(figsize=(8.8, 3.0), layout='constrained')
        for (label, dead), (color, linestyle, marker) in zip(runs.items(), styles):
            ax.plot(np.sort(dead.rates), color=color, linestyle=linestyle, marker=marker, markersize=4,
                    label=f'{label}: {dead.zero:.0%} of outputs are 0')
        ax.set(xlabel='hidden unit, from the least to the most active',
               ylabel='fires at this\nshare of positions', ylim=(0, 1.05), title=title)
        ax.legend(loc='upper left')
        said = [f"{label}, {dead.zero:.0%} of all outputs are 0, the rarest unit fires at {dead.rates.min():.1%} "
                f"of positions and the most active at {dead.rates.max():.0%}, and "
                f"{round(dead.never_fire * len(dead.rates))} of {len(dead.rates)} units never fire"
                for label, dead in runs.items()]
        show_figure(fig, f"{title}: each unit's share of positions where it fires, sorted. " + "; ".join(said) + ".")


def plot_update_ratios(ratios, title, guide=-3, window=50):
    """log10(|update| / |weight|) at every step, one panel per matrix ({name: per-step ratios}): each
    step thinly, the mean of the last `window` boldly, and Karpathy's guide line at 1e-3, dashed."""
    import matplotlib.pyplot as plt
    import numpy as np
    from .widgets import faint, smooth
    columns = 3
    rows = -(-len(ratios) // columns)
    under = {}                  # name -> the step (from 1) from which the mean stays under the guide line
    with plt.rc_context({'font.size': 14}):
        fig, axes = plt.subplots(rows, columns, figsize=(8.8, 1.25 * rows + 0.8), sharex=True, sharey=True,
                                 squeeze=False, layout='constrained')
        for ax, (name, ratio) in zip(axes.flat, ratios.items()):
            steps = np.arange(1, len(ratio) + 1)
            means = np.array(smooth(list(ratio), window))
            above = steps[means >= guide]
            if not len(above) or above[-1] < len(ratio):
                under[name] = above[-1] + 1 if len(above) else 1
            ax.plot(steps, ratio, color=faint('#1b4f8a'), linewidth=0.6)
            ax.plot(steps, means, color='#1b4f8a', linewidth=2.2)
            ax.axhline(guide, color='black', linestyle='--', linewidth=1)
            ax.set_title(name)
        for ax in axes.flat[len(ratios):]:
            ax.set_visible(False)
        axes[0][0].set_ylim(guide - 2.5, 0)
        fig.supxlabel('step')
        fig.supylabel(f'log10 ratio (dashed: {10.0 ** guide:g})')
        fig.suptitle(title)
        starts = [float(np.mean(r[:window])) for r in ratios.values()]
        if under:
            first, last = min(under, key=under.get), max(under, key=under.get)
            ends = f"from step {under[first]} ({first}) to step {under[last]} ({last})"
            never = [name for name in ratios if name not in under]
            ends += f"; {', '.join(never)} never" if never else ""
        else:
            ends = "never"
        show_figure(fig, f"{title}: one panel per matrix, log10 of each step's update over the matrix's size, thin, "
                         f"and its mean over {window} steps, bold, with a dashed line at {guide} (1e-3). The first "
                         f"{window} steps average between {min(starts):.1f} and {max(starts):.1f}; the means then "
                         f"fall, and stay under the dashed line {ends}, of {len(next(iter(ratios.values())))} steps.")
