"""The student edition and the grader, on small chapters made here and on the converted chapters.

    .venv/bin/python -m pytest tests/test_grade.py -q -m "not slow"

A small chapter follows the course's exercise convention: an exercise cell tagged `exercise`
(`answer = ...` and the check), then a hidden solution cell tagged `solution` with the same check.
"""
import csv
import subprocess
import sys
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
from microgpt_lib.grade import exercises_of, last_verdicts, main, table
from microgpt_lib.student import student_edition

# Chapters whose exercises follow the convention (add one by its name, e.g. '02_autograd'):
# each runs as the teacher's edition and as the student's.
CONVERTED_CHAPTERS = ['06_loss_and_backprop', '07_adam']

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
    assert feedback(graded, 'teacher', 'ch01.check_encoding') == '✅ Correct!'


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
    assert said.startswith('❌ Not yet:') and 'BOS' in said


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
    said = "❌ Not yet:\n  - 6 distinct characters is right, but vocab_size also counts the BOS token\n"
    assert [o.output_type for o in outputs] == ['stream', 'display_data']
    assert outputs[0].text == said
    assert outputs[1].data == {'text/plain': '', VERDICT_MIME: {
        'exercise': 'ch01.check_vocab_size', 'result': 'fail', 'feedback': said}}
    with warnings.catch_warnings():
        warnings.simplefilter('error', UserWarning)     # nbconvert warns of what it cannot show
        page, _ = HTMLExporter().from_notebook_node(nb)
    assert page.count('6 distinct characters is right') == 1 and '"result"' not in page


# The converted chapters: the teacher's passes every exercise, the student's runs and passes none

@pytest.mark.slow
@pytest.mark.parametrize('name', CONVERTED_CHAPTERS)
def test_a_converted_chapter_passes_as_teacher_and_runs_unanswered_as_student(name, tmp_path):
    teacher = ROOT / 'notebooks' / f'{name}.ipynb'
    exercises = list(exercises_of(read(teacher)))
    assert exercises, f"{name} has no cell tagged exercise"
    edition = tmp_path / teacher.name
    edition.write_text(student_edition(read(teacher)), encoding='utf-8')
    for path, result in [(teacher, 'pass'), (edition, 'unanswered')]:
        verdicts = last_verdicts(execute(path))     # execute raises on any error in any cell
        assert {e: v['result'] for e, v in verdicts.items()} == dict.fromkeys(exercises, result), path
