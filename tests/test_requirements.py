"""requirements.txt and environment.yml describe the same environment, and every pin is exact."""

import re

from notebook_checks import ROOT

# conda-forge's name for a PyPI distribution, where the two differ.
CONDA_NAME = {"matplotlib": "matplotlib-base"}


def normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def read_requirements(text):
    """(direct, all): the pins of the '# --- direct ---' block and of the whole file, as {name: version}."""
    direct, everything, block = {}, {}, None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("# ---"):
            block = line.strip("# -")
            continue
        if not line or line.startswith("#") or line == "-e .":
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([0-9][^\s;#]*)", line)
        assert match, f"requirements.txt: {line!r} is not an exact pin 'name==version'"
        name, version = normalise(match.group(1)), match.group(2)
        assert name not in everything, f"requirements.txt pins {name} twice"
        everything[name] = version
        if block == "direct":
            direct[name] = version
    return direct, everything


def read_environment(text):
    """{name: version} of the conda packages pinned in environment.yml (python and pip excluded)."""
    pins = {}
    for raw in text.splitlines():
        match = re.fullmatch(r"\s*-\s+([A-Za-z0-9_.\-]+)\s*(?:=+\s*([^\s#]+))?\s*(#.*)?", raw)
        if not match or match.group(1) in ("python", "pip", "conda-forge", "nodefaults"):
            continue
        assert match.group(2), f"environment.yml: {raw.strip()!r} has no version pin"
        pins[normalise(match.group(1))] = match.group(2)
    return pins


def compare(requirements_text, environment_text):
    """The list of disagreements between the two files (empty when they agree)."""
    direct, _ = read_requirements(requirements_text)
    conda = read_environment(environment_text)
    problems = []
    for name, version in direct.items():
        conda_name = CONDA_NAME.get(name, name)
        if conda_name not in conda:
            problems.append(f"{name}=={version} is in requirements.txt but {conda_name} is not in environment.yml")
        elif conda[conda_name] != version:
            problems.append(f"{name}: requirements.txt pins {version}, environment.yml pins {conda[conda_name]}")
    known = {CONDA_NAME.get(n, n) for n in direct}
    problems += [
        f"{name} is in environment.yml but not among requirements.txt's direct pins"
        for name in sorted(set(conda) - known)
    ]
    return problems


REQUIREMENTS = (ROOT / "requirements.txt").read_text()
ENVIRONMENT = (ROOT / "environment.yml").read_text()


def test_requirements_and_environment_agree():
    assert compare(REQUIREMENTS, ENVIRONMENT) == []


def test_every_requirement_is_pinned_exactly_and_installs_gdlib():
    direct, everything = read_requirements(REQUIREMENTS)
    assert {"numpy", "matplotlib", "ipywidgets", "sympy", "jupyterlab", "nbval", "pytest", "hypothesis"} <= set(direct)
    assert set(direct) <= set(everything)
    assert "-e ." in REQUIREMENTS.splitlines()


def test_installed_versions_match_the_pins():
    from importlib.metadata import PackageNotFoundError, version

    _, everything = read_requirements(REQUIREMENTS)
    wrong = []
    for name, pinned in everything.items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            wrong.append(f"{name} is pinned but not installed")
            continue
        if installed != pinned:
            wrong.append(f"{name}: pinned {pinned}, installed {installed}")
    assert wrong == []


def test_a_changed_pin_is_caught():
    assert compare(REQUIREMENTS.replace("sympy==1.14.0", "sympy==1.13.3"), ENVIRONMENT)
    assert compare(REQUIREMENTS, ENVIRONMENT.replace("  - pytest=9.2.0\n", ""))
    assert compare(REQUIREMENTS, ENVIRONMENT + "  - scipy=1.18.1\n")
