"""python -m microgpt_lib.workbook [--out workbook]: the learner's own copy of the course.

On first use, writes the learner's edition (see microgpt_lib.student) of every chapter into a
folder of the learner's, which git ignores, so that `git pull` and `make notebooks` never touch
the learner's work. It never overwrites a file there: when a chapter has changed since the
learner's copy was written, the new edition is written beside it, with the date in its name
(`03_building_blocks.new-2026-12-02.ipynb`), and one line says so. Which edition each copy
came from is kept in the folder's EDITIONS file; an edition is new when the text of its cells
changed (outputs alone, such as a timing from re-running a chapter, do not count).
"""
import argparse
import datetime
import hashlib
import json
import sys
from pathlib import Path

import nbformat

from .data import keep_stderr, write_atomically
from .grade import read_notebook
from .student import student_edition

COURSE = Path(__file__).resolve().parent.parent / 'notebooks'
EDITIONS = '.editions.json'         # {chapter file name: fingerprint of the edition last written}


def fingerprint(edition):
    """What identifies an edition: its cells' kinds and sources, not their outputs."""
    cells = nbformat.reads(edition, as_version=4).cells
    text = json.dumps([[cell.cell_type, cell.source] for cell in cells])
    return hashlib.sha256(text.encode('utf-8')).hexdigest()


def beside(path, today):
    """A free name for a new edition of path, next to it: NAME.new-DATE.ipynb (then -2, -3, ...)."""
    for n in range(1, 1000):
        suffix = '' if n == 1 else f'-{n}'
        candidate = path.with_name(f'{path.stem}.new-{today}{suffix}{path.suffix}')
        if not candidate.exists():
            return candidate
    raise ValueError(f"too many new editions beside {path}: tidy the folder {path.parent}")


def update(out, chapters, today):
    """Write what is missing or new in the learner's folder out; the new editions written beside a copy."""
    out.mkdir(parents=True, exist_ok=True)
    record_path = out / EDITIONS
    record = json.loads(record_path.read_text(encoding='utf-8')) if record_path.exists() else {}
    written_beside = []
    for chapter in chapters:
        edition = student_edition(read_notebook(chapter))
        mark = fingerprint(edition)
        copy = out / chapter.name
        if not copy.exists():
            write_atomically(copy, edition.encode('utf-8'))
        elif record.setdefault(chapter.name, mark) != mark:    # a copy we did not write: taken as current
            new = beside(copy, today)
            write_atomically(new, edition.encode('utf-8'))
            written_beside.append(new)
        record[chapter.name] = mark
        write_atomically(record_path, json.dumps(record, indent=1, sort_keys=True).encode('utf-8'))
    return written_beside


def main(argv=None):
    p = argparse.ArgumentParser(prog='python -m microgpt_lib.workbook', description=__doc__.splitlines()[0])
    p.add_argument('--out', type=Path, default=Path('workbook'), metavar='DIR',
                   help="the learner's folder (default: workbook)")
    p.add_argument('--course', type=Path, default=COURSE, metavar='DIR',
                   help="the teacher's edition, the chapters (default: the course's notebooks/)")
    keep_stderr()
    args = p.parse_args(argv)
    chapters = sorted(args.course.glob('[0-9][0-9]_*.ipynb'))
    try:
        if not chapters:
            raise ValueError(f"no chapters (NN_name.ipynb) in {args.course}")
        if args.out.exists() and not args.out.is_dir():
            raise ValueError(f"--out {args.out} is not a folder")
        new = update(args.out, chapters, datetime.date.today().isoformat())
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:            # e.g. a read-only folder or a full disk: nothing half written
        print(f"error: cannot write in {args.out}: {e.strerror or e}", file=sys.stderr)
        return 2
    if new:
        print(f"Your work in {args.out}/ is kept; new editions of {len(new)} chapter(s) are beside it: "
              + ", ".join(path.name for path in new))
    return 0


if __name__ == '__main__':
    sys.exit(main())
