"""E-mail verification: operations added in the core's declaration list alone, reached here
through the generated methods with no binding code of their own."""

from __future__ import annotations

import asyncio

import pytest

import banata_auth
from banata_auth import AsyncClient, Client

from .conftest import PASSWORD, DevServer, unique_email


def test_a_mailed_link_verifies_the_address(devserver: DevServer) -> None:
    client = Client(devserver.url)
    email = unique_email("verify")
    assert client.auth.sign_up_email("Vera", email, PASSWORD).user.email_verified is False
    client.auth.sign_out()

    assert client.auth.send_verification_email(email).status is True
    [mail] = devserver.mailbox(email)
    assert mail["kind"] == "verification"
    assert client.auth.verify_email(mail["token"]).status is True
    signed_in = client.auth.sign_in_email(email, PASSWORD)
    assert isinstance(signed_in, banata_auth.SignedIn) and signed_in.user.email_verified is True

    with pytest.raises(banata_auth.AuthenticationError) as caught:
        client.auth.verify_email("not.a.token")
    assert (caught.value.status, caught.value.code) == (401, "INVALID_TOKEN")


def test_the_async_client_has_the_same_operations(devserver: DevServer) -> None:
    async def main() -> None:
        async with AsyncClient(devserver.url) as client:
            email = unique_email("averify")
            await client.auth.sign_up_email("Ava", email, PASSWORD)
            await client.auth.sign_out()
            sent = await client.auth.send_verification_email(
                email, options={"timeout": 5, "max_retries": 0, "idempotency_key": "fixed-key-1"}
            )
            assert sent.status is True
            [mail] = devserver.mailbox(email)
            result = await client.auth.verify_email(mail["token"], callback_url="/welcome")
            # The platform's cross-domain plugin makes a relative callback absolute on the site.
            assert result.redirect_url == devserver.url.rstrip("/") + "/welcome"

    asyncio.run(main())
