"""Fixtures for the web tests: the application under Starlette's TestClient (no socket)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from calcgrad.web.app import create_app


@pytest.fixture(scope="module")
def client() -> TestClient:
    """A client of one application for the whole module (SymPy stays warm between tests)."""
    with TestClient(create_app()) as test_client:
        yield test_client
