"""The course's slide settings: one nbconvert configuration for every chapter.

    jupyter nbconvert --config slides_config.py --to slides notebooks/02_autograd.ipynb

(`make slides` does this for every chapter, into slides/.) The slides are laid
out for a 960x700 slide area, which reveal.js scales to the screen (1280x720 on
a common projector). By default the browser loads reveal.js, require.js, jQuery
and MathJax from their CDNs while presenting. With SLIDES_LIB=FOLDER set, the
export loads them from FOLDER instead (a path relative to the HTML file, or a
URL), where `make slides-offline` puts copies taken from the npm registry:
WEB_LIBRARIES below says which, at the versions nbconvert's template expects.
"""
import os

from nbconvert.preprocessors import Preprocessor

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
WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json'


class DropWidgetViews(Preprocessor):
    """Removes outputs that show a live widget: a static page can only show their text form,
    `VBox(children=(...`. The chapter's figures stand in for them on slides."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == 'code':
            cell.outputs = [out for out in cell.outputs if WIDGET_VIEW not in out.get('data', {})]
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


def configure(c, folder=os.environ.get('SLIDES_LIB')):
    """The settings, into the nbconvert configuration c."""
    c.SlidesExporter.reveal_width = '960'
    c.SlidesExporter.reveal_height = '700'
    c.SlidesExporter.reveal_theme = 'white'           # its fonts ship with reveal.js (others use Google Fonts)
    c.SlidesExporter.reveal_transition = 'none'
    c.SlidesExporter.reveal_number = 'h.v'
    c.SlidesExporter.exclude_input_prompt = True      # the In [ ]: column costs code 110 px of width
    c.SlidesExporter.exclude_output_prompt = True
    c.SlidesExporter.preprocessors = [DropWidgetViews, NoMermaid]
    c.SlidesExporter.reveal_url_prefix = library_url('reveal.js', folder)
    c.SlidesExporter.require_js_url = library_url('requirejs', folder)
    c.SlidesExporter.jquery_url = library_url('jquery', folder)
    c.SlidesExporter.mathjax_url = library_url('mathjax', folder)


if 'get_config' in globals():                         # read by nbconvert as a configuration file
    configure(get_config())  # noqa: F821
