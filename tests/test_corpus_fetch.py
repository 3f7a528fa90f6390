"""`xref corpus fetch`: the real trees from Debian's source packages, cached outside the repo."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import REPO, run_xref


def test_fetch_without_apt_get_is_one_sentence_and_exit_2(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # a PATH with python but no apt-get or dpkg
    (bin_dir / "python3").symlink_to(shutil.which("python3"))
    proc = run_xref("corpus", "fetch", "glibc", "--dest", str(tmp_path / "cache"), env={"PATH": str(bin_dir)})
    assert proc.returncode == 2
    assert proc.stderr == "xref: fetching needs Debian's apt-get and dpkg, and this machine has not got them.\n"


def test_fetch_rejects_an_unknown_tree(tmp_path):
    proc = run_xref("corpus", "fetch", "bsd", "--dest", str(tmp_path))
    assert proc.returncode == 2 and "bsd" in proc.stderr


@pytest.mark.slow
def test_fetch_linux_gives_the_6_1_tree_outside_the_repo(linux_tree):
    assert (linux_tree / "net" / "socket.c").is_file()
    assert (linux_tree / "arch" / "x86" / "entry" / "syscalls" / "syscall_64.tbl").is_file()
    assert "VERSION = 6\nPATCHLEVEL = 1\n" in (linux_tree / "Makefile").read_text()
    assert REPO not in linux_tree.parents


@pytest.mark.slow
def test_fetch_glibc_gives_the_2_36_tree(glibc_tree):
    assert (glibc_tree / "sysdeps" / "unix" / "sysv" / "linux" / "sendto.c").is_file()
    assert (glibc_tree / "version.h").read_text().count('"2.36"') == 1


@pytest.mark.slow
def test_second_fetch_is_a_no_op_that_prints_the_path(linux_tree):
    proc = run_xref("corpus", "fetch", "linux", check=True, timeout=30)
    assert proc.stdout.strip() == str(linux_tree)
