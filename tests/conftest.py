import os
import random
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / 'data' / 'microgpt_seed42_default.txt'
# FIFOs, /dev files, pseudo-terminals, sh and Ctrl-C sent as a POSIX signal: none of them exist on Windows
POSIX_ONLY = pytest.mark.skipif(os.name != 'posix', reason='needs POSIX: FIFOs, /dev, a pty, sh or SIGINT')


def readme_setup_steps(windows):
    """The README's setup without make, for Windows (its bat block) or Linux and macOS (bash): one command a line."""
    setup = (ROOT / 'README.md').read_text(encoding='utf-8').split('\n## Setup\n')[1].split('\n## ')[0]
    blocks = dict(re.findall(r'^```(bash|bat)\n(.*?)^```', setup, re.S | re.M))
    return blocks['bat' if windows else 'bash'].splitlines()


def finite_difference(f, xs, i, h=1e-6):
    """Central difference of f (a function of a list of floats) along xs[i]."""
    up, down = list(xs), list(xs)
    up[i] += h
    down[i] -= h
    return (f(up) - f(down)) / (2 * h)


def verdict(check, *args, capsys):
    """An exercise check's result and the feedback it printed."""
    ok = check(*args)
    return ok, capsys.readouterr().out


@pytest.fixture
def rng():
    return random.Random(1234)


@pytest.fixture
def reference_lines():
    return REFERENCE.read_text(encoding='utf-8').splitlines()


def run_program(*args, cwd=ROOT):
    """Run python -m microgpt_lib with args; returns the CompletedProcess."""
    import subprocess
    return subprocess.run([sys.executable, '-m', 'microgpt_lib', *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
