"""Shared fixtures: the bundled corpus indexed once per session, and the real trees."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from xref.corpus import BUNDLED, fetch
from xref.queries import Index

REPO = Path(__file__).resolve().parent.parent


def run_xref(*args: str, cwd: Path | None = None, env: dict | None = None, check: bool = False,
             timeout: int = 3600) -> subprocess.CompletedProcess:
    """Run the real `xref` command line in a subprocess."""
    full_env = dict(os.environ)
    full_env.pop("XREF_DB", None)
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, "-m", "xref.cli", *args], cwd=cwd or REPO, env=full_env,
                          capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"xref {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory) -> Path:
    """The bundled kernel-like and glibc-like trees indexed together."""
    db = tmp_path_factory.mktemp("corpus") / "db"
    run_xref("index", str(BUNDLED / "linux"), str(BUNDLED / "glibc"), "--db", str(db), check=True)
    return db


@pytest.fixture(scope="session")
def corpus_index(corpus_db) -> Index:
    return Index.open(str(corpus_db))


@pytest.fixture(scope="session")
def semantic_env(tmp_path_factory) -> dict:
    """xref's cache (build directories of the semantic pass) kept inside the test's temp dir."""
    return {"XREF_CACHE": str(tmp_path_factory.mktemp("cache"))}


@pytest.fixture(scope="session")
def semantic_db(tmp_path_factory, semantic_env) -> Path:
    """The bundled trees indexed with the semantic pass (the corpus configuration)."""
    db = tmp_path_factory.mktemp("semantic") / "db"
    run_xref("index", str(BUNDLED / "linux"), str(BUNDLED / "glibc"), "--db", str(db), "--semantic",
             env=semantic_env, check=True)
    return db


@pytest.fixture(scope="session")
def linux_tree() -> Path:
    return fetch("linux")


@pytest.fixture(scope="session")
def glibc_tree() -> Path:
    return fetch("glibc")


# The directories whose translation units x86_64 defconfig compiles that the semantic pass parses
# in the real-tree tests (the rest of the tree has tree-sitter facts only).
LINUX_SEMANTIC_DIRS = ("net", "kernel", "fs", "mm", "arch/x86")
GLIBC_SEMANTIC_DIRS = ("socket", "sysdeps/unix/sysv/linux")


@pytest.fixture(scope="session")
def linux_db(linux_tree, tmp_path_factory) -> Path:
    """The whole real Linux 6.1 tree indexed once, with the semantic pass over LINUX_SEMANTIC_DIRS
    (reused across runs via XREF_TEST_LINUX_DB)."""
    db = Path(os.environ.get("XREF_TEST_LINUX_DB") or tmp_path_factory.mktemp("linux") / "db")
    only = [arg for d in LINUX_SEMANTIC_DIRS for arg in ("--only", d)]
    run_xref("index", str(linux_tree), "--db", str(db), "--semantic", *only, check=True)
    return db


@pytest.fixture(scope="session")
def glibc_db(glibc_tree, tmp_path_factory) -> Path:
    db = Path(os.environ.get("XREF_TEST_GLIBC_DB") or tmp_path_factory.mktemp("glibc") / "db")
    only = [arg for d in GLIBC_SEMANTIC_DIRS for arg in ("--only", d)]
    run_xref("index", str(glibc_tree), "--db", str(db), "--semantic", *only, check=True)
    return db
