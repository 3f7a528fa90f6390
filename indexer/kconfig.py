"""Preparing a kernel build directory for the semantic pass: a configuration and kbuild's flags.

A real kernel tree is configured by its own kbuild (`make O=BUILD defconfig`/`olddefconfig`,
then `prepare`), and the flags every object gets are read off kbuild's command for one object.
A tree without kbuild's scripts (the bundled corpus) gets its `.config` and an `autoconf.h`.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

from xref.conditions import kernel_srcarch

# Debian package -> what shows it is installed.
BUILD_PACKAGES = {
    "make": ("command", "make"),
    "gcc": ("command", "gcc"),
    "flex": ("command", "flex"),
    "bison": ("command", "bison"),
    "bc": ("command", "bc"),
    "libelf-dev": ("header", "/usr/include/gelf.h"),
    "libssl-dev": ("header", "/usr/include/openssl/opensslv.h"),
}


class KconfigError(Exception):
    """Preparing the build directory failed; the message says why in one sentence."""


def missing_packages() -> list[str]:
    missing = []
    for package, (how, what) in BUILD_PACKAGES.items():
        present = shutil.which(what) if how == "command" else Path(what).is_file()
        if not present:
            missing.append(package)
    return missing


def has_kbuild(root: Path) -> bool:
    return (root / "scripts" / "kconfig").is_dir() and (root / "scripts" / "Makefile.build").is_file()


def prepare(root: Path, build: Path, arch: str, config: Path | None = None, defconfig: bool = False,
            log=print) -> Path:
    """Configure `build` for `arch`; returns the .config path."""
    build.mkdir(parents=True, exist_ok=True)
    if has_kbuild(root):
        return _prepare_with_kbuild(root, build, arch, config, defconfig, log)
    return _prepare_plain(root, build, arch, config, defconfig)


def configuration(root: Path, build: Path, arch: str, config: Path | None = None, log=print) -> Path | None:
    """The .config that says what a kernel tree builds, made with kconfig alone (no `prepare`, no
    compiler run): the build directory's, else `config` (kbuild's olddefconfig completes it), else
    the tree's own, else the architecture's defconfig. None, with a line logged, when kconfig
    cannot run here (its tools are missing)."""
    build.mkdir(parents=True, exist_ok=True)
    # A build directory holds one configuration (a given .config gets a directory of its own).
    for existing in (build / ".config", *([root / ".config"] if config is None else [])):
        if existing.is_file():
            return existing
    if not has_kbuild(root):
        return _prepare_plain(root, build, arch, config, defconfig=config is None)
    missing = [p for p in missing_packages() if p in ("make", "gcc", "flex", "bison")]
    if missing:
        log(f"what {root.name} builds is not known: kconfig needs {', '.join(missing)} "
            f"(apt-get install {' '.join(missing)}); every file is taken as built")
        return None
    if config is not None:
        shutil.copyfile(config, build / ".config")
        _make(root, build, arch, "olddefconfig")
    else:
        log(f"make {arch} defconfig in {build}")
        _make(root, build, arch, "defconfig")
    return build / ".config"


def _make(root: Path, build: Path, arch: str, *targets: str, capture: bool = False) -> str:
    proc = _run_make(root, build, arch, targets)
    if proc.returncode != 0:
        raise KconfigError(f"`{' '.join(proc.args[3:])}` failed: {_last_line(proc) or 'no output'}")
    return proc.stdout


def _run_make(root: Path, build: Path, arch: str, targets, timeout: float | None = None) -> subprocess.CompletedProcess:
    cmd = ["make", "-C", str(root), f"O={build}", f"ARCH={arch}", f"-j{os.cpu_count() or 1}", *targets]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def _last_line(proc: subprocess.CompletedProcess) -> str:
    """What a failed make said last (its error)."""
    lines = [line for line in (proc.stderr or proc.stdout).splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _prepare_with_kbuild(root: Path, build: Path, arch: str, config: Path | None, defconfig: bool, log) -> Path:
    missing = missing_packages()
    if missing:
        raise KconfigError(f"building the kernel's configuration needs {', '.join(missing)}: "
                           f"apt-get install {' '.join(missing)}")
    if config is not None:
        shutil.copyfile(config, build / ".config")
        log(f"make olddefconfig ({config})")
        _make(root, build, arch, "olddefconfig")
    elif defconfig or not (build / ".config").is_file():
        log(f"make {arch} defconfig")
        _make(root, build, arch, "defconfig")
    log("make prepare")
    _make(root, build, arch, "prepare")
    base = _kbuild_base_flags(root, build, arch)
    (build / "xref-flags.json").write_text(json.dumps({"arch": arch, "base": base}, indent=1))
    return build / ".config"


def make_objects(root: Path, build: Path, arch: str, objects: list[str], timeout: float = 900) -> str:
    """Have kbuild make these objects (`security/selinux/hooks.o`), and so the headers they
    include that kbuild generates on the way (selinux's flask.h, the ASN.1 parsers', lib's
    crc32table.h), which `prepare` does not make. Keeps going past errors; returns "" or why
    it stopped."""
    try:
        proc = _run_make(root, build, arch, ["-k", *objects], timeout)
    except subprocess.TimeoutExpired:
        return f"make took over {timeout:.0f} s"
    if proc.returncode == 0:
        return ""
    return _last_line(proc) or f"make exited with {proc.returncode}"


# kbuild adds these per object or per directory; the base is what is left. Warnings do not
# change what the code means, and -Werror would turn them into parse errors.
_PER_OBJECT = re.compile(r"^-DKBUILD_|^-D__KBUILD_MODNAME|^-DMODULE$|^-W")


def _kbuild_base_flags(root: Path, build: Path, arch: str) -> list[str]:
    """kbuild's command for one plain object (kernel/panic.o), less what is the object's own."""
    from indexer.semantic import _clang_args, clang_compatible

    sample = "kernel/panic"
    output = _make(root, build, arch, "-n", f"{sample}.o")
    command = next((part for line in output.splitlines() for part in line.split(";")
                    if f"-o {sample}.o" in part and " -c " in part), None)
    if command is None:
        raise KconfigError(f"could not read kbuild's compile command for {sample}.o from `make -n`.")
    words = shlex.split(command)
    args = words[next(i for i, w in enumerate(words) if not w.startswith("-") and "=" not in w) + 1:]
    out: list[str] = []
    skip_next = False
    translated = _clang_args(args, build, root / f"{sample}.c")
    for word, following in zip(translated, translated[1:] + [""], strict=True):
        if skip_next:
            skip_next = False
        elif word == "-I" and following.rstrip("/").endswith("/kernel"):
            skip_next = True  # the object's own directory, source and build side
        elif not _PER_OBJECT.match(word):
            out.append(word)
    return clang_compatible(out)


def _prepare_plain(root: Path, build: Path, arch: str, config: Path | None, defconfig: bool) -> Path:
    """A tree without kbuild's scripts: take its .config (or the arch defconfig) and write autoconf.h."""
    source = config
    if source is None:
        candidates = [root / "arch" / kernel_srcarch(arch) / "configs" / f"{arch}_defconfig", root / ".config"]
        source = next((c for c in candidates if c.is_file()), None)
        if source is None:
            raise KconfigError(f"{root} has no .config and no {arch}_defconfig; give one with --config FILE.")
    shutil.copyfile(source, build / ".config")
    lines = ["/* Written by xref kconfig from .config */"]
    for line in (build / ".config").read_text().splitlines():
        name, sep, value = line.partition("=")
        if not sep or not name.startswith("CONFIG_"):
            continue
        if value == "y":
            lines.append(f"#define {name} 1")
        elif value == "m":
            lines.append(f"#define {name}_MODULE 1")
        elif value != "n":
            lines.append(f"#define {name} {value}")
    generated = build / "include" / "generated"
    generated.mkdir(parents=True, exist_ok=True)
    (generated / "autoconf.h").write_text("\n".join(lines) + "\n")
    return build / ".config"
