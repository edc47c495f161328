"""WCAG 2.1 AA, as axe-core measures it, on every chapter's HTML page and on every slide.

    .venv/bin/python -m pytest tests/test_accessibility.py -q      (slow: exports and audits every chapter)

Every chapter is exported with the course's settings (export_config.py) as an HTML page and as
slides, served on 127.0.0.1 and opened in one Chromium. axe-core (fetched with `npm pack`, like
reveal.js) checks each page with the WCAG 2.0 and 2.1 A and AA rules; on slides, first the page
around the slides, then each slide in turn while reveal.js shows it. Any violation fails, listed
with its rule, how many elements break it and one of them; so does a request to another site.
"""
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import sync_playwright

import slides
from export_config import export, fetch_npm_packages

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / 'notebooks').glob('[0-9][0-9]_*.ipynb'))
AXE = {'axe-core': '4.14.1'}
WCAG_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

# Runs in the page: axe's violations, on the whole page and (for slides) on each slide shown in turn.
AUDIT_JS = """async ({tags, deck}) => {
  const options = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']};
  const found = [];
  const audit = async (where, context) => (await axe.run(context, options)).violations.forEach(v =>
    found.push({where, rule: v.id, help: v.help, count: v.nodes.length, example: v.nodes[0].target.join(' ')}));
  await audit('page', deck ? {exclude: [['.reveal .slides']]} : document);   // slides: one by one, below
  const stacks = deck ? Reveal.getHorizontalSlides() : [];
  for (const [h, stack] of stacks.entries()) {
    const count = stack.querySelectorAll(':scope > section').length || 1;
    for (let v = 0; v < count; v++) {
      Reveal.slide(h, v, Number.MAX_SAFE_INTEGER);          // every fragment shown
      await audit(`slide ${h}.${v}`, Reveal.getCurrentSlide());
    }
  }
  return found;
}"""


class Auditor:
    """Audits pages of one served folder in one Chromium."""

    def __init__(self, browser, url):
        self.browser, self.url = browser, url

    def violations(self, name, deck):
        refused = []
        page = slides.open_page(self.browser, f'{self.url}/{name}', refused, deck=deck)
        try:
            page.add_script_tag(url=f'{self.url}/lib/axe-core/axe.min.js')
            found = page.evaluate(AUDIT_JS, {'tags': WCAG_AA, 'deck': deck})
        finally:
            page.close()
        return found + [{'where': 'page', 'rule': 'refused request', 'help': 'nothing from the net',
                         'count': 1, 'example': url} for url in refused]


def report(found):
    """One line per rule: how many elements break it, on how many pages or slides, and one of them."""
    rules = {}
    for f in found:
        rules.setdefault(f['rule'], []).append(f)
    return '\n'.join(f"{rule}: {sum(f['count'] for f in fs)} element(s) in {len(fs)} place(s) ({fs[0]['help']}), "
                     f"e.g. {fs[0]['where']}: {fs[0]['example']}" for rule, fs in rules.items())


def write_probe(folder):
    """A notebook whose second slide breaks two rules: faint text, and a link told by its colour alone."""
    markdown = nbformat.v4.new_markdown_cell
    faint = '<span style="color: #aaaaaa">faint</span>'
    plain_link = 'text <a href="#x" style="text-decoration: none">a link</a> text'
    nb = nbformat.v4.new_notebook(cells=[
        markdown('# Probe', metadata={'slideshow': {'slide_type': 'slide'}}),
        markdown(f'{faint}\n\n{plain_link}', metadata={'slideshow': {'slide_type': 'slide'}}),
    ])
    nbformat.write(nb, folder / 'probe.ipynb')
    return folder / 'probe.ipynb'


@pytest.fixture(scope='module')
def auditor(tmp_path_factory):
    """Every chapter and the probe exported into one folder, served, and one Chromium to audit them."""
    folder = tmp_path_factory.mktemp('exports')
    notebooks = [*CHAPTERS, write_probe(tmp_path_factory.mktemp('probe'))]
    export(notebooks, folder, 'html', slides.LIBRARIES)
    export(notebooks, folder, 'slides', slides.LIBRARIES)
    fetch_npm_packages(slides.LIBRARIES, AXE)
    server = slides.Server(folder)
    try:
        with sync_playwright() as playwright:
            browser = slides.launch(playwright)
            yield Auditor(browser, server.url)
            browser.close()
    finally:
        server.close()


@pytest.mark.parametrize('chapter', [nb.stem for nb in CHAPTERS])
def test_the_html_page_meets_wcag_21_aa(auditor, chapter):
    found = auditor.violations(f'{chapter}.html', deck=False)
    if found:
        pytest.fail(report(found), pytrace=False)


@pytest.mark.parametrize('chapter', [nb.stem for nb in CHAPTERS])
def test_every_slide_meets_wcag_21_aa(auditor, chapter):
    found = auditor.violations(f'{chapter}.slides.html', deck=True)
    if found:
        pytest.fail(report(found), pytrace=False)


def test_the_audit_finds_faint_text_and_links_told_by_colour_alone_on_pages_and_slides(auditor):
    page = auditor.violations('probe.html', deck=False)
    deck = auditor.violations('probe.slides.html', deck=True)
    assert {(f['rule'], f['count']) for f in page} == {('color-contrast', 1), ('link-in-text-block', 1)}
    assert {(f['where'], f['rule']) for f in deck} >= {('slide 1.0', 'color-contrast'),
                                                       ('slide 1.0', 'link-in-text-block')}
    assert 'slide 0.0' not in {f['where'] for f in deck}
    assert 'color-contrast: 1 element(s) in 1 place(s)' in report(page)
