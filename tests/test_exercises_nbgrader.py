"""The assignments through real nbgrader (needs nbgrader; CI requires it): `nbgrader generate_assignment`
gives the same student version as tools/release_exercises.py, and `nbgrader autograde` gives the solutions
full marks and the released stubs zero — for the committed release (variant 0) and for an instructor variant
(VARIANT = 7, of the assignments on the variant convention)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import require
from notebook_checks import ROOT

pytestmark = pytest.mark.nbgrader  # a slow real-client test: run by `make test-all`, not `make test`

nbgrader = require("nbgrader")
ASSIGNMENTS = sorted(p.name for p in (ROOT / "exercises" / "source").iterdir() if p.is_dir())
VARIANT = 7
sys.path.insert(0, str(ROOT / "tools"))
import release_exercises as tool  # noqa: E402


def nbgrader_cli(course, *args):
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={course}"],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def cells(path):
    """(cell type, source) of every cell. nbgrader also adds checksums and cell-type records to the metadata
    of its student version; those are bookkeeping for its own autograder, so only what a student sees — the
    cells and their text — is compared."""
    nb = json.loads(Path(path).read_text())
    return [(c["cell_type"], "".join(c["source"])) for c in nb["cells"]]


def source_nb(name):
    import nbformat

    return nbformat.read(ROOT / "exercises" / "source" / name / f"{name}.ipynb", as_version=4)


def with_variant(names):
    return [n for n in names if tool.has_variant(source_nb(n))]


@pytest.fixture(scope="module", params=[None, VARIANT], ids=["committed", f"variant{VARIANT}"])
def course(request, tmp_path_factory):
    """A course root whose source/ is ours (variant None) or ours with every VARIANT line set to 7; nbgrader
    generates the student versions and autogrades a solver (the source) and a stub (our student version)."""
    import nbformat

    variant = request.param
    root = tmp_path_factory.mktemp("course")
    names = ASSIGNMENTS if variant is None else with_variant(ASSIGNMENTS)
    ours = ROOT / "exercises" / "release" if variant is None else root / "ours"  # the committed release is variant 0
    for name in names:
        shutil.copytree(ROOT / "exercises" / "source" / name, root / "source" / name)
        if variant is not None:
            nb = tool.variant_source(source_nb(name), variant)
            nbformat.write(nb, root / "source" / name / f"{name}.ipynb")
            (ours / name).mkdir(parents=True)
            nbformat.write(tool.student_version(nb), ours / name / f"{name}.ipynb")
    for name in names:
        nbgrader_cli(root, "generate_assignment", name, "--force")
        for student, origin in (("solver", root / "source"), ("stub", ours)):
            target = root / "submitted" / student / name
            target.mkdir(parents=True)
            shutil.copy(origin / name / f"{name}.ipynb", target)
        nbgrader_cli(root, "autograde", name, "--create")
    return root, names, ours


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_generate_assignment_matches_our_release(course, name):
    root, names, ours = course
    if name not in names:
        pytest.skip(f"{name} is not on the VARIANT convention yet")
    assert cells(root / "release" / name / f"{name}.ipynb") == cells(ours / name / f"{name}.ipynb")


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_autograde_scores(course, name):
    from nbgrader.api import Gradebook

    root, names, _ = course
    if name not in names:
        pytest.skip(f"{name} is not on the VARIANT convention yet")
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        solver = gradebook.find_submission(name, "solver")
        stub = gradebook.find_submission(name, "stub")
        assert solver.max_code_score > 0
        assert solver.code_score == solver.max_code_score, "the solutions must earn every autograded point"
        assert stub.code_score == 0, "an untouched released notebook must earn no autograded point"
