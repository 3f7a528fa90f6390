"""The web app's JSON API on the bundled corpus (Flask's test client; the browser tests come with
the pages)."""

from __future__ import annotations

import pytest

from web.app import create_app


@pytest.fixture(scope="module")
def client(semantic_db):
    return create_app(semantic_db).test_client()


def test_the_cli_s_questions_answered_as_json(client):
    [hit] = [h for h in client.get("/api/def/inet_bind").get_json() if h["kind"] == "function"]
    assert (hit["path"], hit["tree"]) == ("net/ipv4/af_inet.c", "linux")
    assert ("proto_ops", "bind") in {(h.get("struct"), h.get("field"))
                                     for h in client.get("/api/callees/__sys_bind").get_json()}
    assert "__sys_bind" in {h["caller"] for h in client.get("/api/callers/inet_bind").get_json()}
    assert ("proto_ops", "bind") in {(h["struct"], h["field"]) for h in client.get("/api/regs/inet_bind").get_json()}
    refs = client.get("/api/refs/inet_bind?limit=1").get_json()
    assert refs["total"] > 1 and len(refs["refs"]) == 1
    assert client.get("/api/search?q=inet_bi").get_json()[0]["name"] == "inet_bind"


def test_syscall_path_and_expansion(client):
    call = client.get("/api/syscall/sendto").get_json()
    assert (call["row"]["number"], call["handler"]["symbol"]) == (44, "__x64_sys_sendto")
    assert "socketcall" in {c["row"]["name"] for c in client.get("/api/syscall/list?abi=i386").get_json()}
    chains = client.get("/api/path/sendto?to=loopback_xmit").get_json()["chains"]
    assert chains[0][0]["symbol"] == "__libc_sendto" and chains[0][-1]["symbol"] == "loopback_xmit"
    steps = client.get("/api/expand?path=linux/net/socket.c&line=158").get_json()["steps"]
    assert [s["macro"] for s in steps if s["depth"] == 0][0] == "SYSCALL_DEFINE6"


@pytest.mark.parametrize("url,status,message", [
    ("/api/def/no_such_symbol", 404, "no definition of 'no_such_symbol'"),
    ("/api/def/..%2F..%2Fetc%2Fpasswd", 404, "not found"),  # no route has a slash in a name
    ("/api/callers/%3Cscript%3E", 400, "not an identifier"),
    ("/api/refs/inet_bind?limit=lots", 400, "limit must be a whole number"),
    ("/api/refs/inet_bind?offset=-1", 400, "offset must be between"),
    ("/api/search", 400, "give the text to search for"),
    ("/api/syscall/no_such_call", 404, "no system call 'no_such_call'"),
    ("/api/syscall/read?abi=mips", 404, "x86_64 has no ABI 'mips'"),
    ("/api/path/sendto?to=no_such_function", 404, "no chain of at most 40 calls"),
    ("/api/path/sendto?depth=1000", 400, "depth must be between 1 and 100"),
    ("/api/expand?path=../../etc/passwd&line=1", 400, "is not in the index"),
    ("/api/expand?path=linux/net/socket.c", 400, "give ?line=N"),
    ("/api/nothing/here", 404, "not found"),
])
def test_bad_requests_get_a_json_error_and_the_right_status(client, url, status, message):
    response = client.get(url)
    assert response.status_code == status
    assert message.lower() in response.get_json()["error"].lower()


def test_xref_serve_without_an_index_serves_the_bundled_corpus(tmp_path):
    """The real server (waitress), started as a user would; with no index it indexes the corpus."""
    import json
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    from tests.conftest import REPO

    env = {**os.environ, "XREF_CACHE": str(tmp_path / "cache"), "PYTHONPATH": str(REPO)}  # this checkout's code
    env.pop("XREF_DB", None)
    server = subprocess.Popen([sys.executable, "-m", "xref.cli", "serve", "--port", str(port)], cwd=tmp_path,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/def/inet_bind", timeout=5) as answer:
                    hits = json.load(answer)
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, server.stderr.read().decode()
                time.sleep(0.3)
        assert "net/ipv4/af_inet.c" in {h["path"] for h in hits}
        assert (tmp_path / "cache" / "corpus-index").is_dir()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/source/linux/net/socket.c", timeout=10) as page:
            assert "text/html" in page.headers["Content-Type"] and "app;dur=" in page.headers["Server-Timing"]
        # A second server on the same port: one line saying why, exit 2.
        second = subprocess.run([sys.executable, "-m", "xref.cli", "serve", "--port", str(port)], cwd=tmp_path,
                                env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 2
        assert second.stderr.strip() == f"xref: cannot listen on 127.0.0.1:{port}: Address already in use"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_path_through_a_function_and_a_bad_one(client):
    answer = client.get("/api/path/sendto?to=loopback_xmit&through=inet_sendmsg").get_json()
    assert answer["chains"] and all("inet_sendmsg" in [h["symbol"] for h in c] for c in answer["chains"])
    assert all(h["layer"] in ("ts", "clang", "macro", "model") for c in answer["chains"] for h in c)
    bad = client.get("/api/path/sendto?through=a-b")
    assert bad.status_code == 400 and bad.get_json() == {"error": "not an identifier: 'a-b'"}
