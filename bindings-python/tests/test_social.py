"""Social sign-in against a real OpenID provider on loopback, through the generated methods:
the redirect flow completed from the app's callback URL, ID-token sign-in and its refusals,
linking, provider tokens and unlinking, with the sync and the async client."""

from __future__ import annotations

import asyncio
import http.client
import time
import urllib.parse

import pytest

import banata_auth
from banata_auth import AsyncClient, Client

from .conftest import DevServer, OidcProvider, unique_email


def follow_redirect(url: str) -> str:
    """What the user's browser does with a redirect to the server's callback: where it is sent on."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=10)
    connection.request("GET", f"{parts.path}?{parts.query}")
    response = connection.getresponse()
    assert response.status == 302
    location = response.getheader("location")
    assert location is not None
    return location


def test_the_redirect_flow_ends_in_a_session(social_devserver: DevServer, oidc_provider: OidcProvider) -> None:
    client = Client(base_url=social_devserver.url)
    events: list[banata_auth.AuthEvent] = []
    subscription = client.on("session.created", events.append)
    email = unique_email("social")
    started = client.auth.sign_in_social("oidc", callback_url="myapp://auth")
    assert started.url.startswith(oidc_provider.issuer)
    back = oidc_provider.approve(started.url, email)
    landed = follow_redirect(back)
    assert landed.startswith("myapp://auth?ott=")

    result = client.auth.complete_social_sign_in(landed)
    assert result.user.email == email
    session = client.auth.get_session()
    assert session is not None and session.user.id == result.user.id
    assert [a.provider_id for a in client.auth.list_accounts()] == ["oidc"]
    deadline = time.monotonic() + 5
    while not events and time.monotonic() < deadline:
        time.sleep(0.01)
    assert events[-1].data.method == "oidc"
    subscription.close()

    replayed = follow_redirect(back)
    with pytest.raises(banata_auth.AuthenticationError) as refused:
        client.auth.complete_social_sign_in(replayed)
    assert refused.value.code == "PLEASE_RESTART_THE_PROCESS"
    with pytest.raises(banata_auth.NotFoundError) as unknown:
        client.auth.sign_in_social("nope", callback_url="myapp://auth")
    assert unknown.value.code == "PROVIDER_NOT_FOUND"


def test_id_tokens_linking_and_provider_tokens(social_devserver: DevServer, oidc_provider: OidcProvider) -> None:
    async def run() -> None:
        client = AsyncClient(base_url=social_devserver.url)
        email = unique_email("idtoken")
        token = oidc_provider.id_token("banata-app", email, "n-1")
        with pytest.raises(banata_auth.AuthenticationError) as wrong_nonce:
            await client.auth.sign_in_with_id_token("oidc", token, nonce="other")
        assert wrong_nonce.value.code == "INVALID_TOKEN"
        assert token not in repr(wrong_nonce.value) and token not in str(wrong_nonce.value)
        foreign = oidc_provider.id_token("other-app", email, "n-1")
        with pytest.raises(banata_auth.AuthenticationError):
            await client.auth.sign_in_with_id_token("oidc", foreign, nonce="n-1")
        signed_in = await client.auth.sign_in_with_id_token("oidc", token, nonce="n-1")
        assert signed_in.user.email == email

        started = await client.auth.link_social("other", callback_url="myapp://linked")
        landed = follow_redirect(oidc_provider.approve(started.url, email))
        assert landed == "myapp://linked"
        account = await client.auth.complete_link_social(landed)
        assert account.provider_id == "other"
        access = await client.auth.get_access_token("other")
        assert access.access_token not in repr(access)
        refreshed = await client.auth.refresh_access_token("other")
        assert refreshed.access_token != access.access_token
        info = await client.auth.account_info(account.account_id)
        assert info.user["email"] == email
        assert (await client.auth.unlink_account("other")).status
        with pytest.raises(banata_auth.ValidationError) as last:
            await client.auth.unlink_account("oidc")
        assert last.value.code == "YOU_CANT_UNLINK_YOUR_LAST_ACCOUNT"

    asyncio.run(run())
