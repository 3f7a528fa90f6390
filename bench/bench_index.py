"""Index the real Linux tree with xref and its peers, side by side in one run, and print ratios.

    python bench/bench_index.py [--tree DIR] [--work DIR] [--only xref,cscope,ctags,gtags]

Measures wall time and peak memory (summed over each command's whole process tree,
sampled every 0.1 s) for a full index, then xref's re-index after touching one file and
a one-shot `xref def` against `cscope -dL -1` and `global -x`. Ratios are ours / peer.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path


def tree_rss_kib(pid: int) -> int:
    """Resident memory of pid and all its descendants, in KiB."""
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def measure(cmd: list[str], cwd: Path, stdin: str | None = None) -> tuple[float, int]:
    """(wall seconds, peak KiB) of one command; fails loudly if it fails."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if stdin:
        proc.stdin.write(stdin)
        proc.stdin.close()
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss_kib(proc.pid))
        time.sleep(0.1)
    wall = time.monotonic() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.read()[-2000:]}")
    return wall, peak


def best_of(cmd: list[str], cwd: Path, runs: int = 5, env: dict | None = None) -> float:
    times = []
    for _ in range(runs):
        start = time.monotonic()
        subprocess.run(cmd, cwd=cwd, capture_output=True, env=env, check=False)
        times.append(time.monotonic() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=None, help="Linux tree (default: xref corpus fetch linux)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/xref-bench"))
    parser.add_argument("--only", default="xref,cscope,ctags,gtags")
    args = parser.parse_args()
    if args.tree is None:
        from xref.corpus import fetch

        args.tree = fetch("linux")
    tree = args.tree.resolve()
    work = args.work
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    only = set(args.only.split(","))
    files = sorted(str(p.relative_to(tree)) for ext in ("*.c", "*.h", "*.S") for p in tree.rglob(ext) if p.is_file())
    listing = "\n".join(files) + "\n"
    (work / "cscope.files").write_text(listing)
    results: dict[str, tuple[float, int]] = {}
    xref = [sys.executable, "-m", "xref.cli"]
    db = work / "xref-db"

    if "xref" in only:
        results["xref index"] = measure([*xref, "index", str(tree), "--db", str(db)], tree)
    if "cscope" in only and shutil.which("cscope"):
        results["cscope -bqk"] = measure(["cscope", "-bqk", "-i", str(work / "cscope.files"),
                                          "-f", str(work / "cscope.out")], tree)
    if "ctags" in only and shutil.which("ctags"):
        results["ctags -R"] = measure(["ctags", "-R", "--languages=C,C++,Asm", "-f", str(work / "tags")], tree)
    if "gtags" in only and shutil.which("gtags"):
        (work / "gtags").mkdir()
        results["gtags"] = measure(["gtags", "-f", "-", str(work / "gtags")], tree, stdin=listing)

    print(f"Linux tree: {tree} ({len(files)} .c/.h/.S files)")
    print(f"{'command':<14} {'wall s':>8} {'peak MiB':>9}")
    for name, (wall, peak) in results.items():
        print(f"{name:<14} {wall:8.1f} {peak / 1024:9.0f}")
    ours = results.get("xref index")
    if ours:
        for name, (wall, peak) in results.items():
            if name != "xref index":
                print(f"ratio xref/{name}: wall {ours[0] / wall:.2f}, peak memory {ours[1] / peak:.2f}")

        touched = tree / "net/ipv4/udp.c"
        os.utime(touched)
        content = touched.read_bytes()
        try:
            touched.write_bytes(content + b"\n/* xref bench touch */\n")
            reindex, _ = measure([*xref, "index", str(tree), "--db", str(db)], tree)
        finally:
            touched.write_bytes(content)
        print(f"re-index after touching one file: {reindex:.1f} s (target < 5 s)")

        def_time = best_of([*xref, "--db", str(db), "def", "udp_sendmsg"], tree)
        line = f"xref def (incl. interpreter start): {def_time * 1000:.0f} ms (target < 150 ms)"
        if "cscope -bqk" in results:
            peer = best_of(["cscope", "-dL", "-1", "udp_sendmsg", "-f", str(work / "cscope.out")], tree)
            line += f"; cscope -dL -1: {peer * 1000:.0f} ms, ratio {def_time / peer:.1f}"
        if "gtags" in results:
            env = dict(os.environ, GTAGSROOT=str(tree), GTAGSDBPATH=str(work / "gtags"))
            peer = best_of(["global", "-x", "udp_sendmsg"], tree, env=env)
            line += f"; global -x: {peer * 1000:.0f} ms, ratio {def_time / peer:.1f}"
        print(line)


if __name__ == "__main__":
    main()
