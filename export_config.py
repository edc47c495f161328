"""The course's export settings, in one place: every chapter as an HTML page and as slides.

    jupyter nbconvert --config export_config.py --to html notebooks/02_autograd.ipynb
    jupyter nbconvert --config export_config.py --to slides notebooks/02_autograd.ipynb
    python export_config.py --to html --out html     # every chapter, web libraries in html/lib (make html)
    python export_config.py --to slides --out slides # the same as slides (make slides-offline)
    python export_config.py --jupyterlab             # the same colours in JupyterLab (make lab, Binder)

Both exports use nbconvert's JupyterLab look with the course's colours (COURSE_CSS, which
`make lab` and Binder give JupyterLab too): code, prompts and links that pass WCAG 2.1 AA.
Links to another chapter (NN_name.ipynb) lead to its page of the same kind (NN_name.html, or
NN_name.slides.html from slides); a live widget's output becomes a sentence saying where it
runs. nbconvert titles a page with the notebook's metadata `title`, else its file name.

The slides are laid out for a 16:9 slide area of 1024x576, which reveal.js scales to the
screen (1.25 times, to fill a 1280x720 projector). A code cell tagged `helper` (plotting or
set-up code) shows only its output on slides; the notebook and the HTML page show it whole. By default the pages load their web libraries (MathJax and
require.js; for slides reveal.js and jQuery too) from their CDNs. With EXPORT_LIB=FOLDER set,
the export loads them from FOLDER instead (a path relative to the HTML file, or a URL), where
export() puts copies taken from the npm registry with `npm pack`: WEB_LIBRARIES below says
which, at the versions nbconvert's templates expect.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import nbformat
from nbconvert.preprocessors import Preprocessor

ROOT = Path(__file__).resolve().parent
# JupyterLab serves <folder>/custom.css as its custom CSS; nbconvert inlines <dir>/custom/custom.css
COURSE_CSS = ROOT / 'microgpt_lib' / 'theme' / 'custom' / 'custom.css'

# npm package: (version, file the export loads, CDN address that file replaces).
# nbconvert asks for jQuery 2.0.3, which npm lacks; the slides only need jQuery
# for scrolling slides (off here), so the last 2.x release stands in.
WEB_LIBRARIES = {
    'reveal.js': ('4.0.2', '', 'https://unpkg.com/reveal.js@4.0.2'),
    'requirejs': ('2.1.10', 'require.js',
                  'https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/require.min.js'),
    'jquery': ('2.2.4', 'dist/jquery.min.js',
               'https://cdnjs.cloudflare.com/ajax/libs/jquery/2.0.3/jquery.min.js'),
    'mathjax': ('2.7.7', 'MathJax.js?config=TeX-AMS_CHTML-full,Safe',
                'https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js?config=TeX-AMS_CHTML-full,Safe'),
}
PAGE_LIBRARIES = ('requirejs', 'mathjax')           # what an HTML page loads; slides load them all
WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json'
WIDGET_SENTENCE = 'A live widget runs here in JupyterLab: open the notebook to use it.'
HELPER_TAG = 'helper'
CHAPTER_LINK = re.compile(r'(\]\(|href=["\'])(\d\d_\w+)\.ipynb(?=[#)"\'])')


class CourseStyle(Preprocessor):
    """The course's colours: nbconvert's template inlines the custom.css of resources' config_dir
    (the user's Jupyter folder by default), so that points at the course's instead."""

    def preprocess(self, nb, resources):
        resources['config_dir'] = str(COURSE_CSS.parent.parent)
        return nb, resources


class ChapterLinks(Preprocessor):
    """Links between chapters lead to the other chapter's page of the same kind as this one."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == 'markdown':
            cell.source = CHAPTER_LINK.sub(rf'\1\2{resources["output_extension"]}', cell.source)
        return cell, resources


class WidgetSentence(Preprocessor):
    """A static page can show a live widget only as its text form, `VBox(children=(...`:
    a sentence saying where it runs stands in, and the page loads no widget manager."""

    def preprocess(self, nb, resources):
        nb.metadata.pop('widgets', None)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == 'code':
            cell.outputs = [widget_sentence() if WIDGET_VIEW in out.get('data', {}) else out
                            for out in cell.outputs]
        return cell, resources


def widget_sentence():
    return nbformat.v4.new_output('display_data', data={
        'text/plain': WIDGET_SENTENCE, 'text/html': f'<p><em>{WIDGET_SENTENCE}</em></p>'})


class HelperCodeOff(Preprocessor):
    """On slides, a cell tagged `helper` shows its output only: the room sees the picture,
    the notebook keeps the code that draws it."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == 'code' and HELPER_TAG in cell.metadata.get('tags', []):
            cell.metadata.transient = {"remove_source": True}     # what nbconvert's templates leave out
        return cell, resources


class NoMermaid(Preprocessor):
    """The chapters draw no Mermaid diagrams, yet nbconvert's template always imports Mermaid
    (its address is no setting): an empty module stands in, so the page fetches nothing."""

    def preprocess(self, nb, resources):
        resources['mermaid_js_url'] = 'data:text/javascript,export default {initialize() {}}'
        return nb, resources


def library_url(package, folder):
    """Where the export loads `package` from: its CDN, or its copy in `folder`."""
    _, file, cdn = WEB_LIBRARIES[package]
    return f'{folder}/{package}/{file}'.rstrip('/') if folder else cdn


def configure(c, folder=os.environ.get('EXPORT_LIB')):
    """The settings, into the nbconvert configuration c (the slides' exporter inherits the HTML one's)."""
    c.HTMLExporter.preprocessors = [CourseStyle, ChapterLinks, WidgetSentence, NoMermaid]
    c.HTMLExporter.require_js_url = library_url('requirejs', folder)
    c.HTMLExporter.mathjax_url = library_url('mathjax', folder)
    c.SlidesExporter.preprocessors = [*c.HTMLExporter.preprocessors, HelperCodeOff]
    c.SlidesExporter.reveal_width = '1024'
    c.SlidesExporter.reveal_height = '576'
    c.SlidesExporter.reveal_theme = 'white'           # its fonts ship with reveal.js (others use Google Fonts)
    c.SlidesExporter.reveal_transition = 'none'
    c.SlidesExporter.reveal_number = 'h.v'
    c.SlidesExporter.exclude_input_prompt = True      # the In [ ]: column costs code 110 px of width
    c.SlidesExporter.exclude_output_prompt = True
    c.SlidesExporter.reveal_url_prefix = library_url('reveal.js', folder)
    c.SlidesExporter.jquery_url = library_url('jquery', folder)


def fetch_npm_packages(folder, versions):
    """Puts each npm package of {package: version} into folder/<package>, unless already there."""
    folder.mkdir(parents=True, exist_ok=True)
    for package, version in versions.items():
        target = folder / package
        manifest = target / 'package.json'
        if manifest.exists():
            if json.loads(manifest.read_text())['version'] == version:
                continue
            shutil.rmtree(target)
        with tempfile.TemporaryDirectory(dir=folder) as tmp:
            subprocess.run([shutil.which('npm') or 'npm', 'pack', '--silent', f'{package}@{version}'],
                           cwd=tmp, check=True, stdout=subprocess.DEVNULL)    # which: npm.cmd on Windows
            with tarfile.open(next(Path(tmp).glob('*.tgz'))) as archive:
                archive.extractall(tmp, filter='data')
            try:
                os.rename(Path(tmp) / 'package', target)      # whole or not at all
            except OSError:                                   # another run put it there first
                pass


def export(notebooks, folder, to, libraries=None):
    """Exports notebooks `to` 'html' or 'slides' into folder, loading their web libraries from
    folder/lib (a link to `libraries` when given, a folder kept between runs). Returns the pages."""
    versions = {name: WEB_LIBRARIES[name][0] for name in (PAGE_LIBRARIES if to == 'html' else WEB_LIBRARIES)}
    folder.mkdir(parents=True, exist_ok=True)
    if libraries:
        fetch_npm_packages(libraries, versions)
        if not (folder / 'lib').exists():
            (folder / 'lib').symlink_to(libraries, target_is_directory=True)
    else:
        fetch_npm_packages(folder / 'lib', versions)
    subprocess.run([sys.executable, '-m', 'jupyter', 'nbconvert', '--config', str(ROOT / 'export_config.py'),
                    '--to', to, '--log-level=WARN', '--output-dir', str(folder), *map(str, notebooks)],
                   env=dict(os.environ, EXPORT_LIB='lib'), check=True)
    suffix = '.html' if to == 'html' else '.slides.html'
    return [folder / f'{Path(nb).stem}{suffix}' for nb in notebooks]


def give_jupyterlab_the_course_css():
    """JupyterLab started with --custom-css links /custom/custom.css, which jupyter_server serves
    from the user's Jupyter folder (custom/custom.css, left alone: if there, it wins) or else from
    its own static/custom/ (no setting changes where, and a symlink is refused): a copy goes there."""
    import jupyter_server
    folder = Path(jupyter_server.DEFAULT_STATIC_FILES_PATH) / 'custom'
    folder.mkdir(exist_ok=True)
    shutil.copyfile(COURSE_CSS, folder / 'custom.css')


def main(argv=None):
    parser = argparse.ArgumentParser(description='Exports chapters to work offline, their web libraries in OUT/lib; '
                                                 'or gives JupyterLab the course\'s colours.')
    parser.add_argument('notebooks', nargs='*', type=Path,
                        default=sorted((ROOT / 'notebooks').glob('[0-9][0-9]_*.ipynb')))
    parser.add_argument('--to', choices=['html', 'slides'])
    parser.add_argument('--out', type=Path, help='folder for the pages (html/ or slides/)')
    parser.add_argument('--jupyterlab', action='store_true', help="JupyterLab's --custom-css gets the course's CSS")
    args = parser.parse_args(argv)
    if args.jupyterlab:
        give_jupyterlab_the_course_css()
    elif args.to and args.out:
        export(args.notebooks, args.out, args.to)
    else:
        parser.error('say --to html|slides --out FOLDER, or --jupyterlab')


if 'get_config' in globals():                         # read by nbconvert as a configuration file
    configure(get_config())  # noqa: F821
elif __name__ == '__main__':
    main()
