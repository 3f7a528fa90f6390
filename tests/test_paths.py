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


GLIBC_SENDTO = [  # sysdeps/unix/sysv/linux/sendto.c, then its macros down to the instruction
    ("__libc_sendto", "library"), ("SYSCALL_CANCEL", "macro"), ("INLINE_SYSCALL_CALL", "macro"),
    ("__INLINE_SYSCALL_DISP", "macro"), ("__INLINE_SYSCALL_NARGS", "macro"), ("__INLINE_SYSCALL_NARGS_X", "macro"),
    ("__SYSCALL_CONCAT", "macro"), ("__INLINE_SYSCALL6", "macro"), ("INLINE_SYSCALL", "macro"),
    ("INTERNAL_SYSCALL", "macro"), ("SYS_ify", "macro"), ("__NR_sendto", "macro"), ("internal_syscall6", "macro"),
    ("syscall", "instruction")]
KERNEL_SENDTO = [
    ("entry_SYSCALL_64", "entry"), ("do_syscall_64", "call"), ("do_syscall_x64", "call"), ("x64_sys_call", "call"),
    ("__x64_sys_sendto", "dispatch"), ("__se_sys_sendto", "wrapper"), ("__do_sys_sendto", "wrapper"),
    ("__sys_sendto", "call")]


def test_sendto_from_the_glibc_wrapper_to_the_handler_body(semantic_db):
    first = chains(semantic_db, "sendto", "--to", "__sys_sendto")[0]
    assert [(h["symbol"], h["via"]) for h in first] == GLIBC_SENDTO + KERNEL_SENDTO
    library, instruction, entry, dispatch = first[0], first[13], first[14], first[18]
    # The sysdeps order picked the Linux C file over the generic syscalls.list row.
    assert library["path"] == "sysdeps/unix/sysv/linux/sendto.c"
    assert "overrides the syscalls.list rows at sysdeps/unix/syscalls.list:7" in library["evidence"]
    assert first[11]["path"] == "sysdeps/unix/sysv/linux/x86_64/64/arch-syscall.h"  # x86_64's number, not i386's
    assert instruction["evidence"].startswith("__NR_sendto = 44; x86_64 row 44 sendto")
    assert entry["evidence"].startswith("MSR_LSTAR set at arch/x86/kernel/cpu.c:")
    assert dispatch["evidence"].endswith("case 44: return __x64_sys_sendto(regs);")


def test_a_syscalls_list_row_is_an_assembly_wrapper_from_the_template(semantic_db):
    [chain] = chains(semantic_db, "getpid", "--to", "__do_sys_getpid")
    assert [(h["symbol"], h["via"]) for h in chain[:6]] == [
        ("__getpid", "library"), ("T_PSEUDO_NOERRNO", "macro"), ("PSEUDO_NOERRNO", "macro"), ("DO_CALL", "macro"),
        ("SYS_ify", "macro"), ("__NR_getpid", "macro")]
    assert chain[0]["path"] == "sysdeps/unix/syscalls.list"
    assert "SYSCALL_NAME=getpid SYSCALL_NARGS=0" in chain[0]["evidence"]
    assert chain[6]["evidence"].startswith("__NR_getpid = 39; x86_64 row 39 getpid")


def test_sendto_reaches_loopback_through_ipv4_udp_consistently(semantic_db):
    found = chains(semantic_db, "sendto", "--to", "loopback_xmit")
    assert all(symbols(c)[-1] == "loopback_xmit" for c in found)
    below = [symbols(c)[symbols(c).index("__sys_sendto"):] for c in found]
    # The first chains keep to one family: IPv6's UDP (the fewest calls), the same with the other
    # neighbour output at the same cost (neigh_direct_output first: alike chains in source order),
    # then IPv4's UDP, each candidate defined where the chain already is; mixes (inet_sendmsg, then
    # udpv6_sendmsg) come later.
    ipv6 = ["__sys_sendto", "sock_sendmsg", "sock_sendmsg_nosec", "inet6_sendmsg", "udpv6_sendmsg", "ip6_output",
            "NF_HOOK_COND", "ip6_finish_output", "neigh_output", "neigh_direct_output", "dev_queue_xmit",
            "__dev_queue_xmit", "dev_hard_start_xmit", "xmit_one", "netdev_start_xmit", "__netdev_start_xmit",
            "loopback_xmit"]
    assert below[:2] == [ipv6, [name.replace("neigh_direct_output", "neigh_resolve_output") for name in ipv6]]
    assert [name for name in below[2] if name not in ("neigh_direct_output", "neigh_resolve_output")] == [
        "__sys_sendto", "sock_sendmsg", "sock_sendmsg_nosec", "inet_sendmsg", "udp_sendmsg", "udp_send_skb",
        "ip_send_skb", "ip_local_out", "dst_output", "ip_output", "NF_HOOK_COND", "ip_finish_output",
        "__ip_finish_output", "ip_finish_output2", "neigh_output", "dev_queue_xmit", "__dev_queue_xmit",
        "dev_hard_start_xmit", "xmit_one", "netdev_start_xmit", "__netdev_start_xmit", "loopback_xmit"]
    mixed = [b for b in below if "inet_sendmsg" in b and "udpv6_sendmsg" in b]
    assert mixed and all(below.index(m) >= 3 for m in mixed)
    ipv4 = found[2]
    hop = {h["symbol"]: h for h in ipv4}
    assert hop["udp_sendmsg"]["via"] == "indirect via struct proto.sendmsg"
    assert "INDIRECT_CALL names it" in hop["udp_sendmsg"]["evidence"]
    assert hop["ip_output"]["evidence"].startswith("registered at net/ipv4/route.c:20")


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
    assert [(h["symbol"], h["via"]) for h in first] == [
        ("__bind", "library"), ("INLINE_SYSCALL_CALL", "macro"), ("__INLINE_SYSCALL_DISP", "macro"),
        ("__INLINE_SYSCALL_NARGS", "macro"), ("__INLINE_SYSCALL_NARGS_X", "macro"), ("__SYSCALL_CONCAT", "macro"),
        ("__INLINE_SYSCALL3", "macro"), ("INLINE_SYSCALL", "macro"), ("INTERNAL_SYSCALL", "macro"),
        ("SYS_ify", "macro"), ("__NR_bind", "macro"), ("internal_syscall3", "macro"), ("syscall", "instruction"),
        ("entry_SYSCALL_64", "entry"), ("do_syscall_64", "call"), ("do_syscall_x64", "call"),
        ("x64_sys_call", "call"), ("__x64_sys_bind", "dispatch"), ("__se_sys_bind", "wrapper"),
        ("__do_sys_bind", "wrapper"), ("__sys_bind", "call"), ("inet_bind", "indirect via struct proto_ops.bind")]
    assert first[-1]["evidence"].startswith("registered at net/ipv4/af_inet.c:")


KERNEL_SOCKETCALL = [
    ("int $0x80", "instruction"), ("entry_INT80_compat", "entry"), ("do_int80_syscall_32", "call"),
    ("do_syscall_32_irqs_on", "call"), ("__ia32_compat_sys_socketcall", "dispatch"),
    ("__se_compat_sys_socketcall", "wrapper"), ("__do_compat_sys_socketcall", "wrapper"), ("__sys_sendto", "subcall")]


def test_i386_glibc_multiplexes_sendto_through_socketcall(semantic_db):
    [chain] = chains(semantic_db, "--abi", "i386", "sendto", "--to", "__sys_sendto")
    hops = [(h["symbol"], h["via"]) for h in chain]
    assert hops[:4] == [("__libc_sendto", "library"), ("SOCKETCALL_CANCEL", "macro"), ("SOCKETCALL", "macro"),
                        ("SOCKOP_sendto", "macro")]
    assert ("__NR_socketcall", "macro") in hops
    start = hops.index(("int $0x80", "instruction"))
    assert hops[start:] == KERNEL_SOCKETCALL
    assert chain[start]["evidence"].startswith("__NR_socketcall = 102; i386 row 102 socketcall")
    assert chain[-1]["evidence"].startswith("case SYS_SENDTO = 11 in __do_compat_sys_socketcall (net/compat.c:")


def test_i386_socketcall_subcall_by_name_and_the_bare_number(semantic_db):
    # glibc's sendto wrapper is the way user space reaches socketcall's sendto.
    assert chains(semantic_db, "--abi", "i386", "socketcall:sendto", "--to", "__sys_sendto") == \
        chains(semantic_db, "--abi", "i386", "sendto", "--to", "__sys_sendto")
    # glibc has no wrapper called socketcall: the number alone starts at the instruction.
    found = chains(semantic_db, "--abi", "i386", "102")
    assert found[0][0]["evidence"].startswith("i386 number 102 ")
    assert {"loopback_xmit", "quill_start_xmit"} <= {c[-1]["symbol"] for c in found}
    assert all([h["symbol"] for h in c[:7]] == [s for s, _ in KERNEL_SOCKETCALL[:7]] for c in found)


def test_without_a_target_the_chains_end_in_drivers_built_or_not(semantic_db):
    found = chains(semantic_db, "sendto")
    ends = {c[-1]["symbol"]: c[-1] for c in found}
    # First where the first function-pointer call goes: INDIRECT_CALL's guesses first, of those
    # the one registered in more places (inet_sendmsg: the stream and the datagram ops).
    assert [c[-1]["symbol"] for c in found[:2]] == ["inet_sendmsg", "inet6_sendmsg"]
    assert {"loopback_xmit", "quill_start_xmit"} <= set(ends)
    assert ends["quill_start_xmit"]["compiled"] is False  # the configuration does not build it
    assert ends["loopback_xmit"]["compiled"] is not False
    out = run_xref("path", "sendto", "--db", str(semantic_db), check=True).stdout
    assert "quill_start_xmit" in out and "(not compiled under the configuration)" in out


@pytest.mark.parametrize("args,message", [
    (["afs_syscall"], "afs_syscall has no handler under the x86_64 ABI (not implemented)"),
    (["sendto", "--to", "no_such_function"], "no chain of at most 40 calls from __do_sys_sendto to no_such_function"),
    (["no_such_call"], "no system call 'no_such_call'"),
    (["--abi", "i386", "socketcall:no_such_subcall"],
     "__do_compat_sys_socketcall has no case for sub-call no_such_subcall (it has SYS_SOCKET, SYS_BIND"),
])
def test_what_cannot_be_followed_gets_one_line(semantic_db, args, message):
    proc = run_xref("path", *args, "--db", str(semantic_db))
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and message in proc.stderr


def test_the_index_holds_glibc_s_search_order_and_its_syscalls_lists(semantic_db):
    from xref.model import glibc
    from xref.queries import Index

    index = Index.open(str(semantic_db))
    tree_id = glibc.glibc_tree(index)
    # Makeconfig's base directories, each followed by what its Implies names, then the parents.
    assert index.sysdirs(tree_id, "x86_64") == [
        "sysdeps/unix/sysv/linux/x86_64/64", "sysdeps/unix/sysv/linux/x86_64", "sysdeps/unix/sysv/linux/x86",
        "sysdeps/unix/sysv/linux", "sysdeps/unix/sysv", "sysdeps/unix", "sysdeps/posix", "sysdeps/x86_64",
        "sysdeps/x86", "sysdeps/generic"]
    order = index.sysdirs(tree_id, "x86_64")
    row, dropped = glibc.implementation(index, tree_id, order, "getpid")
    assert (row.path, row.line, row.syscall, row.strong, row.weak) == (
        "sysdeps/unix/syscalls.list", 6, "getpid", "__getpid", ["getpid"])
    # A C file earlier in the order wins over a row; the row is reported as overridden.
    assert glibc.implementation(index, tree_id, order, "sendto") == (
        "sysdeps/unix/sysv/linux/sendto.c", ["sysdeps/unix/syscalls.list:7"])
    assert glibc.implementation(index, tree_id, order, "no_such_call") == (None, [])


# -- the plain index (no semantic pass): what `xref index` publishes first ------------------------


def test_indirect_call_wrappers_are_calls_through_the_field_on_the_plain_index(corpus_db):
    callees = json.loads(run_xref("callees", "sock_sendmsg_nosec", "--json", "--db", str(corpus_db),
                                  check=True).stdout)
    assert "INDIRECT_CALL_INET" not in {c["callee"] for c in callees}
    assert {(c["callee"], c["how"]) for c in callees} >= {
        ("sock->ops->sendmsg", "indirect via struct proto_ops.sendmsg"), ("inet_sendmsg", "direct"),
        ("inet6_sendmsg", "direct")}


def test_sendto_reaches_the_driver_on_the_plain_index(corpus_db):
    found = chains(corpus_db, "sendto", "--to", "loopback_xmit")
    assert any(in_order(["__libc_sendto", "__sys_sendto", "sock_sendmsg_nosec", "inet_sendmsg", "udp_sendmsg",
                         "ip_output", "__dev_queue_xmit", "dev_hard_start_xmit", "loopback_xmit"], c) for c in found)
    assert any(h["via"] == "indirect via struct proto_ops.sendmsg" and "INDIRECT_CALL names it" in h["evidence"]
               for c in found for h in c)


def test_a_kernel_call_never_lands_in_glibc(corpus_db):
    # Both trees define memcpy; glibc's calls _wordcopy_fwd_aligned, which no kernel code reaches.
    proc = run_xref("path", "sendto", "--to", "_wordcopy_fwd_aligned", "--db", str(corpus_db))
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "no chain" in proc.stderr


def test_a_detour_through_error_paths_never_stands_in_for_the_data_path(corpus_db):
    # The graph holds copy_from_user -> kasan_check_write -> ... -> kasan_report -> panic ->
    # console_flush_all -> netconsole's write_msg -> dev_queue_xmit: asked for, it is found ...
    [detour] = chains(corpus_db, "sendto", "--to", "kasan_report")[:1]
    assert in_order(["copy_from_user", "kasan_check_write", "kasan_report"], detour)
    assert in_order(["panic", "console_flush_all", "write_msg"], chains(corpus_db, "sendto", "--to", "write_msg")[0])
    # ... but never on the way to the driver, nor among the candidates below the handler.
    off_path = {"kasan_check_write", "kasan_check_range", "kasan_report", "panic", "console_flush_all", "write_msg"}
    for args in (("--to", "loopback_xmit"), ()):
        for chain in chains(corpus_db, "sendto", *args):
            assert not off_path & set(symbols(chain)), symbols(chain)


def test_a_preemption_point_is_not_the_way_a_call_goes(corpus_db):
    # getrusage offers the CPU (cond_resched) before it counts: __cond_resched -> __schedule ->
    # pick_next_task_fair -> update_curr is shorter than the call's own way there, through the
    # scheduling class's update_curr, but it is what the next task costs, not what getrusage does.
    for chain in chains(corpus_db, "getrusage", "--to", "update_curr"):
        assert "__cond_resched" not in symbols(chain), symbols(chain)
    assert in_order(["getrusage", "task_sched_runtime", "update_curr_fair", "update_curr"],
                    chains(corpus_db, "getrusage", "--to", "update_curr")[0])
    # Where only the preemption point leads, the answer says what to ask instead ...
    proc = run_xref("path", "getrusage", "--to", "__schedule", "--db", str(corpus_db))
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1, proc.stderr
    assert "--through __cond_resched" in proc.stderr, proc.stderr
    # ... which finds it.
    asked = chains(corpus_db, "getrusage", "--to", "__schedule", "--through", "__cond_resched")[0]
    assert in_order(["getrusage", "__cond_resched", "__schedule"], asked)


def test_a_softirq_run_at_bottom_half_enable_is_not_the_way_a_call_goes(corpus_db):
    # release_sock turns bottom halves on again, and the transmit softirq that may run there
    # reaches loopback_xmit in fewer calls than the packet's own way down; but what runs there is
    # whatever the CPU had pending, not the datagram sendto sends.
    for chain in chains(corpus_db, "sendto", "--to", "loopback_xmit"):
        assert not {"do_softirq", "__do_softirq", "net_tx_action"} & set(symbols(chain)), symbols(chain)
    assert in_order(["__sys_sendto", "udp_sendmsg", "ip_output", "__dev_queue_xmit", "loopback_xmit"],
                    chains(corpus_db, "sendto", "--to", "loopback_xmit", "--through", "udp_sendmsg")[0])
    # Where only the softirq leads, the answer says what to ask instead ...
    proc = run_xref("path", "sendto", "--to", "net_tx_action", "--db", str(corpus_db))
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1, proc.stderr
    assert "--through do_softirq" in proc.stderr, proc.stderr
    # ... which finds it, through __do_softirq (off the path too) and the handler open_softirq set.
    asked = chains(corpus_db, "sendto", "--to", "net_tx_action", "--through", "do_softirq")[0]
    assert in_order(["release_sock", "__local_bh_enable_ip"], asked)
    assert symbols(asked)[-3:] == ["do_softirq", "__do_softirq", "net_tx_action"], symbols(asked)
    assert asked[-1]["via"] == "indirect via struct softirq_action.action"


def test_another_architectures_definition_is_never_the_handler(corpus_db):
    # arch/arm64/kernel/sys.c has its own SYSCALL_DEFINE0(getpid); x86_64 runs kernel/sys.c's.
    found = json.loads(run_xref("syscall", "getpid", "--json", "--db", str(corpus_db), check=True).stdout)
    assert found["handler"]["path"] == "kernel/sys.c"
    hits = json.loads(run_xref("def", "__do_sys_getpid", "--json", "--db", str(corpus_db), check=True).stdout)
    assert [h["path"] for h in hits][:1] == ["kernel/sys.c"]
    assert "arch/arm64/kernel/sys.c" in [h["path"] for h in hits]


def test_each_hop_says_which_layer_its_facts_come_from(corpus_db, semantic_db):
    plain = chains(corpus_db, "sendto", "--to", "loopback_xmit")[0]
    layers = {h["symbol"]: h["layer"] for h in plain}
    assert layers["SYSCALL_CANCEL"] == "macro" and layers["x64_sys_call"] == "ts"
    assert layers["__x64_sys_sendto"] == "model" and layers["__do_sys_sendto"] == "macro"
    assert layers["loopback_xmit"] == "ts"
    configured = {h["symbol"]: h["layer"] for h in chains(semantic_db, "sendto", "--to", "loopback_xmit")[0]}
    assert configured["__do_sys_sendto"] == "clang" and configured["sock_sendmsg_nosec"] == "clang"


def test_through_keeps_only_chains_passing_the_functions_in_order(corpus_db):
    found = chains(corpus_db, "sendto", "--through", "inet_sendmsg", "--through", "ip_output", "--to", "loopback_xmit")
    assert found and all(in_order(["inet_sendmsg", "ip_output", "loopback_xmit"], c) for c in found)
    assert all("inet6_sendmsg" not in symbols(c) for c in found)


def test_without_a_target_the_fan_out_is_counted_by_subsystem(corpus_db):
    notes = json.loads(run_xref("path", "sendto", "--json", "--db", str(corpus_db), check=True).stdout)["notes"]
    [fan] = [n for n in notes if "candidates" in n]
    assert fan.startswith("sock_sendmsg_nosec calls struct proto_ops.sendmsg at net/socket.c:53: 2 candidates "
                          "(net/ipv4 1, net/ipv6 1)")


def test_a_chain_that_stops_short_says_which_pointer_calls_it_could_not_follow(corpus_db):
    proc = run_xref("path", "sendto", "--to", "no_such_function", "--db", str(corpus_db))
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    assert "calls through pointers could not be followed" in proc.stderr
    assert "calls packet_tap.func at net/core/dev.c:" in proc.stderr and "nothing is registered there" in proc.stderr


def test_a_field_copied_from_another_holds_what_that_one_holds(corpus_db):
    # sch->enqueue = ops->enqueue: Qdisc.enqueue holds what Qdisc_ops.enqueue is initialized with.
    found = chains(corpus_db, "sendto", "--to", "pfifo_fast_enqueue")
    hop = next(h for h in found[0] if h["symbol"] == "pfifo_fast_enqueue")
    assert hop["via"] == "indirect via struct Qdisc.enqueue"
    assert hop["evidence"] == "registered at net/sched/sch_generic.c:26, Qdisc_ops.enqueue copied into it at " \
                              "net/sched/sch_generic.c:38"
    regs = json.loads(run_xref("regs", "enqueue", "--json", "--db", str(corpus_db)).stdout or "[]")
    assert not regs  # a copy is no registration of a function named like the field


def test_a_syscall_define0_handler_is_an_alias_of_the_body_it_reaches(corpus_db):
    # SYSCALL_DEFINE0 makes __x64_sys_getpid an alias of __do_sys_getpid, whose body is the block.
    [chain] = chains(corpus_db, "getpid", "--to", "task_tgid_vnr")[:1]
    assert symbols(chain)[-3:] == ["__x64_sys_getpid", "__do_sys_getpid", "task_tgid_vnr"]
    assert chain[-2]["via"] == "wrapper" and chain[-1]["path"] == "kernel/sys.c"


def test_a_field_only_one_struct_has_names_that_struct(corpus_index):
    # DEFINE_SCHED_CLASS(fair) = { .yield_task = ... } and current_class->yield_task(): the macros
    # hide the struct on both sides; struct sched_class is the only one with a yield_task member.
    from xref.model.callgraph import CallGraph

    graph = CallGraph(corpus_index, "x86_64", corpus_index.tree_id("linux"))
    [edge] = [e for e in graph.forward(["do_sched_yield"]) if e.callee == "yield_task_fair"]
    assert edge.via == "indirect via struct sched_class.yield_task" and "kernel/sched/fair.c" in edge.evidence


def test_an_initializer_a_macro_hides_is_the_struct_with_all_its_members(corpus_index):
    # `.balance = balance_fair` in DEFINE_SCHED_CLASS(fair): struct lb_env has a balance member
    # too, but only sched_class has yield_task, enqueue_task and balance.
    from xref.model.callgraph import CallGraph

    graph = CallGraph(corpus_index, "x86_64", corpus_index.tree_id("linux"))
    [edge] = [e for e in graph.forward(["balance_classes"]) if e.callee == "balance_fair"]
    assert edge.via == "indirect via struct sched_class.balance" and "kernel/sched/fair.c" in edge.evidence


def test_built_in_code_comes_before_a_module_s(corpus_db):
    # read on /dev/zero reaches clear_user in two calls, on ringbuf (CONFIG_RINGBUF=m) in
    # one: a kernel without the module loaded never takes that one, so it comes second.
    found = chains(corpus_db, "read", "--to", "clear_user")
    assert in_order(["vfs_read", "read_zero", "zero_chunk", "clear_user"], found[0])
    ring = next(h for c in found[1:] for h in c if h["symbol"] == "rb_read")
    assert ring["evidence"] == "registered at drivers/char/ringbuf.c:24; built as a module"
    assert "built as a module" not in json.dumps(found[0])


def test_a_branch_marked_unlikely_is_the_second_choice(corpus_db):
    # __sys_recvfrom calls sock_recvmsg_nosec under `if (unlikely(...))`, else sock_recvmsg,
    # which checks the security hook and then calls sock_recvmsg_nosec itself.
    found = chains(corpus_db, "recvfrom", "--to", "udp_recvmsg")
    assert in_order(["__sys_recvfrom", "sock_recvmsg", "sock_recvmsg_nosec", "udp_recvmsg"], found[0])


@pytest.mark.parametrize("semantic", [False, True])
def test_a_callback_stored_by_a_setter_is_what_its_callers_pass(tmp_path, semantic):
    # init_waitqueue_func_entry(w, ep_poll_callback) stores its parameter in wait_queue_entry.func;
    # curr->func() calls what every caller of the setter passes.
    from xref.model.callgraph import CallGraph
    from xref.queries import Index

    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "wait.c").write_text(WAIT_C)
    if semantic:  # the compiler's facts, from a compile_commands.json
        (tree / "compile_commands.json").write_text(json.dumps(
            [{"directory": str(tree), "file": "wait.c", "command": "cc -c wait.c"}]))
    db = tmp_path / "db"
    run_xref("index", str(tree), "--db", str(db), *([] if semantic else ["--no-semantic"]),
             env={"XREF_CACHE": str(tmp_path / "cache")}, check=True)
    index = Index.open(str(db))
    graph = CallGraph(index)
    [edge] = [e for e in graph.forward(["wake_common"]) if e.callee == "ep_poll_callback"]
    assert edge.via == "indirect via struct wait_queue_entry.func" and "wait.c:12" in edge.evidence
    assert edge.source == ("clang" if semantic else "ts")
    assert [e.caller for e in graph.backward(["ep_poll_callback"]) if e.via.startswith("indirect")] == ["wake_common"]
    [hit] = index.registrations(struct="wait_queue_entry", field_="func")
    assert hit.name == "func (parameter 2 of init_waitqueue_func_entry)"


WAIT_C = """\
struct wait_queue_entry;
typedef int (*wait_func)(struct wait_queue_entry *, int);
struct wait_queue_entry { wait_func func; };

static inline void init_waitqueue_func_entry(struct wait_queue_entry *wq_entry, wait_func func)
{
	wq_entry->func = func;
}
int ep_poll_callback(struct wait_queue_entry *w, int mode) { return mode; }
void queue_proc(struct wait_queue_entry *w)
{
	init_waitqueue_func_entry(w, ep_poll_callback);
}
void wake_common(struct wait_queue_entry *curr)
{
	curr->func(curr, 1);
}
"""


def test_registrations_behind_an_ifdef_or_a_nested_designator(tmp_path):
    # `#ifdef CONFIG_TMPFS` inside shmem's file_operations, and getdents' `.ctx.actor = filldir64`.
    from xref.queries import Index

    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "fs.c").write_text(FS_C)
    db = tmp_path / "db"
    run_xref("index", str(tree), "--db", str(db), "--no-semantic", check=True)
    index = Index.open(str(db))
    [llseek] = index.registrations(struct="file_operations", field_="llseek")
    assert (llseek.name, llseek.line, llseek.how) == ("shmem_file_llseek", 8, "initializer")
    [actor] = index.registrations(struct="dir_context", field_="actor")
    assert (actor.name, actor.line) == ("filldir64", 17)


FS_C = """\
struct file_operations { long (*llseek)(int); int (*mmap)(int); int (*fsync)(int); };
struct dir_context { int (*actor)(struct dir_context *); };
struct getdents_callback64 { struct dir_context ctx; int count; };

static const struct file_operations shmem_file_operations = {
	.mmap		= shmem_mmap,
#ifdef CONFIG_TMPFS
	.llseek		= shmem_file_llseek,
	.fsync		= noop_fsync,
#endif
};

int filldir64(struct dir_context *c) { return 0; }
long getdents64(int fd)
{
	struct getdents_callback64 buf = {
		.ctx.actor = filldir64,
		.count = 1
	};
	return iterate_dir(fd, &buf.ctx);
}
"""


def test_without_a_target_built_in_candidates_are_listed_before_a_module_s(corpus_db):
    out = json.loads(run_xref("path", "read", "--json", "--db", str(corpus_db), check=True).stdout)
    fanned = [next(h["symbol"] for h in c if h["via"] == "indirect via struct file_operations.read")
              for c in out["chains"] if any(h["via"] == "indirect via struct file_operations.read" for h in c)]
    assert set(fanned[:2]) == {"read_null", "read_zero"} and fanned[2] == "rb_read", fanned
    assert any("built-in code's before modules'" in note for note in out["notes"])


class _Rows(list):
    def fetchone(self):
        return self[0] if self else None

    def fetchall(self):
        return list(self)


class _LastFirst:
    """A connection whose queries return their rows last first: the same facts stored in another
    order, as an index built by workers that finished in another order has them."""

    def __init__(self, conn) -> None:
        self.conn = conn

    def execute(self, *args):
        return _Rows(reversed(self.conn.execute(*args).fetchall()))

    def __getattr__(self, name):
        return getattr(self.conn, name)


@pytest.mark.parametrize("db", ["corpus_db", "semantic_db"])
def test_the_answer_does_not_depend_on_the_order_the_index_stores_its_rows(request, db):
    # sendto's socket may be IPv4's or IPv6's at the same cost: the same one, and the same other
    # choices after it, whichever order the index's rows come in.
    from xref.model.paths import path_hops
    from xref.model.syscalls import SyscallModel, abi_for
    from xref.queries import Index

    questions = [("sendto", "loopback_xmit"), ("recvfrom", "udp_recvmsg"), ("bind", None), ("write", None)]
    answers = []
    for last_first in (False, True):
        index = Index.open(str(request.getfixturevalue(db)))
        if last_first:
            index.conn = _LastFirst(index.conn)
        model = SyscallModel(index, abi_for("x86_64", "x86_64"))
        answers.append([[(h.symbol, h.path, h.line, h.via, h.evidence) for h in chain]
                        for key, to in questions for chain in path_hops(index, model, key, to, 40).chains])
    assert answers[0] == answers[1]
    assert len(answers[0]) > len(questions)


def test_the_inline_functions_are_read_from_their_own_index(corpus_db):
    """CallGraph.inline answers from defs_inline (the kernel's signatures, read from the table,
    took 15 minutes): `static inline` and `__always_inline` functions, not the others."""
    from xref.model.callgraph import CallGraph
    from xref.queries import Index

    index = Index.open(str(corpus_db))
    plan = " ".join(row[-1] for row in index.conn.execute(
        "EXPLAIN QUERY PLAN SELECT DISTINCT d.name FROM defs d INDEXED BY defs_inline WHERE d.name IN ('x') "
        "AND d.kind = 'function' AND d.signature LIKE '%inline%'"))
    assert "defs_inline" in plan
    [linux] = [tree_id for tree_id, (name, _) in index.trees.items() if name == "linux"]
    graph = CallGraph(index, "x86_64", linux)
    names = {"sock_sendmsg_nosec", "do_syscall_x64", "__sys_sendto", "udp_sendmsg"}
    assert graph.inline(names) == {"sock_sendmsg_nosec", "do_syscall_x64"}


def test_a_field_of_a_typedef_d_anonymous_struct_is_the_typedef_s(tmp_path):
    # glibc's `typedef struct { ... } re_token_t;`: dfa->nodes[i].type is re_token_t's member
    # (re_dfa_t's nodes are re_token_t), and a field reached so is re_token_t's field.
    from xref.model.callgraph import CallGraph
    from xref.queries import Index

    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "tok.h").write_text("typedef struct { int (*next)(int); int type; } token_t;\n"
                                "typedef struct { token_t *tokens; } dfa_t;\n"
                                "struct list { int (*next)(int); };\n")  # `next` is no clue alone
    (tree / "tok.c").write_text("""\
#include "tok.h"
static int step(int c) { return c + 1; }
static token_t first = { .next = step };
int advance(dfa_t *dfa, int c)
{
	dfa->tokens->next = step;
	return dfa->tokens->next(c);
}
""")
    db = tmp_path / "db"
    run_xref("index", str(tree), "--db", str(db), "--no-semantic", check=True)
    index = Index.open(str(db))
    assert {(hit.name, hit.line) for hit in index.registrations(struct="token_t", field_="next")} == {
        ("step", 3), ("step", 6)}
    assert not index.registrations(struct="{")
    assert [e.via for e in CallGraph(index).forward(["advance"]) if e.callee == "step"] == [
        "indirect via struct token_t.next"]


def test_what_a_macro_names_but_no_function_is_no_call(tmp_path):
    # `likely(x)` with branch profiling is `__branch_check__(x)`, whose body names an attribute
    # (`__aligned(8)` -> `__aligned__`) beside the function it calls: only the function is a callee.
    from xref.model.callgraph import CallGraph
    from xref.queries import Index

    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "check.h").write_text("""\
#define __aligned(x) __attribute__((__aligned__(x)))
#define __branch_check__(x) ({ static struct data __aligned(8) d; record_branch(&d, x); x; })
#define likely(x) __branch_check__(x)
""")
    (tree / "run.c").write_text("""\
#include "check.h"
void record_branch(struct data *d, int x) { }
int run(int x)
{
	if (likely(x))
		return 1;
	return 0;
}
""")
    db = tmp_path / "db"
    run_xref("index", str(tree), "--db", str(db), "--no-semantic", check=True)
    assert [e.callee for e in CallGraph(Index.open(str(db))).forward(["run"])] == ["record_branch"]


OUTPUT_C = """\
typedef int (*frag_fn)(void *from, char *to);
static int __append(frag_fn getfrag, void *from)
{
	return getfrag(from, 0);
}
int append_data(int getfrag(void *from, char *to), void *from)
{
	return __append(getfrag, from);
}
"""
SEND_C = """\
int append_data(int getfrag(void *from, char *to), void *from);
static int plain_getfrag(void *from, char *to) { return 0; }
static int lite_getfrag(void *from, char *to) { return 1; }
int send_msg(int lite, void *from)
{
	int (*getfrag)(void *, char *);

	getfrag = lite ? lite_getfrag : plain_getfrag;
	return append_data(getfrag, from);
}
"""


@pytest.mark.parametrize("semantic", [False, True])
def test_a_function_pointer_passed_on_reaches_the_call_of_it(tmp_path, semantic):
    # udp_sendmsg's `getfrag = is_udplite ? udplite_getfrag : ip_generic_getfrag` goes to
    # ip_append_data, which passes its parameter on to __ip_append_data, which calls it.
    from xref.model.callgraph import CallGraph
    from xref.queries import Index

    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "output.c").write_text(OUTPUT_C)
    (tree / "send.c").write_text(SEND_C)
    if semantic:
        (tree / "compile_commands.json").write_text(json.dumps(
            [{"directory": str(tree), "file": name, "command": f"cc -c {name}"} for name in ("output.c", "send.c")]))
    db = tmp_path / "db"
    run_xref("index", str(tree), "--db", str(db), *([] if semantic else ["--no-semantic"]),
             env={"XREF_CACHE": str(tmp_path / "cache")}, check=True)
    index = Index.open(str(db))
    edges = [e for e in CallGraph(index, passed_anywhere=True).forward(["__append"]) if e.via.startswith("indirect")]
    assert sorted(e.callee for e in edges) == ["lite_getfrag", "plain_getfrag"]
    assert all("send.c:9" in e.evidence and e.path == "output.c" and e.line == 4 for e in edges), edges
    assert {e.source for e in edges} == {"clang" if semantic else "ts"}
    # A path goes from the function choosing it, through the call that reaches the parameter's call.
    [edge] = [e for e in CallGraph(index).forward(["send_msg"]) if e.callee == "plain_getfrag"]
    assert edge.via == "indirect via parameter 1 of append_data" and "output.c:4" in edge.evidence
    assert {e.caller for e in CallGraph(index, passed_anywhere=True).backward(["lite_getfrag"])} == {
        "__append", "send_msg"}


def test_a_static_call_goes_where_its_key_is_set(tmp_path):
    # might_resched() is `static_call_mod(might_resched)()` with PREEMPT_DYNAMIC: the function the
    # key's DECLARE_STATIC_CALL/DEFINE_STATIC_CALL*/static_call_update name.
    from xref.model.callgraph import CallGraph
    from xref.queries import Index

    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "kernel.h").write_text("""\
DECLARE_STATIC_CALL(might_resched, __cond_resched);
static inline void might_resched(void)
{
	static_call_mod(might_resched)();
}
""")
    (tree / "core.c").write_text("""\
#include "kernel.h"
int __cond_resched(void) { return 0; }
int __dynamic_cond_resched(void) { return 1; }
DEFINE_STATIC_CALL_RET0(might_resched, __cond_resched);
void sched_update(void) { static_call_update(might_resched, __dynamic_cond_resched); }
void *slab_alloc(int size) { might_resched(); return 0; }
""")
    db = tmp_path / "db"
    run_xref("index", str(tree), "--db", str(db), "--no-semantic", check=True)
    graph = CallGraph(Index.open(str(db)))
    edges = [e for e in graph.forward(["might_resched"]) if e.via.startswith("indirect")]
    assert sorted(e.callee for e in edges) == ["__cond_resched", "__dynamic_cond_resched"]
    assert {e.via for e in edges} == {"indirect via struct static_call_key.might_resched"}
    assert [e.callee for e in graph.shortest("slab_alloc", "__cond_resched", 4)] == ["might_resched", "__cond_resched"]


@pytest.mark.parametrize("profiling", ["y", None])
def test_a_macro_definition_the_configuration_leaves_out_makes_no_call(tmp_path, profiling):
    # likely() with branch profiling records every branch (`__branch_check__` ->
    # ftrace_likely_update); in a configuration without it, it calls nothing.
    from xref.model.callgraph import CallGraph
    from xref.queries import Index

    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "compiler.h").write_text("""\
#ifdef CONFIG_BRANCH_PROFILING
#define likely(x) (branch_record(x), (x))
#else
#define likely(x) __builtin_expect(!!(x), 1)
#endif
""")
    (tree / "run.c").write_text("""\
#include "compiler.h"
void branch_record(int x) { }
int go(void) { return 1; }
int run(int x)
{
	if (likely(x))
		return go();
	return 0;
}
""")
    # the tree's own .config, as a configured kernel tree has
    (tree / ".config").write_text(f"CONFIG_BRANCH_PROFILING={profiling}\n" if profiling
                                  else "# CONFIG_BRANCH_PROFILING is not set\n")
    db = tmp_path / "db"
    run_xref("index", str(tree), "--db", str(db), "--no-semantic", check=True)
    callees = {e.callee for e in CallGraph(Index.open(str(db))).forward(["run"])}
    assert "go" in callees and ("branch_record" in callees) == bool(profiling)


STATIC_CALL_H = """\
struct static_call_key { void *func; };
#define STATIC_CALL_KEY(name) __SCK__##name
#define STATIC_CALL_TRAMP(name) __SCT__##name
#define DECLARE_STATIC_CALL(name, func) \\
	extern struct static_call_key STATIC_CALL_KEY(name); extern __typeof__(func) STATIC_CALL_TRAMP(name)
#define DEFINE_STATIC_CALL(name, _func) \\
	DECLARE_STATIC_CALL(name, _func); struct static_call_key STATIC_CALL_KEY(name) = { .func = _func }
#define static_call_mod(name) ({ (void)0; &STATIC_CALL_TRAMP(name); })
void __static_call_update(struct static_call_key *key, void *tramp, void *func);
#define static_call_update(name, func) __static_call_update(&STATIC_CALL_KEY(name), &STATIC_CALL_TRAMP(name), func)
"""


def test_the_compiler_s_static_call_is_a_call_through_its_key(tmp_path):
    # What the semantic pass sees once the macros are expanded: a call of the trampoline
    # __SCT__pick, the key __SCK__pick initialized, and __static_call_update given the key.
    from xref.model.callgraph import CallGraph
    from xref.queries import Index

    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "static_call.h").write_text(STATIC_CALL_H)
    (tree / "core.c").write_text("""\
#include "static_call.h"
int pick_first(int x) { return x; }
int pick_second(int x) { return x + 1; }
DEFINE_STATIC_CALL(pick, pick_first);
void switch_pick(void) { static_call_update(pick, pick_second); }
int choose(int x) { return static_call_mod(pick)(x); }
""")
    (tree / "compile_commands.json").write_text(json.dumps(
        [{"directory": str(tree), "file": "core.c", "command": "cc -c core.c"}]))
    db = tmp_path / "db"
    run_xref("index", str(tree), "--db", str(db), env={"XREF_CACHE": str(tmp_path / "cache")}, check=True)
    edges = [e for e in CallGraph(Index.open(str(db))).forward(["choose"]) if e.source == "clang"]
    assert sorted(e.callee for e in edges) == ["pick_first", "pick_second"]
    assert {e.via for e in edges} == {"indirect via struct static_call_key.pick"}
