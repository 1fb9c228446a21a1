import importlib.util
from pathlib import Path

import pytest

# The organizational-life tests' own branch (a federation, a unit, a branch, its members and a
# secretary's sign-in), reused for hand-built home-page scenarios (tests run in importlib mode,
# so the module is loaded by its path).
_spec = importlib.util.spec_from_file_location(
    "orglife_world", Path(__file__).parents[1] / "orglife" / "conftest.py"
)
assert _spec is not None and _spec.loader is not None
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)
Branch = _module.Branch


@pytest.fixture
def world(db):
    return Branch()
