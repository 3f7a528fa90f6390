"""The HTML pages through Flask's test client: what each shows, and every route against path
traversal and script injection (the browser tests are in test_web_browser.py)."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from tests.conftest import BUNDLED, run_xref
from web.app import create_app

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The corpus indexed with a tree of hostile files: markup in code and comments, a symlink
    to a file outside the tree, a name made to look like a traversal."""
    base = tmp_path_factory.mktemp("hostile")
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.c").write_text("int secret_outside_function(void) { return 42; } /* root:x:0:0 */\n")
    tree = base / "evil"
    (tree / "sub").mkdir(parents=True)
    (tree / "markup.c").write_text(
        f"/* {SCRIPT} */\n#define EVIL_MACRO(x) \"{SCRIPT}\" #x\n"
        f"int evil_function(void) {{ return EVIL_MACRO(<img src=x onerror=alert(2)>)[0]; }}\n")
    (tree / "sub" / "link.c").symlink_to(outside / "secret.c")
    db = base / "db"
    run_xref("index", "--no-semantic", str(BUNDLED / "linux"), str(BUNDLED / "glibc"), str(tree), "--db", str(db),
             check=True)
    return create_app(db).test_client()


def test_source_text_and_names_are_escaped(hostile):
    page = hostile.get("/source/evil/markup.c")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert SCRIPT not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a class="nf id" href="/def/evil_function">evil_function</a>' in html
    listing = hostile.get("/search?q=" + quote(SCRIPT)).get_data(as_text=True)
    assert SCRIPT not in listing and "&lt;script&gt;" in listing


@pytest.mark.parametrize("url", [
    "/source/evil/sub/link.c",  # a symlink to a file outside the tree
    "/source/evil/../outside/secret.c",
    "/source/evil/%2e%2e/outside/secret.c",
    "/source/evil/%2E%2E%2Foutside%2Fsecret.c",
    "/source/evil/sub/%2e%2e/%2e%2e/outside/secret.c",
    "/source/evil//etc/passwd",
    "/source/evil/%2Fetc%2Fpasswd",
    "/source/evil/..%5C..%5Coutside%5Csecret.c",
    "/source/evil/./markup.c",
    "/source/evil/sub/../markup.c",
    "/source/..%2Fevil/markup.c",
    "/source/linux/net/socket.c%00.png",
    "/source/no_such_tree/",
])
def test_paths_outside_the_tree_are_not_found(hostile, url):
    response = hostile.get(url)
    assert response.status_code == 404, url
    assert "secret_outside_function" not in response.get_data(as_text=True)


BAD_VALUES = ["..", "../../etc/passwd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..%2F..%2Fetc%2Fpasswd", quote(SCRIPT),
              "%00", "a" * 400, "%C0%AE%C0%AE"]
BAD_QUERY = ("q={s}&kind={s}&line={s}&column=-1&offset=x&limit=99999999&to={s}&abi={s}&arch={s}&path=../../etc/passwd"
             "&refs=-5&callers=x&sym={s}&depth=0").format(s=quote(SCRIPT))


def test_every_route_answers_bad_input_with_400_or_404_and_never_runs_markup(hostile):
    app = hostile.application
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if not rule.arguments:
            urls += [rule.rule, f"{rule.rule}?{BAD_QUERY}"]
            continue
        for value in BAD_VALUES:
            url = rule.rule
            for argument in rule.arguments:
                url = re.sub(rf"<(?:\w+:)?{argument}>", value, url)
            urls += [url, f"{url}?{BAD_QUERY}"]
    assert len({u.split("?")[0] for u in urls}) > 40
    for url in urls:
        response = hostile.get(url)
        body = response.get_data(as_text=True)
        assert response.status_code in (200, 302, 308, 400, 404), (url, response.status_code, body[:300])
        assert SCRIPT not in body and "root:x:0:0" not in body, url
        if url.startswith("/api/") and response.status_code >= 400:
            assert "error" in response.get_json(), url


def test_the_identifier_page_groups_references_and_pages_them(hostile):
    html = hostile.get("/ident/sockfd_lookup").get_data(as_text=True)
    assert "linux/net/socket_lookup.c:18" in html and "linux/include/linux/net.h:43" in html
    assert re.search(r"<h3><a [^>]*>linux/net/socket\.c</a></h3>", html)
    callers = re.search(r'<section id="callers">(.*?)</section>', html, re.S).group(1)
    assert "__sys_sendto" in callers and "__sys_bind" in callers
    # inet_bind is called through struct proto_ops.bind: an indirect caller, marked.
    html = hostile.get("/ident/inet_bind").get_data(as_text=True)
    assert re.search(r'class="indirect".*?__sys_bind.*?indirect via struct proto_ops\.bind', html, re.S)
    # A macro's uses link to their expansion.
    html = hostile.get("/ident/SYSCALL_DEFINE6").get_data(as_text=True)
    assert re.search(r'href="/expand\?path=linux%2Fnet%2Fsocket\.c&amp;line=158&amp;column=1"', html)


def test_references_and_callers_come_in_pages(hostile, monkeypatch):
    import web.pages

    monkeypatch.setattr(web.pages, "REFS_PAGE", 3)
    monkeypatch.setattr(web.pages, "CALLS_PAGE", 1)
    api = hostile.get("/api/refs/sockfd_lookup?limit=5000").get_json()
    lines = [(r["tree"] + "/" + r["path"], r["line"]) for r in api["refs"]]
    assert api["total"] == len(lines) > 4
    html = hostile.get("/ident/sockfd_lookup?refs=3").get_data(as_text=True)
    assert f"lines 4–{min(6, len(lines))} of {len(lines)}" in html
    shown = re.findall(r'<td class="ln"><a href="/source/([^"#]+)#L(\d+)">', html)
    assert [(path, int(line)) for path, line in shown] == lines[3:6]
    assert 'href="/ident/sockfd_lookup?refs=0&amp;callers=0#references">previous' in html
    callers = re.search(r'<section id="callers">(.*?)</section>', html, re.S).group(1)
    assert callers.count('<a class="sym"') == 1 and "next 1 callers" in callers


def test_a_click_on_a_name_goes_to_its_one_definition_or_its_page(hostile):
    one = hostile.get("/def/sockfd_lookup")
    assert one.status_code == 302 and one.headers["Location"].endswith(
        "/source/linux/net/socket_lookup.c?sym=sockfd_lookup#L18")
    only_declared = hostile.get("/def/copy_to_user")  # a prototype only: its page lists it
    assert only_declared.headers["Location"].endswith("/ident/copy_to_user")


def test_includes_link_to_their_header_and_directories_list_the_index(hostile):
    html = hostile.get("/source/linux/net/socket.c").get_data(as_text=True)
    assert re.search(r'<a class="cpf inc" href="/source/linux/include/linux/net\.h">&lt;linux/net\.h&gt;</a>', html)
    listing = hostile.get("/source/linux/net/").get_data(as_text=True)
    assert 'href="/source/linux/net/socket.c"' in listing and 'href="/source/linux/net/ipv4/"' in listing


def test_syscalls_table_and_search_filters(hostile):
    html = hostile.get("/syscalls?abi=i386").get_data(as_text=True)
    assert re.search(r'<td class="nr">102</td><td>socketcall</td>', html)
    assert 'href="/path/socketcall?abi=i386"' in html
    html = hostile.get("/search?q=inet_b&kind=function").get_data(as_text=True)
    assert 'href="/ident/inet_bind"' in html and "inet_protosw" not in html
    assert hostile.get("/search?q=inet_bind").headers["Location"].endswith("/ident/inet_bind")
    assert hostile.get("/search?q=x&kind=nonsense").status_code == 400


def test_a_30000_line_header_renders_in_blocks(tmp_path):
    tree = tmp_path / "big"
    tree.mkdir()
    (tree / "huge.h").write_text("".join(f"#define HUGE_{n} (HUGE_{max(n - 1, 0)} + 1)\n" for n in range(30000)))
    run_xref("index", "--no-semantic", str(tree), "--db", str(tmp_path / "db"), check=True)
    client = create_app(tmp_path / "db").test_client()
    html = client.get("/source/big/huge.h").get_data(as_text=True)
    assert html.count('<div class="chunk">') == 16 and html.count('class="chunk pending"') == 104
    assert 'id="L4000"' in html and 'id="L4001"' not in html and '<a href="?all=1#L29751">lines 29751–30000</a>' in html
    version = re.search(r'data-version="(\w+)"', html)[1]
    tail = client.get(f"/source/big/huge.h?chunks=118-119&v={version}").get_data(as_text=True)
    assert tail.count('<div class="chunk">') == 2 and 'id="L29501"' in tail and 'id="L30000"' in tail
    assert '<a class="cp id" href="/def/HUGE_29998">HUGE_29998</a>' in tail
    whole = client.get("/source/big/huge.h?all=1").get_data(as_text=True)  # without JavaScript
    assert whole.count('<div class="chunk">') == 120 and "pending" not in whole
    assert client.get(f"/source/big/huge.h?chunks=119-120&v={version}").status_code == 400
    assert client.get("/source/big/huge.h?chunks=x").status_code == 400
    assert client.get("/source/big/huge.h?chunks=0-1&v=stale").status_code == 409


def test_suggestions_start_with_the_text_or_are_one_slip_away(hostile):
    names = [h["name"] for h in hostile.get("/api/complete?q=inet_b").get_json()]
    assert names[0] == "inet_bind" and all(n.lower().startswith("inet_b") for n in names)
    exact = [h["name"] for h in hostile.get("/api/complete?q=sock").get_json()]
    assert exact[0] == "sock" and exact[1:] == sorted(exact[1:], key=lambda n: (len(n), n))
    assert [h["name"] for h in hostile.get("/api/complete?q=inet_bnid").get_json()][0] == "inet_bind"
    assert hostile.get("/api/complete?q=zqxv").get_json() == []
    assert hostile.get("/api/complete").status_code == 400
