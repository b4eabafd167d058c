"""Who else has an escalation open in the console, and what they are doing (the seeds'
collision detection): each open page renews its row; rows older than WINDOW are gone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api.services.store import StoreReader
from store.queries import Presence, touch_presence

WINDOW = timedelta(seconds=30)
VIEWING = "viewing"


class PresenceBoard:
    def __init__(self, store: StoreReader) -> None:
        self._store = store

    async def touch(self, escalation_id: str, person: str, activity: str) -> list[Presence]:
        """Note `person` on the page now; the others seen within WINDOW."""
        now = datetime.now(UTC)
        return await self._store.write(lambda s: touch_presence(
            s, escalation_id=escalation_id, person=person, activity=activity[:60], at=now,
            since=now - WINDOW))
