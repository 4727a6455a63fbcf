"""Test helpers for the fast lane, shared by the services that mount it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import FastAPI

from akiba_stock_api.fastlane import FastLane

if TYPE_CHECKING:
    import pytest


def watch_fast_lane(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each write request is taken by the fast lane (True) or passed on (False)."""
    seen: list[bool] = []
    plan = FastLane._plan

    def spy(self: FastLane, *args: Any) -> Any:
        planned = plan(self, *args)
        seen.append(planned is not None)
        return planned

    monkeypatch.setattr(FastLane, "_plan", spy)
    return seen


def without_fast_lane(app: FastAPI) -> FastAPI:
    """The app with its fast lane taken out: FastAPI's routes answer every request."""
    lane: Any = FastLane  # a middleware class, as Starlette keeps it
    app.user_middleware = [m for m in app.user_middleware if m.cls is not lane]
    return app
