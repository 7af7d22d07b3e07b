// lipyantar's page: typing romanized Hindi into Devanagari, converting, aligning. No libraries, no
// network beyond this server's /api/v1.
"use strict";

const API = "/api/v1";
const $ = (sel) => document.querySelector(sel);

async function api(path, options) {
  const response = await fetch(API + path, options);
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = await response.json();
      if (body && body.message) message = body.message;
    } catch (_) { /* not JSON */ }
    throw new Error(message);
  }
  return response;
}

function postJSON(path, body) {
  return api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

function setStatus(el, text, isError = false) {
  el.textContent = text;
  el.classList.toggle("error", isError);
}

async function copyText(text, statusEl) {
  try {
    await navigator.clipboard.writeText(text);
    setStatus(statusEl, "Copied.");
  } catch (_) {
    setStatus(statusEl, "Copying is not allowed here: select the text and press Ctrl+C.", true);
  }
}

// ------------------------------------------------------------------------------------------- tabs

function setupTabs() {
  const tabs = Array.from(document.querySelectorAll('[role="tab"]'));
  function select(tab, focus) {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
    }
    if (focus) tab.focus();
    history.replaceState(null, "", "#" + tab.id.replace("tab-", ""));
  }
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => select(tab, false));
    tab.addEventListener("keydown", (ev) => {
      let next = null;
      if (ev.key === "ArrowRight") next = tabs[(i + 1) % tabs.length];
      else if (ev.key === "ArrowLeft") next = tabs[(i - 1 + tabs.length) % tabs.length];
      else if (ev.key === "Home") next = tabs[0];
      else if (ev.key === "End") next = tabs[tabs.length - 1];
      if (next) { ev.preventDefault(); select(next, true); }
    });
  });
  const wanted = document.getElementById("tab-" + location.hash.slice(1));
  if (wanted) select(wanted, false);
}

// ------------------------------------------------------------------------------------------- typing

const LATIN_TAIL = /[A-Za-z]+$/;
const LATIN_HEAD = /^[A-Za-z]/;
const DEVA_BEFORE = /[\u0900-\u097F]$/;
const PICK_KEYS = "123456789";
const COMMIT_PUNCT = ".,?!;:)";

class Typer {
  constructor(textarea, list, statusEl) {
    this.ta = textarea;
    this.list = list;
    this.status = statusEl;
    this.cache = new Map();      // word -> Promise of candidates
    this.shown = null;           // {word, start, cands, sel}
    this.kept = null;            // {word, start}: Esc'ed, stays Latin
    this.pending = [];           // commits waiting for their candidates: {start, word, index}
    this.topK = 5;
    this.english = false;        // keep English words in Latin: they come first as written
    textarea.addEventListener("input", (ev) => {
      // phone keyboards send no usable keydown: a space they inserted ends the word before it
      if (ev.inputType === "insertText" && ev.data === " ") this.afterSpace();
      this.refresh();
    });
    textarea.addEventListener("keydown", (ev) => this.onKey(ev));
    textarea.addEventListener("click", () => this.refresh());
    textarea.addEventListener("blur", () => this.hide());
    textarea.addEventListener("focus", () => this.refresh());
    list.addEventListener("mousedown", (ev) => {
      const li = ev.target.closest("li[data-index]");
      if (!li) return;
      ev.preventDefault();   // keep the focus in the text area
      const cur = this.current();
      if (cur && this.shown && this.shown.word === cur.word) this.commitNow(cur, Number(li.dataset.index), "");
    });
  }

  candidates(word) {
    const key = (this.english ? "en:" : "") + word.toLowerCase();
    let promise = this.cache.get(key);
    if (!promise) {
      const query = new URLSearchParams({ word: word.toLowerCase(), top_k: String(this.topK) });
      if (this.english) query.set("english", "keep");
      promise = api("/candidates?" + query).then((r) => r.json()).then((body) => body.candidates);
      promise.catch((err) => { this.cache.delete(key); setStatus(this.status, err.message, true); });
      this.cache.set(key, promise);
    }
    return promise;
  }

  /** The Latin word that ends at the caret, or null. */
  current() {
    const ta = this.ta;
    const pos = ta.selectionStart;
    if (pos !== ta.selectionEnd) return null;
    const m = ta.value.slice(0, pos).match(LATIN_TAIL);
    if (!m || LATIN_HEAD.test(ta.value.slice(pos))) return null;
    const cur = { word: m[0], start: pos - m[0].length, end: pos };
    if (this.kept && this.kept.start === cur.start && cur.word.startsWith(this.kept.word)) return null;
    return cur;
  }

  refresh() {
    const cur = this.current();
    if (!cur) { this.hide(); return; }
    if (!this.shown || this.shown.word !== cur.word || this.shown.start !== cur.start) {
      this.shown = { word: cur.word, start: cur.start, cands: null, sel: 0 };
      this.render();
    }
    const shown = this.shown;
    this.candidates(cur.word).then((cands) => {
      if (this.shown !== shown || shown.cands) return;
      shown.cands = cands;
      this.render();
    }, () => {});
  }

  hide() {
    this.shown = null;
    this.list.hidden = true;
    this.ta.removeAttribute("aria-activedescendant");
  }

  render() {
    const shown = this.shown;
    const list = this.list;
    list.replaceChildren();
    if (!shown) { this.hide(); return; }
    if (!shown.cands) {
      const li = document.createElement("li");
      li.className = "latin";
      li.textContent = shown.word + " …";
      list.append(li);
    } else {
      shown.cands.forEach((cand, i) => {
        const li = document.createElement("li");
        li.id = "cand-" + i;
        li.dataset.index = String(i);
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", String(i === shown.sel));
        li.setAttribute("lang", "hi");
        const n = document.createElement("span");
        n.className = "n";
        n.textContent = String(i + 1);
        const text = document.createElement("span");
        text.className = "t";
        text.textContent = cand.text;
        li.append(n, text);
        if (typeof cand.prob === "number") {
          const p = document.createElement("span");
          p.className = "p";
          p.textContent = cand.prob < 0.005 ? "<1%" : Math.round(cand.prob * 100) + "%";
          p.title = "calibrated probability";
          li.append(p);
        }
        li.title = `score ${cand.score.toFixed(2)}`;
        list.append(li);
      });
      const latin = document.createElement("li");
      latin.className = "latin";
      latin.textContent = `Esc: keep “${shown.word}”`;
      list.append(latin);
      this.ta.setAttribute("aria-activedescendant", "cand-" + shown.sel);
    }
    list.hidden = false;
    this.place();
  }

  /** Put the list under the caret (inside the editor, within the window). */
  place() {
    const ta = this.ta;
    const at = caretPosition(ta, this.shown.start);
    const editor = ta.parentElement;
    const lineHeight = parseFloat(getComputedStyle(ta).lineHeight) || 24;
    let left = ta.offsetLeft + at.left - ta.scrollLeft;
    const top = ta.offsetTop + at.top - ta.scrollTop + lineHeight + 2;
    const maxLeft = editor.clientWidth - this.list.offsetWidth;
    left = Math.max(0, Math.min(left, maxLeft));
    this.list.style.left = left + "px";
    this.list.style.top = Math.min(top, ta.offsetTop + ta.offsetHeight) + "px";
  }

  onKey(ev) {
    if (ev.isComposing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const cur = this.current();
    if (!cur) {
      if (ev.key === "." && DEVA_BEFORE.test(this.ta.value.slice(0, this.ta.selectionStart)) &&
          this.ta.selectionStart === this.ta.selectionEnd) {
        ev.preventDefault();
        this.insert("।");
      }
      return;
    }
    const shown = this.shown && this.shown.word === cur.word ? this.shown : null;
    const ready = shown && shown.cands && shown.cands.length > 0;
    const key = ev.key;
    if (key === "ArrowDown" || key === "ArrowUp") {
      if (!ready) return;
      ev.preventDefault();
      const n = shown.cands.length;
      shown.sel = (shown.sel + (key === "ArrowDown" ? 1 : n - 1)) % n;
      this.render();
    } else if (PICK_KEYS.includes(key) && key.length === 1) {
      const index = Number(key) - 1;
      if (!ready || index >= shown.cands.length) return;
      ev.preventDefault();
      this.commitNow(cur, index, "");
    } else if (key === " " || key === "Enter") {
      ev.preventDefault();
      this.commit(cur, shown ? shown.sel : 0, key === " " ? " " : "");
    } else if (COMMIT_PUNCT.includes(key)) {
      ev.preventDefault();
      this.commit(cur, 0, key === "." ? "।" : key);
    } else if (key === "Escape") {
      ev.preventDefault();
      this.kept = { word: cur.word, start: cur.start };
      this.hide();
    }
  }

  /** A space was typed without our keydown seeing it: convert the Latin word before it. */
  afterSpace() {
    const ta = this.ta;
    const pos = ta.selectionStart;
    if (pos !== ta.selectionEnd || pos < 2) return;
    const m = ta.value.slice(0, pos - 1).match(LATIN_TAIL);
    if (!m) return;
    const start = pos - 1 - m[0].length;
    if (this.kept && this.kept.start === start) return;   // Esc'ed: stays Latin
    const job = { start, word: m[0], index: 0 };
    this.pending.push(job);
    this.candidates(m[0]).then((cands) => this.finish(job, cands), () => this.drop(job));
  }

  insert(text) {
    const ta = this.ta;
    ta.setRangeText(text, ta.selectionStart, ta.selectionEnd, "end");
    this.refresh();
  }

  /** Replace the word with candidate ``index`` now if it is known, else when it arrives. */
  commit(cur, index, suffix) {
    const shown = this.shown;
    if (shown && shown.word === cur.word && shown.cands) {
      this.commitNow(cur, index, suffix);
      return;
    }
    const job = { start: cur.start, word: cur.word, index };
    this.pending.push(job);
    this.hide();
    if (suffix) this.insert(suffix);
    this.candidates(cur.word).then((cands) => this.finish(job, cands), () => this.drop(job));
  }

  commitNow(cur, index, suffix) {
    const cand = this.shown.cands[index];
    this.hide();
    this.replace(cur.start, cur.word, cand ? cand.text : cur.word);
    if (suffix) this.insert(suffix);
    else this.refresh();
  }

  finish(job, cands) {
    this.drop(job);
    const cand = cands[Math.min(job.index, cands.length - 1)];
    if (cand) this.replace(job.start, job.word, cand.text);
    this.refresh();
  }

  drop(job) {
    this.pending = this.pending.filter((j) => j !== job);
  }

  /** Replace ``word`` at ``start`` (if it is still there), keeping the caret and later jobs in place. */
  replace(start, word, text) {
    const ta = this.ta;
    const value = ta.value;
    if (value.slice(start, start + word.length) !== word || LATIN_HEAD.test(value.slice(start + word.length)) ||
        (start > 0 && /[A-Za-z]/.test(value[start - 1]))) {
      return;   // edited meanwhile: leave it as typed
    }
    const delta = text.length - word.length;
    const end = start + word.length;
    const move = (p) => (p >= end ? p + delta : p > start ? start + text.length : p);
    const [selStart, selEnd] = [move(ta.selectionStart), move(ta.selectionEnd)];
    ta.setRangeText(text, start, end);
    ta.setSelectionRange(selStart, selEnd);
    for (const job of this.pending) if (job.start > start) job.start += delta;
    if (this.kept && this.kept.start > start) this.kept.start += delta;
    this.ta.dispatchEvent(new Event("lipyantar:converted"));
  }
}

/** Pixel offset of character ``pos`` inside a textarea (a mirror element with the same layout). */
function caretPosition(ta, pos) {
  const style = getComputedStyle(ta);
  const mirror = document.createElement("div");
  for (const prop of ["boxSizing", "width", "fontFamily", "fontSize", "fontWeight", "lineHeight", "letterSpacing",
    "paddingTop", "paddingRight", "paddingBottom", "paddingLeft", "borderTopWidth", "borderRightWidth",
    "borderBottomWidth", "borderLeftWidth", "textIndent", "wordSpacing", "tabSize"]) {
    mirror.style[prop] = style[prop];
  }
  Object.assign(mirror.style, {
    position: "absolute", visibility: "hidden", whiteSpace: "pre-wrap", overflowWrap: "break-word",
    top: "0", left: "-9999px", borderStyle: "solid",
  });
  mirror.textContent = ta.value.slice(0, pos);
  const marker = document.createElement("span");
  marker.textContent = ta.value.slice(pos) || ".";
  mirror.append(marker);
  document.body.append(mirror);
  const result = { top: marker.offsetTop, left: marker.offsetLeft };
  mirror.remove();
  return result;
}

function setupTyping() {
  const ta = $("#type-input");
  const status = $("#type-status");
  const typer = new Typer(ta, $("#cands"), status);
  window.lipyantarTyper = typer;   // for the browser tests: pending work
  $("#type-copy").addEventListener("click", () => copyText(ta.value, status));
  $("#type-clear").addEventListener("click", () => { ta.value = ""; typer.hide(); ta.focus(); });
  const english = $("#type-english");
  typer.english = english.checked;
  english.addEventListener("change", () => {
    typer.english = english.checked;
    typer.shown = null;   // the candidates shown were asked for with the other setting
    if (document.activeElement === ta) typer.refresh();
  });
}

// ------------------------------------------------------------------------------------------- converting

function setupConvert(schemes) {
  const from = $("#conv-from");
  const to = $("#conv-to");
  const input = $("#conv-input");
  const output = $("#conv-output");
  const status = $("#conv-status");
  const about = $("#conv-about");
  const english = $("#conv-english");
  const englishLabel = $("#conv-english-label");
  // keeping English words applies to informal roman → Devanagari (and auto, which may detect it)
  const englishApplies = () => (from.value === "roman" || from.value === "auto") && to.value === "deva";
  const byName = new Map(schemes.map((s) => [s.name, s]));
  from.append(new Option("auto (detect)", "auto"));
  for (const s of schemes) {
    if (s.source) from.append(new Option(s.name, s.name));
    to.append(new Option(s.name, s.name));
  }
  from.value = "deva";
  to.value = "roman";
  let seq = 0;
  let timer = null;

  function describe() {
    const a = byName.get(from.value) || { name: "auto", description: "the scheme is detected from the text", script: "deva" };
    const b = byName.get(to.value);
    about.textContent = `${a.name}: ${a.description} → ${b.name}: ${b.description}`;
    input.lang = a.script === "deva" ? "hi" : "hi-Latn";
    output.lang = b.script === "deva" ? "hi" : "hi-Latn";
    englishLabel.hidden = !englishApplies();
  }

  async function run() {
    const mine = ++seq;
    const text = input.value;
    if (!text.trim()) { output.value = ""; setStatus(status, ""); return; }
    setStatus(status, "Converting…");
    try {
      const request = { text, from: from.value, to: to.value };
      if (englishApplies() && english.checked) request.english = "keep";
      const response = await postJSON("/convert", request);
      const body = await response.json();
      if (mine !== seq) return;
      const lines = body.records.map((r) => (r.candidates[0] ? r.candidates[0].text : ""));
      output.value = lines.join("\n") + (text.endsWith("\n") ? "\n" : "");
      output.dataset.done = String(mine);
      const detected = body.detected ? ` (detected: ${body.detected.scheme}, ${body.detected.reason})` : "";
      setStatus(status, `${body.records.length} line${body.records.length === 1 ? "" : "s"} converted${detected}.`);
    } catch (err) {
      if (mine === seq) setStatus(status, err.message, true);
    }
  }
  function later() { clearTimeout(timer); timer = setTimeout(run, 200); }
  input.addEventListener("input", later);
  from.addEventListener("change", () => { describe(); run(); });
  to.addEventListener("change", () => { describe(); run(); });
  english.addEventListener("change", run);
  $("#conv-swap").addEventListener("click", () => {
    const target = byName.get(to.value);
    if (from.value === "auto") from.value = "deva";
    if (!target.source) { setStatus(status, `${target.name} cannot be converted from (it is one-way).`, true); return; }
    const a = from.value;
    from.value = to.value;
    to.value = a;
    input.value = output.value;
    describe();
    run();
  });
  $("#conv-copy").addEventListener("click", () => copyText(output.value, status));
  describe();
}

// ------------------------------------------------------------------------------------------- aligning

function setupAlign() {
  const deva = $("#align-deva");
  const roman = $("#align-roman");
  const status = $("#align-status");
  const table = $("#beads");
  const tbody = table.querySelector("tbody");
  const threshold = $("#align-threshold");
  let last = null;   // the request of the shown result (downloads re-send it)

  function request(format) {
    return {
      deva: deva.value, roman: roman.value, presplit: $("#align-presplit").checked,
      words: $("#align-words").checked, format,
    };
  }

  function show(body) {
    tbody.replaceChildren();
    const limit = Number(threshold.value);
    let low = 0;
    body.beads.forEach((bead, i) => {
      const tr = document.createElement("tr");
      const isLow = bead.score < limit;
      if (isLow) { tr.className = "low"; low += 1; }
      const cells = [
        ["num", String(i + 1)],
        ["deva", bead.deva_text],
        ["roman", bead.roman_text],
        ["score", (isLow ? "⚠ " : "") + bead.score.toFixed(3)],
      ];
      for (const [cls, text] of cells) {
        const td = document.createElement("td");
        td.className = cls;
        td.textContent = text;
        if (cls === "deva") td.lang = "hi";
        if (cls === "roman") td.lang = "hi-Latn";
        tr.append(td);
      }
      if (bead.words) {
        const div = document.createElement("div");
        div.className = "words";
        div.textContent = bead.words.map(([d, r]) => `${d}–${r}`).join(" · ");
        tr.children[2].append(div);
      }
      tbody.append(tr);
    });
    $("#beads-caption").textContent =
      `${body.beads.length} beads · document score ${body.score.toFixed(3)}` +
      (body.twins ? "" : " (these texts do not look like twins)") + ` · ${low} below ${limit}`;
    table.hidden = body.beads.length === 0;
    table.dataset.beads = String(body.beads.length);
  }

  async function run() {
    if (!deva.value.trim() || !roman.value.trim()) {
      setStatus(status, "Paste both texts first.", true);
      return;
    }
    setStatus(status, "Aligning…");
    $("#align-run").disabled = true;
    try {
      const req = request("json");
      const body = await (await postJSON("/align", req)).json();
      last = { req, body };
      show(body);
      $("#align-tsv").disabled = $("#align-jsonl").disabled = body.beads.length === 0;
      setStatus(status, body.beads.length ? "Done." : "No sentences to align.");
    } catch (err) {
      setStatus(status, err.message, true);
    } finally {
      $("#align-run").disabled = false;
    }
  }

  async function download(format) {
    if (!last) return;
    try {
      const response = await postJSON("/align", { ...last.req, format });
      const url = URL.createObjectURL(await response.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = `aligned.${format}`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      setStatus(status, `Saved aligned.${format}.`);
    } catch (err) {
      setStatus(status, err.message, true);
    }
  }

  $("#align-run").addEventListener("click", run);
  for (const el of [deva, roman]) {
    el.addEventListener("keydown", (ev) => { if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) run(); });
  }
  threshold.addEventListener("change", () => { if (last) show(last.body); });
  $("#align-tsv").addEventListener("click", () => download("tsv"));
  $("#align-jsonl").addEventListener("click", () => download("jsonl"));
}

// ------------------------------------------------------------------------------------------- start

async function start() {
  setupTabs();
  setupTyping();
  setupAlign();
  try {
    const schemes = (await (await api("/schemes")).json()).schemes;
    setupConvert(schemes);
    const health = await (await api("/health")).json();
    $("#health").textContent = `lipyantar ${health.version} · model ${health.model.name} (${health.model.sha256.slice(0, 12)})`;
  } catch (err) {
    $("#health").textContent = "The server does not answer: " + err.message;
  }
  document.body.dataset.ready = "true";
}

document.addEventListener("DOMContentLoaded", start);
