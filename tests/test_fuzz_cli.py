"""Bad arguments to every query command: an answer or one clear error, never a traceback, within
a time and an output size that are bounded."""

from __future__ import annotations

import itertools
import os
import time

import pytest
from click.testing import CliRunner

from xref.cli import main

# Values a person (or a script gone wrong) might pass anywhere.
BAD = ["", " ", "_", "a", "-1", "0", "99999999999", "9" * 1000, "9" * 5000, "x" * 100_000, "(a+)+$",
       "((((((((((a*)*)*)*)*)*)*)*)*)*)b", "(x+x+)+y", "[", "\\", "%s%n%x", "*", "a*b?c[",
       "../../../etc/passwd", "/etc/passwd", "/dev/zero", "☃", os.fsdecode(b"\xff\xfe"),
       "net/socket.c:10:99999", "net/socket.c:0:0", "net/socket.c:-3", "net/socket.c:" + "9" * 5000,
       "net/socket.c:10:" + "9" * 1000, "linux:", ":1", "x:y:z:w", "sendto --to", "\t\n"]
# The query commands and the options that take a value (index, kconfig, serve, lsp and corpus
# have tests of their own: they write, listen or fetch).
COMMANDS = {
    "def": [], "refs": [], "callers": [], "callees": [], "regs": ["--field"], "search": ["--kind", "--limit"],
    "expand": ["--text", "--context"], "path": ["--arch", "--abi", "--to", "--through", "--depth"],
    "syscall": ["--arch", "--abi"], "stats": [], "tags": ["-o", "--format"],
}
NO_ARGUMENT = {"stats", "tags"}
GOOD = {"def": "sendto", "refs": "sendto", "callers": "sock_sendmsg", "callees": "__sys_sendto", "regs": "udp_sendmsg",
        "search": "send", "expand": "linux:net/socket.c:20", "path": "sendto", "syscall": "sendto"}
MAX_SECONDS = 20
MAX_OUTPUT = 5 << 20


def _invocations():
    for command, options in COMMANDS.items():
        for value in BAD:
            if command not in NO_ARGUMENT:
                yield [command, value]
                yield [command, "--json", value] if command not in ("expand",) else [command, value, "--final"]
            for option in options:
                base = [] if command in NO_ARGUMENT else [GOOD[command]]
                yield [command, *base, option, value]
    for command, db in itertools.product(["def", "callers", "search"],
                                         ["/etc/passwd", "/dev/null", "", "/nonexistent"]):
        yield [command, "x", "--db", db]
    for flag in ("-0", "-1", "-2", "-3", "-4", "-6", "-7", "-8", "-9"):
        for value in BAD:
            yield ["cscope", "-dL", flag, value]


INVOCATIONS = list(_invocations())


def test_there_are_over_500_invocations():
    assert len(INVOCATIONS) >= 500


@pytest.mark.parametrize("chunk", range(8))
def test_bad_arguments_give_an_answer_or_one_error_line(corpus_db, tmp_path, chunk):
    runner = CliRunner()
    failures = []
    with runner.isolated_filesystem(temp_dir=tmp_path):
        for args in INVOCATIONS[chunk::8]:
            if "--db" not in args:
                args = [*args, "--db", str(corpus_db)]
            started = time.monotonic()
            result = runner.invoke(main, args, catch_exceptions=True)
            took = time.monotonic() - started
            shown = [a[:40] for a in args]
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                failures.append(f"{shown}: {type(result.exception).__name__}: {result.exception!s:.200}")
            elif result.exit_code not in (0, 1, 2):
                failures.append(f"{shown}: exit {result.exit_code}")
            elif took > MAX_SECONDS:
                failures.append(f"{shown}: {took:.0f} s")
            elif len(result.stdout) > MAX_OUTPUT:
                failures.append(f"{shown}: {len(result.stdout)} bytes")
            elif result.exit_code and not result.stderr.strip():
                failures.append(f"{shown}: failed and said nothing")
            elif result.exit_code and len(result.stderr) > 2000:
                failures.append(f"{shown}: an error of {len(result.stderr)} characters")
    assert not failures, "\n".join(failures[:30])
