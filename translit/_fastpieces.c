/*
 * lipyantar.translit._fastpieces: compiled Devanagari -> roman (learned) conversion of a text's
 * space-separated pieces, for the pieces whose words' romanizations are look-ups.
 *
 * The pure-Python code is the reference (lipyantar.translit.transliterate._FromDeva.convert with
 * LearnedModel.romanize); this module gives exactly its output and leaves the memos as it would
 * (the piece memo, the model's best-romanization memo):
 *
 *   convert(text, pieces, (best, first, last, values, counts, table, limit, rules, prior, common_above,
 *            romanize, loan_score, checkpoint, marks, memo)) -> str
 *       " ".join(pieces[p] for p in text.split(" ")), where a piece missing from the memo ``pieces``
 *       (a dict subclass whose __missing__ converts and stores it: the Python path) is converted
 *       here when it is at most 64 code points (MAX_WORD_CHARS) of plain Devanagari words (below),
 *       ASCII characters (kept) and characters of ``marks`` (the stage's replacements of single
 *       characters: the dandas, the abbreviation sign, the Devanagari digits; ASCII values), and the
 *       romanization of each word is ASCII. A word's romanization is a look-up where it can be: the
 *       model's memo ``best`` (word -> roman), else the memory's reading of the word (``first``/``last``:
 *       word -> its first/last row in the memory's sorted columns, ``values`` and ``counts``: their
 *       romanizations and counts): its only one, or the most frequent one when that is also
 *       ``rules(word)``, its rule-based romanization, or ``prior(word)``, its log prior, is None or at
 *       most ``common_above``, else the precomputed table (``table``: word -> (roman, score), or a
 *       function giving it, called when a word first needs it; a table that is not a dict: none; a
 *       table word whose score is at most ``loan_score`` goes to ``romanize``, which decides whether it
 *       is an English loanword: lipyantar.translit.learned.loanwords); a word
 *       found so is stored in ``best`` (cleared first when it holds more than ``limit`` words, as
 *       LearnedModel.romanize does). Any other word is ``romanize(word)`` (the model's, which ranks
 *       the readings or searches). ``checkpoint()`` (the time budget) runs before the first word of a
 *       call not in ``best`` and every 256 after it; the piece's conversion is stored in ``pieces``.
 *       Every other piece is ``pieces[piece]`` (Python). ``memo`` (a Memo, or None) keeps the pieces
 *       seen (what ``pieces`` gave or was given) to look them up from the text's code points.
 *
 *   known_nfc(text) -> bool
 *       Whether ``text`` is known to be in NFC by a check of its code points (see below), so that
 *       lipyantar.translit.normalize.Normalizer need not ask unicodedata (which normalizes Devanagari
 *       with a nukta or a virama in full to find it unchanged).
 *
 *   plain_normal(text) -> bool
 *       Whether the default lipyantar.translit.normalize.Normalizer() is known to leave ``text`` as it is
 *       (known_nfc, and nothing else of its rules applies: no carriage return, ZWNJ, ZWJ or "|", no
 *       danda close after another), checked in one pass over the code points: most lines of running text.
 *
 *   sign_lines(data) -> int
 *       The number of lines of an origin signs file's body when every line is ``word<TAB>+`` or
 *       ``word<TAB>-`` and they are sorted (lines_sorted), else -1: the body's checks in one pass.
 *
 *   lines_sorted(data) -> bool
 *       Whether the lines of the bytes ``data`` (newline-separated, a final newline ending the last
 *       one) are in non-decreasing order (as a sorted list of them would be), checked in place (the
 *       origin signs' file: searched unsplit).
 *
 * A plain Devanagari word: a run of 1..64 code points of U+0900..U+0950, U+0955..U+0963 and
 * U+0971..U+097F without the precomposed nukta letters U+0958..U+095F, no nukta or virama right after
 * a nukta or virama, no nukta after न र ळ. Every such code point is of the Devanagari script (so the
 * run is one match of the tokenizer's Devanagari word pattern, which ASCII and the marks end), and
 * such a string is its own normalization (NFC, nothing for lipyantar.translit.normalize.Normalizer
 * to strip or map), so the model's look-ups take it as it is.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define NUKTA 0x093C
#define VIRAMA 0x094D
#define MAX_PIECE 64

/* a code point of a plain word */
static inline int plain_char(Py_UCS4 c) {
    return c >= 0x0900 && c <= 0x097F && !(c >= 0x0951 && c <= 0x0954) && !(c >= 0x0958 && c <= 0x095F) &&
           !(c >= 0x0964 && c <= 0x0970);
}

/* Whether s[0:n], a run of plain_char code points, is a plain word. */
static int plain_word(const Py_UCS2 *s, Py_ssize_t n) {
    if (n < 1 || n > MAX_PIECE)
        return 0;
    Py_UCS4 prev = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = s[i];
        if (c == NUKTA || c == VIRAMA) {
            if (prev == NUKTA || prev == VIRAMA)
                return 0;
            if (c == NUKTA && (prev == 0x0928 || prev == 0x0930 || prev == 0x0933))
                return 0;
        }
        prev = c;
    }
    return 1;
}

typedef struct {
    PyObject *best, *first, *last, *values, *table, *checkpoint, *marks, *rules, *prior, *romanize;
    double common_above; /* the log prior above which a word is common (english.keep_logprior) */
    double loan_score; /* a table word scored at most this may be an English loanword: romanize decides */
    PyObject *table_fn; /* a callable giving ``table`` on first need (NULL: table given, or asked) */
    PyObject *table_owned; /* the table the callable gave (a new reference, released after the call) */
    const double *counts; /* the memory's counts, in the order of values (NULL: not readable) */
    Py_ssize_t n_counts, limit;
    Py_ssize_t new_words; /* words looked up in this call (checkpoint() before the first and every CHECK_EVERY) */
} Lookups;

#define CHECK_EVERY 256

#define MAX_READINGS 16

/* Of a word with rows i..j (i < j) in the memory: the most frequent reading (ties: the first in code
   point order) when the model keeps it first (lipyantar.translit.learned.origin.native_first): it is
   the word's rule-based reading, or the word's log prior is unknown or at most common_above, as a
   new reference; NULL with no error set when Python is to rank the readings (a reading on several
   rows, many rows, a common word whose first reading is not its rule-based one). */
static PyObject *ranked_first(PyObject *word, Py_ssize_t i, Py_ssize_t j, const Lookups *lk) {
    if (lk->counts == NULL || j - i + 1 > MAX_READINGS || j >= lk->n_counts || j >= PyList_GET_SIZE(lk->values))
        return NULL;
    Py_ssize_t top = i;
    for (Py_ssize_t a = i; a <= j; a++) {
        PyObject *v = PyList_GET_ITEM(lk->values, a);
        if (!PyUnicode_Check(v))
            return NULL;
        for (Py_ssize_t b = i; b < a; b++) { /* a reading twice: its counts are summed (Python) */
            int same = PyUnicode_Compare(v, PyList_GET_ITEM(lk->values, b));
            if (same == -1 && PyErr_Occurred())
                return NULL;
            if (same == 0)
                return NULL;
        }
        if (a > i) {
            double ca = lk->counts[a], ct = lk->counts[top];
            if (ca > ct) {
                top = a;
            } else if (ca == ct) {
                int order = PyUnicode_Compare(v, PyList_GET_ITEM(lk->values, top));
                if (order == -1 && PyErr_Occurred())
                    return NULL;
                if (order < 0)
                    top = a;
            }
        }
    }
    PyObject *first = PyList_GET_ITEM(lk->values, top);
    Py_INCREF(first); /* held across the calls below */
    PyObject *ruled = PyObject_CallOneArg(lk->rules, word);
    if (ruled == NULL)
        goto not_kept;
    int same = PyUnicode_Check(ruled) ? PyUnicode_Compare(ruled, first) : 1;
    Py_DECREF(ruled);
    if (same == -1 && PyErr_Occurred())
        goto not_kept;
    if (same == 0)
        return first;
    PyObject *lp = PyObject_CallOneArg(lk->prior, word);
    if (lp == NULL)
        goto not_kept;
    int keep = lp == Py_None;
    if (!keep && PyFloat_CheckExact(lp))
        keep = PyFloat_AS_DOUBLE(lp) <= lk->common_above; /* NaN: not kept (Python goes on) */
    Py_DECREF(lp);
    if (keep)
        return first;
not_kept:
    Py_DECREF(first);
    return NULL;
}

/* The romanization of a plain word without a search (a new reference), NULL with no error set
   when there is none (Python then converts the piece), NULL with an error set on failure. */
static PyObject *looked_up(PyObject *piece, Lookups *lk) {
    PyObject *best = lk->best;
    PyObject *out = PyDict_GetItemWithError(best, piece);
    if (out != NULL) {
        if (!PyUnicode_Check(out))
            return NULL;
        Py_INCREF(out);
        return out;
    }
    if (PyErr_Occurred())
        return NULL;
    if (lk->new_words++ % CHECK_EVERY == 0) { /* words not romanized before: the time budget's turn */
        PyObject *ok = PyObject_CallNoArgs(lk->checkpoint);
        if (ok == NULL)
            return NULL;
        Py_DECREF(ok);
    }
    PyObject *lo = PyDict_GetItemWithError(lk->first, piece);
    if (lo != NULL) {
        PyObject *hi = PyDict_GetItemWithError(lk->last, piece);
        if (hi == NULL)
            return NULL;
        Py_ssize_t i = PyLong_AsSsize_t(lo), j = PyLong_AsSsize_t(hi);
        if ((i == -1 || j == -1) && PyErr_Occurred())
            return NULL;
        if (i < 0 || j < i || j >= PyList_GET_SIZE(lk->values))
            return NULL;
        if (i == j) {
            out = PyList_GET_ITEM(lk->values, i);
            Py_INCREF(out);
        } else {
            out = ranked_first(piece, i, j, lk);
            if (out == NULL)
                return NULL;
        }
    } else {
        if (PyErr_Occurred())
            return NULL;
        if (lk->table_fn != NULL) { /* the table, built when a word first needs it */
            PyObject *table = PyObject_CallNoArgs(lk->table_fn);
            lk->table_fn = NULL;
            if (table == NULL)
                return NULL;
            if (PyDict_CheckExact(table)) {
                lk->table = lk->table_owned = table;
            } else {
                Py_DECREF(table); /* another mapping: romanize reads it */
                lk->table = NULL;
            }
        }
        if (lk->table == NULL)
            return NULL;
        PyObject *row = PyDict_GetItemWithError(lk->table, piece);
        if (row == NULL || !PyTuple_Check(row) || PyTuple_GET_SIZE(row) < 2)
            return NULL;
        PyObject *score = PyTuple_GET_ITEM(row, 1);
        /* not a float, NaN, or low enough to be a loanword: romanize (Python) decides */
        if (!PyFloat_CheckExact(score) || !(PyFloat_AS_DOUBLE(score) > lk->loan_score))
            return NULL;
        out = PyTuple_GET_ITEM(row, 0);
        Py_INCREF(out);
    }
    if (!PyUnicode_Check(out)) {
        Py_DECREF(out);
        return NULL;
    }
    if (PyDict_GET_SIZE(best) > lk->limit)
        PyDict_Clear(best);
    if (PyDict_SetItem(best, piece, out) < 0) {
        Py_DECREF(out);
        return NULL;
    }
    return out;
}


typedef struct {
    char *data;
    Py_ssize_t len, cap;
    char stack[256];
} Buffer;

static int buffer_add(Buffer *b, const char *s, Py_ssize_t n) {
    if (b->len + n > b->cap) {
        Py_ssize_t cap = 2 * (b->len + n);
        char *data = b->data == b->stack ? PyMem_Malloc(cap) : PyMem_Realloc(b->data, cap);
        if (data == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        if (b->data == b->stack)
            memcpy(data, b->stack, b->len);
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    return 0;
}

static int buffer_add_ascii(Buffer *b, PyObject *text) {
    return buffer_add(b, (const char *)PyUnicode_1BYTE_DATA(text), PyUnicode_GET_LENGTH(text));
}

/* The conversion of a piece missing from the memo (a new reference), NULL with no error set when
   Python is to convert it, NULL with an error set on failure. Handled here: pieces of at most
   MAX_PIECE code points made of plain words, ASCII characters (kept) and the characters of ``marks``
   (the stage's one-character replacements, all ASCII), whose words are look-ups with ASCII
   romanizations. The words are what the tokenizer's Devanagari word pattern finds in the piece:
   ASCII and the marks (the danda, the abbreviation sign, the Devanagari digits) end a word. */
static PyObject *converted(PyObject *piece, Lookups *lk) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(piece);
    int kind = PyUnicode_KIND(piece);
    if (n < 1 || n > MAX_PIECE || kind == PyUnicode_4BYTE_KIND)
        return NULL;
    if (PyUnicode_IS_ASCII(piece)) { /* no word, nothing to map */
        Py_INCREF(piece);
        return piece;
    }
    if (kind != PyUnicode_2BYTE_KIND)
        return NULL;
    const Py_UCS2 *s = PyUnicode_2BYTE_DATA(piece);
    /* first the piece's form, so that a piece left to Python has had none of its words looked up
       here (the memo then holds what the Python path stores, no more) */
    for (Py_ssize_t i = 0; i < n;) {
        Py_UCS4 c = s[i];
        if (plain_char(c)) {
            Py_ssize_t j = i + 1;
            while (j < n && plain_char(s[j]))
                j++;
            if (!plain_word(s + i, j - i))
                return NULL;
            i = j;
        } else if (c < 128) {
            i++;
        } else {
            PyObject *key = PyUnicode_FromOrdinal(c);
            if (key == NULL)
                return NULL;
            PyObject *mapped = PyDict_GetItemWithError(lk->marks, key);
            Py_DECREF(key);
            if (mapped == NULL || !PyUnicode_Check(mapped) || !PyUnicode_IS_ASCII(mapped))
                return NULL;
            i++;
        }
    }
    Buffer b = {.data = NULL, .len = 0, .cap = sizeof(b.stack)};
    b.data = b.stack;
    PyObject *out = NULL;
    Py_ssize_t i = 0;
    while (i < n) {
        Py_UCS4 c = s[i];
        if (plain_char(c)) {
            Py_ssize_t j = i + 1;
            while (j < n && plain_char(s[j]))
                j++;
            PyObject *word = (i == 0 && j == n) ? (Py_INCREF(piece), piece)
                                                : PyUnicode_FromKindAndData(PyUnicode_2BYTE_KIND, s + i, j - i);
            if (word == NULL)
                goto done;
            PyObject *roman = looked_up(word, lk);
            if (roman == NULL && !PyErr_Occurred()) {
                /* not a look-up (a search, readings to rank): the model's romanize, as Python calls it */
                if (lk->new_words++ % CHECK_EVERY == 0) {
                    PyObject *ok = PyObject_CallNoArgs(lk->checkpoint);
                    if (ok == NULL) {
                        Py_DECREF(word);
                        goto done;
                    }
                    Py_DECREF(ok);
                }
                roman = PyObject_CallOneArg(lk->romanize, word);
                if (roman != NULL && !PyUnicode_Check(roman)) {
                    Py_CLEAR(roman);
                    PyErr_SetString(PyExc_TypeError, "convert: romanize gave a non-str");
                }
            }
            Py_DECREF(word);
            if (roman == NULL)
                goto done;
            int bad = !PyUnicode_IS_ASCII(roman) || buffer_add_ascii(&b, roman) < 0;
            Py_DECREF(roman);
            if (bad)
                goto done;
            i = j;
        } else if (c < 128) {
            char ch = (char)c;
            if (buffer_add(&b, &ch, 1) < 0)
                goto done;
            i++;
        } else {
            PyObject *key = PyUnicode_FromOrdinal(c);
            if (key == NULL)
                goto done;
            PyObject *mapped = PyDict_GetItemWithError(lk->marks, key);
            Py_DECREF(key);
            if (mapped == NULL || !PyUnicode_Check(mapped) || !PyUnicode_IS_ASCII(mapped) ||
                buffer_add_ascii(&b, mapped) < 0)
                goto done;
            i++;
        }
    }
    out = PyUnicode_DecodeASCII(b.data, b.len, NULL);
done:
    if (b.data != b.stack)
        PyMem_Free(b.data);
    return out;
}


/* ------------------------------------------------------------------------------------------- Memo */

/* A memo of pieces in front of the piece dict: piece -> its conversion, looked up from the text's
   code points (no string made, no dict hashing), at most ``limit`` pieces of at most MAX_PIECE code
   points (cleared when full, as the stage clears the dict). It holds only what the dict gave or
   stored, so its answers are the dict's. */
typedef struct {
    Py_hash_t hash;
    PyObject *key; /* NULL: empty */
    PyObject *value;
} Slot;

typedef struct {
    PyObject_HEAD
    Slot *slots;
    Py_ssize_t size, used, limit; /* size: a power of two (0: nothing allocated) */
} MemoObject;

static void memo_clear_slots(MemoObject *m) {
    for (Py_ssize_t i = 0; i < m->size; i++) {
        Py_CLEAR(m->slots[i].key);
        Py_CLEAR(m->slots[i].value);
    }
    m->used = 0;
}

static void memo_dealloc(MemoObject *m) {
    memo_clear_slots(m);
    PyMem_Free(m->slots);
    Py_TYPE(m)->tp_free((PyObject *)m);
}

static int memo_init(MemoObject *m, PyObject *args, PyObject *kwds) {
    Py_ssize_t limit;
    if (!PyArg_ParseTuple(args, "n", &limit))
        return -1;
    if (limit < 1) {
        PyErr_SetString(PyExc_ValueError, "Memo: limit must be >= 1");
        return -1;
    }
    memo_clear_slots(m);
    m->limit = limit;
    return 0;
}

static PyObject *memo_clear(MemoObject *m, PyObject *unused) {
    memo_clear_slots(m);
    Py_RETURN_NONE;
}

static Py_ssize_t memo_len(MemoObject *m) { return m->used; }

/* FNV-1a over the code points of text[start:end] */
static Py_hash_t span_hash(int kind, const void *data, Py_ssize_t start, Py_ssize_t end) {
    uint64_t h = 1469598103934665603ULL;
    for (Py_ssize_t i = start; i < end; i++) {
        h ^= (uint64_t)PyUnicode_READ(kind, data, i);
        h *= 1099511628211ULL;
    }
    return (Py_hash_t)(h >> 1);
}

static int span_equal(PyObject *key, int kind, const void *data, Py_ssize_t start, Py_ssize_t end) {
    Py_ssize_t n = end - start;
    if (PyUnicode_GET_LENGTH(key) != n)
        return 0;
    int kkind = PyUnicode_KIND(key);
    const void *kdata = PyUnicode_DATA(key);
    if (kkind == kind)
        return memcmp((const char *)kdata, (const char *)data + start * kind, (size_t)(n * kind)) == 0;
    for (Py_ssize_t i = 0; i < n; i++)
        if (PyUnicode_READ(kkind, kdata, i) != PyUnicode_READ(kind, data, start + i))
            return 0;
    return 1;
}

/* The value of text[start:end] (borrowed), NULL when the memo does not hold it */
static PyObject *memo_find(MemoObject *m, Py_hash_t h, int kind, const void *data, Py_ssize_t start,
                           Py_ssize_t end) {
    if (m->size == 0)
        return NULL;
    size_t mask = (size_t)m->size - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        Slot *slot = &m->slots[i];
        if (slot->key == NULL)
            return NULL;
        if (slot->hash == h && span_equal(slot->key, kind, data, start, end))
            return slot->value;
    }
}

static int memo_grow(MemoObject *m) {
    Py_ssize_t size = m->size ? 2 * m->size : 1024;
    Slot *slots = PyMem_Calloc((size_t)size, sizeof(Slot));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    size_t mask = (size_t)size - 1;
    for (Py_ssize_t i = 0; i < m->size; i++) {
        Slot *old = &m->slots[i];
        if (old->key == NULL)
            continue;
        size_t j = (size_t)old->hash & mask;
        while (slots[j].key != NULL)
            j = (j + 1) & mask;
        slots[j] = *old;
    }
    PyMem_Free(m->slots);
    m->slots = slots;
    m->size = size;
    return 0;
}

/* Store key -> value (new references taken); -1 on failure */
static int memo_add(MemoObject *m, Py_hash_t h, PyObject *key, PyObject *value) {
    if (m->used >= m->limit)
        memo_clear_slots(m);
    if (2 * (m->used + 1) > m->size && memo_grow(m) < 0)
        return -1;
    size_t mask = (size_t)m->size - 1, i = (size_t)h & mask;
    while (m->slots[i].key != NULL)
        i = (i + 1) & mask;
    Py_INCREF(key);
    Py_INCREF(value);
    m->slots[i] = (Slot){.hash = h, .key = key, .value = value};
    m->used++;
    return 0;
}

static PyMethodDef memo_methods[] = {
    {"clear", (PyCFunction)memo_clear, METH_NOARGS, "clear(): forget every piece"},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods memo_as_sequence = {.sq_length = (lenfunc)memo_len};

static PyTypeObject MemoType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "lipyantar.translit._fastpieces.Memo",
    .tp_basicsize = sizeof(MemoObject),
    .tp_dealloc = (destructor)memo_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Memo(limit): pieces -> conversions, looked up from a text's code points (see convert)",
    .tp_methods = memo_methods,
    .tp_as_sequence = &memo_as_sequence,
    .tp_init = (initproc)memo_init,
    .tp_new = PyType_GenericNew,
};

static PyObject *converted_text(PyObject *text, PyObject *pieces, Lookups *lk, MemoObject *memo);

static PyObject *fastpieces_convert(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 3 || !PyUnicode_Check(args[0]) || !PyDict_Check(args[1]) || !PyTuple_Check(args[2]) ||
        PyTuple_GET_SIZE(args[2]) != 15) {
        PyErr_SetString(PyExc_TypeError, "convert(text, pieces, (best, first, last, values, counts, table, limit, "
                                         "rules, prior, common_above, romanize, loan_score, checkpoint, marks, memo))");
        return NULL;
    }
    PyObject *text = args[0], *pieces = args[1], *t = args[2];
    Lookups lk = {.best = PyTuple_GET_ITEM(t, 0), .first = PyTuple_GET_ITEM(t, 1), .last = PyTuple_GET_ITEM(t, 2),
                  .values = PyTuple_GET_ITEM(t, 3), .table = PyTuple_GET_ITEM(t, 5),
                  .rules = PyTuple_GET_ITEM(t, 7), .prior = PyTuple_GET_ITEM(t, 8), .romanize = PyTuple_GET_ITEM(t, 10),
                  .checkpoint = PyTuple_GET_ITEM(t, 12), .marks = PyTuple_GET_ITEM(t, 13),
                  .table_fn = NULL, .table_owned = NULL, .counts = NULL, .n_counts = 0,
                  .new_words = 0};
    if (!PyDict_CheckExact(lk.best) || !PyDict_CheckExact(lk.first) || !PyDict_CheckExact(lk.last) ||
        !PyList_CheckExact(lk.values) || !(PyDict_CheckExact(lk.table) || PyCallable_Check(lk.table)) ||
        !PyDict_CheckExact(lk.marks)) {
        PyErr_SetString(PyExc_TypeError, "convert: lookups of the wrong types");
        return NULL;
    }
    if (!PyDict_CheckExact(lk.table)) {
        lk.table_fn = lk.table;
        lk.table = NULL;
    }
    lk.limit = PyLong_AsSsize_t(PyTuple_GET_ITEM(t, 6));
    if (lk.limit == -1 && PyErr_Occurred())
        return NULL;
    lk.common_above = PyFloat_AsDouble(PyTuple_GET_ITEM(t, 9));
    if (lk.common_above == -1.0 && PyErr_Occurred())
        return NULL;
    lk.loan_score = PyFloat_AsDouble(PyTuple_GET_ITEM(t, 11));
    if (lk.loan_score == -1.0 && PyErr_Occurred())
        return NULL;
    Py_buffer counts = {.buf = NULL};
    if (PyObject_CheckBuffer(PyTuple_GET_ITEM(t, 4))) {
        if (PyObject_GetBuffer(PyTuple_GET_ITEM(t, 4), &counts, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0) {
            PyErr_Clear(); /* not readable so: the words of several readings go to romanize */
            counts.buf = NULL;
        } else if (counts.itemsize == sizeof(double) && counts.format != NULL && strcmp(counts.format, "d") == 0) {
            lk.counts = (const double *)counts.buf;
            lk.n_counts = counts.len / (Py_ssize_t)sizeof(double);
        }
    }
    PyObject *memo = PyTuple_GET_ITEM(t, 14);
    if (memo != Py_None && !PyObject_TypeCheck(memo, &MemoType)) {
        PyErr_SetString(PyExc_TypeError, "convert: the memo must be a Memo or None");
        return NULL;
    }
    PyObject *out = converted_text(text, pieces, &lk, memo == Py_None ? NULL : (MemoObject *)memo);
    if (counts.buf != NULL)
        PyBuffer_Release(&counts);
    Py_XDECREF(lk.table_owned);
    return out;
}

/* The conversion of one piece missing from the memos (a new reference; NULL with an error set) */
static PyObject *piece_out(PyObject *piece, PyObject *pieces, Lookups *lk) {
    PyObject *out = PyDict_GetItemWithError(pieces, piece);
    if (out != NULL) {
        Py_INCREF(out);
        return out;
    }
    if (PyErr_Occurred())
        return NULL;
    out = converted(piece, lk);
    if (out == NULL && PyErr_Occurred())
        return NULL;
    if (out != NULL) {
        if (PyDict_SetItem(pieces, piece, out) < 0) {
            Py_DECREF(out);
            return NULL;
        }
        return out;
    }
    out = PyObject_GetItem(pieces, piece); /* __missing__: the Python path */
    if (out != NULL && !PyUnicode_Check(out)) {
        Py_DECREF(out);
        PyErr_SetString(PyExc_TypeError, "convert: a piece converted to a non-str");
        return NULL;
    }
    return out;
}

static PyObject *converted_text(PyObject *text, PyObject *pieces, Lookups *lk, MemoObject *memo) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    PyObject *stack[64], **outs = stack, *result = NULL;
    Py_ssize_t count = 0, cap = 64, total = 0;
    Py_UCS4 maxchar = ' ';
    Py_ssize_t start = 0;
    for (Py_ssize_t i = 0; i <= n; i++) {
        if (i < n && PyUnicode_READ(kind, data, i) != ' ')
            continue;
        /* the piece text[start:i] */
        PyObject *out = NULL;
        Py_hash_t h = 0;
        int memoable = memo != NULL && i - start <= MAX_PIECE;
        if (memoable) {
            h = span_hash(kind, data, start, i);
            out = memo_find(memo, h, kind, data, start, i);
            Py_XINCREF(out);
        }
        if (out == NULL) {
            PyObject *piece = PyUnicode_Substring(text, start, i);
            if (piece == NULL)
                goto done;
            out = piece_out(piece, pieces, lk);
            if (out != NULL && memoable && memo_add(memo, h, piece, out) < 0)
                Py_CLEAR(out);
            Py_DECREF(piece);
            if (out == NULL)
                goto done;
        }
        if (count == cap) {
            PyObject **grown = PyMem_Malloc(sizeof(PyObject *) * (size_t)(2 * cap));
            if (grown == NULL) {
                Py_DECREF(out);
                PyErr_NoMemory();
                goto done;
            }
            memcpy(grown, outs, sizeof(PyObject *) * (size_t)count);
            if (outs != stack)
                PyMem_Free(outs);
            outs = grown;
            cap *= 2;
        }
        outs[count++] = out;
        total += PyUnicode_GET_LENGTH(out);
        Py_UCS4 m = PyUnicode_MAX_CHAR_VALUE(out);
        if (m > maxchar)
            maxchar = m;
        start = i + 1;
    }
    result = PyUnicode_New(total + count - 1, maxchar);
    if (result == NULL)
        goto done;
    Py_ssize_t at = 0;
    int rkind = PyUnicode_KIND(result);
    void *rdata = PyUnicode_DATA(result);
    for (Py_ssize_t k = 0; k < count; k++) {
        if (k > 0)
            PyUnicode_WRITE(rkind, rdata, at++, ' ');
        Py_ssize_t len = PyUnicode_GET_LENGTH(outs[k]);
        if (len && PyUnicode_CopyCharacters(result, at, outs[k], 0, len) < 0) {
            Py_CLEAR(result);
            goto done;
        }
        at += len;
    }
done:
    for (Py_ssize_t k = 0; k < count; k++)
        Py_DECREF(outs[k]);
    if (outs != stack)
        PyMem_Free(outs);
    return result;
}

/* known_nfc(text) -> bool: True when text is known to be in NFC (unicodedata.normalize("NFC", text) ==
   text) by a check of its code points: ASCII, U+0900..U+097F but U+0951..U+0954 and U+0958..U+095F,
   ZWNJ, ZWJ, U+00A0 and U+2010..U+2027, no nukta or virama right after a nukta or virama, no nukta
   after न र ळ (no such code point has a canonical decomposition; these rules leave nothing to reorder
   or compose). False: not known (the text may be in NFC all the same). */
static PyObject *fastpieces_known_nfc(PyObject *self, PyObject *text) {
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "known_nfc: a str");
        return NULL;
    }
    if (PyUnicode_IS_ASCII(text))
        Py_RETURN_TRUE;
    if (PyUnicode_KIND(text) != PyUnicode_2BYTE_KIND)
        Py_RETURN_FALSE;
    const Py_UCS2 *s = PyUnicode_2BYTE_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    Py_UCS4 prev = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = s[i];
        if (c >= 0x0900 && c <= 0x097F) {
            if ((c >= 0x0951 && c <= 0x0954) || (c >= 0x0958 && c <= 0x095F))
                Py_RETURN_FALSE;
            if (c == NUKTA || c == VIRAMA) {
                if (prev == NUKTA || prev == VIRAMA)
                    Py_RETURN_FALSE;
                if (c == NUKTA && (prev == 0x0928 || prev == 0x0930 || prev == 0x0933))
                    Py_RETURN_FALSE;
            }
        } else if (!(c < 0x80 || c == 0x00A0 || c == 0x200C || c == 0x200D || (c >= 0x2010 && c <= 0x2027))) {
            Py_RETURN_FALSE;
        }
        prev = c;
    }
    Py_RETURN_TRUE;
}

/* plain_normal(text) -> bool: True when the default Normalizer() leaves text as it is on its own
   grounds: ASCII without a carriage return, or known to be in NFC (known_nfc) with no carriage
   return, no ZWNJ or ZWJ (stripped), no ASCII danda "|" and no danda "।" within two code points of
   the one before it (a double danda, "।।" or "। ।", becomes "॥"). False: not known (Python
   normalizes it). */
static PyObject *fastpieces_plain_normal(PyObject *self, PyObject *text) {
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "plain_normal: a str");
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (PyUnicode_IS_ASCII(text)) {
        if (memchr(PyUnicode_1BYTE_DATA(text), '\r', (size_t)n))
            Py_RETURN_FALSE;
        Py_RETURN_TRUE;
    }
    if (PyUnicode_KIND(text) != PyUnicode_2BYTE_KIND)
        Py_RETURN_FALSE;
    const Py_UCS2 *s = PyUnicode_2BYTE_DATA(text);
    Py_ssize_t last_danda = -3;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS2 c = s[i];
        if (c == '\r' || c == '|' || c == 0x200C || c == 0x200D)
            Py_RETURN_FALSE;
        if (c == 0x0964) {
            if (i - last_danda <= 2)
                Py_RETURN_FALSE;
            last_danda = i;
        }
    }
    return fastpieces_known_nfc(self, text);
}

/* lines_sorted(data) -> bool: whether the lines of the bytes ``data`` (newline-separated, a final newline
   ending the last one) are in non-decreasing order as bytes compare (what sorting a list of them would
   leave as it is). */
static PyObject *fastpieces_lines_sorted(PyObject *self, PyObject *data) {
    if (!PyBytes_Check(data)) {
        PyErr_SetString(PyExc_TypeError, "lines_sorted: bytes");
        return NULL;
    }
    const char *s = PyBytes_AS_STRING(data), *end = s + PyBytes_GET_SIZE(data);
    const char *prev = NULL;
    Py_ssize_t prev_len = 0;
    while (s < end) { /* a final newline ends the last line */
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        Py_ssize_t len = (nl ? nl : end) - s;
        if (prev != NULL) {
            int c = memcmp(prev, s, (size_t)(prev_len < len ? prev_len : len));
            if (c > 0 || (c == 0 && prev_len > len))
                Py_RETURN_FALSE;
        }
        prev = s;
        prev_len = len;
        if (nl == NULL)
            break;
        s = nl + 1;
    }
    Py_RETURN_TRUE;
}

/* sign_lines(data) -> int: the number of lines of the bytes ``data`` when every line ends in a newline,
   is ``word<TAB>+`` or ``word<TAB>-`` (one tab, none in the word) and the lines are in non-decreasing
   bytes order (lines_sorted), else -1: an origin signs file's body, checked in one pass. */
static PyObject *fastpieces_sign_lines(PyObject *self, PyObject *data) {
    if (!PyBytes_Check(data)) {
        PyErr_SetString(PyExc_TypeError, "sign_lines: bytes");
        return NULL;
    }
    const char *s = PyBytes_AS_STRING(data), *end = s + PyBytes_GET_SIZE(data);
    const char *prev = NULL;
    Py_ssize_t prev_len = 0, count = 0;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        if (nl == NULL)
            return PyLong_FromLong(-1); /* the last line without its newline */
        Py_ssize_t len = nl - s;
        if (len < 2 || s[len - 2] != '\t' || (s[len - 1] != '+' && s[len - 1] != '-') ||
            memchr(s, '\t', (size_t)(len - 2)) != NULL)
            return PyLong_FromLong(-1);
        if (prev != NULL) {
            int c = memcmp(prev, s, (size_t)(prev_len < len ? prev_len : len));
            if (c > 0 || (c == 0 && prev_len > len))
                return PyLong_FromLong(-1);
        }
        prev = s;
        prev_len = len;
        count++;
        s = nl + 1;
    }
    return PyLong_FromSsize_t(count);
}

static PyMethodDef fastpieces_methods[] = {
    {"sign_lines", (PyCFunction)fastpieces_sign_lines, METH_O,
     "sign_lines(data) -> int: the number of lines when each is word<TAB>+ or word<TAB>- and they are sorted, else -1"},
    {"lines_sorted", (PyCFunction)fastpieces_lines_sorted, METH_O,
     "lines_sorted(data) -> bool: whether the newline-separated lines of data are in non-decreasing bytes order"},
    {"plain_normal", (PyCFunction)fastpieces_plain_normal, METH_O,
     "plain_normal(text) -> bool: whether the default Normalizer() is known to leave text as it is"},
    {"known_nfc", (PyCFunction)fastpieces_known_nfc, METH_O,
     "known_nfc(text) -> bool: whether text is known to be in NFC by a check of its code points (Devanagari, "
     "ASCII and some punctuation)"},
    {"convert", (PyCFunction)(void (*)(void))fastpieces_convert, METH_FASTCALL,
     "convert(text, pieces, lookups) -> str: Devanagari -> roman "
     "(learned) of a text, piece by piece (the output of lipyantar.translit.transliterate._FromDeva.convert)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef fastpieces_module = {
    PyModuleDef_HEAD_INIT, "_fastpieces", "Compiled piece-by-piece Devanagari -> roman conversion of lipyantar.", -1,
    fastpieces_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__fastpieces(void) {
    if (PyType_Ready(&MemoType) < 0)
        return NULL;
    PyObject *module = PyModule_Create(&fastpieces_module);
    if (module == NULL)
        return NULL;
    Py_INCREF(&MemoType);
    if (PyModule_AddObject(module, "Memo", (PyObject *)&MemoType) < 0) {
        Py_DECREF(&MemoType);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
