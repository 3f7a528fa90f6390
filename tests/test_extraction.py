"""The C pass's shortcut for files of preprocessor directives only gives the syntax tree's facts."""

from __future__ import annotations

import os
import random

import pytest

from indexer import cparse
from indexer.identifiers import strip_noise
from xref.corpus import BUNDLED


def _both_ways(source: bytes, monkeypatch) -> tuple:
    """(facts by the shortcut, facts by tree-sitter) of one file, sorted for comparison."""
    fast = cparse.extract_c(source)
    with monkeypatch.context() as patch:
        patch.setattr(cparse, "_directives_only", lambda code: False)
        slow = cparse.extract_c(source)

    def key(facts):
        return (sorted(facts.definitions, key=lambda d: (d.line, d.name)),
                sorted(facts.includes, key=lambda i: i.line), facts.references,
                sorted(facts.calls, key=lambda c: (c.line, c.caller, c.callee)), facts.registrations)

    return key(fast), key(slow)


def _directive_files(root) -> list:
    return [p for p in sorted(root.rglob("*.h")) if cparse._directives_only(strip_noise(p.read_bytes()))]


def test_corpus_directive_headers_take_the_shortcut_with_the_same_facts(monkeypatch):
    files = _directive_files(BUNDLED)
    assert len(files) >= 5
    for path in files:
        fast, slow = _both_ways(path.read_bytes(), monkeypatch)
        assert fast == slow, path


def test_code_continuations_and_if_calls_keep_the_syntax_tree():
    assert cparse._directives_only(strip_noise(b"#define A 1\n#define B(x) \\\n  ((x) + 1)\n"))
    assert not cparse._directives_only(strip_noise(b"#define A 1\nint a;\n"))
    assert not cparse._directives_only(strip_noise(b"int a;\n#define A 1\n"))
    assert not cparse._directives_only(strip_noise(b"#if IS_ENABLED(CONFIG_X)\n#define A 1\n#endif\n"))
    assert cparse._directives_only(strip_noise(b"#if defined(CONFIG_X)\n#define A 1 /* int a; */\n#endif\n"))


def test_shortcut_keeps_macros_includes_and_references(monkeypatch):
    source = (b"/* header */\n#ifndef _X_H\n#define _X_H\n#include <linux/types.h>\n"
              b'#include "local.h" /* why */\n#define REG_A 0x10 /* reg */\n#define REG_B(n) \\\n'
              b"\t(REG_A + (n))\n// #define NOT_ME 1\n#endif\n")
    fast, slow = _both_ways(source, monkeypatch)
    assert fast == slow
    assert [d.name for d in fast[0]] == ["_X_H", "REG_A", "REG_B"]
    assert [(i.target, i.line, i.system) for i in fast[1]] == [("linux/types.h", 4, True), ("local.h", 5, False)]
    assert fast[2]["REG_A"] == [6, 8]


@pytest.mark.slow
def test_real_directive_headers_agree_with_the_syntax_tree(linux_tree, monkeypatch):
    """On Linux 6.1 the two ways differ only where tree-sitter misreads a multi-line macro."""
    candidates = [p for p in linux_tree.rglob("*.h") if "asic_reg" not in p.parts]
    random.Random(3).shuffle(candidates)
    sample = []
    for path in candidates:
        if cparse._directives_only(strip_noise(path.read_bytes())):
            sample.append(path)
        if len(sample) == 300:
            break
    sample += sorted((linux_tree / "drivers/gpu/drm/amd/include/asic_reg/gc").glob("*.h"))[:20]
    differ = [p for p in sample if (lambda pair: pair[0] != pair[1])(_both_ways(p.read_bytes(), monkeypatch))]
    assert len(differ) <= len(sample) // 100, differ


def test_include_next_is_an_include_edge_with_or_without_code():
    for source in (b"#include_next <kernel-features.h>\n#undef X\n",
                   b"#include_next <kernel-features.h>\nint x;\n"):
        includes = cparse.extract_c(source).includes
        assert [(i.target, i.line, i.system) for i in includes] == [("kernel-features.h", 1, True)]


def test_a_body_after_invocations_in_if_branches_belongs_to_the_last_of_them():
    # clone(2)'s argument order differs by architecture: one SYSCALL_DEFINE5 per #if branch, then
    # #endif, then the one body (the branch the configuration takes is the last, #else, here).
    source = (b"#ifdef CONFIG_CLONE_BACKWARDS\nSYSCALL_DEFINE5(clone, unsigned long, flags, int, a)\n#else\n"
              b"SYSCALL_DEFINE5(clone, unsigned long, flags, long, b)\n#endif\n{\n\treturn kernel_clone(flags);\n}\n")
    facts = cparse.extract_c(source)
    assert [(v.line, v.block) for v in facts.invocations] == [(2, False), (4, True)]
    assert [(s.name, s.start) for s in facts.scopes] == [("SYSCALL_DEFINE5(clone)", 4)]
    assert ("SYSCALL_DEFINE5(clone)", "kernel_clone") in {(c.caller, c.callee) for c in facts.calls}


def _facts(layer: str, source: bytes, tmp_path):
    """One file's facts from the tree-sitter pass or, compiled, from the semantic pass."""
    if layer == "tree-sitter":
        return cparse.extract_c(source)
    from indexer import clangpass

    (tmp_path / "sock.c").write_bytes(source)
    found = clangpass.extract(str(tmp_path / "sock.c"), [])
    assert not found.errors
    return found


@pytest.mark.parametrize("layer", ["tree-sitter", "clang"])
def test_a_local_copy_of_a_field_is_a_call_through_the_field(layer, tmp_path):
    source = b"""
#define READ_ONCE(x) ({ (void)0; (*(const volatile typeof(x) *)&(x)); })
struct sock { void (*write_space)(struct sock *); void (*data_ready)(struct sock *); };
void default_space(struct sock *sk);
void wfree(struct sock *sk)
{
	void (*fn)(struct sock *);

	fn = READ_ONCE(sk->write_space);
	if (fn == default_space)
		return;
	fn(sk);
}
void ready(struct sock *sk)
{
	void (*cb)(struct sock *) = sk->data_ready;
	cb(sk);
}
void either(struct sock *sk, int w)
{
	void (*cb)(struct sock *);

	cb = sk->data_ready;
	if (w)
		cb = sk->write_space;
	cb(sk);
}
void area(struct sock *sk, int w)
{
	void (*get)(struct sock *) = sk->data_ready;

	if (w)
		get = default_space;
	get(sk);
}
"""
    found = _facts(layer, source, tmp_path)
    calls = {(c.caller, c.callee, c.how, c.struct) for c in found.calls}
    assert ("wfree", "write_space", "field", "sock") in calls
    assert ("ready", "data_ready", "field", "sock") in calls
    # Given either field: a call through each.
    assert {c for c in calls if c[0] == "either"} == {("either", "data_ready", "field", "sock"),
                                                      ("either", "write_space", "field", "sock")}, calls
    assert {c for c in calls if c[0] == "area"} == {("area", "data_ready", "field", "sock"),
                                                    ("area", "default_space", "direct", "")}, calls


def test_branches_marked_rare_are_kept_as_line_ranges():
    source = b"""int f(int nosec, int ok)
{
	if (unlikely(nosec))
		return slow(1);
	if (likely(ok)) {
		fast();
	} else {
		rare();
		rarer();
	}
	if (nosec)
		plain();
	if (ok < 0)
		goto err_free;
	return 0;
out:
	done();
	return 1;
err_free:
	cleanup();
	return -1;
}
"""
    assert sorted(cparse.extract_c(source).unlikely) == [(4, 4), (7, 10), (19, 22)]


def test_a_header_read_twice_skips_only_what_every_inclusion_skipped(tmp_path):
    from indexer import clangpass

    # The guard does not hold the whole file, so the second #include enters it again: it skips
    # all the guard holds, and the part after it, which the first inclusion read.
    (tmp_path / "twice.h").write_text("#ifndef TWICE_H\n#define TWICE_H\n#define SEEN 1\n#ifdef NEVER\n"
                                      "#define HIDDEN 1\n#endif\n#endif\n#ifndef AGAIN\n#define AGAIN 1\n#endif\n")
    (tmp_path / "main.c").write_text('#include "twice.h"\n#include "twice.h"\n#if 0\nint off;\n#endif\nint x;\n')
    found = clangpass.extract(str(tmp_path / "main.c"), [f"-I{tmp_path}"])
    skipped = {os.path.basename(path): ranges for path, ranges in found.skipped.items()}
    assert skipped == {"twice.h": [(4, 6)], "main.c": [(3, 5)]}


@pytest.mark.parametrize("layer", ["tree-sitter", "clang"])
def test_a_field_copied_from_another_field_is_a_copy(layer, tmp_path):
    # `sk->sk_backlog_rcv = sk->sk_prot->backlog_rcv`: sock.sk_backlog_rcv holds what
    # proto.backlog_rcv holds. A copy of a field that is no function pointer (len) is none.
    source = b"""
struct sk_buff;
struct proto { int (*backlog_rcv)(struct sk_buff *); int len; };
struct sock { struct proto *sk_prot; int (*sk_backlog_rcv)(struct sk_buff *); int sk_len; };
void init(struct sock *sk)
{
	sk->sk_backlog_rcv = sk->sk_prot->backlog_rcv;
	sk->sk_len = sk->sk_prot->len;
}
"""
    found = _facts(layer, source, tmp_path)
    copies = [(r.struct, r.field, r.function, r.context) for r in found.registrations if r.how == "copy"]
    # The parser's struct of `sk->sk_prot` is the path the store resolves through sock's members.
    source_struct = "proto" if layer == "clang" else "sock.sk_prot"
    assert ("sock", "sk_backlog_rcv", "backlog_rcv", source_struct) in copies
    if layer == "clang":  # the parser keeps every copy; the store drops those into fields never called
        assert copies == [("sock", "sk_backlog_rcv", "backlog_rcv", "proto")]


def test_a_variable_in_a_c_file_the_unit_includes_registers_its_functions(tmp_path):
    # kernel/sched/build_policy.c includes rt.c, whose DEFINE_SCHED_CLASS(rt) = { ... } registers
    # task_woken_rt: the unit's facts for rt.c have it (they replace the parser's there).
    from indexer import clangpass

    (tmp_path / "rt.c").write_text("""
struct rq;
struct sched_class { void (*task_woken)(struct rq *); };
static void task_woken_rt(struct rq *rq) { }
const struct sched_class rt_sched_class = { .task_woken = task_woken_rt };
""")
    (tmp_path / "build_policy.c").write_text('#include "rt.c"\n')
    found = clangpass.extract(str(tmp_path / "build_policy.c"), [])
    assert not found.errors
    [header] = [facts for path, facts in found.in_headers.items() if path.endswith("rt.c")]
    assert [(r.struct, r.field, r.function, r.how) for r in header.registrations] == [
        ("sched_class", "task_woken", "task_woken_rt", "initializer")]
    assert ("rt_sched_class", "variable") in {(d.name, d.kind) for d in header.definitions}


def test_a_field_passed_to_a_function_that_calls_it_is_a_call_through_the_field(tmp_path):
    # file_tty_write: do_tty_write(ld->ops->write, ...), and do_tty_write calls `write`; a field
    # passed where it is only kept (store) is no call.
    from indexer import clangpass

    (tmp_path / "tty.c").write_text("""
struct tty;
struct ldisc_ops { int (*write)(struct tty *); int (*read)(struct tty *); };
struct ldisc { struct ldisc_ops *ops; };
static inline int do_write(int (*write)(struct tty *), struct tty *tty) { return write(tty); }
static void store(int (*fn)(struct tty *)) { }
int file_write(struct ldisc *ld, struct tty *tty)
{
	store(ld->ops->read);
	return do_write(ld->ops->write, tty);
}
""")
    found = clangpass.extract(str(tmp_path / "tty.c"), [])
    assert not found.errors
    calls = {(c.callee, c.how, c.struct) for c in found.calls if c.caller == "file_write"}
    assert calls == {("store", "direct", ""), ("do_write", "direct", ""), ("write", "field", "ldisc_ops")}
    # The parser alone: the struct is named by the path to it (the index resolves ldisc.ops).
    parsed = cparse.extract_c((tmp_path / "tty.c").read_bytes())
    calls = {(c.callee, c.how, c.struct) for c in parsed.calls if c.caller == "file_write"}
    assert calls == {("store", "direct", ""), ("do_write", "direct", ""), ("write", "field", "ldisc.ops")}


def test_a_field_of_an_anonymous_struct_member_is_the_enclosing_struct_s(tmp_path):
    # mm_struct's fields sit in `struct { ... } __randomize_layout;`: mm->get_unmapped_area is
    # mm_struct's field; a named member's struct (`struct { ... } stats;`) stays its own.
    from indexer import clangpass

    (tmp_path / "mm.c").write_text("""
struct mm_struct {
	struct {
		unsigned long (*get_unmapped_area)(unsigned long);
		struct { void (*tick)(void); } stats;
	};
	unsigned long bitmap[];
};
unsigned long topdown(unsigned long len);
void layout(struct mm_struct *mm) { mm->get_unmapped_area = topdown; }
unsigned long area(struct mm_struct *mm, unsigned long len)
{
	mm->stats.tick();
	return mm->get_unmapped_area(len);
}
""")
    found = clangpass.extract(str(tmp_path / "mm.c"), [])
    assert not found.errors
    assert [(r.struct, r.field, r.function) for r in found.registrations] == [
        ("mm_struct", "get_unmapped_area", "topdown")]
    fields = {(c.callee, c.struct) for c in found.calls if c.how == "field"}
    assert ("get_unmapped_area", "mm_struct") in fields
    assert not any(struct == "mm_struct" for callee, struct in fields if callee == "tick"), fields


def test_current_is_get_current_s_task(tmp_path):
    # `current` is a macro for get_current(): `current->mm->get_unmapped_area` is a call through
    # the field of the mm_struct that get_current()'s task_struct points to (the index resolves it).
    parsed = cparse.extract_c(b"""
unsigned long area(struct file *file)
{
	unsigned long (*get_area)(struct file *) = current->mm->get_unmapped_area;
	return get_area(file);
}
""")
    assert [(c.callee, c.how, c.struct) for c in parsed.calls] == [("get_unmapped_area", "field", "()get_current.mm")]


def test_a_function_after_a_trailing_annotation_is_itself():
    # `DEFINE_PER_CPU(...) __aligned(64) __visible;` makes tree-sitter read `__aligned(64)` as a
    # K&R function's head, the declarations after it as its parameters, and the real function's
    # head as an error: the function is the real one, from its own line, with its own calls.
    parsed = cparse.extract_c(b"""
DEFINE_PER_CPU_THING(struct steal_time, steal_time) __aligned(64) __visible;
static int has_steal_clock = 0;

/* no delay */
static struct page *io_delay(int slot)
{
	return find_page(slot);
}
""")
    assert [(d.name, d.line, d.typeref) for d in parsed.definitions if d.kind == "function"] == \
        [("io_delay", 6, "struct page *")]
    assert [(s.name, s.start, s.end) for s in parsed.scopes] == [("io_delay", 6, 9)]
    assert [(c.caller, c.callee) for c in parsed.calls] == [("io_delay", "find_page")]


@pytest.mark.parametrize("head, name", [
    (b"static void __printf(2, 3)\nsend_note(struct sock *sk, const char *fmt, ...)", "send_note"),
    (b"asmlinkage __printf(4, 0)\nint emit(int level, const char *fmt, va_list args)", "emit"),
    # A function's own parameters before an annotation line are no annotation.
    (b"static struct timer *__lock_timer(int id, unsigned long *flags)\n\t__acquires(lock)", "__lock_timer"),
    (b"static void __flush(void)\n\t__releases(lock)", "__flush"),
])
def test_an_annotation_ending_the_line_before_the_name_is_no_function(head, name):
    parsed = cparse.extract_c(head + b"\n{\n\tlog_it(1);\n}\n")
    assert [d.name for d in parsed.definitions if d.kind == "function"] == [name]
    assert [c.caller for c in parsed.calls if c.callee == "log_it"] == [name]


def test_members_in_an_if_block_of_a_struct_body_are_members():
    parsed = cparse.extract_c(b"""
struct stub {
	void (*enable)(void);
#ifdef CONFIG_XFRM
	int (*encap_rcv)(int skb);
#else
	int spare;
#endif
};
""")
    assert [(d.name, d.line, d.scope) for d in parsed.definitions if d.kind == "member"] == [
        ("enable", 3, "stub"), ("encap_rcv", 5, "stub"), ("spare", 7, "stub")]


def test_a_macro_ending_a_do_while_keeps_the_rest_of_the_file():
    # `do { ... } while_each_thread(g, t);`: the macro is the loop's `while (...)`. Read as a `do`
    # with no `while`, it swallowed the functions after it (kernel/exit.c's do_wait, kernel_wait4).
    parsed = cparse.extract_c(b"""
static long scan(struct task *g)
{
	struct task *t = g;

	do {
		if (reap(t))
			return 1;
	} while_each_thread(g, t);
	return 0;
}

long wait_for(struct task *g)
{
	return scan(g);
}
""")
    assert [(d.name, d.line) for d in parsed.definitions if d.kind == "function"] == [("scan", 2), ("wait_for", 13)]
    assert [(c.caller, c.callee, c.line) for c in parsed.calls] == [("scan", "reap", 7), ("wait_for", "scan", 15)]
    assert not parsed.parse_errors


_INTERPRETER = b"""static unsigned long run_ops(unsigned long *regs, const struct insn *insn)
{
#define OP(NAME, SYM) NAME: regs[0] = regs[0] SYM regs[1]; goto next;
	static const void *jumps[] = { [0 ... 7] = &&bad, };
next:
	goto *jumps[load_code(insn++)];
	OP(ADD, +)
	OP(SUB, -)
bad:
	return finish(regs);
}
EXPORT_SYMBOL(run_ops);

int run_program(const struct insn *insn)
{
	unsigned long regs[2] = { 0 };

	return run_ops(regs, insn);
}
"""


@pytest.mark.parametrize("source", [
    _INTERPRETER,  # `OP(ADD, +)` alone on its line: blanked, and the body parses
    _INTERPRETER.replace(b"OP(", b"op_case("),  # not a capitalised macro: the whole body blanked
    # lib/siphash.c's shape: a statement macro with no `;` just before the `}`
    b"""#define FINISH return h ^ seed;

u64 mix_one(u64 h, u64 seed)
{
	h = load_code(h);
	FINISH
}
EXPORT_SYMBOL(mix_one);

u64 run_ops(u64 h, u64 seed)
{
	h = finish(h);
	FINISH
}
EXPORT_SYMBOL(run_ops);

int run_program(u64 h)
{
	return run_ops(h, 0);
}
"""], ids=["lone-macros", "whole-body", "macro-before-brace"])
def test_a_body_the_parser_cannot_read_keeps_its_function_calls_and_the_rest_of_the_file(source):
    # kernel/bpf/core.c's interpreter (macros pasting labels, `ALU(ADD, +)` as statements) left
    # its `{` a bare token of the file, and the 41 functions after it were lost with it.
    parsed = cparse.extract_c(source)
    functions = {d.name for d in parsed.definitions if d.kind == "function"}
    assert {"run_ops", "run_program"} <= functions
    calls = {(c.caller, c.callee) for c in parsed.calls}
    assert {("run_program", "run_ops"), ("run_ops", "finish")} <= calls
    assert not any(c.caller == "" and c.callee in ("load_code", "finish") for c in parsed.calls)
    # a `#define` inside a body blanked whole is still the file's
    assert {"OP", "op_case", "FINISH"} & {d.name for d in parsed.definitions if d.kind == "macro"}


@pytest.mark.parametrize("head, name, typeref", [
    (b"asmlinkage __visible void __softirq_entry __do_softirq(void)", "__do_softirq", "void"),
    (b"static void __always_unused check_sizes(void)", "check_sizes", "void"),
    (b"static noinline depot_stack_handle_t set_track_prepare(void)", "set_track_prepare", "depot_stack_handle_t"),
    (b"static enum memblock_flags __init_memblock choose_flags(void)", "choose_flags", "enum memblock_flags"),
    (b"static __u32 __maybe_unused pick(void)", "pick", "__u32"),
])
def test_a_function_of_no_parameters_after_unknown_words_is_a_function(head, name, typeref):
    # tree-sitter read `NAME (void)` as a parenthesized declarator of a type NAME, and the words
    # before as variables (`__visible`, `__softirq_entry`): the function was lost.
    parsed = cparse.extract_c(b"int before;\n\n" + head + b"\n{\n\tcall_it();\n}\n")
    assert sorted((d.name, d.kind, d.typeref) for d in parsed.definitions) == sorted(
        [("before", "variable", "int"), (name, "function", typeref)])
    [function] = [d for d in parsed.definitions if d.kind == "function"]
    assert head.decode().endswith(function.signature) and function.signature.endswith(f"{name}(void)")
    assert [(c.caller, c.callee) for c in parsed.calls] == [(name, "call_it")]


def test_a_paravirt_call_is_a_call_through_its_pv_ops_member():
    # PVOP_* call pv_ops' member from inline assembly: the tree sees no call, and a return type
    # among the arguments (`unsigned long`) is no expression it can parse.
    parsed = cparse.extract_c(b"""
#define PVOP_VCALL0(op) __PVOP_VCALL(op)

static inline void flush_local(void)
{
	PVOP_VCALL0(mmu.flush_tlb_user);
}

static inline unsigned long read_fault_address(void)
{
	return PVOP_ALT_CALLEE0(unsigned long, mmu.read_cr2,
				"mov %%cr2, %%rax;", ALT_NOT(X86_FEATURE_XENPV));
}

static inline u64 read_msr_safe(unsigned int msr)
{
	return PVOP_CALL1(u64, cpu.read_msr, msr);
}
""")
    fields = [(c.caller, c.struct, c.callee, c.line) for c in parsed.calls if c.how == "field"]
    assert fields == [("flush_local", "paravirt_patch_template.mmu", "flush_tlb_user", 6),
                      ("read_fault_address", "paravirt_patch_template.mmu", "read_cr2", 11),
                      ("read_msr_safe", "paravirt_patch_template.cpu", "read_msr", 17)]
