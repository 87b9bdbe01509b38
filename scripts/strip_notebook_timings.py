"""Drop the per-cell execution timestamps nbconvert writes, so a re-run changes only real outputs.

    python scripts/strip_notebook_timings.py notebooks/*.ipynb
"""

from __future__ import annotations

import sys

import nbformat


def main(paths: list[str]) -> None:
    for path in paths:
        notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        changed = False
        for cell in notebook.cells:
            if "execution" in cell.get("metadata", {}):
                del cell.metadata["execution"]
                changed = True
        if changed:
            nbformat.write(notebook, path)


if __name__ == "__main__":
    main(sys.argv[1:])
