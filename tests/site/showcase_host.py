"""A fake image host for the browser tests: answers every HTTPS GET with a small SVG picture.

Showcase images live on raw.githubusercontent.com; the tests have no network. Chromium is told
to resolve that host to this server (`--host-resolver-rules`) and to accept its self-signed
certificate, so pages load the real showcase URLs of the real data and get a picture back. Each
path gets its own colours, so a gallery shows distinct images; the server counts what it served.
"""

from __future__ import annotations

import datetime
import hashlib
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOSTS = ("raw.githubusercontent.com",)


def _certificate(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOSTS[0])])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in HOSTS]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "showcase.crt", directory / "showcase.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def picture(path: str) -> bytes:
    digest = hashlib.sha256(path.encode()).hexdigest()
    first, second = f"#{digest[:6]}", f"#{digest[6:12]}"
    label = path.rsplit("/", 1)[-1].split(".")[0][:18]
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512">'
        f'<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="{first}"/>'
        f'<stop offset="1" stop-color="{second}"/></linearGradient></defs>'
        '<rect width="512" height="512" fill="url(#g)"/>'
        f'<circle cx="{150 + int(digest[12:14], 16)}" cy="{180 + int(digest[14:16], 16) // 2}" r="110" '
        'fill="#ffffff" fill-opacity="0.25"/>'
        f'<text x="24" y="488" font-family="sans-serif" font-size="28" fill="#ffffff">{label}</text></svg>'
    ).encode()


class ShowcaseHost:
    def __init__(self, directory: Path) -> None:
        self.served: list[str] = []
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                host.served.append(self.path)
                body = picture(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/svg+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        cert_path, key_path = _certificate(directory)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_path, key_path)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def chromium_flags(self) -> tuple[str, ...]:
        rules = ",".join(f"MAP {host}:443 127.0.0.1:{self.port}" for host in HOSTS)
        return (f"--host-resolver-rules={rules}", "--ignore-certificate-errors")

    def __enter__(self) -> ShowcaseHost:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
