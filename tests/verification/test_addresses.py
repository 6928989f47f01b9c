"""Acceptance 1, second half: a URL that points at 127.0.0.1 or a private range is refused, and
no request is made (a real server on 127.0.0.1 counts what reaches it; the fake hosts too)."""

from __future__ import annotations

import ipaddress

import pytest

from apps.verification.addresses import address_kind
from apps.verification.targets import TargetSpec
from tests.verification.helpers import check
from tests.verification.local_host import LocalHost

pytestmark = pytest.mark.django_db


@pytest.fixture
def local_host():
    with LocalHost() as host:
        yield host


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.12.0.9", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.20", "private"),
        ("169.254.169.254", "link-local"),  # the cloud metadata service
        ("100.64.0.1", "non-global"),  # carrier-grade NAT
        ("0.0.0.0", "private"),
        ("224.0.0.251", "multicast"),
        ("::1", "loopback"),
        ("fe80::1", "link-local"),
        ("fd12:3456::1", "private"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("2002:a00:1::", "private"),  # 6to4 of 10.0.0.1
        ("64:ff9b::c0a8:101", "private"),  # NAT64 of 192.168.1.1
        ("8.8.8.8", None),
        ("54.230.0.10", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_which_addresses_are_public(address, kind):
    assert address_kind(ipaddress.ip_address(address)) == kind


def test_a_url_at_127_0_0_1_is_refused_without_a_request(local_host):
    [result] = check(TargetSpec(f"{local_host.url}/model.safetensors"))
    assert (result.outcome, result.reason) == (
        "refused",
        "127.0.0.1, a loopback address: HMR does not contact non-public addresses",
    )
    assert (result.http_status, result.requests_sent) == (None, 0)
    assert local_host.requests == []


@pytest.mark.parametrize(
    ("name", "addresses", "refused"),
    [
        ("localhost", ["127.0.0.1"], "localhost resolves to 127.0.0.1, a loopback address"),
        (
            "intranet.example.com",
            ["10.0.0.8"],
            "intranet.example.com resolves to 10.0.0.8, a private address",
        ),
        # One private address among public ones is enough to refuse the name.
        (
            "mixed.example.com",
            ["54.230.9.9", "192.168.0.7"],
            "mixed.example.com resolves to 192.168.0.7, a private address",
        ),
        (
            "metadata.example.com",
            ["169.254.169.254"],
            "metadata.example.com resolves to 169.254.169.254, a link-local address",
        ),
    ],
)
def test_a_name_resolving_to_a_private_address_is_refused(files, dns, name, addresses, refused):
    dns.add(name, *addresses)
    [result] = check(TargetSpec(f"https://{name}/model.ckpt"))
    assert (result.outcome, result.reason) == (
        "refused",
        f"{refused}: HMR does not contact non-public addresses",
    )
    assert files.seen == [] and len(files.mock.calls) == 0
    assert result.requests_sent == 0


@pytest.mark.parametrize(
    "private",
    ["http://127.0.0.1:{port}/x", "http://169.254.169.254/latest/meta-data/", "http://[::1]:{port}/x"],
)
def test_a_redirect_to_a_private_address_is_refused_at_that_hop(files, local_host, private):
    target = private.format(port=local_host.server.server_port)
    url = files.redirect("https://huggingface.co/evil/repo/resolve/main/model.safetensors", target)
    [result] = check(TargetSpec(url))
    assert result.outcome == "refused"
    assert result.reason.endswith("address: HMR does not contact non-public addresses")
    assert [s.url for s in files.seen] == [url]  # the public hop only
    assert local_host.requests == []


def test_a_name_that_turns_private_between_the_check_and_the_connection_is_not_connected(
    dns, local_host, monkeypatch
):
    """DNS rebinding: the check before the request sees a public address, the connection would
    get 127.0.0.1. The connection vets again and opens no socket (real sockets, no fake HTTP)."""
    answers = iter([["54.230.7.7"], ["127.0.0.1"]])

    def rebinding(host, port, family=0, type=0, proto=0, flags=0):
        dns.names["rebind.example.com"] = next(answers, ["127.0.0.1"])
        return dns.getaddrinfo(host, port, family, type, proto, flags)

    monkeypatch.setattr("apps.verification.addresses.getaddrinfo", rebinding)
    [result] = check(TargetSpec(f"http://rebind.example.com:{local_host.server.server_port}/model.ckpt"))
    assert (result.outcome, result.reason) == (
        "refused",
        "rebind.example.com resolves to 127.0.0.1, a loopback address: HMR does not contact non-public addresses",
    )
    assert local_host.requests == []


def test_allowed_networks_are_contacted(local_host, settings):
    settings.HMR_VERIFY_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    [result] = check(TargetSpec(f"{local_host.url}/mirror/model.ckpt", "", 1234))
    assert (result.outcome, result.http_status, result.remote_size) == ("ok", 200, 1234)
    assert local_host.requests == [("HEAD", "/mirror/model.ckpt")]


def test_a_slow_host_times_out_and_is_tried_again_once(local_host, settings):
    settings.HMR_VERIFY_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.HMR_VERIFY_READ_TIMEOUT_SECONDS = 0.2
    settings.HMR_VERIFY_RETRIES = 1
    local_host.delay = 0.6
    [result] = check(TargetSpec(f"{local_host.url}/slow.safetensors"))
    assert (result.outcome, result.reason) == (
        "timeout",
        "127.0.0.1 did not answer within 0.2 s (read timeout) (2 attempts)",
    )
    assert (result.http_status, result.requests_sent) == (None, 2)
    assert local_host.requests == [("HEAD", "/slow.safetensors")] * 2
    assert result.elapsed_ms >= 400
