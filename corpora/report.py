"""The HTML report of a build: tables and inline SVG plots, one self-contained file.

Plots (each an ``<svg class="plot" data-plot="NAME">``; bars are ``<rect class="bar">``, scatter points
``<circle class="pt">``):

* ``length-deva`` / ``length-roman``: histograms of sentence lengths (tokens) of the written pairs;
* ``length-ratio``: scatter of Devanagari vs romanized sentence length (characters) per bead;
* ``bead-types``: bead types of the alignment (1-1, 1-2, 2-1, 1-0, 0-1, …);
* ``alignment-scores``: histogram of the alignment scores of the sentence pairs (written / not written),
  with the ``--min-score`` threshold;
* ``variants``: the words that have more than one romanization in the corpus, one stacked bar each
  (segments: the romanizations, by count); words with a single spelling are not plotted;
* ``script-mix``: script shares of every document (Devanagari / Latin / Arabic / other), with its language.

Tables: an evenly spread sample of the written sentence pairs and the lowest-scoring sentence pairs
(id in ``parallel.jsonl``, texts, score, bead type, whether written), the words with several
romanizations, documents, twins and statistics. Every plot has SVG and PNG export buttons (the page
draws the PNG itself, at 3× scale, with a script: no network). The page fits a phone's width: plots
scale down, wide tables scroll sideways.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any

from .detect import DocumentDetection
from .stats import CorpusStats, VariantTable
from .twins import TwinReport

__all__ = ["render_report"]

MAX_POINTS = 3000
MAX_DOCUMENT_ROWS = 120
TOP_VARIANTS = 15

_CSS = """body{font-family:system-ui,"Noto Sans","Noto Sans Devanagari",sans-serif;max-width:64rem;
margin:2rem auto;padding:0 1rem;color:#222}table{border-collapse:collapse;margin:0}
.scroll{overflow-x:auto;margin:.5rem 0 1.5rem;max-width:100%}
td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;vertical-align:top}th{background:#f3f3f3}
.num{text-align:right;white-space:nowrap}td.text{min-width:14rem;max-width:28rem;overflow-wrap:anywhere}
.warn{color:#a40}svg{display:block;max-width:100%;height:auto}svg text{font-size:12px}
figure{margin:.5rem 0 1.5rem;max-width:100%}figcaption{font-size:.85rem}
figcaption button{font-size:.8rem;margin-right:.4rem;cursor:pointer}
.plots{display:flex;flex-wrap:wrap;gap:1rem}.plots figure{flex:0 1 auto}.note{color:#555}
@media (max-width:600px){body{margin:1rem auto;padding:0 .5rem}h1{font-size:1.5rem}
table,tbody,tr,td{display:block}tr.head{display:none}tr{border:1px solid #ccc;margin:0 0 .6rem;padding:.2rem 0}
td{border:0;padding:.1rem .5rem}td.num,td.text{text-align:left;white-space:normal;min-width:0;max-width:none}
td::before{content:attr(data-label) ": ";font-weight:600;color:#555}}"""

#: export of every plot as SVG or PNG (drawn on a canvas at 3x); ``#selftest`` in the address draws every
#: PNG once and lists the results in ``<pre id="selftest">`` (for a headless browser's --dump-dom)
_SCRIPT = """(function(){
function svgText(svg){var c=svg.cloneNode(true);c.setAttribute('xmlns','http://www.w3.org/2000/svg');
var st=document.createElementNS('http://www.w3.org/2000/svg','style');
st.textContent='text{font-family:system-ui,"Noto Sans","Noto Sans Devanagari",sans-serif;font-size:12px}';
c.insertBefore(st,c.firstChild);c.insertBefore(document.createElementNS('http://www.w3.org/2000/svg','rect'),st);
var bg=c.firstChild;bg.setAttribute('width','100%');bg.setAttribute('height','100%');bg.setAttribute('fill','#fff');
return new XMLSerializer().serializeToString(c);}
function save(name,blob){var a=document.createElement('a');a.href=URL.createObjectURL(blob);a.download=name;
document.body.appendChild(a);a.click();a.remove();setTimeout(function(){URL.revokeObjectURL(a.href);},5000);}
function png(svg,done){var w=svg.viewBox.baseVal.width,h=svg.viewBox.baseVal.height,k=3,img=new Image();
img.onload=function(){var cv=document.createElement('canvas');cv.width=w*k;cv.height=h*k;
var cx=cv.getContext('2d');cx.fillStyle='#fff';cx.fillRect(0,0,cv.width,cv.height);cx.drawImage(img,0,0,w*k,h*k);
cv.toBlob(function(b){done(b,cv.width,cv.height);},'image/png');};
img.onerror=function(){done(null,0,0);};
img.src='data:image/svg+xml;charset=utf-8,'+encodeURIComponent(svgText(svg));}
document.querySelectorAll('button[data-export]').forEach(function(b){b.addEventListener('click',function(){
var name=b.getAttribute('data-plot'),svg=document.querySelector('svg[data-plot="'+name+'"]');
if(b.getAttribute('data-export')==='svg'){save(name+'.svg',new Blob([svgText(svg)],{type:'image/svg+xml'}));}
else{png(svg,function(blob){if(blob)save(name+'.png',blob);});}});});
if(location.hash==='#selftest'){var out=document.createElement('pre');out.id='selftest';
document.body.appendChild(out);var svgs=[].slice.call(document.querySelectorAll('svg.plot')),left=svgs.length;
svgs.forEach(function(svg){png(svg,function(blob,w,h){var name=svg.getAttribute('data-plot');
out.textContent+=name+' png '+(blob?blob.size:0)+' bytes '+w+'x'+h+' svg '+svgText(svg).length+' chars\\n';
var fin=function(){if(--left===0){out.setAttribute('data-done','1');}};if(!blob){fin();return;}
var r=new FileReader();r.onload=function(){var im=document.createElement('img');im.className='selftest-png';
im.setAttribute('data-plot',name);im.src=r.result;document.body.appendChild(im);fin();};r.readAsDataURL(blob);});});}
})();"""

_SCRIPT_COLOURS = (("Devanagari", "#e07b39"), ("Latin", "#4a7fb5"), ("Arabic", "#5a9e5a"), ("other", "#aaa"))
_PALETTE = ("#4a7fb5", "#e07b39", "#5a9e5a", "#b55a8a", "#8a7a3a", "#3aa0a0", "#777")


def _esc(value: object) -> str:
    return html.escape(str(value))


def _table(
    header: Sequence[str], rows: Sequence[Sequence[object]], *, name: str = "", text_columns: Sequence[int] = ()
) -> str:
    """An HTML table (numbers right-aligned; ``text_columns`` wrap long text) that scrolls sideways when it
    does not fit."""
    head = "".join(f"<th>{_esc(h)}</th>" for h in header)
    labels = [f' data-label="{_esc(h)}"' for h in header]
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num"{labels[k]}>{_esc(c)}</td>'
            if isinstance(c, (int, float)) and not isinstance(c, bool)
            else f'<td class="text"{labels[k]}>{_esc(c)}</td>'
            if k in text_columns
            else f"<td{labels[k]}>{_esc(c)}</td>"
            for k, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    data = f' data-table="{_esc(name)}"' if name else ""
    return f'<div class="scroll"><table{data}><tr class="head">{head}</tr>{body}</table></div>'


def _figure(svg: str) -> str:
    """A plot with its export buttons (SVG, PNG)."""
    start = svg.find('data-plot="') + len('data-plot="')
    name = svg[start : svg.index('"', start)]
    buttons = "".join(
        f'<button type="button" data-export="{fmt}" data-plot="{_esc(name)}">{fmt.upper()}</button>'
        for fmt in ("svg", "png")
    )
    return f"<figure>{svg}<figcaption>export: {buttons}</figcaption></figure>"


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pair_rows(rows: Sequence[Any]) -> list[tuple[object, ...]]:
    return [
        ("—" if r.id is None else r.id, _clip(r.deva_text), _clip(r.roman_text), round(r.score, 3), r.kind, r.status)
        for r in rows
    ]


def _svg_open(name: str, title: str, width: int, height: int) -> list[str]:
    return [
        f'<svg class="plot" data-plot="{name}" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{_esc(title)}">',
        f'<text x="0" y="14" font-weight="bold">{_esc(title)}</text>',
    ]


def _empty(name: str, title: str) -> str:
    parts = _svg_open(name, title, 420, 50)
    parts.append('<text x="0" y="38" fill="#777">no data</text></svg>')
    return "".join(parts)


def hbars(name: str, title: str, data: Mapping[str, float], *, label_width: int = 110) -> str:
    """A horizontal bar chart."""
    if not data:
        return _empty(name, title)
    top = max(data.values()) or 1
    width = label_width + 420
    parts = _svg_open(name, title, width, 22 * len(data) + 32)
    for i, (label, value) in enumerate(data.items()):
        y = 26 + 22 * i
        w = 360 * value / top
        parts.append(f'<text x="0" y="{y + 13}">{_esc(label)}</text>')
        parts.append(
            f'<rect class="bar" x="{label_width}" y="{y}" width="{w:.1f}" height="16" fill="#4a7fb5">'
            f"<title>{_esc(label)}: {value:g}</title></rect>"
        )
        parts.append(f'<text x="{label_width + 4 + w:.1f}" y="{y + 13}">{value:g}</text>')
    parts.append("</svg>")
    return "".join(parts)


def histogram(
    name: str, title: str, values: Mapping[int, int], *, bins: int = 20, colour: str = "#4a7fb5"
) -> str:
    """A vertical-bar histogram of integer values (value -> number of occurrences) with axes."""
    values = {v: n for v, n in values.items() if n > 0}
    if not values:
        return _empty(name, title)
    lo, hi = min(values), max(values)
    step = max(1, -(-(hi - lo + 1) // bins))
    counts: Counter[int] = Counter()
    for v, c in values.items():
        counts[(v - lo) // step] += c
    n = (hi - lo) // step + 1
    width, height, left, bottom, top = 460, 240, 40, 40, 26
    plot_w, plot_h = width - left - 10, height - top - bottom
    peak = max(counts.values())
    bar_w = plot_w / n
    parts = _svg_open(name, title, width, height)
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#333"/>'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#333"/>'
        f'<text x="{left - 4}" y="{top + 10}" text-anchor="end">{peak}</text>'
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>'
    )
    for k in range(n):
        c = counts.get(k, 0)
        h = plot_h * c / peak
        x = left + k * bar_w
        start = lo + k * step
        label = f"{start}" if step == 1 else f"{start}–{start + step - 1}"
        parts.append(
            f'<rect class="bar" x="{x + 1:.1f}" y="{top + plot_h - h:.1f}" width="{max(bar_w - 2, 1):.1f}" '
            f'height="{h:.1f}" fill="{colour}"><title>{label} tokens: {c}</title></rect>'
        )
    ticks = sorted({0, n // 2, n - 1})
    for k in ticks:
        parts.append(
            f'<text x="{left + (k + 0.5) * bar_w:.1f}" y="{top + plot_h + 14}" text-anchor="middle">'
            f"{lo + k * step}</text>"
        )
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle">tokens per sentence '
        f"({sum(values.values())} sentences)</text></svg>"
    )
    return "".join(parts)


def scatter(name: str, title: str, points: Sequence[tuple[int, int, str]]) -> str:
    """A scatter plot of (x, y, colour) points with a y = x guide."""
    if not points:
        return _empty(name, title)
    if len(points) > MAX_POINTS:  # every k-th point: deterministic
        k = -(-len(points) // MAX_POINTS)
        points = points[::k]
    width, height, left, bottom, top = 460, 400, 48, 40, 26
    plot_w, plot_h = width - left - 12, height - top - bottom
    peak = max(max(x for x, _, _ in points), max(y for _, y, _ in points), 1)
    parts = _svg_open(name, title, width, height)
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#333"/>'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#333"/>'
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top}" stroke="#bbb" '
        f'stroke-dasharray="4 3"/>'
        f'<text x="{left - 4}" y="{top + 10}" text-anchor="end">{peak}</text>'
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>'
        f'<text x="{left + plot_w}" y="{top + plot_h + 14}" text-anchor="end">{peak}</text>'
    )
    for x, y, colour in points:
        cx = left + plot_w * x / peak
        cy = top + plot_h - plot_h * y / peak
        parts.append(
            f'<circle class="pt" cx="{cx:.1f}" cy="{cy:.1f}" r="2.5" fill="{colour}" fill-opacity=".6"/>'
        )
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle">Devanagari characters → '
        f"(y: romanized characters; orange: not written)</text></svg>"
    )
    return "".join(parts)


def score_histogram(
    name: str, title: str, bins: Sequence[tuple[int, int]], *, min_score: float | None = None
) -> str:
    """Histogram of alignment scores in [0, 1]: ``bins`` of equal width, each (written, not written)
    stacked; a dashed line at ``min_score``."""
    if not bins or not any(a or b for a, b in bins):
        return _empty(name, title)
    width, height, left, bottom, top = 460, 240, 40, 40, 40
    plot_w, plot_h = width - left - 10, height - top - bottom
    peak = max(a + b for a, b in bins)
    bar_w = plot_w / len(bins)
    parts = _svg_open(name, title, width, height)
    parts.append(
        f'<rect x="{left}" y="20" width="10" height="10" fill="{_PALETTE[0]}"/><text x="{left + 14}" y="29">written</text>'
        f'<rect x="{left + 90}" y="20" width="10" height="10" fill="{_PALETTE[1]}"/>'
        f'<text x="{left + 104}" y="29">not written</text>'
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#333"/>'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#333"/>'
        f'<text x="{left - 4}" y="{top + 10}" text-anchor="end">{peak}</text>'
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>'
    )
    for k, (kept, dropped) in enumerate(bins):
        x = left + k * bar_w
        lo, hi = k / len(bins), (k + 1) / len(bins)
        y: float = top + plot_h
        for count, colour, what in ((kept, _PALETTE[0], "written"), (dropped, _PALETTE[1], "not written")):
            if not count:
                continue
            h = plot_h * count / peak
            y -= h
            parts.append(
                f'<rect class="bar" x="{x + 1:.1f}" y="{y:.1f}" width="{max(bar_w - 2, 1):.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>score {lo:.2f}–{hi:.2f}: {count} {what}</title></rect>'
            )
    for tick in (0.0, 0.5, 1.0):
        parts.append(
            f'<text x="{left + plot_w * tick:.1f}" y="{top + plot_h + 14}" text-anchor="middle">{tick:g}</text>'
        )
    if min_score is not None and 0.0 < min_score < 1.0:
        x = left + plot_w * min_score
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="#a40" stroke-dasharray="4 3"/>'
            f'<text x="{x + 3:.1f}" y="{top + 10}" fill="#a40">min score {min_score:g}</text>'
        )
    total = sum(a + b for a, b in bins)
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle">alignment score '
        f"({total} sentence pairs)</text></svg>"
    )
    return "".join(parts)


def variant_bars(name: str, title: str, lexicon: VariantTable, *, top: int = TOP_VARIANTS) -> str:
    """Stacked bars: the words with more than one romanization (most spellings first), one segment per
    romanization; words with a single spelling are left out."""
    varying = [e for e in lexicon.entries if len(e.variants) > 1]
    entries = sorted(varying, key=lambda e: (-len(e.variants), -e.total, e.native))[:top]
    if not entries:
        return _empty(name, title)
    label_w, bar_w = 90, 360
    width = label_w + bar_w + 330
    peak = max(e.total for e in entries)
    parts = _svg_open(name, title, width, 22 * len(entries) + 32)
    for i, entry in enumerate(entries):
        y = 26 + 22 * i
        parts.append(f'<text x="0" y="{y + 13}">{_esc(entry.native)}</text>')
        x = float(label_w)
        for j, (roman, count) in enumerate(entry.variants):
            w = bar_w * count / peak
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{y}" width="{w:.1f}" height="16" '
                f'fill="{_PALETTE[j % len(_PALETTE)]}"><title>{_esc(entry.native)} → {_esc(roman)}: '
                f"{count}</title></rect>"
            )
            x += w
        shown = ", ".join(f"{r} ×{n}" for r, n in entry.variants[:5])
        more = f" +{len(entry.variants) - 5}" if len(entry.variants) > 5 else ""
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 13}">{_esc(shown + more)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def script_mix(name: str, title: str, documents: Sequence[tuple[str, str, DocumentDetection]]) -> str:
    """One stacked bar of script shares per document (source, encoding, detection), labelled with its
    file name and language."""
    docs = documents[:MAX_DOCUMENT_ROWS]
    if not docs:
        return _empty(name, title)
    label_w, bar_w = 260, 360
    width = label_w + bar_w + 80
    parts = _svg_open(name, title, width, 22 * len(docs) + 56)
    legend_x = 0
    for script, colour in _SCRIPT_COLOURS:
        parts.append(
            f'<rect x="{legend_x}" y="22" width="10" height="10" fill="{colour}"/>'
            f'<text x="{legend_x + 14}" y="31">{script}</text>'
        )
        legend_x += 100
    for i, (source, _encoding, detection) in enumerate(docs):
        y = 44 + 22 * i
        det = detection.document
        shares = det.shares.shares()
        doc_name = PurePath(source).name
        label = doc_name if len(doc_name) <= 32 else doc_name[:29] + "…"
        parts.append(f'<text x="0" y="{y + 13}">{_esc(label)}</text>')
        x = float(label_w)
        for script, colour in _SCRIPT_COLOURS:
            w = bar_w * shares.get(script, 0.0)
            if w > 0:
                parts.append(
                    f'<rect class="bar" x="{x:.1f}" y="{y}" width="{w:.1f}" height="16" fill="{colour}">'
                    f"<title>{_esc(doc_name)}: {script} {shares.get(script, 0.0):.0%}</title></rect>"
                )
            x += w
        parts.append(f'<text x="{label_w + bar_w + 6}" y="{y + 13}">{_esc(det.language)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _tokens(text: str) -> int:
    return len(text.split())


def render_report(
    *,
    load: Any,
    documents: Sequence[tuple[str, str, DocumentDetection]],
    twins: TwinReport,
    stats: CorpusStats,
    alignment: Any,
    lexicon: VariantTable,
    build: Any,
) -> str:
    """The self-contained HTML report of a build: ``load`` is its :class:`lipyantar.corpora.build.LoadSummary`,
    ``documents`` the (source, encoding, detection) of the first documents (at least
    :data:`MAX_DOCUMENT_ROWS`), ``alignment`` its :class:`lipyantar.corpora.build.AlignmentSummary` and ``build``
    the :class:`lipyantar.corpora.build.BuildResult`."""
    d = build.dropped
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'><title>lipyantar corpus report</title>",
        f"<style>{_CSS}</style></head><body><h1>Corpus report</h1>",
        f"<p>{load.documents} documents read, {len(load.skipped)} skipped; {len(twins.pairs)} twin pairs; "
        f"{build.aligned} beads aligned, <b>{build.beads} sentence pairs written</b> "
        f"(dropped: {d.unmatched} unmatched, {d.low_score} below the minimum score, {d.duplicate} duplicates); "
        f"{lexicon.words} lexicon words; model: {_esc(build.model or 'none')}.</p>",
    ]
    for note in build.notes:
        out.append(f"<p class='warn'>{_esc(note)}</p>")
    if load.skipped or load.empty_directories:
        out.append("<h2>Skipped files</h2>")
        skipped = [(s.source, s.reason) for s in load.skipped]
        skipped += [(e, "empty directory") for e in load.empty_directories]
        out.append(_table(["file", "reason"], skipped))

    out.append("<h2>Alignment</h2>")
    samples = getattr(alignment, "samples", ())
    lowest = getattr(alignment, "lowest", ())
    pair_header = ["id", "Devanagari", "romanized", "score", "bead", "status"]
    out.append(
        f"<h3>Sample of the sentence pairs</h3><p class='note'>{len(samples)} of the {build.beads} written "
        "pairs, evenly spread over the corpus; <i>id</i> is the pair's <code>id</code> in parallel.jsonl.</p>"
    )
    out.append(_table(pair_header, _pair_rows(samples), name="sample-pairs", text_columns=(1, 2)))
    out.append(
        f"<h3>Lowest-scoring sentence pairs</h3><p class='note'>The {len(lowest)} aligned sentence pairs "
        "(beads with text on both sides) with the lowest alignment scores, written or not: where to look "
        "for alignment errors.</p>"
    )
    out.append(_table(pair_header, _pair_rows(lowest), name="lowest-pairs", text_columns=(1, 2)))
    out.append("<div class='plots'>")
    out.append(
        _figure(
            score_histogram(
                "alignment-scores",
                "Alignment scores of the sentence pairs",
                getattr(alignment, "score_bins", ()),
                min_score=getattr(alignment, "min_score", None),
            )
        )
    )
    out.append(_figure(hbars("bead-types", "Bead types", dict(alignment.bead_types), label_width=60)))
    out.append(_figure(histogram("length-deva", "Sentence length, Devanagari side", alignment.deva_lengths)))
    out.append(
        _figure(
            histogram(
                "length-roman", "Sentence length, romanized side", alignment.roman_lengths, colour="#e07b39"
            )
        )
    )
    title = "Sentence length: Devanagari vs romanized (characters)"
    if alignment.stride > 1:
        title += f", every {alignment.stride}th bead"
    out.append(_figure(scatter("length-ratio", title, alignment.points)))
    out.append("</div>")
    p = stats.parallel
    if p is not None:
        r = p.length_ratio
        out.append(
            f"<p>Length ratio romanized/Devanagari: mean {r.mean:.3f}, median {r.median:.3f}, "
            f"stdev {r.stdev:.3f}.</p>"
        )
    out.append("<h2>Romanization variants</h2>")
    out.append(
        f"<p>{lexicon.words} words, {lexicon.ambiguous_words} with several spellings; entropy "
        f"{lexicon.mean_entropy:.3f} bits per word, {lexicon.weighted_entropy:.3f} weighted by frequency.</p>"
    )
    varying = sorted(
        (e for e in lexicon.entries if len(e.variants) > 1), key=lambda e: (-e.entropy * e.total, e.native)
    )
    if varying:
        out.append(_figure(variant_bars("variants", "Words with more than one romanization", lexicon)))
        out.append(
            _table(
                ["word", "count", "entropy (bits)", "romanizations"],
                [
                    (e.native, e.total, round(e.entropy, 3), ", ".join(f"{r} ×{n}" for r, n in e.variants))
                    for e in varying[:50]
                ],
                name="variants",
                text_columns=(3,),
            )
        )
    else:
        out.append(
            f"<p class='note'>No word varies: each of the {lexicon.words} aligned words has a single "
            "romanization in this corpus (lexicon.tsv lists them with their counts).</p>"
        )

    out.append("<h2>Documents</h2>")
    if load.documents > MAX_DOCUMENT_ROWS:
        out.append(f"<p>The first {MAX_DOCUMENT_ROWS} of {load.documents} documents.</p>")
    out.append(_figure(script_mix("script-mix", "Script mix per document (and detected language)", documents)))
    out.append(_figure(hbars("languages", "Documents per language", dict(stats.languages))))
    rows = []
    for source, encoding, detection in documents[:MAX_DOCUMENT_ROWS]:
        det = detection.document
        shares = det.shares.shares()
        rows.append(
            (
                source,
                encoding,
                det.language,
                round(det.confidence, 3),
                f"{shares['Devanagari']:.0%} / {shares['Latin']:.0%} / {shares['Arabic']:.0%}",
                round(det.cmi, 1),
            )
        )
    out.append(_table(["file", "encoding", "language", "confidence", "Deva / Latin / Arabic", "CMI"], rows))

    out.append("<h2>Twins</h2>")
    out.append(
        _table(
            ["Devanagari", "romanized", "score"],
            [(tp.devanagari, tp.romanized, round(tp.score, 3)) for tp in twins.pairs[:MAX_DOCUMENT_ROWS]],
        )
    )
    out.append(
        _table(
            ["unpaired", "language", "reason"],
            [(u.source, u.language, u.reason) for u in twins.unpaired[:MAX_DOCUMENT_ROWS]],
        )
    )
    for key, message in build.pair_errors.items():
        out.append(f"<p class='warn'>{_esc(key)}: not aligned: {_esc(message)}</p>")

    out.append("<h2>Statistics</h2>")
    out.append(
        _table(
            ["documents", "paragraphs", "sentences", "tokens", "types", "type/token"],
            [
                (
                    stats.documents,
                    stats.paragraphs,
                    stats.sentences,
                    stats.tokens,
                    stats.types,
                    round(stats.type_token_ratio, 4),
                )
            ],
        )
    )
    out.append(
        _figure(
            hbars(
                "sentence-length-buckets",
                "Sentence length (tokens), all documents",
                dict(stats.sentence_lengths.histogram),
            )
        )
    )
    out.append(
        f"<p>Romanized text: English share {stats.english_share:.1%}; CMI mean {stats.cmi.mean:.2f} over "
        f"{stats.cmi.utterances} sentences ({stats.cmi.mixed} code-mixed, mean {stats.cmi.mixed_mean:.2f}).</p>"
    )
    out.append(f"<script>{_SCRIPT}</script></body></html>\n")
    return "\n".join(out)
