"""The shared machinery of the exercise checks: one tolerance policy, readers of any numeric type, a guard."""
import math
import sys
import threading
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from conftest import verdict
import microgpt_lib.exercises as exercises
from microgpt_lib.engine import Value
from microgpt_lib.exercises import (ROUNDED_TOO_FAR, as_whole_number, call, check_number, close, exercise, judge,
                                    plain, read_number, read_numbers, shown)


@pytest.mark.parametrize('answer', [7, 7.0, np.int64(7), np.float32(7), np.float64(7), np.array(7.0),
                                    Value(7.0)])
def test_any_real_number_reads_as_a_float(answer):
    assert read_number(answer) == 7.0


@pytest.mark.parametrize('answer, shown_as', [
    ('7', "'7'"), (True, 'True'), ([7], '[7]'), (np.array([7.0]), 'array'), (None, 'None'),
    (10 ** 400, 'about 10**400'), (math.nan, 'nan'), (-math.inf, '-inf'), (Value('x'), 'Value'),
])
def test_anything_else_gets_a_hint_not_an_error(answer, shown_as, capsys):
    assert read_number(answer, "one number") is None
    out = capsys.readouterr().out
    assert 'one number' in out and shown_as in out


def test_sequences_of_numbers_read_from_lists_tuples_and_arrays(capsys):
    for answer in ([1, 2.5, 3], (1, 2.5, np.float32(3)), np.array([1, 2.5, 3])):
        assert read_numbers(answer, 3, "three numbers") == (1.0, 2.5, 3.0)
    for answer in (np.ones((3, 1)), [1, 2], [1, 2, 'x'], {1, 2, 3}, [[1], [2], [3]]):
        assert read_numbers(answer, 3, "three numbers") is None
    assert capsys.readouterr().out.count('give three numbers') == 5


def test_a_whole_number_is_any_number_equal_to_one_but_not_a_bool():
    for seven in (7, np.int64(7), np.array(7), 7.0, np.float64(7), np.array(7.0), Fraction(14, 2)):
        assert as_whole_number(seven) == 7 and type(as_whole_number(seven)) is int
    for other in (7.5, math.inf, math.nan, True, np.bool_(True), '7', None):
        assert as_whole_number(other) is None


def test_check_number_accepts_numpy_integers_and_survives_huge_ones(capsys):
    assert check_number(np.int64(7), 7, {}, 'count again')
    assert not check_number(10 ** 5000, 7, {}, 'count again')
    out = capsys.readouterr().out
    assert 'Correct' in out and 'about 10**5000 is not it' in out


def test_the_tolerance_accepts_computed_answers_and_finite_differences():
    assert close(-23.99999999891, -24) and close((16.0000001, 7.99999999), [16, 8])
    assert close(1e-12, 0.0)
    assert not close(4.6052, math.log(100)) and not close(-23.999, -24) and not close(1e-8, 0.0)
    assert not close([1.0, 2.0], [1.0, 2.0, 3.0])


@pytest.mark.parametrize('answer', [4.605, 4.6052, 4.61])
def test_an_answer_rounded_too_far_is_told_so(answer, capsys):
    ok, out = verdict(judge, answer, math.log(100), [(1 / 100, 'the probability')], 'not it', capsys=capsys)
    assert not ok and ROUNDED_TOO_FAR in out


def test_judge_names_a_mistake_even_rounded_and_never_calls_a_wrong_answer_rounded(capsys):
    mistakes = [(math.log10(100), 'log10'), (math.log(27), 'ln 27')]
    for answer, hint in [(2.0, 'log10'), (3.2958, 'ln 27'), (4.7, 'not it'), (math.log(100), 'Correct')]:
        ok, out = verdict(judge, answer, math.log(100), mistakes, 'not it', capsys=capsys)
        assert ok == (hint == 'Correct') and hint in out and (ROUNDED_TOO_FAR in out) is False


def test_the_guard_turns_any_exception_into_feedback(capsys):
    @exercise
    def check_anything(answer):
        return answer() > 0

    for answer, error in [(lambda: 1 / 0, 'ZeroDivisionError'), (lambda: float(10 ** 400), 'OverflowError'),
                          (lambda: 'a', 'TypeError'), (42, 'TypeError')]:
        ok, out = verdict(check_anything, answer, capsys=capsys)
        assert not ok and f'raised {error}' in out and out.startswith('Not yet:')
    assert verdict(check_anything, lambda: 1, capsys=capsys)[0]


def test_the_feedback_a_check_records_is_its_own_not_what_another_thread_prints_meanwhile(monkeypatch, capsys):
    recorded = []
    monkeypatch.setattr(exercises, 'record_verdict', lambda check, ok, feedback: recorded.append(feedback))

    @exercise
    def check_anything(answer):
        printer = threading.Thread(target=print, args=('Correct!',))     # a learner's thread, forging
        printer.start()
        printer.join()
        return exercises.report([] if answer > 0 else ['too small'])

    ok, out = verdict(check_anything, -1, capsys=capsys)
    assert not ok and recorded == ['Not yet:\n  - too small\n']
    assert 'Correct!' in out, "still printed, only not taken as feedback"


def test_the_guard_reports_even_system_exit_but_lets_keyboard_interrupt_through(capsys):
    @exercise
    def check_anything(answer):
        return answer()

    def interrupted():
        raise KeyboardInterrupt
    for leaving in (sys.exit, lambda: sys.exit(3), exit):
        ok, out = verdict(check_anything, leaving, capsys=capsys)
        assert not ok and 'raised SystemExit: the code called exit() or sys.exit()' in out
    assert isinstance(call(sys.exit, 0)[1], SystemExit)
    with pytest.raises(KeyboardInterrupt):
        check_anything(interrupted)


class Always(str):
    """A string that says it equals anything, starts with anything and is as long as you like."""
    def __eq__(self, other):
        return True
    __hash__ = str.__hash__
    def startswith(self, prefix):
        return True


class Flatterer(list):
    def __eq__(self, other):
        return True
    def __len__(self):
        return 3
    def __iter__(self):
        return iter([1.0, 2.0, 3.0])


class Flattering(np.ndarray):
    def __eq__(self, other):
        return True


class Seven(int):
    def __eq__(self, other):
        return True
    __hash__ = int.__hash__
    def __int__(self):
        return Seven(int.__int__(self))


@pytest.mark.filterwarnings('ignore:__int__ returned non-int:DeprecationWarning')
def test_checks_see_plain_copies_so_a_subclass_cannot_lie(capsys):
    for liar, copy in [(Always('zz'), 'zz'), (Flatterer([9.0]), [9.0]), (Seven(3), 3), (np.float64(2.5), 2.5),
                       ({Seven(1): (Always('a'), Flatterer([0.5]))}, {1: ('a', [0.5])})]:
        got = plain(liar)
        assert got == copy and repr(got) == repr(copy), liar
    nested = plain([Always('a'), {Seven(2)}, frozenset({Always('b')})])
    assert [type(x) for x in nested] == [str, set, frozenset] and type(next(iter(nested[1]))) is int
    assert plain(np.arange(3.0).view(Flattering)).__class__ is np.ndarray
    answer_is_seven = lambda answer: check_number(answer, 7, {}, 'not it')
    assert not verdict(exercise(answer_is_seven), Seven(3), capsys=capsys)[0]
    assert not verdict(exercise(lambda f: check_number(f(), 7, {}, 'not it')), lambda: Seven(3), capsys=capsys)[0]
    assert not verdict(exercise(lambda answer: read_numbers(answer, 3, 'three') == (1.0, 2.0, 3.0)),
                       Flatterer([9.0]), capsys=capsys)[0]
    assert as_whole_number(Seven(3)).__class__ is int


def test_plain_leaves_other_objects_and_exact_values_alone():
    value, function = Value(2.0), lambda x: x
    assert plain(value) is value and plain(function) is function and plain(True) is True
    array = np.arange(3.0)
    assert plain(array) is array


def test_shown_keeps_any_answer_short():
    assert len(shown('x' * 1000)) == 60 and shown(10 ** 400) == 'an integer of about 10**400'

    class Unprintable:
        def __repr__(self):
            raise RuntimeError('no')
    assert shown(Unprintable()) == 'a Unprintable'


def test_feedback_uses_only_characters_every_font_has():
    """No emoji or dingbats (a lab machine without an emoji font shows them as empty boxes): Latin-1 and punctuation."""
    for source in Path(exercises.__file__).parent.glob('*.py'):
        unusual = {c for c in source.read_text(encoding='utf-8') if ord(c) > 0xFF and not 0x2000 <= ord(c) <= 0x206F}
        assert not unusual, f'{source.name}: {sorted(unusual)}'
