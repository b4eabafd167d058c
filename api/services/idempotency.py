"""Which workflow a create request names, and the fingerprint that tells a retry from a reuse.

With an Idempotency-Key the workflow id is derived from the key, so concurrent retries meet in
one workflow (update-with-start, USE_EXISTING) and the workflow compares body fingerprints.
"""

from __future__ import annotations

import hashlib
import json
import os
import time

from domain.ids import escalation_id_for_key, new_escalation_id
from domain.models import CreateEscalationInput


def request_hash(body: CreateEscalationInput) -> str:
    """sha256 of the canonical JSON of the validated body: key order, spacing and omitted
    defaults do not make two requests different."""
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def escalation_id_for(idempotency_key: str | None) -> str:
    if idempotency_key is not None:
        return escalation_id_for_key(idempotency_key)
    return new_escalation_id(time.time_ns() // 1_000_000, os.urandom(10))
