"""The assignments through real nbgrader (needs nbgrader; CI requires it): `nbgrader generate_assignment`
gives the same student version as tools/release_exercises.py, and `nbgrader autograde` gives the solutions
full marks and the released stubs zero."""

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


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "exercises" / "source", root / "source")
    for name in ASSIGNMENTS:
        nbgrader_cli(root, "generate_assignment", name, "--force")
        for student, origin in (("solver", root / "source"), ("stub", ROOT / "exercises" / "release")):
            target = root / "submitted" / student / name
            target.mkdir(parents=True)
            shutil.copy(origin / name / f"{name}.ipynb", target)
        nbgrader_cli(root, "autograde", name, "--create")
    return root


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_generate_assignment_matches_our_release(course, name):
    theirs = cells(course / "release" / name / f"{name}.ipynb")
    ours = cells(ROOT / "exercises" / "release" / name / f"{name}.ipynb")
    assert theirs == ours


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_autograde_scores(course, name):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        solver = gradebook.find_submission(name, "solver")
        stub = gradebook.find_submission(name, "stub")
        assert solver.max_code_score > 0
        assert solver.code_score == solver.max_code_score, "the solutions must earn every autograded point"
        assert stub.code_score == 0, "an untouched released notebook must earn no autograded point"
