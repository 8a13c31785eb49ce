"""Every docstring example in gdlib runs and prints what it says."""

import doctest
import importlib
import pkgutil

import pytest

import gdlib

MODULES = sorted(m.name for m in pkgutil.walk_packages(gdlib.__path__, "gdlib."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert failures == 0
