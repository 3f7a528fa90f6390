"""The source trees xref works on: the bundled corpus and the real Debian trees.

`fetch` downloads Debian's source package at a pinned version (the kernel's is the version of
the kernel image the traced ground truth comes from: `tests/data/ftrace/`), unpacks it into a
cache outside the repository and returns the tree's path; a second call finds the cached tree
and does nothing. Each version has a directory of its own, so two versions live side by side.
"""

from __future__ import annotations

import os
import re
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
    pinned: str  # the Debian version fetched when none is asked for

    def package_for(self, version: str) -> str:
        """The package carrying `version`: Linux's packages are named for their series
        (`6.12.117-1~deb12u1` is in linux-source-6.12)."""
        if self.name != "linux":
            return self.package
        series = ".".join(version.split(".")[:2])
        return f"linux-source-{series}"


REAL_TREES = {
    # 6.1.192-2 is linux-image-6.1.0-56-amd64's version: the kernel booted for tests/data/ftrace/.
    "linux": RealTree("linux", "linux-source-6.1", "usr/src/linux-source-*.tar.*", "net/socket.c", "6.1.192-2"),
    "glibc": RealTree(
        "glibc", "glibc-source", "usr/src/glibc/glibc-*.tar.*", "sysdeps/unix/sysv/linux/sendto.c",
        "2.36-9+deb12u14",
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


def parse_spec(spec: str) -> tuple[str, str]:
    """`linux` or `linux=6.1.176-1` as (tree, Debian version), the pinned version by default."""
    name, _, version = spec.partition("=")
    if name not in REAL_TREES:
        raise FetchError(f"unknown tree {name!r}; choose one of: {', '.join(REAL_TREES)}.")
    version = version.strip() or REAL_TREES[name].pinned
    if not re.fullmatch(r"[0-9][0-9A-Za-z.+~:-]*", version):
        raise FetchError(f"{version!r} is not a Debian package version (such as {REAL_TREES[name].pinned}).")
    return name, version


def _root(name: str, version: str, dest: Path | None) -> Path:
    return (dest or cache_dir()) / name / version.replace(":", "_").replace("~", "_")


def cached_tree(name: str, dest: Path | None = None, version: str | None = None) -> Path | None:
    """The path of an already fetched tree (the pinned version unless `version`), or None."""
    tree = REAL_TREES[name]
    root = _root(name, version or tree.pinned, dest)
    marker = root / ".xref-fetched"
    if marker.is_file():
        path = root / marker.read_text().strip()
        if (path / tree.probe).is_file():
            return path
    return None


def _download(package: str, version: str, work: Path) -> list[Path]:
    """apt-get download PACKAGE=VERSION into work; when the package lists do not know it (a fresh
    machine's are empty or stale), update them once."""
    for attempt in range(2):
        run = subprocess.run(["apt-get", "download", f"{package}={version}"], cwd=work, capture_output=True,
                             text=True)
        debs = list(work.glob(f"{package}_*.deb"))
        if run.returncode == 0 and debs:
            return debs
        not_listed = any(text in run.stderr for text in (
            "Unable to locate package", "has no installation candidate", "not found"))
        if attempt == 0 and not_listed and os.geteuid() == 0:
            subprocess.run(["apt-get", "update", "-qq"], capture_output=True, text=True)
            continue
        if not_listed:
            raise FetchError(f"apt-get does not know {package} {version}; run `apt-get update` as root, or "
                             f"see `apt-cache policy {package}` for the versions offered.")
        reason = (run.stderr.strip().splitlines() or ["no package file came back"])[-1]
        raise FetchError(f"could not download {package} with apt-get ({reason}).")
    raise AssertionError("unreachable")


def fetch(spec: str, dest: Path | None = None) -> Path:
    """Download and unpack the real tree `spec` ("linux", "glibc", or "linux=VERSION" for a Debian
    version other than the pinned one); return its root."""
    name, version = parse_spec(spec)
    found = cached_tree(name, dest, version)
    if found:
        return found
    tree = REAL_TREES[name]
    if not shutil.which("apt-get") or not shutil.which("dpkg"):
        raise FetchError("fetching needs Debian's apt-get and dpkg, and this machine has not got them.")
    root = _root(name, version, dest)
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=".fetch-") as tmp:
        work = Path(tmp)
        debs = _download(tree.package_for(version), version, work)
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
