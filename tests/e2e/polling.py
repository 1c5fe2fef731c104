"""Waiting for a condition in end-to-end tests: poll, never a fixed sleep."""

from __future__ import annotations

import time


def wait_for(predicate, timeout: float, what: str = "condition", interval: float = 0.05):
    """Polls `predicate` until it returns something true (returned) or `timeout` passes (fails)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    value = predicate()
    assert value, f"timed out after {timeout}s waiting for {what}"
    return value
