/*
 * lipyantar.translit._fastwordlang: the compiled character n-gram model of the word-level language tables.
 *
 * The pure-Python CharLM of translit/wordlang.py (CharLM.logprob_python) is the reference and documents
 * the model (Witten-Bell interpolation down to an add-one unigram model, over "<" + word + ">"); this
 * module computes the same log probabilities bit for bit: the same double operations in the same order
 * (integers converted to double where Python converts them, no fused multiply-adds, libm's log as
 * Python's math.log).
 *
 *   CharModel(ngrams, order)
 *       ngrams: dict str -> int (the n-gram counts of one language, n = 1 .. order); the counts, and per
 *       history their total and number of distinct continuations, go into one hash table keyed by the
 *       n-gram's characters packed into 64 bits. ValueError for tables it cannot hold (an n-gram longer
 *       than order or empty, an alphabet too large to pack, a count that is not a non-negative int, or
 *       one, or the sum of a history's counts, that does not fit in 32 bits): the Python code then runs.
 *       .logprob(word) -> float: CharLM.logprob_python(word)
 *
 *   MappedCharModel(buffer, chars, nchars, keys, counts, totals, types, n, order, bits, unigram_total,
 *                   vocabulary)
 *       the same model read in place from a tables file (translit/wordlang.py, MappedWordLanguages):
 *       buffer is the file's map, the other integers byte offsets into it (8-byte aligned) and lengths:
 *       nchars sorted code points (uint32; a character's id is its index + 1), and n sorted packed keys
 *       (uint64, the packing of CharModel: the length in the low 4 bits, then the ids, bits each) with
 *       per key its count, and as a history its total and number of continuations (uint32 each).
 *       Nothing is copied: a hash index of the keys' positions is made (4 bytes a slot, at most half
 *       full), and a table of the ids of the code points below 0x800. ValueError when a range is
 *       outside the buffer or misaligned, or the characters or keys are not sorted and distinct.
 *       .logprob(word) -> float: CharLM.logprob_python(word)
 *
 *   Lexicon(buffer, words, words_size, offsets, freqs, n)
 *       a lexicon read in place: n words as UTF-8, sorted by their bytes, concatenated at words
 *       (words_size bytes); n + 1 uint32 offsets of them relative to words; n uint32 frequencies.
 *       .get(word) -> int or None (None: not in the lexicon, or a word that is not valid UTF-8)
 *
 *   KERNEL_VERSION: the version of what this module computes; translit/wordlang.py only uses it when it
 *   is the version it expects.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define MAX_ORDER 8

/* one n-gram (as an n-gram: count) and one history (as the history of longer n-grams: the sum of their
   counts and how many there are) */
typedef struct {
    uint64_t key; /* 0: empty slot */
    uint32_t count;
    uint32_t total;
    uint32_t types;
} Entry;

typedef struct {
    uint32_t cp; /* code point + 1; 0: empty slot */
    uint32_t id;
} CharSlot;

typedef struct {
    PyObject_HEAD
    int order;
    int bits;       /* bits per character id */
    Entry *table;
    uint64_t mask;  /* table size - 1 */
    uint64_t used;  /* entries in the table (kept below 3/4 of its size) */
    CharSlot *chars;
    uint32_t cmask; /* chars size - 1 */
    uint32_t nchars;
    int64_t unigram_total;
    int64_t vocabulary;
} CharModel;

static inline uint64_t mix64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* the id (1..) of a code point, 0 when it is in no n-gram */
static inline uint32_t char_id(const CharModel *m, Py_UCS4 cp) {
    uint32_t i = (uint32_t)mix64((uint64_t)cp + 1) & m->cmask;
    for (;;) {
        const CharSlot *s = &m->chars[i];
        if (s->cp == 0)
            return 0;
        if (s->cp == (uint32_t)cp + 1)
            return s->id;
        i = (i + 1) & m->cmask;
    }
}

static int char_add(CharModel *m, Py_UCS4 cp) {
    uint32_t i = (uint32_t)mix64((uint64_t)cp + 1) & m->cmask;
    for (;;) {
        CharSlot *s = &m->chars[i];
        if (s->cp == 0) {
            s->cp = (uint32_t)cp + 1;
            s->id = ++m->nchars;
            return 0;
        }
        if (s->cp == (uint32_t)cp + 1)
            return 0;
        i = (i + 1) & m->cmask;
    }
}

/* the key of ids[0 .. n): the length in the low 4 bits, then the ids (none of them 0) */
static inline uint64_t pack(const uint32_t *ids, int n, int bits) {
    uint64_t key = (uint64_t)n;
    for (int k = 0; k < n; k++)
        key |= (uint64_t)ids[k] << (4 + k * bits);
    return key;
}

static inline Entry *find(const CharModel *m, uint64_t key) {
    uint64_t i = mix64(key) & m->mask;
    for (;;) {
        Entry *e = &m->table[i];
        if (e->key == key)
            return e;
        if (e->key == 0)
            return NULL;
        i = (i + 1) & m->mask;
    }
}

/* an n-gram's count and, as a history, the sum and number of its continuations (all 0: not seen) */
typedef struct {
    uint32_t count, total, types;
} Counts;

typedef Counts (*CountsOf)(const void *model, uint64_t key);

static inline Counts entry_counts(const void *model, uint64_t key) {
    const Entry *e = find((const CharModel *)model, key);
    Counts out = {0, 0, 0};
    if (e != NULL) {
        out.count = e->count;
        out.total = e->total;
        out.types = e->types;
    }
    return out;
}

/* log P(ids[1 .. n) | ids[0]) under the Witten-Bell interpolated model whose counts counts_of reads
   (CharLM.logprob_python, in the same operations and order, for CharModel and MappedCharModel) */
static inline double witten_bell_logprob(const uint32_t *ids, Py_ssize_t n, int order, int bits, double base_den,
                                  CountsOf counts_of, const void *model) {
    double logp = 0.0;
    for (Py_ssize_t i = 1; i < n; i++) {
        Py_ssize_t start = i - order + 1 > 0 ? i - order + 1 : 0;
        uint32_t c = ids[i];
        uint32_t unigram = c ? counts_of(model, pack(&ids[i], 1, bits)).count : 0;
        double prob = (double)((int64_t)unigram + 1) / base_den;
        /* histories ids[i-k .. i) for k = 1 .. i - start, while each has been seen (total > 0) */
        for (Py_ssize_t k = 1; k <= i - start; k++) {
            const uint32_t *h = &ids[i - k];
            int known = 1;
            for (Py_ssize_t j = 0; j < k; j++)
                if (h[j] == 0) {
                    known = 0;
                    break;
                }
            if (!known)
                break;
            Counts he = counts_of(model, pack(h, (int)k, bits));
            if (he.total == 0)
                break;
            uint32_t g = c ? counts_of(model, pack(h, (int)k + 1, bits)).count : 0; /* h + an unknown character: 0 */
            double distinct = (double)he.types;
            prob = ((double)g + distinct * prob) / (double)((uint64_t)he.total + he.types);
        }
        logp += log(prob);
    }
    return logp;
}

/* the table twice as large, its entries moved over; -1 (MemoryError set) when there is no memory */
static int grow(CharModel *m) {
    uint64_t size = (m->mask + 1) * 2;
    Entry *table = PyMem_Calloc(size, sizeof(Entry));
    if (table == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (uint64_t k = 0; k <= m->mask; k++) {
        Entry *e = &m->table[k];
        if (e->key == 0)
            continue;
        uint64_t i = mix64(e->key) & (size - 1);
        while (table[i].key != 0)
            i = (i + 1) & (size - 1);
        table[i] = *e;
    }
    PyMem_Free(m->table);
    m->table = table;
    m->mask = size - 1;
    return 0;
}

/* the entry of key, added (zeroed) when missing; NULL (MemoryError set) when there is no memory */
static Entry *find_or_add(CharModel *m, uint64_t key) {
    if (4 * (m->used + 1) > 3 * (m->mask + 1) && grow(m) < 0)
        return NULL;
    uint64_t i = mix64(key) & m->mask;
    for (;;) {
        Entry *e = &m->table[i];
        if (e->key == key)
            return e;
        if (e->key == 0) {
            e->key = key;
            m->used++;
            return e;
        }
        i = (i + 1) & m->mask;
    }
}

/* a += b, false when the sum does not fit in 32 bits */
static inline int add32(uint32_t *a, uint64_t b) {
    uint64_t sum = (uint64_t)*a + b;
    if (sum > UINT32_MAX)
        return 0;
    *a = (uint32_t)sum;
    return 1;
}

static void CharModel_dealloc(CharModel *self) {
    PyMem_Free(self->table);
    PyMem_Free(self->chars);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int CharModel_init(CharModel *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"ngrams", "order", NULL};
    PyObject *ngrams;
    int order;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!i", kwlist, &PyDict_Type, &ngrams, &order))
        return -1;
    if (self->table != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "CharModel is already initialised");
        return -1;
    }
    if (order < 1 || order > MAX_ORDER) {
        PyErr_Format(PyExc_ValueError, "order %d is not within 1..%d", order, MAX_ORDER);
        return -1;
    }
    self->order = order;
    /* 1. the alphabet */
    Py_ssize_t n = PyDict_Size(ngrams);
    uint32_t csize = 64;
    PyObject *gram, *value;
    Py_ssize_t pos = 0;
    Py_ssize_t letters = 0;
    while (PyDict_Next(ngrams, &pos, &gram, &value)) {
        if (!PyUnicode_Check(gram) || !PyLong_CheckExact(value)) {
            PyErr_SetString(PyExc_ValueError, "n-gram counts must map str to int");
            return -1;
        }
        Py_ssize_t len = PyUnicode_GET_LENGTH(gram);
        if (len < 1 || len > order) {
            PyErr_Format(PyExc_ValueError, "an n-gram of %zd characters in a model of order %d", len, order);
            return -1;
        }
        letters += len;
    }
    while ((Py_ssize_t)csize < 2 * (letters < 1 << 20 ? letters : 1 << 20) && csize < (1u << 22))
        csize <<= 1;
    self->chars = PyMem_Calloc(csize, sizeof(CharSlot));
    if (self->chars == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    self->cmask = csize - 1;
    pos = 0;
    while (PyDict_Next(ngrams, &pos, &gram, &value)) {
        Py_ssize_t len = PyUnicode_GET_LENGTH(gram);
        int kind = PyUnicode_KIND(gram);
        const void *data = PyUnicode_DATA(gram);
        for (Py_ssize_t k = 0; k < len; k++) {
            if (self->nchars + 1 >= csize / 2) {
                PyErr_SetString(PyExc_ValueError, "the alphabet of the n-grams is too large");
                return -1;
            }
            char_add(self, PyUnicode_READ(kind, data, k));
        }
    }
    int bits = 1;
    while (((uint64_t)1 << bits) <= self->nchars)
        bits++;
    if (4 + bits * order > 64) {
        PyErr_SetString(PyExc_ValueError, "the alphabet of the n-grams is too large to pack");
        return -1;
    }
    self->bits = bits;
    /* 2. the counts, and the totals and distinct continuations of each history */
    uint64_t size = 1024;
    while (3 * size < (uint64_t)n * 4 + 4) /* room for the n-grams (their histories are mostly n-grams too) */
        size <<= 1;
    self->table = PyMem_Calloc(size, sizeof(Entry));
    if (self->table == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    self->mask = size - 1;
    uint32_t ids[MAX_ORDER];
    pos = 0;
    while (PyDict_Next(ngrams, &pos, &gram, &value)) {
        Py_ssize_t len = PyUnicode_GET_LENGTH(gram);
        int kind = PyUnicode_KIND(gram);
        const void *data = PyUnicode_DATA(gram);
        int overflow = 0;
        long long count = PyLong_AsLongLongAndOverflow(value, &overflow);
        if (count == -1 && PyErr_Occurred())
            return -1;
        if (overflow || count < 0 || count >= (1LL << 53)) {
            PyErr_SetString(PyExc_ValueError, "an n-gram count is negative or too large");
            return -1;
        }
        for (Py_ssize_t k = 0; k < len; k++)
            ids[k] = char_id(self, PyUnicode_READ(kind, data, k));
        Entry *g = find_or_add(self, pack(ids, (int)len, bits));
        if (g == NULL)
            return -1;
        if (!add32(&g->count, (uint64_t)count)) {
            PyErr_SetString(PyExc_ValueError, "an n-gram count does not fit in 32 bits");
            return -1;
        }
        if (len > 1) {
            Entry *h = find_or_add(self, pack(ids, (int)len - 1, bits));
            if (h == NULL)
                return -1;
            if (!add32(&h->total, (uint64_t)count) || !add32(&h->types, 1)) {
                PyErr_SetString(PyExc_ValueError, "a history's count does not fit in 32 bits");
                return -1;
            }
        } else {
            self->unigram_total += count;
            if (self->unigram_total >= (1LL << 53)) { /* the denominator must be exact as a double */
                PyErr_SetString(PyExc_ValueError, "the unigram counts add up to 2**53 or more");
                return -1;
            }
            self->vocabulary += 1;
        }
    }
    self->vocabulary += 1;
    return 0;
}

static PyObject *CharModel_logprob(CharModel *self, PyObject *word) {
    if (!PyUnicode_Check(word)) {
        PyErr_Format(PyExc_TypeError, "logprob() argument must be str, not %.200s", Py_TYPE(word)->tp_name);
        return NULL;
    }
    if (self->table == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "CharModel is not initialised");
        return NULL;
    }
    Py_ssize_t len = PyUnicode_GET_LENGTH(word);
    int kind = PyUnicode_KIND(word);
    const void *data = PyUnicode_DATA(word);
    Py_ssize_t n = len + 2;
    uint32_t small[64];
    uint32_t *ids = n <= 64 ? small : PyMem_Malloc((size_t)n * sizeof(uint32_t));
    if (ids == NULL)
        return PyErr_NoMemory();
    ids[0] = char_id(self, '<');
    for (Py_ssize_t k = 0; k < len; k++)
        ids[k + 1] = char_id(self, PyUnicode_READ(kind, data, k));
    ids[n - 1] = char_id(self, '>');
    const int order = self->order, bits = self->bits;
    const double base_den = (double)(self->unigram_total + self->vocabulary);
    double logp = witten_bell_logprob(ids, n, order, bits, base_den, entry_counts, self);
    if (ids != small)
        PyMem_Free(ids);
    return PyFloat_FromDouble(logp);
}

static PyMethodDef CharModel_methods[] = {
    {"logprob", (PyCFunction)CharModel_logprob, METH_O,
     "logprob(word) -> float: log probability of <word> (lipyantar.translit.wordlang.CharLM.logprob_python)"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject CharModelType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "lipyantar.translit._fastwordlang.CharModel",
    .tp_basicsize = sizeof(CharModel),
    .tp_dealloc = (destructor)CharModel_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "CharModel(ngrams, order): a Witten-Bell character n-gram model over words (see the module doc)",
    .tp_methods = CharModel_methods,
    .tp_init = (initproc)CharModel_init,
    .tp_new = PyType_GenericNew,
};

/* ------------------------------------------------------------------ tables read in place (a file map) */

/* a range of a buffer: offset and bytes checked against its length and the alignment `align` */
static int check_range(const Py_buffer *view, Py_ssize_t offset, Py_ssize_t bytes, Py_ssize_t align, const char *what) {
    if (offset < 0 || bytes < 0 || offset > view->len || bytes > view->len - offset || offset % align != 0) {
        PyErr_Format(PyExc_ValueError, "the %s (%zd bytes at %zd) are not within the buffer or misaligned", what,
                     bytes, offset);
        return -1;
    }
    return 0;
}

#define LOW_CHARS 0x800

typedef struct {
    PyObject_HEAD
    Py_buffer view;
    int has_view;
    int order;
    int bits;
    const uint32_t *cps; /* sorted code points */
    Py_ssize_t nchars;
    const uint64_t *keys; /* sorted */
    const uint32_t *counts, *totals, *types;
    Py_ssize_t n;
    int64_t unigram_total;
    int64_t vocabulary;
    uint32_t *slots;  /* a hash index over the keys, made when the model is made: key index + 1, 0 empty */
    uint64_t smask;   /* slots - 1 */
    uint32_t low_ids[LOW_CHARS]; /* the ids of the code points below LOW_CHARS (0: in no n-gram) */
} MappedCharModel;

static inline uint32_t mapped_char_id(const MappedCharModel *m, Py_UCS4 cp) {
    if (cp < LOW_CHARS)
        return m->low_ids[cp];
    Py_ssize_t lo = 0, hi = m->nchars;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (m->cps[mid] < (uint32_t)cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->nchars && m->cps[lo] == (uint32_t)cp ? (uint32_t)lo + 1 : 0;
}

/* the index of key, -1 when it is not there (the hash index over the file's sorted keys) */
static inline Py_ssize_t mapped_find(const MappedCharModel *m, uint64_t key) {
    uint64_t i = mix64(key) & m->smask;
    for (;;) {
        uint32_t slot = m->slots[i];
        if (slot == 0)
            return -1;
        if (m->keys[slot - 1] == key)
            return (Py_ssize_t)slot - 1;
        i = (i + 1) & m->smask;
    }
}

static inline Counts mapped_counts(const void *model, uint64_t key) {
    const MappedCharModel *m = (const MappedCharModel *)model;
    Py_ssize_t e = mapped_find(m, key);
    Counts out = {0, 0, 0};
    if (e >= 0) {
        out.count = m->counts[e];
        out.total = m->totals[e];
        out.types = m->types[e];
    }
    return out;
}

static void MappedCharModel_dealloc(MappedCharModel *self) {
    PyMem_Free(self->slots);
    if (self->has_view)
        PyBuffer_Release(&self->view);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int MappedCharModel_init(MappedCharModel *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"buffer", "chars", "nchars", "keys", "counts", "totals", "types", "n", "order",
                             "bits", "unigram_total", "vocabulary", NULL};
    PyObject *buffer;
    Py_ssize_t chars, nchars, keys, counts, totals, types, n;
    int order, bits;
    long long unigram_total, vocabulary;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OnnnnnnniiLL", kwlist, &buffer, &chars, &nchars, &keys, &counts,
                                     &totals, &types, &n, &order, &bits, &unigram_total, &vocabulary))
        return -1;
    if (self->has_view) {
        PyErr_SetString(PyExc_RuntimeError, "MappedCharModel is already initialised");
        return -1;
    }
    if (order < 1 || order > MAX_ORDER || bits < 1 || 4 + bits * order > 64) {
        PyErr_Format(PyExc_ValueError, "order %d with %d bits per character cannot be packed", order, bits);
        return -1;
    }
    if (nchars < 0 || n < 0 || nchars >= ((Py_ssize_t)1 << bits) || unigram_total < 0 ||
        unigram_total >= (1LL << 53) || vocabulary < 1 || vocabulary >= (1LL << 53)) {
        PyErr_SetString(PyExc_ValueError, "the sizes or totals of the model are out of range");
        return -1;
    }
    if (PyObject_GetBuffer(buffer, &self->view, PyBUF_SIMPLE) < 0)
        return -1;
    self->has_view = 1;
    if (n > PY_SSIZE_T_MAX / 8 || nchars > PY_SSIZE_T_MAX / 4 || check_range(&self->view, chars, nchars * 4, 4, "characters") < 0 ||
        check_range(&self->view, keys, n * 8, 8, "keys") < 0 || check_range(&self->view, counts, n * 4, 4, "counts") < 0 ||
        check_range(&self->view, totals, n * 4, 4, "totals") < 0 || check_range(&self->view, types, n * 4, 4, "types") < 0)
        return -1;
    const char *base = (const char *)self->view.buf;
    if ((uintptr_t)base % 8 != 0) {
        PyErr_SetString(PyExc_ValueError, "the buffer is not 8-byte aligned");
        return -1;
    }
    self->order = order;
    self->bits = bits;
    self->cps = (const uint32_t *)(base + chars);
    self->nchars = nchars;
    self->keys = (const uint64_t *)(base + keys);
    self->counts = (const uint32_t *)(base + counts);
    self->totals = (const uint32_t *)(base + totals);
    self->types = (const uint32_t *)(base + types);
    self->n = n;
    self->unigram_total = unigram_total;
    self->vocabulary = vocabulary;
    /* the characters: sorted and distinct (a binary search finds each), the low ones in a table */
    for (Py_ssize_t k = 0; k < nchars; k++) {
        if (k > 0 && self->cps[k] <= self->cps[k - 1]) {
            PyErr_SetString(PyExc_ValueError, "the characters are not sorted");
            return -1;
        }
        if (self->cps[k] < LOW_CHARS)
            self->low_ids[self->cps[k]] = (uint32_t)k + 1;
    }
    /* the keys: sorted and distinct (none found twice), each indexed */
    if (n >= (Py_ssize_t)1 << 30) {
        PyErr_SetString(PyExc_ValueError, "too many keys");
        return -1;
    }
    uint64_t size = 1024;
    while (size < 2 * (uint64_t)n)
        size <<= 1;
    self->slots = PyMem_Calloc(size, sizeof(uint32_t));
    if (self->slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    self->smask = size - 1;
    for (Py_ssize_t k = 0; k < n; k++) {
        if (k > 0 && self->keys[k] <= self->keys[k - 1]) {
            PyErr_SetString(PyExc_ValueError, "the keys are not sorted");
            return -1;
        }
        uint64_t i = mix64(self->keys[k]) & self->smask;
        while (self->slots[i] != 0)
            i = (i + 1) & self->smask;
        self->slots[i] = (uint32_t)k + 1;
    }
    return 0;
}

/* CharModel_logprob with the arrays of the file: the same operations in the same order */
static PyObject *MappedCharModel_logprob(MappedCharModel *self, PyObject *word) {
    if (!PyUnicode_Check(word)) {
        PyErr_Format(PyExc_TypeError, "logprob() argument must be str, not %.200s", Py_TYPE(word)->tp_name);
        return NULL;
    }
    if (!self->has_view) {
        PyErr_SetString(PyExc_RuntimeError, "MappedCharModel is not initialised");
        return NULL;
    }
    Py_ssize_t len = PyUnicode_GET_LENGTH(word);
    int kind = PyUnicode_KIND(word);
    const void *data = PyUnicode_DATA(word);
    Py_ssize_t n = len + 2;
    uint32_t small[64];
    uint32_t *ids = n <= 64 ? small : PyMem_Malloc((size_t)n * sizeof(uint32_t));
    if (ids == NULL)
        return PyErr_NoMemory();
    ids[0] = mapped_char_id(self, '<');
    for (Py_ssize_t k = 0; k < len; k++)
        ids[k + 1] = mapped_char_id(self, PyUnicode_READ(kind, data, k));
    ids[n - 1] = mapped_char_id(self, '>');
    const int order = self->order, bits = self->bits;
    const double base_den = (double)(self->unigram_total + self->vocabulary);
    double logp = witten_bell_logprob(ids, n, order, bits, base_den, mapped_counts, self);
    if (ids != small)
        PyMem_Free(ids);
    return PyFloat_FromDouble(logp);
}

static PyMethodDef MappedCharModel_methods[] = {
    {"logprob", (PyCFunction)MappedCharModel_logprob, METH_O,
     "logprob(word) -> float: log probability of <word> (lipyantar.translit.wordlang.CharLM.logprob_python)"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject MappedCharModelType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "lipyantar.translit._fastwordlang.MappedCharModel",
    .tp_basicsize = sizeof(MappedCharModel),
    .tp_dealloc = (destructor)MappedCharModel_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "MappedCharModel(buffer, ...): CharModel read in place from a tables file (see the module doc)",
    .tp_methods = MappedCharModel_methods,
    .tp_init = (initproc)MappedCharModel_init,
    .tp_new = PyType_GenericNew,
};

typedef struct {
    PyObject_HEAD
    Py_buffer view;
    int has_view;
    const unsigned char *words;
    const uint32_t *offsets;
    const uint32_t *freqs;
    Py_ssize_t n;
} Lexicon;

static void Lexicon_dealloc(Lexicon *self) {
    if (self->has_view)
        PyBuffer_Release(&self->view);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Lexicon_init(Lexicon *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"buffer", "words", "words_size", "offsets", "freqs", "n", NULL};
    PyObject *buffer;
    Py_ssize_t words, words_size, offsets, freqs, n;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "Onnnnn", kwlist, &buffer, &words, &words_size, &offsets, &freqs, &n))
        return -1;
    if (self->has_view) {
        PyErr_SetString(PyExc_RuntimeError, "Lexicon is already initialised");
        return -1;
    }
    if (n < 0 || n > PY_SSIZE_T_MAX / 8) {
        PyErr_SetString(PyExc_ValueError, "the number of words is out of range");
        return -1;
    }
    if (PyObject_GetBuffer(buffer, &self->view, PyBUF_SIMPLE) < 0)
        return -1;
    self->has_view = 1;
    if (check_range(&self->view, words, words_size, 1, "words") < 0 ||
        check_range(&self->view, offsets, (n + 1) * 4, 4, "word offsets") < 0 ||
        check_range(&self->view, freqs, n * 4, 4, "frequencies") < 0)
        return -1;
    const char *base = (const char *)self->view.buf;
    if ((uintptr_t)base % 8 != 0) {
        PyErr_SetString(PyExc_ValueError, "the buffer is not 8-byte aligned");
        return -1;
    }
    self->words = (const unsigned char *)(base + words);
    self->offsets = (const uint32_t *)(base + offsets);
    self->freqs = (const uint32_t *)(base + freqs);
    self->n = n;
    /* the offsets must rise within the words: a search then never reads outside them */
    if (self->offsets[0] != 0 || (Py_ssize_t)self->offsets[n] != words_size) {
        PyErr_SetString(PyExc_ValueError, "the word offsets do not span the words");
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        if (self->offsets[i] > self->offsets[i + 1]) {
            PyErr_SetString(PyExc_ValueError, "the word offsets are not in order");
            return -1;
        }
    return 0;
}

static PyObject *Lexicon_get(Lexicon *self, PyObject *word) {
    if (!PyUnicode_Check(word)) {
        PyErr_Format(PyExc_TypeError, "get() argument must be str, not %.200s", Py_TYPE(word)->tp_name);
        return NULL;
    }
    if (!self->has_view) {
        PyErr_SetString(PyExc_RuntimeError, "Lexicon is not initialised");
        return NULL;
    }
    Py_ssize_t size;
    const char *utf8 = PyUnicode_AsUTF8AndSize(word, &size);
    if (utf8 == NULL) { /* lone surrogates: no word of the lexicon */
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    Py_ssize_t lo = 0, hi = self->n;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        Py_ssize_t start = self->offsets[mid], len = (Py_ssize_t)self->offsets[mid + 1] - start;
        int cmp = memcmp(self->words + start, utf8, (size_t)(len < size ? len : size));
        if (cmp == 0)
            cmp = len < size ? -1 : len > size ? 1 : 0;
        if (cmp == 0)
            return PyLong_FromUnsignedLong(self->freqs[mid]);
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    Py_RETURN_NONE;
}

static PyMethodDef Lexicon_methods[] = {
    {"get", (PyCFunction)Lexicon_get, METH_O, "get(word) -> int or None: the word's frequency"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject LexiconType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "lipyantar.translit._fastwordlang.Lexicon",
    .tp_basicsize = sizeof(Lexicon),
    .tp_dealloc = (destructor)Lexicon_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Lexicon(buffer, words, words_size, offsets, freqs, n): a sorted lexicon read in place",
    .tp_methods = Lexicon_methods,
    .tp_init = (initproc)Lexicon_init,
    .tp_new = PyType_GenericNew,
};

static struct PyModuleDef fastwordlang_module = {
    PyModuleDef_HEAD_INIT, "_fastwordlang", "Compiled character n-gram model of lipyantar's language tables.", -1,
    NULL, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__fastwordlang(void) {
    if (PyType_Ready(&CharModelType) < 0 || PyType_Ready(&MappedCharModelType) < 0 || PyType_Ready(&LexiconType) < 0)
        return NULL;
    PyObject *module = PyModule_Create(&fastwordlang_module);
    if (module == NULL)
        return NULL;
    Py_INCREF(&CharModelType);
    Py_INCREF(&MappedCharModelType);
    Py_INCREF(&LexiconType);
    if (PyModule_AddObject(module, "CharModel", (PyObject *)&CharModelType) < 0 ||
        PyModule_AddObject(module, "MappedCharModel", (PyObject *)&MappedCharModelType) < 0 ||
        PyModule_AddObject(module, "Lexicon", (PyObject *)&LexiconType) < 0 ||
        PyModule_AddStringConstant(module, "KERNEL_VERSION", "2") < 0) {
        Py_DECREF(&CharModelType);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
