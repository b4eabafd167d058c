"""Inputs and outputs of the bare baselines; passed through the sandbox, as our `domain` is."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class Step(BaseModel):
    update: str
    awaited: int  # run one after another inside the update handler (our store write)
    background: int  # started by the handler, not awaited by it (our deliveries)


# Our lifecycle as the benchmark drives it (create -> ... -> customer RCA): per update, the
# activities of EscalationWorkflow (record_escalation and close_related_records awaited;
# deliver_notification in the background; the API counts the customer's prior escalations
# before the start, so intake runs no count_prior_escalations). The harness compares these
# totals with a real history of ours and reports any difference.
LIFECYCLE_PLAN: list[Step] = [
    Step(update="intake", awaited=1, background=1),
    Step(update="send_notice", awaited=1, background=2),
    Step(update="set_action_plan", awaited=1, background=0),
    Step(update="declare_resolution", awaited=1, background=1),
    Step(update="verify_resolution", awaited=1, background=2),
    Step(update="confirm_customer_access", awaited=1, background=3),
    Step(update="submit_internal_rca", awaited=1, background=1),
    Step(update="share_customer_rca", awaited=1, background=1),
]


class Sizes(BaseModel):
    """Padding, in bytes, that gives the bare payloads the sizes of ours (--bare-sized).

    Measured on our P1 lifecycle history (bench/results, `lifecycle.shape.ours.by_kind`): the
    start input (request, routing, policy snapshot), a store write's input (view and timeline
    entries), a delivery's input (notification and target) and an update's answer (the view).
    """

    start: int = 7_000
    record: int = 3_000
    deliver: int = 900
    view: int = 2_600


class BareInput(BaseModel):
    plan: list[Step]
    body: dict[str, Any] = {}
    # The awaited activities as local activities, as ours runs its store writes (--bare-local).
    local_awaited: bool = False
    sizes: Sizes | None = None  # None: the bare payloads stay as small as they can be
    pad: str = ""  # sizes.start bytes, carried for the life of the run as our input is


class BareView(BaseModel):
    id: str
    step: int
    status: str
    pad: str = ""


class HoldInput(BaseModel):
    due: datetime
    body: dict[str, Any] = {}
