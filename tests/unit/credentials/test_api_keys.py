"""The keys file: loading, constant-time lookup, `keys add` and the development keys."""

from __future__ import annotations

import hashlib
import stat
import tomllib
from pathlib import Path

import pytest

from credentials.api_keys import (
    KeyRing,
    KeysFileError,
    add_key,
    ensure_dev_keys,
    hash_token,
    load_keys,
)
from domain.enums import Role
from domain.models import Actor


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_hashed_and_plain_keys_authenticate(tmp_path: Path) -> None:
    digest = hashlib.sha256(b"hashed-token-0123456789").hexdigest()
    path = write(tmp_path / "k.toml", f"""
[[keys]]
name = "alice"
role = "incident_manager"
token_sha256 = "{digest}"

[[keys]]
name = "vic"
role = "viewer"
token = "plain-dev-token-0123456789"
""")
    ring = load_keys(path)
    assert ring.authenticate("hashed-token-0123456789") == Actor(
        name="alice", role=Role.INCIDENT_MANAGER)
    assert ring.authenticate("plain-dev-token-0123456789") == Actor(name="vic", role=Role.VIEWER)
    assert ring.authenticate("hashed-token-012345678") is None
    assert ring.authenticate("") is None


@pytest.mark.parametrize(("body", "complaint"), [
    ("", "no [[keys]]"),
    ("keys = 3", "array of tables"),
    ("[[keys]]\nname = 'a'\nrole = 'admin'\ntoken = 'x' \n", ".role"),
    ("[[keys]]\nname = 'a'\nrole = 'system'\ntoken = '0123456789abcdef'\n", ".role"),
    ("[[keys]]\nname = 'a'\nrole = 'viewer'\n", "exactly one"),
    ("[[keys]]\nname = 'a'\nrole = 'viewer'\ntoken = 'short'\n", "at least 16"),
    ("[[keys]]\nname = 'a'\nrole = 'viewer'\ntoken_sha256 = 'abc'\n", "64 hex"),
    ("[[keys]]\nname = ''\nrole = 'viewer'\ntoken = '0123456789abcdef'\n", ".name"),
    ("[[keys]]\nname = 'a'\nrole = 'viewer'\ntoken = '0123456789abcdef'\nextra = 1\n", "unknown"),
    ("[[keys]\n", "not valid TOML"),
])
def test_malformed_files_are_refused_with_the_reason(
    tmp_path: Path, body: str, complaint: str
) -> None:
    with pytest.raises(KeysFileError, match=r"k\.toml") as error:
        load_keys(write(tmp_path / "k.toml", body))
    assert complaint in str(error.value)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeysFileError, match="cannot read"):
        load_keys(tmp_path / "absent.toml")


def test_add_key_stores_only_the_digest(tmp_path: Path) -> None:
    path = tmp_path / "dir" / "k.toml"
    token = add_key(path, 'Zoë "ops" Smith', Role.ENGINEER)
    text = path.read_text(encoding="utf-8")
    assert token not in text
    assert hash_token(token) in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = add_key(path, "bob", Role.VIEWER)
    ring = load_keys(path)
    assert ring.authenticate(token) == Actor(name='Zoë "ops" Smith', role=Role.ENGINEER)
    assert ring.authenticate(second) == Actor(name="bob", role=Role.VIEWER)


def test_add_key_refuses_to_extend_a_broken_file(tmp_path: Path) -> None:
    path = write(tmp_path / "k.toml", "[[keys]]\nname = 'a'\n")
    with pytest.raises(KeysFileError):
        add_key(path, "bob", Role.VIEWER)


def test_dev_keys_are_created_once_and_reported_each_time(tmp_path: Path) -> None:
    path = tmp_path / "k.toml"
    first = ensure_dev_keys(path)
    assert set(first) == {Role.INCIDENT_MANAGER, Role.ENGINEER, Role.ENGAGEMENT_LEAD, Role.VIEWER,
                          Role.INTAKE}
    assert ensure_dev_keys(path) == first
    ring = load_keys(path)
    assert {ring.authenticate(t).role for t in first.values()} == set(first)  # type: ignore[union-attr]
    assert len(tomllib.loads(path.read_text())["keys"]) == 5


def test_aliases_are_names_the_same_person_goes_by(tmp_path: Path) -> None:
    path = tmp_path / "keys.toml"
    add_key(path, "Sam Lead", Role.ENGAGEMENT_LEAD, aliases=["Sam", "Support engagement lead"])

    assert load_keys(path).names_of("Sam Lead") == ("Sam Lead", "Sam", "Support engagement lead")
    assert load_keys(path).names_of("nobody") == ("nobody",)


def test_a_key_id_names_a_key_without_being_a_credential(tmp_path: Path) -> None:
    path = tmp_path / "keys.toml"
    token = add_key(path, "alice", Role.INCIDENT_MANAGER)
    ring = load_keys(path)

    key_id = ring.key_id(token)
    assert key_id is not None
    assert token not in key_id
    assert ring.authenticate(key_id) is None  # it does not open the API
    assert ring.actor_for(key_id) == ring.authenticate(token)
    assert KeyRing(keys=()).actor_for(key_id) is None  # a removed key signs its holder out


def test_dev_keys_carry_the_aliases_they_are_given(tmp_path: Path) -> None:
    path = tmp_path / "keys.toml"
    tokens = ensure_dev_keys(path, {Role.ENGAGEMENT_LEAD: ["Sam"]})

    ring = load_keys(path)
    lead = ring.authenticate(tokens[Role.ENGAGEMENT_LEAD])
    assert lead is not None
    assert ring.names_of(lead.name) == (lead.name, "Sam")


def test_dev_keys_from_before_aliases_get_them_and_keep_their_tokens(tmp_path: Path) -> None:
    path = tmp_path / "keys.toml"
    before = ensure_dev_keys(path)

    after = ensure_dev_keys(path, {Role.ENGINEER: ["Priya"]})

    assert after == before
    engineer = load_keys(path).authenticate(after[Role.ENGINEER])
    assert engineer is not None
    assert load_keys(path).names_of(engineer.name) == (engineer.name, "Priya")


def test_a_dev_file_with_keys_added_by_hand_is_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "keys.toml"
    ensure_dev_keys(path)
    add_key(path, "carol", Role.VIEWER)
    text = path.read_text(encoding="utf-8")

    ensure_dev_keys(path, {Role.ENGINEER: ["Priya"]})

    assert path.read_text(encoding="utf-8") == text
class TestSlackUserIds:
    def test_a_mapped_slack_member_acts_as_its_key(self, tmp_path: Path) -> None:
        path = tmp_path / "k.toml"
        add_key(path, "erin", Role.ENGINEER, slack_user_id="U0123ABCD")
        add_key(path, "vic", Role.VIEWER)
        ring = load_keys(path)
        assert ring.by_slack_user("U0123ABCD") == Actor(name="erin", role=Role.ENGINEER)
        assert ring.by_slack_user("U0OTHER") is None

    def test_a_malformed_member_id_is_refused_with_where_to_find_one(self, tmp_path: Path
                                                                      ) -> None:
        path = write(tmp_path / "k.toml", """
[[keys]]
name = "erin"
role = "engineer"
token = "plain-dev-token-0123456789"
slack_user_id = "erin@acme"
""")
        with pytest.raises(KeysFileError, match=r"keys\[0\]\.slack_user_id: .*member id"):
            load_keys(path)

    def test_one_member_mapped_to_two_keys_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "k.toml"
        add_key(path, "erin", Role.ENGINEER, slack_user_id="U0123ABCD")
        with pytest.raises(KeysFileError, match="already mapped"):
            add_key(path, "erin-too", Role.VIEWER, slack_user_id="U0123ABCD")
        path.write_text(path.read_text() + path.read_text())
        with pytest.raises(KeysFileError, match="more than one key"):
            load_keys(path)
