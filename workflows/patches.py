"""Every `workflow.patched` id the workflow uses, with when its old branch can go.

A patch keeps escalations that started on older code replaying the commands they recorded; new
escalations take the new branch. Retire one in two releases: first `workflow.deprecate_patch(ID)`
with the old branch removed, once no escalation opened before the patch is still open (search
the Temporal UI for open workflows started before the date below); then drop the call and its
histories folder under tests/histories/ once no history with the marker is open either.
"""

from __future__ import annotations

# 2026-11-24. The intake update answers once intake is in the store, not once it is decided.
# Old branch: escalations opened before that date (tests/histories/before-intake-patch/).
INTAKE_RETURNS_AFTER_RECORD = "intake-returns-after-record"

# 2026-11-24. The action that confirms customer access also closes the related records and
# opens the internal RCA task before it answers. Old branch: the run loop did it afterwards.
CLOSE_STAGE_ENTERED_BY_THE_ACTION = "close-stage-entered-by-the-action"

# 2026-11-24. Only the search attributes whose value changed are upserted.
# Old branch: all seven on every change (tests/histories/before-changed-search-attributes/).
UPSERT_CHANGED_SEARCH_ATTRIBUTES = "upsert-changed-search-attributes"

# 2026-12-06. A start input that carries the API's count of the customer's prior escalations
# (but no final routing) skips intake's lookup activity. Only requests sent by an API of
# 2026-12-06 reach this patch; newer APIs send the final routing (EscalationRequest
# .history_counted) and no patch is consulted (tests/histories/before-repeat-customer-count/).
REPEAT_CUSTOMER_COUNTED_BY_API = "repeat-customer-counted-by-api"

# 2026-12-06. A transition's deliveries start beside its store write, in the same workflow
# task. Old branch: after the write (tests/histories/before-notify-beside-record/).
NOTIFY_BESIDE_RECORD = "notify-beside-record"

# 2026-12-06. Related records close in their own systems (PagerDuty, Jira, ServiceNow, webhook):
# one activity per record, outcomes as they come; the RCA no longer waits for them. Old branch:
# the store-only close_related_records activity, then the RCA
# (tests/histories/before-related-records-in-their-systems/).
RELATED_RECORDS_CLOSED_IN_THEIR_SYSTEMS = "related-records-closed-in-their-systems"

# 2026-12-06. After intake, and after details that add related records, a comment with the
# console link on each related record of a known system. Old branch: none (consulted only when
# there is a record to link).
RELATED_RECORDS_LINKED_AT_START = "related-records-linked-at-start"

# 2026-12-06. After an internal RCA with corrective actions, a problem record in the team's
# problem system. Old branch: none (consulted only when the team's policy names one).
PROBLEM_RECORDS_OPENED = "problem-records-opened"

# 2026-12-06. A complaint opened with its record (reference, received_at, complainant, codes)
# gets the record's clocks: acknowledgement to the complainant (sent by itself before its
# deadline), the five-business-day window, the team lead's warning and the final response. Only
# requests carrying a record consult it, so no other history changes. Old branch: complaints
# opened before keep the delay-notice timer they were opened with
# (tests/histories/before-complaint-record/). Retire when none of those is open.
COMPLAINT_RECORD = "complaint-record"
# 2026-12-06. The resolve gates have clocks (issue 20): a declared resolution arms the
# verification reminder and deadline, a verified one those of the customer's confirmation and
# a request to the engagement lead. Old branch: declarations and verifications recorded before
# that date, which armed no timer and sent no request (tests/histories/before-resolution-gate-
# clocks/).
RESOLUTION_GATE_CLOCKS = "resolution-gate-clocks"

# 2026-12-06. A delivery that completes once the server suggests continue-as-new wakes the run
# loop, which hands over (issue 20: every status update now reaches someone, so a long-lived
# escalation's history also grows by its deliveries). Old branch: only an action or a timer woke
# it, and a backlog of deliveries could grow one run's history far past the suggestion. Only
# runs past the suggestion reach the check, so no recorded history holds its marker.
CONTINUE_AS_NEW_WHILE_DELIVERING = "continue-as-new-while-delivering"
