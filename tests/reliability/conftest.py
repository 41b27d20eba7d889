# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fixtures for the reliability suite: the integration tests' Daemon (tests/integration/daemon.py)
and a session client that speaks the channel protocol to a daemon's command socket directly, so
a thousand sessions cost no thousand CLI processes."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from daemon import ensure_test_user, public_dir  # noqa: E402


@pytest.fixture(scope="session")
def state_dir():
    ensure_test_user()
    return public_dir("vmsilo-state-")
