"""The course's export settings (export_config.py): its colours in both exports and JupyterLab,
links between chapters that work in each export, page titles, a sentence for a live widget."""
import re
import subprocess

import jupyter_server
import nbformat
import pytest
from nbconvert import HTMLExporter, SlidesExporter
from traitlets.config import Config

import export_config
from conftest import ROOT

CSS = export_config.COURSE_CSS.read_text()
new_markdown, new_code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell


def exported(nb, exporter_class, **resources):
    """The page `exporter_class` makes of nb with the course's settings."""
    config = Config()
    export_config.configure(config, folder='lib')
    html, _ = exporter_class(config=config).from_notebook_node(nb, resources={'metadata': {'name': 'probe'},
                                                                               **resources})
    return html


def contrast(colour, background):
    def luminance(hex_colour):
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    light, dark = sorted([luminance(colour), luminance(background)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_colour_the_course_css_sets_reads_at_4_5_to_1_on_code_and_page_backgrounds():
    set_colours = set(re.findall(r':\s*(#[0-9a-f]{6});', CSS))
    assert len(set_colours) >= 8
    assert {c: round(contrast(c, bg), 2) for c in set_colours for bg in ('#f5f5f5', '#ffffff')
            if contrast(c, bg) < 4.5} == {}
    assert contrast('#008800', '#f5f5f5') < 4.5          # the theme's own number colour, which it replaces


@pytest.mark.parametrize('exporter_class', [HTMLExporter, SlidesExporter])
def test_both_exports_carry_the_course_css_and_not_the_users_own(exporter_class, tmp_path):
    (tmp_path / 'custom').mkdir()
    (tmp_path / 'custom' / 'custom.css').write_text('.users-own { color: red }')
    page = exported(nbformat.v4.new_notebook(cells=[new_code('x = 1  # one')]), exporter_class,
                    config_dir=str(tmp_path))
    assert CSS in page and '.users-own' not in page


def test_links_between_chapters_lead_to_the_page_of_the_same_kind_and_prose_keeps_file_names():
    text = ('Next: [02 · Autograd](02_autograd.ipynb), or <a href="03_building_blocks.ipynb#Softmax">softmax</a>; '
            'open `04_attention.ipynb` in JupyterLab, or [the gist](https://example.org/05_x.ipynb).')
    nb = nbformat.v4.new_notebook(cells=[new_markdown(text)])
    page, deck = exported(nb, HTMLExporter), exported(nb, SlidesExporter)
    assert 'href="02_autograd.html"' in page and 'href="03_building_blocks.html#Softmax"' in page
    assert 'href="02_autograd.slides.html"' in deck and 'href="03_building_blocks.slides.html#Softmax"' in deck
    for html in (page, deck):
        assert '04_attention.ipynb' in html and 'https://example.org/05_x.ipynb' in html
        assert 'href="02_autograd.ipynb"' not in html
    assert nb.cells[0].source == text                   # the notebook itself, as JupyterLab shows it, keeps .ipynb


def test_the_page_title_is_the_notebooks_title_or_else_its_file_name():
    nb = nbformat.v4.new_notebook(cells=[new_markdown('# Autograd')], metadata={'title': '02 · Autograd: probe'})
    assert '<title>02 · Autograd: probe</title>' in exported(nb, HTMLExporter)
    assert '<title>02 · Autograd: probe slides</title>' in exported(nb, SlidesExporter)
    del nb.metadata['title']
    assert '<title>probe</title>' in exported(nb, HTMLExporter)


@pytest.mark.parametrize('exporter_class', [HTMLExporter, SlidesExporter])
def test_a_live_widget_becomes_a_sentence_and_the_page_loads_no_widget_manager(exporter_class):
    widget = nbformat.v4.new_output('display_data', data={
        'text/plain': 'VBox(children=(FloatSlider(value=0.5),))',
        export_config.WIDGET_VIEW: {'model_id': 'f00', 'version_major': 2, 'version_minor': 0}})
    printed = nbformat.v4.new_output('stream', text='names at temperature 0.5\n')
    nb = nbformat.v4.new_notebook(cells=[new_code('explorer()', outputs=[printed, widget])],
                                  metadata={'widgets': {'application/vnd.jupyter.widget-state+json': {
                                      'state': {}, 'version_major': 2, 'version_minor': 0}}})
    page = exported(nb, exporter_class)
    assert export_config.WIDGET_SENTENCE in page and 'names at temperature 0.5' in page
    assert 'VBox(children' not in page and 'html-manager' not in page


def test_make_lab_opens_jupyterlab_with_the_course_css_where_jupyterlab_serves_it(tmp_path, monkeypatch):
    monkeypatch.setattr(jupyter_server, 'DEFAULT_STATIC_FILES_PATH', str(tmp_path))
    export_config.give_jupyterlab_the_course_css()
    assert (tmp_path / 'custom' / 'custom.css').read_text() == CSS
    commands = subprocess.run(['make', '-n', 'lab'], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert 'export_config.py --jupyterlab' in commands and 'jupyter lab --custom-css' in commands
