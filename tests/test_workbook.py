"""The learner's own copy of the course (python -m microgpt_lib.workbook, run by `make lab`)."""
import json

import nbformat
import pytest

from conftest import ROOT
from microgpt_lib import workbook
from microgpt_lib.student import student_edition

CHAPTERS = sorted((ROOT / 'notebooks').glob('[0-9][0-9]_*.ipynb'))


def chapter(folder, name='03_blocks.ipynb', text='Build `linear`.'):
    """A small teacher's chapter with one solution, in folder."""
    folder.mkdir(exist_ok=True)
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(text),
        nbformat.v4.new_code_cell('answer = 42', metadata={'tags': ['solution']})])
    nbformat.write(nb, folder / name)
    return folder / name


def test_first_use_writes_the_learners_edition_of_every_chapter(tmp_path, capsys):
    assert workbook.main(['--out', str(tmp_path / 'workbook')]) == 0
    written = sorted((tmp_path / 'workbook').glob('*.ipynb'))
    assert [p.name for p in written] == [p.name for p in CHAPTERS]
    for copy, teacher in zip(written, CHAPTERS):
        assert copy.read_text(encoding='utf-8') == student_edition(nbformat.read(teacher, as_version=4))
    assert capsys.readouterr().out == ''


def test_an_edited_copy_is_kept_byte_for_byte_and_an_unchanged_course_writes_nothing(tmp_path, capsys):
    course, out = tmp_path / 'course', tmp_path / 'workbook'
    chapter(course)
    args = ['--out', str(out), '--course', str(course)]
    assert workbook.main(args) == 0
    copy = out / '03_blocks.ipynb'
    edited = copy.read_bytes().replace(b'Build', b'I built')
    copy.write_bytes(edited)
    assert workbook.main(args) == 0
    assert copy.read_bytes() == edited
    assert sorted(p.name for p in out.iterdir()) == ['.editions.json', '03_blocks.ipynb']
    assert capsys.readouterr().out == ''


def test_a_changed_chapter_is_written_beside_the_learners_copy_with_the_date(tmp_path, capsys):
    course, out = tmp_path / 'course', tmp_path / 'workbook'
    chapter(course)
    workbook.update(out, sorted(course.glob('*.ipynb')), '2026-12-01')
    copy = out / '03_blocks.ipynb'
    before = copy.read_bytes()
    chapter(course, text='Build `linear`, then count its nodes.')
    assert workbook.update(out, sorted(course.glob('*.ipynb')), '2026-12-02') == [
        out / '03_blocks.new-2026-12-02.ipynb']
    assert copy.read_bytes() == before
    assert 'count its nodes' in (out / '03_blocks.new-2026-12-02.ipynb').read_text(encoding='utf-8')
    assert workbook.update(out, sorted(course.glob('*.ipynb')), '2026-12-02') == []   # said once
    chapter(course, text='Build `linear` again.')
    assert workbook.update(out, sorted(course.glob('*.ipynb')), '2026-12-02') == [
        out / '03_blocks.new-2026-12-02-2.ipynb']          # never over an earlier new edition


def test_new_editions_are_said_in_one_line(tmp_path, capsys):
    course, out = tmp_path / 'course', tmp_path / 'workbook'
    chapter(course)
    args = ['--out', str(out), '--course', str(course)]
    workbook.main(args)
    chapter(course, text='Changed.')
    assert workbook.main(args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and 'is kept' in lines[0] and '03_blocks.new-' in lines[0]


def test_outputs_alone_make_no_new_edition(tmp_path):
    course, out = tmp_path / 'course', tmp_path / 'workbook'
    path = chapter(course)
    workbook.update(out, [path], '2026-12-01')
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('print(1)', outputs=[
        nbformat.v4.new_output('stream', text='took 3.1 s')]))
    nbformat.write(nb, path)
    assert workbook.update(out, [path], '2026-12-02') != []          # a new cell is a new edition
    nb.cells[-1].outputs[0].text = 'took 2.9 s'
    nbformat.write(nb, path)
    assert workbook.update(out, [path], '2026-12-03') == []          # a new timing is not


def test_a_copy_without_a_record_is_the_learners_and_is_kept(tmp_path):
    course, out = tmp_path / 'course', tmp_path / 'workbook'
    path = chapter(course)
    out.mkdir()
    (out / path.name).write_text('my own notes', encoding='utf-8')
    assert workbook.update(out, [path], '2026-12-02') == []
    assert (out / path.name).read_text(encoding='utf-8') == 'my own notes'
    assert set(json.loads((out / '.editions.json').read_text())) == {path.name}


@pytest.mark.parametrize('make, says', [
    (lambda tmp: (tmp / 'workbook').write_text('x'), 'is not a folder'),
    (lambda tmp: (tmp / 'course').mkdir(), 'no chapters'),
])
def test_bad_folders_are_refused_in_one_line(tmp_path, capsys, make, says):
    chapter(tmp_path / 'given')
    make(tmp_path)
    course = tmp_path / ('course' if (tmp_path / 'course').exists() else 'given')
    assert workbook.main(['--out', str(tmp_path / 'workbook'), '--course', str(course)]) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.splitlines()) == 1
