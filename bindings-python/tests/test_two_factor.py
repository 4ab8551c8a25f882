"""Two-factor sign-in end to end against the real Better Auth 1.7 peer, with codes from pyotp
as an authenticator app makes them."""

from __future__ import annotations

import pyotp
import pytest

import banata_auth
from banata_auth import Client

from .conftest import PASSWORD, Peer, unique_email


def test_two_factor_sign_in(peer_1_7: Peer) -> None:
    peer = peer_1_7
    client = Client(peer.url, initial_retry_delay=0.01)
    email = unique_email("py-2fa")
    client.auth.sign_up_email("Twofa", email, PASSWORD)
    setup = client.auth.enable_two_factor(PASSWORD)
    assert "otpauth" not in repr(setup), "the secret is not shown"
    totp = pyotp.parse_uri(setup.totp_uri)
    assert isinstance(totp, pyotp.TOTP)
    client.auth.verify_totp(totp.now())

    phone = Client(peer.url, initial_retry_delay=0.01)
    step = phone.auth.sign_in_email(email, PASSWORD)
    assert isinstance(step, banata_auth.SecondFactorRequired) and step.methods == ["totp", "otp"]
    with pytest.raises(banata_auth.BanataError) as wrong:
        phone.auth.verify_totp("000000")
    assert wrong.value.code == "INVALID_CODE"
    signed_in = phone.auth.verify_totp(totp.now(), trust_device=False)
    assert signed_in.user.email == email
    session = phone.auth.get_session()
    assert session is not None and session.user.email == email

    laptop = Client(peer.url)
    laptop.auth.sign_in_email(email, PASSWORD)
    laptop.auth.verify_backup_code(setup.backup_codes[0])
    assert laptop.auth.get_session() is not None

    client.auth.disable_two_factor(PASSWORD)
    assert isinstance(Client(peer.url).auth.sign_in_email(email, PASSWORD), banata_auth.SignedIn)
