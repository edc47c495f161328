"""python -m microgpt_lib.grade [--csv FILE] NOTEBOOK...: run notebooks and tabulate their exercises.

Each notebook runs top to bottom in a fresh kernel, like "Restart Kernel and Run All", except
that a cell which raises or runs out of time does not stop it; a notebook that runs out of its
total time, or whose kernel ignores an interrupt, is stopped. Every exercise check displays its
verdict (see microgpt_lib.exercises); the last one of each that this run displays counts, never
one saved in the file. Which exercises a notebook has comes from its cells tagged `exercise`
(the checks they call), so an exercise whose cell raised before its check ran still gets a row:
an error. Each notebook's results are printed (to stderr) as it finishes, the table at the end.
"""
import argparse
import asyncio
import csv
import io
import logging
import math
import re
import signal
import sys
from contextlib import asynccontextmanager
from pathlib import Path
from queue import Empty
from time import monotonic

import nbformat
from jupyter_core.utils import ensure_async
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from tqdm import tqdm

from .data import keep_stderr, output_target, write_atomically
from .exercises import VERDICT_MIME

CHECK_IMPORT = re.compile(r'from\s+microgpt_lib\.exercises\.(\w+)\s+import\s+(\([^)]*\)|[^\n#;]*)')
IMPORTED_NAME = re.compile(r'(\w+)(?:\s+as\s+(\w+))?')
CALL = re.compile(r'\b(\w+)\s*\(')
RESULTS = ('pass', 'fail', 'unanswered')        # what a check's verdict may say
GRACE = 5                   # seconds an interrupted cell has to stop before its kernel is killed
FORMULA_START = ('=', '+', '-', '@', '\t', '\r')   # what makes a spreadsheet read a cell as a formula
QUIET = logging.getLogger(__name__)             # nbclient's notices: the grader says it in its rows
QUIET.addHandler(logging.NullHandler())
QUIET.propagate = False


def read_notebook(path):
    """The notebook at path, or ValueError saying in one line why there is none."""
    if not path.exists():
        raise ValueError(f"{path}: no such file")
    if not path.is_file():
        raise ValueError(f"{path}: not a file")
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as e:      # nbformat raises many kinds (JSON, Unicode, schema, conversion)
        raise ValueError(f"{path}: not a Jupyter notebook ({str(e).splitlines()[0]})") from None
    return nb


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


def exercises_of(nb):
    """{exercise id: indices of the cells tagged exercise that call its check}, in notebook order."""
    ids = imported_checks(nb)
    exercises = {}
    for index, cell in enumerate(nb.cells):
        if 'exercise' in cell.metadata.get('tags', []):
            for name in CALL.findall(cell.source):
                if name in ids:
                    exercises.setdefault(ids[name], []).append(index)
    return exercises


def verdict_in(data):
    """The verdict in an output's data, or None if there is none or it is malformed."""
    verdict = data.get(VERDICT_MIME) if isinstance(data, dict) else None
    if (isinstance(verdict, dict) and isinstance(verdict.get('exercise'), str)
            and verdict.get('result') in RESULTS and isinstance(verdict.get('feedback'), str)):
        return verdict
    return None


def last_verdicts(nb):
    """{exercise id: the last verdict its check left in the executed notebook}."""
    verdicts = {}
    for cell in nb.cells:
        for output in cell.get('outputs', []):
            verdict = verdict_in(output.get('data'))
            if verdict:
                verdicts[verdict['exercise']] = verdict
    return verdicts


def cell_error(cell):
    """Why the executed cell raised, in one line, or None if it did not."""
    for output in cell.get('outputs', []):
        if output.output_type == 'error':
            return f"the cell raised {output.ename}: {output.evalue}".splitlines()[0]
    return None


class Interrupted(Exception):
    """Ctrl-C while a notebook ran: its kernel is stopped and grading ends."""


class Run(NotebookClient):
    """One notebook's run in a fresh kernel, like "Restart Kernel and Run All", but bounded:
    a cell may run `timeout` seconds, the whole notebook `total` seconds, and a kernel that does
    not stop a cell when interrupted is killed. Verdicts are kept as the kernel displays them,
    so a check's verdict counts even if the cell clears its output afterwards.
    """

    def __init__(self, nb, path, timeout, total, progress):
        super().__init__(nb, timeout=timeout, interrupt_on_timeout=False, allow_errors=True,
                         kernel_name='python3', store_widget_state=False, shutdown_kernel='immediate',
                         extra_arguments=['--IPKernelApp.log_level=ERROR'],  # no start-up notices
                         resources={'metadata': {'path': str(path.parent)}}, log=QUIET,
                         on_cell_executed=lambda **_: progress.update())
        self.cell_timeout, self.total = timeout, total
        self.verdicts = {}          # {exercise id: its last verdict}
        self.stopped_cells = {}     # {cell index: why the grader stopped it}
        self.by_user = False

    def output(self, outs, msg, display_id, cell_index):
        verdict = verdict_in(msg['content'].get('data'))
        if verdict:
            self.verdicts[verdict['exercise']] = verdict
        return super().output(outs, msg, display_id, cell_index)

    async def run(self):
        """Run every cell, going on past errors and stopped cells; why the run ended early, or None."""
        self.stop_on_ctrl_c()
        try:
            async with self.async_setup_kernel():
                return await self.run_cells()
        except (DeadKernelError, asyncio.CancelledError):
            if self.by_user:
                raise Interrupted from None
            raise

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
                await self.async_execute_cell(cell, index, execution_count=self.code_cells_executed + 1)
            except CellTimeoutError:
                stopped = await self.out_of_time(index, whole_run=self.timeout < self.cell_timeout)
                if stopped:
                    return stopped
            except DeadKernelError:
                if self.by_user:
                    raise
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

    def stop_on_ctrl_c(self):
        """Let Ctrl-C cancel the run (the kernel is then stopped on the way out) and say it was asked for."""
        run = asyncio.current_task()

        def stop():
            self.by_user = True
            run.cancel()
        try:
            asyncio.get_running_loop().add_signal_handler(signal.SIGINT, stop)
        except (RuntimeError, NotImplementedError):     # Windows, or not the main thread
            pass


def grade(nb, path, timeout, total, progress):
    """[(exercise id, result, feedback)] for the notebook nb, read from path, after running it.

    Outputs saved in the file are cleared first: a verdict counts only if this run displays it.
    """
    exercises = exercises_of(nb)
    for cell in nb.cells:
        if cell.cell_type == 'code':
            cell.outputs = []
    run = Run(nb, path, timeout, total, progress)
    stopped = asyncio.run(run.run())
    rows = []
    for exercise in [*exercises, *(e for e in run.verdicts if e not in exercises)]:
        if exercise in run.verdicts:
            verdict = run.verdicts[exercise]
            rows.append((exercise, verdict['result'], verdict['feedback'].strip()))
            continue
        errors = (run.stopped_cells.get(i) or cell_error(nb.cells[i]) for i in exercises.get(exercise, []))
        problem = next(filter(None, errors), None) or stopped
        rows.append((exercise, 'error', problem) if problem else
                    (exercise, 'unanswered', "its check never ran"))
    return rows


def table(graded):
    """Text tables of results: one per set of exercises (a chapter), a notebook per row."""
    groups = {}
    for name, rows in graded:
        groups.setdefault(tuple(exercise for exercise, _, _ in rows), []).append((name, rows))
    tables = []
    for exercises, members in groups.items():
        lines = [['notebook', *exercises, 'passed']]
        for name, rows in members:
            results = [result for _, result, _ in rows]
            lines.append([name, *results, f"{results.count('pass')}/{len(results)}"])
        widths = [max(map(len, column)) for column in zip(*lines)]
        tables.append('\n'.join('  '.join(text.ljust(width) for text, width in zip(line, widths)).rstrip()
                                for line in lines))
    return '\n\n'.join(tables)


def spreadsheet_safe(text):
    """text, with a ' before a first character that would make a spreadsheet run it as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_bytes(graded):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator='\r\n')     # RFC 4180's; it also quotes a bare \r in a cell
    writer.writerow(['notebook', 'exercise', 'result', 'feedback'])
    writer.writerows([spreadsheet_safe(text) for text in (name, *row)] for name, rows in graded for row in rows)
    return out.getvalue().encode('utf-8')


def csv_target(name, notebooks):
    """The file --csv name will replace, checked before any notebook runs (see output_target)."""
    if name.lower().endswith('.ipynb'):
        raise ValueError(f"--csv {name}: that is a notebook's name, not a CSV's (was the CSV's name left out?)")
    return output_target(name, 'write the grades to', inputs=notebooks, inputs_are='one of the notebooks')


def whole_seconds(text):
    if not (text.isdigit() and int(text) > 0):
        raise argparse.ArgumentTypeError(f"must be a whole number of seconds, at least 1; got {text}")
    return int(text)


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog='python -m microgpt_lib.grade',
        description="Run each notebook in a fresh kernel and print a table of its exercises' "
                    "results: pass, fail, unanswered or error.")
    p.add_argument('notebooks', nargs='+', type=Path, metavar='NOTEBOOK')
    p.add_argument('--csv', metavar='FILE',
                   help='also write one row per notebook and exercise: notebook, exercise, result, feedback')
    p.add_argument('--timeout', type=whole_seconds, default=300, metavar='SECONDS',
                   help='how long one cell may run before it is stopped (default 300)')
    p.add_argument('--notebook-timeout', type=whole_seconds, default=1800, metavar='SECONDS',
                   help='how long one notebook may run in all before it is stopped (default 1800)')
    return p.parse_args(argv)


def row_line(name, rows):
    """One notebook's results on one line, as it finishes."""
    results = [result for _, result, _ in rows]
    return f"{name}: {' '.join(results)} ({results.count('pass')}/{len(results)} passed)"


def main(argv=None):
    keep_stderr()
    args = parse_args(argv)
    try:
        notebooks = [read_notebook(path) for path in args.notebooks]    # all checked before any runs
        target = None if args.csv is None else csv_target(args.csv, args.notebooks)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    graded = []
    try:
        for number, (path, nb) in enumerate(zip(args.notebooks, notebooks), 1):
            code_cells = sum(cell.cell_type == 'code' for cell in nb.cells)
            with tqdm(total=code_cells, desc=f"{number}/{len(notebooks)} {path.name}", unit='cell',
                      file=sys.stderr, disable=not sys.stderr.isatty(), leave=False) as progress:
                graded.append((str(path), grade(nb, path, args.timeout, args.notebook_timeout, progress)))
            print(row_line(*graded[-1]), file=sys.stderr, flush=True)
    except (KeyboardInterrupt, Interrupted):
        print(f"interrupted: {len(graded)} of {len(notebooks)} notebooks graded (above), nothing was written",
              file=sys.stderr)
        return 130
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
