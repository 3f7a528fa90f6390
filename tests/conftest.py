"""Shared fixtures: the bundled corpus indexed once per session, and the real trees."""

from __future__ import annotations

import os
import shutil
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


def indexed_copy(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the bundled kernel-like tree to change, indexed: (tree, index directory)."""
    tree = tmp_path / "linux"
    shutil.copytree(BUNDLED / "linux", tree)
    db = tmp_path / "db"
    run_xref("index", "--no-semantic", str(tree), "--db", str(db), check=True)
    return tree, db


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory) -> Path:
    """The bundled kernel-like and glibc-like trees indexed together."""
    db = tmp_path_factory.mktemp("corpus") / "db"
    run_xref("index", "--no-semantic", str(BUNDLED / "linux"), str(BUNDLED / "glibc"), "--db", str(db), check=True)
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


def _indexed(tree: Path, db: Path, *args: str) -> Path:
    run_xref("index", "--no-semantic", str(tree), "--db", str(db), *args, check=True)
    return db


def _with_semantic(unconfigured: Path, db: Path, tree: Path, dirs: tuple[str, ...]) -> Path:
    """The unconfigured index copied, then the semantic pass added (the parser's facts are reused)."""
    import shutil

    if not db.exists():
        shutil.copytree(unconfigured, db)
    return _indexed(tree, db, "--semantic", *[arg for d in dirs for arg in ("--only", d)])


# A run's real-tree indexes take about 25 GiB; a disk that fills half-way fails them with an
# error far from its cause (one CI run lost every semantic index to a full disk).
REAL_INDEX_SPACE = 30 * 2**30


def _test_db(variable: str, suffix: str, tmp_path_factory, name: str) -> Path:
    """Where a real-tree index lives: under $VARIABLE to be reused across runs, else a temp dir."""
    base = os.environ.get(variable)
    db = Path(base + suffix) if base else tmp_path_factory.mktemp(name) / "db"
    free = shutil.disk_usage(db.parent if db.parent.exists() else db.parent.parent).free
    if not db.exists() and free < REAL_INDEX_SPACE // 5:
        pytest.fail(f"{free / 2**30:.1f} GiB free under {db.parent}: the real-tree indexes of one run need about "
                    f"{REAL_INDEX_SPACE // 2**30} GiB (old runs' directories: pytest-of-*/ in the temp dir)")
    return db


@pytest.fixture(scope="session")
def linux_ts_db(linux_tree, tmp_path_factory) -> Path:
    """The whole real Linux 6.1 tree indexed without a configuration (no semantic pass)."""
    return _indexed(linux_tree, _test_db("XREF_TEST_LINUX_DB", "-unconfigured", tmp_path_factory, "linux-ts"))


@pytest.fixture(scope="session")
def linux_db(linux_tree, linux_ts_db, tmp_path_factory) -> Path:
    """The whole real Linux 6.1 tree with the semantic pass over LINUX_SEMANTIC_DIRS (x86_64 defconfig)."""
    db = _test_db("XREF_TEST_LINUX_DB", "", tmp_path_factory, "linux")
    return _with_semantic(linux_ts_db, db, linux_tree, LINUX_SEMANTIC_DIRS)


@pytest.fixture(scope="session")
def glibc_ts_db(glibc_tree, tmp_path_factory) -> Path:
    return _indexed(glibc_tree, _test_db("XREF_TEST_GLIBC_DB", "-unconfigured", tmp_path_factory, "glibc-ts"))


@pytest.fixture(scope="session")
def glibc_db(glibc_tree, glibc_ts_db, tmp_path_factory) -> Path:
    db = _test_db("XREF_TEST_GLIBC_DB", "", tmp_path_factory, "glibc")
    return _with_semantic(glibc_ts_db, db, glibc_tree, GLIBC_SEMANTIC_DIRS)


@pytest.fixture(scope="session")
def linux_glibc_db(linux_tree, glibc_tree, linux_db, tmp_path_factory) -> Path:
    """Linux (linux_db's index copied) and glibc in one index, both with their semantic pass:
    what `xref path` needs to go from glibc's wrapper to the driver."""
    import shutil

    db = _test_db("XREF_TEST_LINUX_DB", "-with-glibc", tmp_path_factory, "linux-glibc")
    if not db.exists():
        shutil.copytree(linux_db, db)
    dirs = LINUX_SEMANTIC_DIRS + GLIBC_SEMANTIC_DIRS
    run_xref("index", str(linux_tree), str(glibc_tree), "--db", str(db), "--semantic",
             *[arg for d in dirs for arg in ("--only", d)], check=True)
    return db


@pytest.fixture(scope="session")
def linux_glibc_ts_db(linux_tree, glibc_tree, linux_ts_db, tmp_path_factory) -> Path:
    """Linux and glibc in one index without the semantic pass: what `xref index LINUX GLIBC`
    publishes first, and answers from until the semantic pass is done (linux_ts_db copied,
    glibc added)."""
    import shutil

    db = _test_db("XREF_TEST_LINUX_DB", "-with-glibc-unconfigured", tmp_path_factory, "linux-glibc-ts")
    if not db.exists():
        shutil.copytree(linux_ts_db, db)
    return _indexed(linux_tree, db, str(glibc_tree))
