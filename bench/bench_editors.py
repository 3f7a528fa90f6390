"""xref's editor commands beside the tools they replace, on the real Linux tree, in one run.

    python bench/bench_editors.py --db DIR [--tree DIR] [--work DIR]

`xref tags` against `ctags -R` (universal-ctags, the C, C++ and Asm parsers, as bench_index.py
runs it) on the whole tree, wall time and peak memory; then one-shot queries, `xref cscope -dL -N`
against `cscope -dL -N` with cscope's database of net/ and include/ (built here, `-bqk`), each
the quickest of five runs. Ratios are ours / peer.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_index import best_of, measure  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="an xref index of the Linux tree")
    parser.add_argument("--tree", type=Path, help="the Linux tree (default: the one `xref corpus fetch linux` gives)")
    parser.add_argument("--work", type=Path, help="where the tags files and cscope's database go (default: a temp dir)")
    args = parser.parse_args()
    if args.tree is None:
        from xref.corpus import fetch

        args.tree = fetch("linux")
    work = args.work or Path(tempfile.mkdtemp(prefix="xref-bench-editors-"))
    work.mkdir(parents=True, exist_ok=True)
    xref = [sys.executable, "-m", "xref.cli", "--db", args.db]

    ours = measure([*xref, "tags", "-o", str(work / "xref.tags")], args.tree)
    print(f"xref tags: {ours[0]:.1f} s, {ours[1] / 1024:.0f} MiB, "
          f"{sum(1 for _ in open(work / 'xref.tags', 'rb')):,} lines")
    if shutil.which("ctags"):
        peer = measure(["ctags", "-R", "--languages=C,C++,Asm", "-f", str(work / "ctags.tags"), "."], args.tree)
        print(f"ctags -R:  {peer[0]:.1f} s, {peer[1] / 1024:.0f} MiB, "
              f"{sum(1 for _ in open(work / 'ctags.tags', 'rb')):,} lines; "
              f"ratio wall {ours[0] / peer[0]:.2f}, memory {ours[1] / peer[1]:.2f}")

    if shutil.which("cscope") is None:
        sys.exit("cscope is not installed: apt-get install cscope")
    files = sorted(str(p.relative_to(args.tree)) for top in ("net", "include") for p in (args.tree / top).rglob("*")
                   if p.suffix in (".c", ".h", ".S") and p.is_file())
    (work / "cscope.files").write_text("\n".join(files) + "\n")
    start = time.monotonic()
    subprocess.run(["cscope", "-bqk", "-i", str(work / "cscope.files"), "-f", str(work / "cscope.out")],
                   cwd=args.tree, check=True, capture_output=True)
    print(f"\ncscope -bqk over net/ and include/ ({len(files):,} files): {time.monotonic() - start:.1f} s")
    for number, name in ((1, "udp_sendmsg"), (3, "udp_sendmsg"), (0, "sock_sendmsg"), (8, "net/sock.h")):
        ours = best_of([*xref, "cscope", "-dL", f"-{number}", name], args.tree)
        peer = best_of(["cscope", "-dL", f"-{number}", name, "-f", str(work / "cscope.out")], args.tree)
        print(f"-{number} {name:14} xref cscope {ours * 1000:5.0f} ms   cscope {peer * 1000:4.0f} ms   "
              f"ratio {ours / peer:.1f}")


if __name__ == "__main__":
    main()
