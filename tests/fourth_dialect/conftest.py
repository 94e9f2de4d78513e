"""The app the fourth-dialect tests talk to: the gateway's registry plus Mini, registered in one line."""
from __future__ import annotations

from typing import Any

import pytest

from gateway.app import create_app
from gateway.registry import DIALECTS
from gateway.settings import Settings
from tests.fourth_dialect.dialect import DIALECT as MINI


@pytest.fixture
def app(settings: Settings) -> Any:
    return create_app(settings, dialects=(*DIALECTS, MINI))
