"""The console board's filters as the URL keeps them (api/console/pages/board.py)."""

from __future__ import annotations

from api.console.pages.board import BoardQuery


def test_the_paused_filter_reaches_the_store_and_stays_in_the_url() -> None:
    query = BoardQuery.model_validate({"paused": "true"})
    assert query.filters().paused is True
    assert "paused=true" in query.url().lower()  # the board reads True and true alike
    assert BoardQuery.model_validate({"paused": ""}).filters().paused is None
