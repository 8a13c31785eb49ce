"""Shared test fixtures.

Optional oracles (torch, nbgrader, a real browser) are not needed to work on the book: their tests skip
locally with a message saying how to enable them. CI sets ``GDBOOK_REQUIRE_<NAME>=1`` (see ``.ci/run``),
and then a missing oracle is a failure, never a skip.
"""

import importlib
import os
import sys

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run, so a result on one machine is the result on another;
# HYPOTHESIS_PROFILE=explore draws new examples on every run (for hunting bugs, not for CI).
settings.register_profile("book", derandomize=True, database=None)
settings.register_profile("explore", database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "book"))

HOW_TO_ENABLE = {
    "torch": "pip install -r requirements-oracles.txt (torch 2.13.0, CPU)",
    "nbgrader": "pip install -r requirements-oracles.txt (nbgrader)",
    "playwright": "pip install -r requirements-oracles.txt and apt-get install chromium",
    "optax": "pip install -r requirements-oracles.txt (jax, jaxlib, optax: CPU)",
    "jax": "pip install -r requirements-oracles.txt (jax, jaxlib, optax: CPU)",
    "scipy": "pip install -r requirements-oracles.txt (scipy)",
    "ml_dtypes": "pip install -r requirements-oracles.txt (ml_dtypes)",
}
REQUIRE_VARIABLE = {
    "torch": "GDBOOK_REQUIRE_TORCH",
    "nbgrader": "GDBOOK_REQUIRE_NBGRADER",
    "playwright": "GDBOOK_REQUIRE_BROWSER",
    "optax": "GDBOOK_REQUIRE_OPTAX",
    "jax": "GDBOOK_REQUIRE_OPTAX",
    "scipy": "GDBOOK_REQUIRE_SCIPY",
    "ml_dtypes": "GDBOOK_REQUIRE_ML_DTYPES",
}


def is_required(name):
    """True when CI demands the optional tool ``name`` (its GDBOOK_REQUIRE_* variable is 1)."""
    return os.environ.get(REQUIRE_VARIABLE[name], "") == "1"


def require(name):
    """Import the optional module ``name``; skip the test if it is missing, fail if CI requires it."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        message = f"{name} is not installed ({exc}); to run this test: {HOW_TO_ENABLE[name]}"
        if is_required(name):
            pytest.fail(f"{REQUIRE_VARIABLE[name]}=1 but {message}", pytrace=False)
        pytest.skip(message, allow_module_level=True)


def require_chromium():
    """playwright's sync API and Debian's Chromium, or skip (fail when GDBOOK_REQUIRE_BROWSER=1)."""
    require("playwright")
    if not os.path.exists("/usr/bin/chromium"):
        message = "Chromium is not installed at /usr/bin/chromium; to run this test: apt-get install chromium"
        if is_required("playwright"):
            pytest.fail(f"GDBOOK_REQUIRE_BROWSER=1 but {message}", pytrace=False)
        pytest.skip(message, allow_module_level=True)
    from playwright.sync_api import sync_playwright

    return sync_playwright


@pytest.fixture(autouse=True)
def _restore_torch_default_dtype():
    """A test that sets torch's default dtype (to compare in float64) must not change it for the next test
    in the same worker: restore it afterwards (torch's own default, float32, if torch was not loaded yet)."""
    torch = sys.modules.get("torch")
    before = torch.get_default_dtype() if torch is not None else None
    yield
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_default_dtype(before if before is not None else torch.float32)
