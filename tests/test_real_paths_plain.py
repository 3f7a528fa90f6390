"""`xref path` on the real Linux 6.1.192 and glibc 2.36 trees indexed together with no semantic
pass: right on the tree-sitter layer alone, never crossing trees, never a detour (slow)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.conftest import run_xref
from tests.test_paths import in_order, symbols

pytestmark = pytest.mark.slow

TO_THE_WIRE = ["ip_output", "ip_finish_output2", "__dev_queue_xmit", "dev_hard_start_xmit", "loopback_xmit"]
ROUTES = {
    "sendto": ["__libc_sendto", "__sys_sendto", "__sock_sendmsg", "inet_sendmsg", "udp_sendmsg", *TO_THE_WIRE],
    # A TCP connect sends its SYN: inet_stream_connect's tcp_v4_connect, then down the same way.
    "connect": ["__libc_connect", "__sys_connect", "inet_stream_connect", "tcp_v4_connect", "tcp_connect",
                *TO_THE_WIRE],
}


def route(db: Path, *args: str) -> dict:
    return json.loads(run_xref("path", *args, "--json", "--db", str(db), check=True).stdout)


@pytest.mark.parametrize("call", sorted(ROUTES))
def test_the_call_goes_from_glibc_to_the_loopback_driver(linux_glibc_ts_db, call):
    chains = route(linux_glibc_ts_db, call, "--to", "loopback_xmit")["chains"]
    assert chains[0][0]["symbol"] == ROUTES[call][0] and chains[0][0]["via"] == "library"
    # The first chain: a TCP connect is inet_stream_connect's (tcp_v4_connect is tcp_prot's, which
    # inetsw puts beside inet_stream_ops), IPv4's before IPv6's.
    assert in_order(ROUTES[call], chains[0]), [symbols(c) for c in chains[:3]]


def test_bind_reaches_the_inet_handler_through_proto_ops(linux_glibc_ts_db):
    chains = route(linux_glibc_ts_db, "bind", "--to", "__inet_bind")["chains"]
    assert chains[0][0]["via"] == "library"
    assert in_order(["__sys_bind", "inet_bind", "__inet_bind"], chains[0]), symbols(chains[0])
    [hop] = [h for h in chains[0] if h["symbol"] == "inet_bind"]
    assert hop["via"] == "indirect via struct proto_ops.bind"


@pytest.mark.parametrize("call", ["sendto", "connect", "bind", "write", "read", "mmap", "ioctl"])
def test_no_hop_crosses_trees_and_none_is_off_the_data_path(linux_glibc_ts_db, linux_tree, glibc_tree, call):
    answer = route(linux_glibc_ts_db, call)
    for chain in answer["chains"]:
        kernel = False
        for hop in chain:
            if hop["via"] == "instruction":
                kernel = True
                continue
            if hop["path"] and hop["via"] != "macro":
                root = linux_tree if kernel else glibc_tree
                assert (root / hop["path"]).is_file(), (call, hop)
                assert not hop["path"].startswith("arch/") or hop["path"].startswith("arch/x86/"), (call, hop)
            assert not hop["symbol"].startswith(("kasan_", "panic", "_printk", "console_")), (call, symbols(chain))


def test_sendto_answers_within_seconds(linux_glibc_ts_db):
    route(linux_glibc_ts_db, "sendto", "--to", "loopback_xmit")  # warm the OS's cache of the index
    start = time.perf_counter()
    route(linux_glibc_ts_db, "sendto", "--to", "loopback_xmit")
    assert time.perf_counter() - start < 5
