from __future__ import annotations

import pytest

from messages import Renderer


@pytest.fixture(scope="session")
def zh() -> Renderer:
    return Renderer()


@pytest.fixture(scope="session")
def en() -> Renderer:
    return Renderer("en")


@pytest.fixture(scope="session", params=["zh", "en"])
def renderer(request: pytest.FixtureRequest) -> Renderer:
    return Renderer(request.param)
