"""Two-factor sign-in end to end: turn two-factor on for a user, then sign in on another
device, which stops for the second factor and completes with a code.

The codes are the one-time codes the server mails (the local devserver keeps them in its dev
mailbox); a code from an authenticator app (``verify_totp``) or a backup code
(``verify_backup_code``) works the same.

    python examples/python/two_factor.py                # starts a local devserver
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
from banata_auth import Client

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"


def start_devserver() -> tuple[subprocess.Popen[str], str, str]:
    """The devserver with two-factor on, on a free port: the process, its URL and admin key."""
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    binary = target / "debug" / "banata-devserver"
    if not binary.exists():
        subprocess.run(["cargo", "build", "-q", "-p", "banata-devserver"], cwd=REPO, check=True)
    args = [str(binary), "--port", "0", "--no-email-verification", "--two-factor"]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
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


def mailed_code(base_url: str, api_key: str, email: str) -> str:
    """The newest sign-in code mailed to ``email`` (what the user would read in their inbox)."""
    request = urllib.request.Request(
        f"{base_url}/__dev/mailbox?{urllib.parse.urlencode({'to': email})}",
        headers={"authorization": f"Bearer {api_key}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        mails: list[dict[str, str]] = json.load(response)["mails"]
    codes = [m["token"] for m in mails if m["kind"] == "two-factor-otp"]
    if not codes:
        raise RuntimeError("no code was mailed")
    return codes[-1]


def main() -> int:
    server, url, api_key = start_devserver()
    print(f"devserver  {url} (two-factor on)")
    email = f"ada-{uuid.uuid4().hex[:8]}@example.com"
    try:
        with Client(url) as laptop, Client(url) as phone:
            # On the laptop: sign up and turn two-factor on; confirming a first code switches it on.
            laptop.auth.sign_up_email("Ada Lovelace", email, PASSWORD)
            setup = laptop.auth.enable_two_factor(PASSWORD)
            print(f"enable     authenticator URI and {len(setup.backup_codes)} backup codes issued")
            laptop.auth.send_two_factor_otp()
            on = laptop.auth.verify_two_factor_otp(mailed_code(url, api_key, email))
            print(f"confirm    two-factor on: {on.user.extra.get('twoFactorEnabled') is True}")

            # On the phone: the password alone is not enough any more.
            step = phone.auth.sign_in_email(email, PASSWORD)
            if not isinstance(step, banata_auth.SecondFactorRequired):
                print(f"expected the second-factor step, got {step.status}", file=sys.stderr)
                return 1
            print("sign-in    a second factor is required")
            phone.auth.send_two_factor_otp()
            signed_in = phone.auth.verify_two_factor_otp(mailed_code(url, api_key, email))
            print(f"verify     signed in as {signed_in.user.email}")
            session = phone.auth.get_session()
            print(f"session    {session.session.id if session else '-'}")
    except banata_auth.BanataError as e:
        print(f"failed: {e!r}", file=sys.stderr)
        return 1
    finally:
        server.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
