"""Every stored notebook is a clean top-to-bottom run: see tests/notebook_checks.py for the rules."""

import base64
import copy
import io

import PIL.Image
import pytest

from notebook_checks import (
    ROOT,
    all_problems,
    execution_problems,
    image_problems,
    install_cell_problems,
    metadata_problems,
    opening_problems,
    output_problems,
    tag_problems,
)

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert [p.name for p in NOTEBOOKS][:1] == ["00_preface.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_clean(path):
    problems = all_problems(path)
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


# The rules themselves can fail: each one fires on a copy of a good notebook broken on purpose.


def _good():
    return {
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "# A chapter\n\n## Learning objectives\n- x"},
            {
                "cell_type": "code",
                "metadata": {},
                "execution_count": 1,
                "outputs": [],
                "source": "try:\n    import gdlib\nexcept ImportError:\n    %pip install gdlib",
            },
            {
                "cell_type": "code",
                "metadata": {},
                "execution_count": 2,
                "outputs": [{"output_type": "stream", "name": "stdout", "text": "0.500000\n"}],
                "source": "print(f'{0.5:.6f}')",
            },
        ],
    }


def _every_rule(nb, size=1000):
    return (
        execution_problems(nb)
        + output_problems(nb)
        + metadata_problems(nb, size)
        + opening_problems(nb)
        + tag_problems(nb)
        + install_cell_problems(nb)
        + image_problems(nb)
    )


def _png(width, height):
    buffer = io.BytesIO()
    PIL.Image.new("RGB", (width, height), "white").save(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure_output(width, height, shown=None):
    """A display_data output as the inline backend stores it: 'retina' adds the display size as metadata."""
    return {
        "output_type": "display_data",
        "metadata": {"image/png": shown} if shown else {},
        "data": {"image/png": _png(width, height), "text/plain": "<Figure size 640x288 with 1 Axes>"},
    }


def test_good_notebook_passes_every_rule():
    assert _every_rule(_good()) == []


def _break(change):
    nb = copy.deepcopy(_good())
    change(nb)
    return nb


BROKEN = {
    "out of order": lambda nb: nb["cells"][2].update(execution_count=5),
    "never executed": lambda nb: nb["cells"][2].update(execution_count=None),
    "stored error": lambda nb: nb["cells"][2]["outputs"].append(
        {"output_type": "error", "ename": "ValueError", "evalue": "x", "traceback": []}
    ),
    "stderr": lambda nb: nb["cells"][2]["outputs"].append(
        {"output_type": "stream", "name": "stderr", "text": "RuntimeWarning: overflow"}
    ),
    "local path": lambda nb: nb["cells"][2]["outputs"][0].update(text="/home/alice/book/x.npz\n"),
    "site-packages": lambda nb: nb["cells"][2]["outputs"][0].update(text="lib/python3.11/site-packages/numpy\n"),
    "kernel": lambda nb: nb["metadata"]["kernelspec"].update(name="julia-1.10"),
    "no title": lambda nb: nb["cells"][0].update(source="Some text\n## Learning objectives"),
    "no objectives": lambda nb: nb["cells"][0].update(source="# Title\nprose"),
    "ignore without widget": lambda nb: nb["cells"][2]["metadata"].update(tags=["nbval-ignore-output"]),
    "skip tag": lambda nb: nb["cells"][2]["metadata"].update(tags=["nbval-skip"]),
    "no install cell": lambda nb: nb["cells"][1].update(source="import gdlib"),
    "figure at 1x": lambda nb: nb["cells"][2]["outputs"].append(_figure_output(64, 30)),
    "figure size not 2x": lambda nb: nb["cells"][2]["outputs"].append(
        _figure_output(64, 30, {"width": 64, "height": 30})
    ),
}


@pytest.mark.parametrize("name", BROKEN)
def test_each_rule_fires(name):
    assert _every_rule(_break(BROKEN[name])), f"breaking the notebook ({name}) went unnoticed"


def test_size_bound_fires():
    assert metadata_problems(_good(), 2_000_000)


def test_ignore_tag_allowed_on_widget_cell():
    def widget(nb):
        nb["cells"][2]["metadata"]["tags"] = ["nbval-ignore-output"]
        nb["cells"][2]["outputs"] = [
            {
                "output_type": "display_data",
                "metadata": {},
                "data": {"text/plain": "VBox()", "application/vnd.jupyter.widget-view+json": {"model_id": "ab"}},
            }
        ]

    assert _every_rule(_break(widget)) == []


def test_figure_at_2x_passes():
    def retina(nb):
        nb["cells"][2]["outputs"].append(_figure_output(129, 60, {"width": 64, "height": 30}))

    assert _every_rule(_break(retina)) == []
