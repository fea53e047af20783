"""Every betsy execution-conformance case converted to Zeebe's BPMN runs through the public
client on `memory://` and gives betsy's expected trace (compared sorted, as betsy does).
`make conformance-betsy` prints the figure; tests/conformance/betsy.py is the runner."""

from __future__ import annotations

import os

import pytest

from tests.conformance import betsy

if not (betsy.BETSY / "tests.json").is_file():
    _message = f"betsy conformance suite not found at {betsy.BETSY} (set HONEYFLOW_SHARED)"
    if os.environ.get("CI"):  # CI always has shared/ beside the clone: never skip there
        raise RuntimeError(_message)
    pytestmark = pytest.mark.skip(reason=_message)
    CASES: list[betsy.Case] = []
else:
    CASES = betsy.cases()


def test_every_runnable_case_is_collected() -> None:
    # 76 converted models, 121 cases (betsy's README); a lost file would silently shrink this
    assert len({c.test for c in CASES}) == 76
    assert len(CASES) == 121


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_betsy_case(case: betsy.Case) -> None:
    outcome = betsy.run_case(case)
    assert outcome.matches, (
        f"expected {sorted(case.trace)}, got {sorted(outcome.trace)}; {'; '.join(outcome.notes)}"
    )
