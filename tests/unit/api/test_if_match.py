"""If-Match parsing: one version, quoted or not; anything else is a 400."""

from __future__ import annotations

import pytest

from api.deps import parse_if_match
from api.http.problems import Problem


@pytest.mark.parametrize(("header", "version"), [
    (None, None), ("*", None), ("7", 7), ('"7"', 7), (" 12 ", 12), ('"0"', 0),
])
def test_valid_if_match(header: str | None, version: int | None) -> None:
    assert parse_if_match(header) == version


@pytest.mark.parametrize("header", [
    "", "abc", "-1", "1.5", 'W/"7"', '"7', '7"', '"7", "8"', "1 2", "9" * 19, '""',
])
def test_malformed_if_match_is_400(header: str) -> None:
    with pytest.raises(Problem) as problem:
        parse_if_match(header)
    assert problem.value.status == 400
