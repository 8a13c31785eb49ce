"""The assignments: solutions pass every test, released stubs fail every test with its own message, the
committed release is what the release tool writes, and the nbgrader metadata is consistent."""

import json
import re
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from notebook_checks import ROOT

SOURCE = ROOT / "exercises" / "source"
RELEASE = ROOT / "exercises" / "release"
ASSIGNMENTS = sorted(p.name for p in SOURCE.iterdir() if p.is_dir())


def nbgrader_meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def is_test_cell(cell):
    m = nbgrader_meta(cell)
    return cell["cell_type"] == "code" and m.get("grade") and not m.get("solution")


def execute(path, allow_errors=False):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    return nb


def errors(cell):
    return [o for o in cell.get("outputs", []) if o["output_type"] == "error"]


def test_one_assignment_per_chapter():
    assert ASSIGNMENTS == ["a01_steepest_descent", "a02_convergence", "a03_stochastic", "a04_momentum"]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_solutions_pass_visible_and_hidden_tests(name):
    path = SOURCE / name / f"{name}.ipynb"
    source = path.read_text()
    assert "### BEGIN HIDDEN TESTS" in source and "### BEGIN SOLUTION" in source
    nb = execute(path)  # raises CellExecutionError on the first failing cell
    assert not any(errors(c) for c in nb.cells)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_released_stubs_fail_each_test_with_its_own_message(name):
    nb = execute(RELEASE / name / f"{name}.ipynb", allow_errors=True)
    messages = []
    for cell in nb.cells:
        if cell["cell_type"] != "code":
            continue
        if is_test_cell(cell):
            (error,) = errors(cell)
            assert error["ename"] == "AssertionError", f"a test cell failed with {error['ename']}, not a test failure"
            assert re.match(r"Task \d+: \w+ is not implemented yet", error["evalue"]), error["evalue"]
            messages.append(error["evalue"])
        else:
            assert not errors(cell), f"a non-test cell crashed before the tests ran: {errors(cell)}"
    assert len(messages) >= 3 and len(set(messages)) == len(messages)


def test_committed_release_equals_a_fresh_release(tmp_path):
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "release_exercises.py"), "--release", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(RELEASE) for p in RELEASE.rglob("*") if p.is_file())
    assert fresh == committed
    for rel in fresh:
        assert (tmp_path / rel).read_bytes() == (RELEASE / rel).read_bytes(), f"{rel} differs: run make release"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_hides_solutions_and_hidden_tests(name):
    released = (RELEASE / name / f"{name}.ipynb").read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in released
    nb = json.loads(released)
    assert all(
        not c.get("outputs") and c.get("execution_count") is None for c in nb["cells"] if c["cell_type"] == "code"
    )


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_nbgrader_metadata_is_consistent(name):
    nb = json.loads((SOURCE / name / f"{name}.ipynb").read_text())
    metas = [nbgrader_meta(c) for c in nb["cells"]]
    assert all(m.get("schema_version") == 3 for m in metas), "every cell carries nbgrader schema-3 metadata"
    ids = [m["grade_id"] for m in metas]
    assert len(ids) == len(set(ids)), "grade_ids must be unique"
    assert all(m.get("locked") for c, m in zip(nb["cells"], metas, strict=True) if is_test_cell(c)), (
        "test cells are locked"
    )
    points = {}
    for _cell, m in zip(nb["cells"], metas, strict=True):
        if m.get("grade"):
            task = int(re.match(r"task(\d+)", m["grade_id"]).group(1))
            points[task] = points.get(task, 0) + m["points"]
    text = "".join(nb["cells"][0]["source"])
    total = int(re.search(r"Total: \*\*(\d+) points\*\*", text).group(1))
    stated = {int(t): int(p) for t, p in re.findall(r"Task (\d+): (\d+)", text)}
    assert stated == points and total == sum(points.values())
    for cell in nb["cells"]:
        heading = re.match(r"## Task (\d+) \((\d+) points", "".join(cell["source"]))
        if heading:
            assert points[int(heading.group(1))] == int(heading.group(2))
