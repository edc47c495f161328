"""The repository around the package: conda and pip name the same dependencies; pictures degrade gracefully."""
import os
import re
try:
    import tomllib
except ImportError:                 # Python 3.10
    import tomli as tomllib

import graphviz
import pytest
import yaml

from conftest import ROOT
from microgpt_lib import Value, pictures

CONDA_NAMES = {'python-graphviz': 'graphviz'}      # conda's name -> PyPI's name


def test_environment_yml_and_pyproject_name_the_same_dependencies():
    def name(spec):
        return re.split(r'[<>=!~ ]', spec)[0]
    pyproject = tomllib.loads((ROOT / 'pyproject.toml').read_text())
    pip_names = {name(dep) for dep in pyproject['project']['dependencies']}
    env = yaml.safe_load((ROOT / 'environment.yml').read_text())
    conda_names = {CONDA_NAMES.get(name(dep), name(dep)) for dep in env['dependencies']
                   if isinstance(dep, str) and name(dep) not in ('python', 'pip', 'graphviz')}
    assert conda_names == pip_names
    assert {'pip': ['-e .']} in env['dependencies']      # then the package itself


def test_binder_installs_the_same_environment_then_the_course_once_the_repository_is_there():
    root = yaml.safe_load((ROOT / 'environment.yml').read_text())
    binder = yaml.safe_load((ROOT / 'binder' / 'environment.yml').read_text())
    assert binder['dependencies'] == [dep for dep in root['dependencies'] if dep != {'pip': ['-e .']}]
    assert binder['channels'] == root['channels']
    post_build = ROOT / 'binder' / 'postBuild'
    assert 'pip install --no-deps -e .' in post_build.read_text() and os.access(post_build, os.X_OK)


def small_graph():
    a, b = Value(2.0), Value(-3.0)
    out = (a * b + 1).relu() + (a / b).exp()
    out.backward()
    return out, a, b


def test_draw_graph_shows_every_value_with_data_grad_and_op():
    out, a, b = small_graph()
    graph = pictures.draw_graph(out, labels={a: 'a'}, clusters={a: 'inputs', b: 'inputs'})
    assert isinstance(graph, graphviz.Digraph)
    assert 'a | data 2.0000 | grad ' in graph.source and 'label=relu' in graph.source
    assert 'subgraph cluster_inputs' in graph.source
    shown = graph._repr_mimebundle_()
    assert '<svg' in shown['image/svg+xml'] and shown['image/png'].startswith(b'\x89PNG')


def test_without_dot_the_graph_is_shown_as_text_with_install_help(monkeypatch):
    monkeypatch.setattr(pictures.shutil, 'which', lambda name: None)
    out, a, _ = small_graph()
    graph = pictures.draw_graph(out, labels={a: 'a'})
    assert isinstance(graph, pictures.GraphText)
    text = graph._repr_markdown_()
    assert pictures.graphviz_install() in text and 'a | data 2.0000' in text
    assert 'digraph' in repr(graph)


@pytest.mark.parametrize('platform, conda, tool', [
    ('linux', False, 'sudo apt-get install graphviz'),
    ('darwin', False, 'brew install graphviz'),
    ('win32', False, 'https://graphviz.org/download/'),
    ('win32', True, 'conda install -c conda-forge graphviz'),
    ('darwin', True, 'conda install -c conda-forge graphviz'),
])
def test_the_graphviz_hint_names_the_tool_of_the_system(tmp_path, platform, conda, tool):
    if conda:
        (tmp_path / 'conda-meta').mkdir()
    hint = pictures.graphviz_install(platform, tmp_path)
    assert tool in hint
    assert ('apt-get' in hint) == (tool == 'sudo apt-get install graphviz')


def rendered_size_and_smallest_font(drawing):
    """(width, height) of the drawing's SVG in points, and its smallest font size."""
    svg = drawing._repr_mimebundle_()['image/svg+xml']
    width, height = (float(x) for x in re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())
    return width, height, min(map(float, re.findall(r'font-size="([\d.]+)"', svg)))


def test_block_diagram_shows_the_gpts_blocks_in_order_and_fits_a_slide():
    diagram = pictures.block_diagram(n_layer=2)
    source = diagram.source
    order = ['token id, position', 'wte[token] + wpe[position]', 'multi-head attention', 'MLP',
             'lm_head, softmax', 'next-token probabilities']
    assert [source.index(label) for label in order] == sorted(source.index(label) for label in order)
    assert '× n_layer (here 2)' in source and source.count('style=dashed') == 2   # two residuals
    assert repr(diagram) == '<block diagram of the GPT>'
    width, height, smallest_font = rendered_size_and_smallest_font(diagram)
    assert width <= 720 and height <= 450, "at most 960 x 600 px: room for a title on a 960 x 700 slide"
    assert smallest_font >= 14      # 18.7 px on a slide, where 3/4 of body text is 15 px


def test_qkv_schematic_shows_one_head_from_x_to_its_output_and_fits_a_slide():
    schematic = pictures.qkv_schematic()
    source = schematic.source
    for vector, reader in [('q', 'weights'), ('k', 'keys'), ('v', 'values')]:
        assert f'x -> w{vector}' in source and f'label=attn_w{vector}' in source
        assert f'w{vector} -> {reader} [label={vector}]' in source
    assert 'subgraph cluster_cache' in source and 'KV cache' in source
    assert 'softmax(q · k[s] / √head_dim)' in source and '<SUB>' not in source     # plain text, not HTML
    assert 'keys -> weights' in source and 'weights -> out' in source and 'values -> out' in source
    assert repr(schematic) == '<query, key and value schematic of one attention head>'
    width, height, smallest_font = rendered_size_and_smallest_font(schematic)
    assert width <= 675 and height <= 300, "at most 900 x 400 px: room for a title and a sentence"
    assert smallest_font >= 16


def contrast(colour, other):
    """WCAG's contrast ratio of two #rrggbb colours (1 to 21)."""
    def luminance(hex_colour):
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    lighter, darker = sorted([luminance(colour), luminance(other)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_attention_shapes_draws_one_square_per_number_masks_the_future_and_fits_a_slide():
    for T, n_embd, n_head in [(7, 16, 4), (5, 12, 3)]:
        source = pictures.attention_shapes(T, n_embd, n_head).source
        head_dim = n_embd // n_head
        squares = source.count('<TD WIDTH=')
        # x, q, k, v, the weights and the heads side by side
        assert squares == T * n_embd + 3 * T * n_embd + n_head * T * T + T * n_embd
        assert source.count(pictures.MASKED_COLOUR) == n_head * T * (T - 1) // 2   # above each diagonal
        for h in range(n_head):     # per head: its q, k, v, its visible weights, its columns of the heads
            colour = pictures.HEAD_COLOURS[h]
            assert source.count(colour) == 3 * T * head_dim + T * (T + 1) // 2 + T * head_dim
            assert source.count(f'>h{h}</TD>') == 5, "each head labelled under q, k, v, weights, heads"
    drawing = pictures.attention_shapes()
    assert 'q -> weights' in drawing.source and 'k -> weights' in drawing.source
    assert 'weights -> heads' in drawing.source and 'v -> heads' in drawing.source
    assert repr(drawing) == '<the arrays of one attention layer, drawn to their shapes>'
    width, height, smallest_font = rendered_size_and_smallest_font(drawing)
    assert width <= 675 and height <= 400, "at most 900 x 533 px: room for a title and a sentence"
    assert smallest_font >= 15      # 20 px on a slide, as its body text


def test_attention_shapes_heads_stand_out_from_white_and_their_neighbours():
    """WCAG's 3:1 for graphics: against the page, the blank masked squares and the next head."""
    colours = pictures.HEAD_COLOURS
    assert pictures.MASKED_COLOUR == '#ffffff'          # blank, as NaN in the heatmaps
    assert all(contrast(colour, '#ffffff') >= 3 for colour in colours)
    assert all(contrast(a, b) >= 3 for a, b in zip(colours, colours[1:]))


@pytest.mark.parametrize('draw, label', [(pictures.block_diagram, 'multi-head attention'),
                                         (pictures.qkv_schematic, 'KV cache'),
                                         (pictures.attention_shapes, 'softmax')])
def test_without_dot_a_diagram_is_text(draw, label, monkeypatch):
    monkeypatch.setattr(pictures.shutil, 'which', lambda name: None)
    drawing = draw()
    assert isinstance(drawing, pictures.GraphText) and label in repr(drawing)
