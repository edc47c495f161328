"""The temperature slider that needs no kernel (microgpt_lib.offline): one labelled, self-contained
piece of HTML. tests/test_browser.py moves it by keyboard in chapter 09's exported page and slides."""
from microgpt_lib.offline import offline_explorer

STEPS = [{'temperature': 0.5, 'names': [('anna', 'real'), ('vialan', 'new')],
          'bars': {'': [('a', 0.309), ('k', 0.121)], 'ka': [('r', 0.37), ('\u23ce', 0.02)]}},
         {'temperature': 1.0, 'names': [('</script>x', 'new'), ('kamon', 'trained on')],
          'bars': {'': [('a', 0.142), ('k', 0.08)], 'ka': [('r', 0.17), ('n', 0.15)]}}]
LEGEND = {'new': 'in no data', 'real': 'a real name it never trained on', 'trained on': 'a name it trained on'}


def explorer(start=0.5):
    return offline_explorer(STEPS, start=start, legend=LEGEND, note="The live explorer runs in JupyterLab.")


def test_the_slider_is_labelled_and_says_its_temperature_in_words():
    html = explorer().data
    uid = html.split('id="', 1)[1].split('"', 1)[0]
    assert f'<label for="{uid}-t">temperature <output for="{uid}-t">0.50</output></label>' in html
    assert f'<input type="range" id="{uid}-t" min="0" max="1" step="1" value="0" aria-valuetext="0.50">' in html
    assert 'aria-live="polite"' in html and '<legend' in html and 'The live explorer runs in JupyterLab.' in html
    assert 'value="1" aria-valuetext="1.00"' in explorer(start=0.9).data      # the nearest step


def test_every_step_is_in_the_page_with_its_numbers_and_nothing_comes_from_the_net():
    html = explorer().data
    for name in ('anna', 'vialan', 'kamon', '["r",0.37]', '["n",0.15]', '"temperature":1.0'):
        assert name in html
    assert 'http' not in html and 'src=' not in html
    assert html.count('<script') == 1 and html.count('</script') == 1    # a name cannot end the script
    assert '<\\/script>x' in html
    assert "<i>real</i>: a real name it never trained on" in html


def test_as_text_it_says_what_it_is():
    assert repr(explorer()) == ("A temperature slider of 2 steps, from 0.5 to 1.0, with names and next-character "
                                "bars computed ahead. The live explorer runs in JupyterLab.")
