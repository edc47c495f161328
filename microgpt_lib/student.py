"""python -m microgpt_lib.student --out DIR NOTEBOOK...: the student edition of chapters.

A chapter's solutions are cells tagged `solution` (code that passes the exercise's check, or
the answers to the "why" questions); the student edition leaves them out and clears the
outputs of the cells tagged `exercise`, where the learner's answers go.
"""
import argparse
import sys
from pathlib import Path

from nbconvert import NotebookExporter
from traitlets.config import Config

from .data import write_atomically
from .grade import read_notebook

WITHOUT_SOLUTIONS = Config(TagRemovePreprocessor={
    'enabled': True,
    'remove_cell_tags': {'solution'},
    'remove_all_outputs_tags': {'exercise'},
})


def student_edition(nb):
    """The student edition of the notebook nb, as the text of a new notebook file."""
    text, _ = NotebookExporter(config=WITHOUT_SOLUTIONS).from_notebook_node(nb)
    return text


def main(argv=None):
    p = argparse.ArgumentParser(prog='python -m microgpt_lib.student',
                                description="Write each notebook's student edition, under the same name.")
    p.add_argument('notebooks', nargs='+', type=Path, metavar='NOTEBOOK')
    p.add_argument('--out', type=Path, required=True, metavar='DIR', help='folder to write them in')
    args = p.parse_args(argv)
    try:
        notebooks = [read_notebook(path) for path in args.notebooks]
        if args.out.exists() and not args.out.is_dir():
            raise ValueError(f"--out {args.out}: not a folder")
        if any(path.parent.resolve() == args.out.resolve() for path in args.notebooks):
            raise ValueError(f"--out {args.out} holds the notebooks themselves: they would be overwritten")
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for path, nb in zip(args.notebooks, notebooks):
        write_atomically(args.out / path.name, student_edition(nb).encode('utf-8'))
        print(args.out / path.name)
    return 0


if __name__ == '__main__':
    sys.exit(main())
