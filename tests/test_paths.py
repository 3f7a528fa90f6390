"""`xref path` on the bundled corpus (configured): from the instruction to the driver, with evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_xref


def chains(db: Path, *args: str) -> list[list[dict]]:
    return json.loads(run_xref("path", *args, "--json", "--db", str(db), check=True).stdout)["chains"]


def symbols(chain: list[dict]) -> list[str]:
    return [hop["symbol"] for hop in chain]


def in_order(wanted: list[str], chain: list[dict]) -> bool:
    it = iter(symbols(chain))
    return all(any(s == w for s in it) for w in wanted)


def test_sendto_from_the_instruction_to_the_handler_body(semantic_db):
    first = chains(semantic_db, "sendto", "--to", "loopback_xmit")[0]
    assert [(h["symbol"], h["via"]) for h in first[:9]] == [
        ("syscall", "instruction"), ("entry_SYSCALL_64", "entry"), ("do_syscall_64", "call"),
        ("do_syscall_x64", "call"), ("x64_sys_call", "call"), ("__x64_sys_sendto", "dispatch"),
        ("__se_sys_sendto", "wrapper"), ("__do_sys_sendto", "wrapper"), ("__sys_sendto", "call")]
    assert first[1]["evidence"].startswith("MSR_LSTAR set at arch/x86/kernel/cpu.c:")
    assert first[5]["evidence"].endswith("case 44: return __x64_sys_sendto(regs);")


def test_sendto_reaches_loopback_through_ipv4_udp(semantic_db):
    found = chains(semantic_db, "sendto", "--to", "loopback_xmit")
    assert all(symbols(c)[-1] == "loopback_xmit" for c in found)
    assert [len(c) for c in found] == sorted(len(c) for c in found)  # shortest first
    wanted = ["entry_SYSCALL_64", "do_syscall_64", "__x64_sys_sendto", "__sys_sendto", "inet_sendmsg",
              "udp_sendmsg", "ip_output", "__dev_queue_xmit", "dev_hard_start_xmit", "loopback_xmit"]
    assert any(in_order(wanted, c) for c in found)


def test_every_hop_below_the_handler_has_its_evidence_in_the_index(semantic_db):
    for chain in chains(semantic_db, "sendto", "--to", "loopback_xmit"):
        for caller, hop in zip(chain, chain[1:], strict=False):
            if hop["via"] == "call":
                callees = json.loads(run_xref("callees", caller["symbol"], "--json", "--db", str(semantic_db),
                                              check=True).stdout)
                assert hop["symbol"] in {c["callee"] for c in callees}, (caller["symbol"], hop["symbol"])
            elif hop["via"].startswith("indirect via struct"):
                assert hop["evidence"].startswith("registered at ")
                struct_field = hop["via"].rsplit(" ", 1)[-1]
                regs = json.loads(run_xref("regs", hop["symbol"], "--json", "--db", str(semantic_db),
                                           check=True).stdout)
                assert struct_field in {f"{r['struct']}.{r['field']}" for r in regs if r.get("struct")}


def test_bind_reaches_inet_bind_through_proto_ops(semantic_db):
    [first, *_] = chains(semantic_db, "bind", "--to", "inet_bind")
    assert symbols(first)[-2:] == ["__sys_bind", "inet_bind"]
    assert first[-1]["via"] == "indirect via struct proto_ops.bind"


def test_i386_goes_through_the_int80_entry_and_the_table(semantic_db):
    [chain] = chains(semantic_db, "--abi", "i386", "sendto", "--to", "__sys_sendto")
    assert [(h["symbol"], h["via"]) for h in chain] == [
        ("int $0x80", "instruction"), ("entry_INT80_compat", "entry"), ("do_int80_syscall_32", "call"),
        ("do_syscall_32_irqs_on", "call"), ("__ia32_sys_sendto", "dispatch"), ("__se_sys_sendto", "wrapper"),
        ("__do_sys_sendto", "wrapper"), ("__sys_sendto", "call")]


def test_without_a_target_the_chains_end_in_drivers_built_or_not(semantic_db):
    found = chains(semantic_db, "sendto")
    ends = {c[-1]["symbol"]: c[-1] for c in found}
    assert {"loopback_xmit", "quill_start_xmit"} <= set(ends)
    assert ends["quill_start_xmit"]["compiled"] is False  # the configuration does not build it
    assert ends["loopback_xmit"]["compiled"] is not False
    out = run_xref("path", "sendto", "--db", str(semantic_db), check=True).stdout
    assert "quill_start_xmit" in out and "(not compiled under the configuration)" in out


@pytest.mark.parametrize("args,message", [
    (["afs_syscall"], "afs_syscall has no handler under the x86_64 ABI (not implemented)"),
    (["sendto", "--to", "no_such_function"], "no chain of at most 40 calls from __do_sys_sendto to no_such_function"),
    (["no_such_call"], "no system call 'no_such_call'"),
])
def test_what_cannot_be_followed_gets_one_line(semantic_db, args, message):
    proc = run_xref("path", *args, "--db", str(semantic_db))
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and message in proc.stderr
