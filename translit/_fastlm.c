/*
 * translit._fastlm: compiled kernels of the n-gram models and the joint-sequence beam search.
 *
 * The pure-Python implementations in translit/langmodel.py and translit/jointseq.py are the
 * reference; this module computes the same results (same search order, same recombination, same
 * tie-breaking) much faster. It is optional: when it is not built, the Python code runs.
 *
 *   Automaton(arcmap, backoff, bow, root, mult, unk)
 *       a Kneser-Ney backoff automaton: arcs keyed by state * mult + token.
 *       .step(state, token) -> (logprob, next_state)
 *       .score(ids, start) -> log-probability of ids followed by the boundary token 0
 *       .score_tokens(tokens, ids, unk_id, start) -> same for tokens mapped through dict ids
 *
 *   JointDecoder(automaton, index, outputs, kinds, classes, start, root, unk, max_span)
 *       beam search over input chunks found in index (chunk -> graphone ids), emitting outputs[g].
 *       .decode(text, cuts, k, beam, check, fallback) -> [(output, logprob), ...]
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* Automaton                                                                                  */
/* ------------------------------------------------------------------------------------------ */

/* arcs are stored per state (CSR): the arcs of state s are arcs[off[s] .. off[s + 1]), sorted by
   token, so that looking up several tokens after one state touches one small block of memory */
typedef struct {
    int32_t g;
    int32_t next;
    double lp;
} Arc;

typedef struct {
    PyObject_HEAD
    Arc *arcs;
    int64_t *off;
    /* states with many arcs also get a dense table token -> arc index + 1 (0: no arc) */
    int32_t **dense;
    Py_ssize_t narcs;
    int32_t *backoff;
    double *bow;
    Py_ssize_t nstates;
    int64_t mult;
    int32_t root;
    double unk;
} Automaton;

static inline uint64_t mix64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static inline const Arc *am_find(const Automaton *a, int32_t state, int32_t g) {
    if (a->dense[state]) {
        if (g < 0 || g >= a->mult) return NULL;
        int32_t v = a->dense[state][g];
        return v ? &a->arcs[v - 1] : NULL;
    }
    int64_t lo = a->off[state], hi = a->off[state + 1];
    const Arc *arcs = a->arcs;
    while (hi - lo > 8) {
        int64_t mid = (lo + hi) >> 1;
        if (arcs[mid].g <= g)
            lo = mid;
        else
            hi = mid;
    }
    for (int64_t i = lo; i < hi; i++)
        if (arcs[i].g == g) return &arcs[i];
    return NULL;
}

/* log-probability of token g after state (backoff resolved), same summation order as
   NgramLM.step: backoff weights first, then the arc */
static inline double am_step(const Automaton *a, int32_t state, int32_t g, int32_t *next) {
    double lp = 0.0;
    for (;;) {
        if (state < 0 || state >= a->nstates) {
            *next = a->root;
            return lp + a->unk;
        }
        const Arc *s = am_find(a, state, g);
        if (s) {
            *next = s->next;
            return lp + s->lp;
        }
        if (state == a->root) {
            *next = a->root;
            return lp + a->unk;
        }
        lp += a->bow[state];
        state = a->backoff[state];
    }
}

typedef struct {
    int64_t key;
    double lp;
    int32_t next;
} KeyedArc;

static int cmp_keyed(const void *x, const void *y) {
    int64_t a = ((const KeyedArc *)x)->key, b = ((const KeyedArc *)y)->key;
    return (a > b) - (a < b);
}

static void automaton_free_dense(Automaton *self) {
    if (self->dense) {
        for (Py_ssize_t i = 0; i < self->nstates; i++) free(self->dense[i]);
        free(self->dense);
        self->dense = NULL;
    }
}

static void Automaton_dealloc(Automaton *self) {
    automaton_free_dense(self);
    free(self->arcs);
    free(self->off);
    free(self->backoff);
    free(self->bow);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Automaton_init(Automaton *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"arcmap", "backoff", "bow", "root", "mult", "unk", NULL};
    PyObject *arcmap, *backoff, *bow;
    long root;
    long long mult;
    double unk;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!OOlLd", kwlist, &PyDict_Type, &arcmap, &backoff, &bow,
                                     &root, &mult, &unk))
        return -1;
    PyObject *bo = PySequence_Fast(backoff, "backoff must be a sequence");
    if (!bo) return -1;
    PyObject *bw = PySequence_Fast(bow, "bow must be a sequence");
    if (!bw) {
        Py_DECREF(bo);
        return -1;
    }
    Py_ssize_t ns = PySequence_Fast_GET_SIZE(bo);
    if (PySequence_Fast_GET_SIZE(bw) != ns) {
        PyErr_SetString(PyExc_ValueError, "backoff and bow differ in length");
        goto fail;
    }
    automaton_free_dense(self);
    free(self->arcs);
    free(self->off);
    free(self->backoff);
    free(self->bow);
    self->arcs = NULL;
    self->off = NULL;
    self->backoff = malloc(sizeof(int32_t) * (ns ? ns : 1));
    self->bow = malloc(sizeof(double) * (ns ? ns : 1));
    if (!self->backoff || !self->bow) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < ns; i++) {
        long b = PyLong_AsLong(PySequence_Fast_GET_ITEM(bo, i));
        double w = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(bw, i));
        if (PyErr_Occurred()) goto fail;
        self->backoff[i] = (int32_t)b;
        self->bow[i] = w;
    }
    self->nstates = ns;
    if (mult < 1) {
        PyErr_SetString(PyExc_ValueError, "mult must be positive");
        goto fail;
    }
    Py_ssize_t n = PyDict_Size(arcmap);
    KeyedArc *tmp = malloc(sizeof(KeyedArc) * (n ? n : 1));
    self->arcs = malloc(sizeof(Arc) * (n ? n : 1));
    self->off = calloc(ns + 1, sizeof(int64_t));
    if (!tmp || !self->arcs || !self->off) {
        free(tmp);
        PyErr_NoMemory();
        goto fail;
    }
    Py_ssize_t pos = 0, m = 0;
    PyObject *key, *value;
    while (PyDict_Next(arcmap, &pos, &key, &value)) {
        long long k = PyLong_AsLongLong(key);
        if (k < 0 || k / mult >= ns) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "arc key out of range");
            free(tmp);
            goto fail;
        }
        if (!PyTuple_Check(value) || PyTuple_GET_SIZE(value) != 2) {
            PyErr_SetString(PyExc_TypeError, "arc values must be (logprob, next) tuples");
            free(tmp);
            goto fail;
        }
        tmp[m].key = k;
        tmp[m].lp = PyFloat_AsDouble(PyTuple_GET_ITEM(value, 0));
        tmp[m].next = (int32_t)PyLong_AsLong(PyTuple_GET_ITEM(value, 1));
        if (PyErr_Occurred()) {
            free(tmp);
            goto fail;
        }
        m++;
    }
    qsort(tmp, m, sizeof(KeyedArc), cmp_keyed);
    for (Py_ssize_t i = 0; i < m; i++) {
        int64_t st = tmp[i].key / mult;
        self->arcs[i].g = (int32_t)(tmp[i].key % mult);
        self->arcs[i].next = tmp[i].next;
        self->arcs[i].lp = tmp[i].lp;
        self->off[st + 1]++;
    }
    for (Py_ssize_t st = 0; st < ns; st++) self->off[st + 1] += self->off[st];
    free(tmp);
    self->dense = calloc(ns ? ns : 1, sizeof(int32_t *));
    if (!self->dense) {
        PyErr_NoMemory();
        goto fail;
    }
    self->mult = mult;
    {
        int64_t min_dense = mult / 16 > 32 ? mult / 16 : 32;
        for (Py_ssize_t st = 0; st < ns; st++) {
            int64_t cnt = self->off[st + 1] - self->off[st];
            if (cnt < min_dense) continue;
            int32_t *d = calloc(mult, sizeof(int32_t));
            if (!d) {
                PyErr_NoMemory();
                goto fail;
            }
            for (int64_t i = self->off[st]; i < self->off[st + 1]; i++) d[self->arcs[i].g] = (int32_t)(i + 1);
            self->dense[st] = d;
        }
    }
    self->narcs = n;
    self->mult = mult;
    self->root = (int32_t)root;
    self->unk = unk;
    Py_DECREF(bo);
    Py_DECREF(bw);
    return 0;
fail:
    Py_DECREF(bo);
    Py_DECREF(bw);
    return -1;
}

static PyObject *Automaton_step(Automaton *self, PyObject *args) {
    int state, g;
    if (!PyArg_ParseTuple(args, "ii", &state, &g)) return NULL;
    int32_t next;
    double lp = am_step(self, state, g, &next);
    return Py_BuildValue("(di)", lp, (int)next);
}

static PyObject *Automaton_score(Automaton *self, PyObject *args) {
    PyObject *ids;
    int start;
    if (!PyArg_ParseTuple(args, "Oi", &ids, &start)) return NULL;
    PyObject *seq = PySequence_Fast(ids, "ids must be a sequence");
    if (!seq) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    int32_t state = start;
    double total = 0.0;
    for (Py_ssize_t i = 0; i <= n; i++) {
        long g = 0;
        if (i < n) {
            g = PyLong_AsLong(PySequence_Fast_GET_ITEM(seq, i));
            if (g == -1 && PyErr_Occurred()) {
                Py_DECREF(seq);
                return NULL;
            }
        }
        int32_t next;
        total += am_step(self, state, (int32_t)g, &next);
        state = next;
    }
    Py_DECREF(seq);
    return PyFloat_FromDouble(total);
}

static PyObject *Automaton_score_tokens(Automaton *self, PyObject *args) {
    PyObject *tokens, *ids;
    int unk_id, start;
    if (!PyArg_ParseTuple(args, "OO!ii", &tokens, &PyDict_Type, &ids, &unk_id, &start)) return NULL;
    PyObject *seq = PySequence_Fast(tokens, "tokens must be a sequence");
    if (!seq) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    int32_t state = start;
    double total = 0.0;
    for (Py_ssize_t i = 0; i <= n; i++) {
        long g = 0;
        if (i < n) {
            PyObject *id = PyDict_GetItemWithError(ids, PySequence_Fast_GET_ITEM(seq, i));
            if (id) {
                g = PyLong_AsLong(id);
                if (g == -1 && PyErr_Occurred()) {
                    Py_DECREF(seq);
                    return NULL;
                }
            } else if (PyErr_Occurred()) {
                Py_DECREF(seq);
                return NULL;
            } else {
                g = unk_id;
            }
        }
        int32_t next;
        total += am_step(self, state, (int32_t)g, &next);
        state = next;
    }
    Py_DECREF(seq);
    return PyFloat_FromDouble(total);
}

static inline int deva_consonant(Py_UCS4 c) {
    return (c >= 0x0915 && c <= 0x0939) || (c >= 0x0958 && c <= 0x095F) || c == 0x0979 || c == 0x097A;
}

static inline int deva_sign(Py_UCS4 c) {
    return (c >= 0x093E && c <= 0x094C) || c == 0x0962 || c == 0x0963 || (c >= 0x0955 && c <= 0x0957);
}

#define DEVA_VIRAMA 0x094D
#define DEVA_NUKTA 0x093C
#define DEVA_MARK(c) ((c) >= 0x0901 && (c) <= 0x0903)

/* (is_wellformed(word), log-probability of deva_units(word) under this automaton) */
/* well-formedness (*ok) and log-probability (*total) of one word; -1 with an exception set on error */
static int score_deva_one(Automaton *self, PyObject *word, PyObject *ids, int unk_id, int start, int *okp,
                          double *totalp) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(word);
    int kind = PyUnicode_KIND(word);
    const void *data = PyUnicode_DATA(word);
    int ok = 1;
    int have_prev = 0, prev_cons = 0, prev_virama = 0, prev_mark = 0;
    int32_t state = start;
    double total = 0.0;
    Py_ssize_t i = 0;
    while (i <= n) {
        long g = 0;
        if (i < n) {
            /* one unit: a character plus following nukta / virama (after a consonant) */
            Py_UCS4 head = PyUnicode_READ(kind, data, i);
            Py_ssize_t j = i + 1;
            int virama_end = 0;
            while (j < n) {
                Py_UCS4 c = PyUnicode_READ(kind, data, j);
                if (c == DEVA_NUKTA || (c == DEVA_VIRAMA && deva_consonant(head))) {
                    virama_end = c == DEVA_VIRAMA;
                    j++;
                } else {
                    break;
                }
            }
            if (j > i + 1) {
                Py_UCS4 last = PyUnicode_READ(kind, data, j - 1);
                virama_end = last == DEVA_VIRAMA;
            } else {
                virama_end = head == DEVA_VIRAMA;
            }
            if (ok) {
                if (deva_sign(head)) {
                    if (!have_prev || !prev_cons || prev_virama) ok = 0;
                } else if (DEVA_MARK(head)) {
                    if (!have_prev || prev_virama || prev_mark) ok = 0;
                } else if (head == DEVA_VIRAMA || head == DEVA_NUKTA) {
                    ok = 0;
                }
            }
            have_prev = 1;
            prev_cons = deva_consonant(head);
            prev_virama = virama_end;
            prev_mark = DEVA_MARK(head);
            PyObject *unit = PyUnicode_Substring(word, i, j);
            if (!unit) return -1;
            PyObject *id = PyDict_GetItemWithError(ids, unit);
            Py_DECREF(unit);
            if (id) {
                g = PyLong_AsLong(id);
                if (g == -1 && PyErr_Occurred()) return -1;
            } else if (PyErr_Occurred()) {
                return -1;
            } else {
                g = unk_id;
            }
            i = j;
        } else {
            i = n + 1;
        }
        int32_t next;
        total += am_step(self, state, (int32_t)g, &next);
        state = next;
    }
    *okp = ok;
    *totalp = total;
    return 0;
}

static PyObject *Automaton_score_deva(Automaton *self, PyObject *args) {
    PyObject *word, *ids;
    int unk_id, start, ok;
    double total;
    if (!PyArg_ParseTuple(args, "UO!ii", &word, &PyDict_Type, &ids, &unk_id, &start)) return NULL;
    if (score_deva_one(self, word, ids, unk_id, start, &ok, &total)) return NULL;
    return Py_BuildValue("(Od)", ok ? Py_True : Py_False, total);
}

/* score_deva for many words: per word its log-probability, or None when it is not well-formed */
static PyObject *Automaton_score_deva_many(Automaton *self, PyObject *args) {
    PyObject *words, *ids;
    int unk_id, start;
    if (!PyArg_ParseTuple(args, "OO!ii", &words, &PyDict_Type, &ids, &unk_id, &start)) return NULL;
    PyObject *seq = PySequence_Fast(words, "words must be a sequence of strings");
    if (!seq) return NULL;
    Py_ssize_t nw = PySequence_Fast_GET_SIZE(seq);
    PyObject *out = PyList_New(nw);
    if (!out) {
        Py_DECREF(seq);
        return NULL;
    }
    for (Py_ssize_t w = 0; w < nw; w++) {
        PyObject *word = PySequence_Fast_GET_ITEM(seq, w);
        int ok;
        double total;
        if (!PyUnicode_Check(word)) {
            PyErr_SetString(PyExc_TypeError, "words must be strings");
            goto fail;
        }
        if (score_deva_one(self, word, ids, unk_id, start, &ok, &total)) goto fail;
        PyObject *v = ok ? PyFloat_FromDouble(total) : Py_NewRef(Py_None);
        if (!v) goto fail;
        PyList_SET_ITEM(out, w, v);
    }
    Py_DECREF(seq);
    return out;
fail:
    Py_DECREF(seq);
    Py_DECREF(out);
    return NULL;
}

static PyObject *Automaton_len(Automaton *self, PyObject *Py_UNUSED(ignored)) {
    return PyLong_FromSsize_t(self->narcs);
}

static PyMethodDef Automaton_methods[] = {
    {"step", (PyCFunction)Automaton_step, METH_VARARGS, "step(state, token) -> (logprob, next_state)"},
    {"score", (PyCFunction)Automaton_score, METH_VARARGS,
     "score(ids, start) -> log-probability of ids followed by the boundary"},
    {"score_tokens", (PyCFunction)Automaton_score_tokens, METH_VARARGS,
     "score_tokens(tokens, ids, unk_id, start) -> score of tokens mapped through ids"},
    {"score_deva", (PyCFunction)Automaton_score_deva, METH_VARARGS,
     "score_deva(word, ids, unk_id, start) -> (is_wellformed(word), score of deva_units(word))"},
    {"score_deva_many", (PyCFunction)Automaton_score_deva_many, METH_VARARGS,
     "score_deva_many(words, ids, unk_id, start) -> per word its score, or None when not well-formed"},
    {"arcs", (PyCFunction)Automaton_len, METH_NOARGS, "number of arcs"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject AutomatonType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "translit._fastlm.Automaton",
    .tp_basicsize = sizeof(Automaton),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Compiled backoff n-gram automaton.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Automaton_init,
    .tp_dealloc = (destructor)Automaton_dealloc,
    .tp_methods = Automaton_methods,
};

/* ------------------------------------------------------------------------------------------ */
/* Joint-sequence beam search                                                                 */
/* ------------------------------------------------------------------------------------------ */

#define HASH_BASE 0x100000001b3ULL

/* class of the last output character: 0 none yet, 1 consonant or nukta, 2 virama or mark,
   3 anything else; 255 in a graphone's table = its output is empty (the class is kept) */
#define CLS_KEEP 255

typedef struct {
    PyObject_HEAD
    Automaton *am;
    PyObject *index;   /* dict: chunk -> bytes of int32 graphone ids */
    PyObject *outputs; /* tuple of str */
    uint64_t *ohash;
    uint64_t *opow;
    uint8_t *kind;
    uint8_t *cls;
    Py_UCS4 *ochars; /* the outputs' characters, graphone g at ochars[ooff[g] .. ooff[g + 1]) */
    Py_ssize_t *ooff;
    Py_ssize_t ng;
    int32_t start, root;
    double unk;
    int max_span;
} JointDecoder;

static void JointDecoder_dealloc(JointDecoder *self) {
    Py_XDECREF(self->am);
    Py_XDECREF(self->index);
    Py_XDECREF(self->outputs);
    free(self->ohash);
    free(self->opow);
    free(self->kind);
    free(self->cls);
    free(self->ochars);
    free(self->ooff);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static void str_hash(PyObject *s, uint64_t *h, uint64_t *pw) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    uint64_t hh = 0, p = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        hh = hh * HASH_BASE + (uint64_t)PyUnicode_READ(kind, data, i) + 1;
        p *= HASH_BASE;
    }
    *h = hh;
    *pw = p;
}

static int JointDecoder_init(JointDecoder *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"automaton", "index", "outputs", "kinds", "classes",
                             "start",     "root",  "unk",     "max_span", NULL};
    PyObject *am, *index, *outputs;
    Py_buffer kinds, classes;
    int start, root, max_span;
    double unk;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!O!Oy*y*iidi", kwlist, &AutomatonType, &am, &PyDict_Type,
                                     &index, &outputs, &kinds, &classes, &start, &root, &unk, &max_span))
        return -1;
    int rc = -1;
    PyObject *outs = PySequence_Tuple(outputs);
    PyObject *idx = PyDict_New();
    if (!outs || !idx) goto done;
    Py_ssize_t ng = PyTuple_GET_SIZE(outs);
    if (kinds.len != ng || classes.len != ng) {
        PyErr_SetString(PyExc_ValueError, "kinds and classes must have one byte per graphone");
        goto done;
    }
    self->ohash = malloc(sizeof(uint64_t) * (ng ? ng : 1));
    self->opow = malloc(sizeof(uint64_t) * (ng ? ng : 1));
    self->kind = malloc(ng ? ng : 1);
    self->cls = malloc(ng ? ng : 1);
    if (!self->ohash || !self->opow || !self->kind || !self->cls) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t total_chars = 0;
    for (Py_ssize_t g = 0; g < ng; g++) {
        PyObject *s = PyTuple_GET_ITEM(outs, g);
        if (!PyUnicode_Check(s)) {
            PyErr_SetString(PyExc_TypeError, "outputs must be strings");
            goto done;
        }
        str_hash(s, &self->ohash[g], &self->opow[g]);
        total_chars += PyUnicode_GET_LENGTH(s);
    }
    free(self->ochars);
    free(self->ooff);
    self->ochars = malloc(sizeof(Py_UCS4) * (total_chars ? total_chars : 1));
    self->ooff = malloc(sizeof(Py_ssize_t) * (ng + 1));
    if (!self->ochars || !self->ooff) {
        PyErr_NoMemory();
        goto done;
    }
    self->ooff[0] = 0;
    for (Py_ssize_t g = 0; g < ng; g++) {
        PyObject *s = PyTuple_GET_ITEM(outs, g);
        Py_ssize_t len = PyUnicode_GET_LENGTH(s);
        for (Py_ssize_t c = 0; c < len; c++) self->ochars[self->ooff[g] + c] = PyUnicode_READ_CHAR(s, c);
        self->ooff[g + 1] = self->ooff[g] + len;
    }
    memcpy(self->kind, kinds.buf, ng);
    memcpy(self->cls, classes.buf, ng);
    /* index values -> packed int32 arrays */
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(index, &pos, &key, &value)) {
        PyObject *seq = PySequence_Fast(value, "index values must be sequences of graphone ids");
        if (!seq) goto done;
        Py_ssize_t m = PySequence_Fast_GET_SIZE(seq);
        PyObject *packed = PyBytes_FromStringAndSize(NULL, m * (Py_ssize_t)sizeof(int32_t));
        if (!packed) {
            Py_DECREF(seq);
            goto done;
        }
        int32_t *ids = (int32_t *)PyBytes_AS_STRING(packed);
        for (Py_ssize_t j = 0; j < m; j++) {
            long g = PyLong_AsLong(PySequence_Fast_GET_ITEM(seq, j));
            if (g < 0 || g >= ng) {
                if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "graphone id out of range");
                Py_DECREF(seq);
                Py_DECREF(packed);
                goto done;
            }
            ids[j] = (int32_t)g;
        }
        Py_DECREF(seq);
        int err = PyDict_SetItem(idx, key, packed);
        Py_DECREF(packed);
        if (err) goto done;
    }
    Py_INCREF(am);
    Py_XSETREF(self->am, (Automaton *)am);
    Py_XSETREF(self->index, idx);
    idx = NULL;
    Py_XSETREF(self->outputs, outs);
    outs = NULL;
    self->ng = ng;
    self->start = start;
    self->root = root;
    self->unk = unk;
    self->max_span = max_span < 1 ? 1 : max_span;
    rc = 0;
done:
    Py_XDECREF(outs);
    Py_XDECREF(idx);
    PyBuffer_Release(&kinds);
    PyBuffer_Release(&classes);
    return rc;
}

typedef struct {
    int32_t parent;
    int32_t sym; /* >= 0: graphone id; < 0: unknown output -1 - j */
    int32_t state;
    int32_t pos;
    double score;
    uint64_t h;
    int32_t olen; /* output length (characters) */
    uint8_t lastc;
} Hyp;

typedef struct {
    Hyp *hyps;
    Py_ssize_t nhyps, caphyps;
    /* recombination table: hyp index + 1 (0 = empty) keyed by (pos, state, h) */
    int32_t *table;
    uint64_t tmask;
    Py_ssize_t tfill;
    /* per position: hyp indices in creation order */
    int32_t **vec;
    Py_ssize_t *vlen, *vcap;
    Py_ssize_t npos;
    /* best score offered so far per position, and the threshold: an offer below best - thr at a
       position that will be pruned (pos < npos - 1) can never be expanded and is not stored */
    double *pbest;
    double thr;
} Search;

static void search_free(Search *S) {
    free(S->hyps);
    free(S->table);
    if (S->vec)
        for (Py_ssize_t i = 0; i < S->npos; i++) free(S->vec[i]);
    free(S->vec);
    free(S->vlen);
    free(S->vcap);
    free(S->pbest);
}

static inline uint64_t hyp_key(int32_t pos, int32_t state, uint64_t h) {
    return mix64(h ^ ((uint64_t)(uint32_t)state * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)(uint32_t)pos << 40));
}

static int search_grow_table(Search *S) {
    uint64_t cap = (S->tmask + 1) * 2;
    int32_t *t = calloc(cap, sizeof(int32_t));
    if (!t) return -1;
    for (uint64_t i = 0; i <= S->tmask; i++) {
        int32_t v = S->table[i];
        if (!v) continue;
        Hyp *hp = &S->hyps[v - 1];
        uint64_t j = hyp_key(hp->pos, hp->state, hp->h) & (cap - 1);
        while (t[j]) j = (j + 1) & (cap - 1);
        t[j] = v;
    }
    free(S->table);
    S->table = t;
    S->tmask = cap - 1;
    return 0;
}

/* add or improve the hypothesis (pos, state, h); returns -1 on memory error */
static int search_offer(Search *S, int32_t pos, int32_t state, uint64_t h, double score, int32_t parent,
                        int32_t sym, uint8_t lastc, int32_t olen) {
    if (pos < S->npos - 1) {
        if (score < S->pbest[pos] - S->thr) return 0;
        if (score > S->pbest[pos]) S->pbest[pos] = score;
    }
    uint64_t j = hyp_key(pos, state, h) & S->tmask;
    for (;;) {
        int32_t v = S->table[j];
        if (!v) break;
        Hyp *hp = &S->hyps[v - 1];
        if (hp->h == h && hp->state == state && hp->pos == pos) {
            if (score > hp->score) {
                hp->score = score;
                hp->parent = parent;
                hp->sym = sym;
            }
            return 0;
        }
        j = (j + 1) & S->tmask;
    }
    if (!(score > -INFINITY)) return 0;
    if (S->nhyps == S->caphyps) {
        Py_ssize_t cap = S->caphyps * 2;
        Hyp *nh = realloc(S->hyps, sizeof(Hyp) * cap);
        if (!nh) return -1;
        S->hyps = nh;
        S->caphyps = cap;
    }
    int32_t id = (int32_t)S->nhyps++;
    Hyp *hp = &S->hyps[id];
    hp->parent = parent;
    hp->sym = sym;
    hp->state = state;
    hp->pos = pos;
    hp->score = score;
    hp->h = h;
    hp->lastc = lastc;
    hp->olen = olen;
    S->table[j] = id + 1;
    if (++S->tfill * 2 > (Py_ssize_t)(S->tmask + 1))
        if (search_grow_table(S)) return -1;
    if (S->vlen[pos] == S->vcap[pos]) {
        Py_ssize_t cap = S->vcap[pos] ? S->vcap[pos] * 2 : 16;
        int32_t *nv = realloc(S->vec[pos], sizeof(int32_t) * cap);
        if (!nv) return -1;
        S->vec[pos] = nv;
        S->vcap[pos] = cap;
    }
    S->vec[pos][S->vlen[pos]++] = id;
    return 0;
}

/* a ranks before b: higher score, or equal score and created earlier */
static inline int hyp_better(const Hyp *H, int32_t a, int32_t b) {
    if (H[a].score != H[b].score) return H[a].score > H[b].score;
    return a < b;
}

static inline uint8_t char_class(Py_UCS4 c) {
    if ((c >= 0x0915 && c <= 0x0939) || (c >= 0x0958 && c <= 0x095F) || c == 0x0979 || c == 0x097A ||
        c == 0x093C)
        return 1;
    if (c == 0x094D || (c >= 0x0901 && c <= 0x0903)) return 2;
    return 3;
}

/* whether appending out (len characters) at output position olen keeps spelling target */
static inline int spells(const Py_UCS4 *target, Py_ssize_t tlen, Py_ssize_t olen, const Py_UCS4 *out,
                         Py_ssize_t len) {
    if (olen + len > tlen) return 0;
    for (Py_ssize_t c = 0; c < len; c++)
        if (target[olen + c] != out[c]) return 0;
    return 1;
}

static inline int allowed(uint8_t kind, uint8_t lastc) {
    if (kind == 1) return lastc == 1;
    if (kind == 2) return lastc == 1 || lastc == 3;
    return 1;
}

typedef struct {
    int32_t end;
    int32_t unknown; /* index into unknown outputs, or -1 */
    const int32_t *ids;
    Py_ssize_t nids;
} Span;

static PyObject *JointDecoder_decode(JointDecoder *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"text", "cuts", "k", "beam", "check", "fallback", "threshold", "target", NULL};
    PyObject *text, *cuts = Py_None, *fallback = Py_None, *target = Py_None;
    int k = 1, beam = 8, check = 0;
    double threshold = INFINITY;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "U|OiipOdO", kwlist, &text, &cuts, &k, &beam, &check,
                                     &fallback, &threshold, &target))
        return NULL;
    if (target != Py_None && !PyUnicode_Check(target)) {
        PyErr_SetString(PyExc_TypeError, "target must be a string or None");
        return NULL;
    }
    /* forced search: only outputs that spell target */
    Py_UCS4 *tgt = NULL;
    Py_ssize_t tgtlen = -1;
    Py_UCS4 **uchars = NULL; /* characters of the unknown pieces' outputs (forced search only) */
    if (k < 1) k = 1;
    if (beam < 1) beam = 1;
    Py_ssize_t tlen = PyUnicode_GET_LENGTH(text);
    Py_ssize_t n;
    Py_ssize_t *cut = NULL;
    PyObject *result = NULL, *unk_outs = NULL;
    Span *spans = NULL;
    Py_ssize_t *nspans = NULL;
    uint64_t *uh = NULL, *up = NULL;
    uint8_t *ucls = NULL;
    int32_t *items = NULL;
    Search S;
    memset(&S, 0, sizeof(S));
    if (target != Py_None) {
        tgt = PyUnicode_AsUCS4Copy(target);
        if (!tgt) return NULL;
        tgtlen = PyUnicode_GET_LENGTH(target);
    }
    if (cuts == Py_None) {
        n = tlen;
        cut = malloc(sizeof(Py_ssize_t) * (n + 1));
        if (!cut) {
            PyMem_Free(tgt);
            return PyErr_NoMemory();
        }
        for (Py_ssize_t i = 0; i <= n; i++) cut[i] = i;
    } else {
        PyObject *seq = PySequence_Fast(cuts, "cuts must be a sequence of offsets");
        if (!seq) {
            PyMem_Free(tgt);
            return NULL;
        }
        n = PySequence_Fast_GET_SIZE(seq) - 1;
        if (n < 0) n = 0;
        cut = malloc(sizeof(Py_ssize_t) * (n + 1));
        if (!cut) {
            Py_DECREF(seq);
            PyMem_Free(tgt);
            return PyErr_NoMemory();
        }
        cut[0] = 0;
        if (PySequence_Fast_GET_SIZE(seq) < 2 && tlen > 0) {
            PyErr_SetString(PyExc_ValueError, "cuts must run from 0 to the length of the text");
            Py_DECREF(seq);
            free(cut);
            PyMem_Free(tgt);
            return NULL;
        }
        for (Py_ssize_t i = 0; i <= n && i < PySequence_Fast_GET_SIZE(seq); i++) {
            cut[i] = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(seq, i));
            if ((cut[i] == -1 && PyErr_Occurred()) || cut[i] < 0 || cut[i] > tlen ||
                (i > 0 && cut[i] < cut[i - 1]) || (i == 0 && cut[i] != 0) || (i == n && cut[i] != tlen)) {
                if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "bad cut offsets");
                Py_DECREF(seq);
                free(cut);
                PyMem_Free(tgt);
                return NULL;
            }
        }
        Py_DECREF(seq);
    }
    int ms = self->max_span;
    spans = malloc(sizeof(Span) * (n ? n : 1) * (ms + 1));
    nspans = calloc(n ? n : 1, sizeof(Py_ssize_t));
    unk_outs = PyList_New(0);
    uh = malloc(sizeof(uint64_t) * (n ? n : 1));
    up = malloc(sizeof(uint64_t) * (n ? n : 1));
    ucls = malloc(n ? n : 1);
    uchars = calloc(n ? n : 1, sizeof(Py_UCS4 *));
    if (!uchars || !spans || !nspans || !unk_outs || !uh || !up || !ucls) {
        PyErr_NoMemory();
        goto done;
    }
    /* chunk candidates per start position */
    for (Py_ssize_t i = 0; i < n; i++) {
        Span *row = &spans[i * (ms + 1)];
        Py_ssize_t cnt = 0;
        int has_one = 0;
        for (int L = 1; L <= ms && i + L <= n; L++) {
            PyObject *chunk = PyUnicode_Substring(text, cut[i], cut[i + L]);
            if (!chunk) goto done;
            PyObject *ids = PyDict_GetItemWithError(self->index, chunk);
            Py_DECREF(chunk);
            if (!ids) {
                if (PyErr_Occurred()) goto done;
                continue;
            }
            if (L == 1) has_one = 1;
            row[cnt + 1].end = (int32_t)(i + L);
            row[cnt + 1].unknown = -1;
            row[cnt + 1].ids = (const int32_t *)PyBytes_AS_STRING(ids);
            row[cnt + 1].nids = PyBytes_GET_SIZE(ids) / (Py_ssize_t)sizeof(int32_t);
            cnt++;
        }
        if (!has_one) {
            /* an unknown piece: passed through fallback (or dropped) at the unknown cost */
            PyObject *out;
            if (fallback != Py_None) {
                PyObject *piece = PyUnicode_Substring(text, cut[i], cut[i + 1]);
                if (!piece) goto done;
                out = PyObject_CallOneArg(fallback, piece);
                Py_DECREF(piece);
                if (!out) goto done;
                if (!PyUnicode_Check(out)) {
                    Py_DECREF(out);
                    PyErr_SetString(PyExc_TypeError, "fallback must return a string");
                    goto done;
                }
            } else {
                out = PyUnicode_New(0, 0);
                if (!out) goto done;
            }
            Py_ssize_t j = PyList_GET_SIZE(unk_outs);
            int err = PyList_Append(unk_outs, out);
            str_hash(out, &uh[j], &up[j]);
            Py_ssize_t ol = PyUnicode_GET_LENGTH(out);
            ucls[j] = ol ? char_class(PyUnicode_READ_CHAR(out, ol - 1)) : CLS_KEEP;
            if (tgt && !err) {
                uchars[j] = PyUnicode_AsUCS4Copy(out); 
                if (!uchars[j]) err = -1;
            }
            Py_DECREF(out);
            if (err) goto done;
            row[0].end = (int32_t)(i + 1);
            row[0].unknown = (int32_t)j;
            row[0].ids = NULL;
            row[0].nids = 0;
            /* shift: unknown first, then the found chunks */
            nspans[i] = cnt + 1;
        } else {
            memmove(&row[0], &row[1], sizeof(Span) * cnt);
            nspans[i] = cnt;
        }
    }
    /* search */
    S.npos = n + 1;
    S.caphyps = 256;
    S.hyps = malloc(sizeof(Hyp) * S.caphyps);
    S.tmask = 1023;
    S.table = calloc(S.tmask + 1, sizeof(int32_t));
    S.vec = calloc(S.npos, sizeof(int32_t *));
    S.vlen = calloc(S.npos, sizeof(Py_ssize_t));
    S.vcap = calloc(S.npos, sizeof(Py_ssize_t));
    S.pbest = malloc(sizeof(double) * S.npos);
    S.thr = threshold;
    if (S.pbest)
        for (Py_ssize_t i = 0; i < S.npos; i++) S.pbest[i] = -INFINITY;
    items = malloc(sizeof(int32_t) * 64);
    Py_ssize_t items_cap = 64;
    if (!S.hyps || !S.table || !S.vec || !S.vlen || !S.vcap || !S.pbest || !items) {
        PyErr_NoMemory();
        goto done;
    }
    if (search_offer(&S, 0, self->start, 0, 0.0, -1, 0, 0, 0)) {
        PyErr_NoMemory();
        goto done;
    }
    const Automaton *am = self->am;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t cnt = S.vlen[i];
        if (!cnt) continue;
        if (cnt > items_cap) {
            int32_t *ni = realloc(items, sizeof(int32_t) * cnt);
            if (!ni) {
                PyErr_NoMemory();
                goto done;
            }
            items = ni;
            items_cap = cnt;
        }
        memcpy(items, S.vec[i], sizeof(int32_t) * cnt);
        if (cnt > beam) {
            /* the beam best (score descending, creation order among ties) via a bounded heap whose
               root is the worst kept item */
            const Hyp *H = S.hyps;
            Py_ssize_t hn = 0;
            for (Py_ssize_t a = 0; a < cnt; a++) {
                int32_t x = items[a];
                if (hn < beam) {
                    Py_ssize_t c = hn++;
                    while (c > 0) {
                        Py_ssize_t par = (c - 1) / 2;
                        if (!hyp_better(H, items[par], x)) break;
                        items[c] = items[par];
                        c = par;
                    }
                    items[c] = x;
                } else if (hyp_better(H, x, items[0])) {
                    Py_ssize_t c = 0;
                    for (;;) {
                        Py_ssize_t l = 2 * c + 1, r = l + 1, w = c;
                        int32_t wv = x;
                        if (l < hn && hyp_better(H, wv, items[l])) {
                            w = l;
                            wv = items[l];
                        }
                        if (r < hn && hyp_better(H, wv, items[r])) {
                            w = r;
                            wv = items[r];
                        }
                        if (w == c) break;
                        items[c] = items[w];
                        c = w;
                    }
                    items[c] = x;
                }
            }
            cnt = hn;
            for (Py_ssize_t a = 1; a < cnt; a++) { /* insertion sort of the kept few, best first */
                int32_t x = items[a];
                Py_ssize_t c = a;
                while (c > 0 && hyp_better(H, x, items[c - 1])) {
                    items[c] = items[c - 1];
                    c--;
                }
                items[c] = x;
            }
        }
        if (threshold < INFINITY) {
            double best = -INFINITY;
            for (Py_ssize_t a = 0; a < cnt; a++)
                if (S.hyps[items[a]].score > best) best = S.hyps[items[a]].score;
            Py_ssize_t kept = 0;
            for (Py_ssize_t a = 0; a < cnt; a++)
                if (S.hyps[items[a]].score >= best - threshold) items[kept++] = items[a];
            cnt = kept;
        }
        Span *row = &spans[i * (ms + 1)];
        for (Py_ssize_t si = 0; si < nspans[i]; si++) {
            Span sp = row[si];
            if (sp.unknown >= 0) {
                int32_t j = sp.unknown;
                Py_ssize_t ulen = PyUnicode_GET_LENGTH(PyList_GET_ITEM(unk_outs, j));
                for (Py_ssize_t a = 0; a < cnt; a++) {
                    Hyp hp = S.hyps[items[a]];
                    if (tgt && !spells(tgt, tgtlen, hp.olen, uchars[j], ulen)) continue;
                    uint64_t h = hp.h * up[j] + uh[j];
                    uint8_t lc = ucls[j] == CLS_KEEP ? hp.lastc : ucls[j];
                    if (search_offer(&S, sp.end, self->root, h, hp.score + self->unk, items[a], -1 - j, lc,
                                     hp.olen + (int32_t)ulen)) {
                        PyErr_NoMemory();
                        goto done;
                    }
                }
                continue;
            }
            for (Py_ssize_t a = 0; a < cnt; a++) {
                Hyp hp = S.hyps[items[a]];
                for (Py_ssize_t b = 0; b < sp.nids; b++) {
                    int32_t g = sp.ids[b];
                    if (check && self->kind[g] && !allowed(self->kind[g], hp.lastc)) continue;
                    Py_ssize_t glen = self->ooff[g + 1] - self->ooff[g];
                    if (tgt && !spells(tgt, tgtlen, hp.olen, self->ochars + self->ooff[g], glen)) continue;
                    int32_t nxt;
                    double alp = am_step(am, hp.state, g, &nxt);
                    uint64_t h = hp.h * self->opow[g] + self->ohash[g];
                    uint8_t lc = self->cls[g] == CLS_KEEP ? hp.lastc : self->cls[g];
                    if (search_offer(&S, sp.end, nxt, h, hp.score + alp, items[a], g, lc, hp.olen + (int32_t)glen)) {
                        PyErr_NoMemory();
                        goto done;
                    }
                }
            }
        }
    }
    /* final: add the end-of-word arc, merge equal outputs (first wins ties), k best (stable) */
    {
        Py_ssize_t cnt = S.vlen[n];
        int32_t *fin = malloc(sizeof(int32_t) * (cnt ? cnt : 1));
        double *tot = malloc(sizeof(double) * (cnt ? cnt : 1));
        uint64_t fcap = 16;
        while (fcap < (uint64_t)cnt * 2 + 1) fcap <<= 1;
        int32_t *ftab = calloc(fcap, sizeof(int32_t)); /* output hash -> final slot + 1 */
        Py_ssize_t nf = 0;
        if (!fin || !tot || !ftab) {
            free(fin);
            free(tot);
            free(ftab);
            PyErr_NoMemory();
            goto done;
        }
        for (Py_ssize_t a = 0; a < cnt; a++) {
            Hyp *hp = &S.hyps[S.vec[n][a]];
            if (tgt && hp->olen != tgtlen) continue;
            int32_t nxt;
            double total = hp->score + am_step(am, hp->state, 0, &nxt);
            uint64_t j = mix64(hp->h) & (fcap - 1);
            while (ftab[j] && S.hyps[fin[ftab[j] - 1]].h != hp->h) j = (j + 1) & (fcap - 1);
            if (ftab[j]) {
                Py_ssize_t f = ftab[j] - 1;
                if (total > tot[f]) {
                    tot[f] = total;
                    fin[f] = S.vec[n][a];
                }
            } else {
                fin[nf] = S.vec[n][a];
                tot[nf] = total;
                ftab[j] = (int32_t)(++nf);
            }
        }
        free(ftab);
        result = PyList_New(0);
        if (!result) {
            free(fin);
            free(tot);
            goto done;
        }
        char *used = calloc(nf ? nf : 1, 1);
        if (!used) {
            free(fin);
            free(tot);
            Py_CLEAR(result);
            PyErr_NoMemory();
            goto done;
        }
        for (int r = 0; r < k && r < nf; r++) {
            Py_ssize_t best = -1;
            for (Py_ssize_t f = 0; f < nf; f++)
                if (!used[f] && (best < 0 || tot[f] > tot[best])) best = f;
            used[best] = 1;
            /* rebuild the output string */
            PyObject *parts = PyList_New(0);
            int bad = parts == NULL;
            for (int32_t v = fin[best]; !bad && v >= 0 && S.hyps[v].parent >= 0; v = S.hyps[v].parent) {
                int32_t sym = S.hyps[v].sym;
                PyObject *o = sym >= 0 ? PyTuple_GET_ITEM(self->outputs, sym) : PyList_GET_ITEM(unk_outs, -1 - sym);
                if (PyList_Append(parts, o)) bad = 1;
            }
            PyObject *joined = NULL;
            if (!bad && !PyList_Reverse(parts)) {
                PyObject *empty = PyUnicode_New(0, 0);
                if (empty) {
                    joined = PyUnicode_Join(empty, parts);
                    Py_DECREF(empty);
                }
            }
            Py_XDECREF(parts);
            PyObject *pair = joined ? Py_BuildValue("(Nd)", joined, tot[best]) : NULL;
            if (!pair || PyList_Append(result, pair)) {
                Py_XDECREF(pair);
                Py_CLEAR(result);
                break;
            }
            Py_DECREF(pair);
        }
        free(used);
        free(fin);
        free(tot);
    }
done:
    if (uchars) {
        for (Py_ssize_t j = 0; j < n; j++) PyMem_Free(uchars[j]);
        free(uchars);
    }
    PyMem_Free(tgt);
    free(cut);
    free(spans);
    free(nspans);
    free(uh);
    free(up);
    free(ucls);
    free(items);
    Py_XDECREF(unk_outs);
    search_free(&S);
    return result;
}

/* best_scores(words, beam): for each Devanagari word, the score of decode(deva_units(word), k=1,
   beam=beam) (0.0 when there is no output): the units are cut here as translit.charalign.deva_units
   does (a nukta joins the unit before it, a virama joins a unit that starts with a consonant) */
static PyObject *JointDecoder_best_scores(JointDecoder *self, PyObject *args) {
    PyObject *words;
    int beam;
    if (!PyArg_ParseTuple(args, "Oi", &words, &beam)) return NULL;
    PyObject *seq = PySequence_Fast(words, "words must be a sequence of strings");
    if (!seq) return NULL;
    Py_ssize_t nw = PySequence_Fast_GET_SIZE(seq);
    PyObject *out = PyList_New(nw);
    if (!out) {
        Py_DECREF(seq);
        return NULL;
    }
    for (Py_ssize_t w = 0; w < nw; w++) {
        PyObject *word = PySequence_Fast_GET_ITEM(seq, w);
        if (!PyUnicode_Check(word)) {
            PyErr_SetString(PyExc_TypeError, "words must be strings");
            goto fail;
        }
        Py_ssize_t len = PyUnicode_GET_LENGTH(word);
        PyObject *cuts = PyList_New(0);
        if (!cuts) goto fail;
        int joined = 0;
        Py_UCS4 head = 0; /* first character of the current unit */
        for (Py_ssize_t i = 0; i < len; i++) {
            Py_UCS4 c = PyUnicode_READ_CHAR(word, i);
            if (i > 0 && (c == DEVA_NUKTA || (c == DEVA_VIRAMA && deva_consonant(head)))) {
                joined = 1;
                continue;
            }
            head = c;
            PyObject *o = PyLong_FromSsize_t(i);
            if (!o || PyList_Append(cuts, o)) {
                Py_XDECREF(o);
                Py_DECREF(cuts);
                goto fail;
            }
            Py_DECREF(o);
        }
        PyObject *end = PyLong_FromSsize_t(len);
        if (!end || PyList_Append(cuts, end)) {
            Py_XDECREF(end);
            Py_DECREF(cuts);
            goto fail;
        }
        Py_DECREF(end);
        PyObject *call = Py_BuildValue("(OOiiiO)", word, joined ? cuts : Py_None, 1, beam, 0, Py_None);
        Py_DECREF(cuts);
        if (!call) goto fail;
        PyObject *res = JointDecoder_decode(self, call, NULL);
        Py_DECREF(call);
        if (!res) goto fail;
        double score = 0.0;
        if (PyList_GET_SIZE(res) > 0) score = PyFloat_AsDouble(PyTuple_GET_ITEM(PyList_GET_ITEM(res, 0), 1));
        Py_DECREF(res);
        PyObject *f = PyFloat_FromDouble(score);
        if (!f) goto fail;
        PyList_SET_ITEM(out, w, f);
    }
    Py_DECREF(seq);
    return out;
fail:
    Py_DECREF(seq);
    Py_DECREF(out);
    return NULL;
}

static PyMethodDef JointDecoder_methods[] = {
    {"decode", (PyCFunction)(void (*)(void))JointDecoder_decode, METH_VARARGS | METH_KEYWORDS,
     "decode(text, cuts=None, k=1, beam=8, check=False, fallback=None, threshold=inf, target=None)"
     " -> [(output, logprob)]; with target, only outputs that spell it"},
    {"best_scores", (PyCFunction)JointDecoder_best_scores, METH_VARARGS,
     "best_scores(words, beam) -> list of the best k=1 scores over the Devanagari units of each word"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject JointDecoderType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "translit._fastlm.JointDecoder",
    .tp_basicsize = sizeof(JointDecoder),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Compiled beam search of the joint graphone model in one direction.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)JointDecoder_init,
    .tp_dealloc = (destructor)JointDecoder_dealloc,
    .tp_methods = JointDecoder_methods,
};

/* ------------------------------------------------------------------------------------------ */

/* Levenshtein distance of two strings (unit costs), two-row dynamic programming on code points */
static PyObject *fastlm_edit_distance(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *a, *b;
    if (!PyArg_ParseTuple(args, "UU", &a, &b)) return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(a), m = PyUnicode_GET_LENGTH(b);
    if (n == 0) return PyLong_FromSsize_t(m);
    if (m == 0) return PyLong_FromSsize_t(n);
    int ka = PyUnicode_KIND(a), kb = PyUnicode_KIND(b);
    const void *da = PyUnicode_DATA(a), *db = PyUnicode_DATA(b);
    Py_ssize_t stack[2][65];
    Py_ssize_t *prev = stack[0], *cur = stack[1], *heap = NULL;
    if (m >= 64) {
        heap = malloc(sizeof(Py_ssize_t) * 2 * (m + 1));
        if (!heap) return PyErr_NoMemory();
        prev = heap;
        cur = heap + m + 1;
    }
    for (Py_ssize_t j = 0; j <= m; j++) prev[j] = j;
    for (Py_ssize_t i = 1; i <= n; i++) {
        Py_UCS4 ca = PyUnicode_READ(ka, da, i - 1);
        cur[0] = i;
        for (Py_ssize_t j = 1; j <= m; j++) {
            Py_ssize_t best = prev[j - 1] + (ca != PyUnicode_READ(kb, db, j - 1));
            if (prev[j] + 1 < best) best = prev[j] + 1;
            if (cur[j - 1] + 1 < best) best = cur[j - 1] + 1;
            cur[j] = best;
        }
        Py_ssize_t *t = prev;
        prev = cur;
        cur = t;
    }
    Py_ssize_t d = prev[m];
    free(heap);
    return PyLong_FromSsize_t(d);
}

/* Sentence decoding: the best path through per-word candidate columns under a word n-gram
   automaton; the same search (order, recombination, pruning, tie-breaking) as
   LearnedModel.devanagarize_words */
typedef struct {
    int32_t state;
    int32_t parent; /* index into the previous column's hypotheses */
    int32_t cand;   /* candidate index in this column */
    double score;
} VHyp;

static int vhyp_better(const VHyp *H, Py_ssize_t a, Py_ssize_t b) {
    if (H[a].score != H[b].score) return H[a].score > H[b].score;
    return a < b;
}

static PyObject *fastlm_viterbi(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *am_obj, *columns;
    int start, beam;
    double w_ctx;
    if (!PyArg_ParseTuple(args, "O!Oidi", &AutomatonType, &am_obj, &columns, &start, &w_ctx, &beam)) return NULL;
    const Automaton *am = (const Automaton *)am_obj;
    if (beam < 1) beam = 1;
    PyObject *cols = PySequence_Fast(columns, "columns must be a sequence");
    if (!cols) return NULL;
    Py_ssize_t ncol = PySequence_Fast_GET_SIZE(cols);
    /* all hypotheses of all columns, column c at hyps[first[c] .. first[c + 1]) */
    Py_ssize_t cap = 1024, nh = 0;
    VHyp *hyps = malloc(sizeof(VHyp) * cap);
    Py_ssize_t *first = malloc(sizeof(Py_ssize_t) * (ncol + 2));
    double *chan = NULL;
    int32_t *wids = NULL;
    int32_t *table = NULL;
    Py_ssize_t *order = NULL, tcap = 0, ocap = 0;
    PyObject *result = NULL;
    if (!hyps || !first) {
        PyErr_NoMemory();
        goto done;
    }
    hyps[0].state = start;
    hyps[0].parent = -1;
    hyps[0].cand = -1;
    hyps[0].score = 0.0;
    nh = 1;
    first[0] = 0;
    first[1] = 1;
    for (Py_ssize_t c = 0; c < ncol; c++) {
        PyObject *col = PySequence_Fast(PySequence_Fast_GET_ITEM(cols, c), "a column must be a sequence");
        if (!col) goto done;
        Py_ssize_t m = PySequence_Fast_GET_SIZE(col);
        if (m == 0) {
            Py_DECREF(col);
            PyErr_SetString(PyExc_ValueError, "every column needs at least one candidate");
            goto done;
        }
        free(chan);
        free(wids);
        chan = malloc(sizeof(double) * (m ? m : 1));
        wids = malloc(sizeof(int32_t) * (m ? m : 1));
        if (!chan || !wids) {
            Py_DECREF(col);
            PyErr_NoMemory();
            goto done;
        }
        for (Py_ssize_t j = 0; j < m; j++) {
            PyObject *item = PySequence_Fast_GET_ITEM(col, j);
            if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
                Py_DECREF(col);
                PyErr_SetString(PyExc_TypeError, "column items must be (channel score, word id) tuples");
                goto done;
            }
            chan[j] = PyFloat_AsDouble(PyTuple_GET_ITEM(item, 0));
            wids[j] = (int32_t)PyLong_AsLong(PyTuple_GET_ITEM(item, 1));
        }
        Py_DECREF(col);
        if (PyErr_Occurred()) goto done;
        Py_ssize_t prev_lo = first[c], prev_hi = first[c + 1];
        Py_ssize_t need = (prev_hi - prev_lo) * m;
        if (nh + need > cap) {
            while (nh + need > cap) cap *= 2;
            VHyp *nhp = realloc(hyps, sizeof(VHyp) * cap);
            if (!nhp) {
                PyErr_NoMemory();
                goto done;
            }
            hyps = nhp;
        }
        Py_ssize_t want = 16;
        while (want < need * 2 + 1) want <<= 1;
        if (want > tcap) {
            free(table);
            table = malloc(sizeof(int32_t) * want);
            if (!table) {
                PyErr_NoMemory();
                goto done;
            }
            tcap = want;
        }
        Py_ssize_t tmask = want - 1;
        for (Py_ssize_t i = 0; i < want; i++) table[i] = -1;
        Py_ssize_t lo = nh;
        for (Py_ssize_t a = prev_lo; a < prev_hi; a++) {
            int32_t st = hyps[a].state;
            double sc = hyps[a].score;
            for (Py_ssize_t j = 0; j < m; j++) {
                int32_t nxt;
                double lp = am_step(am, st, wids[j], &nxt);
                double v = sc + chan[j] + w_ctx * lp;
                Py_ssize_t t = (Py_ssize_t)(mix64((uint64_t)(uint32_t)nxt) & (uint64_t)tmask);
                while (table[t] >= 0 && hyps[table[t]].state != nxt) t = (t + 1) & tmask;
                if (table[t] >= 0) {
                    VHyp *h = &hyps[table[t]];
                    if (v > h->score) {
                        h->score = v;
                        h->parent = (int32_t)a;
                        h->cand = (int32_t)j;
                    }
                } else {
                    table[t] = (int32_t)nh;
                    hyps[nh].state = nxt;
                    hyps[nh].parent = (int32_t)a;
                    hyps[nh].cand = (int32_t)j;
                    hyps[nh].score = v;
                    nh++;
                }
            }
        }
        Py_ssize_t cnt = nh - lo;
        if (cnt > beam) {
            /* keep the beam best, best first (ties: first created) */
            if (cnt > ocap) {
                free(order);
                order = malloc(sizeof(Py_ssize_t) * cnt);
                if (!order) {
                    PyErr_NoMemory();
                    goto done;
                }
                ocap = cnt;
            }
            for (Py_ssize_t i = 0; i < cnt; i++) order[i] = lo + i;
            for (Py_ssize_t i = 1; i < cnt; i++) { /* insertion sort: columns are small */
                Py_ssize_t x = order[i], k = i;
                while (k > 0 && vhyp_better(hyps, x, order[k - 1])) {
                    order[k] = order[k - 1];
                    k--;
                }
                order[k] = x;
            }
            VHyp *kept = malloc(sizeof(VHyp) * beam);
            if (!kept) {
                PyErr_NoMemory();
                goto done;
            }
            for (Py_ssize_t i = 0; i < beam; i++) kept[i] = hyps[order[i]];
            memcpy(&hyps[lo], kept, sizeof(VHyp) * beam);
            free(kept);
            nh = lo + beam;
        }
        first[c + 2] = nh; /* column c's beam: hyps[first[c + 1] .. first[c + 2]) */
    }
    {
        Py_ssize_t lo = first[ncol], hi = first[ncol + 1];
        Py_ssize_t best = -1;
        double best_v = 0.0;
        for (Py_ssize_t a = lo; a < hi; a++) {
            int32_t nxt;
            double v = hyps[a].score + w_ctx * am_step(am, hyps[a].state, 0, &nxt);
            if (best < 0 || v > best_v) {
                best = a;
                best_v = v;
            }
        }
        result = PyList_New(ncol);
        if (!result) goto done;
        for (Py_ssize_t c = ncol - 1, a = best; c >= 0; c--) {
            PyList_SET_ITEM(result, c, PyLong_FromLong(hyps[a].cand));
            a = hyps[a].parent;
        }
    }
done:
    Py_DECREF(cols);
    free(hyps);
    free(first);
    free(chan);
    free(wids);
    free(table);
    free(order);
    return result;
}

static PyMethodDef fastlm_functions[] = {
    {"viterbi", fastlm_viterbi, METH_VARARGS,
     "viterbi(automaton, columns, start, w_ctx, beam) -> best candidate index per column"},
    {"edit_distance", fastlm_edit_distance, METH_VARARGS, "edit_distance(a, b) -> Levenshtein distance"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef fastlm_module = {
    PyModuleDef_HEAD_INIT, "_fastlm", "Compiled kernels of lipyantar's n-gram models and joint beam search.",
    -1, fastlm_functions, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__fastlm(void) {
    if (PyType_Ready(&AutomatonType) < 0 || PyType_Ready(&JointDecoderType) < 0) return NULL;
    PyObject *m = PyModule_Create(&fastlm_module);
    if (!m) return NULL;
    Py_INCREF(&AutomatonType);
    if (PyModule_AddObject(m, "Automaton", (PyObject *)&AutomatonType) < 0) {
        Py_DECREF(&AutomatonType);
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(&JointDecoderType);
    if (PyModule_AddObject(m, "JointDecoder", (PyObject *)&JointDecoderType) < 0) {
        Py_DECREF(&JointDecoderType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
