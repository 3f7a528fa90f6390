"""The semantic pass against `clang -fsyntax-only`, side by side on the same translation units.

    python bench/bench_semantic.py [--tree DIR] [--build DIR] [--dirs net,arch/x86 | --dirs all] [--jobs 2]
                                   [--db DIR] [--peer-only] [--sample N]
    python bench/bench_semantic.py --index DIR [--tree DIR] [--jobs 2]

Takes every unit x86_64 defconfig compiles under --dirs (kbuild's view, as `xref index --semantic`
sees it), runs xref's extraction (libclang parse + walk + cache key) and the `clang` on PATH with
`-fsyntax-only` and the same arguments, each with --jobs processes, and prints the per-unit
averages and their ratio (ours / clang). With --db, an index already holding those units, it also
times `xref index --semantic` again with nothing changed. `--dirs all`: every unit defconfig
compiles; `--peer-only`: clang alone (beside the wall time `xref index` printed for the same units).

--index DIR: the whole pass as a user runs it: `xref index TREE --db DIR` with no flags (DIR must
not exist), its semantic pass's wall time (from its summary line) and the peak memory of xref and
its workers together (sampled every half second), beside `clang -fsyntax-only` on the same units
with as many processes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer import kconfig, semantic  # noqa: E402
from xref.corpus import fetch  # noqa: E402


def clang_accepts(clang: str, args: list[str]) -> list[str]:
    """The arguments the peer clang accepts (it may be older than libclang)."""
    for _ in range(10):
        proc = subprocess.run([clang, "-fsyntax-only", "-x", "c", "/dev/null", *args], capture_output=True, text=True)
        bad = {a for a in args for line in proc.stderr.splitlines() if "error" in line and f"'{a}'" in line}
        if not bad:
            return args
        args = [a for a in args if a not in bad]
    return args


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=None, help="Linux tree (default: xref corpus fetch linux)")
    parser.add_argument("--build", type=Path, default=None, help="build dir (default: xref's, prepared if missing)")
    parser.add_argument("--dirs", default="net,arch/x86")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--db", type=Path, default=None, help="an index to time a no-change re-run on")
    parser.add_argument("--peer-only", action="store_true", help="time clang -fsyntax-only alone")
    parser.add_argument("--index", type=Path, default=None, metavar="DIR",
                        help="time the default `xref index TREE --db DIR` (a new DIR) and its peak memory")
    parser.add_argument("--sample", type=int, default=0, metavar="N",
                        help="N units drawn at random (seed 1) from those under --dirs, for an estimate")
    opts = parser.parse_args()
    tree = (opts.tree or fetch("linux")).resolve()
    build = (opts.build or semantic.default_build_dir(tree.name, "x86_64")).resolve()
    if not (build / ".config").is_file():
        kconfig.prepare(tree, build, "x86_64", defconfig=True)
    clang = shutil.which("clang")
    if clang is None:
        sys.exit("clang is not installed: apt-get install clang")
    files = {str(p.relative_to(tree)): i for i, p in enumerate(sorted(tree.rglob("*.c")), 1)}
    only = None if opts.dirs == "all" or opts.index else opts.dirs.split(",")
    units = semantic.units_for(tree, files, build, "x86_64", only)
    if opts.sample and opts.sample < len(units):
        import random

        print(f"a sample of {opts.sample} of the {len(units)} units")
        units = random.Random(1).sample(units, opts.sample)
    where = opts.dirs if only else "all"
    print(f"{len(units)} translation units under {where} (x86_64 defconfig), {opts.jobs} processes each")

    started = time.monotonic()
    outcomes = []
    if opts.index is not None:
        ours, peak, line = index_run(tree, opts.index, opts.jobs)
        print(f"xref index: {line.strip()}; peak memory {peak / 2**30:.2f} GiB (xref and its workers)")
    else:
        if not opts.peer_only:
            with get_context("fork").Pool(opts.jobs) as pool:
                outcomes = list(pool.imap_unordered(semantic.extract_unit, units, chunksize=1))
        ours = time.monotonic() - started
    failed = sum(o.status == "failed" for o in outcomes)

    peer_args = clang_accepts(clang, units[0].args)
    dropped = set(units[0].args) - set(peer_args)

    def syntax_only(unit: semantic.Unit) -> int:
        args = [a for a in unit.args if a not in dropped]
        return subprocess.run([clang, "-fsyntax-only", "-w", *args, unit.path], capture_output=True).returncode

    started = time.monotonic()
    with ThreadPoolExecutor(opts.jobs) as threads:
        codes = list(threads.map(syntax_only, units))
    peer = time.monotonic() - started

    per_ours = ours * opts.jobs / len(units)
    per_peer = peer * opts.jobs / len(units)
    version = subprocess.run([clang, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    print(f"{'':24} {'wall s':>8} {'s per unit':>11}  failures")
    if not opts.peer_only:
        print(f"{'xref semantic pass':24} {ours:8.1f} {per_ours:11.3f}  {failed} fatal")
    print(f"{'clang -fsyntax-only':24} {peer:8.1f} {per_peer:11.3f}  {sum(c != 0 for c in codes)} non-zero exits")
    if not opts.peer_only:
        print(f"ratio xref/clang per unit: {per_ours / per_peer:.2f} (target <= 1.3); peer: {version}; "
              f"options the peer refused: {' '.join(sorted(dropped)) or 'none'}")

    if opts.db is not None:
        only = [arg for d in opts.dirs.split(",") for arg in ("--only", d)]
        started = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "xref.cli", "index", str(tree), "--db", str(opts.db),
                               "--semantic", *only], capture_output=True, text=True)
        print(f"re-run with nothing changed: {time.monotonic() - started:.1f} s (target < 10 s)")
        print("  " + proc.stdout.replace("\n", "\n  ").rstrip())


def index_run(tree: Path, db: Path, jobs: int) -> tuple[float, int, str]:
    """(seconds of the semantic pass, peak resident bytes of the process tree, its summary line)."""
    if db.exists():
        sys.exit(f"{db} exists: --index times a first build")
    command = [sys.executable, "-m", "xref.cli", "index", str(tree), "--db", str(db), "--jobs", str(jobs)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = 0
    with ThreadPoolExecutor(1) as reader:
        output = reader.submit(proc.stdout.read)
        while proc.poll() is None:
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(0.5)
        text = output.result()
    match = re.search(r"semantic pass: \d+ translation units[^\n]*?([\d.]+) s\n", text)
    if proc.returncode != 0 or match is None:
        sys.exit(f"xref index failed ({proc.returncode}):\n{text[-2000:]}")
    return float(match.group(1)), peak, match.group(0)


def tree_rss(root: int) -> int:
    """Resident bytes of `root` and all its descendants (from /proc)."""
    parents, rss = {}, {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    mine, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in mine} - mine
        grew = bool(more)
        mine |= more
    return sum(rss.get(pid, 0) for pid in mine)


if __name__ == "__main__":
    main()
