"""Write the student version of every assignment, without needing nbgrader.

    python tools/release_exercises.py [--source exercises/source] [--release exercises/release] [--variant SEED]

For each exercises/source/<a>/<a>.ipynb this writes exercises/release/<a>/<a>.ipynb the way
`nbgrader generate_assignment` does: code between "### BEGIN SOLUTION" and "### END SOLUTION" becomes
nbgrader's stub (``# YOUR CODE HERE`` / ``raise NotImplementedError()``, indented like the region), a
written answer becomes "YOUR ANSWER HERE", hidden tests between "### BEGIN HIDDEN TESTS" and
"### END HIDDEN TESTS" are removed, and every output and execution count is cleared. The nbgrader metadata
is kept, so the released notebook can still be collected and autograded. The output is deterministic.

Instructor variants: the first code cell of every source notebook holds one line
``VARIANT = 0  # instructors: `make release VARIANT=<seed>` rewrites this line``, and every number a
student works with is drawn from ``np.random.default_rng(VARIANT)``. ``--variant SEED`` rewrites that line
to ``VARIANT = SEED`` in the student version (and ``variant_source`` does the same to a source notebook, so
a variant can be checked against its own solutions). Without ``--variant`` the line stays as the source has
it (0): the committed release is the VARIANT = 0 one.
"""

import argparse
import re
import shutil
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
CODE_STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]
TEXT_STUB = ["YOUR ANSWER HERE"]
VARIANT_LINE = re.compile(r"^VARIANT = (\d+)(  # instructors: .*)$", re.MULTILINE)


def first_code_cell(nb):
    return next(cell for cell in nb.cells if cell.cell_type == "code")


def has_variant(nb):
    """Whether the notebook follows the variant convention (one VARIANT line in its first code cell)."""
    return len(VARIANT_LINE.findall(first_code_cell(nbformat.from_dict(nb)).source)) == 1


def variant_source(nb, seed):
    """The notebook with its VARIANT line set to ``seed`` (a non-negative integer); a copy."""
    if not (isinstance(seed, int) and seed >= 0):
        raise ValueError(f"the variant must be a non-negative integer seed (got {seed!r})")
    nb = nbformat.from_dict(nb)
    cell = first_code_cell(nb)
    if len(VARIANT_LINE.findall(cell.source)) != 1:
        raise ValueError("the first code cell must hold exactly one line 'VARIANT = <seed>  # instructors: ...'")
    cell.source = VARIANT_LINE.sub(lambda m: f"VARIANT = {seed}{m.group(2)}", cell.source)
    return nb


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


def release(source_dir, release_dir, variant=None):
    """Write the student version of every assignment (with its VARIANT line set to ``variant`` when one is
    given); returns the paths written. Every source is checked before anything is written."""
    sources = sorted(Path(source_dir).glob("*/*.ipynb"))
    notebooks = [nbformat.read(source, as_version=4) for source in sources]
    if variant is not None:
        missing = [s.name for s, nb in zip(sources, notebooks, strict=True) if not has_variant(nb)]
        if missing:
            raise ValueError(f"no 'VARIANT = <seed>  # instructors: ...' line in the first code cell of {missing}")
        notebooks = [variant_source(nb, variant) for nb in notebooks]
    written = []
    for source, nb in zip(sources, notebooks, strict=True):
        target = Path(release_dir) / source.parent.name / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(student_version(nb), target)
        written.append(target)
        for extra in sorted(source.parent.iterdir()):  # data files an assignment ships with
            if extra.suffix != ".ipynb" and extra.is_file():
                shutil.copyfile(extra, target.parent / extra.name)
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=ROOT / "exercises" / "source", type=Path)
    parser.add_argument("--release", default=ROOT / "exercises" / "release", type=Path)
    parser.add_argument(
        "--variant", type=int, default=None, help="the seed written into every VARIANT line (default: as in source, 0)"
    )
    args = parser.parse_args()
    try:
        paths = release(args.source, args.release, args.variant)
    except ValueError as error:
        parser.exit(2, f"release_exercises: {error}\n")
    for path in paths:
        print(f"wrote {path.relative_to(args.release.parent) if path.is_relative_to(args.release.parent) else path}")


if __name__ == "__main__":
    main()
