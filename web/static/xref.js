// xref's pages: search suggestions as you type, a long file's blocks as the reader nears them,
// and the macro expansion stepper.
"use strict";

function setupSuggestions() {
  const input = document.getElementById("q");
  const list = document.getElementById("suggestions");
  if (!input || !list) return;
  let active = -1, timer = null, asked = "";

  function close() { list.hidden = true; list.replaceChildren(); active = -1; }
  function choose(name) { window.location.href = "/ident/" + encodeURIComponent(name); }
  function mark(k) {
    const items = list.querySelectorAll("li");
    items.forEach((li, i) => li.classList.toggle("active", i === k));
    active = k;
  }
  async function ask(text) {
    asked = text;
    const response = await fetch("/api/complete?q=" + encodeURIComponent(text));
    if (!response.ok || asked !== text) return;
    const found = await response.json();
    list.replaceChildren();
    for (const hit of found) {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.dataset.name = hit.name;
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = hit.name;
      const kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = hit.kind;
      li.append(name, kind);
      li.addEventListener("mousedown", (event) => { event.preventDefault(); choose(hit.name); });
      list.append(li);
    }
    list.hidden = found.length === 0;
    active = -1;
  }
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (text.length < 2) { close(); return; }
    timer = setTimeout(() => ask(text), 80);
  });
  input.addEventListener("keydown", (event) => {
    const items = list.querySelectorAll("li");
    if (event.key === "ArrowDown" && items.length) { event.preventDefault(); mark((active + 1) % items.length); }
    else if (event.key === "ArrowUp" && items.length) { event.preventDefault(); mark((active - 1 + items.length) % items.length); }
    else if (event.key === "Enter" && active >= 0) { event.preventDefault(); choose(items[active].dataset.name); }
    else if (event.key === "Escape") close();
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
}

function setupStepper() {
  const stepper = document.querySelector(".stepper");
  if (!stepper) return;
  const steps = Array.from(stepper.querySelectorAll(".step"));
  const position = document.getElementById("position");
  let current = 0;
  function show(k) {
    current = Math.max(0, Math.min(steps.length - 1, k));
    steps.forEach((step, i) => { step.hidden = i !== current; });
    position.textContent = "step " + (current + 1) + " of " + steps.length;
    document.getElementById("prev").disabled = current === 0;
    document.getElementById("next").disabled = current === steps.length - 1;
  }
  document.getElementById("prev").addEventListener("click", () => show(current - 1));
  document.getElementById("next").addEventListener("click", () => show(current + 1));
  document.addEventListener("keydown", (event) => {
    if (event.target.tagName === "INPUT") return;
    if (event.key === "ArrowRight" || event.key === "n") show(current + 1);
    if (event.key === "ArrowLeft" || event.key === "p") show(current - 1);
  });
  show(0);
}

// A long source file's page holds its first blocks of lines; the others are placeholders of the same
// height. The block a #L123 address names comes first, then those near the screen, then the rest
// while the browser is idle (so the browser's find sees the whole file soon after).
function setupSource() {
  const pre = document.querySelector("pre.src[data-version]");
  if (!pre || !pre.querySelector(".chunk.pending")) return;
  const perBlock = 250, batch = 8;
  const placeholder = (k) => pre.querySelector(`.chunk.pending[data-chunk="${k}"]`);

  async function fetchBlocks(first, last) {
    const url = location.pathname + "?chunks=" + first + "-" + last + "&v=" + encodeURIComponent(pre.dataset.version);
    const response = await fetch(url);
    if (response.status === 409) { location.reload(); return; }
    if (!response.ok) return;
    const template = document.createElement("template");
    template.innerHTML = await response.text();
    Array.from(template.content.children).forEach((block, i) => {
      const old = placeholder(first + i);
      if (old) { observer.unobserve(old); old.replaceWith(block); }
    });
  }
  function ensure(blocks) {  // the pending ones among these blocks, asked for in runs of consecutive blocks
    const wanted = blocks.filter((k) => { const p = placeholder(k); return p && !p.dataset.asked; }).sort((a, b) => a - b);
    const asks = [];
    for (let i = 0; i < wanted.length;) {
      let j = i;
      while (j + 1 < wanted.length && wanted[j + 1] === wanted[j] + 1 && j - i + 1 < batch) j++;
      for (let m = i; m <= j; m++) placeholder(wanted[m]).dataset.asked = "1";
      asks.push(fetchBlocks(wanted[i], wanted[j]));
      i = j + 1;
    }
    return Promise.all(asks);
  }
  async function showTarget() {
    const match = /^#L(\d+)$/.exec(location.hash);
    if (!match) return;
    const block = Math.floor((Number(match[1]) - 1) / perBlock);
    if (!placeholder(block)) return;
    await ensure([block - 1, block, block + 1]);
    const line = document.getElementById("L" + match[1]);
    if (!line) return;
    pre.querySelectorAll("span.target").forEach((s) => s.classList.remove("target"));
    line.classList.add("target");  // :target was settled before the line existed
    line.scrollIntoView({ block: "start" });
  }
  const observer = new IntersectionObserver((entries) => {
    const near = entries.filter((e) => e.isIntersecting).map((e) => Number(e.target.dataset.chunk));
    if (near.length) ensure(near.flatMap((k) => [k - 1, k, k + 1]));
  }, { rootMargin: "2000px 0px" });
  async function fillWhileIdle() {
    for (;;) {
      const next = Array.from(pre.querySelectorAll(".chunk.pending:not([data-asked])"), (p) => Number(p.dataset.chunk));
      if (!next.length) return;
      await new Promise((resolve) => (window.requestIdleCallback || setTimeout)(resolve));
      await ensure(next.slice(0, batch));
    }
  }
  window.addEventListener("hashchange", showTarget);
  showTarget().then(() => {
    pre.querySelectorAll(".chunk.pending").forEach((p) => observer.observe(p));
    fillWhileIdle();
  });
}

document.addEventListener("DOMContentLoaded", () => { setupSuggestions(); setupSource(); setupStepper(); });
