"""Installs as learners make them: the README's steps without make, a wheel used from anywhere offline, and a clone
with Windows line endings."""
import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, readme_setup_steps, run_program
from microgpt_lib.checkpoint import load_checkpoint
from microgpt_lib.data import NAMES_SHA256

pytestmark = pytest.mark.slow
WINDOWS = os.name == 'nt'
OFFLINE = {'HTTP_PROXY': 'http://127.0.0.1:9', 'HTTPS_PROXY': 'http://127.0.0.1:9', 'NO_PROXY': ''}


def run(*args, **kwargs):
    result = subprocess.run([*map(str, args)], capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def venv_python(venv_dir):
    return venv_dir / ('Scripts/python.exe' if WINDOWS else 'bin/python')


def test_the_readmes_steps_without_make_set_up_the_course_in_a_fresh_folder(tmp_path):
    """The README's own commands for this system, as a learner types them in a fresh copy of the repository."""
    *install, lab = readme_setup_steps(windows=WINDOWS)
    course = tmp_path / 'course'
    shutil.copytree(ROOT, course, ignore=shutil.ignore_patterns('.git', '.venv*', '__pycache__', '*.egg-info', 'build',
                                                                 'slides', 'student', 'workbook', '.pytest_cache'))
    for command in install:
        program, *args = shlex.split(command, posix=not WINDOWS)
        run(course / program if os.path.dirname(program) else program, *args, cwd=course)   # .venv/bin/pip: here
    jupyter, subcommand, *options, notebook = shlex.split(lab, posix=not WINDOWS)
    assert subcommand == 'lab' and options == ['--notebook-dir=.'], "the whole course in its file browser"
    assert (course / notebook).is_file()           # it would open JupyterLab: ask it its version instead
    assert run(course / jupyter, 'lab', '--version', cwd=course).stdout.startswith('4.')
    python = venv_python(course / '.venv')
    where = run(python, '-c', 'import ipywidgets, matplotlib, microgpt_lib; print(microgpt_lib.__file__)', cwd=tmp_path)
    assert Path(where.stdout.strip()) == course / 'microgpt_lib' / '__init__.py'      # editable: the copy itself
    assert run(python, '-m', 'microgpt_lib', '--steps', 3, cwd=tmp_path).stdout == run_program('--steps', 3).stdout


@pytest.fixture(scope='module')
def installed(tmp_path_factory):
    """The python of a fresh venv holding the course's wheel; the dependencies come from this environment."""
    root = tmp_path_factory.mktemp('install')
    run(sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--quiet', '--wheel-dir', root / 'dist', ROOT)
    venv.create(root / 'venv', with_pip=True)
    python = venv_python(root / 'venv')
    run(python, '-m', 'pip', 'install', '--no-deps', '--no-index', '--quiet', *(root / 'dist').glob('*.whl'))
    site_packages = Path(run(python, '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])').stdout.strip())
    (site_packages / 'dependencies.pth').write_text(sysconfig.get_paths()['purelib'] + '\n')
    return python, site_packages


def run_installed(installed, *args, cwd):
    return run(installed[0], *args, cwd=cwd, env={**os.environ, **OFFLINE})


def test_the_wheel_carries_the_data_and_runs_offline_from_any_folder(installed, tmp_path):
    python, site_packages = installed
    where = run_installed(installed, '-c', 'import microgpt_lib.data as d; print(d.__file__); print(d.NAMES_PATH)',
                          cwd=tmp_path).stdout.split()
    assert where == [str(site_packages / 'microgpt_lib' / 'data.py'),
                     str(site_packages / 'microgpt_lib' / 'shipped' / 'names.txt')]
    ours = run_installed(installed, '-m', 'microgpt_lib', '--steps', 3, cwd=tmp_path)
    assert ours.stdout == run_program('--steps', 3).stdout
    assert list(tmp_path.iterdir()) == []                       # nothing downloaded, nothing written
    assert not (site_packages / 'data').exists()


def test_a_chapter_copied_out_of_the_repository_runs_on_the_installed_package(installed, tmp_path):
    chapter = tmp_path / 'welcome.ipynb'
    shutil.copy(ROOT / 'notebooks' / '00_welcome.ipynb', chapter)
    script = ('import sys, nbformat, nbclient\n'
              'nb = nbformat.read(sys.argv[1], as_version=4)\n'
              'nb.cells.append(nbformat.v4.new_code_cell("import microgpt_lib; print(microgpt_lib.__file__)"))\n'
              'nbclient.NotebookClient(nb, timeout=600, kernel_name="python3").execute()\n'
              'print(nb.cells[-1].outputs[0].text)')
    shown = run_installed(installed, '-c', script, chapter, cwd=tmp_path).stdout
    assert shown.strip() == str(installed[1] / 'microgpt_lib' / '__init__.py')


def test_exercise_checks_that_read_shipped_data_work_from_the_installed_package(installed, tmp_path):
    script = ('from microgpt_lib.exercises import ch08, ch09, ch11\n'
              'ch08.check_loss_means((1.0, 2.0))\n'
              'ch09.check_greedy_name("zzz")\n'
              'ch09.check_end_probability(0.999)\n'
              'ch11.check_numerical_gradient(123.0)\n')
    feedback = run_installed(installed, '-c', script, cwd=tmp_path).stdout
    assert feedback.count('Not yet:') == 4
    assert "is not the greedy name" in feedback and "lm_head[0, 0]" in feedback


def test_a_clone_that_converts_line_endings_keeps_the_data_intact(tmp_path):
    if not (ROOT / '.git').exists():
        pytest.skip('not a git repository')
    clone = tmp_path / 'clone'
    run('git', '-c', 'core.autocrlf=true', 'clone', '--quiet', ROOT, clone)
    for name in ('names.txt', 'microgpt_seed42.json', 'microgpt_seed42_default.txt'):
        committed = subprocess.run(['git', 'show', f'HEAD:data/{name}'], cwd=clone, capture_output=True, check=True)
        assert (clone / 'data' / name).read_bytes() == committed.stdout, name
    assert hashlib.sha256((clone / 'data' / 'names.txt').read_bytes()).hexdigest() == NAMES_SHA256
    load_checkpoint(clone / 'data' / 'microgpt_seed42.json')        # verifies its own SHA-256
    for path in ('notebooks/00_welcome.ipynb', 'Makefile', '.ci/run'):
        assert b'\r' not in (clone / path).read_bytes(), path


@pytest.fixture(scope='module')
def python_without_the_course(tmp_path_factory):
    """A fresh venv with this environment's packages (ipykernel, nbclient, ...) but not microgpt_lib."""
    root = tmp_path_factory.mktemp('bare')
    venv.create(root, with_pip=False)
    python = venv_python(root)
    site_packages = run(python, '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])').stdout.strip()
    (Path(site_packages) / 'dependencies.pth').write_text(sysconfig.get_paths()['purelib'] + '\n')
    return python


@pytest.mark.parametrize('chapter', sorted(p.name for p in (ROOT / 'notebooks').glob('*.ipynb')))
def test_without_the_course_the_first_cell_says_how_to_install_it(python_without_the_course, chapter, tmp_path):
    nb = nbformat.read(ROOT / 'notebooks' / chapter, as_version=4)
    first = next(cell for cell in nb.cells if cell.cell_type == 'code')
    nb.cells = [first, nbformat.v4.new_code_cell('print("the chapter went on")')]
    nbformat.write(nb, tmp_path / chapter)
    script = ('import sys, nbformat, nbclient\n'
              'nb = nbformat.read(sys.argv[1], as_version=4)\n'
              'try:\n    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()\n'
              'except nbclient.exceptions.CellExecutionError:\n    pass\n'
              'print(nbformat.writes(nb))')
    first, after = nbformat.reads(run(python_without_the_course, '-c', script, tmp_path / chapter,
                                      cwd=tmp_path).stdout, as_version=4).cells
    assert [out.get('traceback') for out in first.outputs] == [
        ["Install the course: run %pip install -e .. then restart the kernel"]]
    assert after.outputs == []             # "Run All" stopped there
