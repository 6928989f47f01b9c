"""Which addresses HMR contacts for a download check: public ones only.

A record's URL is written by whoever proposes a change, so it must not make HMR probe its own
network (the database, Redis, a cloud metadata service at 169.254.169.254). Before every
connection, the host is resolved and *every* address it resolves to must be public; one private,
loopback, link-local, multicast, reserved or otherwise non-global address refuses the URL. IPv6
forms that embed an IPv4 address (mapped, 6to4, NAT64) are judged by that IPv4 address.

`HMR_VERIFY_ALLOWED_NETWORKS` (empty by default) names networks a deployment trusts all the same
(an internal mirror); the tests allow 127.0.0.1 there for their local file host.
"""

from __future__ import annotations

import ipaddress
import socket
from functools import cache

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Resolution goes through this name so tests can answer for the fake hosts (they have no DNS).
getaddrinfo = socket.getaddrinfo


class AddressRefused(Exception):
    """The host is, or resolves to, an address HMR does not contact. No request was sent."""

    def __init__(self, host: str, address: str, kind: str) -> None:
        self.host, self.address, self.kind = host, address, kind
        where = address if host == address else f"{host} resolves to {address}"
        super().__init__(f"{where}, a {kind} address: HMR does not contact non-public addresses")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_kind(address: IPAddress) -> str | None:
    """None for a public address; else what it is ("loopback", "private", …)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return address_kind(embedded)
    checks = (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("private", address.is_private),
        ("multicast", address.is_multicast),
        ("unspecified", address.is_unspecified),
        ("reserved", address.is_reserved),
        ("non-global", not address.is_global),
    )
    return next((kind for kind, matches in checks if matches), None)


@cache
def _networks(spelled: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(n, strict=False) for n in spelled)


def allowed_networks() -> tuple:
    return _networks(tuple(settings.HMR_VERIFY_ALLOWED_NETWORKS))


def refusal(host: str, address: IPAddress) -> str | None:
    """Why `address` is not contacted (None: it may be)."""
    kind = address_kind(address)
    if kind is None or any(address in network for network in allowed_networks()):
        return None
    return kind


def literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None


def vet(host: str, port: int) -> list[str]:
    """Every address of `host`, all of them contactable; raises AddressRefused on the first one
    that is not, socket.gaierror when the name does not resolve."""
    address = literal(host)
    if address is not None:
        found = [address]
    else:
        infos = getaddrinfo(host, port, type=socket.SOCK_STREAM)
        found = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos))
    if not found:
        raise socket.gaierror(f"{host} has no address")
    for each in found:
        kind = refusal(host, each)
        if kind is not None:
            raise AddressRefused(host, str(each), kind)
    return [str(each) for each in found]
