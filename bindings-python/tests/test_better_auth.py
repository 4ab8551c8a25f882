"""The auth and session flows against real Better Auth servers, 1.4.21 and 1.7.25."""

from __future__ import annotations

import pytest

import banata_auth
from banata_auth import AsyncClient, Client

from .conftest import PASSWORD, Peer, unique_email


def signed_up(peer: Peer, client: Client, name: str, email: str) -> banata_auth.AuthResult:
    """Signs up; where the peer requires verification, follows the mailed link and signs in."""
    result = client.auth.sign_up_email(name, email, PASSWORD)
    assert result.user.email == email
    if not peer.requires_verification:
        return result
    assert result.token is None and client.session_token() is None
    # Better Auth's 403 EMAIL_NOT_VERIFIED is the sign-in's next step, not an error.
    next_step = Client(peer.url).auth.sign_in_email(email, PASSWORD)
    assert isinstance(next_step, banata_auth.VerificationRequired) and next_step.email == email
    assert next_step.status == "verification_required" and next_step.verification_email_sent is None
    # Asking for a new link on the way: the result says it went out.
    again = Client(peer.url).auth.sign_in_email(email, PASSWORD, send_verification_email=True)
    assert isinstance(again, banata_auth.VerificationRequired) and again.verification_email_sent is True
    assert client.auth.verify_email(peer.newest_mail(email)["token"]).status is True
    signed_in = client.auth.sign_in_email(email, PASSWORD)
    assert isinstance(signed_in, banata_auth.SignedIn) and isinstance(signed_in, banata_auth.AuthResult)
    assert signed_in.token is not None and "%" in signed_in.token, "1.4 URL-encodes it; kept as received"
    return signed_in


def test_flows_on_better_auth(peer: Peer) -> None:
    client = Client(peer.url, initial_retry_delay=0.01)
    email = unique_email("peer")
    result = signed_up(peer, client, "Pia", email)
    assert result.token
    current = client.auth.get_session()
    assert current is not None and current.user.id == result.user.id
    assert current.user.created_at is not None

    client.auth.update_user(name="Pia B.")
    renamed = client.auth.get_session()
    assert renamed is not None and renamed.user.name == "Pia B."

    other = Client(peer.url)
    other.auth.sign_in_email(email, PASSWORD)
    assert len(client.auth.list_sessions()) == 2
    client.auth.revoke_other_sessions()
    assert other.auth.get_session() is None

    client.auth.change_password(PASSWORD, "peer new password 1")
    client.auth.request_password_reset(email, redirect_to="/reset")
    client.auth.reset_password(peer.reset_token(email), "peer reset password 2")
    client.auth.sign_out()
    assert client.auth.get_session() is None
    client.auth.sign_in_email(email, "peer reset password 2")
    client.auth.revoke_sessions()
    assert client.session_token() is None


def test_better_auth_errors(peer: Peer) -> None:
    client = Client(peer.url, initial_retry_delay=0.01)
    email = unique_email("peer-errors")
    signed_up(peer, client, "Q", email)
    with pytest.raises(banata_auth.BanataError) as duplicate:
        Client(peer.url).auth.sign_up_email("Q", email, PASSWORD)
    assert duplicate.value.status == 422
    with pytest.raises(banata_auth.AuthenticationError) as wrong:
        Client(peer.url).auth.sign_in_email(email, "wrong password")
    assert wrong.value.code == "INVALID_EMAIL_OR_PASSWORD"


@pytest.mark.asyncio
async def test_async_flows_on_better_auth(peer: Peer) -> None:
    client = AsyncClient(peer.url)
    email = unique_email("peer-async")
    await client.auth.sign_up_email("R", email, PASSWORD)
    if peer.requires_verification:
        await client.auth.verify_email(peer.newest_mail(email)["token"])
        await client.auth.sign_in_email(email, PASSWORD)
    session = await client.auth.get_session()
    assert session is not None and session.user.email == email
    await client.auth.sign_out()
    assert await client.auth.get_session() is None
