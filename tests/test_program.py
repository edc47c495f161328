"""python -m microgpt_lib: the original's output, byte for byte, under any settings; clear errors."""
import json
import subprocess
import sys

import pytest

from conftest import POSIX_ONLY, REFERENCE, ROOT, run_program

GOLDEN = ROOT / 'tests' / 'golden'
CASES = {name: case for name, case in json.loads((GOLDEN / 'cases.json').read_text()).items()
         if not name.startswith('_')}


def golden_run(name, *extra):
    """Our program under golden case `name`, and the original program's recorded stdout."""
    case = CASES[name]
    data = ['--data', GOLDEN / case['data']] if 'data' in case else []
    ours = run_program(*data, *case['flags'], *extra)
    assert ours.returncode == 0, ours.stderr
    return ours.stdout, (GOLDEN / case['out']).read_text(encoding='utf-8')


@pytest.mark.parametrize('name', sorted(CASES))
def test_output_equals_the_originals_recorded_output(name):
    ours, original = golden_run(name)
    assert ours == original


@pytest.mark.parametrize('name', ['seed7_t08_s8', 'two_layers', 'cities'])
def test_numpy_engine_output_equals_the_originals_recorded_output(name):
    ours, original = golden_run(name, '--engine', 'numpy')
    assert ours == original


@pytest.mark.slow
def test_default_run_equals_the_reference_and_regenerates_the_shipped_checkpoint(tmp_path):
    ours = run_program('--save', tmp_path / 'model.json')
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == REFERENCE.read_text(encoding='utf-8')
    assert ours.stderr == ''      # no progress bar when stderr is not a terminal
    assert (tmp_path / 'model.json').read_bytes() == (ROOT / 'data' / 'microgpt_seed42.json').read_bytes()


def test_load_prints_the_names_the_saving_run_printed(tmp_path):
    ckpt = tmp_path / 'model.json'
    saved = run_program('--steps', 20, '--temperature', 0.7, '--samples', 6, '--save', ckpt)
    assert saved.returncode == 0, saved.stderr
    loaded = run_program('--load', ckpt)
    assert loaded.returncode == 0, loaded.stderr
    assert saved.stdout.endswith(loaded.stdout)
    assert loaded.stdout.startswith('\n--- inference (new, hallucinated names) ---\nsample  1: ')
    assert len(loaded.stdout.splitlines()) == 2 + 6


def test_load_with_seed_or_temperature_overrides_the_checkpoint(tmp_path):
    ckpt = tmp_path / 'model.json'
    assert run_program('--steps', 10, '--save', ckpt).returncode == 0
    default = run_program('--load', ckpt).stdout
    reseeded = run_program('--load', ckpt, '--seed', 3).stdout
    hotter = run_program('--load', ckpt, '--temperature', 1.5).stdout
    assert len({default, reseeded, hotter}) == 3
    assert reseeded == run_program('--load', ckpt, '--seed', 3).stdout


def test_shipped_checkpoint_is_the_default_run():
    loaded = run_program('--load', ROOT / 'data' / 'microgpt_seed42.json')
    assert loaded.returncode == 0, loaded.stderr
    assert REFERENCE.read_text(encoding='utf-8').endswith(loaded.stdout)


def bad_files(tmp_path):
    files = {
        'empty': b'', 'blank': b'  \n\n \t\n', 'binary': b'ab\x00cd\n',
        'latin1': 'Zoë\n'.encode('latin-1'),
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    return tmp_path


@pytest.mark.parametrize('args, message', [
    (['--temperature', 0], 'temperature must be a finite number above 0'),
    (['--temperature', -1], 'temperature must be a finite number above 0'),
    (['--temperature', 'nan'], 'temperature must be a finite number above 0'),
    (['--n-embd', 10, '--n-head', 4], 'n_embd (10) must be divisible by n_head (4)'),
    (['--steps', 0], '--steps must be at least 1'),
    (['--block-size', 0], 'block_size must be a whole number of at least 1'),
    (['--learning-rate', 'inf'], '--learning-rate must be a finite number above 0'),
    (['--data', '{tmp}/missing.txt'], 'missing.txt does not exist'),
    (['--data', '{tmp}/empty'], 'has no documents'),
    (['--data', '{tmp}/blank'], 'has no documents'),
    (['--data', '{tmp}/binary'], 'is binary'),
    (['--data', '{tmp}/latin1'], 'is not UTF-8'),
    (['--data', '{tmp}'], 'is a directory'),
    (['--save', '{tmp}/nowhere/model.json'], 'does not exist'),
    (['--load', '{tmp}/missing.json'], 'checkpoint'),
    (['--load', '{tmp}/empty'], 'checkpoint'),
    (['--load', '{tmp}/blank', '--save', '{tmp}/x.json'], 'cannot be combined'),
])
def test_bad_input_exits_with_one_clear_line_and_writes_nothing(tmp_path, args, message):
    bad_files(tmp_path)
    before = sorted(tmp_path.rglob('*'))
    result = run_program(*[str(a).format(tmp=tmp_path) for a in args])
    assert result.returncode != 0
    assert result.stdout == ''
    assert result.stderr.count('\n') == 1 and 'Traceback' not in result.stderr
    assert message in result.stderr
    assert sorted(tmp_path.rglob('*')) == before


def test_bad_checkpoints_are_refused_with_a_clear_error(tmp_path):
    good = tmp_path / 'good.json'
    assert run_program('--steps', 2, '--save', good).returncode == 0
    text = good.read_text()
    payload = json.loads(text)
    payload['weights']['wte'][0][0] += 1e-9                          # tampered, checksum kept
    variants = {
        'truncated': text[: len(text) // 2],
        'tampered': json.dumps(payload),
        'not-json': 'hello',
        'pickle': '\x80\x04\x95',
    }
    for name, content in variants.items():
        (tmp_path / name).write_text(content)
        result = run_program('--load', tmp_path / name)
        assert result.returncode != 0 and result.stdout == '', name
        assert 'checkpoint' in result.stderr and 'Traceback' not in result.stderr, name


@pytest.mark.parametrize('extra', [{'samples': 'many'}, {'samples': -1}, {'temperature': 0},
                                   {'temperature': 'hot'}])
def test_forged_sampling_settings_in_a_checkpoint_are_refused(tmp_path, extra):
    from microgpt_lib.checkpoint import _digest
    ckpt = tmp_path / 'model.json'
    assert run_program('--steps', 1, '--save', ckpt).returncode == 0
    payload = json.loads(ckpt.read_text())
    del payload['sha256']
    payload['extra'].update(extra)
    payload['sha256'] = _digest(payload)                 # a careful forger keeps the checksum right
    ckpt.write_text(json.dumps(payload))
    result = run_program('--load', ckpt)
    assert result.returncode == 2 and result.stdout == ''
    assert 'checkpoint' in result.stderr and 'Traceback' not in result.stderr


def test_model_options_with_load_must_match_the_checkpoint(tmp_path):
    ckpt = tmp_path / 'model.json'
    assert run_program('--steps', 2, '--save', ckpt).returncode == 0
    assert run_program('--load', ckpt, '--n-embd', 16).returncode == 0
    result = run_program('--load', ckpt, '--n-layer', 2)
    assert result.returncode != 0 and 'does not match the checkpoint' in result.stderr


@POSIX_ONLY
def test_progress_bar_goes_to_a_terminal_stderr_and_stdout_keeps_the_format():
    import fcntl, os, pty, struct, termios
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 100, 0, 0))
    args = [sys.executable, '-m', 'microgpt_lib', '--steps', 20, '--samples', 2]
    with_tty = subprocess.run(list(map(str, args)), cwd=ROOT, stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    shown = b''
    try:
        while chunk := os.read(master, 65536):
            shown += chunk
    except OSError:             # EIO: the terminal's other end is closed and drained
        pass
    os.close(master)
    assert b'step/s' in shown and b'/20 [' in shown
    assert with_tty.stdout == run_program('--steps', 20, '--samples', 2).stdout


@POSIX_ONLY
def test_interrupted_training_saves_nothing(tmp_path):
    import signal
    # as at a terminal: a shell without job control starts background jobs with Ctrl-C ignored
    proc = subprocess.Popen([sys.executable, '-m', 'microgpt_lib', '--save', str(tmp_path / 'm.json')],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    while not proc.stdout.readline().startswith('step'):
        pass
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert (proc.returncode, err) == (130, 'interrupted: nothing was saved\n')
    assert list(tmp_path.iterdir()) == []
