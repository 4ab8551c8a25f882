"""AsyncClient: the same flows as awaitables, on any running loop, at high concurrency."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

import banata_auth
from banata_auth import AsyncClient

from .conftest import PASSWORD, Answer, DevServer, Scripted, unique_email

Start = Callable[[Callable[[str, str], Answer]], Scripted]


@pytest.mark.asyncio
async def test_every_flow_async(devserver: DevServer) -> None:
    async with AsyncClient(devserver.url) as client:
        email = unique_email("async")
        signed_up = await client.auth.sign_up_email("Ada", email, PASSWORD)
        assert signed_up.user.email == email
        assert await client.session_token() == signed_up.token

        current = await client.auth.get_session()
        assert current is not None and current.user.id == signed_up.user.id
        sessions = await client.auth.list_sessions()
        assert len(sessions) == 1

        await client.auth.update_user(name="Ada L.")
        renamed = await client.auth.get_session()
        assert renamed is not None and renamed.user.name == "Ada L."

        other = AsyncClient(devserver.url)
        await other.auth.sign_in_email(email, PASSWORD, remember_me=True)
        await client.auth.revoke_other_sessions()
        assert await other.auth.get_session() is None

        await other.auth.sign_in_email(email, PASSWORD)
        other_session = await other.auth.get_session()
        assert other_session is not None
        listed = {s.id: s for s in await client.auth.list_sessions()}
        token = listed[other_session.session.id].token
        assert token is not None
        await client.auth.revoke_session(token)
        assert await other.auth.get_session() is None

        token_before = await client.session_token()
        changed = await client.auth.change_password(PASSWORD, "async new password 1")
        # Without revoking other sessions the server keeps the current session and sends no token.
        assert changed.token is None and await client.session_token() == token_before
        assert await client.auth.get_session() is not None
        await client.auth.request_password_reset(email)
        await client.auth.reset_password(devserver.reset_token(email), "async reset password 2")
        await client.auth.sign_in_email(email, "async reset password 2")

        await client.auth.sign_out()
        assert await client.auth.get_session() is None
        await client.auth.sign_in_email(email, "async reset password 2")
        await client.auth.revoke_sessions()
        assert await client.session_token() is None


@pytest.mark.asyncio
async def test_addons_async(devserver: DevServer) -> None:
    client = AsyncClient(devserver.url, api_key=devserver.admin_key)
    saved = await client.addons.save({"posthog": {"enabled": True}})
    assert saved.is_enabled("posthog")
    assert (await client.addons.get()).is_enabled("posthog")
    saved = await client.addons.save({"posthog": False})
    assert not saved.is_enabled("posthog")


@pytest.mark.asyncio
async def test_errors_are_raised_from_awaitables(devserver: DevServer) -> None:
    client = AsyncClient(devserver.url)
    with pytest.raises(banata_auth.AuthenticationError) as caught:
        await client.auth.sign_in_email(unique_email("nobody"), "wrong password")
    assert caught.value.code == "INVALID_EMAIL_OR_PASSWORD"


@pytest.mark.asyncio
async def test_thousand_concurrent_gather_calls(devserver: DevServer) -> None:
    client = AsyncClient(devserver.url, api_key=devserver.admin_key)
    email = unique_email("gather")
    await client.auth.sign_up_email("G", email, PASSWORD)
    results = await asyncio.gather(
        *[client.auth.get_session() for _ in range(500)],
        *[client.addons.get() for _ in range(500)],
    )
    assert len(results) == 1000
    sessions = results[:500]
    assert all(s is not None and s.user.email == email for s in sessions)  # type: ignore[union-attr]


def test_awaitables_need_a_running_loop(devserver: DevServer) -> None:
    client = AsyncClient(devserver.url)
    with pytest.raises(RuntimeError, match="no running event loop"):
        client.auth.get_session().send(None)

    async def main() -> None:
        assert await client.auth.get_session() is None

    # asyncio.run with a coroutine that awaits inside works, on a new loop each time.
    asyncio.run(main())
    asyncio.run(main())


@pytest.mark.asyncio
async def test_cancelling_a_call(scripted: Start, devserver: DevServer) -> None:
    slow = scripted(lambda method, path: Answer(200, '{"addons":{}}', delay=2.0))
    client = AsyncClient(slow.url, api_key="bnt_test_key")
    task = asyncio.ensure_future(client.addons.get())
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # The client is still usable afterwards.
    assert (await AsyncClient(devserver.url, api_key=devserver.admin_key).addons.get()) is not None
