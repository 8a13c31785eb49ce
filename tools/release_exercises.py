"""Write the student version of every assignment, without needing nbgrader.

    python tools/release_exercises.py [--source exercises/source] [--release exercises/release]

For each exercises/source/<a>/<a>.ipynb this writes exercises/release/<a>/<a>.ipynb the way
`nbgrader generate_assignment` does: code between "### BEGIN SOLUTION" and "### END SOLUTION" becomes
nbgrader's stub (``# YOUR CODE HERE`` / ``raise NotImplementedError()``, indented like the region), a
written answer becomes "YOUR ANSWER HERE", hidden tests between "### BEGIN HIDDEN TESTS" and
"### END HIDDEN TESTS" are removed, and every output and execution count is cleared. The nbgrader metadata
is kept, so the released notebook can still be collected and autograded. The output is deterministic.
"""

import argparse
import re
import shutil
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
CODE_STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]
TEXT_STUB = ["YOUR ANSWER HERE"]


def replace_regions(source, begin, end, stub):
    """Replace each begin…end region (delimiter lines included) by ``stub`` lines indented like ``begin``;
    ``stub=None`` removes the region. Returns (new source, whether a region was found)."""
    out, inside, found = [], False, False
    for line in source.split("\n"):
        if begin in line:
            if inside:
                raise ValueError(f"nested '{begin}' regions")
            inside, found = True, True
            indent = re.match(r"\s*", line).group(0)
            out.extend(indent + s for s in (stub or []))
        elif end in line:
            if not inside:
                raise ValueError(f"'{end}' without '{begin}'")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"'{begin}' without '{end}'")
    return "\n".join(out), found


def student_version(nb):
    """The released notebook: solutions stubbed, hidden tests removed, outputs cleared."""
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        stub = CODE_STUB if cell.cell_type == "code" else TEXT_STUB
        cell.source, replaced = replace_regions(cell.source, "BEGIN SOLUTION", "END SOLUTION", stub)
        if meta.get("solution") and not replaced:
            cell.source = "\n".join(stub)
        cell.source, _ = replace_regions(cell.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def release(source_dir, release_dir):
    """Write the student version of every assignment; returns the paths written."""
    written = []
    for source in sorted(Path(source_dir).glob("*/*.ipynb")):
        target = Path(release_dir) / source.parent.name / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(student_version(nbformat.read(source, as_version=4)), target)
        written.append(target)
        for extra in sorted(source.parent.iterdir()):  # data files an assignment ships with
            if extra.suffix != ".ipynb" and extra.is_file():
                shutil.copyfile(extra, target.parent / extra.name)
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=ROOT / "exercises" / "source", type=Path)
    parser.add_argument("--release", default=ROOT / "exercises" / "release", type=Path)
    args = parser.parse_args()
    for path in release(args.source, args.release):
        print(f"wrote {path.relative_to(args.release.parent) if path.is_relative_to(args.release.parent) else path}")


if __name__ == "__main__":
    main()
