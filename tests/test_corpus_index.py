"""What the index knows about the bundled corpus's sendto and bind paths."""

from __future__ import annotations


def places(hits):
    return {(h.tree, h.path, h.line) for h in hits}


def test_function_definition_and_its_prototype(corpus_index):
    hits = corpus_index.definitions("__sys_sendto")
    assert [(h.kind, h.path, h.line) for h in hits] == [
        ("function", "net/socket.c", 133), ("prototype", "include/linux/syscalls.h", 92)]


def test_macro_struct_member_typedef_enumerator_variable(corpus_index):
    kinds = {name: {(h.kind, h.path) for h in corpus_index.definitions(name)} for name in
             ("INDIRECT_CALL_2", "proto_ops", "ndo_start_xmit", "netdev_tx_t", "NF_INET_POST_ROUTING",
              "inetsw_array")}
    assert ("macro", "include/linux/indirect_call_wrapper.h") in kinds["INDIRECT_CALL_2"]
    assert ("struct", "include/linux/net.h") in kinds["proto_ops"]
    assert ("member", "include/linux/netdevice.h") in kinds["ndo_start_xmit"]
    assert ("typedef", "include/linux/netdevice.h") in kinds["netdev_tx_t"]
    assert ("enumerator", "include/linux/netfilter.h") in kinds["NF_INET_POST_ROUTING"]
    assert ("variable", "net/ipv4/af_inet.c") in kinds["inetsw_array"]


def test_member_knows_its_struct_and_type(corpus_index):
    [ops] = [h for h in corpus_index.definitions("ops") if h.extra.get("scope") == "socket"]
    assert ops.extra["type"] == "struct proto_ops *"


def test_references_include_initializer_and_indirect_call_site(corpus_index):
    refs = {(h.path, h.line): h for h in corpus_index.references("udp_sendmsg")}
    assert ("net/ipv4/udp.c", 55) in refs  # .sendmsg = udp_sendmsg
    assert refs[("net/ipv4/af_inet.c", 119)].function == "inet_sendmsg"  # INDIRECT_CALL_2 line
    assert refs[("net/ipv6/udp.c", 20)].function == "udpv6_sendmsg"


def test_references_skip_comments_and_strings(tmp_path):
    from tests.conftest import run_xref

    (tmp_path / "t.c").write_text('/* target in a comment */\nconst char *s = "target";\nint target;\n')
    run_xref("index", "--no-semantic", str(tmp_path), check=True)
    out = run_xref("refs", "target", cwd=tmp_path, check=True).stdout
    assert out.splitlines() == ["t.c:3: reference  int target;"]


def test_callers_of_udp_sendmsg_include_udpv6_and_the_proto_table_call(corpus_index):
    callers = {(h.caller, h.how) for h in corpus_index.callers("udp_sendmsg")}
    assert ("udpv6_sendmsg", "direct") in callers


def test_callers_through_a_registered_field(corpus_index):
    hits = [h for h in corpus_index.callers("inet_bind") if h.how.startswith("indirect")]
    assert {(h.caller, h.path, h.how) for h in hits} == {
        ("__sys_bind", "net/socket.c", "indirect via struct proto_ops.bind")}


def test_callees_of_sendto_helpers(corpus_index):
    assert {h.callee for h in corpus_index.callees("__sys_sendto")} == {
        "sockfd_lookup", "copy_from_user", "sock_sendmsg"}
    [indirect] = [h for h in corpus_index.callees("__sys_bind") if h.struct]
    assert (indirect.struct, indirect.field, indirect.callee) == ("proto_ops", "bind", "sock->ops->bind")


def test_call_inside_a_syscall_define_body_belongs_to_the_function_the_macro_makes(corpus_index):
    callers = {h.caller for h in corpus_index.callers("__sys_sendto")}
    assert callers == {"__do_sys_sendto", "__do_sys_socketcall", "__do_compat_sys_socketcall"}


def test_ops_table_initializers_register_with_struct_and_field(corpus_index):
    regs = {(h.struct, h.field, h.how, h.path) for h in corpus_index.registrations("inet_sendmsg")}
    assert ("proto_ops", "sendmsg", "initializer", "net/ipv4/af_inet.c") in regs
    assert {(h.struct, h.field) for h in corpus_index.registrations("udp_sendmsg") if h.how == "initializer"} == {
        ("proto", "sendmsg")}


def test_array_of_structs_initializer(corpus_index):
    regs = {(h.struct, h.field, h.name) for h in corpus_index.registrations(struct="inet_protosw", field_="prot")}
    assert regs == {("inet_protosw", "prot", "tcp_prot"), ("inet_protosw", "prot", "udp_prot")}


def test_run_time_assignment_resolves_the_struct_through_member_types(corpus_index):
    hits = corpus_index.registrations(struct="dst_entry", field_="output")
    assert [(h.name, h.how, h.path, h.line, h.extra["context"]) for h in hits] == [
        ("ip_output", "assignment", "net/ipv4/route.c", 20, "rt->dst.output"),
        ("ip6_output", "assignment", "net/ipv6/route.c", 22, "rt->dst.output")]


def test_function_passed_as_an_argument(corpus_index):
    regs = [h for h in corpus_index.registrations("ip_finish_output") if h.how == "argument"]
    assert [(h.extra["callee"], h.extra["argpos"], h.path) for h in regs] == [
        ("NF_HOOK_COND", 8, "net/ipv4/ip_output.c")]


def test_call_through_a_function_pointer_parameter(corpus_index):
    [okfn] = [h for h in corpus_index.callees("NF_HOOK_COND") if h.callee == "okfn"]
    assert okfn.how == "indirect via parameter 8"


def test_driver_hooks_both_registered(corpus_index):
    regs = {(h.name, h.path) for h in corpus_index.registrations(struct="net_device_ops", field_="ndo_start_xmit")}
    assert regs == {("loopback_xmit", "drivers/net/loopback.c"),
                    ("quill_start_xmit", "drivers/net/ethernet/quill/quill_main.c")}


def test_call_through_return_value_field_is_typed(corpus_index):
    [call] = [h for h in corpus_index.callees("__netdev_start_xmit") if h.struct]
    assert (call.struct, call.field) == ("net_device_ops", "ndo_start_xmit")


def test_assembly_labels_and_calls(corpus_index):
    [label] = corpus_index.definitions("entry_SYSCALL_64", kinds=("label",))
    assert (label.kind, label.path, label.line) == ("label", "arch/x86/entry/entry_64.S", 13)
    calls = {(h.caller, h.path) for h in corpus_index.callers("do_syscall_64")}
    assert calls == {("entry_SYSCALL_64", "arch/x86/entry/entry_64.S")}
    assert {h.caller for h in corpus_index.callers("do_int80_syscall_32")} == {"entry_INT80_compat"}


def test_syscall_table_rows(corpus_index):
    rows = corpus_index.conn.execute(
        "SELECT nr, abi, entry, compat FROM syscalls WHERE name = 'socketcall'").fetchall()
    assert rows == [(102, "i386", "sys_socketcall", "compat_sys_socketcall")]
    assert corpus_index.conn.execute("SELECT entry FROM syscalls WHERE name = 'afs_syscall'").fetchall() == [("",)]


def test_includes_are_recorded(corpus_index):
    rows = corpus_index.conn.execute(
        "SELECT i.target, i.system FROM includes i JOIN files f ON f.id = i.file_id "
        "WHERE f.path = 'net/socket.c'").fetchall()
    assert ("linux/indirect_call_wrapper.h", 1) in rows and len(rows) == 10


def test_hits_report_the_tree_they_come_from(corpus_index):
    assert {h.tree for h in corpus_index.definitions("__libc_sendto")} == {"glibc"}
    assert {h.tree for h in corpus_index.definitions("__sys_sendto")} == {"linux"}


def test_search_prefix_substring_fuzzy_and_kind(corpus_index):
    names = [h.name for h in corpus_index.search("inet_send")]
    assert names[0] == "inet_sendmsg"
    assert "udpv6_sendmsg" in [h.name for h in corpus_index.search("v6_send")]
    assert "loopback_xmit" in [h.name for h in corpus_index.search("lopback_xmit")]  # one typo
    assert {k for h in corpus_index.search("sendmsg", kind="member") for k in h.kinds} >= {"member"}
    assert all("member" in h.kinds for h in corpus_index.search("sendmsg", kind="member"))


def test_search_index_in_several_segments_answers_like_one(tmp_path, monkeypatch):
    """The kernel's 4 M names are written 500,000 a Whoosh segment; shrunk here to 3."""
    from whoosh import index, query

    from xref import search

    monkeypatch.setattr(search, "_SEGMENT", 3)
    names = ["udp_sendmsg", "UDP_SEND", "udpv6_sendmsg", "inet_sendmsg", "Inet_Bind", "kfree", "k", "udp_sendpage"]
    search.build_from_names(tmp_path, names)
    ix = index.open_dir(str(tmp_path / "search"))
    with ix.searcher() as s:
        assert len(s.reader().leaf_readers()) >= 3
        assert sorted(d["name"] for d in s.search(query.Prefix("lower", "udp_send"), limit=None)) == [
            "UDP_SEND", "udp_sendmsg", "udp_sendpage"]
        assert [d["name"] for d in s.search(query.Term("lower", "inet_bind"))] == ["Inet_Bind"]
        assert s.doc_count() == len(names)
    assert (tmp_path / "search" / "names.lower").read_text().split() == [name.lower() for name in names]
    assert (tmp_path / "search" / "names.cased").read_text().split() == names
