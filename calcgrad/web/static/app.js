// calcgrad serve: the reading of an expression as it is typed, and the copy buttons.
// Plain JavaScript served by calcgrad itself; every text from the server is set with
// textContent (never innerHTML) except the MathML, which calcgrad's printer produced.
"use strict";

function showReading(box, answer) {
  box.replaceChildren();
  box.classList.remove("bad");
  if (!answer) return;
  if (answer.readable === false || answer.error) {
    box.classList.add("bad");
    const message = document.createElement("p");
    message.textContent = answer.error;
    box.append(message);
    if (answer.caret) {
      const caret = document.createElement("pre");
      caret.className = "caret";
      caret.textContent = answer.caret;
      box.append(caret);
    }
    if (answer.hint) {
      const hint = document.createElement("p");
      hint.className = "hint";
      hint.textContent = "Hint: " + answer.hint;
      box.append(hint);
    }
    return;
  }
  const line = document.createElement("p");
  line.append("Interpreted as ");
  const text = document.createElement("span");
  text.className = "reading-text";
  text.textContent = answer.interpreted_as;
  line.append(text, " ");
  const math = new DOMParser().parseFromString(answer.mathml, "text/html").body.firstElementChild;
  if (math && math.tagName.toLowerCase() === "math") line.append(math);
  box.append(line);
  for (const warning of answer.warnings || []) {
    const item = document.createElement("p");
    item.className = "warning";
    item.textContent = "Note: " + warning;
    box.append(item);
  }
}

function watchReading(input) {
  const box = document.getElementById(input.dataset.reading);
  const names = document.getElementById("var");
  let timer = null;
  let latest = 0;
  async function update() {
    const text = input.value;
    const ticket = ++latest;
    if (!text.trim()) { showReading(box, null); return; }
    try {
      const response = await fetch("/api/read", {
        method: "POST",
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify({expression: text, var: names ? names.value : ""}),
      });
      const answer = await response.json();
      if (ticket === latest) showReading(box, answer);
    } catch (error) {
      if (ticket === latest) showReading(box, {error: "the server did not answer"});
    }
  }
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(update, 200); });
  if (input.value.trim()) update();
}

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try { await navigator.clipboard.writeText(text); return true; } catch (error) { /* fall back */ }
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.append(area);
  area.select();
  const done = document.execCommand("copy");
  area.remove();
  return done;
}

function watchCopy(button) {
  button.addEventListener("click", async () => {
    const source = document.getElementById(button.dataset.copy);
    const status = button.parentElement.querySelector(".copied");
    const done = await copyText(source.value);
    if (status) status.textContent = done ? button.textContent.replace("Copy ", "") + " copied" : "Select the text below and copy it";
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-reading]").forEach(watchReading);
  document.querySelectorAll("[data-copy]").forEach(watchCopy);
});
