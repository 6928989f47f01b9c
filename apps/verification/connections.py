"""A requests adapter whose connections go only to addresses `addresses.vet` accepted.

The check before a request (client.py) explains a refusal; this is what enforces it: urllib3
resolves the host again when it opens a socket, so a name that answers a public address to the
check and a private one a moment later (DNS rebinding) would get through. Here the socket is
opened to an address vetted at that moment, never to a name. TLS still verifies the host name.
"""

from __future__ import annotations

import socket

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.connection import create_connection

from apps.verification.addresses import vet


class _VettedMixin:
    def _new_conn(self) -> socket.socket:
        host = self._dns_host  # the name (or literal) of the URL; never rewritten
        try:
            addresses = vet(host, self.port)  # AddressRefused propagates: no socket was opened
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        error: OSError | None = None
        for address in addresses:
            try:
                return create_connection(
                    (address, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except OSError as exc:  # TimeoutError included: try the next address
                error = exc
        if isinstance(error, TimeoutError):
            raise ConnectTimeoutError(self, f"Connection to {self.host} timed out.") from error
        raise NewConnectionError(self, f"Failed to establish a new connection: {error}") from error


class VettedHTTPConnection(_VettedMixin, HTTPConnection):
    pass


class VettedHTTPSConnection(_VettedMixin, HTTPSConnection):
    pass


class VettedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = VettedHTTPConnection


class VettedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = VettedHTTPSConnection


class VettedAdapter(HTTPAdapter):
    """No proxies (a proxy would connect for us, to anything), vetted connections only."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": VettedHTTPConnectionPool,
            "https": VettedHTTPSConnectionPool,
        }
