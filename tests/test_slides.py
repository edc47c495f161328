"""Every chapter fits a 1280x720 projector as 16:9 slides: no slide taller than the slide area,
no line of code or output clipped, nothing fetched from the net while presenting.

    .venv/bin/python -m pytest tests/test_slides.py -q      (slow: exports and measures every chapter)

The web libraries the exports load are fetched once with `npm pack` into
~/.cache/microgpt-course/web-libraries. `python tests/slides.py CHAPTER` prints what is wrong, slide by slide.
"""
from pathlib import Path

import nbformat
import pytest

import slides
from export_config import WIDGET_SENTENCE, export

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / 'notebooks').glob('[0-9][0-9]_*.ipynb'))
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
LIBRARIES = slides.LIBRARIES
SCREEN_14_POINTS = 14 * 96 / 72     # CSS px


@pytest.fixture(scope='module')
def decks(tmp_path_factory):
    html = export(CHAPTERS, tmp_path_factory.mktemp('slides'), 'slides', LIBRARIES)
    return {deck.name: deck for deck in slides.measure_exports(html)}


@pytest.mark.parametrize('chapter', [nb.stem for nb in CHAPTERS])
def test_every_slide_fits_the_slide_area_and_clips_no_line(decks, chapter):
    deck = decks[chapter]
    assert deck.slides
    if deck.too_tall or deck.clipped:
        pytest.fail(deck.report(), pytrace=False)



def test_text_in_every_picture_is_at_least_14_points_on_the_projector(decks):
    """Graphviz pictures say their font sizes; a matplotlib PNG says its dots per inch, and every
    chapter draws plot text at 14 pt or more (test_notebooks): shown on a 1280x720 screen, the
    smallest text must be 14 pt, 18.7 px."""
    small = [(name, f'{s.h}.{s.v}', image['kind'], round(image['text_px'] * deck.scale, 1))
             for name, deck in decks.items() for s in deck.slides for image in s.images
             if image['text_px'] and image['text_px'] * deck.scale < SCREEN_14_POINTS]
    assert small == []


def test_presenting_fetches_nothing_from_the_net(decks):
    assert {name: deck.refused for name, deck in decks.items() if deck.refused} == {}


def test_the_measure_finds_tall_slides_and_clipped_lines_and_not_more_and_says_where_widgets_run(tmp_path):
    code = nbformat.v4.new_code_cell
    widget = nbformat.v4.new_output('display_data', data={
        'text/plain': 'VBox(children=(IntSlider(value=0),))',
        'application/vnd.jupyter.widget-view+json': {'model_id': 'f00', 'version_major': 2, 'version_minor': 0}})
    nb = nbformat.v4.new_notebook(cells=[
        code('print("fits")', metadata={'slideshow': {'slide_type': 'slide'}}, outputs=[widget]),
        code('x = 1  # ' + 'a' * 66, metadata={'slideshow': {'slide_type': 'slide'}}),      # 75 characters
        code('x = 1  # ' + 'a' * 150, metadata={'slideshow': {'slide_type': 'slide'}}),
        code('\n'.join(f'x = {i}' for i in range(40)), metadata={'slideshow': {'slide_type': 'subslide'}}),
        code('pass', metadata={'slideshow': {'slide_type': 'skip'}}),
    ])
    nbformat.write(nb, tmp_path / 'probe.ipynb')
    (html,) = export([tmp_path / 'probe.ipynb'], tmp_path, 'slides', LIBRARIES)
    assert 'VBox(children' not in html.read_text()         # a live widget cannot show on a static page
    assert WIDGET_SENTENCE in html.read_text()
    (deck,) = slides.measure_exports([html])
    assert [(s.h, s.v) for s in deck.slides] == [(0, 0), (1, 0), (2, 0), (2, 1)]
    assert [(s.h, s.v) for s in deck.clipped] == [(2, 0)]
    assert [(s.h, s.v) for s in deck.too_tall] == [(2, 1)]
    assert deck.body_px == 0 and deck.refused == []
