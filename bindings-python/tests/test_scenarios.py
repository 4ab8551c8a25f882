"""The shared scenarios (``tests/scenarios/*.json``, see its README), run through the package's
public methods: one test per scenario, named as in every other language."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

import banata_auth
from banata_auth import AuthEvent, Client

from .conftest import PASSWORD, DevServer, unique_email

_DIR = Path(__file__).resolve().parents[2] / "tests" / "scenarios"
_SCENARIOS = [json.loads(p.read_text()) for p in sorted(_DIR.glob("*.json"))]


def _snake(name: str) -> str:
    """The Python parameter of a wire field: ``callbackURL`` → ``callback_url``."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def _fill(value: Any, variables: dict[str, Any]) -> Any:
    if isinstance(value, str):
        whole = re.fullmatch(r"\{(\w+)\}", value)
        if whole and whole.group(1) in variables:
            return variables[whole.group(1)]

        def one(m: re.Match[str]) -> str:
            v = variables.get(m.group(1))
            return v if isinstance(v, str) else m.group(0)

        return re.sub(r"\{(\w+)\}", one, value)
    if isinstance(value, list):
        return [_fill(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, variables) for k, v in value.items()}
    return value


def _at(value: Any, path: str) -> Any:
    for key in path.split("."):
        if value is None:
            return None
        value = value[int(key)] if isinstance(value, list) else value.get(key)
    return value


def _wire(result: Any) -> Any:
    if isinstance(result, list):
        return [_wire(r) for r in result]
    return result.to_wire() if hasattr(result, "to_wire") else result


def _call(client: Client, operation: str, data: dict[str, Any] | None) -> Any:
    resource, name = operation.split(".")
    method = getattr(getattr(client, resource), name)
    return method(**{_snake(k): v for k, v in (data or {}).items()})


@pytest.mark.parametrize("scenario", _SCENARIOS, ids=[s["name"] for s in _SCENARIOS])
def test_scenario(devserver: DevServer, scenario: dict[str, Any]) -> None:
    variables: dict[str, Any] = {"email": unique_email("scenario"), "password": PASSWORD}
    admin = Client(devserver.url, api_key=devserver.admin_key, initial_retry_delay=0.01)
    anonymous = Client(devserver.url)
    events: list[str] = []

    def record(event: AuthEvent) -> None:
        events.append(event.type)

    with admin.on("*", record):
        for i, raw in enumerate(scenario["steps"]):
            step = _fill(raw, variables)
            if "fault" in step:
                devserver.fault(step["fault"])
                continue
            if "mail" in step:
                mails = devserver.mailbox(step["mail"])
                assert mails, f"step {i}: no mail to {step['mail']}"
                result = mails[-1]
            else:
                client = anonymous if step.get("client") == "anonymous" else admin
                where = f"step {i} ({step['call']})"
                if "error" in step:
                    with pytest.raises(banata_auth.BanataError) as caught:
                        _call(client, step["call"], step.get("input"))
                    for key, want in step["error"].items():
                        assert getattr(caught.value, key) == want, f"{where}: {key} of {caught.value!r}"
                    continue
                result = _wire(_call(client, step["call"], step.get("input")))
                if "expect" in step:
                    if step["expect"] is None:
                        assert result is None, f"{where}: expected None"
                    for path, want in (step["expect"] or {}).items():
                        got = _at(result, path)
                        if want == "*":
                            assert got is not None, f"{where}: {path} missing"
                        else:
                            assert got == want, f"{where}: {path}"
            for name, path in (step.get("save") or {}).items():
                variables[name] = _at(result, path)
        deadline = time.monotonic() + 2
        while len(events) < len(scenario["events"]) and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.02)
    assert events == scenario["events"]
