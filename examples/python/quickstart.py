"""Sign up, verify the e-mail address, sign in, read the session, read and save the add-on configuration, and watch the
events, with the blocking client.

    python examples/python/quickstart.py                # starts a local devserver
    BANATA_BASE_URL=... BANATA_API_KEY=... python examples/python/quickstart.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import banata_auth
from banata_auth import AuthEvent, Client

REPO = Path(__file__).resolve().parents[2]


def start_devserver() -> tuple[subprocess.Popen[str], str, str]:
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    binary = target / "debug" / "banata-devserver"
    if not binary.exists():
        subprocess.run(["cargo", "build", "-q", "-p", "banata-devserver"], cwd=REPO, check=True)
    process = subprocess.Popen([str(binary), "--port", "0"], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    url = key = ""
    for line in process.stdout:
        if line.startswith("READY "):
            url = line.split()[1]
        elif line.startswith("ADMIN_API_KEY "):
            key = line.split()[1]
        if url and key:
            break
    return process, url, key


def newest_mail(base_url: str, api_key: str | None, to: str) -> dict[str, str]:
    """The newest mail the devserver would have sent to `to` (its dev mailbox)."""
    request = urllib.request.Request(
        f"{base_url}/__dev/mailbox?{urllib.parse.urlencode({'to': to})}",
        headers={"authorization": f"Bearer {api_key}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        mails: list[dict[str, str]] = json.load(response)["mails"]
    return mails[-1]


def main() -> int:
    server = None
    base_url = os.environ.get("BANATA_BASE_URL")
    api_key = os.environ.get("BANATA_API_KEY")
    if not base_url:
        server, base_url, api_key = start_devserver()
        print(f"devserver  {base_url}")
    try:
        with Client(base_url, api_key=api_key) as client:
            def show(event: AuthEvent) -> None:
                print(f"  event     {event.json}")

            printing = client.on("*", show)  # keep it: a dropped subscription unsubscribes
            email = f"ada-{uuid.uuid4().hex[:8]}@example.com"
            signed_up = client.auth.sign_up_email("Ada Lovelace", email, "correct horse battery staple")
            print(f"sign-up    {signed_up.user.email} ({signed_up.user.id})")
            # Projects require a verified address before the first sign-in: sign-up starts no
            # session and mails a link. The devserver keeps the mail in its dev mailbox.
            if signed_up.token is None:
                if server is None:
                    print(f"sign-up    verification required: follow the link mailed to {email}")
                    return 0
                verified = client.auth.verify_email(newest_mail(base_url, api_key, email)["token"])
                print(f"verify     e-mail verified: {verified.status}")
            # A sign-in either completes or says which step comes first.
            signed_in = client.auth.sign_in_email(email, "correct horse battery staple")
            if not isinstance(signed_in, banata_auth.SignedIn):
                print(f"sign-in    next step: {signed_in.status}")
                return 0
            print(f"sign-in    {signed_in.user.name}")
            current = client.auth.get_session()
            assert current is not None
            print(f"session    {current.session.id}, expires {current.session.expires_at:%Y-%m-%d %H:%M} UTC")
            print(f"add-ons    {client.addons.get().enabled_ids}")
            saved = client.addons.save({"segment": {"enabled": True}})
            print(f"saved      {saved.enabled_ids}")
            client.auth.sign_out()
            print("sign-out   done")
    except banata_auth.BanataError as e:
        print(f"failed: {e!r}", file=sys.stderr)
        return 1
    finally:
        if server is not None:
            server.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
