"""The student edition and the grader, on small chapters made here and on the converted chapters.

    .venv/bin/python -m pytest tests/test_grade.py -q -m "not slow"

A small chapter follows the course's exercise convention: an exercise cell tagged `exercise`
(`answer = ...` and the check), then a hidden solution cell tagged `solution` with the same check.
"""
import csv
import errno
import io
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from conftest import ROOT
from execute_notebooks import execute
from microgpt_lib.exercises import PLACEHOLDER_HINT, VERDICT_MIME
from microgpt_lib import data
from microgpt_lib.grade import csv_bytes, exercises_of, last_verdicts, main, table
from microgpt_lib.student import student_edition

# Chapters whose exercises follow the convention: each runs as the student's edition (the
# teacher's editions run, and pass every exercise, in test_notebooks.py).
CONVERTED_CHAPTERS = sorted(p.stem for p in (ROOT / 'notebooks').glob('[0-9][0-9]_*.ipynb')
                            if p.stem != '00_welcome')

IMPORT = "from microgpt_lib.exercises.ch01 import (check_encoding, check_num_predictions,\n" \
         "                                         check_vocab_size)"
# (check, what to answer, the solution)
EXERCISES = [
    ('check_encoding', "the tokens of 'jade'", '[26, 9, 0, 3, 4, 26]'),
    ('check_vocab_size', "vocab_size for ['anna', 'bob', 'Anna', 'Bob']", '7'),
    ('check_num_predictions', "predictions in 'jade'", '5'),
]
IDS = [f'ch01.{check}' for check, *_ in EXERCISES]
SLEEP = "import time\ntime.sleep(600)\n"


def cell(new, source, slide='-', tags=(), hidden=False):
    metadata = {'slideshow': {'slide_type': slide}}
    if tags:
        metadata['tags'] = list(tags)
    if hidden:
        metadata['jupyter'] = {'source_hidden': True}
    return new(source, metadata=metadata)


def chapter(answers=None, before=None):
    """A small teacher's chapter with the EXERCISES.

    answers: {check: what replaces the `...` in its exercise cell};
    before: {check: code to run first in its exercise cell} (e.g. code that raises).
    """
    answers, before = answers or {}, before or {}
    cells = [cell(new_markdown_cell, "# A small chapter", 'slide'),
             cell(new_code_cell, IMPORT, 'skip')]
    for number, (check, what, solution) in enumerate(EXERCISES):
        answer = answers.get(check, '...')
        cells += [cell(new_markdown_cell, f"**Exercise {number + 1}.** Give {what}.", 'subslide'),
                  cell(new_code_cell, f"{before.get(check, '')}answer = {answer}"
                                      f"  # your answer here: {what}\n{check}(answer)", tags=['exercise']),
                  cell(new_code_cell, f"# The solution: {solution}.\nanswer = {solution}\n{check}(answer)",
                       'skip', tags=['solution'], hidden=True)]
    cells += [cell(new_markdown_cell, "**Why?** Why does BOS end a name too?", 'subslide'),
              cell(new_markdown_cell, "<details><summary>Answers</summary>\n\nTo learn to stop.\n</details>",
                   'skip', tags=['solution'], hidden=True),
              cell(new_code_cell, "print('the last cell ran')")]
    return new_notebook(cells=cells, metadata={'kernelspec': {'name': 'python3', 'display_name': 'Python 3',
                                                              'language': 'python'}})


def run(module, *args):
    """python -m module args, from the repository."""
    return subprocess.run([sys.executable, '-m', module, *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT, stdin=subprocess.DEVNULL)


def read(path):
    return nbformat.read(path, as_version=4)


def student(nb):
    return nbformat.reads(student_edition(nb), as_version=4)


def write(nb, path):
    nbformat.write(nb, path)
    return path


def tags_of(nb):
    return [c.metadata.get('tags', []) for c in nb.cells]


# The student edition

def test_student_edition_drops_every_solution_and_clears_the_exercises_outputs():
    teacher = chapter()
    for c in teacher.cells:
        if c.cell_type == 'code':
            c.outputs = [nbformat.v4.new_output('stream', name='stdout', text='shown\n')]
    edition = student(teacher)
    kept = [c for c in teacher.cells if 'solution' not in c.metadata.get('tags', [])]
    assert len(edition.cells) == len(kept) == len(teacher.cells) - len(EXERCISES) - 1
    assert [c.id for c in edition.cells] == [c.id for c in kept]
    assert [c.source for c in edition.cells] == [c.source for c in kept]
    for c in edition.cells:
        if c.cell_type == 'code':
            assert c.outputs == ([] if 'exercise' in c.metadata.get('tags', []) else
                                 [nbformat.v4.new_output('stream', name='stdout', text='shown\n')])
    assert 'solution' in sum(tags_of(teacher), []), "the teacher's notebook is left as it was"
    nbformat.validate(edition)


@pytest.mark.parametrize('path', sorted((ROOT / 'notebooks').glob('*.ipynb')), ids=lambda p: p.stem)
def test_student_edition_of_every_chapter_has_no_solution_and_no_exercise_output(path):
    teacher = read(path)
    edition = student(teacher)
    assert 'solution' not in sum(tags_of(edition), [])
    assert all(not c.outputs for c in edition.cells if 'exercise' in c.metadata.get('tags', []))
    assert len(edition.cells) == sum('solution' not in tags for tags in tags_of(teacher))


def test_student_command_writes_editions_under_the_same_names(tmp_path):
    source = write(chapter(), tmp_path / '01_small.ipynb')
    result = run('microgpt_lib.student', '--out', tmp_path / 'student', source)
    assert result.returncode == 0, result.stderr
    assert read(tmp_path / 'student' / '01_small.ipynb') == student(read(source))


def test_student_command_refuses_to_overwrite_the_teachers_notebooks(tmp_path):
    source = write(chapter(), tmp_path / '01_small.ipynb')
    before = source.read_bytes()
    result = run('microgpt_lib.student', '--out', tmp_path, source)
    assert result.returncode == 2 and result.stderr.count('\n') == 1, result.stderr
    assert source.read_bytes() == before


# Which exercises a notebook has, before it runs

def test_exercises_come_from_the_exercise_cells_in_order():
    assert list(exercises_of(chapter())) == IDS
    assert list(exercises_of(student(chapter()))) == IDS
    broken = student(chapter(before={'check_encoding': "answer = (\n"}))     # a syntax error hides none
    assert list(exercises_of(broken)) == IDS


def test_an_exercise_is_a_call_of_an_imported_check_even_in_a_cell_that_does_not_parse():
    nb = chapter()
    imports, first = nb.cells[1], nb.cells[3]
    first.source = f"{imports.source}\nfrom microgpt_lib.sample import check_temperature\n" \
                   f"check_temperature(0.5) and print(\n{first.source}"
    imports.source = "from microgpt_lib.exercises.ch01 import check_vocab_size as vocab_check"
    nb.cells[6].source = nb.cells[6].source.replace('check_vocab_size(', 'vocab_check (')
    assert list(exercises_of(nb)) == IDS


def test_the_table_has_a_row_per_notebook_and_one_table_per_chapter():
    graded = [('alice/02.ipynb', [('ch02.check_tanh', 'pass', ''), ('ch02.check_hand_gradients', 'fail', '')]),
              ('alice/01.ipynb', [('ch01.check_encoding', 'error', 'the cell raised NameError')]),
              ('bob/02.ipynb', [('ch02.check_tanh', 'unanswered', ''), ('ch02.check_hand_gradients', 'pass', '')])]
    assert table(graded) == (
        "notebook        ch02.check_tanh  ch02.check_hand_gradients  passed\n"
        "alice/02.ipynb  pass             fail                       1/2\n"
        "bob/02.ipynb    unanswered       pass                       1/2\n"
        "\n"
        "notebook        ch01.check_encoding  passed\n"
        "alice/01.ipynb  error                0/1")


# Bad paths: one line, exit 2, nothing run

@pytest.mark.parametrize('name, content, says', [
    ('missing.ipynb', None, 'no such file'),
    ('folder.ipynb', 'folder', 'not a file'),
    ('text.ipynb', 'hello', 'not a Jupyter notebook'),
    ('list.ipynb', '[1, 2]', 'not a Jupyter notebook'),
    ('empty.ipynb', '{}', 'not a Jupyter notebook'),
    ('cells.ipynb', '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": 3}',
     'not a Jupyter notebook'),
])
def test_a_bad_path_stops_the_grader_with_one_line_before_anything_runs(tmp_path, capsys, name, content, says):
    good = write(chapter(), tmp_path / 'good.ipynb')
    bad = tmp_path / name
    if content == 'folder':
        bad.mkdir()
    elif content is not None:
        bad.write_text(content)
    table = tmp_path / 'grades.csv'
    assert main([str(good), str(bad), '--csv', str(table)]) == 2
    out, err = capsys.readouterr()
    assert out == ''
    assert err.count('\n') == 1 and str(bad) in err and says in err, err
    assert not table.exists()


def test_a_csv_file_in_a_missing_folder_stops_the_grader_before_anything_runs(tmp_path, capsys):
    good = write(chapter(), tmp_path / 'good.ipynb')
    assert main([str(good), '--csv', str(tmp_path / 'nowhere' / 'grades.csv')]) == 2
    out, err = capsys.readouterr()
    assert out == '' and err.count('\n') == 1 and 'nowhere' in err


@pytest.mark.parametrize('timeout', ['0', '2.5', '-1', 'soon'])
def test_a_timeout_is_a_whole_number_of_seconds(tmp_path, capsys, timeout):
    with pytest.raises(SystemExit) as stop:
        main(['--timeout', timeout, str(write(chapter(), tmp_path / 'good.ipynb'))])
    assert stop.value.code == 2 and 'whole number of seconds' in capsys.readouterr().err


# Grading: one run of the grader over a teacher's chapter and several students' notebooks

@pytest.fixture(scope='module')
def graded(tmp_path_factory):
    """The grader's run, its CSV rows, and {(notebook name, exercise): (result, feedback)} from them."""
    folder = tmp_path_factory.mktemp('grading')
    notebooks = {
        'teacher': chapter(),
        'untouched': student(chapter()),
        'raises': student(chapter(before={'check_encoding': "1 / 0\n"})),
        'answered': student(chapter({'check_encoding': '[26, 9, 0, 3, 4, 26]', 'check_vocab_size': '6'})),
        'sleeps': student(chapter({'check_vocab_size': '7'}, {'check_encoding': SLEEP})),
        'dies': student(chapter({'check_encoding': '[26, 9, 0, 3, 4, 26]'},
                                {'check_vocab_size': "import os\nos._exit(1)\n"})),
    }
    paths = [write(nb, folder / f'{name}.ipynb') for name, nb in notebooks.items()]
    table = folder / 'grades.csv'
    result = run('microgpt_lib.grade', '--timeout', 30, '--csv', table, *paths)
    with open(table, newline='', encoding='utf-8') as f:
        rows = list(csv.DictReader(f))
    grades = {(Path(row['notebook']).stem, row['exercise']): (row['result'], row['feedback']) for row in rows}
    return SimpleNamespace(run=result, rows=rows, grades=grades)


def results(graded, notebook):
    return [graded.grades[notebook, exercise][0] for exercise in IDS]


def feedback(graded, notebook, exercise):
    return graded.grades[notebook, exercise][1]


@pytest.mark.slow
def test_the_grader_grades_every_notebook_and_exits_0(graded):
    assert graded.run.returncode == 0, graded.run.stderr
    assert list(graded.rows[0]) == ['notebook', 'exercise', 'result', 'feedback']
    assert len(graded.rows) == 6 * len(EXERCISES), "one row per notebook and exercise"
    lines = graded.run.stdout.splitlines()
    assert lines[0].split() == ['notebook', *IDS, 'passed']
    assert lines[1].split()[1:] == ['pass', 'pass', 'pass', '3/3']
    assert lines[2].split()[1:] == ['unanswered', 'unanswered', 'unanswered', '0/3']


@pytest.mark.slow
def test_the_teachers_chapter_passes_every_exercise_on_its_solutions(graded):
    assert results(graded, 'teacher') == ['pass'] * len(EXERCISES)
    assert feedback(graded, 'teacher', 'ch01.check_encoding') == 'Correct!'


@pytest.mark.slow
def test_the_student_edition_passes_none_each_check_asking_for_an_answer(graded):
    assert results(graded, 'untouched') == ['unanswered'] * len(EXERCISES)
    assert {feedback(graded, 'untouched', exercise) for exercise in IDS} == {PLACEHOLDER_HINT}


@pytest.mark.slow
def test_a_first_exercise_that_raises_is_an_error_and_the_others_still_run(graded):
    assert results(graded, 'raises') == ['error', 'unanswered', 'unanswered']
    assert feedback(graded, 'raises', IDS[0]) == 'the cell raised ZeroDivisionError: division by zero'
    assert feedback(graded, 'raises', IDS[1]) == PLACEHOLDER_HINT


@pytest.mark.slow
def test_answers_are_graded_with_the_checks_feedback(graded):
    assert results(graded, 'answered') == ['pass', 'fail', 'unanswered']
    said = feedback(graded, 'answered', 'ch01.check_vocab_size')
    assert said.startswith('Not yet:') and 'BOS' in said


@pytest.mark.slow
def test_a_cell_out_of_time_is_stopped_and_the_notebook_goes_on(graded):
    assert results(graded, 'sleeps') == ['error', 'pass', 'unanswered']
    assert feedback(graded, 'sleeps', IDS[0]) == 'the cell ran longer than 30 s and was stopped'


@pytest.mark.slow
def test_a_kernel_that_dies_leaves_the_exercises_after_it_in_error(graded):
    assert results(graded, 'dies') == ['pass', 'error', 'error']
    assert feedback(graded, 'dies', IDS[1]) == "the kernel died before this exercise's check ran"


@pytest.mark.slow
def test_a_check_shows_only_its_feedback_and_hands_the_grader_its_verdict(tmp_path):
    nb = execute(write(chapter({'check_vocab_size': '6'}), tmp_path / 'small.ipynb'))
    outputs = [c.outputs for c in nb.cells if 'exercise' in c.metadata.get('tags', [])][1]
    said = "Not yet:\n  - 6 distinct characters is right, but vocab_size also counts the BOS token\n"
    assert [o.output_type for o in outputs] == ['stream', 'display_data']
    assert outputs[0].text == said
    assert outputs[1].data == {'text/plain': '', VERDICT_MIME: {
        'exercise': 'ch01.check_vocab_size', 'result': 'fail', 'feedback': said}}
    with warnings.catch_warnings():
        warnings.simplefilter('error', UserWarning)     # nbconvert warns of what it cannot show
        page, _ = HTMLExporter().from_notebook_node(nb)
    assert page.count('6 distinct characters is right') == 1 and '"result"' not in page


# The converted chapters: the student's edition runs and passes none

@pytest.mark.slow
@pytest.mark.parametrize('name', CONVERTED_CHAPTERS)
def test_a_chapters_student_edition_runs_with_every_exercise_unanswered(name, tmp_path):
    teacher = ROOT / 'notebooks' / f'{name}.ipynb'
    exercises = list(exercises_of(read(teacher)))
    assert exercises, f"{name} has no cell tagged exercise"
    edition = tmp_path / teacher.name
    edition.write_text(student_edition(read(teacher)), encoding='utf-8')
    verdicts = last_verdicts(execute(edition))     # execute raises on any error in any cell
    assert {e: v['result'] for e, v in verdicts.items()} == dict.fromkeys(exercises, 'unanswered')


# Hangs, stale and malformed verdicts, spreadsheets: each notebook here is tiny

IGNORES_INTERRUPTS = {
    'swallows': "import time\nwhile True:\n    try:\n        time.sleep(.05)\n    except:\n        pass\n",
    'sig_ign': "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\ntime.sleep(600)\n",
}


def grader(*args):
    """The grader's process, its stderr read as it goes."""
    return subprocess.Popen([sys.executable, '-m', 'microgpt_lib.grade', *map(str, args)], cwd=ROOT,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))   # Ctrl-C as at a terminal


@pytest.mark.slow
def test_a_kernel_that_ignores_interrupts_is_killed_and_each_row_prints_as_it_finishes(tmp_path):
    paths = [write(student(chapter({'check_encoding': '[26, 9, 0, 3, 4, 26]'})), tmp_path / 'first.ipynb')]
    paths += [write(student(chapter(before={'check_vocab_size': code})), tmp_path / f'{name}.ipynb')
              for name, code in IGNORES_INTERRUPTS.items()]
    proc = grader('--timeout', 1, '--csv', tmp_path / 'grades.csv', *paths)
    first = proc.stderr.readline()
    assert first == f"{paths[0]}: pass unanswered unanswered (1/3 passed)\n"
    assert proc.poll() is None, "the first row is printed while the others are graded"
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    with open(tmp_path / 'grades.csv', newline='', encoding='utf-8') as f:
        rows = [row for row in csv.DictReader(f) if Path(row['notebook']).stem in IGNORES_INTERRUPTS]
    assert [(row['result'], row['feedback']) for row in rows] == [
        ('unanswered', PLACEHOLDER_HINT),
        ('error', "the cell ran longer than 1 s and ignored the interrupt, so its kernel was stopped"),
        ('error', "the kernel was stopped before this exercise's check ran")] * 2
    assert err.splitlines() == [f"{path}: unanswered error error (0/3 passed)" for path in paths[1:]]
    assert len(out.splitlines()) == 4


@pytest.mark.slow
def test_a_notebook_is_stopped_when_its_whole_run_takes_too_long(tmp_path):
    nap = "import time\ntime.sleep(4)\n"
    path = write(student(chapter(before={'check_encoding': nap, 'check_vocab_size': nap})), tmp_path / 'slow.ipynb')
    proc = grader('--notebook-timeout', 6, '--csv', tmp_path / 'grades.csv', path)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    with open(tmp_path / 'grades.csv', newline='', encoding='utf-8') as f:
        assert [(row['result'], row['feedback']) for row in csv.DictReader(f)] == [
            ('unanswered', PLACEHOLDER_HINT),
            ('error', "the notebook ran longer than 6 s in all and was stopped in this cell"),
            ('error', "the notebook ran longer than 6 s in all and was stopped")]


@pytest.mark.slow
def test_ctrl_c_while_grading_ends_with_one_line_and_stops_the_kernel(tmp_path):
    started = tmp_path / 'started'
    hangs = f"import os, time\nopen({str(started)!r}, 'w').write(str(os.getpid()))\ntime.sleep(600)\n"
    path = write(student(chapter(before={'check_encoding': hangs})), tmp_path / 'hangs.ipynb')
    proc = grader('--csv', tmp_path / 'grades.csv', path, path)
    for _ in range(600):
        if started.exists() and started.read_text():
            break
        time.sleep(.1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, out, err) == (130, '', "interrupted: 0 of 2 notebooks graded (above), nothing was written\n")
    kernel = Path(f'/proc/{started.read_text()}/status')
    assert not kernel.exists() or 'zombie' in kernel.read_text(), "the kernel is stopped"
    assert not (tmp_path / 'grades.csv').exists()


def verdict_output(verdict):
    return nbformat.v4.new_output('display_data', data={VERDICT_MIME: verdict, 'text/plain': ''})


@pytest.mark.slow
def test_only_verdicts_this_run_displays_count_even_if_cleared_and_malformed_ones_are_none(tmp_path):
    stale = student(chapter())
    forged = {exercise: verdict_output({'exercise': exercise, 'result': 'pass', 'feedback': 'old'})
              for exercise in IDS}
    stale.cells[3].outputs = [forged[IDS[0]]]                   # saved in the file, in the exercise cell
    stale.cells.insert(4, new_code_cell('', outputs=[forged[IDS[1]]]))         # an empty cell is not run
    stale.cells.insert(5, new_code_cell(f"{EXERCISES[2][0]}(5)", outputs=[forged[IDS[2]]],
                                        metadata={'tags': ['skip-execution']}))
    skipped = [c for c in stale.cells if 'exercise' in c.metadata.get('tags', [])][2]  # not run: its error is old
    skipped.metadata['tags'].append('skip-execution')
    skipped.outputs = [nbformat.v4.new_output('error', ename='NameError', evalue='old', traceback=[])]
    cleared = student(chapter({'check_encoding': '[26, 9, 0, 3, 4, 26]'}))
    cleared.cells[3].source += "\nfrom IPython.display import clear_output\nclear_output()"
    malformed = student(chapter())
    shows = "from IPython.display import display\n" + "".join(
        f"display({{{VERDICT_MIME!r}: {bad!r}, 'text/plain': ''}}, raw=True)\n" for bad in
        ['pass', [IDS[0], 'pass'], {'exercise': IDS[0], 'feedback': ''}, {'exercise': 7, 'result': 'pass'},
         {'exercise': IDS[0], 'result': 'top marks', 'feedback': ''}])
    malformed.cells.append(new_code_cell(shows))
    paths = [write(nb, tmp_path / f'{name}.ipynb') for name, nb in
             [('stale', stale), ('cleared', cleared), ('malformed', malformed)]]
    result = run('microgpt_lib.grade', '--csv', tmp_path / 'grades.csv', *paths)
    assert result.returncode == 0, result.stderr
    with open(tmp_path / 'grades.csv', newline='', encoding='utf-8') as f:
        rows = list(csv.DictReader(f))
    assert [row['result'] for row in rows] == ['unanswered'] * 3 + ['pass'] + ['unanswered'] * 5
    assert rows[2]['feedback'] == 'its check never ran' and rows[3]['feedback'] == 'Correct!'


@pytest.mark.parametrize('text', ['=HYPERLINK("http://x", "y")', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])
def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised(text):
    header, row = csv.reader(io.StringIO(csv_bytes([(text, [(text, 'fail', text)])]).decode(), newline=''))
    assert row == [f"'{text}", f"'{text}", 'fail', f"'{text}"]
    assert csv_bytes([('a.ipynb', [('ch01.x', 'pass', 'fine = 1')])]).decode().endswith('fine = 1\r\n')


def test_a_full_disk_after_grading_keeps_the_table_and_the_old_csv(tmp_path, capsys, monkeypatch):
    path = write(new_notebook(cells=[new_code_cell('1')]), tmp_path / 'tiny.ipynb')
    (tmp_path / 'grades.csv').write_text('old grades\n')

    def no_space(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(data.os, 'fsync', no_space)
    assert main([str(path), '--csv', str(tmp_path / 'grades.csv')]) == 2
    out, err = capsys.readouterr()
    assert out.splitlines()[1].split() == [str(path), '0/0'], "the table is printed first"
    assert err.splitlines()[-1] == (f"error: the grades were not written to {tmp_path / 'grades.csv'}: "
                                    f"{os.strerror(errno.ENOSPC)}; the table above has them")
    assert sorted(p.name for p in tmp_path.iterdir()) == ['grades.csv', 'tiny.ipynb']
    assert (tmp_path / 'grades.csv').read_text() == 'old grades\n'
