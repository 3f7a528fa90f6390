"""The real server under a load of 32 connections for 30 s: no request fails, a broad search cannot
hold up the others, and the server's memory stays flat (the bundled trees; bench/bench_web.py
does the same on the kernel)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.conftest import REPO

MIX = ["/source/linux/net/socket.c", "/ident/sock_sendmsg", "/api/complete?q=sock", "/api/search?q=a",
       "/api/search?q=_", "/search?q=send", "/api/path/sendto?to=loopback_xmit", "/path/sendto",
       "/expand?path=linux/net/socket.c&line=158", "/api/callers/sock_sendmsg", "/syscalls"]
CONNECTIONS = 32
SECONDS = 30


def _private_mb(pid: int) -> float:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:])
    return sum(int(fields[key].split()[0]) for key in ("Private_Clean", "Private_Dirty")) / 1024


def test_32_connections_for_30_seconds(corpus_db):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("XREF_DB", None)
    server = subprocess.Popen([sys.executable, "-m", "xref.cli", "serve", "--db", str(corpus_db), "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/api/def/sock_sendmsg", timeout=5).read()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                time.sleep(0.1)
        for url in MIX:  # every page once, so that what it caches is there before the load
            urllib.request.urlopen(base + url, timeout=30).read()
        before = _private_mb(server.pid)
        latencies: list[float] = []
        errors: list[str] = []
        stop = time.monotonic() + SECONDS

        def connection(k: int) -> None:
            i = k
            while time.monotonic() < stop:
                url = MIX[i % len(MIX)]
                i += 1
                started = time.monotonic()
                try:
                    urllib.request.urlopen(base + url, timeout=30).read()
                except (OSError, urllib.error.HTTPError) as err:
                    errors.append(f"{url}: {err}")
                latencies.append(time.monotonic() - started)

        workers = [threading.Thread(target=connection, args=(k,)) for k in range(CONNECTIONS)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        after = _private_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99)]
    print(f"{len(latencies)} requests, {len(latencies) / SECONDS:.1f}/s, p99 {p99:.2f} s, "
          f"private memory {before:.0f} MB before, {after:.0f} MB after")
    assert not errors, errors[:5]
    assert len(latencies) > SECONDS  # answers kept coming
    assert after < before + 100, (before, after)
