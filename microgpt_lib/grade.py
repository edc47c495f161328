"""python -m microgpt_lib.grade [--csv FILE] NOTEBOOK...: run notebooks and tabulate their exercises.

Each notebook runs top to bottom in a fresh kernel, like "Restart Kernel and Run All", except
that a cell which raises or runs out of time does not stop it. Every exercise check leaves its
verdict in the executed notebook (see microgpt_lib.exercises); the last one of each counts.
Which exercises a notebook has comes from its cells tagged `exercise` (the checks they call),
so an exercise whose cell raised before its check ran still gets a row: an error.
"""
import argparse
import csv
import io
import re
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from tqdm import tqdm

from .data import write_atomically
from .exercises import VERDICT_MIME

CHECK_IMPORT = re.compile(r'from\s+microgpt_lib\.exercises\.(\w+)\s+import\s+(\([^)]*\)|[^\n#;]*)')
IMPORTED_NAME = re.compile(r'(\w+)(?:\s+as\s+(\w+))?')
CALL = re.compile(r'\b(\w+)\s*\(')


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


def last_verdicts(nb):
    """{exercise id: the last verdict its check left in the executed notebook}."""
    verdicts = {}
    for cell in nb.cells:
        for output in cell.get('outputs', []):
            verdict = output.get('data', {}).get(VERDICT_MIME)
            if verdict:
                verdicts[verdict['exercise']] = verdict
    return verdicts


def cell_error(cell, timeout):
    """Why the executed cell failed, in one line, or None if it did not."""
    for output in cell.get('outputs', []):
        if output.output_type == 'error':
            if output.ename == 'KeyboardInterrupt':     # how the client stops a cell out of time
                return f"the cell ran longer than {timeout} s and was stopped"
            return f"the cell raised {output.ename}: {output.evalue}".splitlines()[0]
    return None


def execute(nb, path, timeout, progress):
    """Run nb in a fresh kernel, going on past errors; why it stopped early, or None."""
    client = NotebookClient(nb, timeout=timeout, interrupt_on_timeout=True, allow_errors=True,
                            kernel_name='python3', store_widget_state=False,
                            extra_arguments=['--IPKernelApp.log_level=ERROR'],  # no start-up notices
                            resources={'metadata': {'path': str(path.parent)}},
                            on_cell_executed=lambda **_: progress.update())
    try:
        client.execute()
    except DeadKernelError:
        return "the kernel died before this exercise's check ran"
    return None


def grade(nb, path, timeout, progress):
    """[(exercise id, result, feedback)] for the notebook nb, read from path, after running it."""
    exercises = exercises_of(nb)
    stopped = execute(nb, path, timeout, progress)
    verdicts = last_verdicts(nb)
    rows = []
    for exercise in [*exercises, *(e for e in verdicts if e not in exercises)]:
        if exercise in verdicts:
            rows.append((exercise, verdicts[exercise]['result'], verdicts[exercise]['feedback'].strip()))
            continue
        errors = (cell_error(nb.cells[i], timeout) for i in exercises.get(exercise, []))
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


def csv_bytes(graded):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator='\n')
    writer.writerow(['notebook', 'exercise', 'result', 'feedback'])
    writer.writerows([name, *row] for name, rows in graded for row in rows)
    return out.getvalue().encode('utf-8')


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
    p.add_argument('--csv', type=Path, metavar='FILE',
                   help='also write one row per notebook and exercise: notebook, exercise, result, feedback')
    p.add_argument('--timeout', type=whole_seconds, default=300, metavar='SECONDS',
                   help='how long one cell may run before it is stopped (default 300)')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        if args.csv and not args.csv.parent.is_dir():
            raise ValueError(f"--csv {args.csv}: no directory {args.csv.parent} to write it in")
        notebooks = [read_notebook(path) for path in args.notebooks]    # all checked before any runs
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    graded = []
    try:
        for number, (path, nb) in enumerate(zip(args.notebooks, notebooks), 1):
            code_cells = sum(cell.cell_type == 'code' for cell in nb.cells)
            with tqdm(total=code_cells, desc=f"{number}/{len(notebooks)} {path.name}", unit='cell',
                      file=sys.stderr, disable=not sys.stderr.isatty(), leave=False) as progress:
                graded.append((str(path), grade(nb, path, args.timeout, progress)))
    except KeyboardInterrupt:
        print("interrupted: nothing was written", file=sys.stderr)
        return 130
    print(table(graded))
    if args.csv:
        write_atomically(args.csv, csv_bytes(graded))
    return 0


if __name__ == '__main__':
    sys.exit(main())
