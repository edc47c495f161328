"""Do the chapters fit a projector? Exports chapters as slides and measures every slide.

    python tests/slides.py notebooks/02_autograd.ipynb ...   # measure these chapters
    python tests/slides.py                                   # measure every chapter

Each chapter is exported with the course's settings (export_config.py) into a
folder (default slides/) whose lib/ holds reveal.js, require.js, jQuery and
MathJax, taken once from the npm registry with `npm pack`, so the slides work
without internet. Each export is then served on 127.0.0.1 and opened in
Chromium at 1280x720, where every slide is shown with Reveal.slide(h, v) and
measured in the slide's own pixels (reveal.js scales the 1024x576 slide area to
the window): the content's height against the slide area's, every code or
output box (`pre`) whose lines are wider than the box, and the size of text
in pictures. Requests to any other site are refused, and reported.
"""
import argparse
import functools
import http.server
import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from export_config import HELPER_TAG, export  # noqa: E402

CHROMIUM = '/usr/bin/chromium'
# The web libraries the tests' exports load, fetched once for all runs
LIBRARIES = Path(os.environ.get('XDG_CACHE_HOME', Path.home() / '.cache')) / 'microgpt-course' / 'web-libraries'
SCREEN = {'width': 1280, 'height': 720}

# Runs in the page: every slide's measurements, in slide pixels (before reveal.js scales them).
MEASURE_JS = """() => {
  // A picture's smallest text, in slide pixels: an SVG says its font sizes; a PNG from matplotlib
  // says its dots per inch, so for it we give the size of the chapters' 14-point plot text.
  const pictureText = img => {
    const [head, data] = img.src.split(',');
    const shown = img.clientWidth / img.naturalWidth;
    if (head.includes('svg')) {
      const svg = new DOMParser().parseFromString(atob(data), 'image/svg+xml').documentElement;
      const sizes = [...svg.querySelectorAll('text')].map(t => parseFloat(t.getAttribute('font-size')));
      const units = img.naturalWidth / svg.viewBox.baseVal.width;       // CSS px per SVG unit
      return {kind: 'svg', shown, text_px: sizes.length ? Math.min(...sizes) * units * shown : null};
    }
    const bytes = atob(data), at = bytes.indexOf('pHYs') + 4;
    const perMetre = [0, 1, 2, 3].reduce((n, i) => n * 256 + bytes.charCodeAt(at + i), 0);
    const dpi = at > 3 ? perMetre * 0.0254 : 72;
    return {kind: 'png', shown, dpi, text_px: 14 * dpi / 72 * shown};
  };
  const area = Reveal.getConfig().height;
  const results = [];
  Reveal.getHorizontalSlides().forEach((stack, h) => {
    const slides = stack.querySelectorAll(':scope > section');
    (slides.length ? [...slides] : [stack]).forEach((slide, v) => {
      Reveal.slide(h, v, Number.MAX_SAFE_INTEGER);          // every fragment shown
      const clipped = [...slide.querySelectorAll('pre')]
        .filter(pre => pre.scrollWidth > pre.clientWidth + 1 && pre.offsetParent)
        .map(pre => {
          const longest = pre.textContent.split('\\n').reduce((a, b) => b.length > a.length ? b : a);
          return {text: longest.slice(0, 50), chars: longest.length, width: pre.scrollWidth,
                  box: pre.clientWidth};
        });
      const body = slide.querySelector('.jp-RenderedMarkdown p, .jp-RenderedMarkdown li');
      const images = [...slide.querySelectorAll('.jp-OutputArea-output img')]
        .filter(img => img.naturalWidth).map(img => pictureText(img));
      results.push({h, v, height: slide.scrollHeight, area, clipped,
                    title: (slide.querySelector('h1, h2, h3') || {}).innerText || '',
                    body_px: body ? parseFloat(getComputedStyle(body).fontSize) : null,
                    images});
    });
  });
  return {scale: Reveal.getScale(), slides: results};
}"""


@dataclass
class Slide:
    h: int
    v: int
    title: str
    height: int
    area: int
    clipped: list
    body_px: float
    images: list

    @property
    def too_tall(self):
        return self.height > self.area


@dataclass
class Deck:
    name: str
    scale: float
    slides: list
    refused: list = field(default_factory=list)

    @property
    def too_tall(self):
        return [s for s in self.slides if s.too_tall]

    @property
    def clipped(self):
        return [s for s in self.slides if s.clipped]

    @property
    def body_px(self):
        sizes = [s.body_px for s in self.slides if s.body_px]
        return max(set(sizes), key=sizes.count) if sizes else 0

    def report(self):
        lines = [f'{self.name}: {len(self.slides)} slides, {len(self.too_tall)} too tall, '
                 f'{len(self.clipped)} with clipped lines; body text {self.body_px:g} px, '
                 f'slide pixels shown at {self.scale:.3f} screen pixels']
        for s in self.slides:
            notes = []
            if s.too_tall:
                notes.append(f'TOO TALL by {s.height - s.area} px')
            notes += [f'CLIPPED {c["width"]}/{c["box"]} px, {c["chars"]} chars: {c["text"]!r}'
                      for c in s.clipped]
            notes += [picture_note(i) for i in s.images]
            lines.append(f'  {s.h:2d}.{s.v:<2d} {s.height:5d} / {s.area} px  {s.title[:40]:40s} '
                         + '; '.join(notes))
        lines += [f'  REFUSED request to {url}' for url in self.refused]
        return '\n'.join(lines)


def slides_of(nb):
    """The cells of each slide of a notebook, in order, grouped as the slides export groups them:
    a 'slide' or 'subslide' cell begins a slide; fragments, notes and '-' cells join the one
    before; 'skip' cells are on none."""
    slides = []
    for cell in nb.cells:
        kind = cell.metadata.get('slideshow', {}).get('slide_type') or '-'
        if kind == 'skip':
            continue
        if kind in ('slide', 'subslide') or not slides:
            slides.append([])
        slides[-1].append(cell)
    return slides


def shows_code_or_a_picture(cells):
    """True if a slide of these cells shows code (a `helper` cell shows only its output) or a picture."""
    code = any(c.cell_type == 'code' and c.source.strip() and HELPER_TAG not in c.metadata.get('tags', [])
               for c in cells)
    pictures = any(key in out.get('data', {}) for c in cells if c.cell_type == 'code'
                   for out in c.outputs for key in ('image/png', 'image/svg+xml'))
    return code or pictures


def has_notes(cells):
    return any(c.metadata.get('slideshow', {}).get('slide_type') == 'notes' for c in cells)


def picture_note(image):
    if image['kind'] == 'svg':
        return f'graph shown at {image["shown"]:.2f}, smallest text {image["text_px"]:.1f} px'
    return (f'plot shown at {image["shown"]:.2f} ({image["dpi"]:.0f} dpi): '
            f'14-pt text is {image["text_px"]:.1f} px')


class Server:
    """Serves a folder on 127.0.0.1, quietly."""

    def __init__(self, folder):
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass
        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Quiet, directory=folder))
        self.url = f'http://127.0.0.1:{self.httpd.server_port}'
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def open_page(browser, url, refused, deck=True):
    """The page at url as a 1280x720 screen shows it, its slides ready (unless not a deck) and its
    formulas typeset. Requests to any other site than 127.0.0.1 are refused, and listed in refused."""
    page = browser.new_page(viewport=SCREEN)

    def only_local(route):
        if route.request.url.startswith(('http://127.0.0.1', 'data:')):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()
    page.route('**/*', only_local)
    page.goto(url)
    if deck:
        # The export loads reveal.js as a require.js module, so it is no global: fetch it from there.
        page.evaluate('new Promise(done => require(["lib/reveal.js/dist/reveal.js"], '
                      'Reveal => done(window.Reveal = Reveal)))')
        page.wait_for_function('Reveal.isReady()', timeout=30_000)
    page.wait_for_function('!window.MathJax || !MathJax.Hub || MathJax.Hub.queue.running === 0 '
                           '&& MathJax.Hub.queue.pending === 0', timeout=30_000)
    page.evaluate('document.fonts.ready')
    return page


def measure(browser, url):
    """A Deck of every slide at url, as a 1280x720 screen shows it."""
    refused = []
    page = open_page(browser, url, refused)
    try:
        found = page.evaluate(MEASURE_JS)
    finally:
        page.close()
    name = Path(url).name.removesuffix('.slides.html')
    return Deck(name, found['scale'], [Slide(**s) for s in found['slides']], refused)


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM,
                                      args=['--no-sandbox', '--disable-gpu', '--no-first-run'])


def measure_exports(html_files):
    """Decks for exported slide files that sit in one folder."""
    from playwright.sync_api import sync_playwright
    server = Server(html_files[0].parent)
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            decks = [measure(browser, f'{server.url}/{html.name}') for html in html_files]
            browser.close()
    finally:
        server.close()
    return decks


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('notebooks', nargs='*', type=Path,
                        default=sorted((ROOT / 'notebooks').glob('[0-9][0-9]_*.ipynb')))
    parser.add_argument('--out', type=Path, default=ROOT / 'slides', help='folder for the exports (slides/)')
    args = parser.parse_args(argv)
    decks = measure_exports(export(args.notebooks, args.out, 'slides'))
    for deck in decks:
        print(deck.report(), end='\n\n')
    print('summary (slides too tall / with clipped lines / total):')
    for deck in decks:
        print(f'  {deck.name:28s} {len(deck.too_tall):3d} {len(deck.clipped):3d} {len(deck.slides):4d}')
    print(f'  {"all":28s} {sum(len(d.too_tall) for d in decks):3d} {sum(len(d.clipped) for d in decks):3d} '
          f'{sum(len(d.slides) for d in decks):4d}')


if __name__ == '__main__':
    main()
