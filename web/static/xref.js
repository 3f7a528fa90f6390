// xref's pages: search suggestions as you type, and the macro expansion stepper.
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

document.addEventListener("DOMContentLoaded", () => { setupSuggestions(); setupStepper(); });
