"""Exception classes and fields for each failure, from a scripted loopback server."""

from __future__ import annotations

import pickle
import socket
import time
from collections.abc import Callable

import pytest

import banata_auth
from banata_auth import Client

from .conftest import Answer, Scripted

Start = Callable[[Callable[[str, str], Answer]], Scripted]


def admin(url: str, **options: float) -> Client:
    return Client(url, api_key="bnt_test_secret_key_value", initial_retry_delay=0.01, **options)


@pytest.mark.parametrize(
    ("status", "body", "cls", "code"),
    [
        (401, '{"code":"INVALID_API_KEY","message":"Invalid API key"}', banata_auth.AuthenticationError, "INVALID_API_KEY"),
        (403, '{"message":"Missing permission: dashboard.manage"}', banata_auth.ForbiddenError, None),
        (404, "", banata_auth.NotFoundError, None),
        (422, '{"code":"VALIDATION_ERROR","message":"[body.addons] Invalid input"}', banata_auth.ValidationError, "VALIDATION_ERROR"),
    ],
)
def test_status_maps_to_class(scripted: Start, status: int, body: str, cls: type[banata_auth.BanataError], code: str | None) -> None:
    server = scripted(lambda m, p: Answer(status, body, {"x-request-id": "req_123"}))
    with pytest.raises(cls) as caught:
        admin(server.url).addons.get()
    error = caught.value
    assert isinstance(error, banata_auth.BanataError)
    assert (error.status, error.code, error.request_id) == (status, code, "req_123")
    assert len(server.requests) == 1, "4xx are not retried"
    assert "bnt_test_secret_key_value" not in repr(error) + str(error) + (error.body or "")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is cls
    assert (again.status, again.code, again.request_id, again.kind, again.message) == (
        error.status, error.code, error.request_id, error.kind, error.message,
    )


def test_429_with_retry_after_is_retried_then_raised(scripted: Start) -> None:
    server = scripted(lambda m, p: Answer(429, '{"message":"Too many requests"}', {"retry-after": "1"}))
    started = time.monotonic()
    with pytest.raises(banata_auth.RateLimitError) as caught:
        admin(server.url, max_retries=1).addons.get()
    assert time.monotonic() - started >= 0.9, "the Retry-After second was waited for"
    assert caught.value.status == 429
    assert caught.value.retry_after == 1.0
    assert len(server.requests) == 2


def test_5xx_is_retried_then_raised_as_server_error(scripted: Start) -> None:
    server = scripted(lambda m, p: Answer(503, '{"error":"unavailable"}'))
    with pytest.raises(banata_auth.ServerError) as caught:
        admin(server.url, max_retries=2).addons.get()
    assert caught.value.status == 503
    assert caught.value.message == "unavailable"
    assert len(server.requests) == 3


def test_5xx_then_success(scripted: Start) -> None:
    answers = iter([Answer(500), Answer(200, '{"addons":{"stripe":{"enabled":true}}}')])
    server = scripted(lambda m, p: next(answers))
    assert admin(server.url).addons.get().is_enabled("stripe")
    assert len(server.requests) == 2


def test_timeout(scripted: Start) -> None:
    server = scripted(lambda m, p: Answer(200, '{"addons":{}}', delay=2.0))
    with pytest.raises(banata_auth.TimeoutError) as caught:
        admin(server.url, timeout=0.2, max_retries=0).addons.get()
    assert isinstance(caught.value, TimeoutError), "also the built-in TimeoutError"
    assert caught.value.kind == "timeout"


def test_refused_connection() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(banata_auth.ConnectionError) as caught:
        admin(f"http://127.0.0.1:{port}", max_retries=1).addons.get()
    assert isinstance(caught.value, ConnectionError), "also the built-in ConnectionError"
    assert caught.value.status is None


def test_200_with_error_body_and_non_json(scripted: Start) -> None:
    server = scripted(lambda m, p: Answer(200, '{"success":false,"error":"Addon config failed"}'))
    with pytest.raises(banata_auth.BanataError) as caught:
        admin(server.url).addons.get()
    assert caught.value.kind == "api" and caught.value.status == 200

    html = scripted(lambda m, p: Answer(200, "<html>", {"content-type": "text/html"}))
    with pytest.raises(banata_auth.BanataError) as decode:
        admin(html.url).addons.get()
    assert decode.value.kind == "decode"


def test_the_package_exports_every_exception_class() -> None:
    # __init__.py lists them by name (type checkers cannot follow `__all__ += errors.__all__`);
    # this keeps that list and the generated errors module in step.
    import banata_auth.errors

    assert set(banata_auth.errors.__all__) <= set(banata_auth.__all__)
    for name in banata_auth.errors.__all__:
        assert getattr(banata_auth, name) is getattr(banata_auth.errors, name)
