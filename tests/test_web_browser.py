"""The pages in a real headless Chromium (Debian's, driven by Playwright), on the bundled corpus
served by waitress as `xref serve` serves it. Each test saves a screenshot in tests/.screenshots/."""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import run_xref
from web.app import create_app

SHOTS = Path(__file__).parent / ".screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling Google's hosts, which this
# machine's closed network refuses.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def _serve(db: Path):
    import waitress

    served = waitress.create_server(create_app(db), host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=served.run, daemon=True).start()
    return served


@pytest.fixture(scope="module")
def server(semantic_db):
    served = _serve(semantic_db)
    yield f"http://127.0.0.1:{served.effective_port}"
    served.close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed (.ci/run installs it)")
        pytest.skip("Debian's chromium is not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15000)
    yield page
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{request.node.name}.png"))
    page.close()


def test_clicking_an_identifier_lands_on_its_definition(page, server):
    page.goto(f"{server}/source/linux/net/socket.c")
    line = page.locator("#L141")
    assert "sockfd_lookup(fd, &err)" in line.inner_text()
    line.get_by_role("link", name="sockfd_lookup").click()
    page.wait_for_url(re.compile(r"/source/linux/net/socket_lookup\.c\?sym=sockfd_lookup#L18$"))
    target = page.locator("#L18")
    assert "struct socket *sockfd_lookup(int fd, int *err)" in target.inner_text()
    assert page.evaluate("getComputedStyle(document.querySelector(':target')).backgroundColor") != "rgba(0, 0, 0, 0)"
    # The banner leads to the identifier's page: the prototype in net.h and the callers are there.
    page.get_by_role("link", name=re.compile("references, callers")).click()
    assert page.locator("h1").inner_text() == "sockfd_lookup"
    assert "linux/include/linux/net.h:43" in page.locator("#definitions").inner_text()
    assert "__sys_sendto" in page.locator("#callers").inner_text()


def test_typing_three_letters_offers_suggestions_to_pick(page, server):
    page.goto(f"{server}/")
    page.locator("#q").press_sequentially("ine", delay=60)
    suggestions = page.locator("#suggestions li")
    suggestions.first.wait_for()
    names = suggestions.evaluate_all("items => items.map(li => li.dataset.name)")
    assert "inet_bind" in names and all(name.lower().startswith("ine") for name in names[:3])
    assert page.locator("#suggestions li[data-name=inet_bind] .kind").inner_text() == "function"
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "suggestions.png"))
    page.locator("#suggestions li[data-name=inet_bind]").click()
    page.wait_for_url(re.compile(r"/ident/inet_bind$"))
    assert "linux/net/ipv4/af_inet.c" in page.locator("#definitions").inner_text()
    assert "struct proto_ops.bind" in page.locator("#registrations").inner_text()


def test_the_sendto_path_page_draws_the_driver_node(page, server):
    page.goto(f"{server}/path/sendto?to=loopback_xmit")
    node = page.locator("svg g#node-loopback_xmit")
    node.wait_for()
    assert node.is_visible()
    assert node.locator("text").text_content() == "loopback_xmit"
    href = node.locator("a").first.get_attribute("xlink:href") or node.locator("a").first.get_attribute("href")
    assert href.startswith("/source/linux/drivers/net/loopback.c#L")
    for symbol in ("__libc_sendto", "entry_SYSCALL_64", "do_syscall_64", "__x64_sys_sendto", "__sys_sendto"):
        assert page.locator(f"svg g#node-{symbol}").count() == 1, symbol
    # The same chain as a list, and the node's link leads to the driver's source line.
    assert "loopback_xmit" in page.locator("details.chain").first.inner_text()
    node.locator("a").first.click()
    page.wait_for_url(re.compile(r"/drivers/net/loopback\.c#L\d+$"))
    assert "loopback_xmit" in page.locator(":target").inner_text()


def test_stepping_through_the_syscall_define6_expansion(page, server):
    page.goto(f"{server}/ident/SYSCALL_DEFINE6")
    row = page.locator("table.refs tr", has_text="SYSCALL_DEFINE6(sendto")
    row.get_by_role("link", name="expand").click()
    page.wait_for_url(re.compile(r"/expand\?"))
    total = int(page.locator(".stepper").get_attribute("data-steps"))
    assert total >= 4
    seen = []
    for k in range(total):
        step = page.locator(".step:visible")
        assert step.count() == 1
        assert page.locator("#position").inner_text() == f"step {k + 1} of {total}"
        macro = step.locator("a.macro").inner_text()
        assert step.locator("mark.inv").inner_text().startswith(macro)
        seen.append(macro)
        if k == 1:
            page.screenshot(path=str(SHOTS / "expansion-step2.png"))
        if k < total - 1:
            page.locator("#next").click()
    assert page.locator("#next").is_disabled()
    assert seen[0] == "SYSCALL_DEFINE6" and "__SYSCALL_DEFINEx" in seen
    page.locator("#prev").click()
    assert page.locator("#position").inner_text() == f"step {total - 1} of {total}"
    assert "__do_sys_sendto" in page.locator("pre.final").inner_text()


def test_a_30000_line_header_opens_at_a_line_and_scrolls(page, tmp_path):
    tree = tmp_path / "big"
    tree.mkdir()
    (tree / "regs.h").write_text("".join(f"#define REG_{n}_MASK (REG_{max(n - 1, 0)}_MASK << 1) /* {n} */\n"
                                         for n in range(30000)))
    (tree / "small.h").write_text("#define SMALL 1\n")
    run_xref("index", "--no-semantic", str(tree), "--db", str(tmp_path / "db"), check=True)
    served = _serve(tmp_path / "db")
    try:
        # A first source page, so that what the timing below measures is the long file's, not the
        # server's first page (its imports: Pygments' lexer, the templates).
        page.goto(f"http://127.0.0.1:{served.effective_port}/source/big/small.h")
        started = time.monotonic()
        page.goto(f"http://127.0.0.1:{served.effective_port}/source/big/regs.h#L29990")
        line = page.locator("#L29990")
        line.wait_for(state="visible")
        loaded = time.monotonic() - started
        assert "REG_29989_MASK" in line.inner_text()
        assert loaded < 3, f"{loaded:.1f} s to show line 29990"
        # The page held the first blocks only; the line's block came at once, marked and on screen,
        # and the rest follow while the browser is idle, so its find sees the whole file.
        marked = page.evaluate("getComputedStyle(document.getElementById('L29990')).backgroundColor")
        assert marked != "rgba(0, 0, 0, 0)"
        assert page.evaluate("document.getElementById('L29990').getBoundingClientRect().top") < 900
        deadline = time.monotonic() + 30  # (the page's policy forbids wait_for_function's eval)
        while page.evaluate("document.querySelectorAll('.chunk.pending').length") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert page.locator("pre.src > .chunk").count() == 120
        started = time.monotonic()
        for y in range(0, 30000 * 18, 30000 * 18 // 20):
            page.evaluate(f"window.scrollTo(0, {y})")
            page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        assert time.monotonic() - started < 5  # 20 jumps through the file, each drawn
        page.locator("#L15000 a.id").first.click()  # REG_14999_MASK, the name that line defines
        page.wait_for_url(re.compile(r"regs\.h\?sym=REG_14999_MASK#L15000$"))
    finally:
        served.close()
