"""python -m microgpt_lib.student --out DIR NOTEBOOK...: the student edition of chapters.

A chapter's solutions are markdown cells tagged `solution` (a closed <details> with the code
that passes the exercise's check and what it prints, or the answers to the "why" questions);
the student edition leaves them out, and the speaker notes (markdown cells of slide type
`notes`, which speak to the teacher), and clears the outputs of the cells tagged `exercise`,
where the learner's answers go.

The pieces the learner writes are marked as nbgrader marks them: in the student edition the
lines from `### BEGIN SOLUTION` to `### END SOLUTION` become nbgrader's stub, indented like
them, and a cell nbgrader calls a solution cell without such lines becomes the stub alone. So
`nbgrader generate_assignment`, configured with `configure_nbgrader`, gives the same cells.
"""
import argparse
import os
import sys
from pathlib import Path

from nbconvert import NotebookExporter
from nbconvert.preprocessors import Preprocessor
from traitlets.config import Config

from .data import keep_stderr, name_max, output_target, write_atomically
from .grade import read_notebook

WITHOUT_SOLUTIONS = Config(TagRemovePreprocessor={
    'enabled': True,
    'remove_cell_tags': {'solution'},
    'remove_all_outputs_tags': {'exercise'},
})


BEGIN, END = '### BEGIN SOLUTION', '### END SOLUTION'
STUB = ['# YOUR CODE HERE', 'raise NotImplementedError()']      # nbgrader's stub for Python


def without_solution(source):
    """The source with each region from a BEGIN line to its END line replaced by the stub."""
    lines, inside = [], False
    for line in source.split('\n'):
        if BEGIN in line:
            if inside:
                raise ValueError(f"a {BEGIN} inside another one:\n{source}")
            inside = True
            indent = line[:len(line) - len(line.lstrip())]
            lines += [indent + stub for stub in STUB]
        elif END in line:
            inside = False
        elif not inside:
            lines.append(line)
    if inside:
        raise ValueError(f"a {BEGIN} without its {END}:\n{source}")
    return '\n'.join(lines)


class ClearSolutions(Preprocessor):
    """The learner's part of each code cell left for them to write, as nbgrader does it."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == 'code':
            try:
                source = without_solution(cell.source)
            except ValueError as e:
                raise ValueError(f"cell {index}: {e}") from None
            if source == cell.source and cell.metadata.get('nbgrader', {}).get('solution'):
                source = '\n'.join(STUB)
            cell.source = source
        return cell, resources


def configure_nbgrader(c):
    """Make nbgrader's generate_assignment leave out what the student edition leaves out.

    In a course's nbgrader_config.py: `from microgpt_lib.student import configure_nbgrader`,
    then `configure_nbgrader(get_config())`.
    """
    from nbconvert.preprocessors import TagRemovePreprocessor
    from nbgrader.converters import GenerateAssignment
    c.merge(WITHOUT_SOLUTIONS)
    c.RemoveSpeakerNotes.enabled = True
    c.GenerateAssignment.preprocessors = [TagRemovePreprocessor, RemoveSpeakerNotes,
                                          *GenerateAssignment.class_traits()['preprocessors'].default()]


def is_speaker_note(cell):
    return cell.cell_type == 'markdown' and cell.metadata.get('slideshow', {}).get('slide_type') == 'notes'


class RemoveSpeakerNotes(Preprocessor):
    def preprocess(self, nb, resources):
        nb.cells = [cell for cell in nb.cells if not is_speaker_note(cell)]
        return nb, resources


def student_edition(nb):
    """The student edition of the notebook nb, as the text of a new notebook file."""
    exporter = NotebookExporter(config=WITHOUT_SOLUTIONS)
    exporter.register_preprocessor(RemoveSpeakerNotes, enabled=True)
    exporter.register_preprocessor(ClearSolutions, enabled=True)
    text, _ = exporter.from_notebook_node(nb)
    return text


def edition_of(path):
    """The student edition of the notebook at path, or ValueError naming the path."""
    nb = read_notebook(path)
    try:
        return student_edition(nb)
    except ValueError as e:
        raise ValueError(f"{path}, {e}") from None


def out_folder_problem(out, names):
    """Why the folder out (which does not exist yet) cannot be made to hold names, or None."""
    existing = next(p for p in [out, *out.parents] if os.path.lexists(p))     # '.' at the latest
    if not existing.is_dir():
        return f"{existing} is not a folder" if existing.exists() else f"{existing} is a dangling symlink"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"folder {existing} is not writable"
    if any(len(os.fsencode(part)) > name_max(existing)
           for name in names for part in (out / name).relative_to(existing).parts):
        return "a file name in it would be too long"
    return None


def check_outputs(out, paths):
    """The files the editions of paths will replace in out, checked before anything is written."""
    names = {}
    for path in paths:
        if path.name in names:
            raise ValueError(f"{names[path.name]} and {path} would both be written to {out / path.name}")
        names[path.name] = path
    if not os.path.isdir(out):                       # (Path.is_dir raises on a too long name)
        problem = out_folder_problem(out, names)
        if problem:
            raise ValueError(f"--out {out}: {problem}")
        return [out / name for name in names]
    return [output_target(out / name, 'write the student edition to', inputs=paths,
                          inputs_are='one of the notebooks') for name in names]


def main(argv=None):
    p = argparse.ArgumentParser(prog='python -m microgpt_lib.student',
                                description="Write each notebook's student edition, under the same name.")
    p.add_argument('notebooks', nargs='+', type=Path, metavar='NOTEBOOK')
    p.add_argument('--out', required=True, metavar='DIR', help='folder to write them in')
    keep_stderr()
    args = p.parse_args(argv)
    try:
        if not args.out:        # Path('') would be the current folder
            raise ValueError("--out needs a folder name, got ''")
        args.out = Path(args.out)
        editions = [edition_of(path) for path in args.notebooks]
        targets = check_outputs(args.out, args.notebooks)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        for target, path, edition in zip(targets, args.notebooks, editions):
            write_atomically(target, edition.encode('utf-8'))
            print(args.out / path.name)
    except OSError as e:            # e.g. the disk is full: what was printed above was written whole
        print(f"error: cannot write in {args.out}: {e.strerror or e}", file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
