"""What a change to the C parser changes, file by file, beside ctags' functions.

    python bench/bench_parser_diff.py --rev REV TREE DIR... [--ctags]

Runs `indexer/cparse.py:extract_c` as it is at git revision REV and as it is in the working
tree on every .c and .h file under TREE/DIR, and prints each file whose definitions or calls
differ: the functions lost and gained, the calls lost and gained (a call whose caller changes
counts as both), then the totals and each version's parse time. `--ctags` also runs
`ctags -x --c-kinds=f` on those files and counts the functions ctags finds that the working
tree's parser does not (the peer's view of what is still missing).
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexer import cparse  # noqa: E402


def _parser_at(rev: str):
    text = subprocess.run(["git", "-C", str(REPO), "show", f"{rev}:indexer/cparse.py"], check=True,
                          capture_output=True, text=True).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as out:
        out.write(text)
    spec = importlib.util.spec_from_file_location("indexer.cparse_at_rev", out.name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    os.unlink(out.name)
    return module


def _sources(tree: Path, dirs: list[str]):
    for top in dirs:
        for where, _, names in os.walk(tree / top):
            for name in sorted(names):
                if name.endswith((".c", ".h")):
                    yield Path(where) / name


def _ctags_functions(path: Path) -> set[str]:
    out = subprocess.run(["ctags", "-x", "--c-kinds=f", str(path)], capture_output=True, text=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.split()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tree", type=Path)
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--rev", default="HEAD", help="the git revision to compare with (default HEAD)")
    ap.add_argument("--ctags", action="store_true", help="also count ctags' functions the parser misses")
    args = ap.parse_args()
    before = _parser_at(args.rev)
    totals = collections.Counter()
    seconds = [0.0, 0.0]
    for path in _sources(args.tree, args.dirs):
        source = path.read_bytes()
        facts = []
        for k, module in enumerate((before, cparse)):
            started = time.perf_counter()
            facts.append(module.extract_c(source))
            seconds[k] += time.perf_counter() - started
        old, new = ({(d.name, d.kind, d.line) for d in f.definitions} for f in facts)
        old_calls, new_calls = (collections.Counter((c.caller, c.callee, c.line) for c in f.calls) for f in facts)
        totals["files"] += 1
        if args.ctags:
            missing = _ctags_functions(path) - {d.name for d in facts[1].definitions if d.kind == "function"}
            totals["ctags functions missing"] += len(missing)
        if old == new and old_calls == new_calls:
            continue
        totals["files changed"] += 1
        lost = sorted(d for d in old - new if d[1] == "function")
        gained = sorted(d for d in new - old if d[1] == "function")
        calls_lost, calls_gained = sum((old_calls - new_calls).values()), sum((new_calls - old_calls).values())
        totals.update({"definitions lost": len(old - new), "definitions gained": len(new - old),
                       "functions lost": len(lost), "functions gained": len(gained),
                       "calls lost": calls_lost, "calls gained": calls_gained})
        print(f"{path.relative_to(args.tree)}: functions -{len(lost)} +{len(gained)} "
              f"{[d[0] for d in gained][:6]}{' lost ' + str([d[0] for d in lost][:6]) if lost else ''}; "
              f"other definitions -{len(old - new) - len(lost)} +{len(new - old) - len(gained)}; "
              f"calls -{calls_lost} +{calls_gained}")
    print("; ".join(f"{key} {value}" for key, value in totals.items()))
    print(f"parse time: {args.rev} {seconds[0]:.1f} s, working tree {seconds[1]:.1f} s "
          f"(ratio {seconds[1] / max(seconds[0], 1e-9):.2f})")


if __name__ == "__main__":
    main()
