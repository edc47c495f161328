"""Execute notebooks from a fresh kernel, as a learner's "Restart Kernel and Run All".

    python tests/execute_notebooks.py notebooks/*.ipynb      # re-execute in place

Widget state is not stored: the committed notebooks show every printed output
and picture, while sliders come alive only in a running kernel.

An exercise's solution is committed as a markdown cell tagged `solution`: a closed
`<details>` that holds its code and what that code printed, so that JupyterLab and a
repository's web page alike show it only when asked. Here it runs as the code cell it
shows, right after its exercise, and is then written back with its fresh output.
"""
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from microgpt_lib.exercises import VERDICT_MIME

NOTEBOOKS = Path(__file__).resolve().parent.parent / 'notebooks'
SUMMARY = '<details><summary>Solution</summary>\n\n'
SOLUTION = re.compile(re.escape(SUMMARY) + r'```python\n(.*?)\n```\n', re.S)
TEXT = {'text/plain', VERDICT_MIME}     # a check's verdict shows as the text it printed


def execute(path, timeout=900):
    """Run the notebook at path top to bottom in a new kernel, its solutions too; return it executed,
    each solution a code cell with its outputs."""
    nb = nbformat.read(path, as_version=4)
    nb.cells = [as_code(cell) if is_solution_code(cell) else cell for cell in nb.cells]
    client = NotebookClient(nb, timeout=timeout, kernel_name='python3', store_widget_state=False,
                            coalesce_streams=True,   # one output per cell's prints, however the kernel flushed them
                            resources={'metadata': {'path': str(Path(path).parent)}})
    client.execute()
    nb.metadata.pop('widgets', None)
    return nb


def is_solution_code(cell):
    return cell.cell_type == 'markdown' and 'solution' in cell.metadata.get('tags', []) \
        and SOLUTION.match(cell.source) is not None


def as_code(cell):
    """The solution's markdown cell as the code cell it shows."""
    code = nbformat.v4.new_code_cell(SOLUTION.match(cell.source)[1], metadata=cell.metadata)
    code.id = cell.id
    return code


def as_committed(nb):
    """The executed notebook nb as the repository keeps it: each solution a closed <details>, and
    not folded too (in JupyterLab that would take two clicks to open)."""
    for index, cell in enumerate(nb.cells):
        if 'solution' in cell.metadata.get('tags', []):
            if cell.cell_type == 'code':
                nb.cells[index] = cell = as_markdown(cell)
            cell.metadata.pop('jupyter', None)
    return nb


def as_markdown(cell):
    """The executed solution cell as a closed <details> with its code and what it printed."""
    source = f"{SUMMARY}```python\n{cell.source}\n```\n"
    printed = printed_text(cell).rstrip('\n')
    if printed:
        source += f"\nIt prints:\n\n```text\n{printed}\n```\n"
    metadata = {key: value for key, value in cell.metadata.items() if key != 'execution'}
    markdown = nbformat.v4.new_markdown_cell(source + "\n</details>", metadata=metadata)
    markdown.id = cell.id
    return markdown


def printed_text(cell):
    """What the code cell printed or displayed, as text; ValueError if it showed more than text."""
    parts = []
    for out in cell.outputs:
        if out.output_type == 'stream':
            parts.append(out.text)
        elif set(out.get('data', {})) <= TEXT:
            parts.append(out.data.get('text/plain', ''))
        else:
            raise ValueError(f"a solution shows {out.output_type} that is not text: {cell.source[:60]!r}")
    return ''.join(parts)


def main(paths):
    for path in paths:
        start = time.perf_counter()
        nbformat.write(as_committed(execute(path)), path)
        print(f"{path}: executed in {time.perf_counter() - start:.1f} s")


if __name__ == '__main__':
    main(sys.argv[1:] or sorted(str(p) for p in NOTEBOOKS.glob('*.ipynb')))
