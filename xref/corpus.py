"""The source trees xref works on: the bundled corpus and the real Debian trees.

`fetch` downloads Debian's source package, unpacks it into a cache outside the repository
and returns the tree's path; a second call finds the cached tree and does nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

BUNDLED = Path(__file__).resolve().parent.parent / "corpus"


@dataclass(frozen=True)
class RealTree:
    name: str  # what the user types: `xref corpus fetch linux`
    package: str  # the Debian binary package that carries the tarball
    tarball_glob: str  # where the tarball lies inside the unpacked package
    probe: str  # a file every good tree has, relative to its root


REAL_TREES = {
    "linux": RealTree("linux", "linux-source-6.1", "usr/src/linux-source-*.tar.*", "net/socket.c"),
    "glibc": RealTree(
        "glibc", "glibc-source", "usr/src/glibc/glibc-*.tar.*", "sysdeps/unix/sysv/linux/sendto.c"
    ),
}


class FetchError(Exception):
    """A fetch that cannot go on; the message is one sentence for the user."""


def cache_dir() -> Path:
    env = os.environ.get("XREF_CACHE")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "xref"


def cached_tree(name: str, dest: Path | None = None) -> Path | None:
    """The path of an already fetched tree, or None."""
    tree = REAL_TREES[name]
    root = (dest or cache_dir()) / name
    marker = root / ".xref-fetched"
    if marker.is_file():
        path = root / marker.read_text().strip()
        if (path / tree.probe).is_file():
            return path
    return None


def _download(package: str, work: Path) -> list[Path]:
    """apt-get download PACKAGE into work; on a machine whose package lists are empty, update them once."""
    for attempt in range(2):
        run = subprocess.run(["apt-get", "download", package], cwd=work, capture_output=True, text=True)
        debs = list(work.glob(f"{package}_*.deb"))
        if run.returncode == 0 and debs:
            return debs
        not_listed = "Unable to locate package" in run.stderr or "has no installation candidate" in run.stderr
        if attempt == 0 and not_listed and os.geteuid() == 0:
            subprocess.run(["apt-get", "update", "-qq"], capture_output=True, text=True)
            continue
        if not_listed:
            raise FetchError(f"apt-get does not know {package}; run `apt-get update` as root and try again.")
        reason = (run.stderr.strip().splitlines() or ["no package file came back"])[-1]
        raise FetchError(f"could not download {package} with apt-get ({reason}).")
    raise AssertionError("unreachable")


def fetch(name: str, dest: Path | None = None) -> Path:
    """Download and unpack the real tree `name` ("linux" or "glibc"); return its root."""
    if name not in REAL_TREES:
        raise FetchError(f"unknown tree {name!r}; choose one of: {', '.join(REAL_TREES)}.")
    found = cached_tree(name, dest)
    if found:
        return found
    tree = REAL_TREES[name]
    if not shutil.which("apt-get") or not shutil.which("dpkg"):
        raise FetchError("fetching needs Debian's apt-get and dpkg, and this machine has not got them.")
    root = (dest or cache_dir()) / name
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=".fetch-") as tmp:
        work = Path(tmp)
        debs = _download(tree.package, work)
        unpacked = work / "deb"
        run = subprocess.run(["dpkg", "-x", str(debs[0]), str(unpacked)], capture_output=True, text=True)
        tarballs = sorted(unpacked.glob(tree.tarball_glob))
        if run.returncode != 0 or not tarballs:
            raise FetchError(f"{debs[0].name} did not hold the expected source tarball.")
        extracted = work / "src"
        with tarfile.open(tarballs[0]) as tar:
            tar.extractall(extracted, filter="tar")
        tops = [p for p in extracted.iterdir() if p.is_dir()]
        if len(tops) != 1 or not (tops[0] / tree.probe).is_file():
            raise FetchError(f"{tarballs[0].name} did not unpack to a {name} tree.")
        final = root / tops[0].name
        if final.exists():
            shutil.rmtree(final)
        tops[0].rename(final)
        (root / ".xref-fetched").write_text(final.name + "\n")
    return final
