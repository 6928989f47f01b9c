"""Per-host limits across processes: two gates (two workers) share the host's slots and pace
through Redis; each gate alone holds the limit for its own threads."""

from __future__ import annotations

import itertools
import threading
import time
from collections import defaultdict

from django.core.cache import cache

from apps.verification.limits import HostGate


class Host:
    """Counts requests in flight and when each started."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight = self.most = 0
        self.starts: list[float] = []

    def request(self, seconds: float) -> None:
        with self.lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            self.starts.append(time.monotonic())
        time.sleep(seconds)
        with self.lock:
            self.in_flight -= 1


def hammer(gates: list[HostGate], host: Host, *, requests: int, seconds: float) -> None:
    def one(gate: HostGate) -> None:
        with gate.slot("huggingface.co"):
            host.request(seconds)

    threads = [threading.Thread(target=one, args=(gates[i % len(gates)],)) for i in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)


def gate(concurrency: int, interval: float = 0.0) -> HostGate:
    return HostGate(cache=cache, concurrency=concurrency, interval=interval, lease=5, poll=0.005)


def test_two_workers_share_the_hosts_slots():
    host = Host()
    hammer([gate(2), gate(2)], host, requests=12, seconds=0.03)
    assert host.most == 2  # not 4: each worker's own limit is 2, but the slots are the host's
    assert len(host.starts) == 12
    assert not [k for k in range(2) if cache.get(f"verification:slot:huggingface.co:{k}")]  # all given back


def test_requests_to_a_host_are_paced():
    host = Host()
    hammer([gate(4, interval=0.05), gate(4, interval=0.05)], host, requests=6, seconds=0.001)
    starts = sorted(host.starts)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    # Starts are granted 50 ms apart; each is seen a little after its grant (thread scheduling),
    # so one gap may look shorter, the whole run cannot (unpaced, all six start at once).
    assert starts[-1] - starts[0] >= 5 * 0.05 - 0.015, gaps
    assert min(gaps) >= 0.025, gaps


def test_other_hosts_do_not_wait():
    busy: dict[str, int] = defaultdict(int)
    one = gate(1)
    with one.slot("huggingface.co"):
        started = time.monotonic()
        with one.slot("github.com"):
            busy["github.com"] += 1
    assert busy["github.com"] == 1 and time.monotonic() - started < 0.5
