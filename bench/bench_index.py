"""Index the real Linux tree with xref and its peers, side by side in one run, and print ratios.

    python bench/bench_index.py [--tree DIR] [--work DIR] [--only xref,cscope,ctags,gtags]

Measures wall time and peak memory (summed over each command's whole process tree,
sampled every 0.1 s) for a full index, then xref's re-index after touching one file and
a one-shot `xref def` against `cscope -dL -1` and `global -x`. Ratios are ours / peer.

Then the floor under xref's index: what its fixed parts cost alone on the same files, each
a command of its own (`--alone parse|scan|search`): tree-sitter's parse of every C file and
the identifier scan, both in two processes, and Whoosh writing the index's names in one. On
two cores no schedule beats parse + scan + search / 2.
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


def _alone(part: str, listing: Path, root: Path, names: Path | None) -> None:
    """One fixed part of indexing, by itself (run as its own command, to be measured)."""
    from multiprocessing import Pool

    paths = [str(root / p) for p in listing.read_text().split() if not p.endswith(".S")]
    if part == "search":
        import tempfile

        from xref import search

        with tempfile.TemporaryDirectory() as gen:
            search.build_from_names(Path(gen), names.read_text().split())
        return
    with Pool(2) as pool:
        for _ in pool.imap_unordered(_parse_only if part == "parse" else _scan_only, paths, chunksize=16):
            pass


def _parse_only(path: str) -> None:
    from indexer.cparse import _machinery

    with open(path, "rb") as fh:
        _machinery()[0].parse(fh.read())


def _scan_only(path: str) -> None:
    from indexer.identifiers import identifier_lines

    with open(path, "rb") as fh:
        identifier_lines(fh.read())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=None, help="Linux tree (default: xref corpus fetch linux)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/xref-bench"))
    parser.add_argument("--only", default="xref,cscope,ctags,gtags,floor")
    parser.add_argument("--alone", choices=("parse", "scan", "search"), help=argparse.SUPPRESS)
    parser.add_argument("--names", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.alone:
        _alone(args.alone, args.work / "cscope.files", args.tree, args.names)
        return
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

    if "floor" in only and ours and "cscope -bqk" in results:
        alone = [sys.executable, __file__, "--tree", str(tree), "--work", str(work), "--alone"]
        names = next(db.glob("gen-*/search/names.cased"))
        parse, _ = measure([*alone, "parse"], tree)
        scan, _ = measure([*alone, "scan"], tree)
        whoosh, _ = measure([*alone, "search", "--names", str(names)], tree)
        cscope = results["cscope -bqk"][0]
        print("floor (each alone):")
        for name, wall in (("tree-sitter parse of every C file, 2 processes", parse),
                           ("identifier scan, 2 processes", scan),
                           (f"Whoosh index of {len(names.read_text().split()):,} names, 1 process", whoosh),
                           ("together on 2 cores: parse + scan + Whoosh / 2", parse + scan + whoosh / 2)):
            print(f"  {name}: {wall:.1f} s, {wall / cscope:.2f} of cscope -bqk")


if __name__ == "__main__":
    main()
