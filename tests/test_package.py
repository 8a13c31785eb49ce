"""The package's shape: `import gdlib` needs only numpy, and the public names are an explicit list."""

import subprocess
import sys

import pytest

import gdlib as gd

HEAVY = ("matplotlib", "sympy", "ipywidgets", "IPython", "pygments", "torch", "scipy")


def test_import_needs_only_numpy():
    code = f"import sys, gdlib; heavy = {HEAVY!r}; print(','.join(m for m in heavy if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "", f"import gdlib also imported: {loaded.stdout.strip()}"


def test_heavy_submodules_load_on_first_use():
    code = "import sys, gdlib as gd; gd.theory; gd.plots; print('sympy' in sys.modules, 'matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True"]


def test_public_names_are_explicit_and_resolve():
    assert len(gd.__all__) == len(set(gd.__all__)), "a name is listed twice in gdlib.__all__"
    for name in gd.__all__:
        assert getattr(gd, name) is not None, name


def test_every_public_object_is_listed():
    defined = {
        name
        for name, value in vars(gd).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith("gdlib")
    }
    assert defined <= set(gd.__all__), f"public but not in __all__: {sorted(defined - set(gd.__all__))}"


def test_unknown_attribute_is_a_clear_error():
    with pytest.raises(AttributeError, match="no_such_thing"):
        gd.no_such_thing  # noqa: B018 (the attribute access is the test)
