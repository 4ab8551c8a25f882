"""A host-provided session store receives, serves and clears the token."""

from __future__ import annotations

import time

import pytest

import banata_auth
from banata_auth import Client

from .conftest import PASSWORD, DevServer, unique_email


class DictStore:
    def __init__(self) -> None:
        self.token: str | None = None
        self.calls: list[str] = []

    def get(self) -> str | None:
        self.calls.append("get")
        return self.token

    def set(self, token: str) -> None:
        self.calls.append("set")
        self.token = token

    def clear(self) -> None:
        self.calls.append("clear")
        self.token = None


def test_custom_store_receives_and_clears_the_token(devserver: DevServer) -> None:
    store = DictStore()
    client = Client(devserver.url, session_store=store)
    result = client.auth.sign_up_email("St", unique_email("store"), PASSWORD)
    assert store.token == result.token and "set" in store.calls
    assert client.auth.get_session() is not None

    # Another client sharing the store is signed in as the same user.
    twin = Client(devserver.url, session_store=store)
    twin_session = twin.auth.get_session()
    assert twin_session is not None and twin_session.user.id == result.user.id

    client.auth.sign_out()
    assert store.token is None and store.calls[-1] == "clear"


def test_a_failing_store_fails_the_call_with_a_typed_error(devserver: DevServer) -> None:
    class Broken(DictStore):
        def set(self, token: str) -> None:
            raise OSError(f"disk full while writing {token}")

    client = Client(devserver.url, session_store=Broken())
    with pytest.raises(banata_auth.SessionStoreError) as caught:
        client.auth.sign_up_email("Br", unique_email("broken"), PASSWORD)
    assert isinstance(caught.value, banata_auth.BanataError)
    assert caught.value.kind == "session_store"
    assert "OSError" in caught.value.message
    assert "disk full while writing" not in str(caught.value), "the store's message may hold the token"


def test_a_store_without_the_methods_is_refused_at_construction(devserver: DevServer) -> None:
    class NoClear:
        def get(self) -> None:
            return None

        def set(self, token: str) -> None:
            pass

    with pytest.raises(TypeError, match="session_store.clear"):
        Client(devserver.url, session_store=NoClear())


def test_with_session_store_shares_listeners_and_keeps_tokens_apart(devserver: DevServer) -> None:
    project = Client(devserver.url, api_key=devserver.admin_key)
    created: list[str | None] = []
    subscription = project.on("user.created", lambda event: created.append(event.data.user_id))
    ada_store, bob_store = DictStore(), DictStore()
    ada = project.with_session_store(ada_store)
    bob = project.with_session_store(bob_store)
    assert isinstance(ada, Client)

    ada_user = ada.auth.sign_up_email("Ada", unique_email("ada-derived"), PASSWORD)
    bob_user = bob.auth.sign_up_email("Bob", unique_email("bob-derived"), PASSWORD)
    assert ada_store.token == ada_user.token and bob_store.token == bob_user.token
    ada_session = project.with_session_store(ada_store).auth.get_session()
    assert ada_session is not None and ada_session.user.id == ada_user.user.id
    assert project.session_token() is None
    assert ada.addons.get() is not None, "the API key comes along"

    deadline = time.monotonic() + 2
    while len(created) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert created == [ada_user.user.id, bob_user.user.id]
    ada.auth.sign_out()
    assert ada_store.token is None
    bob_session = bob.auth.get_session()
    assert bob_session is not None and bob_session.user.id == bob_user.user.id
    subscription.close()
    with pytest.raises(TypeError):
        project.with_session_store(object())  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_async_client_with_session_store(devserver: DevServer) -> None:
    project = banata_auth.AsyncClient(devserver.url)
    store = DictStore()
    user = project.with_session_store(store)
    assert isinstance(user, banata_auth.AsyncClient)
    result = await user.auth.sign_up_email("As", unique_email("async-derived"), PASSWORD)
    assert store.token == result.token
    assert await project.session_token() is None
