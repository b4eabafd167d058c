"""The workflow's timers by kind, and the armed timer the run loop waits for."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel


class TimerKind(StrEnum):
    NOTICE = "notice"
    ACKNOWLEDGE = "acknowledge"
    ENGAGE_MORE = "engage_more"
    RESOLVE_WARNING = "resolve_warning"
    RESOLVE_DEADLINE = "resolve_deadline"
    UPDATE_CADENCE = "update_cadence"
    INTERNAL_RCA_REMINDER = "internal_rca_reminder"
    INTERNAL_RCA_OVERDUE = "internal_rca_overdue"
    CUSTOMER_RCA_REMINDER = "customer_rca_reminder"
    CUSTOMER_RCA_OVERDUE = "customer_rca_overdue"
    DELAY_NOTICE = "delay_notice"
    FINAL_RESPONSE = "final_response"
    COMPLAINT_ACKNOWLEDGEMENT_AUTO = "complaint_acknowledgement_auto"
    COMPLAINT_ACKNOWLEDGEMENT = "complaint_acknowledgement"
    EARLY_RESOLUTION_WINDOW = "early_resolution_window"
    FINAL_RESPONSE_WARNING = "final_response_warning"
    # The resolve gates (lifecycle/gates.py; their values are gates.timer_kinds).
    VERIFY_REMINDER = "verify_reminder"
    VERIFY_OVERDUE = "verify_overdue"
    CONFIRM_REMINDER = "confirm_reminder"
    CONFIRM_OVERDUE = "confirm_overdue"
    # A pause ends by itself at its `until`, or when the policy's pause.max_total is used up.
    PAUSE_ENDS = "pause_ends"

    @property
    def regulatory(self) -> bool:
        """A regulator's clock (RG 271): it runs on while the SLA clocks are paused."""
        return self in REGULATORY


# The complaint clocks; DELAY_NOTICE is the one complaints opened before the record still have.
REGULATORY = frozenset({
    TimerKind.DELAY_NOTICE, TimerKind.FINAL_RESPONSE, TimerKind.COMPLAINT_ACKNOWLEDGEMENT_AUTO,
    TimerKind.COMPLAINT_ACKNOWLEDGEMENT, TimerKind.EARLY_RESOLUTION_WINDOW,
    TimerKind.FINAL_RESPONSE_WARNING,
})


class PendingTimer(BaseModel):
    kind: TimerKind
    due: datetime
    summary: str
