"""Editors on the bundled corpus: tags files and cscope's line interface, driven by a real vim
with the README's settings."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BUNDLED, REPO, run_xref
from xref.editors.cscope import parse_args

VIM = shutil.which("vim")


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """A copy of the corpus indexed as a user would: `.xref/` at the root, and `xref` on PATH."""
    base = tmp_path_factory.mktemp("editors")
    root = base / "src"
    shutil.copytree(BUNDLED, root)
    run_xref("index", "--no-semantic", str(root / "linux"), str(root / "glibc"), "--db", str(root / ".xref"),
             check=True)
    bin_dir = base / "bin"
    bin_dir.mkdir()
    (bin_dir / "xref").write_text(f"#!/bin/sh\nPYTHONPATH={REPO} exec {sys.executable} -m xref.cli \"$@\"\n")
    (bin_dir / "xref").chmod(0o755)
    return root, bin_dir


def readme_block(language: str, first_line: str) -> str:
    """The README's fenced block in `language` that starts with `first_line`."""
    for block in re.findall(rf"```{language}\n(.*?)```", (REPO / "README.md").read_text(), re.S):
        if block.startswith(first_line):
            return block
    raise AssertionError(f"no ```{language} block starting {first_line!r} in the README")


def vim(root: Path, bin_dir: Path, vimrc: str, *commands: str) -> list[str]:
    if VIM is None:
        if os.environ.get("CI"):
            pytest.fail("vim is not installed (.ci/run installs vim-nox)")
        pytest.skip("vim is not installed")
    out = root / "vim.out"
    out.unlink(missing_ok=True)
    (root / "vimrc").write_text("set nocompatible\n" + vimrc)
    args = [VIM, "-N", "-u", str(root / "vimrc"), "-i", "NONE", "-es"]
    for command in commands:
        args += ["-c", command.replace("OUT", str(out))]
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}")
    done = subprocess.run(args + ["-c", "qa!"], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return out.read_text().splitlines() if out.exists() else []


def test_vim_cscope_with_the_readme_settings(tree, corpus_index):
    root, bin_dir = tree
    settings = readme_block("vim", "set cscopeprg=")
    [here] = vim(root, bin_dir, settings, "cs find g sockfd_lookup",
                 'call writefile([expand("%:p") . ":" . line(".")], "OUT")')
    [definition] = [h for h in corpus_index.definitions("sockfd_lookup") if h.kind == "function"]
    assert here == f"{root / definition.tree / definition.path}:{definition.line}"
    listed = vim(root, bin_dir, settings, "cs find c sockfd_lookup",
                 'call writefile(map(getqflist(), {_, e -> bufname(e.bufnr) . ":" . e.lnum . ":" . e.text}), "OUT")')
    expected = {(f"{h.tree}/{h.path}", h.line, h.caller) for h in corpus_index.callers("sockfd_lookup")}
    got = {(path, int(line), re.match(r"<<(\w+)>>", text).group(1))
           for path, line, text in (entry.split(":", 2) for entry in listed)}
    assert got == expected and len(got) >= 4
    # Callers through a function pointer: inet_bind is reached from __sys_bind via proto_ops.bind.
    [indirect] = vim(root, bin_dir, settings, "cs find c inet_bind",
                     'call writefile(map(getqflist(), {_, e -> e.text}), "OUT")')
    assert indirect.startswith("<<__sys_bind>> [indirect via struct proto_ops.bind]")


def test_vim_tag_with_the_generated_tags_file(tree, corpus_index):
    root, bin_dir = tree
    done = subprocess.run([str(bin_dir / "xref"), "tags"], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0 and re.fullmatch(r"xref: \d+ tags written to tags\n", done.stderr)
    [made] = [h for h in corpus_index.definitions("__do_sys_sendto") if h.kind == "function"]
    assert made.source == "macro"  # a name only SYSCALL_DEFINE6 makes: ctags cannot find it
    [here] = vim(root, bin_dir, readme_block("vim", "set tags="), "tag __do_sys_sendto",
                 'call writefile([expand("%:p") . ":" . line(".")], "OUT")')
    assert here == f"{root / made.tree / made.path}:{made.line}"
    lines = (root / "tags").read_text().splitlines()
    body = [line for line in lines if not line.startswith("!_TAG_")]
    assert body == sorted(body, key=lambda line: line.split("\t", 1)[0].encode())
    assert "!_TAG_FILE_SORTED\t1\t/0=unsorted, 1=sorted, 2=foldcase/" in lines
    [bind] = [line for line in body if line.startswith("inet_bind\tlinux/net/ipv4/af_inet.c\t")]
    assert bind.split("\t")[2:] == ['77;"', "f", "line:77", "typeref:typename:int",
                                    "signature:(struct socket *sock, struct sockaddr *uaddr, int addr_len)"]


def test_emacs_finds_a_macro_made_definition_in_the_etags_file(tree, corpus_index):
    root, bin_dir = tree
    emacs = shutil.which("emacs")
    if emacs is None:
        if os.environ.get("CI"):
            pytest.fail("emacs is not installed (.ci/run installs emacs-nox)")
        pytest.skip("emacs is not installed")
    subprocess.run([str(bin_dir / "xref"), "tags", "--format", "etags"], cwd=root, check=True, capture_output=True)
    found = {}
    for name in ("__do_sys_sendto", "inet_bind"):
        program = (f'(progn (require (quote etags)) (visit-tags-table "{root / "TAGS"}")'
                   f' (with-current-buffer (find-tag-noselect "{name}")'
                   ' (princ (format "%s:%d" buffer-file-name (line-number-at-pos)))))')
        done = subprocess.run([emacs, "--batch", "-Q", "--eval", program], cwd=root, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        found[name] = done.stdout
    for name, place in found.items():
        [definition] = [h for h in corpus_index.definitions(name) if h.kind == "function"]
        assert place == f"{root / definition.tree / definition.path}:{definition.line}", name


def test_etags_file_sections_and_offsets(tree):
    root, bin_dir = tree
    subprocess.run([str(bin_dir / "xref"), "tags", "--format", "etags"], cwd=root, check=True, capture_output=True)
    data = (root / "TAGS").read_bytes()
    sections = data.split(b"\x0c\n")[1:]
    assert len(sections) > 40
    for section in sections:
        header, _, body = section.partition(b"\n")
        path, size = header.rsplit(b",", 1)
        assert int(size) == len(body)
        source = (root / path.decode()).read_bytes()
        for entry in body.splitlines():
            head, _, rest = entry.partition(b"\x7f")
            name, _, place = rest.partition(b"\x01")
            line, offset = map(int, place.split(b","))
            assert source[offset:].startswith(head) and name  # a macro-made name need not be in its line
            assert source[:offset].count(b"\n") == line - 1


def test_cscope_line_mode_speaks_the_protocol(tree):
    root, bin_dir = tree
    done = subprocess.run([str(bin_dir / "xref"), "cscope", "-dl", "-f", ".xref/CURRENT"], cwd=root,
                          input="1inet_bind\n3no_such_function\n9err\nq\n", capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith(">> cscope: 2 lines\nlinux/net/ipv4/af_inet.c inet_bind 77 int inet_bind(")
    assert "\nlinux/include/net/inet_common.h inet_bind 11 int inet_bind(" in out  # the prototype, as cscope
    assert ">> cscope: 0 lines\n>> cscope: " in out and out.endswith(">> ")
    assignments = out.split(">> ")[3].splitlines()
    count = int(re.match(r"cscope: (\d+) lines", assignments[0]).group(1))
    assert count == len(assignments) - 1 >= 3
    assert all(re.search(r"\berr\s*=[^=]", line) for line in assignments[1:])


def test_cscope_one_shot_queries(tree):
    root, bin_dir = tree

    def ask(*args: str) -> list[str]:
        done = subprocess.run([str(bin_dir / "xref"), "cscope", *args], cwd=root, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()

    assert "linux/net/socket.c sockfd_lookup 96 sock = sockfd_lookup(fd, &err);" in ask("-dL", "-2", "__sys_bind")
    assert any(line.startswith("linux/net/socket.c inet_bind 101 [indirect via struct proto_ops.bind]")
               for line in ask("-dL", "-2", "__sys_bind"))
    assert ask("-dL7socket_lookup") == ["linux/net/socket_lookup.c <unknown> 1 <unknown>"]
    includers = ask("-d", "-L", "-8", "linux/net.h")
    assert "linux/include/net/sock.h <global> 9 #include <linux/net.h>" in includers
    assert any(line.startswith("linux/net/socket.c ") for line in ask("-dL", "-4", "sock->ops->bind"))
    assert ask("-dL", "-6", "sock->ops->(bind|connect)\\(") == ask("-dL", "-6", "sock->ops->(bind|connect)\\(")
    assert len(ask("-dL", "-6", "sock->ops->(bind|connect)\\(")) == 2
    assert ask("-dL", "-0", "no_such_symbol_anywhere") == []
    # -P: the prepath and the file's path in its tree, as cscope prepends it to its relative names
    assert "/mnt/src/net/socket.c sockfd_lookup 96 sock = sockfd_lookup(fd, &err);" in ask(
        "-dL", "-2", "__sys_bind", "-P", "/mnt/src/")
    refused = subprocess.run([str(bin_dir / "xref"), "cscope", "-b"], cwd=root, capture_output=True, text=True)
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1


def test_cscope_command_lines_as_editors_write_them():
    assert parse_args(["-dl", "-f", "db/CURRENT"]) | {} == {
        "line": True, "once": False, "query": None, "file": "db/CURRENT", "prepath": None, "ignore_case": False}
    assert parse_args(["-dL", "-1", "main"])["query"] == (1, "main")
    assert parse_args(["-L1main", "-C", "-P", "/src"]) == {
        "line": False, "once": True, "query": (1, "main"), "file": None, "prepath": "/src", "ignore_case": True}
    assert parse_args(["-dlqk", "-fcscope.out", "-p", "3"])["file"] == "cscope.out"


class LspClient:
    """JSON-RPC over a language server's stdin and stdout, as an editor speaks it."""

    def __init__(self, command: list[str], cwd: Path, env: dict) -> None:
        self.proc = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.next_id = 0

    def send(self, method: str, params: dict | None, request: bool = True) -> int | None:
        import json

        message = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.next_id += 1
            message["id"] = self.next_id
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()
        return message.get("id")

    def receive(self) -> dict:
        import json

        length = None
        while True:
            header = self.proc.stdout.readline()
            assert header, self.proc.stderr.read().decode()
            if header in (b"\r\n", b"\n"):
                break
            if header.lower().startswith(b"content-length:"):
                length = int(header.split(b":")[1])
        return json.loads(self.proc.stdout.read(length))

    def __enter__(self) -> LspClient:
        return self

    def __exit__(self, *_) -> None:
        if self.proc.poll() is None:
            self.proc.kill()

    def stop(self, timeout: int) -> int:
        """shutdown, then exit: the server's exit status."""
        self.request("shutdown", None)
        self.send("exit", None, request=False)
        return self.proc.wait(timeout=timeout)

    def request(self, method: str, params: dict | None):
        wanted = self.send(method, params)
        while True:
            message = self.receive()
            if message.get("id") == wanted and "method" not in message:
                assert "error" not in message, message["error"]
                return message["result"]


def test_language_server_over_stdio(tree, corpus_index):
    root, bin_dir = tree
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}")
    env.pop("XREF_DB", None)
    with LspClient(["xref", "lsp"], root, env) as client:
        result = client.request("initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {}})
        capabilities = result["capabilities"]
        for provider in ("definitionProvider", "declarationProvider", "referencesProvider", "hoverProvider",
                         "documentSymbolProvider", "workspaceSymbolProvider", "callHierarchyProvider"):
            assert capabilities.get(provider), provider
        client.send("initialized", {}, request=False)
        socket_c = root / "linux/net/socket.c"
        uri = socket_c.as_uri()
        client.send("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "c", "version": 1,
                                                              "text": socket_c.read_text()}}, request=False)
        lines = socket_c.read_text().split("\n")

        def at(line: int, word: str) -> dict:
            return {"textDocument": {"uri": uri}, "position": {"line": line - 1,
                                                                "character": lines[line - 1].index(word) + 1}}

        [place] = client.request("textDocument/definition", at(141, "sockfd_lookup"))
        [known] = [h for h in corpus_index.definitions("sockfd_lookup") if h.kind == "function"]
        assert place["uri"] == (root / known.tree / known.path).as_uri()
        assert place["range"]["start"]["line"] == known.line - 1
        [declared] = client.request("textDocument/declaration", at(141, "sockfd_lookup"))
        assert declared["uri"].endswith("/linux/include/linux/net.h")
        found = client.request("textDocument/references", {**at(141, "sockfd_lookup"),
                                                           "context": {"includeDeclaration": False}})
        assert {(p["uri"], p["range"]["start"]["line"] + 1) for p in found} == {
            ((root / h.tree / h.path).as_uri(), h.line) for h in corpus_index.references("sockfd_lookup")}

        [item] = client.request("textDocument/prepareCallHierarchy", at(101, "bind"))  # sock->ops->bind: a field
        assert item["name"] == "bind"
        [item] = client.request("textDocument/prepareCallHierarchy", at(96, "sockfd_lookup"))
        callers = client.request("callHierarchy/incomingCalls", {"item": item})
        assert {c["from"]["name"] for c in callers} == {h.caller for h in corpus_index.callers("sockfd_lookup")}
        [sys_bind] = client.request("textDocument/prepareCallHierarchy", at(90, "__sys_bind"))
        outgoing = {c["to"]["name"]: c["to"]["detail"] for c in
                    client.request("callHierarchy/outgoingCalls", {"item": sys_bind})}
        assert outgoing["inet_bind"] == "indirect via struct proto_ops.bind"
        assert "sockfd_lookup" in outgoing and not outgoing["sockfd_lookup"].startswith("indirect")
        inet_bind = client.request("callHierarchy/incomingCalls", {"item": {**sys_bind, "name": "inet_bind"}})
        assert [(c["from"]["name"], c["from"]["detail"]) for c in inet_bind] == [
            ("__sys_bind", "indirect via struct proto_ops.bind")]

        shown = client.request("textDocument/hover", at(158, "SYSCALL_DEFINE6"))["contents"]["value"]
        assert "#define SYSCALL_DEFINE6" in shown and "Expands here to:" in shown and "__do_sys_sendto" in shown
        plain = client.request("textDocument/hover", at(141, "sockfd_lookup"))["contents"]["value"]
        assert "struct socket *sockfd_lookup(int fd, int *err)" in plain and "Expands" not in plain

        symbols = client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
        assert {"__sys_sendto", "__do_sys_sendto", "sock_sendmsg"} <= {s["name"] for s in symbols}
        assert [s["name"] for s in client.request("workspace/symbol", {"query": "inet_bin"})][0] == "inet_bind"
        assert client.stop(timeout=10) == 0


def test_language_server_survives_malformed_messages_and_refuses_a_giant_one(tree):
    root, bin_dir = tree
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}")
    env.pop("XREF_DB", None)
    with LspClient(["xref", "lsp"], root, env) as client:
        client.request("initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {}})
        for body in (b"{bad json", b"[1, 2", b'{"jsonrpc": "2.0", "id": 99, "method": "textDocument/hover"}',
                     "{\"jsonrpc\": \"2.0\", \"method\": \"\u2603\"}".encode()):
            client.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        client.proc.stdin.flush()
        # still answering
        symbols = client.request("workspace/symbol", {"query": "sock_sendmsg"})
        assert any(s["name"] == "sock_sendmsg" for s in symbols)
        client.proc.stdin.write(b"Content-Length: 99999999999\r\n\r\n{}")
        client.proc.stdin.close()
        assert client.proc.wait(timeout=30) == 0
        err = client.proc.stderr.read().decode()
        assert "Traceback" not in err and "MemoryError" not in err
        assert err.strip().splitlines()[-1].startswith("xref lsp: a message of 99,999,999,999 bytes")


def test_cscope_definitions_hold_the_initializers_of_a_member_of_that_name(tmp_path):
    # cscope -1 lists `.encap_rcv = encap_rcv,` (the member an initializer sets) as a definition.
    from xref.editors.cscope import Answerer
    from xref.queries import Index

    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "stub.c").write_text("""\
struct stub {
#ifdef CONFIG_XFRM
	int (*encap_rcv)(int skb);
#endif
};
int encap_rcv(int skb) { return skb; }
const struct stub ipv6_stub = {
	.encap_rcv = encap_rcv,
};
""")
    db = tmp_path / "db"
    run_xref("index", str(tree), "--db", str(db), "--no-semantic", check=True)
    lines = Answerer(Index.open(str(db)), tree).answer(1, "encap_rcv")
    assert sorted(int(line.split(" ")[2]) for line in lines) == [3, 6, 8]
