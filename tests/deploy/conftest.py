"""The helm binary every chart test renders with."""

from __future__ import annotations

import os

import pytest

from tests.deploy.chart_render import find_helm


@pytest.fixture(scope="session")
def helm() -> str:
    """helm, or a skip on a developer's machine without it; under CI (where .ci/run builds
    it) a missing helm is a failure, never a silent skip."""
    found = find_helm()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("helm is missing: .ci/run builds it with `make helm`")
        pytest.skip("helm is not installed: `make helm` builds it (Go module proxy)")
    return found
