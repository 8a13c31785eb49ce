"""Execute notebooks in place, each top to bottom in one fresh kernel, and store their outputs.

    python tools/execute_notebooks.py notebooks/*.ipynb

Used by `make execute`. Widget state is stored so that widgets still render without a kernel; timing
metadata is not, so that re-executing an unchanged chapter leaves its file unchanged apart from images.
Prints the wall time of each notebook (kernel start included).
"""

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path, timeout=600):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        store_widget_state=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    nb.metadata.pop("execution", None)
    nbformat.write(nb, path)
    return elapsed


def main(paths):
    if not paths:
        sys.exit("usage: execute_notebooks.py NOTEBOOK.ipynb ...")
    total = 0.0
    for name in paths:
        elapsed = execute(Path(name))
        total += elapsed
        print(f"{elapsed:7.2f} s  {name}")
    print(f"{total:7.2f} s  total")


if __name__ == "__main__":
    main(sys.argv[1:])
