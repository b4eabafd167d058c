"""domain.ids: the esc- id helper."""

from __future__ import annotations

import pytest

from domain.ids import escalation_id_for_key, is_escalation_id, new_escalation_id

RANDOM = bytes(range(10))


def test_new_ids_are_valid_lowercase_and_url_safe() -> None:
    escalation_id = new_escalation_id(1_700_000_000_000, RANDOM)
    assert is_escalation_id(escalation_id)
    assert escalation_id == escalation_id.lower()
    assert escalation_id.startswith("esc-")
    assert len(escalation_id) == 30


@pytest.mark.parametrize(("earlier", "later"), [(0, 1), (1_700_000_000_000, 1_700_000_000_001),
                                            (1_699_999_999_999, 1_800_000_000_000)])
def test_new_ids_sort_by_time_as_text(earlier: int, later: int) -> None:
    assert new_escalation_id(earlier, b"\xff" * 10) < new_escalation_id(later, b"\x00" * 10)


def test_random_bytes_make_ids_differ_within_one_millisecond() -> None:
    assert new_escalation_id(5, RANDOM) != new_escalation_id(5, RANDOM[::-1])


@pytest.mark.parametrize(("now_ms", "random_bytes"), [(-1, RANDOM), (1 << 48, RANDOM),
                                                      (0, b"short")])
def test_new_id_refuses_bad_inputs(now_ms: int, random_bytes: bytes) -> None:
    with pytest.raises(ValueError, match=r"now_ms|random bytes"):
        new_escalation_id(now_ms, random_bytes)


def test_key_ids_are_deterministic_and_distinct() -> None:
    assert escalation_id_for_key("retry-1") == escalation_id_for_key("retry-1")
    assert escalation_id_for_key("retry-1") != escalation_id_for_key("retry-2")
    assert is_escalation_id(escalation_id_for_key("any key at all ✓"))


@pytest.mark.parametrize("value", [
    "", "esc-", "esc-01jd5k7q3mz8x4c9v2b6n0p1r", "esc-01jd5k7q3mz8x4c9v2b6n0p1rtt",
    "ESC-01JD5K7Q3MZ8X4C9V2B6N0P1RT", "esc-01jd5k7q3mz8x4c9v2b6n0p1ri",  # i is not Crockford
    "esc-01jd5k7q3mz8x4c9v2b6n0p1rt\n", "abc-01jd5k7q3mz8x4c9v2b6n0p1rt", "../etc/passwd",
])
def test_malformed_ids_are_refused(value: str) -> None:
    assert not is_escalation_id(value)
