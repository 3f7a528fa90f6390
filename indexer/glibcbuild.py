"""Which C files glibc compiles for a target, and with which flags: the sysdeps search order at work.

The order comes from glibc's own `configure` (its `config.make`) when the tree has one, or
else from the base directories in `Makeconfig` expanded through the `Implies` files the way
`configure` expands them. A routine is compiled from the first sysdeps directory that has it,
else from its subdirectory; a routine `make-syscalls.sh` generates from `syscalls.list` has no
C file at all.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

TARGETS = {"x86_64": "x86_64-linux-gnu", "i386": "i686-linux-gnu"}
# Not part of the library: build helpers, documentation, the Hurd's and kFreeBSD's own directories
# (htl, fbtl: Debian's tree carries them); and
# (unless asked for) the test programs and benchmarks.
_NOT_LIBRARY = re.compile(r"(^|/)(gen-|check-)|-skeleton\.c$|-template\.c$|"
                          r"^(manual|scripts|conform|po|localedata|timezone|hurd|mach|htl|fbtl|fbtl_db)/")
_TESTS = re.compile(r"(^|/)(tst-|test-|bug-|tester|bench-)|^(benchtests|support)/")


# Debian package -> the command showing it is installed: what glibc's configure needs.
BUILD_PACKAGES = {"gawk": "gawk", "gcc": "gcc", "make": "make", "bison": "bison", "python3": "python3"}


def missing_packages() -> list[str]:
    import shutil

    return [package for package, command in BUILD_PACKAGES.items() if shutil.which(command) is None]


class GlibcError(Exception):
    """Configuring the glibc build directory failed; the message says why in one sentence."""


def is_glibc_tree(root: Path) -> bool:
    return (root / "sysdeps").is_dir() and (root / "include" / "libc-symbols.h").is_file() and \
        (root / "Makeconfig").is_file()


def target_of(arch: str) -> str:
    try:
        return TARGETS[arch]
    except KeyError:
        raise GlibcError(f"no glibc target for {arch}; use one of {', '.join(TARGETS)}.") from None


# Headers glibc's build generates before compiling anything, which most files include.
GENERATED = ("libc-modules.h", "abi-versions.h", "libc-abis.h")


def prepare(root: Path, build: Path, arch: str, log=print) -> None:
    """Run glibc's configure in `build` (a tree with one) and generate the headers every file reads."""
    target = target_of(arch)
    build.mkdir(parents=True, exist_ok=True)
    if not (root / "configure").is_file():
        return
    missing = [tool for tool in ("gcc", "make", "gawk", "bison") if shutil.which(tool) is None]
    if missing:
        raise GlibcError(f"configuring glibc needs {', '.join(missing)}: apt-get install {' '.join(missing)}")
    if not (build / "config.make").is_file():
        cc = "gcc -m32" if arch == "i386" else "gcc"
        log(f"configure --host={target} in {build}")
        proc = subprocess.run([str(root / "configure"), "--prefix=/usr", f"--host={target}",
                               "--build=x86_64-linux-gnu", "--disable-werror", f"CC={cc}"],
                              cwd=build, capture_output=True, text=True)
        if proc.returncode != 0:
            last = [line for line in proc.stdout.splitlines() + proc.stderr.splitlines() if line.strip()][-1:]
            raise GlibcError(f"glibc's configure failed: {last[0] if last else 'no output'}")
    wanted = [name for name in GENERATED if not (build / name).is_file()]
    if wanted:
        log(f"make {' '.join(wanted)}")
        proc = subprocess.run(["make", f"objdir={build}", *[f"{build}/{name}" for name in wanted]], cwd=root,
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise GlibcError(f"generating {', '.join(wanted)} failed: "
                             + ([line for line in proc.stderr.splitlines() if line.strip()] or ["no output"])[-1])


def sysdirs(root: Path, build: Path | None, arch: str) -> list[str]:
    """The sysdeps directories in search order, as tree-relative paths ('sysdeps/unix/sysv/linux')."""
    if build is not None and (build / "config.make").is_file():
        for line in (build / "config.make").read_text().splitlines():
            if line.startswith("config-sysdirs ="):
                return line.split("=", 1)[1].split()
    target = target_of(arch)
    base: list[str] = []
    text = re.sub(r"\\\n", " ", (root / "Makeconfig").read_text())
    for line in text.splitlines():
        for name in (target, target.replace("i686", "i386")):
            if line.startswith(f"config-sysdirs-{name} "):
                base = line.split("=", 1)[1].split()
    if base:  # a tree that states its order (the bundled corpus)
        return expand_implies(root, [f"sysdeps/{b}" for b in base])
    if arch not in _MACHINES:
        raise GlibcError(f"{root} says nothing of the sysdeps directories for {target}.")
    return configure_sysdirs(root, _MACHINES[arch])


# What glibc's preconfigure fragments make of each target's machine (sysdeps/x86_64/preconfigure:
# x86_64/64 unless the compiler is in x32 mode; sysdeps/i386/preconfigure: i386/i686).
_MACHINES = {"x86_64": "x86_64/64", "i386": "i386/i686"}


def configure_sysdirs(root: Path, machine: str, os_name: str = "linux-gnu", base_os: str = "unix/sysv",
                      multi_arch: bool = True, with_fp: bool = True) -> list[str]:
    """The sysdeps directories as glibc's configure.ac computes them for a Linux target (without
    running configure, which needs gawk and a compiler): every existing directory made of a
    machine term, the OS's base and the OS, then each one's Implies, Implies-before and
    Implies-after files and its parent, as configure's loop orders them; sysdeps/generic last."""
    ostry = [os_name]
    if "-" in os_name:
        ostry.append(os_name.split("-", 1)[0])  # linux-gnu, then linux
    bases, tail = [], base_os
    while tail:
        bases.append(tail)
        tail = tail.rsplit("/", 1)[0] if "/" in tail else ""
    mach, tail = [], machine
    while tail:
        mach += [f"/{tail}{fpu}{multi}" for fpu in (("/fpu" if with_fp else "/nofpu"), "")
                 for multi in (("/multiarch",) if multi_arch else ()) + ("",)]
        tail = tail.rsplit("/", 1)[0] if "/" in tail else ""
    found = []
    for b in [f"/{b}" for b in bases] + [""]:
        for m0 in mach + [""]:
            for o in [f"/{o}" for o in ostry] + [""]:
                for m in mach + [""]:
                    suffix = f"{m0}{b}{o}{m}"
                    if suffix and (root / f"sysdeps{suffix}").is_dir():
                        found.append(f"sysdeps{suffix}")
    names: list[str] = []
    queue = found
    while queue:
        name, queue = queue[0], queue[1:]
        if name in names:
            continue
        implied = {kind: [] for kind in ("Implies", "Implies-before", "Implies-after")}
        for kind, words in implied.items():
            listed = root / name / kind
            if listed.is_file():
                words += [f"sysdeps/{x}" for x in re.sub(r"#.*", "", listed.read_text()).split()
                          if (root / "sysdeps" / x).is_dir()]
        names.append(name)
        parent = name.rsplit("/", 1)[0]
        parents = [] if parent.endswith("sysdeps") else [parent]
        queue = implied["Implies"] + queue + implied["Implies-before"] + parents + implied["Implies-after"]
    return names + ["sysdeps/generic"]


def expand_implies(root: Path, names: list[str]) -> list[str]:
    """configure's expansion: each directory, then what it Implies (first), the rest, then its parent."""
    found: list[str] = []
    queue = list(names)
    while queue:
        name = queue.pop(0)
        if name in found:
            continue
        implied: list[str] = []
        if (root / name).is_dir():
            found.append(name)
            implies = root / name / "Implies"
            if implies.is_file():
                for word in re.sub(r"#.*", "", implies.read_text()).split():
                    if (root / "sysdeps" / word).is_dir():
                        implied.append(f"sysdeps/{word}")
        parent = name.rsplit("/", 1)[0] if "/" in name else ""
        queue = implied + queue + ([parent] if parent and parent != "sysdeps" else [])
    if "sysdeps/generic" not in found:
        found.append("sysdeps/generic")
    return found


def generated_syscalls(build: Path | None) -> set[str]:
    """Routines make-syscalls.sh builds from syscall-template.S (recorded by configure's build)."""
    names: set[str] = set()
    if build is not None and (build / "sysd-syscalls").is_file():
        # SOURCE=- : generated from the template; SOURCE=path : a file implements it, the entry is dropped
        for match in re.finditer(r"^#### CALL=(\S+) .*SOURCE=-$", (build / "sysd-syscalls").read_text(), re.M):
            names.add(match.group(1))
    return names


def sources(root: Path, build: Path | None, arch: str, files: list[str], tests: bool = False) -> list[str]:
    """The .c files (tree-relative) the target compiles: each routine from the first directory with
    it; the test programs too when `tests`."""
    order = sysdirs(root, build, arch)
    rank = {d: i for i, d in enumerate(order)}
    generated = generated_syscalls(build)
    best: dict[str, tuple[int, str]] = {}  # routine (path below its directory) -> (rank, file)
    for rel in files:
        if not rel.endswith((".c", ".S")) or _NOT_LIBRARY.search(rel) or (not tests and _TESTS.search(rel)):
            continue
        if rel.startswith("sysdeps/"):
            directory = max((d for d in order if rel.startswith(d + "/")), key=len, default=None)
            if directory is None:
                continue  # another target's directory
            routine, where = rel[len(directory) + 1 :], rank[directory]
        else:
            if "/" not in rel:
                continue
            routine, where = rel.split("/", 1)[1], len(order)
        if "/" in routine:
            continue  # routines sit directly in their directory; deeper ones belong to other ports
        key = routine.rsplit(".", 1)[0]
        if key in generated:
            continue
        if key not in best or where < best[key][0]:
            best[key] = (where, rel)
    return sorted(rel for _, rel in best.values() if rel.endswith(".c"))


def flags(root: Path, build: Path | None, arch: str, source: str, order: list[str]) -> list[str]:
    """What glibc's Makeconfig gives the compiler for one file of libc."""
    subdir = source.split("/", 1)[0] if not source.startswith("sysdeps/") else ""
    args = ["-std=gnu11", "-fgnu89-inline", "-O2", "-fmerge-all-constants", "-frounding-math",
            "-fno-stack-protector", "-fno-common", "-fmath-errno", "-ftls-model=initial-exec",
            "-m32" if arch == "i386" else "-m64", f"-I{root / 'include'}"]
    if build is not None:
        if subdir:
            args.append(f"-I{build / subdir}")
        args.append(f"-I{build}")
    for directory in order:
        if (root / directory / "include").is_dir():
            args.append(f"-I{root / directory / 'include'}")
        args.append(f"-I{root / directory}")
    args += [f"-I{root}", f"-I{root / 'libio'}"]
    if subdir:
        args.append(f"-I{root / subdir}")
    args += ["-D_LIBC_REENTRANT", "-D_LIBC"]
    if build is not None and (build / "libc-modules.h").is_file():
        args += ["-include", str(build / "libc-modules.h"), "-DMODULE_NAME=libc"]
    args += ["-include", str(root / "include" / "libc-symbols.h"), "-DPIC", "-DTOP_NAMESPACE=glibc"]
    return args
