"""Add-on forwarding: a client's auth events, delivered to the add-ons enabled in the dashboard.

>>> forwarder = Forwarder(client)          # credentials from the environment  # doctest: +SKIP
>>> forwarder.flush(timeout=5)                                                    # doctest: +SKIP
>>> forwarder.shutdown(timeout=5)                                                 # doctest: +SKIP
"""

from __future__ import annotations

import atexit
import json
import weakref
from typing import TYPE_CHECKING, Any, Callable

from . import _native
from ._generated import DestinationStats, ForwardingFailure, ForwardingStats
from .client import AsyncClient, Client

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ["Forwarder", "ForwardingStats", "DestinationStats", "ForwardingFailure"]

EXIT_TIMEOUT = 2.0
"""Seconds each forwarder still alive at interpreter exit gets to deliver what is queued."""

_LIVE: weakref.WeakSet[Forwarder] = weakref.WeakSet()


def _deliver_at_exit() -> None:
    """Shuts down the forwarders nobody shut down, so a normal exit sends what is queued (as
    posthog-python does), and says what could not be sent in time."""
    for forwarder in list(_LIVE):
        try:
            forwarder.shutdown(timeout=EXIT_TIMEOUT)
        except Exception:  # noqa: BLE001 - reported below, never raised at exit
            pass
        lost = forwarder.stats().dropped
        if lost:
            import logging

            logging.getLogger("banata_auth").warning(
                "%d add-on messages were not sent before the interpreter exited "
                "(call Forwarder.shutdown() to wait longer)",
                lost,
            )


# Registered after the package's own atexit hook, so it runs first (atexit is last-in,
# first-out) while callbacks into Python still work.
atexit.register(_deliver_at_exit)


class Forwarder:
    """Forwards a client's auth events to GA4, Segment, PostHog and Stripe.

    Which add-ons are on comes from ``client.addons.get()`` (so the client needs the API key),
    cached briefly and updated at once when this client saves the configuration. Credentials come
    from ``GA_MEASUREMENT_ID``/``GA_API_SECRET``, ``SEGMENT_WRITE_KEY``, ``POSTHOG_API_KEY``/
    ``POSTHOG_HOST`` and ``STRIPE_SECRET_KEY`` unless given here (``from_env=False`` ignores the
    environment). Forwarding runs on its own thread: auth calls only pay for queueing an event.
    """

    def __init__(
        self,
        client: Client | AsyncClient,
        *,
        from_env: bool = True,
        ga_measurement_id: str | None = None,
        ga_api_secret: str | None = None,
        ga_base_url: str | None = None,
        segment_write_key: str | None = None,
        segment_base_url: str | None = None,
        posthog_api_key: str | None = None,
        posthog_host: str | None = None,
        stripe_secret_key: str | None = None,
        stripe_base_url: str | None = None,
        send_email: bool = False,
        send_ip: bool = False,
        queue_capacity: int | None = None,
        flush_interval: float | None = None,
        gzip: bool = False,
        on_error: Callable[[ForwardingFailure], Any] | None = None,
    ) -> None:
        callback = None
        if on_error is not None:
            handler = on_error

            def callback(report: str) -> None:
                handler(ForwardingFailure.from_wire(json.loads(report)))

        self._native = _native.NativeForwarder(
            client._native,
            from_env=from_env,
            ga_measurement_id=ga_measurement_id,
            ga_api_secret=ga_api_secret,
            ga_base_url=ga_base_url,
            segment_write_key=segment_write_key,
            segment_base_url=segment_base_url,
            posthog_api_key=posthog_api_key,
            posthog_host=posthog_host,
            stripe_secret_key=stripe_secret_key,
            stripe_base_url=stripe_base_url,
            send_email=send_email,
            send_ip=send_ip,
            queue_capacity=queue_capacity,
            flush_interval=flush_interval,
            gzip=gzip,
            on_error=callback,
        )
        _LIVE.add(self)

    def flush(self, timeout: float = 5.0) -> None:
        """Waits until everything emitted so far was sent or failed; raises ``TimeoutError``
        (what is left stays queued) after ``timeout`` seconds."""
        self._native.flush(timeout)

    async def flush_async(self, timeout: float = 5.0) -> None:
        await self._native.flush(timeout, asynchronous=True)

    def shutdown(self, timeout: float = 5.0) -> None:
        """Stops taking events and delivers what is queued within ``timeout`` seconds."""
        self._native.shutdown(timeout)

    async def shutdown_async(self, timeout: float = 5.0) -> None:
        await self._native.shutdown(timeout, asynchronous=True)

    def stats(self) -> ForwardingStats:
        return ForwardingStats.from_wire(json.loads(self._native.stats()))

    def __enter__(self) -> Forwarder:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.shutdown()
