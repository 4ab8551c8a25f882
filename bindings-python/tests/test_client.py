"""Every method of the blocking Client against the devserver over loopback."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone

import pytest

import banata_auth
from banata_auth import AddonConfig, AuthResult, Client, SessionWithUser, SignedIn

from .conftest import PASSWORD, DevServer, unique_email


def test_sign_up_session_list_update_and_sign_out(devserver: DevServer) -> None:
    with Client(devserver.url) as client:
        email = unique_email("sync")
        result = client.auth.sign_up_email("Ada", email, PASSWORD)
        assert isinstance(result, AuthResult)
        assert result.user.email == email and result.user.name == "Ada"
        assert isinstance(result.user.created_at, datetime)
        assert result.user.created_at.tzinfo == timezone.utc
        assert result.token and result.token not in repr(result)
        assert client.session_token() == result.token

        current = client.auth.get_session()
        assert isinstance(current, SessionWithUser)
        assert current.user.id == result.user.id
        assert current.session.user_id == result.user.id
        assert current.session.expires_at and current.session.expires_at > datetime.now(timezone.utc)
        as_dict = current.to_dict()
        assert as_dict["user"]["email"] == email
        assert as_dict["session"]["expires_at"].endswith("Z")

        sessions = client.auth.list_sessions()
        assert [s.id for s in sessions] == [current.session.id]
        assert sessions[0].token and sessions[0].token not in repr(sessions[0])

        client.auth.update_user(name="Ada Lovelace", image="https://example.com/ada.png")
        updated = client.auth.get_session()
        assert updated is not None
        assert (updated.user.name, updated.user.image) == ("Ada Lovelace", "https://example.com/ada.png")

        client.auth.sign_out()
        assert client.session_token() is None
        assert client.auth.get_session() is None


def test_sign_in_with_remember_me_and_wrong_password(devserver: DevServer) -> None:
    client = Client(devserver.url)
    email = unique_email("signin")
    client.auth.sign_up_email("Bo", email, PASSWORD)
    client.auth.sign_out()

    with pytest.raises(banata_auth.AuthenticationError) as caught:
        client.auth.sign_in_email(email, "not the password")
    assert caught.value.status == 401
    assert caught.value.code == "INVALID_EMAIL_OR_PASSWORD"
    assert client.session_token() is None

    result = client.auth.sign_in_email(email, PASSWORD, remember_me=False)
    assert isinstance(result, SignedIn) and result.status == "signed_in"
    assert result.user.email == email
    assert result.to_wire()["status"] == "signed_in"
    assert client.auth.get_session() is not None


def test_revoke_one_others_and_all(devserver: DevServer) -> None:
    email = unique_email("revoke")
    first = Client(devserver.url)
    first.auth.sign_up_email("Cy", email, PASSWORD)
    second = Client(devserver.url)
    second.auth.sign_in_email(email, PASSWORD)
    third = Client(devserver.url)
    third.auth.sign_in_email(email, PASSWORD)
    assert len(first.auth.list_sessions()) == 3

    # One: the second client's session, by its token.
    second_id = second.auth.get_session()
    assert second_id is not None
    target = next(s for s in first.auth.list_sessions() if s.id == second_id.session.id)
    assert target.token is not None
    first.auth.revoke_session(target.token)
    assert second.auth.get_session() is None

    # Others: only the first stays.
    first.auth.revoke_other_sessions()
    assert third.auth.get_session() is None
    assert len(first.auth.list_sessions()) == 1

    # All: the first too, and its token is forgotten.
    first.auth.revoke_sessions()
    assert first.session_token() is None
    assert first.auth.get_session() is None


def test_change_password_and_reset_password(devserver: DevServer) -> None:
    client = Client(devserver.url)
    email = unique_email("password")
    client.auth.sign_up_email("Di", email, PASSWORD)
    other = Client(devserver.url)
    other.auth.sign_in_email(email, PASSWORD)

    changed = client.auth.change_password(PASSWORD, "a new password 1", revoke_other_sessions=True)
    assert changed.user.email == email
    assert changed.token and client.session_token() == changed.token
    assert other.auth.get_session() is None
    with pytest.raises(banata_auth.AuthenticationError):
        Client(devserver.url).auth.sign_in_email(email, PASSWORD)

    answer = client.auth.request_password_reset(email, redirect_to="/reset")
    assert answer.message
    token = devserver.reset_token(email)
    client.auth.reset_password(token, "a reset password 2")
    signed_in = Client(devserver.url).auth.sign_in_email(email, "a reset password 2")
    assert isinstance(signed_in, SignedIn) and signed_in.user.email == email
    with pytest.raises(banata_auth.BanataError) as caught:
        client.auth.reset_password(token, "used twice 3")
    assert caught.value.status == 400


def test_addon_config_get_save_and_merge(devserver: DevServer) -> None:
    client = Client(devserver.url, api_key=devserver.admin_key)
    client.addons.save({"google-analytics": {"enabled": False}, "segment": False, "posthog": False,
                        "stripe": False, "custom-crm": {"enabled": False}})
    config = client.addons.get()
    assert isinstance(config, AddonConfig)
    assert config.enabled_ids == []

    saved = client.addons.save({"stripe": {"enabled": True}})
    assert saved.is_enabled("stripe")
    assert not saved.is_enabled("segment")
    assert "custom-crm" in saved.addons, "ids not named in the save are kept"

    saved = client.addons.save({"segment": banata_auth.AddonSettings(enabled=True), "stripe": False})
    assert saved.enabled_ids == ["segment"]
    assert client.addons.get() == saved
    assert saved.to_dict()["addons"]["segment"] == {"enabled": True, "extra": {}}


def test_addon_config_needs_a_key_with_permission(devserver: DevServer) -> None:
    with pytest.raises(banata_auth.ConfigurationError):
        Client(devserver.url).addons.get()

    read_only = Client(devserver.url, api_key=devserver.create_api_key(["dashboard.read"]))
    assert isinstance(read_only.addons.get(), AddonConfig)
    with pytest.raises(banata_auth.ForbiddenError) as caught:
        read_only.addons.save({"stripe": True})
    assert caught.value.status == 403

    with pytest.raises(banata_auth.AuthenticationError) as unauthorized:
        Client(devserver.url, api_key="bnt_dev_not-a-real-key-" + "x" * 64).addons.get()
    assert "not-a-real-key" not in repr(unauthorized.value) + str(unauthorized.value)


def test_bad_input_is_refused_with_typed_errors(devserver: DevServer) -> None:
    client = Client(devserver.url, api_key=devserver.admin_key)
    before = client.addons.get()
    with pytest.raises(TypeError):
        client.addons.save({"stripe": "yes"})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        client.addons.save(["stripe"])  # type: ignore[arg-type]
    # The core checks the shape before anything is sent; the message names the field only.
    with pytest.raises(banata_auth.InvalidArgumentError) as caught:
        client.addons.save({"stripe": {"enabled": "hunter22"}})
    assert caught.value.status is None and "addons.stripe" in str(caught.value)
    assert "hunter22" not in str(caught.value)
    with pytest.raises(TypeError) as wrong:
        client.auth.sign_in_email("a@b.c", ["hunter22"])  # type: ignore[arg-type]
    assert "password" in str(wrong.value) and "hunter22" not in str(wrong.value)
    assert client.addons.get() == before, "a refused save changes nothing"

    with pytest.raises(banata_auth.ValidationError):
        Client(devserver.url).auth.sign_up_email("E", "not-an-email", PASSWORD)
    with pytest.raises(banata_auth.ConfigurationError):
        Client("ftp://example.com")
    with pytest.raises(banata_auth.ConfigurationError):
        Client("http://auth.example.com")
    with pytest.raises(ValueError):
        Client(devserver.url, timeout=-1)


def test_repr_hides_the_api_key(devserver: DevServer) -> None:
    client = Client(devserver.url, api_key=devserver.admin_key)
    assert devserver.admin_key not in repr(client)
    assert devserver.admin_key not in repr(client._native)


def test_base_url_and_api_key_come_from_the_environment(devserver: DevServer) -> None:
    script = "import banata_auth; c = banata_auth.Client(); print(c.base_url, c.addons.get().to_wire())"
    env = {**os.environ, "BANATA_BASE_URL": devserver.url, "BANATA_API_KEY": devserver.admin_key}
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(devserver.url) and "addons" in run.stdout
    bare = {k: v for k, v in os.environ.items() if not k.startswith("BANATA_")}
    run = subprocess.run([sys.executable, "-c", script], env=bare, capture_output=True, text=True, timeout=30)
    assert "ConfigurationError" in run.stderr and "BANATA_BASE_URL" in run.stderr
