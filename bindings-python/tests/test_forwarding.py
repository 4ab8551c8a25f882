"""The Forwarder through Python: events reach enabled add-ons' sinks; controls and stats."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

import banata_auth
from banata_auth import Client, Forwarder, ForwardingFailure

from .conftest import PASSWORD, DevServer, unique_email


def test_enabled_addon_receives_the_flow_and_disabled_does_not(devserver: DevServer) -> None:
    client = Client(devserver.url, api_key=devserver.admin_key)
    client.addons.save({"segment": True, "posthog": False})
    forwarder = Forwarder(
        client,
        from_env=False,
        segment_write_key="seg_test_write_key",
        segment_base_url=devserver.sink_url("segment"),
        posthog_api_key="phc_test_key",
        posthog_host=devserver.sink_url("posthog"),
        flush_interval=0.05,
    )
    user = client.auth.sign_up_email("Fw", unique_email("forward"), PASSWORD)
    forwarder.flush(timeout=10)

    sent = [r for r in devserver.sink_requests("segment") if user.user.id in json.dumps(r["body"])]
    assert sent, "segment received the sign-up"
    names = [m.get("event") or m["type"] for r in sent for m in r["body"]["json"]["batch"]]
    assert "identify" in names and "Signed Up" in names
    everything = json.dumps(sent)
    assert PASSWORD not in everything and devserver.admin_key not in everything
    assert not [r for r in devserver.sink_requests("posthog") if user.user.id in json.dumps(r["body"])]

    stats = forwarder.stats()
    segment = stats.for_addon("segment")
    assert segment is not None and segment.sent >= 2 and segment.failed == 0
    assert stats.queued == 0
    forwarder.shutdown(timeout=5)
    client.addons.save({"segment": False})


def test_failures_reach_on_error(devserver: DevServer) -> None:
    client = Client(devserver.url, api_key=devserver.admin_key)
    client.addons.save({"stripe": True})
    failures: list[ForwardingFailure] = []
    devserver.script_sink("stripe", [{"status": 400, "times": 0}])
    try:
        with Forwarder(
            client,
            from_env=False,
            stripe_secret_key="sk_test_python_binding",
            stripe_base_url=devserver.sink_url("stripe"),
            on_error=failures.append,
        ) as forwarder:
            client.auth.sign_up_email("Er", unique_email("stripe-fail"), PASSWORD)
            forwarder.flush(timeout=10)
            deadline = time.monotonic() + 5
            while not failures and time.monotonic() < deadline:
                time.sleep(0.01)
            assert failures and failures[0].addon == "stripe" and failures[0].status == 400
            assert "sk_test_python_binding" not in repr(failures)
            assert forwarder.stats().failed >= 1
    finally:
        devserver.script_sink("stripe", [])
        client.addons.save({"stripe": False})


def test_flush_timeout_is_a_typed_error(devserver: DevServer) -> None:
    client = Client(devserver.url, api_key=devserver.admin_key)
    client.addons.save({"posthog": True})
    devserver.script_sink("posthog", [{"status": 503, "times": 0}])
    try:
        forwarder = Forwarder(
            client, from_env=False, posthog_api_key="phc_k", posthog_host=devserver.sink_url("posthog"),
            flush_interval=0.05,
        )
        client.auth.sign_up_email("To", unique_email("flush-timeout"), PASSWORD)
        with pytest.raises(banata_auth.TimeoutError):
            forwarder.flush(timeout=0.3)
        assert forwarder.stats().queued >= 1
        with pytest.raises(banata_auth.TimeoutError):
            forwarder.shutdown(timeout=0.1)
    finally:
        devserver.script_sink("posthog", [])
        client.addons.save({"posthog": False})


EXIT_WITHOUT_SHUTDOWN = """
import sys, uuid
import banata_auth
client = banata_auth.Client(sys.argv[1], api_key=sys.argv[2])
forwarder = banata_auth.Forwarder(client, from_env=False, segment_write_key="seg_exit_key",
                                  segment_base_url=sys.argv[3], flush_interval=30)
for n in range(20):
    client.auth.sign_up_email("X", f"exit-{n}-{uuid.uuid4().hex[:8]}@example.com", sys.argv[4])
print("signed up", flush=True)
# No shutdown(): a normal exit must still deliver what is queued.
"""


def test_a_normal_exit_delivers_what_is_queued(devserver: DevServer) -> None:
    client = Client(devserver.url, api_key=devserver.admin_key)
    client.addons.save({"segment": True})
    devserver.clear_sinks()
    run = subprocess.run(
        [sys.executable, "-c", EXIT_WITHOUT_SHUTDOWN, devserver.url, devserver.admin_key,
         devserver.sink_url("segment"), PASSWORD],
        capture_output=True, text=True, timeout=60,
    )
    assert run.returncode == 0, run.stderr
    batches = [r for r in devserver.sink_requests("segment") if r["status"] == 200]
    messages = [m for r in batches for m in r["body"]["json"]["batch"]]
    users = {m.get("userId") for m in messages}
    assert len(users) == 20, f"{len(users)} of 20 users reached Segment"
    assert "not sent" not in run.stderr
    client.addons.save({"segment": False})


def test_a_publishable_stripe_key_is_refused_and_core_warnings_reach_logging(
    devserver: DevServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(devserver.url, api_key=devserver.admin_key)
    with pytest.raises(banata_auth.ConfigurationError, match="publishable"):
        Forwarder(client, from_env=False, stripe_secret_key="pk_test_publishable")
    # From the environment the core only warns; the warning reaches the `banata_auth` logger.
    monkeypatch.setenv("STRIPE_SECRET_KEY", "pk_test_publishable")
    with caplog.at_level("WARNING", logger="banata_auth"):
        forwarder = Forwarder(client)
        forwarder.shutdown(timeout=1)
    warnings = [r for r in caplog.records if r.name == "banata_auth" and "publishable" in r.getMessage()]
    assert warnings, [r.getMessage() for r in caplog.records]
    assert "pk_test_publishable" not in caplog.text


def test_stripe_seats_follow_an_organization(devserver: DevServer) -> None:
    app = Client(devserver.url, api_key=devserver.admin_key)
    app.addons.save({"stripe": True})
    try:
        with Forwarder(
            app,
            from_env=False,
            stripe_secret_key="sk_test_python_seats",
            stripe_base_url=devserver.sink_url("stripe"),
        ) as forwarder:
            # Per-user clients derived from the app's: the Forwarder sees their events.
            owner = app.with_session_store()
            owner.auth.sign_up_email("Owner", unique_email("py-seat-owner"), PASSWORD)
            org = owner.organizations.create(
                "Seats", unique_email("py-seats"), metadata={"stripeSubscriptionItemId": "si_PY_SEATS"}
            )
            assert org.members is not None and org.members[0].role == "super_admin"
            bob_email = unique_email("py-seat-bob")
            invitation = owner.organizations.invite_member(bob_email, ["member"], organization_id=org.id)
            bob = app.with_session_store()
            bob.auth.sign_up_email("Bob", bob_email, PASSWORD)
            bob.organizations.accept_invitation(invitation.id)
            owner.organizations.remove_member(bob_email, organization_id=org.id)
            forwarder.flush(timeout=10)
            seats = [
                (r["body"]["form"][0][1], r["headers"]["idempotency-key"])
                for r in devserver.sink_requests("stripe")
                if r["path"] == "/v1/subscription_items/si_PY_SEATS"
            ]
            assert seats == [("1", f"seats:{org.id}:1"), ("2", f"seats:{org.id}:2"), ("1", f"seats:{org.id}:1")]
    finally:
        app.addons.save({"stripe": False})
