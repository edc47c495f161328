"""python -m microgpt_lib.grade [--teacher DIR] [--jobs N] [--csv FILE] NOTEBOOK...: grade notebooks.

The exercises, and their points, come from the teacher's edition (by default the course's
`notebooks/` folder): each call of a check (`chNN.check_name`) in a cell tagged `exercise` is
an exercise, worth the cell's `nbgrader.points` (nbgrader's own metadata key), else 1 point.
A student's notebook belongs to the chapter whose number is the first two-digit number in its
file name (`jane-08 (1).ipynb` is chapter 08), else to the chapter with its `metadata.title`.

Each notebook runs top to bottom in a fresh kernel, like "Restart Kernel and Run All", except
that a cell which raises or runs out of time does not stop it; a notebook that runs out of its
total time, or whose kernel ignores an interrupt, is stopped. The student's verdicts do not
count, whatever their cells display: after the last cell that calls an exercise's check the
grader runs a cell of its own, which builds a fresh copy of the check from the package's source
(read before any notebook runs, so patching `microgpt_lib.exercises` or its files does not
help), calls it with the arguments of the teacher's check call (`answer`, or `tanh, Value`),
and displays the verdict marked with a secret made for this notebook's run. Only such a verdict,
displayed by the grader's own cell, counts. An exercise that no cell calls is unanswered; one
whose cell raised, or that the run did not reach, is an error; so is every exercise of a
notebook that cannot be read or run.

What this does not stop: code that hooks into the kernel or the library itself (a thread, an
IPython event, a patched `IPython.display` or `microgpt_lib.engine`, the check's own stack
frames read by the function it checks) runs inside the grader's cell too and could still
interfere. Against that, as against code that harms the machine, only a sandbox helps (which
is what nbgrader's own sandboxing is for too): grade in a separate account or a container.
"""
import argparse
import ast
import asyncio
import csv
import io
import logging
import math
import re
import secrets
import signal
import sys
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from queue import Empty
from time import monotonic

import nbformat
from jupyter_core.utils import ensure_async
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from tqdm import tqdm

from .data import keep_stderr, output_target, write_atomically
from .exercises import VERDICT_MIME, is_unanswered

CHECKS = Path(__file__).parent / 'exercises'        # the checks' source, read by the grader's cells
COURSE = Path(__file__).parent.parent / 'notebooks'  # the default teacher's edition
CHAPTER_FILE = re.compile(r'[0-9][0-9]_.*\.ipynb')
CHAPTER_NUMBER = re.compile(r'(?<![0-9])[0-9]{2}(?![0-9])')    # two digits, not part of a longer number
CHECK_IMPORT = re.compile(r'from\s+microgpt_lib\.exercises\.(\w+)\s+import\s+(\([^)]*\)|[^\n#;]*)')
IMPORTED_NAME = re.compile(r'(\w+)(?:\s+as\s+(\w+))?')
CALL = re.compile(r'\b(\w+)\s*\(')
RESULTS = ('pass', 'fail', 'unanswered')        # what a check's verdict may say
NO_CHAPTER = '(no chapter)'                     # the exercise column of a notebook of no chapter
GRACE = 5                   # seconds an interrupted cell has to stop before its kernel is killed
FORMULA_START = ('=', '+', '-', '@', '\t', '\r')   # what makes a spreadsheet read a cell as a formula
QUIET = logging.getLogger(__name__)             # nbclient's notices: the grader says it in its rows
QUIET.addHandler(logging.NullHandler())
QUIET.propagate = False


class NotANotebook(ValueError):
    """A file that is no notebook: the message names the path, `reason` says why in a few words."""

    def __init__(self, path, reason):
        super().__init__(f"{path}: {reason}")
        self.reason = reason


def read_notebook(path):
    """The notebook at path, or NotANotebook saying in one line why there is none."""
    if not path.exists():
        raise NotANotebook(path, "no such file")
    if not path.is_file():
        raise NotANotebook(path, "not a file")
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except OSError as e:
        raise NotANotebook(path, f"cannot be read ({e.strerror or e})") from None
    except nbformat.reader.NotJSONError as e:
        raise NotANotebook(path, f"not a Jupyter notebook (not JSON, or cut short: {e.__cause__ or e})") from None
    except Exception as e:      # nbformat raises many kinds (JSON, Unicode, schema, conversion)
        raise NotANotebook(path, f"not a Jupyter notebook ({str(e).splitlines()[0]})") from None
    return nb


# Which exercises a notebook has

def imported_checks(nb):
    """{name in the notebook: exercise id 'chNN.check_name'} for each check its cells import.

    Read with regular expressions, not parsed: a learner's cell need not be valid Python.
    """
    ids = {}
    for cell in nb.cells:
        if cell.cell_type == 'code':
            for chapter, names in CHECK_IMPORT.findall(cell.source):
                ids.update({alias or name: f'{chapter}.{name}' for name, alias in IMPORTED_NAME.findall(names)})
    return ids


def calls(cell, ids):
    """The exercise ids whose checks the cell calls, by the names in ids ({name: exercise id})."""
    return [ids[name] for name in CALL.findall(cell.source) if name in ids] if cell.cell_type == 'code' else []


def exercises_of(nb):
    """{exercise id: indices of the cells tagged exercise that call its check}, in notebook order."""
    ids = imported_checks(nb)
    exercises = {}
    for index, cell in enumerate(nb.cells):
        if 'exercise' in cell.metadata.get('tags', []):
            for exercise in calls(cell, ids):
                exercises.setdefault(exercise, []).append(index)
    return exercises


@dataclass(frozen=True)
class Exercise:
    id: str             # 'ch01.check_encoding'
    arguments: str      # the teacher's check call's arguments, as Python: 'answer', 'tanh, Value'
    points: float

    @property
    def module(self):
        return self.id.partition('.')[0]

    @property
    def check(self):
        return self.id.partition('.')[2]


@dataclass(frozen=True)
class Chapter:
    number: str         # '08'
    title: str          # its notebook's metadata title, '08 · Training'
    exercises: tuple


def teachers_call(cell, exercise, names):
    """The arguments, as Python, of the call of exercise's check (by one of names) in the teacher's cell."""
    found = [node for node in ast.walk(ast.parse(cell.source))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names]
    if not found:
        raise ValueError(f"its cell calls {exercise}'s check in a way the grader cannot read")
    return ', '.join(ast.unparse(argument) for argument in [*found[0].args, *found[0].keywords])


def points_of(cell):
    points = cell.metadata.get('nbgrader', {}).get('points', 1)
    if isinstance(points, bool) or not isinstance(points, (int, float)) or not points >= 0:
        raise ValueError(f"nbgrader points must be a number, at least 0; got {points!r}")
    return points


def teachers_chapter(path):
    """The chapter of the teacher's notebook at path, or ValueError saying why it cannot be read."""
    nb = read_notebook(path)
    ids = imported_checks(nb)
    exercises = []
    for exercise, [index, *_] in exercises_of(nb).items():
        try:
            names = {name for name, id_ in ids.items() if id_ == exercise}
            cell = nb.cells[index]
            exercises.append(Exercise(exercise, teachers_call(cell, exercise, names), points_of(cell)))
        except (ValueError, SyntaxError) as e:
            raise ValueError(f"{path}, cell {index}: {e}") from None
    return Chapter(path.name[:2], nb.metadata.get('title', ''), tuple(exercises))


def teachers_edition(folder):
    """{chapter number: Chapter} for the notebooks NN_*.ipynb in folder, or ValueError."""
    if not folder.is_dir():
        raise ValueError(f"--teacher {folder}: not a folder")
    chapters = [teachers_chapter(path) for path in sorted(folder.iterdir()) if CHAPTER_FILE.fullmatch(path.name)]
    if not chapters:
        raise ValueError(f"--teacher {folder}: no chapter notebooks (NN_name.ipynb) in it")
    return {chapter.number: chapter for chapter in chapters}


def number_and_title(path, nb):
    """The first two-digit number in the file name at path and the title of nb (None if it has none)."""
    title = nb.metadata.get('title') if nb is not None else None
    return next(iter(CHAPTER_NUMBER.findall(path.stem)), None), title or None


def chapter_of(path, nb, chapters):
    """The chapter of the student's notebook: by the first two-digit number in its name, else its title."""
    number, title = number_and_title(path, nb)
    if number in chapters:
        return chapters[number]
    return next((chapter for chapter in chapters.values() if title is not None and chapter.title == title), None)


def no_chapter_reason(path, nb):
    """Why the student's notebook matches no chapter, in one line."""
    number, title = number_and_title(path, nb)
    return (f"matches no chapter: {f'no chapter is numbered {number}' if number else 'no two-digit number in its name'}"
            f" and {'no title' if title is None else f'none has the title {title!r}'}")


def check_sources(chapters):
    """{module: (file, source)} for the checks' package and every module the chapters' exercises use."""
    modules = {'__init__', *(exercise.module for chapter in chapters.values() for exercise in chapter.exercises)}
    return {module: (str(CHECKS / f'{module}.py'), (CHECKS / f'{module}.py').read_text(encoding='utf-8'))
            for module in sorted(modules)}


# The grader's cells

# Only syntax, locals and `builtins` itself: a name the student's cells define (`bool`, `exec`)
# is no help.
GRADER_CELL = '''\
def _grade_{secret}(*args, **kwargs):
    import builtins, sys, types
    from IPython.display import display
    name = 'microgpt_lib._grader_{secret}'
    package, checks = types.ModuleType(name), types.ModuleType(name + '.{module}')
    package.__package__ = checks.__package__ = name
    package.__path__ = []
    sys.modules[name] = package      # only while the sources run: their relative imports need it
    try:
        builtins.exec(builtins.compile({package_source!r}, {package_file!r}, 'exec'), builtins.vars(package))
        builtins.exec(builtins.compile({module_source!r}, {module_file!r}, 'exec'), builtins.vars(checks))
    finally:
        del sys.modules[name]
    package.record_verdict = lambda check, ok, feedback: display({{{mime!r}: {{
        'exercise': {exercise!r}, 'ok': builtins.bool(ok), 'feedback': feedback, 'run': {secret!r}}},
        'text/plain': ''}}, raw=True)
    checks.{check}(*args, **kwargs)
try:
    _grade_{secret}({arguments})
finally:
    del _grade_{secret}
'''


def grader_cell(exercise, secret, sources):
    """A code cell that checks exercise's answer with a fresh copy of its check and displays the verdict."""
    (package_file, package_source), (module_file, module_source) = sources['__init__'], sources[exercise.module]
    return nbformat.v4.new_code_cell(GRADER_CELL.format(
        secret=secret, module=exercise.module, check=exercise.check, exercise=exercise.id,
        arguments=exercise.arguments, mime=VERDICT_MIME, package_file=package_file,
        package_source=package_source, module_file=module_file, module_source=module_source))


def runs(cell):
    """Whether nbclient runs the cell: a code cell, not empty, not tagged skip-execution."""
    return cell.cell_type == 'code' and cell.source.strip() and 'skip-execution' not in cell.metadata.get('tags', [])


def answer_cells(nb, chapter):
    """{exercise id: index of the last cell that runs and calls its check (by its name or an imported one)}."""
    ids = {**{exercise.check: exercise.id for exercise in chapter.exercises}, **imported_checks(nb)}
    wanted = {exercise.id for exercise in chapter.exercises}
    return {exercise: index for index, cell in enumerate(nb.cells) if runs(cell) for exercise in calls(cell, ids)
            if exercise in wanted}


def with_grader_cells(nb, chapter, secret, sources):
    """nb with a grader's cell after each exercise's answer: {exercise id: (answer index, grader index)}."""
    answers = answer_cells(nb, chapter)
    after = {}
    for exercise in chapter.exercises:
        if exercise.id in answers:
            after.setdefault(answers[exercise.id], []).append(exercise)
    cells, where = [], {}
    for index, cell in enumerate(nb.cells):
        cells.append(cell)
        answer = len(cells) - 1
        for exercise in after.get(index, []):
            where[exercise.id] = (answer, len(cells))
            cells.append(grader_cell(exercise, secret, sources))
    nb.cells = cells
    return where


# Running a notebook

def verdict_in(data):
    """The verdict in an output's data, or None if there is none or it is malformed."""
    verdict = data.get(VERDICT_MIME) if isinstance(data, dict) else None
    if (isinstance(verdict, dict) and isinstance(verdict.get('exercise'), str)
            and verdict.get('result') in RESULTS and isinstance(verdict.get('feedback'), str)):
        return verdict
    return None


def last_verdicts(nb):
    """{exercise id: the last verdict its check left in the executed notebook} (the student's own)."""
    verdicts = {}
    for cell in nb.cells:
        for output in cell.get('outputs', []):
            verdict = verdict_in(output.get('data'))
            if verdict:
                verdicts[verdict['exercise']] = verdict
    return verdicts


def graders_verdict(data, exercise, secret):
    """The verdict the grader's cell for exercise displays in data: (result, feedback), or None."""
    verdict = data.get(VERDICT_MIME) if isinstance(data, dict) else None
    if (not isinstance(verdict, dict) or verdict.get('run') != secret or verdict.get('exercise') != exercise
            or not isinstance(verdict.get('ok'), bool) or not isinstance(verdict.get('feedback'), str)):
        return None
    ok, feedback = verdict['ok'], verdict['feedback']
    # as microgpt_lib.exercises.record_verdict says it
    return 'pass' if ok else 'unanswered' if is_unanswered(feedback) else 'fail', feedback.strip()


def cell_error(cell):
    """Why the executed cell raised, in one line ('raised NameError: ...'), or None if it did not."""
    for output in cell.get('outputs', []):
        if output.output_type == 'error':
            return f"raised {output.ename}: {output.evalue}".splitlines()[0]
    return None


class Run(NotebookClient):
    """One notebook's run in a fresh kernel, like "Restart Kernel and Run All", but bounded:
    a cell may run `timeout` seconds, the whole notebook `total` seconds, and a kernel that does
    not stop a cell when interrupted is killed. The verdicts kept are those that the grader's
    cells ({cell index: exercise id}) display with the secret, as the kernel displays them, so
    no later cell can clear them; the grader's cells are left out of the kernel's history.
    """

    def __init__(self, nb, path, graders, secret, timeout, total, progress):
        super().__init__(nb, timeout=timeout, interrupt_on_timeout=False, allow_errors=True,
                         kernel_name='python3', store_widget_state=False, shutdown_kernel='immediate',
                         extra_arguments=['--IPKernelApp.log_level=ERROR'],  # no start-up notices
                         resources={'metadata': {'path': str(path.parent)}}, log=QUIET,
                         on_cell_executed=lambda **_: progress.update())
        self.graders, self.secret = graders, secret
        self.cell_timeout, self.total = timeout, total
        self.verdicts = {}          # {exercise id: (result, feedback)}
        self.stopped_cells = {}     # {cell index: why the grader stopped it}

    def output(self, outs, msg, display_id, cell_index):
        if cell_index in self.graders:
            exercise = self.graders[cell_index]
            verdict = graders_verdict(msg['content'].get('data'), exercise, self.secret)
            if verdict:
                self.verdicts[exercise] = verdict
        return super().output(outs, msg, display_id, cell_index)

    async def run(self):
        """Run every cell, going on past errors and stopped cells; why the run ended early, or None."""
        async with self.async_setup_kernel():
            return await self.run_cells()

    @asynccontextmanager
    async def async_setup_kernel(self, **kwargs):
        """A fresh kernel, stopped on the way out whatever happens: nbclient's, without its signal handlers.

        (nbclient's Ctrl-C handler only stops the kernel, which then reads as a kernel that died.)
        """
        self.km = self.create_kernel_manager()
        try:
            await self.async_start_new_kernel(**kwargs)
            await self.async_start_new_kernel_client()
            yield
        finally:
            if self.km is not None:         # None if the client failed to start: it cleaned up then
                await self._async_cleanup_kernel()

    async def run_cells(self):
        deadline = monotonic() + self.total         # from the kernel's start: a loaded machine starts it slowly
        for index, cell in enumerate(self.nb.cells):
            left = math.ceil(deadline - monotonic())
            if left <= 0:
                return f"the notebook ran longer than {self.total} s in all and was stopped"
            self.timeout = min(self.cell_timeout, left)
            try:
                await self.async_execute_cell(cell, index, execution_count=self.code_cells_executed + 1,
                                              store_history=index not in self.graders)
            except CellTimeoutError:
                stopped = await self.out_of_time(index, whole_run=self.timeout < self.cell_timeout)
                if stopped:
                    return stopped
            except DeadKernelError:
                return "the kernel died before this exercise's check ran"
        return None

    async def out_of_time(self, index, whole_run):
        """Note why cell index was stopped; why the run ends here, or None if the next cell may run."""
        if whole_run:
            whole = f"the notebook ran longer than {self.total} s in all and was stopped"
            self.stopped_cells[index] = f"{whole} in this cell"
            return whole
        if not await self.interrupted():
            self.stopped_cells[index] = (f"the cell ran longer than {self.cell_timeout} s and ignored the "
                                         f"interrupt, so its kernel was stopped")
            return "the kernel was stopped before this exercise's check ran"
        self.stopped_cells[index] = f"the cell ran longer than {self.cell_timeout} s and was stopped"
        return None

    async def interrupted(self):
        """Interrupt the kernel: whether it ends the running cell within GRACE seconds."""
        await ensure_async(self.km.interrupt_kernel())
        deadline = monotonic() + GRACE
        while (left := deadline - monotonic()) > 0:
            try:
                reply = await ensure_async(self.kc.shell_channel.get_msg(timeout=left))
            except Empty:
                break
            if reply['msg_type'] == 'execute_reply':     # the stopped cell's: it is the only one asked
                return True
        return False


# Grading

@dataclass(frozen=True)
class Row:
    exercise: str
    result: str         # pass, fail, unanswered or error
    feedback: str
    points: float = 0

    @property
    def score(self):
        return self.points if self.result == 'pass' else 0


@dataclass
class Notebook:
    """A notebook to grade: its path and chapter, and either its cells with the grader's among them
    (`where` they are, and the `secret` that marks their verdicts) or the `problem` that stops it."""
    path: Path
    chapter: Chapter = None
    problem: str = None
    nb: object = None
    where: dict = None          # {exercise id: (its answer's cell index, its grader's cell index)}
    secret: str = None

    @property
    def code_cells(self):
        return sum(cell.cell_type == 'code' for cell in self.nb.cells) if self.nb else 0


def every_exercise(notebook, result, feedback):
    """The notebook's rows when all its exercises have the same result (one row if it has no chapter)."""
    if notebook.chapter is None:
        return [Row(NO_CHAPTER, result, feedback)]
    return [Row(exercise.id, result, feedback, exercise.points) for exercise in notebook.chapter.exercises]


async def grade(notebook, timeout, total, progress):
    """[Row] for each of the notebook's exercises, after running it with the grader's cells; a
    notebook that cannot be run gets an error row for each exercise, saying why in one line."""
    if notebook.problem:
        return every_exercise(notebook, 'error', notebook.problem)
    graders = {grader: exercise for exercise, (_, grader) in notebook.where.items()}
    run = Run(notebook.nb, notebook.path, graders, notebook.secret, timeout, total, progress)
    try:
        stopped = await run.run()
    except Exception as e:      # the kernel did not start, or nbclient failed: this notebook cannot run
        return every_exercise(notebook, 'error', f"the notebook could not be run: {type(e).__name__}: {e}"
                              .splitlines()[0])
    return [exercise_row(exercise, run, notebook.where.get(exercise.id), stopped)
            for exercise in notebook.chapter.exercises]


def exercise_row(exercise, run, cells, stopped):
    """exercise's Row, from its answer's and grader's cells (indices, or None if it has none) after run."""
    if cells is None:
        return Row(exercise.id, 'unanswered', f"its cell is missing: no cell that runs calls {exercise.check}",
                   exercise.points)
    answer, grader = cells
    problem = run.stopped_cells.get(answer) or prefixed("the cell ", cell_error(run.nb.cells[answer]))
    if problem is None and exercise.id in run.verdicts:
        return Row(exercise.id, *run.verdicts[exercise.id], exercise.points)
    problem = (problem or run.stopped_cells.get(grader)
               or prefixed(f"checking the answer with {exercise.check}({exercise.arguments}) ",
                           cell_error(run.nb.cells[grader]))
               or stopped or "the check never ran")
    return Row(exercise.id, 'error', problem, exercise.points)


def prefixed(prefix, text):
    return prefix + text if text else None


def prepare(path, chapters, sources):
    """The Notebook at path (which exists) ready to run: its chapter, its saved outputs cleared (a
    verdict counts only if this run displays it) and the grader's cells added; or why it cannot be."""
    try:
        nb = read_notebook(path)
    except NotANotebook as e:
        return Notebook(path, chapter_of(path, None, chapters), e.reason)
    chapter = chapter_of(path, nb, chapters)
    if chapter is None:
        return Notebook(path, None, no_chapter_reason(path, nb))
    for cell in nb.cells:
        if cell.cell_type == 'code':
            cell.outputs = []
    secret = secrets.token_hex(16)
    return Notebook(path, chapter, nb=nb, where=with_grader_cells(nb, chapter, secret, sources), secret=secret)


class Interrupted(Exception):
    """Ctrl-C while notebooks ran: their kernels are stopped and grading ends."""


async def grade_all(notebooks, args, progress, finished):
    """[[Row]] for the notebooks, in their order, args.jobs at a time; finished(notebook, rows) as each ends."""
    slots = asyncio.Semaphore(args.jobs)
    stopping = asyncio.Event()

    async def one(notebook):
        async with slots:
            rows = await grade(notebook, args.timeout, args.notebook_timeout, progress)
        if stopping.is_set():       # the run was cut by Ctrl-C: its rows say so, not what the student did
            raise asyncio.CancelledError
        finished(notebook, rows)
        return rows

    def stop():
        stopping.set()
        for task in tasks:
            task.cancel()
    tasks = [asyncio.ensure_future(one(notebook)) for notebook in notebooks]
    try:
        asyncio.get_running_loop().add_signal_handler(signal.SIGINT, stop)
    except (RuntimeError, NotImplementedError):     # Windows, or not the main thread
        pass
    try:
        return await asyncio.gather(*tasks)
    except asyncio.CancelledError:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)    # each stops its kernel on the way out
        raise Interrupted from None


# Reports

def number(points):
    return f"{points:g}"


def score(rows):
    """'scored/possible' for rows."""
    return f"{number(sum(row.score for row in rows))}/{number(sum(row.points for row in rows))}"


def table(graded):
    """Text tables of results: one per set of exercises (a chapter), a notebook per row."""
    groups = {}
    for name, rows in graded:
        groups.setdefault(tuple(row.exercise for row in rows), []).append((name, rows))
    tables = []
    for exercises, members in groups.items():
        lines = [['notebook', *exercises, 'score']]
        lines += [[name, *(row.result for row in rows), score(rows)] for name, rows in members]
        widths = [max(map(len, column)) for column in zip(*lines)]
        tables.append('\n'.join('  '.join(text.ljust(width) for text, width in zip(line, widths)).rstrip()
                                for line in lines))
    return '\n\n'.join(tables)


def spreadsheet_safe(text):
    """text, with a ' before a first character that would make a spreadsheet run it as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_bytes(graded):
    """The CSV: a row per notebook and exercise, then the notebook's TOTAL row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator='\r\n')     # RFC 4180's; it also quotes a bare \r in a cell
    writer.writerow(['notebook', 'exercise', 'result', 'feedback', 'points', 'score'])
    for name, rows in graded:
        lines = [(row.exercise, row.result, row.feedback, row.points, row.score) for row in rows]
        lines.append(('TOTAL', '', '', sum(row.points for row in rows), sum(row.score for row in rows)))
        writer.writerows([*(spreadsheet_safe(text) for text in (name, *texts)), number(points), number(scored)]
                         for *texts, points, scored in lines)
    return out.getvalue().encode('utf-8')


def csv_target(name, notebooks):
    """The file --csv name will replace, checked before any notebook runs (see output_target)."""
    if name.lower().endswith('.ipynb'):
        raise ValueError(f"--csv {name}: that is a notebook's name, not a CSV's (was the CSV's name left out?)")
    return output_target(name, 'write the grades to', inputs=notebooks, inputs_are='one of the notebooks')


def whole_number(what):
    """An argparse type: a whole number of `what`, at least 1."""
    def parse(text):
        if not (text.isdigit() and int(text) > 0):
            raise argparse.ArgumentTypeError(f"must be a whole number of {what}, at least 1; got {text}")
        return int(text)
    return parse


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog='python -m microgpt_lib.grade',
        description="Run each notebook in a fresh kernel, check its exercises with the teacher's checks "
                    "and print a table of the results: pass, fail, unanswered or error, and the score.")
    p.add_argument('notebooks', nargs='+', type=Path, metavar='NOTEBOOK')
    p.add_argument('--teacher', type=Path, default=COURSE, metavar='DIR',
                   help="the teacher's edition, whose NN_name.ipynb chapters say the exercises and their "
                        "points (default: the course's notebooks/)")
    p.add_argument('--csv', metavar='FILE',
                   help='also write one row per notebook and exercise (notebook, exercise, result, feedback, '
                        'points, score) and a TOTAL row per notebook')
    p.add_argument('--jobs', type=whole_number('notebooks'), default=1, metavar='N',
                   help='how many notebooks to run at once (default 1)')
    p.add_argument('--timeout', type=whole_number('seconds'), default=300, metavar='SECONDS',
                   help='how long one cell may run before it is stopped (default 300)')
    p.add_argument('--notebook-timeout', type=whole_number('seconds'), default=1800, metavar='SECONDS',
                   help='how long one notebook may run in all before it is stopped (default 1800)')
    return p.parse_args(argv)


def row_line(name, rows):
    """One notebook's results on one line, as it finishes."""
    return f"{name}: {' '.join([*(row.result for row in rows), f'({score(rows)})'])}"


def missing(path):
    """Why path, given on the command line, is refused before anything runs, or None."""
    if not path.exists():
        return f"{path}: no such file"
    if not path.is_file():
        return f"{path}: not a file"
    return None


def main(argv=None):
    keep_stderr()
    args = parse_args(argv)
    try:
        problem = next(filter(None, map(missing, args.notebooks)), None)
        if problem:
            raise ValueError(problem)
        target = None if args.csv is None else csv_target(args.csv, args.notebooks)
        chapters = teachers_edition(args.teacher)
        sources = check_sources(chapters)
    except (ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    done = []

    def finished(notebook, rows):
        done.append(notebook)
        tqdm.write(row_line(str(notebook.path), rows), file=sys.stderr)     # above the progress bar
    try:
        notebooks = [prepare(path, chapters, sources) for path in args.notebooks]
        with tqdm(total=sum(notebook.code_cells for notebook in notebooks), desc="grading", unit='cell',
                  file=sys.stderr, disable=not sys.stderr.isatty(), leave=False) as progress:
            graded = asyncio.run(grade_all(notebooks, args, progress, finished))
    except (KeyboardInterrupt, Interrupted):
        print(f"interrupted: {len(done)} of {len(args.notebooks)} notebooks graded (above), nothing was written",
              file=sys.stderr)
        return 130
    graded = [(str(notebook.path), rows) for notebook, rows in zip(notebooks, graded)]
    print(table(graded), flush=True)
    if target is not None:
        try:
            write_atomically(target, csv_bytes(graded))
        except OSError as e:
            print(f"error: the grades were not written to {args.csv}: {e.strerror or e}; "
                  f"the table above has them", file=sys.stderr)
            return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
