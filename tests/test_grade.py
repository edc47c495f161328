"""The student edition and the grader, on small chapters made here and on the converted chapters.

    .venv/bin/python -m pytest tests/test_grade.py -q -m "not slow"

A small chapter follows the course's exercise convention: an exercise cell tagged `exercise`
(`answer = ...` and the check), then a hidden solution cell tagged `solution` with the same check.
Graded, it is the teacher's edition (`--teacher`) of chapter 01, with points on two exercises.
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
from microgpt_lib.grade import (Row, chapter_of, csv_bytes, exercises_of, last_verdicts, main, no_chapter_reason,
                                 table, teachers_edition, with_grader_cells)
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
POINTS = {'check_encoding': 2, 'check_vocab_size': 0.5}        # nbgrader's; the third is worth 1
TITLE = "01 · A small chapter"
RIGHT = {'check_encoding': '[26, 9, 0, 3, 4, 26]', 'check_vocab_size': '7', 'check_num_predictions': '5'}
WRONG = {'check_encoding': '[1, 2, 3]', 'check_vocab_size': '6'}
SLEEP = "import time\ntime.sleep(600)\n"


def cell(new, source, slide='-', tags=(), hidden=False):
    metadata = {'slideshow': {'slide_type': slide}}
    if tags:
        metadata['tags'] = list(tags)
    if hidden:
        metadata['jupyter'] = {'source_hidden': True}
    return new(source, metadata=metadata)


def chapter(answers=None, before=None, points=None):
    """A small teacher's chapter with the EXERCISES.

    answers: {check: what replaces the `...` in its exercise cell};
    before: {check: code to run first in its exercise cell} (e.g. code that raises);
    points: {check: its exercise cell's nbgrader points}.
    """
    answers, before, points = answers or {}, before or {}, points or {}
    cells = [cell(new_markdown_cell, "# A small chapter", 'slide'),
             cell(new_markdown_cell, "Ask who has seen a tokenizer.", 'notes'),
             cell(new_code_cell, IMPORT, 'skip')]
    for number, (check, what, solution) in enumerate(EXERCISES):
        answer = answers.get(check, '...')
        cells += [cell(new_markdown_cell, f"**Exercise {number + 1}.** Give {what}.", 'subslide'),
                  cell(new_code_cell, f"{before.get(check, '')}answer = {answer}"
                                      f"  # your answer here: {what}\n{check}(answer)", tags=['exercise']),
                  cell(new_code_cell, f"# The solution: {solution}.\nanswer = {solution}\n{check}(answer)",
                       'skip', tags=['solution'], hidden=True)]
        if check in points:
            cells[-2].metadata['nbgrader'] = {'grade': True, 'points': points[check]}
    cells += [cell(new_markdown_cell, "**Why?** Why does BOS end a name too?", 'subslide'),
              cell(new_markdown_cell, "<details><summary>Answers</summary>\n\nTo learn to stop.\n</details>",
                   'skip', tags=['solution'], hidden=True),
              cell(new_code_cell, "print('the last cell ran')")]
    return new_notebook(cells=cells, metadata={'title': TITLE, 'kernelspec': {
        'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}})


def exercise_cell(nb, check):
    """The index of the exercise cell that calls check."""
    return next(i for i, c in enumerate(nb.cells) if 'exercise' in c.metadata.get('tags', []) and check in c.source)


def teacher(folder):
    """A teacher's edition in folder: the small chapter, as chapter 01, with POINTS."""
    folder.mkdir(exist_ok=True)
    write(chapter(points=POINTS), folder / '01_small.ipynb')
    return folder


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


def for_students(cell):
    """Whether the student edition keeps the cell: neither a solution nor a speaker note."""
    return 'solution' not in cell.metadata.get('tags', []) and cell.metadata['slideshow']['slide_type'] != 'notes'


# The student edition

def test_student_edition_drops_every_solution_and_speaker_note_and_clears_the_exercises_outputs():
    teacher = chapter()
    for c in teacher.cells:
        if c.cell_type == 'code':
            c.outputs = [nbformat.v4.new_output('stream', name='stdout', text='shown\n')]
    edition = student(teacher)
    kept = [c for c in teacher.cells if for_students(c)]
    assert len(edition.cells) == len(kept) == len(teacher.cells) - len(EXERCISES) - 1 - 1
    assert 'Ask who has seen a tokenizer.' not in [c.source for c in edition.cells]
    assert [c.id for c in edition.cells] == [c.id for c in kept]
    assert [c.source for c in edition.cells] == [c.source for c in kept]
    for c in edition.cells:
        if c.cell_type == 'code':
            assert c.outputs == ([] if 'exercise' in c.metadata.get('tags', []) else
                                 [nbformat.v4.new_output('stream', name='stdout', text='shown\n')])
    assert 'solution' in sum(tags_of(teacher), []), "the teacher's notebook is left as it was"
    assert 'Ask who has seen a tokenizer.' in [c.source for c in teacher.cells]
    nbformat.validate(edition)


@pytest.mark.parametrize('path', sorted((ROOT / 'notebooks').glob('*.ipynb')), ids=lambda p: p.stem)
def test_student_edition_of_every_chapter_has_no_solution_no_speaker_note_and_no_exercise_output(path):
    teacher = read(path)
    edition = student(teacher)
    assert 'solution' not in sum(tags_of(edition), [])
    assert all(c.metadata['slideshow']['slide_type'] != 'notes' for c in edition.cells)
    assert all(not c.outputs for c in edition.cells if 'exercise' in c.metadata.get('tags', []))
    assert [c.id for c in edition.cells] == [c.id for c in teacher.cells if for_students(c)]


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
    imports, first = nb.cells[2], nb.cells[exercise_cell(nb, 'check_encoding')]
    first.source = f"{imports.source}\nfrom microgpt_lib.sample import check_temperature\n" \
                   f"check_temperature(0.5) and print(\n{first.source}"
    imports.source = "from microgpt_lib.exercises.ch01 import check_vocab_size as vocab_check"
    second = nb.cells[exercise_cell(nb, 'check_vocab_size')]
    second.source = second.source.replace('check_vocab_size(', 'vocab_check (')
    assert list(exercises_of(nb)) == IDS


def test_the_teachers_edition_gives_each_exercise_the_arguments_of_its_check_call_and_its_points(tmp_path):
    nb = chapter(points=POINTS)
    nb.cells[exercise_cell(nb, 'check_encoding')].source = "check_encoding(tokens[1:], key=len)"
    chapters = teachers_edition(write(nb, tmp_path / '01_small.ipynb').parent)
    assert list(chapters) == ['01'] and chapters['01'].title == TITLE
    assert [(e.id, e.arguments, e.points) for e in chapters['01'].exercises] == [
        ('ch01.check_encoding', 'tokens[1:], key=len', 2), ('ch01.check_vocab_size', 'answer', 0.5),
        ('ch01.check_num_predictions', 'answer', 1)]


def test_each_chapter_of_the_course_is_read_with_its_exercises():
    chapters = teachers_edition(ROOT / 'notebooks')
    assert list(chapters) == [f'{n:02}' for n in range(13)]
    assert [len(c.exercises) for c in chapters.values()] == [len(exercises_of(read(p))) for p in
                                                             sorted((ROOT / 'notebooks').glob('[0-9][0-9]_*.ipynb'))]
    assert next(e for e in chapters['02'].exercises if e.check == 'check_tanh').arguments == 'tanh, Value'


@pytest.mark.parametrize('name, title, number', [
    ('01_small.ipynb', None, '01'),
    ('01_small (1).ipynb', None, '01'),
    ('jane-01.ipynb', 'anything', '01'),         # the name wins over the title
    ('jane_2026-01-v2.ipynb', None, '01'),       # 2026 is no two-digit number
    ('renamed.ipynb', TITLE, '01'),
    ('jane-07.ipynb', TITLE, '01'),               # no chapter 07 here: the title says
    ('week 3.ipynb', TITLE, '01'),
    ('renamed.ipynb', 'Some other notebook', None),
    ('2026.ipynb', None, None),
])
def test_a_students_notebook_belongs_to_the_chapter_its_name_numbers_else_to_its_title(tmp_path, name, title,
                                                                                      number):
    chapters = teachers_edition(teacher(tmp_path / 'teacher'))
    nb = new_notebook(metadata={'title': title} if title else {})
    found = chapter_of(Path(name), nb, chapters)
    assert (found and found.number) == number
    if number is None:
        assert no_chapter_reason(Path(name), nb).startswith('matches no chapter: ')


def test_the_graders_cell_follows_the_last_cell_calling_the_check_and_calls_a_fresh_copy_of_it(tmp_path):
    chapters = teachers_edition(teacher(tmp_path / 'teacher'))
    nb = student(chapter())
    del nb.cells[exercise_cell(nb, 'check_vocab_size')]
    nb.cells.append(new_code_cell("answer = 6\nprint(check_num_predictions(answer))"))
    sources = {'__init__': ('init.py', '# the package'), 'ch01': ('ch01.py', '# the checks')}
    where = with_grader_cells(nb, chapters['01'], 'f00d', sources)
    assert list(where) == [IDS[0], IDS[2]], "the exercise with no cell calling its check has none"
    (answer, grader), (last, last_grader) = where.values()
    assert nb.cells[answer].source.endswith('check_encoding(answer)') and grader == answer + 1
    assert last == len(nb.cells) - 2 and last_grader == len(nb.cells) - 1
    assert all(s in nb.cells[grader].source for s in ("'# the package'", "'# the checks'", "'f00d'", '(answer)'))
    assert 'check_encoding' in nb.cells[grader].source and 'microgpt_lib.exercises' not in nb.cells[grader].source


def test_the_table_has_a_row_per_notebook_and_one_table_per_chapter_with_the_scores():
    graded = [('alice/02.ipynb', [Row('ch02.check_tanh', 'pass', '', 2), Row('ch02.check_hand_gradients', 'fail', '', 1)]),
              ('alice/01.ipynb', [Row('ch01.check_encoding', 'error', 'the cell raised NameError', 0.5)]),
              ('bob/02.ipynb', [Row('ch02.check_tanh', 'unanswered', '', 2), Row('ch02.check_hand_gradients', 'pass', '', 1)])]
    assert table(graded) == (
        "notebook        ch02.check_tanh  ch02.check_hand_gradients  score\n"
        "alice/02.ipynb  pass             fail                       2/3\n"
        "bob/02.ipynb    unanswered       pass                       1/3\n"
        "\n"
        "notebook        ch01.check_encoding  score\n"
        "alice/01.ipynb  error                0/0.5")


# Bad paths and options: one line, exit 2, nothing run

@pytest.mark.parametrize('name, content, says', [
    ('missing.ipynb', None, 'no such file'),
    ('folder.ipynb', 'folder', 'not a file'),
])
def test_a_missing_path_stops_the_grader_with_one_line_before_anything_runs(tmp_path, capsys, name, content, says):
    good = write(chapter(), tmp_path / 'good.ipynb')
    bad = tmp_path / name
    if content == 'folder':
        bad.mkdir()
    table = tmp_path / 'grades.csv'
    assert main([str(good), str(bad), '--csv', str(table), '--teacher', str(teacher(tmp_path / 'teacher'))]) == 2
    out, err = capsys.readouterr()
    assert out == ''
    assert err.count('\n') == 1 and str(bad) in err and says in err, err
    assert not table.exists()


def broken_teacher(folder):
    teacher(folder)
    (folder / '02_broken.ipynb').write_text('{')


@pytest.mark.parametrize('make, says', [
    (lambda folder: None, 'not a folder'),
    (lambda folder: folder.mkdir(), 'no chapter notebooks'),
    (broken_teacher, 'not a Jupyter notebook'),
])
def test_a_teachers_edition_that_cannot_be_read_stops_the_grader(tmp_path, capsys, make, says):
    make(tmp_path / 'teacher')
    good = write(chapter(), tmp_path / '01_good.ipynb')
    assert main([str(good), '--teacher', str(tmp_path / 'teacher')]) == 2
    out, err = capsys.readouterr()
    assert out == '' and err.count('\n') == 1 and says in err, err


def test_a_csv_file_in_a_missing_folder_stops_the_grader_before_anything_runs(tmp_path, capsys):
    good = write(chapter(), tmp_path / 'good.ipynb')
    assert main([str(good), '--csv', str(tmp_path / 'nowhere' / 'grades.csv')]) == 2
    out, err = capsys.readouterr()
    assert out == '' and err.count('\n') == 1 and 'nowhere' in err


@pytest.mark.parametrize('option, value, says', [
    ('--timeout', '0', 'whole number of seconds'), ('--timeout', '2.5', 'whole number of seconds'),
    ('--timeout', '-1', 'whole number of seconds'), ('--notebook-timeout', 'soon', 'whole number of seconds'),
    ('--jobs', '0', 'whole number of notebooks'), ('--jobs', 'all', 'whole number of notebooks'),
])
def test_timeouts_and_jobs_are_whole_numbers(tmp_path, capsys, option, value, says):
    with pytest.raises(SystemExit) as stop:
        main([option, value, str(write(chapter(), tmp_path / 'good.ipynb'))])
    assert stop.value.code == 2 and says in capsys.readouterr().err


# Grading: one run of the grader over a teacher's chapter and several students' notebooks

def forged(exercise):
    """Code that displays a verdict saying exercise passed, in the grader's own format, and prints so."""
    verdict = {'exercise': exercise, 'result': 'pass', 'ok': True, 'feedback': 'Correct!\n', 'run': '0' * 32}
    return (f"from IPython.display import display\n"
            f"display({{{VERDICT_MIME!r}: {verdict!r}, 'text/plain': ''}}, raw=True)\nprint('Correct!')\n")


def forging():
    """A student's notebook with wrong or no answers that displays passing verdicts for every exercise:
    saved in the file, after each exercise cell, and from a thread all along."""
    nb = student(chapter(WRONG))
    for exercise in reversed(IDS):
        index = exercise_cell(nb, exercise.partition('.')[2])
        nb.cells[index].outputs = [verdict_output({'exercise': exercise, 'result': 'pass', 'feedback': 'old'})]
        nb.cells.insert(index + 1, new_code_cell(forged(exercise)))
    nb.cells.insert(3, new_code_cell(
        "import threading, time\ndef forge():\n    while True:\n" +
        "".join(f"        {line}\n" for exercise in IDS for line in forged(exercise).splitlines()) +
        "        time.sleep(.05)\nthreading.Thread(target=forge, daemon=True).start()"))
    return nb


PATCHES = """import microgpt_lib.exercises as exercises, microgpt_lib.exercises.ch01 as ch01
def always(*args, **kwargs):
    print('Correct!')
    return True
ch01.check_encoding = ch01.check_vocab_size = check_encoding = always
exercises.report = lambda problems, success='Correct!': always()
bool = lambda *args: True           # a global name shadows a builtin in the cells that follow
"""


def deleted():
    """A student's notebook whose second exercise, and its question, are gone."""
    nb = student(chapter({'check_encoding': RIGHT['check_encoding']}))
    index = exercise_cell(nb, 'check_vocab_size')
    del nb.cells[index - 1:index + 1]
    return nb


@pytest.fixture(scope='module')
def graded(tmp_path_factory):
    """The grader's run, two at a time, its CSV rows, and {(notebook, exercise): (result, feedback)} from them."""
    folder = tmp_path_factory.mktemp('grading')
    notebooks = {
        '01_teacher': chapter(),
        '01_untouched': student(chapter()),
        '01_raises': student(chapter(before={'check_encoding': "1 / 0\n"})),
        '01_answered': student(chapter({'check_encoding': RIGHT['check_encoding'], 'check_vocab_size': '6'})),
        '01_sleeps': student(chapter({'check_vocab_size': '7'}, {'check_encoding': SLEEP})),
        '01_dies': student(chapter({'check_encoding': RIGHT['check_encoding']},
                                   {'check_vocab_size': "import os\nos._exit(1)\n"})),
        'forges-01': forging(),
        'patches-01': student(chapter(WRONG, {'check_encoding': PATCHES})),
        'deleted-01': deleted(),
        'renamed': student(chapter({'check_num_predictions': '5'})),     # found by its title
        'nothing': new_notebook(cells=[new_code_cell('1')]),
    }
    paths = [write(nb, folder / f'{name}.ipynb') for name, nb in notebooks.items()]
    truncated = folder / '01_truncated (1).ipynb'
    truncated.write_bytes(paths[1].read_bytes()[:1000])
    table = folder / 'grades.csv'
    result = run('microgpt_lib.grade', '--jobs', 2, '--timeout', 30, '--csv', table,
                 '--teacher', teacher(folder / 'teacher'), *paths[:-1], truncated, paths[-1])
    with open(table, newline='', encoding='utf-8') as f:
        rows = list(csv.DictReader(f))
    grades = {(Path(row['notebook']).stem, row['exercise']): (row['result'], row['feedback']) for row in rows}
    totals = {Path(row['notebook']).stem: (row['score'], row['points']) for row in rows if row['exercise'] == 'TOTAL'}
    return SimpleNamespace(run=result, rows=rows, grades=grades, totals=totals)


def results(graded, notebook):
    return [graded.grades[notebook, exercise][0] for exercise in IDS]


def feedback(graded, notebook, exercise):
    return graded.grades[notebook, exercise][1]


@pytest.mark.slow
def test_the_grader_grades_every_notebook_and_exits_0(graded):
    assert graded.run.returncode == 0, graded.run.stderr
    assert list(graded.rows[0]) == ['notebook', 'exercise', 'result', 'feedback', 'points', 'score']
    assert len(graded.rows) == 11 * (len(EXERCISES) + 1) + 2, "a row per exercise and a total, per notebook"
    lines = graded.run.stdout.splitlines()
    assert lines[0].split() == ['notebook', *IDS, 'score']
    assert lines[1].split()[1:] == ['pass', 'pass', 'pass', '3.5/3.5']
    assert lines[2].split()[1:] == ['unanswered', 'unanswered', 'unanswered', '0/3.5']
    said = graded.run.stderr.splitlines()
    assert len(said) == 12, "a line per notebook, as each finishes"
    assert next(line for line in said if '01_teacher' in line).endswith(".ipynb: pass pass pass (3.5/3.5)")


@pytest.mark.slow
def test_points_come_from_the_teachers_nbgrader_metadata_and_add_up_in_the_total(graded):
    rows = [row for row in graded.rows if Path(row['notebook']).stem == '01_answered']
    assert [(row['exercise'], row['result'], row['points'], row['score']) for row in rows] == [
        (IDS[0], 'pass', '2', '2'), (IDS[1], 'fail', '0.5', '0'), (IDS[2], 'unanswered', '1', '0'),
        ('TOTAL', '', '3.5', '2')]
    assert graded.totals['01_teacher'] == ('3.5', '3.5')


@pytest.mark.slow
def test_the_teachers_chapter_passes_every_exercise_on_its_solutions(graded):
    assert results(graded, '01_teacher') == ['pass'] * len(EXERCISES)
    assert feedback(graded, '01_teacher', 'ch01.check_encoding') == 'Correct!'


@pytest.mark.slow
def test_the_student_edition_passes_none_each_check_asking_for_an_answer(graded):
    assert results(graded, '01_untouched') == ['unanswered'] * len(EXERCISES)
    assert {feedback(graded, '01_untouched', exercise) for exercise in IDS} == {PLACEHOLDER_HINT}


@pytest.mark.slow
def test_a_first_exercise_that_raises_is_an_error_and_the_others_still_run(graded):
    assert results(graded, '01_raises') == ['error', 'unanswered', 'unanswered']
    assert feedback(graded, '01_raises', IDS[0]) == 'the cell raised ZeroDivisionError: division by zero'
    assert feedback(graded, '01_raises', IDS[1]) == PLACEHOLDER_HINT


@pytest.mark.slow
def test_answers_are_graded_with_the_checks_feedback(graded):
    assert results(graded, '01_answered') == ['pass', 'fail', 'unanswered']
    said = feedback(graded, '01_answered', 'ch01.check_vocab_size')
    assert said.startswith('Not yet:') and 'BOS' in said


@pytest.mark.slow
def test_a_cell_out_of_time_is_stopped_and_the_notebook_goes_on(graded):
    assert results(graded, '01_sleeps') == ['error', 'pass', 'unanswered']
    assert feedback(graded, '01_sleeps', IDS[0]) == 'the cell ran longer than 30 s and was stopped'


@pytest.mark.slow
def test_a_kernel_that_dies_leaves_the_exercises_after_it_in_error(graded):
    assert results(graded, '01_dies') == ['pass', 'error', 'error']
    assert feedback(graded, '01_dies', IDS[1]) == "the kernel died before this exercise's check ran"


@pytest.mark.slow
def test_verdicts_that_the_students_cells_display_count_for_nothing(graded):
    assert results(graded, 'forges-01') == ['fail', 'fail', 'unanswered']
    assert graded.totals['forges-01'] == ('0', '3.5')
    assert feedback(graded, 'forges-01', IDS[2]) == PLACEHOLDER_HINT


@pytest.mark.slow
def test_patching_the_checks_in_the_kernel_does_not_make_them_pass(graded):
    assert results(graded, 'patches-01') == ['fail', 'fail', 'unanswered']
    assert graded.totals['patches-01'] == ('0', '3.5')


@pytest.mark.slow
def test_a_deleted_exercise_is_unanswered_and_its_points_count_in_the_total(graded):
    assert results(graded, 'deleted-01') == ['pass', 'unanswered', 'unanswered']
    assert feedback(graded, 'deleted-01', IDS[1]) == "its cell is missing: no cell that runs calls check_vocab_size"
    assert graded.totals['deleted-01'] == ('2', '3.5')


@pytest.mark.slow
def test_a_notebook_without_a_chapter_number_is_found_by_its_title(graded):
    assert results(graded, 'renamed') == ['unanswered', 'unanswered', 'pass']


@pytest.mark.slow
def test_a_file_that_cannot_be_read_or_placed_is_an_error_and_the_rest_are_graded(graded):
    assert results(graded, '01_truncated (1)') == ['error'] * len(EXERCISES)
    assert feedback(graded, '01_truncated (1)', IDS[0]).startswith("not a Jupyter notebook (not JSON, or cut short: ")
    assert graded.totals['01_truncated (1)'] == ('0', '3.5')
    result, said = graded.grades['nothing', '(no chapter)']
    assert result == 'error' and said == ("matches no chapter: no two-digit number in its name and no title")
    assert graded.totals['nothing'] == ('0', '0')
    assert graded.run.stdout.splitlines()[-1].split()[1:] == ['error', '0/0']


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


# Hangs, stale and malformed verdicts, jobs, spreadsheets: each notebook here is tiny

IGNORES_INTERRUPTS = {
    'swallows': "import time\nwhile True:\n    try:\n        time.sleep(.05)\n    except:\n        pass\n",
    'sig_ign': "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\ntime.sleep(600)\n",
}


def grader(*args):
    """The grader's process, its stderr read as it goes."""
    return subprocess.Popen([sys.executable, '-m', 'microgpt_lib.grade', *map(str, args)], cwd=ROOT,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))   # Ctrl-C as at a terminal


def exercise_rows(table):
    """The CSV's rows, without the totals."""
    with open(table, newline='', encoding='utf-8') as f:
        return [row for row in csv.DictReader(f) if row['exercise'] != 'TOTAL']


@pytest.mark.slow
def test_a_kernel_that_ignores_interrupts_is_killed_and_each_row_prints_as_it_finishes(tmp_path):
    paths = [write(student(chapter({'check_encoding': RIGHT['check_encoding']})), tmp_path / '01_first.ipynb')]
    paths += [write(student(chapter(before={'check_vocab_size': code})), tmp_path / f'01_{name}.ipynb')
              for name, code in IGNORES_INTERRUPTS.items()]
    proc = grader('--timeout', 1, '--csv', tmp_path / 'grades.csv', '--teacher', teacher(tmp_path / 'teacher'), *paths)
    first = proc.stderr.readline()
    assert first == f"{paths[0]}: pass unanswered unanswered (2/3.5)\n"
    assert proc.poll() is None, "the first row is printed while the others are graded"
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    rows = [row for row in exercise_rows(tmp_path / 'grades.csv') if Path(row['notebook']) in paths[1:]]
    assert [(row['result'], row['feedback']) for row in rows] == [
        ('unanswered', PLACEHOLDER_HINT),
        ('error', "the cell ran longer than 1 s and ignored the interrupt, so its kernel was stopped"),
        ('error', "the kernel was stopped before this exercise's check ran")] * 2
    assert err.splitlines() == [f"{path}: unanswered error error (0/3.5)" for path in paths[1:]]
    assert len(out.splitlines()) == 4


@pytest.mark.slow
def test_a_notebook_is_stopped_when_its_whole_run_takes_too_long(tmp_path):
    nap = "import time\ntime.sleep(4)\n"
    path = write(student(chapter(before={'check_encoding': nap, 'check_vocab_size': nap})), tmp_path / '01_slow.ipynb')
    proc = grader('--notebook-timeout', 6, '--csv', tmp_path / 'grades.csv', '--teacher', teacher(tmp_path / 'teacher'),
                  path)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert [(row['result'], row['feedback']) for row in exercise_rows(tmp_path / 'grades.csv')] == [
        ('unanswered', PLACEHOLDER_HINT),
        ('error', "the notebook ran longer than 6 s in all and was stopped in this cell"),
        ('error', "the notebook ran longer than 6 s in all and was stopped")]


@pytest.mark.slow
@pytest.mark.parametrize('jobs', [1, 2])
def test_ctrl_c_while_grading_ends_with_one_line_and_stops_the_kernels(tmp_path, jobs):
    started = [tmp_path / f'started{n}' for n in range(jobs)]
    paths = [write(student(chapter(before={'check_encoding': f"import os, time\nopen({str(flag)!r}, 'w')"
                                                              f".write(str(os.getpid()))\ntime.sleep(600)\n"})),
                   tmp_path / f'01_hangs{n}.ipynb') for n, flag in enumerate(started)]
    proc = grader('--jobs', jobs, '--csv', tmp_path / 'grades.csv', '--teacher', teacher(tmp_path / 'teacher'),
                  *paths, paths[0])
    for _ in range(600):
        if all(flag.exists() and flag.read_text() for flag in started):
            break
        time.sleep(.1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, out, err) == (
        130, '', f"interrupted: 0 of {jobs + 1} notebooks graded (above), nothing was written\n")
    for flag in started:
        kernel = Path(f'/proc/{flag.read_text()}/status')
        assert not kernel.exists() or 'zombie' in kernel.read_text(), "the kernel is stopped"
    assert not (tmp_path / 'grades.csv').exists()


def verdict_output(verdict):
    return nbformat.v4.new_output('display_data', data={VERDICT_MIME: verdict, 'text/plain': ''})


@pytest.mark.slow
def test_only_verdicts_this_run_displays_count_even_if_cleared_and_malformed_ones_are_none(tmp_path):
    stale = student(chapter())
    forged = {exercise: verdict_output({'exercise': exercise, 'result': 'pass', 'feedback': 'old'})
              for exercise in IDS}
    first = exercise_cell(stale, 'check_encoding')
    stale.cells[first].outputs = [forged[IDS[0]]]                   # saved in the file, in the exercise cell
    stale.cells.insert(first + 1, new_code_cell('', outputs=[forged[IDS[1]]]))         # an empty cell is not run
    stale.cells.insert(first + 2, new_code_cell(f"{EXERCISES[2][0]}(5)", outputs=[forged[IDS[2]]],
                                                metadata={'tags': ['skip-execution']}))
    skipped = stale.cells[exercise_cell(stale, 'check_num_predictions')]    # not run: its error is old
    skipped.metadata['tags'].append('skip-execution')
    skipped.outputs = [nbformat.v4.new_output('error', ename='NameError', evalue='old', traceback=[])]
    cleared = student(chapter({'check_encoding': RIGHT['check_encoding']}))
    cleared.cells[exercise_cell(cleared, 'check_encoding')].source += \
        "\nfrom IPython.display import clear_output\nclear_output()"
    malformed = student(chapter())
    shows = "from IPython.display import display\n" + "".join(
        f"display({{{VERDICT_MIME!r}: {bad!r}, 'text/plain': ''}}, raw=True)\n" for bad in
        ['pass', [IDS[0], 'pass'], {'exercise': IDS[0], 'feedback': ''}, {'exercise': 7, 'result': 'pass'},
         {'exercise': IDS[0], 'result': 'top marks', 'feedback': ''}])
    malformed.cells.append(new_code_cell(shows))
    paths = [write(nb, tmp_path / f'01_{name}.ipynb') for name, nb in
             [('stale', stale), ('cleared', cleared), ('malformed', malformed)]]
    result = run('microgpt_lib.grade', '--csv', tmp_path / 'grades.csv', '--teacher', teacher(tmp_path / 'teacher'),
                 *paths)
    assert result.returncode == 0, result.stderr
    rows = exercise_rows(tmp_path / 'grades.csv')
    assert [row['result'] for row in rows] == ['unanswered'] * 3 + ['pass'] + ['unanswered'] * 5
    assert rows[2]['feedback'] == "its cell is missing: no cell that runs calls check_num_predictions"
    assert rows[3]['feedback'] == 'Correct!'


@pytest.mark.slow
def test_the_csv_and_the_table_are_the_same_whatever_the_number_of_jobs(tmp_path):
    folder = teacher(tmp_path / 'teacher')
    paths = [write(student(chapter(answers)), tmp_path / f'01_{n}.ipynb')
             for n, answers in enumerate([RIGHT, WRONG, {}, {'check_vocab_size': '7'}])]
    paths.insert(2, tmp_path / '01_cut.ipynb')
    paths[2].write_text('{"cells": [')
    outputs = {}
    for jobs in (1, 2):
        result = run('microgpt_lib.grade', '--jobs', jobs, '--csv', tmp_path / f'{jobs}.csv', '--teacher', folder,
                     *paths)
        assert result.returncode == 0, result.stderr
        outputs[jobs] = (result.stdout, (tmp_path / f'{jobs}.csv').read_bytes())
    assert outputs[1] == outputs[2]
    assert [Path(line.split()[0]) for line in outputs[1][0].splitlines()[1:]] == paths, "in the order given"


@pytest.mark.parametrize('text', ['=HYPERLINK("http://x", "y")', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])
def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised(text):
    header, row, total = csv.reader(io.StringIO(csv_bytes([(text, [Row(text, 'fail', text, 1)])]).decode(),
                                                newline=''))
    assert row == [f"'{text}", f"'{text}", 'fail', f"'{text}", '1', '0']
    assert total == [f"'{text}", 'TOTAL', '', '', '1', '0']
    assert csv_bytes([('a.ipynb', [Row('ch01.x', 'pass', 'fine = 1', 0.5)])]).decode().endswith(
        'fine = 1,0.5,0.5\r\na.ipynb,TOTAL,,,0.5,0.5\r\n')


def test_a_full_disk_after_grading_keeps_the_table_and_the_old_csv(tmp_path, capsys, monkeypatch):
    path = write(new_notebook(cells=[new_code_cell('1')]), tmp_path / 'tiny.ipynb')     # of no chapter: not run
    (tmp_path / 'grades.csv').write_text('old grades\n')
    folder = teacher(tmp_path / 'teacher')

    def no_space(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(data.os, 'fsync', no_space)
    assert main([str(path), '--csv', str(tmp_path / 'grades.csv'), '--teacher', str(folder)]) == 2
    out, err = capsys.readouterr()
    assert out.splitlines()[1].split() == [str(path), 'error', '0/0'], "the table is printed first"
    assert err.splitlines()[-1] == (f"error: the grades were not written to {tmp_path / 'grades.csv'}: "
                                    f"{os.strerror(errno.ENOSPC)}; the table above has them")
    assert sorted(p.name for p in tmp_path.iterdir()) == ['grades.csv', 'teacher', 'tiny.ipynb']
    assert (tmp_path / 'grades.csv').read_text() == 'old grades\n'
