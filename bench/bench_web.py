"""The web pages on a real Linux 6.1 index: server time per page, and a load from wrk.

    python bench/bench_web.py --db DIR [--seconds 30] [--connections 32] [--gtags DIR]

Starts `xref serve` (waitress, as a user runs it) on loopback and reads each answer's
`Server-Timing` header (the app's own time, without the network): `net/socket.c` rendered
(first time, and again from the cache), the identifier page of `kfree`, an autocomplete
answer for `kfr`. Each is printed with its budget from issue 7 and the ratio to it; with
`--gtags DIR` (a directory holding GNU Global's GTAGS for the same tree), the `kfree` page is
also compared with what Global takes for its first part (definitions and references: `global -x`
and `global -rx`, each a new process as an editor runs it).
Then wrk sends a mix of these pages (and searches for `a` and `_`, a path, an expansion) for
`--seconds` with `--connections` connections; the requests per second, the 99th percentile of
the latency, every error (non-2xx, connect, read, write, timeout) and the server's private
memory before and after the load are printed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PAGES = {  # name: (url, budget in ms); TREE is the kernel tree's name in the index
    "net/socket.c, first render": ("/source/TREE/net/socket.c", 300),
    "net/socket.c, again": ("/source/TREE/net/socket.c", 300),
    "identifier page of kfree": ("/ident/kfree", 1000),
    "autocomplete 'kfr'": ("/api/complete?q=kfr", 50),
    "autocomplete 'inet_se'": ("/api/complete?q=inet_se", 50),
    "search 'a'": ("/api/search?q=a", 1000),
    "search '_'": ("/api/search?q=_", 1000),
    "search page 'sendt'": ("/search?q=sendt", 1000),
}
MIX = ["/source/TREE/net/socket.c", "/ident/kfree", "/api/complete?q=kfr", "/api/complete?q=udp_se",
       "/ident/udp_sendmsg", "/source/TREE/net/ipv4/udp.c", "/search?q=sendmsg", "/api/search?q=a",
       "/api/search?q=_", "/api/path/sendto", "/expand?path=TREE/net/socket.c&line=2161"]


def private_mb(pid: int) -> float:
    """A process's private memory (resident pages no other process shares), in MB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:])
    return sum(int(fields[key].split()[0]) for key in ("Private_Clean", "Private_Dirty")) / 1024


def kernel_tree(db: str) -> tuple[str, Path]:
    """The name the index gives the tree holding net/socket.c, and its root."""
    from xref.queries import Index

    index = Index.open(db)
    for name, root in index.trees.values():
        if index.file_id(f"{name}/net/socket.c") is not None:
            return name, root
    sys.exit(f"no tree in {db} holds net/socket.c: index the Linux tree first")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(base: str, url: str) -> tuple[float, float, int]:
    """(server ms from Server-Timing, wall ms, bytes) of one GET."""
    start = time.perf_counter()
    with urllib.request.urlopen(base + url, timeout=60) as response:
        body = response.read()
        timing = response.headers.get("Server-Timing", "")
    wall = (time.perf_counter() - start) * 1000
    match = re.search(r"dur=([\d.]+)", timing)
    return (float(match.group(1)) if match else float("nan")), wall, len(body)


def global_ms(gtags: Path, root: Path, name: str, runs: int = 3) -> float:
    """GNU Global's answer to what the identifier page shows first: definitions and references."""
    env = dict(os.environ, GTAGSROOT=str(root), GTAGSDBPATH=str(gtags))
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        for flags in ("-x", "-rx"):
            subprocess.run(["global", flags, name], cwd=root, env=env, capture_output=True, check=True)
        best = min(best, (time.perf_counter() - start) * 1000)
    return best


def wrk(base: str, seconds: int, connections: int, tree: str) -> str:
    script = "\n".join([
        "local paths = {" + ", ".join(f'"{p.replace("TREE", tree)}"' for p in MIX) + "}",
        "local i = 0",
        "request = function() i = i + 1; return wrk.format('GET', paths[(i % #paths) + 1]) end",
        "local errors = 0",
        "response = function(status, headers, body) if status ~= 200 then errors = errors + 1 end end",
    ])
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(script)
    try:
        done = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency",
                               "-s", fh.name, base], capture_output=True, text=True, check=True)
    finally:
        os.unlink(fh.name)
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="an xref index of the real Linux 6.1 tree")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=8, help="the server's threads")
    parser.add_argument("--gtags", type=Path, help="a directory with GNU Global's GTAGS for the same tree "
                        "(made by `find . -name '*.[chS]' | gtags -f - DIR` in the tree)")
    args = parser.parse_args()
    tree, root = kernel_tree(args.db)
    port = free_port()
    xref = shutil.which("xref") or sys.exit("xref is not installed: pip install -e .")
    server = subprocess.Popen([xref, "serve", "--db", args.db, "--port", str(port), "--threads", str(args.threads)],
                              stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                get(base, "/api/complete?q=a")
                break
            except OSError:
                time.sleep(0.1)
        print(f"{'page':30} {'server ms':>10} {'wall ms':>9} {'bytes':>9} {'budget':>7} {'ratio':>6}")
        for name, (url, budget) in PAGES.items():
            server_ms, wall_ms, size = get(base, url.replace("TREE", tree))
            print(f"{name:30} {server_ms:10.1f} {wall_ms:9.1f} {size:9d} {budget:7d} {server_ms / budget:6.2f}")
        if args.gtags:
            ours = min(get(base, "/ident/kfree?refs=0")[0] for _ in range(3))
            peer = global_ms(args.gtags, root, "kfree")
            print(f"kfree: identifier page {ours:.0f} ms, global -x + global -rx {peer:.0f} ms, "
                  f"ratio ours/global {ours / peer:.2f}")
        if shutil.which("wrk") is None:
            sys.exit("wrk is not installed: apt-get install wrk")
        print(f"\nwrk: {args.connections} connections, {args.seconds} s, mix of {len(MIX)} pages")
        before = private_mb(server.pid)
        out = wrk(base, args.seconds, args.connections, tree)
        after = private_mb(server.pid)
        print(out)
        p99 = re.search(r"^\s*99%\s+(\S+)", out, re.M)
        print(f"p99 latency {p99.group(1) if p99 else '?'}; server's private memory {before:.0f} MB before the load, "
              f"{after:.0f} MB after")
        errors = re.search(r"Socket errors: (.*)", out)
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
        print(f"requests/s {rps.group(1) if rps else '?'}; socket errors: {errors.group(1) if errors else 'none'}; "
              f"non-2xx: {non2xx.group(1) if non2xx else 0}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
