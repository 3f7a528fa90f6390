"""Bad input to every route: an answer or a 4xx with its reason, never a 5xx, within a bounded time;
and the headers that keep the pages out of other sites' frames."""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest

from web.app import create_app

# Route templates; NAME, TREE, PATH take the bad values (and a good one, so the parameters are
# reached too).
ROUTES = ["/api/def/NAME", "/api/refs/NAME", "/api/callers/NAME", "/api/callees/NAME", "/api/regs/NAME",
          "/api/search?q=NAME", "/api/syscall/NAME", "/api/path/NAME", "/api/expand?path=PATH&line=10",
          "/api/complete?q=NAME", "/def/NAME", "/ident/NAME", "/search?q=NAME", "/path/NAME", "/expand?text=NAME",
          "/source/TREE/", "/source/linux/PATH", "/syscalls?abi=NAME", "/"]
GOOD = {"NAME": "sendto", "TREE": "linux", "PATH": "net/socket.c"}
PARAMETERS = ["line", "column", "limit", "offset", "depth", "to", "through", "abi", "arch", "kind", "chunks", "v",
              "all", "sym", "path", "text", "q", "refs", "callers", "web"]
BAD = ["", "_", "a", "-1", "0", "500", "99999999999", "9" * 5000, "x" * 20_000, "%00", "%ff%fe", "..",
       "../../etc/passwd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "<script>alert(1)</script>", "'\"`", "(a+)+$",
       "1-99999", "5-2", "0-0",
       "%E2%98%83", "a%0d%0aSet-Cookie:x=1", "sendto", "net/socket.c", "linux/net/socket.c", "__sys_sendto"]
MAX_SECONDS = 15


def _requests():
    for route in ROUTES:
        for value in BAD:
            for slot in ("NAME", "TREE", "PATH"):
                if slot in route:
                    url = route
                    for other, good in GOOD.items():
                        url = url.replace(other, value if other == slot else good)
                    yield url
    for parameter in PARAMETERS:
        for route in ("/api/refs/sendto", "/api/path/sendto", "/api/expand?path=linux/net/socket.c&line=20",
                      "/expand?path=linux/net/socket.c&line=20", "/source/linux/net/socket.c", "/search?q=send",
                      "/path/sendto", "/api/search?q=send"):
            for value in BAD:
                yield f"{route}{'&' if '?' in route else '?'}{parameter}={value}"


REQUESTS = list(_requests())


@pytest.fixture(scope="module")
def client(corpus_db):
    return create_app(corpus_db).test_client()


def test_there_are_over_1500_requests():
    assert len(REQUESTS) >= 1500


@pytest.mark.parametrize("chunk", range(6))
def test_no_request_gets_a_5xx_or_takes_long(client, chunk):
    failures = []
    for url in REQUESTS[chunk::6]:
        started = time.monotonic()
        response = client.get(url)
        took = time.monotonic() - started
        if response.status_code >= 500:
            failures.append(f"{url[:100]}: {response.status_code}")
        elif took > MAX_SECONDS:
            failures.append(f"{url[:100]}: {took:.0f} s")
        elif response.status_code >= 400 and url.startswith("/api/") and not (response.get_json() or {}).get("error"):
            failures.append(f"{url[:100]}: {response.status_code} without a reason")
    assert not failures, "\n".join(failures[:30])


def test_pages_cannot_be_framed_and_send_no_referrer_elsewhere(client):
    response = client.get("/source/linux/" + quote("net/socket.c"))
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
