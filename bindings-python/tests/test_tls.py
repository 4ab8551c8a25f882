"""A self-signed HTTPS server on loopback: the failure says it is the certificate, and trusting
it with ``ca_certificates`` makes the same call work."""

from __future__ import annotations

import http.server
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import banata_auth
from banata_auth import Client


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - the stdlib's naming
        self.rfile.read(int(self.headers.get("content-length") or 0))
        body = b'{"addons":{"segment":{"enabled":true}}}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    folder: Path = tmp_path_factory.mktemp("tls")
    # A test CA and a server certificate it signed (webpki refuses a CA as the server's own).
    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    ca, ca_key, cert, key = (folder / n for n in ("ca.pem", "ca.key", "cert.pem", "key.pem"))
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=banata-test-ca",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
            "-keyout", str(ca_key), "-out", str(ca))
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
            "-keyout", str(key), "-out", str(folder / "req.csr"))
    (folder / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
    openssl("x509", "-req", "-in", str(folder / "req.csr"), "-CA", str(ca), "-CAkey", str(ca_key),
            "-CAcreateserial", "-days", "1", "-extfile", str(folder / "ext.cnf"), "-out", str(cert))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", ca.read_text()
    finally:
        server.shutdown()


def test_an_untrusted_certificate_is_named_as_the_cause(tls_server: tuple[str, str]) -> None:
    url, _ = tls_server
    with pytest.raises(banata_auth.ConnectionError) as caught:
        Client(url, api_key="k").addons.get()
    assert caught.value.connection_cause == "certificate"
    assert "certificate" in str(caught.value).lower()


def test_ca_certificates_make_it_trusted(tls_server: tuple[str, str]) -> None:
    url, pem = tls_server
    config = Client(url, api_key="k", ca_certificates=[pem]).addons.get()
    assert config.is_enabled("segment")
