"""The assignments: solutions pass every test, released stubs fail every test with its own message, the
committed release is what the release tool writes, the nbgrader metadata is consistent (automatic points at
least half), and an instructor variant (`make release VARIANT=7`) passes its own solutions with numbers of its
own. Assignments on the variant convention (a `VARIANT = <seed>` line in the first code cell) must also ship
a RUBRIC.md referenced from every hand-graded cell."""

import functools
import json
import re
import shutil
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from notebook_checks import ROOT

SOURCE = ROOT / "exercises" / "source"
RELEASE = ROOT / "exercises" / "release"
ASSIGNMENTS = sorted(p.name for p in SOURCE.iterdir() if p.is_dir())
VARIANT = 7  # the instructor variant the tests release and solve

sys.path.insert(0, str(ROOT / "tools"))
import release_exercises as tool  # noqa: E402


def source_nb(name):
    return nbformat.read(SOURCE / name / f"{name}.ipynb", as_version=4)


def require_variant(name):
    if not tool.has_variant(source_nb(name)):
        pytest.skip(f"{name} is not on the VARIANT convention yet")


def nbgrader_meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def is_test_cell(cell):
    m = nbgrader_meta(cell)
    return cell["cell_type"] == "code" and m.get("grade") and not m.get("solution")


def execute(path, allow_errors=False, nb=None):
    nb = nbformat.read(path, as_version=4) if nb is None else nb
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


@functools.cache
def executed_source(name, variant=None):
    """The source notebook (solutions and hidden tests), with its VARIANT line set to ``variant`` when given,
    executed top to bottom; raises CellExecutionError on the first failing cell. Cached: each is run once."""
    nb = source_nb(name)
    return execute(SOURCE / name / f"{name}.ipynb", nb=nb if variant is None else tool.variant_source(nb, variant))


def printed(nb):
    """Every text a code cell printed, in order."""
    return [
        o["text"]
        for c in nb.cells
        if c["cell_type"] == "code"
        for o in c.get("outputs", [])
        if o["output_type"] == "stream"
    ]


def test_one_assignment_per_chapter():
    """Chapters 1–12 each have an assignment aNN_<topic> with the chapter's topic, and no assignment lacks its
    chapter (the preface and the playground have none)."""
    chapters = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb") if 1 <= int(p.stem[:2]) <= 12)
    assert chapters[:4] == ["01_steepest_descent", "02_convergence", "03_stochastic", "04_momentum"]
    assert [f"{a[1:3]}_{a[4:]}" for a in ASSIGNMENTS] == chapters, (ASSIGNMENTS, chapters)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_solutions_pass_visible_and_hidden_tests(name):
    path = SOURCE / name / f"{name}.ipynb"
    source = path.read_text()
    assert "### BEGIN HIDDEN TESTS" in source and "### BEGIN SOLUTION" in source
    nb = executed_source(name)  # raises CellExecutionError on the first failing cell
    assert not any(errors(c) for c in nb.cells)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_variant_follows_the_convention(name):
    require_variant(name)
    nb = source_nb(name)
    first = tool.first_code_cell(nb).source
    lines = [line for line in first.split("\n") if line.startswith("VARIANT")]
    assert lines == ["VARIANT = 0  # instructors: `make release VARIANT=<seed>` rewrites this line"], lines
    assert "np.random.default_rng(VARIANT)" in "".join(c.source for c in nb.cells if c.cell_type == "code")
    for bad in (-1, 1.5, "7"):
        with pytest.raises(ValueError, match="non-negative integer"):
            tool.variant_source(nb, bad)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_variant_release_passes_its_own_solutions_with_its_own_numbers(name):
    """`make release VARIANT=7` gives a student version whose filled-in solutions pass every visible and hidden
    test of variant 7, and whose data (every printed number) differ from variant 0's."""
    require_variant(name)
    student = tool.student_version(tool.variant_source(source_nb(name), VARIANT))
    committed = nbformat.read(RELEASE / name / f"{name}.ipynb", as_version=4)
    differing = [
        (a.source, b.source) for a, b in zip(student.cells, committed.cells, strict=True) if a.source != b.source
    ]
    assert len(differing) == 1 and f"VARIANT = {VARIANT}  #" in differing[0][0], "only the VARIANT line may differ"
    nb = executed_source(name, VARIANT)  # the solutions in the variant: raises on the first failing test
    assert not any(errors(c) for c in nb.cells)
    ours, base = printed(nb), printed(executed_source(name))
    assert ours and base and ours[0] != base[0], "the data cell of the variant must print other numbers than variant 0"
    assert sum(a != b for a, b in zip(ours, base, strict=False)) >= 2, "the results of the variant must differ too"


def test_release_tool_writes_a_variant_and_refuses_a_notebook_without_one(tmp_path):
    names = [n for n in ASSIGNMENTS if tool.has_variant(source_nb(n))]
    if not names:
        pytest.skip("no assignment on the VARIANT convention yet")
    for n in names:
        shutil.copytree(SOURCE / n, tmp_path / "source" / n)
    cli = [sys.executable, str(ROOT / "tools" / "release_exercises.py"), "--source", str(tmp_path / "source")]
    subprocess.run(
        [*cli, "--release", str(tmp_path / "r7"), "--variant", str(VARIANT)], check=True, capture_output=True
    )
    for n in names:
        written = (tmp_path / "r7" / n / f"{n}.ipynb").read_text()
        assert f"VARIANT = {VARIANT}  # instructors:" in written and "VARIANT = 0 " not in written
        want = tool.student_version(tool.variant_source(source_nb(n), VARIANT))
        assert nbformat.reads(written, as_version=4).cells == want.cells
    plain = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import numpy as np")])
    (tmp_path / "source" / "zz_plain").mkdir()
    nbformat.write(plain, tmp_path / "source" / "zz_plain" / "zz_plain.ipynb")
    done = subprocess.run([*cli, "--release", str(tmp_path / "bad"), "--variant", "3"], capture_output=True, text=True)
    assert done.returncode == 2 and "zz_plain.ipynb" in done.stderr and not (tmp_path / "bad").exists()


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_rubric_beside_the_notebook_is_referenced_by_every_hand_graded_cell(name):
    require_variant(name)
    rubric = SOURCE / name / "RUBRIC.md"
    assert rubric.is_file(), f"{rubric} is missing"
    text = rubric.read_text()
    nb = json.loads((SOURCE / name / f"{name}.ipynb").read_text())
    manual = [c for c in nb["cells"] if nbgrader_meta(c).get("grade") and nbgrader_meta(c).get("solution")]
    assert manual, "a problem set has hand-graded work"
    for cell in manual:
        task = int(re.match(r"task(\d+)", nbgrader_meta(cell)["grade_id"]).group(1))
        i = nb["cells"].index(cell)
        prompt = "".join(nb["cells"][i - 1]["source"])
        assert "RUBRIC.md" in prompt, f"the prompt of Task {task} must point to RUBRIC.md"
        levels = re.findall(rf"^\| {task}\.\d+ ", text, flags=re.MULTILINE)
        assert levels, f"RUBRIC.md has no criteria {task}.x"
        assert 2 * len(levels) == nbgrader_meta(cell)["points"], (
            f"Task {task}: 0/1/2 per criterion must add up to its points"
        )
    assert "| 2 points | 1 point | 0 points |" in text


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
    auto = sum(m["points"] for c, m in zip(nb["cells"], metas, strict=True) if m.get("grade") and is_test_cell(c))
    assert 2 * auto >= total, f"automatic points ({auto}) must be at least half of the total ({total})"
    for cell in nb["cells"]:
        heading = re.match(r"## Task (\d+) \((\d+) points", "".join(cell["source"]))
        if heading:
            assert points[int(heading.group(1))] == int(heading.group(2))
