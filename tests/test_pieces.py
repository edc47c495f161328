"""The pieces the learner writes: how they are marked, left out, checked and stood in for.

A piece is the body of a function (or method) between nbgrader's `### BEGIN SOLUTION` and
`### END SOLUTION`, in a cell tagged `piece`; the next cell, tagged `exercise` and `piece-check`,
is one line, `softmax = check_softmax(softmax)`. Each chapter's own pieces and their typical
mistakes are tested in its tests/test_exercises_chNN.py.
"""
import ast
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from conftest import ROOT
from microgpt_lib import nn
from microgpt_lib.engine import Value
from microgpt_lib.exercises import LEARNERS, attempt, is_unanswered, piece, report
from microgpt_lib.student import STUB, student_edition, without_solution

CHAPTERS = sorted((ROOT / 'notebooks').glob('[0-9][0-9]_*.ipynb'))


@piece(nn.softmax)
def check_softmax(softmax):
    """A small check in the course's way, for these tests."""
    logits = [1000.0, 1001.0]
    got = attempt(softmax, [Value(x) for x in logits])
    expected = [p.data for p in nn.softmax([Value(x) for x in logits])]
    if [p.data for p in got] != expected:
        return report([f"softmax({logits}) gave {[p.data for p in got]}, expected {expected}:"
                       " subtract the largest logit before exp, or exp overflows"])
    return report([], "OK: your softmax matches microgpt_lib's.")


def unwritten(logits):
    # YOUR CODE HERE
    raise NotImplementedError()


def naive(logits):
    exps = [v.exp() for v in logits]
    total = sum(exps)
    return [e / total for e in exps]


def test_a_piece_that_passes_is_the_learners_own(capsys):
    assert check_softmax(nn.softmax) is nn.softmax
    assert capsys.readouterr().out == "OK: your softmax matches microgpt_lib's.\n"


@pytest.mark.parametrize('learners, says', [
    (unwritten, "Not yet: your softmax is not written yet: write its body where it says YOUR CODE HERE,"
                " then run its cell and this one again.\n"),
    (..., "Not yet: your softmax is not written yet"),
    (naive, "  - naive([Values [1000.0, 1001.0]]) raised OverflowError: math range error\n"),
    (lambda logits: logits[5], "  - <lambda>([Values [1000.0, 1001.0]]) raised IndexError: list index out of range"),
    (lambda logits: [Value(0.5), Value(0.5)], "expected [0.26894142136999516, 0.7310585786300049]: subtract the"),
])
def test_a_piece_unwritten_or_wrong_says_why_in_one_line_and_the_chapter_goes_on_with_the_finished_one(
        capsys, learners, says):
    standing_in = check_softmax(learners)
    out = capsys.readouterr().out
    assert says in out and out.endswith("The chapter goes on with microgpt_lib's softmax.\n")
    assert is_unanswered(out) == (learners in (unwritten, ...))
    logits = [Value(2.0), Value(1.0)]
    assert [p.data for p in standing_in(logits)] == [p.data for p in nn.softmax(logits)]
    assert getattr(standing_in, LEARNERS) is learners
    check_softmax(standing_in)                      # a second check checks the learner's piece again
    assert says in capsys.readouterr().out


def test_a_class_stands_in_as_a_subclass_of_the_finished_one(capsys):
    @piece(Value)
    def check_value(Value):
        return report([] if attempt(lambda: Value(2.0) * Value(3.0)).data == 6.0 else ["2 * 3 is not 6"])

    class Mine(Value):
        def __mul__(self, other):
            raise NotImplementedError()
    standing_in = check_value(Mine)
    assert issubclass(standing_in, Value) and standing_in.__name__ == 'Value'
    assert getattr(standing_in, LEARNERS) is Mine and (standing_in(2.0) * standing_in(3.0)).data == 6.0
    assert check_value(Value) is Value


def test_under_nbgrader_a_piece_that_does_not_pass_says_so_on_stderr_so_its_cell_scores_nothing(
        monkeypatch, capsys):
    monkeypatch.setenv('NBGRADER_EXECUTION', 'autograde')
    assert check_softmax(nn.softmax) is nn.softmax
    assert capsys.readouterr().err == ''
    assert getattr(check_softmax(unwritten), LEARNERS) is unwritten
    assert 'not written yet' in capsys.readouterr().err


def test_the_student_edition_leaves_each_solution_region_as_nbgraders_stub_indented_like_it():
    source = "def f(x):\n    '''doc'''\n    ### BEGIN SOLUTION\n    y = x\n    return y\n    ### END SOLUTION\nf(1)"
    assert without_solution(source) == "def f(x):\n    '''doc'''\n    # YOUR CODE HERE\n" \
                                       "    raise NotImplementedError()\nf(1)"
    assert without_solution("x = 1") == "x = 1"
    for broken in ["### BEGIN SOLUTION\nx = 1", "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION"]:
        with pytest.raises(ValueError):
            without_solution(broken)


def piece_cells(name='softmax', check='check_softmax'):
    body = "    ### BEGIN SOLUTION\n    return nn.softmax(logits)\n    ### END SOLUTION"
    return [
        new_code_cell(f"def {name}(logits):\n    '''Probabilities.'''\n{body}", metadata={
            'tags': ['piece'], 'nbgrader': {'grade': False, 'solution': True, 'locked': False, 'task': False,
                                            'grade_id': f'ch03_{name}', 'schema_version': 3}}),
        new_code_cell(f"{name} = {check}({name})", metadata={
            'tags': ['exercise', 'piece-check'], 'nbgrader': {
                'grade': True, 'solution': False, 'locked': True, 'task': False, 'points': 1,
                'grade_id': f'ch03_{name}_check', 'schema_version': 3}}),
    ]


def small_chapter():
    return new_notebook(cells=[
        new_markdown_cell("# 03 · A small chapter"),
        new_code_cell("from microgpt_lib import nn\nfrom microgpt_lib.exercises.ch03 import check_softmax"),
        *piece_cells(),
        new_code_cell("answer = ...\ncheck_it(answer)", metadata={'tags': ['exercise']}),
        new_code_cell("answer = 1\ncheck_it(answer)", metadata={'tags': ['solution']}),
        new_markdown_cell("**Teaching note.** Say this.", metadata={'slideshow': {'slide_type': 'notes'}}),
    ], metadata={'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'},
                 'language_info': {'name': 'python'}})


def nbgrader(folder, *args, **env):
    """Run nbgrader in the course folder (its nbgrader_config.py configured for the course)."""
    config = folder / 'nbgrader_config.py'
    if not config.exists():
        config.write_text("from microgpt_lib.student import configure_nbgrader\n"
                          f"c = get_config()\nconfigure_nbgrader(c)\nc.CourseDirectory.root = {str(folder)!r}\n")
    env = {**os.environ, **env, 'PATH': f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}  # alembic
    done = subprocess.run([sys.executable, '-m', 'nbgrader', *args], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]


def nbgraders_editions(notebooks, folder):
    """{name: the cells nbgrader generate_assignment makes of each notebook}, configured for the course."""
    source = folder / 'source' / 'chapters'
    source.mkdir(parents=True)
    for name, nb in notebooks.items():
        nbformat.write(nb, source / f'{name}.ipynb')
    nbgrader(folder, 'generate_assignment', 'chapters', '--force')
    return {name: nbformat.read(folder / 'release' / 'chapters' / f'{name}.ipynb', as_version=4).cells
            for name in notebooks}


def same_cells(ours, theirs):
    return [(c.cell_type, c.source) for c in ours] == [(c.cell_type, c.source) for c in theirs]


def test_nbgrader_generate_assignment_gives_the_student_edition_of_every_chapter_and_of_a_piece(tmp_path):
    notebooks = {p.stem: nbformat.read(p, as_version=4) for p in CHAPTERS}
    notebooks['03_small'] = small_chapter()
    theirs = nbgraders_editions(notebooks, tmp_path)
    for name, nb in notebooks.items():
        ours = nbformat.reads(student_edition(nb), as_version=4).cells
        assert same_cells(ours, theirs[name]), name
    small = nbformat.reads(student_edition(notebooks['03_small']), as_version=4).cells
    assert small[2].source.endswith("    # YOUR CODE HERE\n    raise NotImplementedError()")
    assert [c.source for c in small].count("softmax = check_softmax(softmax)") == 1
    assert "answer = 1" not in str(small) and "Teaching note" not in str(small)


TOY_CHECKS = """
from microgpt_lib import nn
from microgpt_lib.engine import Value
from microgpt_lib.exercises import attempt, piece, report

@piece(nn.softmax)
def check_softmax(softmax):
    got = attempt(softmax, [Value(1000.0), Value(1001.0)])
    return report([] if [p.data for p in got] == [p.data for p in nn.softmax([Value(1000.0), Value(1001.0)])]
                  else ["not microgpt_lib's softmax"])
"""


@pytest.mark.slow
def test_nbgrader_autograde_scores_a_written_piece_and_not_an_unwritten_one_and_the_notebook_runs_on(tmp_path):
    (tmp_path / 'toy_checks.py').write_text(TOY_CHECKS)
    nb = small_chapter()
    nb.cells[1].source = "from microgpt_lib import nn\nfrom toy_checks import check_softmax"
    nb.cells[4:] = [new_code_cell("print('ran on:', [round(p.data, 3) for p in softmax([nn.Value(0.0)] * 2)])")]
    nbgraders_editions({'03_small': nb}, tmp_path)
    for student, edition in [('alice', tmp_path / 'release'), ('bob', tmp_path / 'source')]:  # untouched, solved
        handed_in = tmp_path / 'submitted' / student / 'chapters'
        handed_in.mkdir(parents=True)
        (handed_in / '03_small.ipynb').write_bytes((edition / 'chapters' / '03_small.ipynb').read_bytes())
        nbgrader(tmp_path, 'db', 'student', 'add', student)
    nbgrader(tmp_path, 'autograde', 'chapters', '--force', PYTHONPATH=str(tmp_path))
    nbgrader(tmp_path, 'export')
    scores = {row.split(',')[3]: row.split(',')[7] for row in (tmp_path / 'grades.csv').read_text().splitlines()[1:]}
    assert scores == {'alice': '0.0', 'bob': '1.0'}
    alice = nbformat.read(tmp_path / 'autograded' / 'alice' / 'chapters' / '03_small.ipynb', as_version=4)
    assert 'not written yet' in str(alice.cells[3].outputs) and 'ran on: [0.5, 0.5]' in str(alice.cells[4].outputs)


def pieces_of(nb):
    return [(i, c) for i, c in enumerate(nb.cells) if 'piece' in c.metadata.get('tags', [])]


@pytest.mark.parametrize('path', CHAPTERS, ids=lambda p: p.stem)
def test_each_piece_is_marked_as_nbgrader_marks_it_and_checked_in_one_line_right_after_it(path):
    nb = nbformat.read(path, as_version=4)
    grade_ids = []
    for i, cell in pieces_of(nb):
        assert cell.cell_type == 'code' and '### BEGIN SOLUTION' in cell.source, cell.source[:60]
        assert STUB[1] in without_solution(cell.source)
        marks = cell.metadata['nbgrader']
        assert marks['solution'] and not marks['grade'] and not marks['locked'], marks
        check = nb.cells[i + 1]
        assert {'exercise', 'piece-check'} <= set(check.metadata.get('tags', [])), check.source
        assert check.metadata['nbgrader']['grade'] and check.metadata['nbgrader']['locked']
        [line] = check.source.splitlines()
        assign = ast.parse(line).body[0]
        name = assign.targets[0].id                 # `softmax = check_softmax(softmax)`
        assert [a.id for a in assign.value.args] == [name] and assign.value.func.id.startswith('check_')
        grade_ids += [marks['grade_id'], check.metadata['nbgrader']['grade_id']]
    assert len(grade_ids) == len(set(grade_ids)), "grade ids are unique in a chapter"


# What the learner writes, chapter by chapter (issue 15's list, split into steps of a few minutes)
PIECES = {
    '01_data_and_tokenizer': ['encode', 'decode', 'document', 'count_pairs', 'name_loss'],
    '02_autograd': ['add', 'mul', 'power', 'log', 'exp', 'relu', 'propagate', 'topological_order', 'backward'],
    '03_building_blocks': ['linear', 'softmax', 'rmsnorm'],
    '04_attention': ['attend', 'multi_head_attention'],
    '05_mlp_and_the_gpt': ['mlp_block', 'gpt'],
    '06_loss_and_backprop': ['document_loss'],
    '07_adam': ['adam_update', 'linear_decay'],
    '08_training': ['train_step'],
    '09_sampling': ['sample_name'],
    '10_arrays': ['causal_attention'],
    '11_efficiency': ['linear_backward', 'softmax_backward', 'head_backward'],
}


@pytest.mark.parametrize('name', sorted(PIECES))
def test_the_learner_writes_every_piece_of_the_chapter_and_the_edition_leaves_each_one_to_write(name):
    nb = nbformat.read(ROOT / 'notebooks' / f'{name}.ipynb', as_version=4)
    checked = [c.source.split('=')[0].strip() for c in nb.cells if 'piece-check' in c.metadata.get('tags', [])]
    assert checked == PIECES[name]
    edition = nbformat.reads(student_edition(nb), as_version=4)
    stubs = [c for c in edition.cells if 'piece' in c.metadata.get('tags', [])]
    assert len(stubs) == len(PIECES[name]) and all(STUB[1] in c.source and '### BEGIN' not in c.source for c in stubs)
