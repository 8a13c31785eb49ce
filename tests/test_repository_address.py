"""The book's public address is written once, in pyproject.toml's [project.urls]; every copy (the README's
badges, each notebook's install cell) must agree with it, so a move is one edit plus this test."""

import re

import tomllib

from notebook_checks import ROOT

# github.com/OWNER/NAME, Colab's github/OWNER/NAME and Binder's gh/OWNER/NAME
ADDRESS = re.compile(r"(?:github\.com|colab\.research\.google\.com/github|mybinder\.org/v2/gh)/([\w.-]+)/([\w.-]+)")


def repository():
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    match = ADDRESS.search(urls["Repository"])
    assert match, f"[project.urls] Repository is not a GitHub address: {urls['Repository']!r}"
    return match.groups()


def copies():
    """Every (file, owner, name) written outside pyproject.toml that names the book's repository."""
    files = [
        ROOT / "README.md",
        *sorted((ROOT / "notebooks").glob("*.ipynb")),
        *sorted((ROOT / "exercises").glob("*/*/*.ipynb")),
    ]
    book_name = repository()[1]
    found = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for m in ADDRESS.finditer(text):
            owner, name = m.group(1), m.group(2).removesuffix(".git")
            # the book's own address: a badge, an install URL, or any link naming the book's repository (links to
            # other projects' repositories, which chapters cite, are not copies of it)
            ours = "github.com" not in m.group(0) or text[max(0, m.start() - 12) : m.start()].endswith("git+https://")
            if ours or name == book_name:
                found.append((path.relative_to(ROOT).as_posix(), owner, name))
    return found


def test_every_copy_of_the_address_agrees_with_pyproject():
    owner, name = repository()
    found = copies()
    kinds = {
        re.search(r"colab|mybinder|github\.com", m.group(0)).group(0)
        for m in ADDRESS.finditer((ROOT / "README.md").read_text(encoding="utf-8"))
    }
    assert kinds == {"colab", "mybinder"} and len(found) >= 3, "the README badges should name the repository"
    wrong = [f for f in found if (f[1], f[2]) != (owner, name)]
    assert not wrong, f"these copies disagree with pyproject.toml's {owner}/{name}: {wrong}"


def test_every_chapter_installs_gdlib_from_that_address():
    owner, name = repository()
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert f"git+https://github.com/{owner}/{name}" in path.read_text(encoding="utf-8"), path.name
