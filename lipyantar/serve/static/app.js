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

/** Save ``blob`` as the file ``name`` (the browser's download). */
function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// ------------------------------------------------------------------------------------------- the link

/** The state worth sharing lives in the URL fragment: ``#convert?from=deva&to=iast&text=…``. Texts
 * longer than this many characters are left out of it (a link stays a link). */
const LINK_TEXT_LIMIT = 2000;

const link = {
  read() {
    const raw = location.hash.slice(1);
    const q = raw.indexOf("?");
    const tab = q < 0 ? raw : raw.slice(0, q);
    return { tab, params: new URLSearchParams(q < 0 ? "" : raw.slice(q + 1)) };
  },
  sources: {},   // tab -> () => URLSearchParams of its state
  timer: null,
  tab: "type",
  write() {
    const source = this.sources[this.tab];
    const params = source ? source() : new URLSearchParams();
    const query = params.toString();
    history.replaceState(null, "", "#" + this.tab + (query ? "?" + query : ""));
  },
  later() { clearTimeout(this.timer); this.timer = setTimeout(() => this.write(), 250); },
};

/** Add ``text`` to ``params`` when it is short enough for a link; says whether it was. */
function linkText(params, text) {
  if (!text) return true;
  if (text.length > LINK_TEXT_LIMIT) return false;
  params.set("text", text);
  return true;
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
    link.tab = tab.id.replace("tab-", "");
    link.write();
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
  const wanted = document.getElementById("tab-" + link.read().tab);
  return () => select(wanted || tabs[0], false);   // once every tab has read its state from the link
}

// ------------------------------------------------------------------------------------------- the personal dictionary

const DICT_KEY = "lipyantar.dictionary.v1";
const LEXICON_HEADER =
  "# lipyantar personal dictionary: native<TAB>roman<TAB>count (lipyantar convert --lexicon, lipyantar learn)";

/** The user's own spellings: (Devanagari, roman) pairs with how often each was picked, kept in
 * localStorage. The roman side is matched in lower case. */
class Dictionary {
  constructor(storage) {
    this.storage = storage;
    this.byRoman = new Map();    // roman -> Map(native -> {count, seq})
    this.seq = 0;                // order of the picks: the latest wins a tie
    this.listeners = [];
    this.saveError = null;
    this.load();
  }

  load() {
    this.byRoman.clear();
    let rows = [];
    try { rows = JSON.parse(this.storage.getItem(DICT_KEY) || "[]"); } catch (_) { rows = []; }
    if (!Array.isArray(rows)) rows = [];
    for (const row of rows) {
      if (Array.isArray(row) && typeof row[0] === "string" && typeof row[1] === "string" && row[2] > 0) {
        this.add(row[0], row[1], Number(row[2]), Number(row[3]) || 0);
      }
    }
  }

  add(native, roman, count, seq) {
    const key = roman.toLowerCase();
    let entries = this.byRoman.get(key);
    if (!entries) { entries = new Map(); this.byRoman.set(key, entries); }
    const entry = entries.get(native) || { count: 0, seq: 0 };
    entry.count += count;
    entry.seq = Math.max(entry.seq, seq);
    this.seq = Math.max(this.seq, seq);
    entries.set(native, entry);
  }

  save() {
    try {
      this.storage.setItem(DICT_KEY, JSON.stringify(this.rows().map((r) => [r.native, r.roman, r.count, r.seq])));
      this.saveError = null;
    } catch (err) {
      this.saveError = "The dictionary could not be saved in this browser: " + err.message;
    }
    for (const fn of this.listeners) fn();
  }

  /** Every entry: by roman word, then most picked first. */
  rows() {
    const out = [];
    for (const [roman, entries] of this.byRoman) {
      for (const [native, e] of entries) out.push({ native, roman, count: e.count, seq: e.seq });
    }
    return out.sort((a, b) => a.roman.localeCompare(b.roman) || b.count - a.count || b.seq - a.seq);
  }

  get size() { let n = 0; for (const e of this.byRoman.values()) n += e.size; return n; }

  /** The Devanagari spellings of ``roman``, most picked (then latest) first. */
  lookup(roman) {
    const entries = this.byRoman.get(roman.toLowerCase());
    if (!entries) return [];
    return Array.from(entries).sort((a, b) => b[1].count - a[1].count || b[1].seq - a[1].seq).map(([n]) => n);
  }

  /** The roman spellings of ``native``, most picked (then latest) first. */
  lookupNative(native) {
    const found = [];
    for (const [roman, entries] of this.byRoman) {
      const e = entries.get(native);
      if (e) found.push([roman, e]);
    }
    return found.sort((a, b) => b[1].count - a[1].count || b[1].seq - a[1].seq).map(([r]) => r);
  }

  learn(native, roman) {
    if (!native || !roman) return;
    this.add(native, roman, 1, ++this.seq);
    this.save();
  }

  remove(native, roman) {
    const entries = this.byRoman.get(roman);
    if (entries && entries.delete(native) && entries.size === 0) this.byRoman.delete(roman);
    this.save();
  }

  clear() { this.byRoman.clear(); this.save(); }

  toTSV() {
    const lines = [LEXICON_HEADER];
    for (const r of this.rows()) lines.push(`${r.native}\t${r.roman}\t${r.count}`);
    return lines.join("\n") + "\n";
  }

  /** Add the entries of a lexicon file (``native<TAB>roman[<TAB>count]``, ``#`` comments and blank
   * lines skipped, as ``lipyantar learn`` reads it). All or nothing: an Error names the first bad
   * line. Returns the number of entries read. */
  importTSV(text, source) {
    const rows = [];
    const lines = text.replace(/^\uFEFF/, "").split("\n");
    lines.forEach((raw, i) => {
      const line = raw.replace(/\r$/, "");
      if (!line.trim() || line.startsWith("#")) return;
      const cols = line.split("\t");
      const where = `${source}, line ${i + 1}`;
      if ((cols.length !== 2 && cols.length !== 3) || !cols[0] || !cols[1]) {
        throw new Error(`${where}: expected native<TAB>roman[<TAB>count]`);
      }
      let count = 1;
      if (cols.length === 3 && cols[2].trim()) {
        count = Number(cols[2]);
        if (!/^\s*[0-9.eE+-]+\s*$/.test(cols[2]) || !Number.isFinite(count) || count <= 0) {
          throw new Error(`${where}: bad count ${JSON.stringify(cols[2].slice(0, 40))}`);
        }
      }
      rows.push([cols[0].trim(), cols[1].trim(), count]);
    });
    for (const [native, roman, count] of rows) this.add(native, roman, count, ++this.seq);
    this.save();
    return rows.length;
  }
}

function setupDictionary(dict) {
  const count = $("#dict-count");
  const table = $("#dict-table");
  const tbody = table.querySelector("tbody");
  const status = $("#dict-status");
  const confirm = $("#dict-confirm");
  function show() {
    const rows = dict.rows();
    count.textContent = rows.length ? `${rows.length} word${rows.length === 1 ? "" : "s"}` : "no words yet";
    tbody.replaceChildren();
    for (const r of rows) {
      const tr = document.createElement("tr");
      const cells = [[r.native, "hi"], [r.roman, "hi-Latn"], [String(r.count), ""]];
      for (const [text, lang] of cells) {
        const td = document.createElement("td");
        td.textContent = text;
        if (lang) td.lang = lang;
        tr.append(td);
      }
      const td = document.createElement("td");
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "remove";
      remove.textContent = "✕";
      remove.setAttribute("aria-label", `Forget ${r.native} (${r.roman})`);
      remove.addEventListener("click", () => dict.remove(r.native, r.roman));
      td.append(remove);
      tr.append(td);
      tbody.append(tr);
    }
    table.hidden = rows.length === 0;
    $("#dict-export").disabled = $("#dict-clear").disabled = rows.length === 0;
    if (dict.saveError) setStatus(status, dict.saveError, true);
  }
  dict.listeners.push(show);
  window.addEventListener("storage", (ev) => { if (ev.key === DICT_KEY) { dict.load(); show(); } });
  $("#dict-export").addEventListener("click", () => {
    saveBlob(new Blob([dict.toTSV()], { type: "text/tab-separated-values;charset=utf-8" }), "lipyantar-dictionary.tsv");
    setStatus(status, `Saved lipyantar-dictionary.tsv (${dict.size} words).`);
  });
  $("#dict-import").addEventListener("change", async (ev) => {
    const file = ev.target.files[0];
    ev.target.value = "";
    if (!file) return;
    try {
      const text = decodeText(new Uint8Array(await file.arrayBuffer()), file.name);
      const n = dict.importTSV(text, file.name);
      setStatus(status, `Imported ${n} entr${n === 1 ? "y" : "ies"} from ${file.name}.`);
    } catch (err) {
      setStatus(status, err.message, true);
    }
  });
  $("#dict-clear").addEventListener("click", () => {
    $("#dict-confirm-n").textContent = `${dict.size} word${dict.size === 1 ? "" : "s"}`;
    confirm.hidden = false;
    $("#dict-clear-no").focus();
  });
  $("#dict-clear-no").addEventListener("click", () => { confirm.hidden = true; });
  $("#dict-clear-yes").addEventListener("click", () => {
    confirm.hidden = true;
    dict.clear();
    setStatus(status, "The dictionary is empty.");
  });
  show();
}

// ------------------------------------------------------------------------------------------- reading files

/** The text of a file's bytes, as ``lipyantar convert`` reads it: UTF-8 (a BOM is dropped), or UTF-16
 * with a BOM. Anything else is an Error saying where and what, as the command line says it. */
function decodeText(bytes, name) {
  const fail = (line, offset, what) => {
    throw new Error(`${name}${line ? `, line ${line}` : ""}${offset !== null ? `, byte ${offset}` : ""}: ${what}`);
  };
  const lineAt = (end) => { let n = 1; for (let i = 0; i < end; i++) if (bytes[i] === 10) n++; return n; };
  if ((bytes[0] === 0xff && bytes[1] === 0xfe && bytes[2] === 0 && bytes[3] === 0) ||
      (bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0xfe && bytes[3] === 0xff)) {
    fail(0, null, "UTF-32 is not read here; re-save the file as UTF-8 (or use lipyantar convert)");
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    const label = bytes[0] === 0xff ? "utf-16le" : "utf-16be";
    try {
      return new TextDecoder(label, { fatal: true }).decode(bytes.subarray(2));
    } catch (_) {
      fail(0, null, `invalid ${label.toUpperCase()} (a BOM says ${label.toUpperCase()}, but the bytes are not); re-save the file as UTF-8`);
    }
  }
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const bad = firstInvalidUTF8(bytes, start);
  const nul = bytes.indexOf(0, start);
  if (nul >= 0 && (bad < 0 || nul < bad)) fail(lineAt(nul), nul, "NUL byte: binary data, not text");
  if (bad >= 0) {
    const hex = bytes[bad].toString(16).padStart(2, "0");
    fail(lineAt(bad), bad, `invalid UTF-8 (byte 0x${hex}); re-encode the file as UTF-8`);
  }
  return new TextDecoder("utf-8").decode(bytes.subarray(start));
}

/** The offset of the first byte of the first invalid UTF-8 sequence (as Python's strict decoder
 * reports it), or -1. */
function firstInvalidUTF8(b, start) {
  const n = b.length;
  let i = start;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) { i++; continue; }
    let need, lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) { need = 2; if (c === 0xe0) lo = 0xa0; else if (c === 0xed) hi = 0x9f; }
    else if (c >= 0xf0 && c <= 0xf4) { need = 3; if (c === 0xf0) lo = 0x90; else if (c === 0xf4) hi = 0x8f; }
    else return i;
    for (let k = 1; k <= need; k++) {
      const d = b[i + k];
      if (d === undefined) return i;
      if (k === 1 ? d < lo || d > hi : d < 0x80 || d > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

// ------------------------------------------------------------------------------------------- typing

/** A Latin word: letters, and a hyphen or an apostrophe between letters (e-mail, don't stay whole). */
const LATIN_TAIL = /[A-Za-z]+(?:['’-][A-Za-z]+)*$/;
const LATIN_HEAD = /^['’-]?[A-Za-z]/;
/** A Devanagari letter or sign (not a danda, not a digit), then spaces or tabs, up to the caret. */
const HINDI_BEFORE = /[\u0900-\u0963\u0971-\u097F\u200C\u200D]([ \t]*)$/;
const IS_DEVA = /[\u0900-\u097F]/;
const PICK_KEYS = "123456789";
const COMMIT_PUNCT = ".,?!;:)";
const TOP_K = 5;
const MORE_K = 20;   // the API's default maximum of top_k (the server's own, if lower: Typer.maxK)
const HISTORY = 200;

class Typer {
  constructor(textarea, list, statusEl, dict) {
    this.ta = textarea;
    this.list = list;
    this.status = statusEl;
    this.dict = dict;
    this.cache = new Map();      // word, k -> Promise of the model's candidates
    this.shown = null;           // {word, start, cands, sel, k, want}
    this.kept = null;            // {word, start}: Esc'ed, stays Latin
    this.pending = [];           // commits waiting for their candidates: {start, word, index, period}
    this.committed = [];         // the latest commits, newest last: {text, word} (Backspace reopens them)
    this.reopened = null;        // {word, start, text}: the word Backspace reopened
    this.english = false;        // keep English words in Latin: they come first as written
    this.maxK = MORE_K;          // what More shows: the server's maximum top_k, at most 20
    this.sawKey = null;          // the key of the last keydown (phone keyboards send "Unidentified")
    textarea.addEventListener("input", (ev) => {
      // phone keyboards send no usable keydown: a space they inserted ends the word before it, and
      // punctuation they inserted follows the same rule as typed on a keyboard
      const typed = ev.inputType === "insertText" && this.sawKey !== ev.data ? ev.data : null;
      this.sawKey = null;
      if (typed === " ") this.afterSpace();
      else if (typed && typed.length === 1 && COMMIT_PUNCT.includes(typed)) this.afterPunct(typed);
      this.refresh();
    });
    textarea.addEventListener("keydown", (ev) => this.onKey(ev));
    textarea.addEventListener("click", () => this.refresh());
    textarea.addEventListener("blur", () => this.hide());
    textarea.addEventListener("focus", () => this.refresh());
    list.addEventListener("mousedown", (ev) => {
      const li = ev.target.closest("li");
      if (!li) return;
      ev.preventDefault();   // keep the focus in the text area
      const cur = this.current();
      if (!cur || !this.shown || this.shown.word !== cur.word) return;
      if (li.classList.contains("more")) this.more();
      else if (li.dataset.index !== undefined) this.commitNow(cur, Number(li.dataset.index), "");
    });
  }

  /** The model's ``k`` best candidates of ``word`` (remembered). */
  modelCandidates(word, k) {
    const key = (this.english ? "en:" : "") + k + ":" + word.toLowerCase();
    let promise = this.cache.get(key);
    if (!promise) {
      const query = new URLSearchParams({ word: word.toLowerCase(), top_k: String(k) });
      if (this.english) query.set("english", "keep");
      promise = api("/candidates?" + query).then((r) => r.json()).then((body) => body.candidates);
      promise.catch((err) => { this.cache.delete(key); setStatus(this.status, err.message, true); });
      this.cache.set(key, promise);
    }
    return promise;
  }

  /** The candidates to offer: the user's own spellings first (most picked first), then the model's. */
  candidates(word, k = TOP_K) {
    return this.modelCandidates(word, k).then((model) => {
      const mine = this.dict.lookup(word);
      if (!mine.length) return model;
      const own = mine.map((text) => ({ text, score: 0, mine: true }));
      return [...own, ...model.filter((c) => !mine.includes(c.text))];
    });
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
      const r = this.reopened;
      const want = r && r.word === cur.word && r.start === cur.start ? r.text : null;
      this.shown = { word: cur.word, start: cur.start, cands: null, sel: 0, k: TOP_K, want };
      this.render();
    }
    const shown = this.shown;
    if (shown.cands) return;
    this.candidates(cur.word, shown.k).then((cands) => {
      if (this.shown !== shown || shown.cands) return;
      shown.cands = cands;
      if (shown.want) {
        const at = cands.findIndex((c) => c.text === shown.want);
        if (at < 0 && shown.k < this.maxK) { this.more(); return; }   // it was one of the 20
        shown.sel = Math.max(at, 0);
      }
      this.render();
    }, () => {});
  }

  /** Show up to 20 candidates of the current word; ``next``: select the first of the new ones. */
  more(next = false) {
    const shown = this.shown;
    if (!shown || shown.k === this.maxK) return;
    shown.k = this.maxK;
    const before = shown.cands ? shown.cands.length : 0;
    this.candidates(shown.word, this.maxK).then((cands) => {
      if (this.shown !== shown) return;
      const picked = shown.want || (shown.cands && shown.cands[shown.sel] && shown.cands[shown.sel].text);
      shown.cands = cands;
      const at = picked ? cands.findIndex((c) => c.text === picked) : -1;
      shown.sel = next ? Math.min(before, cands.length - 1) : Math.max(at, 0);
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
        n.textContent = i < PICK_KEYS.length ? String(i + 1) : "";
        const text = document.createElement("span");
        text.className = "t";
        text.textContent = cand.text;
        li.append(n, text);
        const p = document.createElement("span");
        p.className = "p";
        if (cand.mine) {
          li.classList.add("mine");
          p.textContent = "yours";
          p.title = "from your dictionary";
        } else if (typeof cand.prob === "number") {
          p.textContent = cand.prob < 0.005 ? "<1%" : Math.round(cand.prob * 100) + "%";
          p.title = "calibrated probability";
        }
        if (p.textContent) li.append(p);
        if (!cand.mine) li.title = `score ${cand.score.toFixed(2)}`;
        list.append(li);
      });
      if (shown.k < this.maxK && shown.cands.length >= TOP_K) {
        const more = document.createElement("li");
        more.className = "more";
        more.textContent = "More…";
        more.title = "up to 20 candidates (↓ on the last one)";
        list.append(more);
      }
      const latin = document.createElement("li");
      latin.className = "latin";
      latin.textContent = `Esc: keep “${shown.word}”`;
      list.append(latin);
      this.ta.setAttribute("aria-activedescendant", "cand-" + shown.sel);
    }
    list.hidden = false;
    this.place();
    const sel = list.querySelector('li[aria-selected="true"]');
    if (sel) sel.scrollIntoView({ block: "nearest" });
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
    this.sawKey = ev.key;
    if (ev.isComposing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const ta = this.ta;
    const collapsed = ta.selectionStart === ta.selectionEnd;
    const cur = this.current();
    if (!cur) {
      if (ev.key === "Backspace" && collapsed && this.reopen()) ev.preventDefault();
      else if (COMMIT_PUNCT.includes(ev.key) && collapsed && this.punctuate(ev.key)) ev.preventDefault();
      return;
    }
    const shown = this.shown && this.shown.word === cur.word ? this.shown : null;
    const ready = shown && shown.cands && shown.cands.length > 0;
    const key = ev.key;
    if (key === "ArrowDown" || key === "ArrowUp") {
      if (!ready) return;
      ev.preventDefault();
      const n = shown.cands.length;
      if (key === "ArrowDown" && shown.sel === n - 1 && shown.k < this.maxK && n >= TOP_K) {
        this.more(true);   // the first of the others, once they are there
        return;
      }
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
      this.commit(cur, shown ? shown.sel : 0, key);
    } else if (key === "Escape") {
      ev.preventDefault();
      this.kept = { word: cur.word, start: cur.start };
      this.hide();
    }
  }

  /** Backspace right after a word this page converted: the word is Latin again, with its candidates
   * (the one taken selected). False when the caret is not after such a word. */
  reopen() {
    const ta = this.ta;
    const pos = ta.selectionStart;
    const m = ta.value.slice(0, pos).match(/[^\s]+$/);
    if (!m) return false;
    const rec = this.committed.findLast((c) => c.text === m[0]);
    if (!rec) return false;
    const start = pos - m[0].length;
    ta.setRangeText(rec.word, start, pos, "end");
    this.kept = null;
    this.reopened = { word: rec.word, start, text: rec.text };
    this.shown = null;
    this.refresh();
    return true;
  }

  /** One rule for punctuation: typed after a Hindi word, right after it or after spaces, it
   * attaches to the word, and "." writes "।". A word still waiting for its candidates counts as Hindi
   * (its "." becomes "।" with it). False when it is not after a Hindi word. */
  punctuate(key) {
    const ta = this.ta;
    const pos = ta.selectionStart;
    const before = ta.value.slice(0, pos);
    const end = pos - before.match(/[ \t]*$/)[0].length;
    const job = this.pending.find((j) => j.start + j.word.length === end && ta.value.slice(j.start, end) === j.word);
    if (!job && !HINDI_BEFORE.test(before)) return false;
    if (job && key === ".") job.period = true;
    ta.setRangeText(key === "." && !job ? "।" : key, end, pos, "end");
    this.refresh();
    return true;
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

  /** Punctuation was inserted without our keydown seeing it: take it out, and type it as a keyboard
   * would have (it ends the word before it, and follows the punctuation rule). */
  afterPunct(key) {
    const ta = this.ta;
    const pos = ta.selectionStart;
    if (pos !== ta.selectionEnd || ta.value[pos - 1] !== key) return;
    ta.setRangeText("", pos - 1, pos, "end");
    const cur = this.current();
    if (cur) this.commit(cur, this.shown && this.shown.word === cur.word ? this.shown.sel : 0, key);
    else if (!this.punctuate(key)) ta.setRangeText(key, pos - 1, pos - 1, "end");
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
    const job = { start: cur.start, word: cur.word, index, period: suffix === "." };
    this.pending.push(job);
    this.hide();
    if (suffix) this.insert(suffix);   // a "." becomes "।" once the word is Devanagari (finish)
    this.candidates(cur.word).then((cands) => this.finish(job, cands), () => this.drop(job));
  }

  commitNow(cur, index, suffix) {
    const cands = this.shown.cands;
    const cand = cands[Math.min(index, cands.length - 1)];
    this.hide();
    const text = cand ? cand.text : cur.word;
    if (cand) this.took(cur.word, cands, index, text);
    this.replace(cur.start, cur.word, text);
    if (suffix === "." && IS_DEVA.test(text)) this.insert("।");
    else if (suffix) this.insert(suffix);
    else this.refresh();
  }

  finish(job, cands) {
    this.drop(job);
    const index = Math.min(job.index, cands.length - 1);
    const cand = cands[index];
    if (cand && this.replace(job.start, job.word, cand.text)) {
      this.took(job.word, cands, index, cand.text);
      const after = job.start + cand.text.length;
      if (job.period && IS_DEVA.test(cand.text) && this.ta.value[after] === ".") {
        const [a, b] = [this.ta.selectionStart, this.ta.selectionEnd];
        this.ta.setRangeText("।", after, after + 1);
        this.ta.setSelectionRange(a, b);
      }
    }
    this.refresh();
  }

  /** Remember a commit (for Backspace) and learn the pick: a candidate other than the first one, or
   * any pick of a word the dictionary knows, counts. */
  took(word, cands, index, text) {
    if (text !== word) {
      this.committed.push({ text, word });
      if (this.committed.length > HISTORY) this.committed.shift();
    }
    const lower = word.toLowerCase();
    if (text.toLowerCase() === lower || !IS_DEVA.test(text)) return;   // kept in Latin
    if (index > 0 || this.dict.lookup(lower).length) this.dict.learn(text, lower);
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
      return false;   // edited meanwhile: leave it as typed
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
    return true;
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

function setupTyping(dict, params) {
  const ta = $("#type-input");
  const status = $("#type-status");
  const typer = new Typer(ta, $("#cands"), status, dict);
  window.lipyantarTyper = typer;   // for the browser tests: pending work
  $("#type-copy").addEventListener("click", () => copyText(ta.value, status));
  $("#type-clear").addEventListener("click", () => { ta.value = ""; typer.hide(); ta.focus(); link.later(); });
  const english = $("#type-english");
  if (params) {
    if (params.get("english") === "keep") english.checked = true;
    if (params.has("text")) ta.value = params.get("text");
  }
  typer.english = english.checked;
  english.addEventListener("change", () => {
    typer.english = english.checked;
    typer.shown = null;   // the candidates shown were asked for with the other setting
    if (document.activeElement === ta) typer.refresh();
    link.later();
  });
  link.sources.type = () => {
    const p = new URLSearchParams();
    if (english.checked) p.set("english", "keep");
    linkText(p, ta.value);
    return p;
  };
  ta.addEventListener("input", () => link.later());
  ta.addEventListener("lipyantar:converted", () => link.later());
}

// ------------------------------------------------------------------------------------------- converting

/** A request holds at most this many words or bytes of text (the server's limits are higher); a file
 * is converted in as many requests as it needs. */
const CHUNK_WORDS = 2000;
const CHUNK_BYTES = 200000;
const FILE_LIMIT = 5 * 1024 * 1024;
/** Lines shown word by word (clickable); the rest of a longer result is in the download. */
const SHOWN_LINES = 3000;
const WORD_PARTS = /^([^\p{L}\p{M}\p{N}]*)([\s\S]*?)([^\p{L}\p{M}\p{N}]*)$/u;

/** ``token`` as {pre, core, post}: the punctuation around a word and the word. */
function wordParts(token) {
  const m = token.match(WORD_PARTS);
  return { pre: m[1], core: m[2], post: m[3] };
}

function chunkLines(lines) {
  const chunks = [];
  let cur = [], words = 0, bytes = 0;
  for (const line of lines) {
    const w = line.split(/\s+/).filter(Boolean).length;
    const b = line.length * 3 + 1;
    if (cur.length && (words + w > CHUNK_WORDS || bytes + b > CHUNK_BYTES)) {
      chunks.push(cur);
      cur = []; words = 0; bytes = 0;
    }
    cur.push(line);
    words += w;
    bytes += b;
  }
  if (cur.length) chunks.push(cur);
  return chunks;
}

function setupConvert(schemes, dict, params) {
  const from = $("#conv-from");
  const to = $("#conv-to");
  const input = $("#conv-input");
  const output = $("#conv-output");
  const status = $("#conv-status");
  const about = $("#conv-about");
  const english = $("#conv-english");
  const englishLabel = $("#conv-english-label");
  const alts = $("#alts");
  const download = $("#conv-download");
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
  let fileName = null;
  let result = null;   // {src, dst, english, lines: [{inTok, out, words, mine}], trailing}
  // the CLI's output options (convert --digits, --nukta, --zero-width, --keep-period), as the API names them
  const digits = $("#conv-digits");
  const nukta = $("#conv-nukta");
  const zeroWidth = $("#conv-zero-width");
  const keepPeriod = $("#conv-keep-period");
  const optionsBox = $("#conv-options");
  const outputOptions = () => ({
    digits: digits.value, nukta: nukta.value,
    zero_width: zeroWidth.checked ? "keep" : "strip", keep_period: keepPeriod.checked,
  });
  const DEFAULT_OPTIONS = { digits: "auto", nukta: "decomposed", zero_width: "strip", keep_period: false };

  if (params) {
    const hasOption = (select, value) => Array.from(select.options).some((o) => o.value === value);
    if (hasOption(from, params.get("from"))) from.value = params.get("from");
    if (hasOption(to, params.get("to"))) to.value = params.get("to");
    if (params.get("english") === "keep") english.checked = true;
    if (hasOption(digits, params.get("digits"))) digits.value = params.get("digits");
    if (hasOption(nukta, params.get("nukta"))) nukta.value = params.get("nukta");
    if (params.get("zero_width") === "keep") zeroWidth.checked = true;
    if (params.get("keep_period") === "1") keepPeriod.checked = true;
    if (params.has("text")) input.value = params.get("text");
    if (JSON.stringify(outputOptions()) !== JSON.stringify(DEFAULT_OPTIONS)) optionsBox.open = true;
  }

  function describe() {
    const a = byName.get(from.value) || { name: "auto", description: "the scheme is detected from the text", script: "deva" };
    const b = byName.get(to.value);
    about.textContent = `${a.name}: ${a.description} → ${b.name}: ${b.description}`;
    input.lang = a.script === "deva" ? "hi" : "hi-Latn";
    output.lang = b.script === "deva" ? "hi" : "hi-Latn";
    englishLabel.hidden = !englishApplies();
    $("#conv-iso").hidden = to.value !== "iast";
  }

  /** The learned pair a result is in: "r2d" (roman → deva), "d2r", or null (a rule-based scheme). */
  const pairOf = (src, dst) => (src === "roman" && dst === "deva" ? "r2d" : src === "deva" && dst === "roman" ? "d2r" : null);

  function text() {
    if (!result) return "";
    return result.lines.map((l) => l.out.join("")).join("\n") + (result.trailing ? "\n" : "");
  }

  function clearOutput() {
    result = null;
    output.replaceChildren();
    download.disabled = true;
    closeAlts();
    $("#conv-click-hint").hidden = true;
  }

  /** The records of the API as lines of tokens; the user's own spellings replace the model's. */
  function build(records, src, dst, englishKeep, trailing) {
    const pair = pairOf(src, dst);
    const lines = records.map((r) => {
      const inTok = r.input.split(/(\s+)/);
      const out = (r.candidates[0] ? r.candidates[0].text : "").split(/(\s+)/);
      const words = (src === "roman" || dst === "roman") && inTok.length === out.length;
      const mine = [];
      if (words && pair) {
        for (let i = 0; i < out.length; i += 2) {
          const core = wordParts(inTok[i]).core;
          if (!core) continue;
          const own = pair === "r2d" ? dict.lookup(core)[0] : dict.lookupNative(core)[0];
          const parts = wordParts(out[i]);
          if (own && own !== parts.core) {
            out[i] = parts.pre + own + parts.post;
            mine[i] = true;
          }
        }
      }
      return { inTok, out, words, mine };
    });
    return { src, dst, english: englishKeep, lines, trailing, pair };
  }

  function render() {
    output.replaceChildren();
    const frag = document.createDocumentFragment();
    let clickable = false;
    result.lines.forEach((line, li) => {
      if (li > 0) frag.append("\n");
      if (!line.words || li >= SHOWN_LINES) { frag.append(line.out.join("")); return; }
      line.out.forEach((tok, ti) => {
        if (ti % 2 === 1 || !tok) { frag.append(tok); return; }
        const span = document.createElement("span");
        span.className = line.mine[ti] ? "w mine" : "w";
        if (line.mine[ti]) span.title = "from your dictionary";
        span.dataset.line = String(li);
        span.dataset.tok = String(ti);
        span.textContent = tok;
        span.tabIndex = -1;
        frag.append(span);
        clickable = true;
      });
    });
    if (result.trailing) frag.append("\n");
    output.append(frag);
    $("#conv-click-hint").hidden = !clickable;
    download.disabled = false;
  }

  async function run() {
    const mine = ++seq;
    closeAlts();
    const value = input.value.replace(/\r\n?/g, "\n");
    if (!value.trim()) { clearOutput(); setStatus(status, ""); return; }
    setStatus(status, "Converting…");
    const trailing = value.endsWith("\n");
    const lines = (trailing ? value.slice(0, -1) : value).split("\n");
    const chunks = chunkLines(lines);
    const englishKeep = englishApplies() && english.checked;
    try {
      let src = from.value;
      let detected = null;
      const records = [];
      for (const chunk of chunks) {
        const request = { text: chunk.join("\n"), from: src, to: to.value, ...outputOptions() };
        if (englishKeep) request.english = "keep";
        const body = await (await postJSON("/convert", request)).json();
        if (mine !== seq) return;
        if (body.detected) { detected = body.detected; src = body.detected.scheme; }
        records.push(...body.records);
        if (chunks.length > 1) setStatus(status, `Converting… ${records.length} of ${lines.length} lines`);
      }
      result = build(records, src, to.value, englishKeep, trailing);
      render();
      output.dataset.done = String(mine);
      const n = records.length;
      const note = detected ? ` (detected: ${detected.scheme}, ${detected.reason})` : "";
      const more = n > SHOWN_LINES ? `; the first ${SHOWN_LINES} are shown word by word, the download has all` : "";
      setStatus(status, `${n} line${n === 1 ? "" : "s"} converted${note}${more}.`);
    } catch (err) {
      if (mine === seq) { clearOutput(); setStatus(status, err.message, true); }
    }
  }

  // -- alternatives of one word
  let open = null;   // {span, line, ti, parts, inCore}
  function closeAlts() {
    alts.hidden = true;
    alts.replaceChildren();
    if (open) open.span.classList.remove("open");
    open = null;
  }

  async function openAlts(span) {
    closeAlts();
    const res = result;
    const line = res.lines[Number(span.dataset.line)];
    const ti = Number(span.dataset.tok);
    const inCore = wordParts(line.inTok[ti]).core;
    if (!inCore) return;
    const current = wordParts(line.out[ti]);
    open = { span, line, ti, current, inCore, res };
    span.classList.add("open");
    const word = res.src === "roman" ? inCore.toLowerCase() : inCore;
    const query = new URLSearchParams({ word, top_k: "10", from: res.src, to: res.dst });
    if (res.english) query.set("english", "keep");
    let cands;
    try {
      cands = (await (await api("/candidates?" + query)).json()).candidates.map((c) => c.text);
    } catch (err) {
      setStatus(status, err.message, true);
      closeAlts();
      return;
    }
    if (!open || open.span !== span || result !== res) return;
    const own = res.pair === "r2d" ? dict.lookup(inCore) : res.pair === "d2r" ? dict.lookupNative(inCore) : [];
    const texts = [...own, ...cands.filter((t) => !own.includes(t))];
    if (!texts.includes(current.core)) texts.unshift(current.core);
    texts.forEach((t, i) => {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "alt-" + i;
      li.dataset.text = t;
      li.lang = output.lang;
      li.setAttribute("aria-selected", String(t === current.core));
      const n = document.createElement("span");
      n.className = "n";
      n.textContent = i < 9 ? String(i + 1) : "";
      const s = document.createElement("span");
      s.className = "t";
      s.textContent = t;
      li.append(n, s);
      if (own.includes(t)) {
        li.classList.add("mine");
        const p = document.createElement("span");
        p.className = "p";
        p.textContent = "yours";
        li.append(p);
      }
      alts.append(li);
    });
    alts.hidden = false;
    const wrap = output.parentElement;
    const left = Math.min(span.offsetLeft, wrap.clientWidth - alts.offsetWidth);
    alts.style.left = Math.max(0, left) + "px";
    alts.style.top = span.offsetTop - output.scrollTop + span.offsetHeight + 2 + "px";
    alts.focus();
  }

  function swap(textChosen) {
    if (!open) return;
    const { span, line, ti, current, inCore, res } = open;
    if (textChosen !== current.core) {
      line.out[ti] = current.pre + textChosen + current.post;
      span.textContent = line.out[ti];
      span.classList.add("swapped");
      if (res.pair === "r2d") dict.learn(textChosen, inCore.toLowerCase());
      else if (res.pair === "d2r") dict.learn(inCore, textChosen.toLowerCase());
      setStatus(status, `“${current.core}” → “${textChosen}”` + (res.pair ? " (remembered in your dictionary)." : "."));
    }
    closeAlts();
    span.focus();
  }

  output.addEventListener("click", (ev) => {
    const span = ev.target.closest("span.w");
    if (span && (!open || open.span !== span)) openAlts(span);
    else closeAlts();
  });
  // the keyboard: ← → move between the words, Enter or Space opens a word's alternatives
  output.addEventListener("keydown", (ev) => {
    const span = ev.target.closest && ev.target.closest("span.w");
    if (span && (ev.key === "Enter" || ev.key === " ")) { ev.preventDefault(); openAlts(span); return; }
    if (ev.key !== "ArrowRight" && ev.key !== "ArrowLeft") return;
    const words = Array.from(output.querySelectorAll("span.w"));
    if (!words.length) return;
    ev.preventDefault();
    const at = words.indexOf(span);
    const next = at < 0 ? words[0] : words[Math.max(0, Math.min(words.length - 1, at + (ev.key === "ArrowRight" ? 1 : -1)))];
    next.tabIndex = -1;
    next.focus();
  });
  alts.tabIndex = -1;
  alts.addEventListener("mousedown", (ev) => {
    const li = ev.target.closest("li[data-text]");
    if (li) { ev.preventDefault(); swap(li.dataset.text); }
  });
  alts.addEventListener("keydown", (ev) => {
    const items = Array.from(alts.querySelectorAll("li"));
    let at = items.findIndex((li) => li.getAttribute("aria-selected") === "true");
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      at = (at + (ev.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      items.forEach((li, i) => li.setAttribute("aria-selected", String(i === at)));
      alts.setAttribute("aria-activedescendant", items[at].id);
      items[at].scrollIntoView({ block: "nearest" });
    } else if (ev.key === "Enter" && at >= 0) {
      ev.preventDefault();
      swap(items[at].dataset.text);
    } else if (/^[1-9]$/.test(ev.key) && items[Number(ev.key) - 1]) {
      ev.preventDefault();
      swap(items[Number(ev.key) - 1].dataset.text);
    } else if (ev.key === "Escape") {
      ev.preventDefault();
      const span = open && open.span;
      closeAlts();
      if (span) span.focus();
    }
  });
  alts.addEventListener("focusout", (ev) => { if (!alts.contains(ev.relatedTarget)) setTimeout(() => { if (document.activeElement !== alts) closeAlts(); }, 0); });

  // -- the controls
  function later() { clearTimeout(timer); timer = setTimeout(run, 200); }
  input.addEventListener("input", () => { later(); link.later(); });
  for (const el of [from, to]) el.addEventListener("change", () => { describe(); run(); link.later(); });
  english.addEventListener("change", () => { run(); link.later(); });
  for (const el of [digits, nukta, zeroWidth, keepPeriod]) el.addEventListener("change", () => { run(); link.later(); });
  $("#conv-use-iso").addEventListener("click", () => { to.value = "iso"; describe(); run(); link.later(); });
  $("#conv-swap").addEventListener("click", () => {
    const target = byName.get(to.value);
    if (from.value === "auto") from.value = result ? result.src : "deva";
    if (!target.source) { setStatus(status, `${target.name} cannot be converted from (it is one-way).`, true); return; }
    const a = from.value;
    from.value = to.value;
    to.value = a;
    input.value = text();
    describe();
    run();
    link.later();
  });
  $("#conv-copy").addEventListener("click", () => copyText(text(), status));
  download.addEventListener("click", () => {
    if (!result) return;
    const base = fileName ? fileName.replace(/\.[^.]*$/, "") : "converted";
    const name = `${base}.${result.dst}.txt`;
    saveBlob(new Blob([text()], { type: "text/plain;charset=utf-8" }), name);
    setStatus(status, `Saved ${name}.`);
  });
  $("#conv-file").addEventListener("change", async (ev) => {
    const file = ev.target.files[0];
    ev.target.value = "";
    if (!file) return;
    ++seq;   // a conversion under way is of the old text
    if (file.size > FILE_LIMIT) {
      clearOutput();
      setStatus(status, `${file.name}: ${(file.size / 1048576).toFixed(1)} MB, more than this page converts (5 MB); use lipyantar convert`, true);
      return;
    }
    let value;
    try {
      value = decodeText(new Uint8Array(await file.arrayBuffer()), file.name);
    } catch (err) {
      clearOutput();
      setStatus(status, err.message, true);
      return;
    }
    fileName = file.name;
    input.value = value;
    link.later();
    await run();
  });
  link.sources.convert = () => {
    const p = new URLSearchParams({ from: from.value, to: to.value });
    if (englishApplies() && english.checked) p.set("english", "keep");
    const opts = outputOptions();
    if (opts.digits !== "auto") p.set("digits", opts.digits);
    if (opts.nukta !== "decomposed") p.set("nukta", opts.nukta);
    if (opts.zero_width === "keep") p.set("zero_width", "keep");
    if (opts.keep_period) p.set("keep_period", "1");
    linkText(p, input.value);
    return p;
  };
  window.lipyantarConvert = { text, run };   // for the browser tests
  describe();
  if (input.value.trim()) run();
}

// ------------------------------------------------------------------------------------------- aligning

function setupAlign() {
  const deva = $("#align-deva");
  const roman = $("#align-roman");
  const status = $("#align-status");
  const table = $("#beads");
  const tbody = table.querySelector("tbody");
  const summary = $("#align-summary");
  const threshold = $("#align-threshold");
  let last = null;   // the request of the shown result (downloads re-send it)

  function request(format) {
    return {
      deva: deva.value, roman: roman.value, presplit: $("#align-presplit").checked,
      words: $("#align-words").checked, format,
    };
  }

  function cell(tag, text, cls, lang) {
    const el = document.createElement(tag);
    el.textContent = text;
    if (cls) el.className = cls;
    if (lang) el.lang = lang;
    return el;
  }

  /** The word pairs of a bead as a table: Devanagari, roman, score, one pair per row. */
  function pairsTable(words, limit) {
    const details = document.createElement("details");
    details.className = "pairs";
    const low = words.filter((w) => w[2] < limit).length;
    details.append(cell("summary", `${words.length} word pair${words.length === 1 ? "" : "s"}` + (low ? ` · ${low} below ${limit}` : "")));
    const t = document.createElement("table");
    const head = document.createElement("tr");
    for (const h of ["Devanagari", "Roman", "Score"]) {
      const th = cell("th", h);
      th.scope = "col";
      head.append(th);
    }
    const thead = document.createElement("thead");
    thead.append(head);
    const body = document.createElement("tbody");
    for (const [d, r, s] of words) {
      const tr = document.createElement("tr");
      if (s < limit) tr.className = "low";
      tr.append(cell("td", d, "deva", "hi"), cell("td", r, "roman", "hi-Latn"), cell("td", s.toFixed(2), "score"));
      body.append(tr);
    }
    t.append(thead, body);
    details.append(t);
    return details;
  }

  function show(body) {
    tbody.replaceChildren();
    const limit = Number(threshold.value);
    let low = 0;
    body.beads.forEach((bead, i) => {
      const tr = document.createElement("tr");
      const isLow = bead.score < limit;
      tr.className = isLow ? "bead low" : "bead";
      if (isLow) low += 1;
      tr.append(
        cell("td", String(i + 1), "num"),
        cell("td", bead.deva_text, "deva", "hi"),
        cell("td", bead.roman_text, "roman", "hi-Latn"),
        cell("td", (isLow ? "⚠ " : "") + bead.score.toFixed(3), "score"),
      );
      tbody.append(tr);
      if (bead.words && bead.words.length) {
        const row = document.createElement("tr");
        row.className = "words-row" + (isLow ? " low" : "");
        const td = document.createElement("td");
        td.colSpan = 4;
        td.className = "words";
        td.append(pairsTable(bead.words, limit));
        row.append(td);
        tbody.append(row);
      }
    });
    summary.replaceChildren();
    const facts = [
      [String(body.beads.length), body.beads.length === 1 ? "sentence pair" : "sentence pairs"],
      [body.score.toFixed(3), "document score"],
      [String(low), `below ${limit}`],
    ];
    for (const [value, label] of facts) {
      const fact = cell("div", "", "fact" + (label.startsWith("below") && low ? " warn" : ""));
      fact.append(cell("strong", value), cell("span", label));
      summary.append(fact);
    }
    summary.append(cell("p", body.twins ? "These texts look like twins." : "These texts do not look like twins: check that they are the same text in two scripts.",
      body.twins ? "verdict" : "verdict warn"));
    summary.hidden = false;
    summary.dataset.low = String(low);
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
      summary.scrollIntoView({ block: "start", behavior: "instant" });   // the results in view
    } catch (err) {
      last = null;
      summary.hidden = table.hidden = true;
      tbody.replaceChildren();
      $("#align-tsv").disabled = $("#align-jsonl").disabled = true;
      setStatus(status, err.message, true);
    } finally {
      $("#align-run").disabled = false;
    }
  }

  async function download(format) {
    if (!last) return;
    try {
      const response = await postJSON("/align", { ...last.req, format });
      saveBlob(await response.blob(), `aligned.${format}`);
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

/** The browser's localStorage, or a store that lasts as long as the page where there is none. */
function storage() {
  try {
    const s = window.localStorage;
    s.getItem(DICT_KEY);
    return s;
  } catch (_) {
    const m = new Map();
    return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)) };
  }
}

async function start() {
  const { tab, params } = link.read();
  const selectTab = setupTabs();
  const dict = new Dictionary(storage());
  window.lipyantarDictionary = dict;   // for the browser tests
  setupDictionary(dict);
  setupTyping(dict, tab === "type" ? params : null);
  setupAlign();
  try {
    const schemes = (await (await api("/schemes")).json()).schemes;
    setupConvert(schemes, dict, tab === "convert" ? params : null);
    const health = await (await api("/health")).json();
    const maxK = health.limits && health.limits.max_top_k;
    if (maxK > 0) window.lipyantarTyper.maxK = Math.min(MORE_K, maxK);
    $("#health").textContent = `lipyantar ${health.version} · model ${health.model.name} (${health.model.sha256.slice(0, 12)})`;
  } catch (err) {
    $("#health").textContent = "The server does not answer: " + err.message;
  }
  selectTab();
  document.body.dataset.ready = "true";
}

document.addEventListener("DOMContentLoaded", start);
