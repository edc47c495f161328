"""Execute notebooks from a fresh kernel, as a learner's "Restart Kernel and Run All".

    python tests/execute_notebooks.py notebooks/*.ipynb      # re-execute in place

Widget state is not stored: the committed notebooks show every printed output
and picture, while sliders come alive only in a running kernel. A solution cell
(tagged `solution`) is committed folded, and a code one without its outputs, until a learner
opens and runs it.
"""
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / 'notebooks'


def execute(path, timeout=900):
    """Run the notebook at path top to bottom in a new kernel; return the executed notebook."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name='python3', store_widget_state=False,
                            coalesce_streams=True,   # one output per cell's prints, however the kernel flushed them
                            resources={'metadata': {'path': str(Path(path).parent)}})
    client.execute()
    nb.metadata.pop('widgets', None)
    return nb


def as_committed(nb):
    """The executed notebook nb as the repository keeps it: its solution cells folded."""
    for cell in nb.cells:
        if 'solution' in cell.metadata.get('tags', []):
            collapse(cell)
    return nb


def collapse(cell):
    """Fold the cell in JupyterLab, its source and a code cell's outputs; and commit a code cell
    without its outputs, which a repository's web page would show (it cannot fold them)."""
    cell.metadata['jupyter'] = {'source_hidden': True}
    if cell.cell_type == 'code':
        cell.metadata['jupyter']['outputs_hidden'] = True
        cell.outputs = []


def main(paths):
    for path in paths:
        start = time.perf_counter()
        nbformat.write(as_committed(execute(path)), path)
        print(f"{path}: executed in {time.perf_counter() - start:.1f} s")


if __name__ == '__main__':
    main(sys.argv[1:] or sorted(str(p) for p in NOTEBOOKS.glob('*.ipynb')))
