"""Where the grader's CSV, the student editions and the program's checkpoints may go: one check.

Each refusal is one line on stderr, exit 2, nothing on stdout and nothing on disk changed, before
any notebook runs or any model trains (the notebooks here leave a file behind if they run).
"""
import errno
import os
import stat
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

import microgpt_lib.__main__ as program
from microgpt_lib import data, grade, student
from microgpt_lib.data import output_target

LONG = 'x' * 300


def notebook(path):
    """A notebook that leaves the file `ran` next to it if it runs."""
    nbformat.write(new_notebook(cells=[new_code_cell("open('ran', 'w').close()")]), path)
    return path


def snapshot(folder):
    """{path: (mode, link target or content)} of everything under folder."""
    state = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = os.path.join(root, name)
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                state[path] = (info.st_mode, os.readlink(path))
            else:
                state[path] = (info.st_mode, open(path, 'rb').read() if stat.S_ISREG(info.st_mode) else None)
    return state


@pytest.fixture
def place(tmp_path, monkeypatch):
    """tmp_path as the working directory, with every kind of bad output path in it."""
    if os.name != 'posix':
        pytest.skip('FIFOs and symlinks without privileges are POSIX only')
    monkeypatch.chdir(tmp_path)
    (tmp_path / 'handed_in').mkdir()
    notebook(tmp_path / 'handed_in' / 'alice.ipynb')
    notebook(tmp_path / 'handed_in' / 'bob.ipynb')
    notebook(tmp_path / 'hw.json')                          # a notebook need not end in .ipynb
    (tmp_path / 'to_hw').symlink_to('hw.json')
    (tmp_path / 'folder').mkdir()
    os.mkfifo(tmp_path / 'fifo')
    (tmp_path / 'loop').symlink_to('loop')
    (tmp_path / 'dangling').symlink_to('nowhere')
    (tmp_path / 'keep.json').write_text('kept\n')
    (tmp_path / 'keep.json').chmod(0o444)                   # root could still write it
    (tmp_path / 'a_file').write_text('a file\n')
    return tmp_path


def refused(capsys, place, main, args, says):
    before = snapshot(place)
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert out == '' and err.count('\n') == 1 and err.startswith('error: ') and says in err, err
    assert snapshot(place) == before


@pytest.mark.parametrize('args, says', [
    (['--csv', 'handed_in/alice.ipynb', 'handed_in/bob.ipynb'], "a notebook's name"),    # the CSV's name forgotten
    (['--csv', 'handed_in/bob.ipynb', 'handed_in/bob.ipynb'], "a notebook's name"),
    (['--csv', 'Alice.IPYNB', 'handed_in/bob.ipynb'], "a notebook's name"),       # any case: Windows, macOS
    (['--csv', 'hw.json', 'hw.json'], 'it is one of the notebooks'),
    (['--csv', './hw.json', 'handed_in/bob.ipynb', 'hw.json'], 'it is one of the notebooks'),
    (['--csv', 'to_hw', 'hw.json'], 'it is one of the notebooks'),                  # a symlink to an input
    (['--csv', 'folder', 'hw.json'], 'it is a directory'),
    (['--csv', 'folder/', 'hw.json'], 'names a folder'),
    (['--csv', 'folder/.', 'hw.json'], 'names a folder'),
    (['--csv', '', 'hw.json'], 'must be a file name'),
    (['--csv', 'fifo', 'hw.json'], 'not a regular file'),
    (['--csv', 'loop', 'hw.json'], 'symlink loop'),
    (['--csv', 'keep.json', 'hw.json'], 'read-only'),
    (['--csv', 'nothere/grades.csv', 'hw.json'], 'does not exist'),
    (['--csv', 'a_file/grades.csv', 'hw.json'], 'does not exist'),
    (['--csv', LONG, 'hw.json'], 'too long'),
])
def test_the_grader_refuses_a_bad_csv_path_before_any_notebook_runs(capsys, place, args, says):
    refused(capsys, place, grade.main, args, says)


@pytest.mark.parametrize('args, says', [
    (['--out', 'o', 'handed_in/alice.ipynb', 'hw.json', 'other/alice.ipynb'], 'would both be written to o/alice.ipynb'),
    (['--out', '', 'hw.json'], 'needs a folder name'),                # not the current folder
    (['--out', 'dangling', 'hw.json'], 'dangling symlink'),
    (['--out', 'a_file', 'hw.json'], 'not a folder'),
    (['--out', 'a_file/o', 'hw.json'], 'a_file is not a folder'),
    (['--out', LONG, 'hw.json'], 'too long'),
    (['--out', f'new/{LONG}/o', 'hw.json'], 'too long'),
    (['--out', '.', 'hw.json'], 'it is one of the notebooks'),
    (['--out', '.', 'to_hw'], 'it is one of the notebooks'),
    (['--out', '.', 'handed_in/alice.ipynb', 'hw.json'], 'it is one of the notebooks'),
    (['--out', 'folder', 'keep.json'], 'read-only'),
])
def test_the_student_maker_refuses_bad_outputs_before_writing_anything(capsys, place, args, says):
    (place / 'other').mkdir()
    notebook(place / 'other' / 'alice.ipynb')
    if 'keep.json' in args:
        notebook(place / 'folder' / 'keep.json').chmod(0o444)     # its edition would replace a read-only file
        args = [*args[:-1], str(place / 'a_notebook' / 'keep.json')]
        (place / 'a_notebook').mkdir()
        notebook(place / 'a_notebook' / 'keep.json')
    refused(capsys, place, student.main, args, says)


@pytest.mark.parametrize('args, says', [
    (['--save', 'nothere/.'], 'names a folder'),
    (['--save', 'keep.json'], 'read-only'),
    (['--save', 'fifo'], 'not a regular file'),
])
def test_the_program_checks_its_save_path_the_same_way_before_training(capsys, place, args, says):
    refused(capsys, place, program.main, [*args, '--steps', '1'], says)


def test_a_symlink_is_written_through_and_kept(place):
    (place / 'grades.csv').write_text('old\n')
    (place / 'link.csv').symlink_to('grades.csv')
    assert output_target('link.csv') == place / 'grades.csv'
    assert output_target(place / 'dangling') == place / 'nowhere'


def test_a_full_disk_leaves_no_half_edition_and_says_so_in_one_line(capsys, place, monkeypatch):
    def no_space(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(data.os, 'fsync', no_space)
    assert student.main(['--out', 'o', 'handed_in/alice.ipynb', 'handed_in/bob.ipynb']) == 2
    out, err = capsys.readouterr()
    assert out == '' and err == f"error: cannot write in o: {os.strerror(errno.ENOSPC)}\n"
    assert os.listdir(place / 'o') == []


@pytest.mark.parametrize('tool, args', [('grade', ['nothere.ipynb']), ('student', ['--out', 'o', 'nothere.ipynb']),
                                        ('grade', ['--csv', 'x.ipynb', 'y.ipynb'])])
def test_with_stderr_closed_a_refusal_still_exits_2_and_prints_nothing(place, tool, args):
    """2>&-: print(file=None) would write the error on stdout; it goes nowhere instead."""
    command = [sys.executable, '-m', f'microgpt_lib.{tool}', *args]
    result = subprocess.run(['sh', '-c', 'exec "$0" "$@" 2>&-', *command],
                            capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
    assert (result.returncode, result.stdout, result.stderr) == (2, '', '')
