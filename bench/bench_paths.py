"""`xref path` for every row of the system call tables, timed, beside GNU Global finding the
handler (the first of the many lookups a person makes by hand for the same question).

    python bench/bench_paths.py --db DIR [--abi x86_64 --abi i386 --abi arm64] [--gtags DIR] [--json FILE]

For each ABI, each row with an entry point: `path NAME` as `xref path NAME` answers it (the
glibc wrapper when glibc is indexed, entry, dispatch, wrappers, handler, the calls below it to
the first function-pointer call and its candidates), in one process with the index's pages in
the OS's cache (read once first). Prints the failures with their reason, the time distribution
(median, 90th percentile, maximum, rows over 1 s) and the hop counts; with `--gtags DIR` (a
GNU Global database of the same tree) also `global -x HANDLER` for the same rows and the ratio
of the medians (ours / global's).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xref.model.callgraph import NoPath  # noqa: E402
from xref.model.paths import path_hops  # noqa: E402
from xref.model.syscalls import NoSyscall, SyscallModel, abi_for  # noqa: E402
from xref.queries import Index  # noqa: E402

ARCH_OF = {"x86_64": "x86_64", "x32": "x86_64", "i386": "x86_64", "arm64": "arm64", "riscv": "riscv"}


def sweep(index: Index, abi_name: str) -> list[dict]:
    """One record per row with an entry point: name, seconds, hops, chains, status, reason."""
    model = SyscallModel(index, abi_for(ARCH_OF[abi_name], abi_name))
    records = []
    for row in model.rows():
        if not row.entry or row.entry == "sys_ni_syscall":
            continue
        start = time.perf_counter()
        try:
            route = path_hops(index, model, row.name, None, 40)
            status, reason = "ok", ""
            hops, chains = len(route.chains[0]), len(route.chains)
        except (NoPath, NoSyscall) as err:
            status, reason, hops, chains = "no path", str(err), 0, 0
        seconds = time.perf_counter() - start
        handler = model.syscall(row.name).handler
        records.append({"abi": abi_name, "name": row.name, "number": row.number, "seconds": seconds, "hops": hops,
                        "chains": chains, "status": status, "handler_status": handler.status,
                        "handler": handler.symbol, "reason": reason})
    return records


def global_times(gtags: Path, names: list[str]) -> list[float]:
    times = []
    for name in names:
        start = time.perf_counter()
        subprocess.run(["global", "-x", name], cwd=gtags, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def report(records: list[dict], peer: list[float] | None) -> None:
    for abi in dict.fromkeys(r["abi"] for r in records):
        rows = [r for r in records if r["abi"] == abi]
        answered = [r for r in rows if r["status"] == "ok"]
        failed = [r for r in rows if r["status"] != "ok"]
        times = sorted(r["seconds"] for r in rows)
        hops = sorted(r["hops"] for r in answered) or [0]
        p90 = times[int(0.9 * (len(times) - 1))]
        print(f"{abi}: {len(rows)} rows with an entry point, {len(answered)} answered, {len(failed)} not "
              f"({sum(r['handler_status'] != 'implemented' for r in failed)} of them have no built handler)")
        print(f"  time: median {statistics.median(times) * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms, "
              f"max {times[-1] * 1000:.0f} ms ({max(rows, key=lambda r: r['seconds'])['name']}), "
              f"{sum(t > 1 for t in times)} over 1 s")
        print(f"  hops in the first chain: median {statistics.median(hops):.0f}, min {hops[0]}, max {hops[-1]}")
        for r in failed:
            print(f"  not answered: {r['name']} ({r['handler_status']}): {r['reason']}")
    if peer:
        ours = statistics.median(r["seconds"] for r in records)
        print(f"global -x HANDLER: median {statistics.median(peer) * 1000:.1f} ms over {len(peer)} rows; "
              f"ratio of medians (xref path / global -x) {ours / statistics.median(peer):.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="an xref index of Linux (and glibc)")
    parser.add_argument("--abi", action="append", help="x86_64, x32, i386, arm64, riscv (default: x86_64, i386, arm64)")
    parser.add_argument("--gtags", type=Path, help="a directory with GNU Global's database of the same Linux tree")
    parser.add_argument("--json", type=Path, help="write every row's record here")
    args = parser.parse_args()
    index = Index.open(args.db)
    with open(index.gen / "facts.sqlite", "rb") as fh:  # the index warm: its pages in the OS's cache
        while fh.read(1 << 24):
            pass
    records = []
    for abi in args.abi or ["x86_64", "i386", "arm64"]:
        records += sweep(index, abi)
    peer = None
    if args.gtags and shutil.which("global"):
        peer = global_times(args.gtags, [r["handler"] for r in records if r["status"] == "ok"])
    report(records, peer)
    if args.json:
        args.json.write_text(json.dumps(records, indent=1))


if __name__ == "__main__":
    main()
