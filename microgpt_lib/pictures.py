"""Pictures: computation graphs drawn with Graphviz (as text where `dot` is missing), attention heatmaps."""
import math
import shutil

import graphviz

from .engine import topological_order

INSTALL_HINT = ("The Graphviz program `dot` is not installed, so here is the graph as text. "
                "To see the drawing: `sudo apt-get install graphviz` (Debian/Ubuntu), "
                "`brew install graphviz` (macOS) or `conda install -c conda-forge graphviz`.")


def have_dot():
    """Whether Graphviz's `dot` program is on the PATH (the Python package alone cannot draw)."""
    return shutil.which('dot') is not None


class GraphText:
    """A graph shown as text: what draw_graph gives when `dot` is missing."""

    def __init__(self, graph):
        self.source = graph.source

    def __repr__(self):
        return f"{INSTALL_HINT}\n\n{self.source}"

    def _repr_markdown_(self):
        return f"{INSTALL_HINT}\n\n```dot\n{self.source}```"


class ComputationGraph(graphviz.Digraph):
    """A Digraph shown as SVG and PNG, with a stable text form.

    JupyterLab shows SVG only in notebooks the learner has run or trusted,
    so the PNG makes a committed notebook's graphs visible straight away.
    """

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        return {'image/svg+xml': self.pipe(format='svg', encoding='utf-8'),
                'image/png': self.pipe(format='png')}

    def __repr__(self):
        return f"<computation graph: {self.source.count('shape=record')} values>"


def draw_graph(root, labels=None, clusters=None, **graph_attr):
    """Draw root and every Value it was computed from.

    Each Value is a box with its data and grad; each operation is a small oval
    between its inputs and its result. labels maps Values to names shown in
    their boxes; clusters maps Values to a component name, and the Values of
    one component are framed together. graph_attr are Graphviz settings, e.g.
    rankdir='TB' (top to bottom rather than left to right) or size='9,7'
    (shrink to fit 9 x 7 inches). Returns a graphviz.Digraph (a picture in
    a notebook), or a GraphText where the `dot` program is missing.
    """
    labels, clusters = labels or {}, clusters or {}
    # 14-point text stays readable on a slide (at least 3/4 of its body text) even when a wide
    # graph is shrunk to the slide's width
    dot = ComputationGraph(graph_attr={'rankdir': 'LR', 'nodesep': '0.15', 'ranksep': '0.25',
                                       'fontname': 'Helvetica', 'fontsize': '14', **graph_attr},
                           node_attr={'fontname': 'Helvetica', 'fontsize': '14', 'height': '0.35'},
                           edge_attr={'arrowsize': '0.7'})
    groups, uids = {}, {}
    for i, v in enumerate(topological_order(root)):
        uid = uids[v] = f'v{i}'          # numbered in order, so a redraw gives the same SVG
        name = f"{labels[v]} | " if v in labels else ''
        # a record's fields stack across the direction of flow: the boxes stay compact either way
        box = dict(name=uid, label=f"{name}data {v.data:.4f} | grad {v.grad:.4f}", shape='record')
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
    return dot if have_dot() else GraphText(dot)


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


def plot_attention(grids, labels, title):
    """Heatmaps of attention grids, one panel per head, rows and columns labelled by the tokens.

    At most 8.8 inches wide with 12-point text, so that on a slide (880 pixels for a picture) it
    is not shrunk and its text is at least 3/4 of the slide's body text.
    """
    import matplotlib.pyplot as plt
    with plt.rc_context({'font.size': 12}):
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
        plt.show()
