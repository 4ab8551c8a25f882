"""A host-provided session store receives, serves and clears the token."""

from __future__ import annotations

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
    with pytest.raises(banata_auth.BanataError) as caught:
        client.auth.sign_up_email("Br", unique_email("broken"), PASSWORD)
    assert caught.value.kind == "session_store"
    assert "OSError" in caught.value.message
    assert "disk full while writing" not in str(caught.value), "the store's message may hold the token"
