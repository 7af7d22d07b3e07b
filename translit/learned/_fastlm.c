/*
 * lipyantar.translit.learned._fastlm: compiled kernels of the n-gram models and the joint-sequence beam search.
 *
 * The pure-Python implementations in translit/learned/langmodel.py and translit/learned/jointseq.py are the
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
 *       .decode(text, cuts, k, beam, check, fallback, threshold, target) -> [(output, logprob), ...]
 *       .best_scores(words, beam) -> best k=1 score of each Devanagari word (0.0 when none)
 *       .forced_scores(text, targets, beam, check) -> per target the score of a search forced to spell it
 *       The index is copied into a C hash table at init; the decoder keeps its search buffers and a
 *       memo of automaton steps per (state, chunk) between calls (results do not depend on them).
 *
 *   Channel(r2d=, forced=, d2r=, charlm=, ...)(roman, kind) -> ((deva, score), ...)
 *       the roman -> Devanagari candidates of a Latin word with their channel scores, best first:
 *       LearnedModel._channel_python (translit/learned/model.py) over the decoders and tables above.
 *
 *   kn_compile(vocab_size, order, ngrams, values) -> bytes of (keys, lp, next, backoff, bow, scalars)
 *       the Kneser-Ney automaton of a raw count table (langmodel.compile_count_table), or None when the
 *       table is one the Python code must handle (it then gives its own result or error).
 *
 *   em_grid / em_estep / em_viterbi
 *       the steps of the adaptation's alignment EM on one shard (learn._shard_grid, learn.em_shard):
 *       the grids' edges and graphone numbering, forward-backward expected counts, best segmentations;
 *       the same results, bit for bit (same sums in the same order, the same libm log).
 *
 *   crc32(data, value=0) -> int
 *       zlib.crc32(data, value), the same CRC-32 (polynomial 0xEDB88320, reflected): on x86-64 processors
 *       with carry-less multiplication (PCLMULQDQ, SSE4.1) by folding 64 bytes at a time (Gopal et al.,
 *       "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ Instruction", Intel 2009, the
 *       algorithm of Chromium's zlib), several times faster than zlib's; elsewhere a table, a byte at a
 *       time. The model file's sections and the loanword index are checked with it when they are read.
 *
 *   KERNEL_VERSION: the version of what these kernels compute; the Python code uses the module only
 *   when it is the version it expects (translit/learned/learn.py, EM_KERNEL_VERSION).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
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
    /* the unit -> token id dict that score_deva last saw, as an open-addressing table of its keys of
       1 to 3 code points (packed by unit_key; 0: empty slot): score_deva reads it instead of making
       a string per unit. Rebuilt when another dict (or one of another size) comes: a unit dict must
       not be changed in place once scored with (CharLM.ids never is). */
    PyObject *unit_dict;
    Py_ssize_t unit_dict_len;
    uint64_t *ukeys;
    int32_t *uvals;
    uint64_t umask;
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
    Py_XDECREF(self->unit_dict);
    free(self->ukeys);
    free(self->uvals);
    free(self->arcs);
    free(self->off);
    free(self->backoff);
    free(self->bow);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* the arcs of a (keys, lp, next) tuple of arrays (typecodes "q", "f", "i", as NgramLM.to_arrays) into
   a new KeyedArc array; -1 with an exception set on error */
/* the end of the arc keys of ``ns`` states (state * mult + token < ns * mult), saturated: a range check
   of a key without dividing it by ``mult`` */
static int64_t key_limit(long long mult, Py_ssize_t ns) {
    if (mult <= 0 || ns <= 0) return 0;
    return (int64_t)ns > INT64_MAX / mult ? INT64_MAX : (int64_t)ns * mult;
}

/* the buffers of a (keys, lp, next) tuple of arrays (typecodes q, f, i, one length): the number of
   arcs, or -1 with an exception set; *got buffers are held either way (release them) */
static Py_ssize_t get_arc_buffers(PyObject *tuple, Py_buffer b[3], int *got) {
    static const char *formats[3] = {"q", "f", "i"};
    static const Py_ssize_t sizes[3] = {8, 4, 4};
    for (*got = 0; *got < 3; (*got)++) {
        if (PyObject_GetBuffer(PyTuple_GET_ITEM(tuple, *got), &b[*got], PyBUF_FORMAT | PyBUF_C_CONTIGUOUS)) return -1;
        if (b[*got].itemsize != sizes[*got] || !b[*got].format || strcmp(b[*got].format, formats[*got]) != 0) {
            (*got)++;
            PyErr_SetString(PyExc_TypeError, "arc arrays must have the typecodes q, f and i");
            return -1;
        }
    }
    Py_ssize_t n = b[0].len / 8;
    if (b[1].len / 4 != n || b[2].len / 4 != n) {
        PyErr_SetString(PyExc_ValueError, "arc arrays differ in length");
        return -1;
    }
    return n;
}

static int read_arc_arrays(PyObject *tuple, long long mult, Py_ssize_t ns, KeyedArc **out, Py_ssize_t *count) {
    Py_buffer b[3];
    int got = 0, rc = -1;
    Py_ssize_t n = get_arc_buffers(tuple, b, &got);
    if (n < 0) goto done;
    KeyedArc *tmp = malloc(sizeof(KeyedArc) * (n ? n : 1));
    if (!tmp) {
        PyErr_NoMemory();
        goto done;
    }
    const int64_t *keys = b[0].buf;
    const float *lps = b[1].buf;
    const int32_t *nexts = b[2].buf;
    const int64_t key_end = key_limit(mult, ns);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (keys[i] < 0 || keys[i] >= key_end) {
            free(tmp);
            PyErr_SetString(PyExc_ValueError, "arc key out of range");
            goto done;
        }
        tmp[i].key = keys[i];
        tmp[i].lp = (double)lps[i];
        tmp[i].next = nexts[i];
    }
    *out = tmp;
    *count = n;
    rc = 0;
done:
    for (int i = 0; i < got; i++) PyBuffer_Release(&b[i]);
    return rc;
}

/* a C-contiguous buffer of one item format ("q", "i" or "f"), or -1 with an exception set naming it */
static int automaton_buffer(PyObject *obj, Py_buffer *view, const char *format, Py_ssize_t itemsize, const char *name) {
    if (PyObject_GetBuffer(obj, view, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS)) {
        PyErr_Clear();
        PyErr_Format(PyExc_ValueError, "automaton table '%s' has the wrong type", name);
        return -1;
    }
    if (view->itemsize != itemsize || !view->format || strcmp(view->format, format) != 0) {
        PyBuffer_Release(view);
        PyErr_Format(PyExc_ValueError, "automaton table '%s' has the wrong type", name);
        return -1;
    }
    return 0;
}

/* check_automaton(keys, lp, next, backoff, bow, start, root, mult): raise ValueError unless the tables
   (typed buffers "q", "f", "i", "i", "f") fit together: arc arrays of one length, state tables of one
   non-zero length, start and root in range, the root backing off nowhere (-1) and every other state to
   an earlier one (so no backoff chain loops), arc keys and next states in range, finite weights. The
   compiled twin of langmodel._check_automaton, run on every table read from a file. */
static PyObject *fastlm_check_automaton(PyObject *mod, PyObject *args) {
    PyObject *objs[5];
    long long start, root, mult;
    if (!PyArg_ParseTuple(args, "OOOOOLLL", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4], &start, &root, &mult))
        return NULL;
    static const char *names[5] = {"keys", "lp", "next", "backoff", "bow"};
    static const char *formats[5] = {"q", "f", "i", "i", "f"};
    static const Py_ssize_t sizes[5] = {8, 4, 4, 4, 4};
    Py_buffer b[5];
    int got = 0;
    const char *err = NULL;
    for (; got < 5; got++)
        if (automaton_buffer(objs[got], &b[got], formats[got], sizes[got], names[got])) goto done;
    Py_ssize_t n = b[0].len / 8, ns = b[3].len / 4;
    if (b[1].len / 4 != n || b[2].len / 4 != n) {
        err = "arc arrays differ in length";
        goto done;
    }
    if (b[4].len / 4 != ns || ns < 1) {
        err = "backoff tables differ in length or are empty";
        goto done;
    }
    if (start < 0 || start >= ns || root < 0 || root >= ns) {
        err = "start or root state out of range";
        goto done;
    }
    if (mult < 1) {
        err = "mult must be positive";
        goto done;
    }
    const int64_t *keys = b[0].buf;
    const float *lps = b[1].buf, *bows = b[4].buf;
    const int32_t *nexts = b[2].buf, *backoff = b[3].buf;
    for (Py_ssize_t i = 0; i < ns; i++) {
        int32_t to = backoff[i];
        if (i == root ? to != -1 : (to < 0 || to >= i)) {
            err = "backoff state out of range";
            goto done;
        }
        if (!isfinite(bows[i])) {
            err = "automaton weights must be finite";
            goto done;
        }
    }
    const int64_t key_end = key_limit(mult, ns);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (keys[i] < 0 || keys[i] >= key_end || nexts[i] < 0 || nexts[i] >= ns) {
            err = "arc key or next state out of range";
            goto done;
        }
        if (!isfinite(lps[i])) {
            err = "automaton weights must be finite";
            goto done;
        }
    }
done:
    for (int i = 0; i < got; i++) PyBuffer_Release(&b[i]);
    if (PyErr_Occurred()) return NULL;
    if (err) {
        PyErr_SetString(PyExc_ValueError, err);
        return NULL;
    }
    Py_RETURN_NONE;
}

/* the state tables (backoff "i", bow "f" buffers, or sequences of numbers) into new C arrays; -1 with
   an exception set on error */
static int read_state_tables(PyObject *backoff, PyObject *bow, int32_t **bo_out, double **bw_out, Py_ssize_t *ns_out) {
    Py_buffer vb, vw;
    if (PyObject_CheckBuffer(backoff) && PyObject_CheckBuffer(bow)) {
        if (automaton_buffer(backoff, &vb, "i", 4, "backoff")) return -1;
        if (automaton_buffer(bow, &vw, "f", 4, "bow")) {
            PyBuffer_Release(&vb);
            return -1;
        }
        Py_ssize_t ns = vb.len / 4;
        int rc = -1;
        if (vw.len / 4 != ns) {
            PyErr_SetString(PyExc_ValueError, "backoff and bow differ in length");
        } else {
            int32_t *bo = malloc(sizeof(int32_t) * (ns ? ns : 1));
            double *bw = malloc(sizeof(double) * (ns ? ns : 1));
            if (!bo || !bw) {
                free(bo);
                free(bw);
                PyErr_NoMemory();
            } else {
                memcpy(bo, vb.buf, sizeof(int32_t) * ns);
                const float *f = vw.buf;
                for (Py_ssize_t i = 0; i < ns; i++) bw[i] = (double)f[i];
                *bo_out = bo;
                *bw_out = bw;
                *ns_out = ns;
                rc = 0;
            }
        }
        PyBuffer_Release(&vb);
        PyBuffer_Release(&vw);
        return rc;
    }
    PyObject *bo = PySequence_Fast(backoff, "backoff must be a sequence");
    if (!bo) return -1;
    PyObject *bw = PySequence_Fast(bow, "bow must be a sequence");
    if (!bw) {
        Py_DECREF(bo);
        return -1;
    }
    Py_ssize_t ns = PySequence_Fast_GET_SIZE(bo);
    int32_t *bo_c = NULL;
    double *bw_c = NULL;
    if (PySequence_Fast_GET_SIZE(bw) != ns) {
        PyErr_SetString(PyExc_ValueError, "backoff and bow differ in length");
        goto fail;
    }
    bo_c = malloc(sizeof(int32_t) * (ns ? ns : 1));
    bw_c = malloc(sizeof(double) * (ns ? ns : 1));
    if (!bo_c || !bw_c) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < ns; i++) {
        long b = PyLong_AsLong(PySequence_Fast_GET_ITEM(bo, i));
        double w = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(bw, i));
        if (PyErr_Occurred()) goto fail;
        bo_c[i] = (int32_t)b;
        bw_c[i] = w;
    }
    Py_DECREF(bo);
    Py_DECREF(bw);
    *bo_out = bo_c;
    *bw_out = bw_c;
    *ns_out = ns;
    return 0;
fail:
    free(bo_c);
    free(bw_c);
    Py_DECREF(bo);
    Py_DECREF(bw);
    return -1;
}

/* where place_arc is: the state of the last arc placed and that state's first key (state * mult) */
typedef struct {
    int64_t st, base;
} ArcPlacer;

/* arc ``i`` (of keys in ascending order) into the automaton's arcs and its state's count (self->off):
   the states never decrease, so a key's state and token come from the last one's base (a division
   only where the state jumps by more than one) */
static inline void place_arc(Automaton *self, ArcPlacer *at, Py_ssize_t i, int64_t key, double lp, int32_t next,
                             int64_t mult) {
    if (key - at->base >= mult) {
        if (key - at->base - mult < mult) {
            at->st++;
            at->base += mult;
        } else {
            at->st = key / mult;
            at->base = at->st * mult;
        }
    }
    self->arcs[i].g = (int32_t)(key - at->base);
    self->arcs[i].next = next;
    self->arcs[i].lp = lp;
    self->off[at->st + 1]++;
}

/* the arcs of (keys, lp, next) arrays whose keys are sorted (a model file's) placed straight from the
   buffers (no copy to sort): 1 when placed (self->arcs and self->off allocated, *count set), 0 when
   the keys are not sorted (nothing done: read_arc_arrays sorts a copy), -1 with an exception set */
static int place_sorted_arcs(Automaton *self, PyObject *tuple, long long mult, Py_ssize_t ns, Py_ssize_t *count) {
    Py_buffer b[3];
    int got = 0, rc = -1;
    Py_ssize_t n = get_arc_buffers(tuple, b, &got);
    if (n < 0) goto done;
    const int64_t *keys = b[0].buf;
    const float *lps = b[1].buf;
    const int32_t *nexts = b[2].buf;
    const int64_t key_end = key_limit(mult, ns);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (keys[i] < 0 || keys[i] >= key_end) {
            PyErr_SetString(PyExc_ValueError, "arc key out of range");
            goto done;
        }
        if (i && keys[i - 1] > keys[i]) {
            rc = 0;
            goto done;
        }
    }
    self->arcs = malloc(sizeof(Arc) * (n ? n : 1));
    self->off = calloc(ns + 1, sizeof(int64_t));
    if (!self->arcs || !self->off) {
        PyErr_NoMemory();
        goto done;
    }
    ArcPlacer at = {0, 0};
    for (Py_ssize_t i = 0; i < n; i++) place_arc(self, &at, i, keys[i], (double)lps[i], nexts[i], mult);
    *count = n;
    rc = 1;
done:
    for (int i = 0; i < got; i++) PyBuffer_Release(&b[i]);
    return rc;
}

static int Automaton_init(Automaton *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"arcmap", "backoff", "bow", "root", "mult", "unk", NULL};
    PyObject *arcmap, *backoff, *bow;
    long root;
    long long mult;
    double unk;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOlLd", kwlist, &arcmap, &backoff, &bow, &root, &mult, &unk))
        return -1;
    if (!PyDict_Check(arcmap) && !(PyTuple_Check(arcmap) && PyTuple_GET_SIZE(arcmap) == 3)) {
        PyErr_SetString(PyExc_TypeError, "arcmap must be a dict or a (keys, lp, next) tuple of arrays");
        return -1;
    }
    automaton_free_dense(self);
    free(self->arcs);
    free(self->off);
    free(self->backoff);
    free(self->bow);
    self->arcs = NULL;
    self->off = NULL;
    self->backoff = NULL;
    self->bow = NULL;
    self->nstates = 0;
    Py_ssize_t ns;
    if (read_state_tables(backoff, bow, &self->backoff, &self->bow, &ns)) return -1;
    self->nstates = ns;
    if (mult < 1) {
        PyErr_SetString(PyExc_ValueError, "mult must be positive");
        goto fail;
    }
    Py_ssize_t n, m = 0;
    KeyedArc *tmp = NULL;
    if (!PyDict_Check(arcmap)) {
        int placed = place_sorted_arcs(self, arcmap, mult, ns, &n);
        if (placed < 0) goto fail;
        if (placed) {
            m = n;
            goto arcs_placed;
        }
        if (read_arc_arrays(arcmap, mult, ns, &tmp, &n)) goto fail;
        m = n;
        self->arcs = malloc(sizeof(Arc) * (n ? n : 1));
        self->off = calloc(ns + 1, sizeof(int64_t));
        if (!self->arcs || !self->off) {
            free(tmp);
            PyErr_NoMemory();
            goto fail;
        }
        goto sort_arcs;
    }
    n = PyDict_Size(arcmap);
    tmp = malloc(sizeof(KeyedArc) * (n ? n : 1));
    self->arcs = malloc(sizeof(Arc) * (n ? n : 1));
    self->off = calloc(ns + 1, sizeof(int64_t));
    if (!tmp || !self->arcs || !self->off) {
        free(tmp);
        PyErr_NoMemory();
        goto fail;
    }
    Py_ssize_t pos = 0;
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
sort_arcs:
    /* a model file's arcs come sorted by key (NgramLM.to_arrays): no sort needed then */
    for (Py_ssize_t i = 1; i < m; i++)
        if (tmp[i - 1].key > tmp[i].key) {
            qsort(tmp, m, sizeof(KeyedArc), cmp_keyed);
            break;
        }
    {
        ArcPlacer at = {0, 0};
        for (Py_ssize_t i = 0; i < m; i++) place_arc(self, &at, i, tmp[i].key, tmp[i].lp, tmp[i].next, mult);
    }
arcs_placed:
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
    return 0;
fail:
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

/* code points data[i .. j) (at most 3) packed into one nonzero key: (c + 1) << 21 * position */
static inline uint64_t unit_key(int kind, const void *data, Py_ssize_t i, Py_ssize_t j) {
    uint64_t key = 0;
    for (Py_ssize_t t = i; t < j; t++) key |= (uint64_t)(PyUnicode_READ(kind, data, t) + 1) << (21 * (t - i));
    return key;
}

/* make self->ukeys / uvals the table of the dict ids (see Automaton); -1 with an exception set on error */
static int unit_table_for(Automaton *self, PyObject *ids) {
    Py_ssize_t n = PyDict_GET_SIZE(ids);
    if (self->unit_dict == ids && self->unit_dict_len == n) return 0;
    Py_ssize_t cap = 16;
    while (cap < 2 * n + 2) cap <<= 1;
    uint64_t *keys = calloc((size_t)cap, sizeof(uint64_t));
    int32_t *vals = malloc(sizeof(int32_t) * (size_t)cap);
    if (!keys || !vals) {
        free(keys);
        free(vals);
        PyErr_NoMemory();
        return -1;
    }
    uint64_t mask = (uint64_t)cap - 1;
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    while (PyDict_Next(ids, &pos, &k, &v)) {
        if (!PyUnicode_Check(k)) continue;
        Py_ssize_t len = PyUnicode_GET_LENGTH(k);
        if (len < 1 || len > 3) continue;
        long id = PyLong_AsLong(v);
        if (id == -1 && PyErr_Occurred()) {
            free(keys);
            free(vals);
            return -1;
        }
        uint64_t key = unit_key(PyUnicode_KIND(k), PyUnicode_DATA(k), 0, len);
        uint64_t j = mix64(key) & mask;
        while (keys[j] && keys[j] != key) j = (j + 1) & mask;
        keys[j] = key;
        vals[j] = (int32_t)id;
    }
    free(self->ukeys);
    free(self->uvals);
    Py_INCREF(ids);
    Py_XSETREF(self->unit_dict, ids);
    self->unit_dict_len = n;
    self->ukeys = keys;
    self->uvals = vals;
    self->umask = mask;
    return 0;
}

/* well-formedness (*ok) and log-probability (*total) of one word (is_wellformed and the
   log-probability of deva_units under this automaton); -1 with an exception set on error */
static int score_deva_one(Automaton *self, PyObject *word, PyObject *ids, int unk_id, int start, int *okp,
                          double *totalp) {
    if (unit_table_for(self, ids)) return -1;
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
            if (j - i <= 3) { /* the table holds every key of the dict this short */
                uint64_t key = unit_key(kind, data, i, j);
                uint64_t t = mix64(key) & self->umask;
                while (self->ukeys[t] && self->ukeys[t] != key) t = (t + 1) & self->umask;
                g = self->ukeys[t] ? self->uvals[t] : unk_id;
            } else {
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
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "lipyantar.translit.learned._fastlm.Automaton",
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

/* a graphone of a chunk with what the search needs of it, side by side */
typedef struct {
    uint64_t hash, pow; /* str_hash of its output */
    int32_t g;
    int32_t len;  /* output length */
    int32_t coff; /* output characters at ochars[coff ..) */
    Py_UCS4 c0;   /* the first output character (0 when empty) */
    uint8_t kind, cls;
} IdInfo;

/* input chunk of the index: its characters and its graphone ids */
typedef struct {
    uint64_t h; /* chunk_hash of its characters */
    Py_ssize_t coff, clen; /* characters at kchars[coff .. coff + clen) */
    Py_ssize_t ioff, nids; /* graphones at kids[ioff .. ioff + nids) */
} ChunkEntry;

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
    int32_t end;
    int32_t unknown; /* index into unknown outputs, or -1 */
    int32_t entry;   /* the chunk's entry in the index */
    const IdInfo *ids;
    Py_ssize_t nids;
} Span;

/* an unknown piece's output (fallback(piece) or "") */
typedef struct {
    PyObject *out; /* owned during a search */
    Py_UCS4 *chars; /* its characters (forced search only), PyMem */
    uint64_t h, p;
    Py_ssize_t len;
    Py_UCS4 maxchar;
    uint8_t cls;
} UnkOut;

/* the state of one search; the buffers are kept by the decoder and reused between calls */
typedef struct {
    Hyp *hyps;
    Py_ssize_t nhyps, caphyps;
    /* recombination table: hyp index + 1 (0 = empty) keyed by (pos, state, h); table2 is the spare
       buffer a growing table is rehashed into */
    int32_t *table, *table2;
    Py_ssize_t tcap, tcap2; /* allocated entries */
    uint64_t tmask;
    int tbits; /* tmask = 2 ** tbits - 1 */
    Py_ssize_t tfill;
    /* per position: hyp indices in creation order */
    int32_t **vec;
    Py_ssize_t *vlen, *vcap;
    /* best score offered so far per position, and the threshold: an offer below best - thr at a
       position that will be pruned (pos < npos - 1) can never be expanded and is not stored */
    double *pbest;
    Py_ssize_t *nspans;
    Py_ssize_t *cut;
    Py_ssize_t npos, poscap;
    double thr;
    Span *spans;
    Py_ssize_t spancap;
    UnkOut *unk;
    Py_ssize_t nunk, unkcap;
    int32_t *items;
    Py_ssize_t itemscap;
    int32_t *fin;
    double *tot;
    uint64_t *fh;
    Py_ssize_t fincap, totcap, fhcap;
    struct Ranked *ranked;
    Py_ssize_t rankedcap;
    int32_t *ftab;
    Py_ssize_t ftabcap;
} Search;

/* memo of the automaton steps of an input chunk's graphones after a state: per (state, chunk), a
   run of slots in a pool, one per graphone of the chunk, filled on first use (next == EXP_UNSET) */
typedef struct {
    double lp;
    int32_t next;
} ExpSlot;

typedef struct {
    uint64_t key; /* (state + 1) << 32 | chunk entry; 0 = empty */
    Py_ssize_t off; /* slots at pool[off ..) */
} ExpEntry;

#define EXP_UNSET INT32_MIN
#define EXP_BITS 15
#define EXP_SIZE ((uint64_t)1 << EXP_BITS)
#define EXP_POOL ((Py_ssize_t)1 << 18)

typedef struct {
    PyObject_HEAD
    Automaton *am;
    PyObject *outputs; /* tuple of str */
    uint64_t *ohash;
    uint64_t *opow;
    uint8_t *kind;
    uint8_t *cls;
    Py_UCS4 *ochars; /* the outputs' characters, graphone g at ochars[ooff[g] .. ooff[g + 1]) */
    Py_ssize_t *ooff;
    Py_UCS4 *omax; /* the largest character of each output (0 when empty) */
    Py_ssize_t ng;
    int32_t start, root;
    double unk;
    int max_span;
    /* the index: open addressing table of chunk entry + 1 */
    ChunkEntry *kent;
    int32_t *kmap;
    uint64_t kmask;
    Py_UCS4 *kchars;
    IdInfo *kids;
    /* step memo per (state, chunk); the chunk entry nk stands for the end-of-word token */
    ExpEntry *etab;
    ExpSlot *pool;
    Py_ssize_t efill, pfill;
    int32_t nk;
    /* scratch buffers of a search; busy while one runs (a fallback calling back gets its own) */
    Search scratch;
    int busy;
} JointDecoder;

static void search_free(Search *S) {
    free(S->hyps);
    free(S->table);
    free(S->table2);
    if (S->vec)
        for (Py_ssize_t i = 0; i < S->poscap; i++) free(S->vec[i]);
    free(S->vec);
    free(S->vlen);
    free(S->vcap);
    free(S->pbest);
    free(S->nspans);
    free(S->cut);
    free(S->spans);
    free(S->unk);
    free(S->items);
    free(S->fin);
    free(S->tot);
    free(S->fh);
    free(S->ranked);
    free(S->ftab);
    memset(S, 0, sizeof(*S));
}

static void JointDecoder_dealloc(JointDecoder *self) {
    Py_XDECREF(self->am);
    Py_XDECREF(self->outputs);
    free(self->ohash);
    free(self->opow);
    free(self->kind);
    free(self->cls);
    free(self->ochars);
    free(self->ooff);
    free(self->omax);
    free(self->kent);
    free(self->kmap);
    free(self->kchars);
    free(self->kids);
    free(self->etab);
    free(self->pool);
    search_free(&self->scratch);
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

static inline uint64_t chunk_slot(uint64_t h, Py_ssize_t len) { return mix64(h ^ ((uint64_t)len << 56)); }

/* grow an array to hold at least need elements (contents kept); -1 when out of memory */
static int ensure_cap(void **p, Py_ssize_t *cap, Py_ssize_t need, size_t elem) {
    if (need <= *cap) return 0;
    Py_ssize_t c = *cap ? *cap : 16;
    while (c < need) c *= 2;
    void *q = realloc(*p, (size_t)c * elem);
    if (!q) return -1;
    *p = q;
    *cap = c;
    return 0;
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
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError, "JointDecoder re-initialized during a search");
        PyBuffer_Release(&kinds);
        PyBuffer_Release(&classes);
        return -1;
    }
    Py_CLEAR(self->am); /* unusable until this init succeeds */
    int rc = -1;
    ChunkEntry *kent = NULL;
    int32_t *kmap = NULL;
    IdInfo *kids = NULL;
    Py_UCS4 *kchars = NULL;
    PyObject *outs = PySequence_Tuple(outputs);
    if (!outs) goto done;
    Py_ssize_t ng = PyTuple_GET_SIZE(outs);
    if (kinds.len != ng || classes.len != ng) {
        PyErr_SetString(PyExc_ValueError, "kinds and classes must have one byte per graphone");
        goto done;
    }
    free(self->ohash);
    free(self->opow);
    free(self->kind);
    free(self->cls);
    free(self->omax);
    self->ohash = malloc(sizeof(uint64_t) * (ng ? ng : 1));
    self->opow = malloc(sizeof(uint64_t) * (ng ? ng : 1));
    self->kind = malloc(ng ? ng : 1);
    self->cls = malloc(ng ? ng : 1);
    self->omax = malloc(sizeof(Py_UCS4) * (ng ? ng : 1));
    if (!self->ohash || !self->opow || !self->kind || !self->cls || !self->omax) {
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
    if (total_chars > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "the outputs are too long");
        goto done;
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
        Py_UCS4 mx = 0;
        for (Py_ssize_t c = 0; c < len; c++) {
            Py_UCS4 ch = PyUnicode_READ_CHAR(s, c);
            self->ochars[self->ooff[g] + c] = ch;
            if (ch > mx) mx = ch;
        }
        self->omax[g] = mx;
        self->ooff[g + 1] = self->ooff[g] + len;
    }
    memcpy(self->kind, kinds.buf, ng);
    memcpy(self->cls, classes.buf, ng);
    /* the index -> chunk entries in a hash table (chunks without ids are left out: not found) */
    {
        Py_ssize_t nk = PyDict_Size(index), pos = 0, nchars = 0, idcap = 0, cnt = 0;
        PyObject *key, *value;
        while (PyDict_Next(index, &pos, &key, &value))
            if (PyUnicode_Check(key)) nchars += PyUnicode_GET_LENGTH(key); /* others never equal a chunk */
        uint64_t kcap = 16;
        while (kcap < (uint64_t)nk * 2 + 1) kcap <<= 1;
        kent = malloc(sizeof(ChunkEntry) * (nk ? nk : 1));
        kmap = calloc(kcap, sizeof(int32_t));
        kchars = malloc(sizeof(Py_UCS4) * (nchars ? nchars : 1));
        if (!kent || !kmap || !kchars || ensure_cap((void **)&kids, &idcap, 64, sizeof(IdInfo))) {
            PyErr_NoMemory();
            goto done;
        }
        Py_ssize_t coff = 0, ioff = 0;
        pos = 0;
        while (PyDict_Next(index, &pos, &key, &value)) {
            if (!PyUnicode_Check(key)) continue;
            Py_INCREF(key); /* reading the value may run code that changes the index */
            PyObject *seq = PySequence_Fast(value, "index values must be sequences of graphone ids");
            if (!seq) {
                Py_DECREF(key);
                goto done;
            }
            Py_ssize_t m = PySequence_Fast_GET_SIZE(seq);
            Py_ssize_t len = PyUnicode_GET_LENGTH(key);
            if (m == 0) {
                Py_DECREF(seq);
                Py_DECREF(key);
                continue;
            }
            if (coff + len > nchars || cnt >= nk) {
                Py_DECREF(seq);
                Py_DECREF(key);
                PyErr_SetString(PyExc_RuntimeError, "the index changed while it was read");
                goto done;
            }
            if (ensure_cap((void **)&kids, &idcap, ioff + m, sizeof(IdInfo))) {
                Py_DECREF(seq);
                Py_DECREF(key);
                PyErr_NoMemory();
                goto done;
            }
            for (Py_ssize_t j = 0; j < m; j++) {
                long g = PyLong_AsLong(PySequence_Fast_GET_ITEM(seq, j));
                if (g < 0 || g >= ng) {
                    if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "graphone id out of range");
                    Py_DECREF(seq);
                    Py_DECREF(key);
                    goto done;
                }
                IdInfo *x = &kids[ioff + j];
                x->g = (int32_t)g;
                x->hash = self->ohash[g];
                x->pow = self->opow[g];
                x->coff = (int32_t)self->ooff[g];
                x->c0 = self->ooff[g + 1] > self->ooff[g] ? self->ochars[self->ooff[g]] : 0;
                x->len = (int32_t)(self->ooff[g + 1] - self->ooff[g]);
                x->kind = self->kind[g];
                x->cls = self->cls[g];
            }
            Py_DECREF(seq);
            uint64_t h = 0;
            for (Py_ssize_t c = 0; c < len; c++) {
                Py_UCS4 ch = PyUnicode_READ_CHAR(key, c);
                kchars[coff + c] = ch;
                h = h * HASH_BASE + (uint64_t)ch + 1;
            }
            Py_DECREF(key);
            ChunkEntry *e = &kent[cnt];
            e->h = h;
            e->coff = coff;
            e->clen = len;
            e->ioff = ioff;
            e->nids = m;
            uint64_t j = chunk_slot(h, len) & (kcap - 1);
            while (kmap[j]) j = (j + 1) & (kcap - 1);
            kmap[j] = (int32_t)(++cnt);
            coff += len;
            ioff += m;
        }
        free(self->kent);
        free(self->kmap);
        free(self->kchars);
        free(self->kids);
        self->kent = kent;
        self->kmap = kmap;
        self->kchars = kchars;
        self->kids = kids;
        self->kmask = kcap - 1;
        self->nk = (int32_t)cnt;
        kent = NULL;
        kmap = NULL;
        kids = NULL;
        kchars = NULL;
    }
    Automaton *a = (Automaton *)am;
    if (!self->etab) self->etab = malloc(sizeof(ExpEntry) * EXP_SIZE);
    if (!self->pool) self->pool = malloc(sizeof(ExpSlot) * EXP_POOL);
    if (!self->etab || !self->pool) {
        PyErr_NoMemory();
        goto done;
    }
    memset(self->etab, 0, sizeof(ExpEntry) * EXP_SIZE);
    self->efill = self->pfill = 0;
    Py_INCREF(am);
    Py_XSETREF(self->am, a);
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
    free(kent);
    free(kmap);
    free(kchars);
    free(kids);
    PyBuffer_Release(&kinds);
    PyBuffer_Release(&classes);
    return rc;
}

static inline uint64_t exp_home(uint64_t key) { return (key * 0x9e3779b97f4a7c15ULL) >> (64 - EXP_BITS); }

/* start loading the memo entry of (state, e) (a hint only) */
static inline void jd_prefetch(const JointDecoder *self, int32_t state, int32_t e) {
    __builtin_prefetch(&self->etab[exp_home(((uint64_t)(state + 1) << 32) | (uint32_t)e)]);
}

/* the step slots of chunk entry e's nids graphones after state (memoized across searches), or NULL
   when they are not memoized (a state outside the automaton, a chunk larger than the pool) */
static inline ExpSlot *jd_slots(JointDecoder *self, int32_t state, int32_t e, Py_ssize_t nids) {
    if (state < 0 || state >= self->am->nstates || nids > EXP_POOL) return NULL;
    uint64_t key = ((uint64_t)(state + 1) << 32) | (uint32_t)e;
    ExpEntry *T = self->etab;
    uint64_t j = exp_home(key);
    for (;;) {
        uint64_t k = T[j].key;
        if (k == key) return self->pool + T[j].off;
        if (!k) break;
        j = (j + 1) & (EXP_SIZE - 1);
    }
    if ((uint64_t)self->efill * 2 >= EXP_SIZE || self->pfill + nids > EXP_POOL) { /* full: start over */
        memset(T, 0, sizeof(ExpEntry) * EXP_SIZE);
        self->efill = self->pfill = 0;
        j = exp_home(key);
    }
    T[j].key = key;
    T[j].off = self->pfill;
    ExpSlot *slots = self->pool + self->pfill;
    for (Py_ssize_t b = 0; b < nids; b++) slots[b].next = EXP_UNSET;
    self->pfill += nids;
    self->efill++;
    return slots;
}

/* am_step(state, g) through slot b of jd_slots (slots may be NULL) */
static inline double jd_step(const JointDecoder *self, ExpSlot *slots, Py_ssize_t b, int32_t state, int32_t g,
                             int32_t *next) {
    if (!slots) return am_step(self->am, state, g, next);
    ExpSlot *x = &slots[b];
    if (x->next == EXP_UNSET) {
        int32_t nx;
        double lp = am_step(self->am, state, g, &nx);
        x->lp = lp;
        x->next = nx;
    }
    *next = x->next;
    return x->lp;
}

/* the end-of-word step after state */
static inline double jd_final(JointDecoder *self, int32_t state, int32_t *next) {
    return jd_step(self, jd_slots(self, state, self->nk, 1), 0, state, 0, next);
}

/* the home slot of (pos, state, h) in a table of 2 ** bits entries (multiply-shift) */
static inline uint64_t hyp_slot(int32_t pos, int32_t state, uint64_t h, int bits) {
    uint64_t x = h ^ ((uint64_t)(uint32_t)state * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)(uint32_t)pos << 40);
    return (x * 0xd6e8feb86659fd93ULL) >> (64 - bits);
}

/* make the buffers ready for a search over npos positions; -1 when out of memory */
static int search_reset(Search *S, Py_ssize_t npos, double thr) {
    if (npos > S->poscap) {
        Py_ssize_t cap = S->poscap ? S->poscap : 16;
        while (cap < npos) cap *= 2;
        /* every array first (a failure leaves the old capacity valid), then the new tails */
        int32_t **vec = realloc(S->vec, sizeof(int32_t *) * cap);
        if (!vec) return -1;
        S->vec = vec;
        Py_ssize_t *vcap = realloc(S->vcap, sizeof(Py_ssize_t) * cap);
        if (!vcap) return -1;
        S->vcap = vcap;
        Py_ssize_t *vlen = realloc(S->vlen, sizeof(Py_ssize_t) * cap);
        if (!vlen) return -1;
        S->vlen = vlen;
        double *pbest = realloc(S->pbest, sizeof(double) * cap);
        if (!pbest) return -1;
        S->pbest = pbest;
        Py_ssize_t *nspans = realloc(S->nspans, sizeof(Py_ssize_t) * cap);
        if (!nspans) return -1;
        S->nspans = nspans;
        Py_ssize_t *cut = realloc(S->cut, sizeof(Py_ssize_t) * cap);
        if (!cut) return -1;
        S->cut = cut;
        for (Py_ssize_t i = S->poscap; i < cap; i++) {
            vec[i] = NULL;
            vcap[i] = 0;
        }
        S->poscap = cap;
    }
    S->npos = npos;
    for (Py_ssize_t i = 0; i < npos; i++) {
        S->vlen[i] = 0;
        S->pbest[i] = -INFINITY;
    }
    S->thr = thr;
    S->nhyps = 0;
    S->nunk = 0;
    if (ensure_cap((void **)&S->hyps, &S->caphyps, 256, sizeof(Hyp))) return -1;
    /* start at the size the last search needed (at least 1024, at most 2 ** 16 entries) */
    int bits = 10;
    while (bits < 16 && ((Py_ssize_t)1 << bits) < 2 * S->tfill + 2) bits++;
    Py_ssize_t size = (Py_ssize_t)1 << bits;
    if (S->tcap < size) {
        free(S->table);
        S->table = malloc(sizeof(int32_t) * size);
        S->tcap = S->table ? size : 0;
        if (!S->table) return -1;
    }
    S->tbits = bits;
    S->tmask = (uint64_t)size - 1;
    memset(S->table, 0, sizeof(int32_t) * size);
    S->tfill = 0;
    return 0;
}

static int search_grow_table(Search *S) {
    Py_ssize_t cap = (Py_ssize_t)(S->tmask + 1) * 2;
    if (S->tcap2 < cap) {
        free(S->table2);
        S->table2 = malloc(sizeof(int32_t) * cap);
        S->tcap2 = S->table2 ? cap : 0;
        if (!S->table2) return -1;
    }
    int32_t *t = S->table2;
    memset(t, 0, sizeof(int32_t) * cap);
    uint64_t mask = (uint64_t)cap - 1;
    int bits = S->tbits + 1;
    for (uint64_t i = 0; i <= S->tmask; i++) {
        int32_t v = S->table[i];
        if (!v) continue;
        Hyp *hp = &S->hyps[v - 1];
        uint64_t j = hyp_slot(hp->pos, hp->state, hp->h, bits);
        while (t[j]) j = (j + 1) & mask;
        t[j] = v;
    }
    S->table2 = S->table;
    Py_ssize_t c2 = S->tcap;
    S->table = t;
    S->tcap = S->tcap2;
    S->tcap2 = c2;
    S->tmask = mask;
    S->tbits = bits;
    return 0;
}

/* add or improve the hypothesis (pos, state, h); returns -1 on memory error */
static inline __attribute__((always_inline)) int search_offer(Search *S, int32_t pos, int32_t state, uint64_t h, double score, int32_t parent,
                               int32_t sym, uint8_t lastc, int32_t olen) {
    if (pos < S->npos - 1) {
        if (score < S->pbest[pos] - S->thr) return 0;
        if (score > S->pbest[pos]) S->pbest[pos] = score;
    }
    uint64_t j = hyp_slot(pos, state, h, S->tbits);
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
    if (S->nhyps == S->caphyps && ensure_cap((void **)&S->hyps, &S->caphyps, S->nhyps + 1, sizeof(Hyp)))
        return -1;
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
    if (S->vlen[pos] == S->vcap[pos] &&
        ensure_cap((void **)&S->vec[pos], &S->vcap[pos], S->vlen[pos] + 1, sizeof(int32_t)))
        return -1;
    S->vec[pos][S->vlen[pos]++] = id;
    return 0;
}

/* an item to rank: higher score first, then lower id (creation order) */
typedef struct Ranked {
    double s;
    int32_t id;
} Ranked;

static inline int ranked_better(const Ranked *x, const Ranked *y) {
    if (x->s != y->s) return x->s > y->s;
    return x->id < y->id;
}

/* offer x to the k best kept in R[0..*hn): a bounded heap whose root is the worst kept item */
static inline void ranked_offer(Ranked *R, Py_ssize_t *hn, Py_ssize_t k, Ranked x) {
    if (*hn < k) {
        Py_ssize_t c = (*hn)++;
        while (c > 0) {
            Py_ssize_t par = (c - 1) / 2;
            if (!ranked_better(&R[par], &x)) break;
            R[c] = R[par];
            c = par;
        }
        R[c] = x;
    } else if (ranked_better(&x, &R[0])) {
        Py_ssize_t c = 0, n = *hn;
        for (;;) {
            Py_ssize_t l = 2 * c + 1, r = l + 1, w = c;
            const Ranked *wv = &x;
            if (l < n && ranked_better(wv, &R[l])) {
                w = l;
                wv = &R[l];
            }
            if (r < n && ranked_better(wv, &R[r])) {
                w = r;
                wv = &R[r];
            }
            if (w == c) break;
            R[c] = R[w];
            c = w;
        }
        R[c] = x;
    }
}

/* sort the kept few best first (insertion sort) */
static inline void ranked_sort(Ranked *R, Py_ssize_t n) {
    for (Py_ssize_t a = 1; a < n; a++) {
        Ranked x = R[a];
        Py_ssize_t c = a;
        while (c > 0 && ranked_better(&x, &R[c - 1])) {
            R[c] = R[c - 1];
            c--;
        }
        R[c] = x;
    }
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

/* the index entry of text[a:b], or NULL */
static inline const ChunkEntry *jd_lookup(const JointDecoder *self, int tkind, const void *tdata, Py_ssize_t a,
                                          Py_ssize_t b, uint64_t h) {
    Py_ssize_t len = b - a;
    uint64_t j = chunk_slot(h, len) & self->kmask;
    for (;;) {
        int32_t v = self->kmap[j];
        if (!v) return NULL;
        const ChunkEntry *e = &self->kent[v - 1];
        if (e->h == h && e->clen == len) {
            const Py_UCS4 *c = self->kchars + e->coff;
            Py_ssize_t i = 0;
            while (i < len && c[i] == PyUnicode_READ(tkind, tdata, a + i)) i++;
            if (i == len) return e;
        }
        j = (j + 1) & self->kmask;
    }
}

static void search_release_unknown(Search *S) {
    for (Py_ssize_t j = 0; j < S->nunk; j++) {
        Py_CLEAR(S->unk[j].out);
        PyMem_Free(S->unk[j].chars);
        S->unk[j].chars = NULL;
    }
    S->nunk = 0;
}

/* the output string of hypothesis v (its olen characters along the parent chain) */
static PyObject *jd_output(const JointDecoder *self, const Search *S, int32_t v) {
    const Hyp *H = S->hyps;
    Py_UCS4 mx = 0;
    for (int32_t u = v; u >= 0 && H[u].parent >= 0; u = H[u].parent) {
        int32_t sym = H[u].sym;
        Py_UCS4 m = sym >= 0 ? self->omax[sym] : S->unk[-1 - sym].maxchar;
        if (m > mx) mx = m;
    }
    Py_ssize_t len = H[v].olen;
    PyObject *s = PyUnicode_New(len, mx);
    if (!s) return NULL;
    int kind = PyUnicode_KIND(s);
    void *data = PyUnicode_DATA(s);
    Py_ssize_t end = len;
    for (int32_t u = v; u >= 0 && H[u].parent >= 0; u = H[u].parent) {
        int32_t sym = H[u].sym;
        if (sym >= 0) {
            const Py_UCS4 *c = self->ochars + self->ooff[sym];
            Py_ssize_t l = self->ooff[sym + 1] - self->ooff[sym];
            end -= l;
            for (Py_ssize_t i = 0; i < l; i++) PyUnicode_WRITE(kind, data, end + i, c[i]);
        } else {
            const UnkOut *uo = &S->unk[-1 - sym];
            end -= uo->len;
            for (Py_ssize_t i = 0; i < uo->len; i++) PyUnicode_WRITE(kind, data, end + i, PyUnicode_READ_CHAR(uo->out, i));
        }
    }
    if (end != 0) { /* cannot happen: olen is the sum of the outputs' lengths */
        Py_DECREF(s);
        PyErr_SetString(PyExc_SystemError, "output length mismatch");
        return NULL;
    }
    return s;
}

/* the search over S->cut[0..n] of text; with result, the k best (output, logprob) pairs; without, only
   the best score in *best (*found = 0 when there is no output). -1 with an exception set on error */
static int jd_search(JointDecoder *self, Search *S, PyObject *text, Py_ssize_t n, int k, int beam, int check,
                     PyObject *fallback, double threshold, const Py_UCS4 *tgt, Py_ssize_t tgtlen, PyObject **result,
                     double *best, int *found) {
    int tkind = PyUnicode_KIND(text);
    const void *tdata = PyUnicode_DATA(text);
    const Py_ssize_t *cut = S->cut;
    int ms = self->max_span;
    if (ensure_cap((void **)&S->spans, &S->spancap, (n ? n : 1) * (ms + 1), sizeof(Span))) goto nomem;
    /* chunk candidates per start position */
    for (Py_ssize_t i = 0; i < n; i++) {
        Span *row = &S->spans[i * (ms + 1)];
        Py_ssize_t cnt = 0;
        int has_one = 0;
        uint64_t h = 0;
        Py_ssize_t a = cut[i];
        for (int L = 1; L <= ms && i + L <= n; L++) {
            for (Py_ssize_t c = cut[i + L - 1]; c < cut[i + L]; c++)
                h = h * HASH_BASE + (uint64_t)PyUnicode_READ(tkind, tdata, c) + 1;
            const ChunkEntry *e = jd_lookup(self, tkind, tdata, a, cut[i + L], h);
            if (!e) continue;
            if (L == 1) has_one = 1;
            row[cnt + 1].end = (int32_t)(i + L);
            row[cnt + 1].unknown = -1;
            row[cnt + 1].entry = (int32_t)(e - self->kent);
            row[cnt + 1].ids = self->kids + e->ioff;
            row[cnt + 1].nids = e->nids;
            cnt++;
        }
        if (!has_one) {
            /* an unknown piece: passed through fallback (or dropped) at the unknown cost */
            PyObject *out;
            if (fallback != Py_None) {
                PyObject *piece = PyUnicode_Substring(text, cut[i], cut[i + 1]);
                if (!piece) return -1;
                out = PyObject_CallOneArg(fallback, piece);
                Py_DECREF(piece);
                if (!out) return -1;
                if (!PyUnicode_Check(out)) {
                    Py_DECREF(out);
                    PyErr_SetString(PyExc_TypeError, "fallback must return a string");
                    return -1;
                }
            } else {
                out = PyUnicode_New(0, 0);
                if (!out) return -1;
            }
            if (ensure_cap((void **)&S->unk, &S->unkcap, S->nunk + 1, sizeof(UnkOut))) {
                Py_DECREF(out);
                goto nomem;
            }
            Py_ssize_t j = S->nunk++;
            UnkOut *uo = &S->unk[j];
            uo->out = out; /* owned by the search from here on */
            uo->chars = NULL;
            str_hash(out, &uo->h, &uo->p);
            Py_ssize_t ol = PyUnicode_GET_LENGTH(out);
            uo->len = ol;
            uo->cls = ol ? char_class(PyUnicode_READ_CHAR(out, ol - 1)) : CLS_KEEP;
            uo->maxchar = 0;
            for (Py_ssize_t c = 0; c < ol; c++) {
                Py_UCS4 ch = PyUnicode_READ_CHAR(out, c);
                if (ch > uo->maxchar) uo->maxchar = ch;
            }
            if (tgt) {
                uo->chars = PyUnicode_AsUCS4Copy(out);
                if (!uo->chars) return -1;
            }
            row[0].end = (int32_t)(i + 1);
            row[0].unknown = (int32_t)j;
            row[0].entry = -1;
            row[0].ids = NULL;
            row[0].nids = 0;
            /* unknown first, then the found chunks */
            S->nspans[i] = cnt + 1;
        } else {
            memmove(&row[0], &row[1], sizeof(Span) * cnt);
            S->nspans[i] = cnt;
        }
    }
    /* search */
    if (search_offer(S, 0, self->start, 0, 0.0, -1, 0, 0, 0)) goto nomem;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t cnt = S->vlen[i];
        if (!cnt) continue;
        if (ensure_cap((void **)&S->items, &S->itemscap, cnt, sizeof(int32_t))) goto nomem;
        int32_t *items = S->items;
        memcpy(items, S->vec[i], sizeof(int32_t) * cnt);
        if (cnt > beam) {
            /* the beam best (score descending, creation order among ties) */
            if (ensure_cap((void **)&S->ranked, &S->rankedcap, beam, sizeof(Ranked))) goto nomem;
            Ranked *R = S->ranked;
            const Hyp *H = S->hyps;
            Py_ssize_t hn = 0;
            for (Py_ssize_t a = 0; a < cnt; a++) {
                if (a + 8 < cnt) __builtin_prefetch(&H[items[a + 8]]);
                Ranked x = {H[items[a]].score, items[a]};
                ranked_offer(R, &hn, beam, x);
            }
            ranked_sort(R, hn);
            cnt = hn;
            for (Py_ssize_t a = 0; a < cnt; a++) items[a] = R[a].id;
        }
        if (threshold < INFINITY) {
            double bst = -INFINITY;
            for (Py_ssize_t a = 0; a < cnt; a++)
                if (S->hyps[items[a]].score > bst) bst = S->hyps[items[a]].score;
            Py_ssize_t kept = 0;
            for (Py_ssize_t a = 0; a < cnt; a++)
                if (S->hyps[items[a]].score >= bst - threshold) items[kept++] = items[a];
            cnt = kept;
        }
        const Span *row = &S->spans[i * (ms + 1)];
        for (Py_ssize_t si = 0; si < S->nspans[i]; si++) {
            const Span *sp = &row[si];
            if (sp->unknown >= 0) {
                const UnkOut *uo = &S->unk[sp->unknown];
                int32_t sym = -1 - sp->unknown;
                for (Py_ssize_t a = 0; a < cnt; a++) {
                    const Hyp *hp = &S->hyps[items[a]];
                    int32_t holen = hp->olen;
                    if (tgt && !spells(tgt, tgtlen, holen, uo->chars, uo->len)) continue;
                    uint64_t h = hp->h * uo->p + uo->h;
                    uint8_t lc = uo->cls == CLS_KEEP ? hp->lastc : uo->cls;
                    if (search_offer(S, sp->end, self->root, h, hp->score + self->unk, items[a], sym, lc,
                                     holen + (int32_t)uo->len))
                        goto nomem;
                }
                continue;
            }
            const IdInfo *ids = sp->ids;
            Py_ssize_t nids = sp->nids;
            int32_t end = sp->end;
            for (Py_ssize_t a = 0; a < cnt; a++) {
                int32_t parent = items[a];
                const Hyp *hp = &S->hyps[parent];
                if (a + 1 < cnt) jd_prefetch(self, S->hyps[items[a + 1]].state, sp->entry);
                /* hp may move when an offer grows the hypotheses: keep its fields */
                int32_t hstate = hp->state, holen = hp->olen;
                double hscore = hp->score;
                uint64_t hh = hp->h;
                uint8_t hlast = hp->lastc;
                ExpSlot *slots = NULL;
                int fetched = 0; /* the step slots are looked up for the first graphone that passes */
                for (Py_ssize_t b = 0; b < nids; b++) {
                    const IdInfo *x = &ids[b];
                    if (check && x->kind && !allowed(x->kind, hlast)) continue;
                    if (tgt && x->len &&
                        (holen + x->len > tgtlen || tgt[holen] != x->c0 ||
                         !spells(tgt, tgtlen, holen, self->ochars + x->coff, x->len)))
                        continue;
                    if (!fetched) {
                        slots = jd_slots(self, hstate, sp->entry, nids);
                        fetched = 1;
                    }
                    int32_t nxt;
                    double alp = jd_step(self, slots, b, hstate, x->g, &nxt);
                    uint64_t h = hh * x->pow + x->hash;
                    uint8_t lc = x->cls == CLS_KEEP ? hlast : x->cls;
                    if (search_offer(S, end, nxt, h, hscore + alp, parent, x->g, lc, holen + x->len)) goto nomem;
                }
            }
        }
    }
    /* final: add the end-of-word arc, merge equal outputs (first wins ties), k best (stable) */
    {
        Py_ssize_t cnt = S->vlen[n];
        const int32_t *last = S->vec[n];
        if (!result) { /* the best score only */
            double bst = -INFINITY;
            int any = 0;
            for (Py_ssize_t a = 0; a < cnt; a++) {
                const Hyp *hp = &S->hyps[last[a]];
                if (tgt && hp->olen != tgtlen) continue;
                int32_t nxt;
                double total = hp->score + jd_final(self, hp->state, &nxt);
                if (!any || total > bst) bst = total;
                any = 1;
            }
            *found = any;
            *best = bst;
            return 0;
        }
        if (ensure_cap((void **)&S->fin, &S->fincap, cnt ? cnt : 1, sizeof(int32_t)) ||
            ensure_cap((void **)&S->tot, &S->totcap, cnt ? cnt : 1, sizeof(double)) ||
            ensure_cap((void **)&S->fh, &S->fhcap, cnt ? cnt : 1, sizeof(uint64_t)) ||
            ensure_cap((void **)&S->ranked, &S->rankedcap, k < cnt ? k : (cnt ? cnt : 1), sizeof(Ranked)))
            goto nomem;
        int32_t *fin = S->fin;
        double *tot = S->tot;
        uint64_t *fh = S->fh;
        Py_ssize_t fcap = 16;
        while (fcap < cnt * 2 + 1) fcap <<= 1;
        if (ensure_cap((void **)&S->ftab, &S->ftabcap, fcap, sizeof(int32_t))) goto nomem;
        int32_t *ftab = S->ftab; /* output hash -> final slot + 1 */
        memset(ftab, 0, sizeof(int32_t) * fcap);
        Py_ssize_t nf = 0;
        for (Py_ssize_t a = 0; a < cnt; a++) {
            const Hyp *hp = &S->hyps[last[a]];
            if (a + 1 < cnt) jd_prefetch(self, S->hyps[last[a + 1]].state, self->nk);
            if (tgt && hp->olen != tgtlen) continue;
            int32_t nxt;
            double total = hp->score + jd_final(self, hp->state, &nxt);
            uint64_t j = mix64(hp->h) & (uint64_t)(fcap - 1);
            while (ftab[j] && fh[ftab[j] - 1] != hp->h) j = (j + 1) & (uint64_t)(fcap - 1);
            if (ftab[j]) {
                Py_ssize_t f = ftab[j] - 1;
                if (total > tot[f]) {
                    tot[f] = total;
                    fin[f] = last[a];
                }
            } else {
                fin[nf] = last[a];
                tot[nf] = total;
                fh[nf] = hp->h;
                ftab[j] = (int32_t)(++nf);
            }
        }
        /* the k best slots (total descending, first merged among ties), best first */
        Py_ssize_t kk = k < nf ? k : nf, hn = 0;
        Ranked *R = S->ranked;
        for (int32_t f = 0; f < (int32_t)nf; f++) {
            Ranked x = {tot[f], f};
            ranked_offer(R, &hn, kk, x);
        }
        ranked_sort(R, hn);
        PyObject *res = PyList_New(hn);
        if (!res) return -1;
        for (Py_ssize_t r = 0; r < hn; r++) {
            int32_t f = R[r].id;
            PyObject *joined = jd_output(self, S, fin[f]);
            PyObject *score = joined ? PyFloat_FromDouble(tot[f]) : NULL;
            PyObject *pair = score ? PyTuple_New(2) : NULL;
            if (!pair) {
                Py_XDECREF(joined);
                Py_XDECREF(score);
                Py_DECREF(res);
                return -1;
            }
            PyTuple_SET_ITEM(pair, 0, joined);
            PyTuple_SET_ITEM(pair, 1, score);
            PyList_SET_ITEM(res, r, pair);
        }
        *result = res;
        return 0;
    }
nomem:
    PyErr_NoMemory();
    return -1;
}

/* run one search with the decoder's scratch buffers (or fresh ones when a search is already running,
   e.g. when a fallback calls back into this decoder) */
static int jd_run(JointDecoder *self, Search *S, PyObject *text, Py_ssize_t n, int k, int beam, int check,
                  PyObject *fallback, double threshold, const Py_UCS4 *tgt, Py_ssize_t tgtlen, PyObject **result,
                  double *best, int *found) {
    int rc = jd_search(self, S, text, n, k, beam, check, fallback, threshold, tgt, tgtlen, result, best, found);
    search_release_unknown(S);
    return rc;
}

/* the search buffers of one call: the decoder's scratch buffers, or fresh ones when a search is
   already running (e.g. when a fallback calls back into this decoder); jd_release gives them back */
static Search *jd_acquire(JointDecoder *self, Search *local, int *nested) {
    memset(local, 0, sizeof(*local));
    *nested = self->busy;
    self->busy = 1;
    return *nested ? local : &self->scratch;
}

static void jd_release(JointDecoder *self, Search *local, int nested) {
    if (nested)
        search_free(local);
    else
        self->busy = 0;
}

/* the search of JointDecoder.decode (see there) -> a new list of (output, logprob), NULL with an
   exception set on error */
static PyObject *jd_decode(JointDecoder *self, PyObject *text, PyObject *cuts, int k, int beam, int check,
                           PyObject *fallback, double threshold, PyObject *target) {
    if (!self->am) {
        PyErr_SetString(PyExc_ValueError, "JointDecoder is not initialized");
        return NULL;
    }
    if (target != Py_None && !PyUnicode_Check(target)) {
        PyErr_SetString(PyExc_TypeError, "target must be a string or None");
        return NULL;
    }
    if (k < 1) k = 1;
    if (beam < 1) beam = 1;
    Search local;
    int nested;
    Search *S = jd_acquire(self, &local, &nested);
    PyObject *result = NULL, *seq = NULL;
    Py_UCS4 *tgt = NULL; /* forced search: only outputs that spell target */
    Py_ssize_t tgtlen = -1;
    Py_ssize_t tlen = PyUnicode_GET_LENGTH(text);
    Py_ssize_t n;
    if (target != Py_None) {
        tgt = PyUnicode_AsUCS4Copy(target);
        if (!tgt) goto done;
        tgtlen = PyUnicode_GET_LENGTH(target);
    }
    if (cuts == Py_None) {
        n = tlen;
        if (search_reset(S, n + 1, threshold)) {
            PyErr_NoMemory();
            goto done;
        }
        for (Py_ssize_t i = 0; i <= n; i++) S->cut[i] = i;
    } else {
        seq = PySequence_Fast(cuts, "cuts must be a sequence of offsets");
        if (!seq) goto done;
        Py_ssize_t m = PySequence_Fast_GET_SIZE(seq);
        n = m - 1;
        if (n < 0) n = 0;
        if (search_reset(S, n + 1, threshold)) {
            PyErr_NoMemory();
            goto done;
        }
        Py_ssize_t *cut = S->cut;
        cut[0] = 0;
        if (m < 2 && tlen > 0) {
            PyErr_SetString(PyExc_ValueError, "cuts must run from 0 to the length of the text");
            goto done;
        }
        for (Py_ssize_t i = 0; i <= n && i < m; i++) {
            cut[i] = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(seq, i));
            if ((cut[i] == -1 && PyErr_Occurred()) || cut[i] < 0 || cut[i] > tlen ||
                (i > 0 && cut[i] < cut[i - 1]) || (i == 0 && cut[i] != 0) || (i == n && cut[i] != tlen)) {
                if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "bad cut offsets");
                goto done;
            }
        }
    }
    if (jd_run(self, S, text, n, k, beam, check, fallback, threshold, tgt, tgtlen, &result, NULL, NULL))
        Py_CLEAR(result);
done:
    Py_XDECREF(seq);
    PyMem_Free(tgt);
    jd_release(self, &local, nested);
    return result;
}

static PyObject *JointDecoder_decode(JointDecoder *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"text", "cuts", "k", "beam", "check", "fallback", "threshold", "target", NULL};
    PyObject *text, *cuts = Py_None, *fallback = Py_None, *target = Py_None;
    int k = 1, beam = 8, check = 0;
    double threshold = INFINITY;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "U|OiipOdO", kwlist, &text, &cuts, &k, &beam, &check,
                                     &fallback, &threshold, &target))
        return NULL;
    return jd_decode(self, text, cuts, k, beam, check, fallback, threshold, target);
}

/* one search per string (``what`` names the strings in errors): one(self, S, item, ctx, &score, &found) runs
   it on the scratch search S */
typedef int (*jd_item_fn)(JointDecoder *self, Search *S, PyObject *item, const void *ctx, double *score, int *found);

/* the searches of count strings items[..] into scores[..] and found[..] (0: the search found nothing, its
   score is 0.0); -1 with an exception set on error. The items must stay alive (the searches run no
   Python code) */
static int jd_each_c(JointDecoder *self, PyObject *const *items, Py_ssize_t count, const char *what, jd_item_fn one,
                     const void *ctx, double *scores, int *found) {
    if (!self->am) {
        PyErr_SetString(PyExc_ValueError, "JointDecoder is not initialized");
        return -1;
    }
    Search local;
    int nested, rc = 0;
    Search *S = jd_acquire(self, &local, &nested);
    for (Py_ssize_t w = 0; w < count; w++) {
        scores[w] = 0.0;
        found[w] = 0;
        if (!PyUnicode_Check(items[w])) {
            PyErr_Format(PyExc_TypeError, "%s must be strings", what);
            rc = -1;
            break;
        }
        if (one(self, S, items[w], ctx, &scores[w], &found[w])) {
            rc = -1;
            break;
        }
        if (!found[w]) scores[w] = 0.0;
    }
    jd_release(self, &local, nested);
    return rc;
}

/* jd_each_c over a sequence: the list of each best score, or for a search that finds nothing None
   (none_when_missing) or 0.0 */
static PyObject *jd_each(JointDecoder *self, PyObject *items, const char *what, jd_item_fn one, const void *ctx,
                         int none_when_missing) {
    char message[64];
    snprintf(message, sizeof(message), "%s must be a sequence of strings", what);
    PyObject *seq = PySequence_Fast(items, message);
    if (!seq) return NULL;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(seq);
    PyObject *out = NULL;
    double *scores = PyMem_Malloc(sizeof(double) * (count ? count : 1));
    int *found = PyMem_Malloc(sizeof(int) * (count ? count : 1));
    if (!scores || !found) {
        PyErr_NoMemory();
        goto done;
    }
    if (jd_each_c(self, PySequence_Fast_ITEMS(seq), count, what, one, ctx, scores, found)) goto done;
    out = PyList_New(count);
    if (!out) goto done;
    for (Py_ssize_t w = 0; w < count; w++) {
        PyObject *f = !found[w] && none_when_missing ? Py_NewRef(Py_None) : PyFloat_FromDouble(scores[w]);
        if (!f) {
            Py_CLEAR(out);
            goto done;
        }
        PyList_SET_ITEM(out, w, f);
    }
done:
    PyMem_Free(scores);
    PyMem_Free(found);
    Py_DECREF(seq);
    return out;
}

/* best_scores: the units of a Devanagari word are cut here as lipyantar.translit.learned.charalign.deva_units does (a
   nukta joins the unit before it, a virama joins a unit that starts with a consonant) */
static int jd_best_one(JointDecoder *self, Search *S, PyObject *word, const void *ctx, double *score, int *found) {
    int beam = *(const int *)ctx;
    Py_ssize_t len = PyUnicode_GET_LENGTH(word);
    int wkind = PyUnicode_KIND(word);
    const void *wdata = PyUnicode_DATA(word);
    if (search_reset(S, len + 1, INFINITY)) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t *cut = S->cut, n = 0;
    Py_UCS4 head = 0; /* first character of the current unit */
    for (Py_ssize_t i = 0; i < len; i++) {
        Py_UCS4 c = PyUnicode_READ(wkind, wdata, i);
        if (i > 0 && (c == DEVA_NUKTA || (c == DEVA_VIRAMA && deva_consonant(head)))) continue;
        head = c;
        cut[n++] = i;
    }
    cut[n] = len;
    S->npos = n + 1;
    return jd_run(self, S, word, n, 1, beam, 0, Py_None, INFINITY, NULL, -1, NULL, score, found);
}

/* best_scores(words, beam): for each Devanagari word, the score of decode(deva_units(word), k=1,
   beam=beam) (0.0 when there is no output) */
static PyObject *JointDecoder_best_scores(JointDecoder *self, PyObject *args) {
    PyObject *words;
    int beam;
    if (!PyArg_ParseTuple(args, "Oi", &words, &beam)) return NULL;
    if (beam < 1) beam = 1;
    return jd_each(self, words, "words", jd_best_one, &beam, 0);
}

typedef struct {
    PyObject *text;
    int beam, check;
} ForcedArgs;

static int jd_forced_one(JointDecoder *self, Search *S, PyObject *target, const void *ctx, double *score,
                         int *found) {
    const ForcedArgs *a = ctx;
    Py_ssize_t n = PyUnicode_GET_LENGTH(a->text);
    Py_UCS4 *tgt = PyUnicode_AsUCS4Copy(target);
    if (!tgt) return -1;
    if (search_reset(S, n + 1, INFINITY)) {
        PyMem_Free(tgt);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i <= n; i++) S->cut[i] = i;
    int rc = jd_run(self, S, a->text, n, 1, a->beam, a->check, Py_None, INFINITY, tgt, PyUnicode_GET_LENGTH(target),
                    NULL, score, found);
    PyMem_Free(tgt);
    return rc;
}

/* forced_scores(text, targets, beam, check): for each target, the score of decode(text, k=1, beam=beam,
   check=check, target=target) (None when no graphone path spells it); one call for the many forced
   searches of one input */
static PyObject *JointDecoder_forced_scores(JointDecoder *self, PyObject *args) {
    PyObject *targets;
    ForcedArgs a;
    if (!PyArg_ParseTuple(args, "UOip", &a.text, &targets, &a.beam, &a.check)) return NULL;
    if (a.beam < 1) a.beam = 1;
    return jd_each(self, targets, "targets", jd_forced_one, &a, 1);
}

static PyMethodDef JointDecoder_methods[] = {
    {"decode", (PyCFunction)(void (*)(void))JointDecoder_decode, METH_VARARGS | METH_KEYWORDS,
     "decode(text, cuts=None, k=1, beam=8, check=False, fallback=None, threshold=inf, target=None)"
     " -> [(output, logprob)]; with target, only outputs that spell it"},
    {"forced_scores", (PyCFunction)JointDecoder_forced_scores, METH_VARARGS,
     "forced_scores(text, targets, beam, check) -> for each target, the best score of a search forced"
     " to spell it (None: it cannot be spelled)"},
    {"best_scores", (PyCFunction)JointDecoder_best_scores, METH_VARARGS,
     "best_scores(words, beam) -> list of the best k=1 scores over the Devanagari units of each word"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject JointDecoderType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "lipyantar.translit.learned._fastlm.JointDecoder",
    .tp_basicsize = sizeof(JointDecoder),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Compiled beam search of the joint graphone model in one direction.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)JointDecoder_init,
    .tp_dealloc = (destructor)JointDecoder_dealloc,
    .tp_methods = JointDecoder_methods,
};

/* ------------------------------------------------------------------------------------------ */

/* Levenshtein distance of two strings (unit costs), two-row dynamic programming on code points; -1
   with MemoryError set when out of memory */
/* Levenshtein distance (unit costs) of two strings.

   Short pairs (the shorter under 64 characters: the model's features) run the plain dynamic programme
   over two rows of the shorter length. Longer pairs run the bit-parallel algorithm of Myers (1999) in
   blocks of 64 rows of the shorter string (Hyyro's block formulation, as in edlib): each block sweeps
   the longer string once, carrying the horizontal difference at its bottom row into the next block, so
   time is ceil(n / 64) * m word steps and memory is linear (an id and a difference per character of
   the longer string). The signal handlers get their turn between blocks (Ctrl-C interrupts). */
static Py_ssize_t edit_distance_dp(int ka, const void *da, Py_ssize_t n, int kb, const void *db, Py_ssize_t m) {
    /* n >= m: rows over a, columns over b (the shorter) */
    Py_ssize_t stack[2][65];
    Py_ssize_t *prev = stack[0], *cur = stack[1], *heap = NULL;
    if (m >= 64) {
        heap = malloc(sizeof(Py_ssize_t) * 2 * (m + 1));
        if (!heap) {
            PyErr_NoMemory();
            return -1;
        }
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
    return d;
}

static int cmp_ucs4(const void *x, const void *y) {
    Py_UCS4 a = *(const Py_UCS4 *)x, b = *(const Py_UCS4 *)y;
    return a < b ? -1 : a > b;
}

/* one column step of a 64-row block: vertical differences (*pv, *mv) of the block, the match vector eq
   of the column's character, the horizontal difference hin (-1, 0, +1) entering the block's top row;
   returns the horizontal difference leaving the row at bit ``high`` */
static inline int myers_block(uint64_t *pv, uint64_t *mv, uint64_t eq, int hin, uint64_t high) {
    uint64_t Pv = *pv, Mv = *mv;
    uint64_t hneg = hin < 0, hpos = hin > 0;
    uint64_t Xv = eq | Mv;
    eq |= hneg;
    uint64_t Xh = (((eq & Pv) + Pv) ^ Pv) | eq;
    uint64_t Ph = Mv | ~(Xh | Pv);
    uint64_t Mh = Pv & Xh;
    int hout = (int)((Ph & high) != 0) - (int)((Mh & high) != 0);
    Ph = (Ph << 1) | hpos;
    Mh = (Mh << 1) | hneg;
    *pv = Mh | ~(Xv | Ph);
    *mv = Ph & Xv;
    return hout;
}

static Py_ssize_t edit_distance_myers(int ka, const void *da, Py_ssize_t n, int kb, const void *db, Py_ssize_t m) {
    /* n <= m: a (the shorter) is cut into blocks of 64 rows, b is swept by each block */
    Py_ssize_t result = -1, na = 0;
    Py_UCS4 *alpha = malloc(sizeof(Py_UCS4) * n);
    int32_t *aid = malloc(sizeof(int32_t) * n);
    int32_t *bid = malloc(sizeof(int32_t) * m);
    int8_t *hcarry = malloc(m);
    uint64_t *peq = NULL;
    if (!alpha || !aid || !bid || !hcarry) {
        PyErr_NoMemory();
        goto done;
    }
    /* the distinct characters of a, sorted: a character's id is its place there (-1: not in a) */
    for (Py_ssize_t i = 0; i < n; i++) alpha[i] = PyUnicode_READ(ka, da, i);
    qsort(alpha, (size_t)n, sizeof(Py_UCS4), cmp_ucs4);
    for (Py_ssize_t i = 0; i < n; i++)
        if (na == 0 || alpha[na - 1] != alpha[i]) alpha[na++] = alpha[i];
    for (Py_ssize_t s = 0; s < n + m; s++) {
        Py_UCS4 c = s < n ? PyUnicode_READ(ka, da, s) : PyUnicode_READ(kb, db, s - n);
        Py_ssize_t lo = 0, hi = na;
        while (lo < hi) {
            Py_ssize_t mid = (lo + hi) / 2;
            if (alpha[mid] < c)
                lo = mid + 1;
            else
                hi = mid;
        }
        int32_t id = (lo < na && alpha[lo] == c) ? (int32_t)lo : -1;
        if (s < n)
            aid[s] = id;
        else
            bid[s - n] = id;
    }
    peq = calloc((size_t)na, sizeof(uint64_t));
    if (!peq) {
        PyErr_NoMemory();
        goto done;
    }
    memset(hcarry, 1, (size_t)m); /* row 0: D[0][j] - D[0][j - 1] = +1 */
    for (Py_ssize_t top = 0; top < n; top += 64) {
        Py_ssize_t rows = n - top < 64 ? n - top : 64;
        for (Py_ssize_t r = 0; r < rows; r++) peq[aid[top + r]] |= (uint64_t)1 << r;
        uint64_t pv = ~(uint64_t)0, mv = 0, high = (uint64_t)1 << (rows - 1);
        for (Py_ssize_t j = 0; j < m; j++) {
            int32_t id = bid[j];
            hcarry[j] = (int8_t)myers_block(&pv, &mv, id >= 0 ? peq[id] : 0, hcarry[j], high);
        }
        for (Py_ssize_t r = 0; r < rows; r++) peq[aid[top + r]] = 0;
        if (PyErr_CheckSignals()) goto done;
    }
    /* D[n][m] = D[n][0] + the horizontal differences along the bottom row */
    result = n;
    for (Py_ssize_t j = 0; j < m; j++) result += hcarry[j];
done:
    free(alpha);
    free(aid);
    free(bid);
    free(hcarry);
    free(peq);
    return result;
}

/* the distance, or -1 with an exception set */
static Py_ssize_t edit_distance_c(PyObject *a, PyObject *b) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(a), m = PyUnicode_GET_LENGTH(b);
    if (n == 0) return m;
    if (m == 0) return n;
    if (n > m) { /* the distance is symmetric: a is the shorter from here on */
        PyObject *t = a;
        a = b;
        b = t;
        Py_ssize_t s = n;
        n = m;
        m = s;
    }
    int ka = PyUnicode_KIND(a), kb = PyUnicode_KIND(b);
    const void *da = PyUnicode_DATA(a), *db = PyUnicode_DATA(b);
    if (n < 64) return edit_distance_dp(kb, db, m, ka, da, n);
    return edit_distance_myers(ka, da, n, kb, db, m);
}

static PyObject *fastlm_edit_distance(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *a, *b;
    if (!PyArg_ParseTuple(args, "UU", &a, &b)) return NULL;
    Py_ssize_t d = edit_distance_c(a, b);
    return d < 0 ? NULL : PyLong_FromSsize_t(d);
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

/* ------------------------------------------------------------------------------------------ */
/* Channel: the candidates of a Latin word with their channel scores                          */
/* ------------------------------------------------------------------------------------------ */

/* The compiled LearnedModel._channel_python (translit/learned/model.py, the reference): the same candidates,
   the same floating-point operations in the same order, the same ranking (score descending, then
   the spelling in code point order, as Python sorts (negated score, spelling) tuples). It holds the
   model's compiled searches and tables and shares its memo dicts (the marginals, the English model's
   proposals), and calls back into Python for the few helpers not worth porting (the consonant
   skeleton, the roman-rules romanization, the letter-by-letter reading, the Latin LM). */

/* one search size of DecodeParams.search_size */
typedef struct {
    int beam, nbest, marg_top, vocab_cands, english_k, acronym_max;
    double threshold;
} ChSize;

#define CH_MAX_KINDS 8

/* a JointDecoder held by a Channel */
#define JD(obj) ((JointDecoder *)(obj))

typedef struct {
    PyObject_HEAD
    /* the JointDecoders (see JD): */
    PyObject *r2d;    /* roman -> deva search (pruned index) */
    PyObject *forced; /* roman -> deva search forced to spell a candidate (every graphone) */
    PyObject *d2r;    /* deva -> roman search (the marginal of a candidate) */
    Automaton *charlm;    /* the Devanagari character LM, its unit -> id dict, unknown id and start */
    PyObject *char_ids;
    int char_unk, char_start;
    PyObject *prior;       /* word -> log unigram prior */
    PyObject *vocab_index; /* consonant skeleton -> tuple of native words */
    PyObject *memory;      /* roman -> {deva: count} (attested pairs) */
    PyObject *marg_cache;  /* deva -> marginal (shared with the Python code) */
    /* the English model (all NULL without one): word -> pronunciations joined by tabs, its searches and
       its memo of proposals, (roman, k, beam) -> {deva: score} */
    PyObject *en_prons, *en_r2d, *en_forced, *en_cache;
    /* Python helpers: roman_skeleton(roman), rules_word(deva), spell_letters(roman), roman_logprob(letters) */
    PyObject *skeleton, *rules_word, *spell_letters, *roman_logprob;
    PyObject *kinds; /* search name -> index into sizes */
    ChSize sizes[CH_MAX_KINDS];
    double w_char, w_word, w_mem, oov, w_rules_eq, w_rules_dist, w_marg, w_english, english_miss, w_acronym,
        w_acronym_odd, english_unspellable, final_virama, attested_gap;
    int stage1_rules, rules_top, marg_beam, forced_beam, english_beam, english_forced_beam;
    Py_ssize_t marg_limit, english_limit; /* a memo dict larger than this is cleared before it grows */
} Channel;

/* every object a Channel holds (for the garbage collector) */
#define CH_OBJECTS(X)                                                                                             \
    X(r2d) X(forced) X(d2r) X(charlm) X(char_ids) X(prior) X(vocab_index) X(memory) X(marg_cache) X(en_prons)    \
        X(en_r2d) X(en_forced) X(en_cache) X(skeleton) X(rules_word) X(spell_letters) X(roman_logprob) X(kinds)

static int Channel_traverse(Channel *self, visitproc visit, void *arg) {
#define CH_VISIT(field) Py_VISIT(self->field);
    CH_OBJECTS(CH_VISIT)
#undef CH_VISIT
    return 0;
}

static int Channel_clear(Channel *self) {
#define CH_CLEAR(field) Py_CLEAR(self->field);
    CH_OBJECTS(CH_CLEAR)
#undef CH_CLEAR
    return 0;
}

static void Channel_dealloc(Channel *self) {
    PyObject_GC_UnTrack(self);
    Channel_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* table[name] (a dict: the names are declared in lipyantar.translit.learned.params, CHANNEL_PARAMS and
   SIZE_FIELDS) as a double / an int / a truth value, counted in *read; -1 with an exception set on error
   (KeyError naming a missing name) */
static PyObject *item(PyObject *table, const char *name, Py_ssize_t *read) {
    PyObject *v = PyDict_GetItemString(table, name); /* borrowed */
    if (!v) {
        PyErr_Format(PyExc_KeyError, "the channel's parameters lack %s", name);
        return NULL;
    }
    ++*read;
    return v;
}

static int item_double(PyObject *table, const char *name, double *out, Py_ssize_t *read) {
    PyObject *v = item(table, name, read);
    if (!v) return -1;
    *out = PyFloat_AsDouble(v);
    return *out == -1.0 && PyErr_Occurred() ? -1 : 0;
}

static int item_int(PyObject *table, const char *name, int *out, Py_ssize_t *read) {
    PyObject *v = item(table, name, read);
    if (!v) return -1;
    long x = PyLong_AsLong(v);
    if (x == -1 && PyErr_Occurred()) return -1;
    if (x < INT_MIN || x > INT_MAX) {
        PyErr_Format(PyExc_OverflowError, "%s is out of range", name);
        return -1;
    }
    *out = (int)x;
    return 0;
}

static int item_bool(PyObject *table, const char *name, int *out, Py_ssize_t *read) {
    PyObject *v = item(table, name, read);
    if (!v) return -1;
    *out = PyObject_IsTrue(v);
    return *out < 0 ? -1 : 0;
}

/* 0 when table (a dict) holds no name but the *read ones read from it, else -1 with ValueError */
static int all_read(PyObject *table, Py_ssize_t read, const char *what) {
    if (PyDict_GET_SIZE(table) == read) return 0;
    PyErr_Format(PyExc_ValueError,
                 "%s holds %zd names, the channel reads %zd (learned/params.py and _fastlm.c disagree)",
                 what, PyDict_GET_SIZE(table), read);
    return -1;
}

/* kinds of the Channel's arguments, checked by ch_set */
enum { CH_DECODER, CH_DICT, CH_CALLABLE };

/* the value of key in a dict, or what a lookup function (key -> value or None) returns for it: a new
   reference, or NULL (with an exception set on error, without one when there is no value) */
static PyObject *ch_lookup(PyObject *table, PyObject *key) {
    if (PyDict_Check(table)) return Py_XNewRef(PyDict_GetItemWithError(table, key));
    PyObject *v = PyObject_CallOneArg(table, key);
    if (v == Py_None) Py_CLEAR(v);
    return v;
}

/* *slot = a new reference to v, the old one released; -1 with TypeError when v is not of the kind */
static int ch_set(PyObject **slot, PyObject *v, int kind, const char *name) {
    static const char *what[] = {"a JointDecoder", "a dict", "callable"};
    int ok = kind == CH_DECODER ? PyObject_TypeCheck(v, &JointDecoderType)
             : kind == CH_DICT  ? PyDict_Check(v)
                                : PyCallable_Check(v);
    if (!ok) {
        PyErr_Format(PyExc_TypeError, "%s must be %s", name, what[kind]);
        return -1;
    }
    Py_INCREF(v);
    Py_XSETREF(*slot, v);
    return 0;
}

static int Channel_init(Channel *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"r2d",         "forced",      "d2r",      "charlm",        "char_ids",      "char_unk",
                             "char_start",  "prior",       "vocab_index", "memory",     "marg_cache",    "english",
                             "params",      "sizes",       "skeleton", "rules_word",    "spell_letters", "roman_logprob",
                             "marg_limit",  "english_limit", NULL};
    PyObject *r2d, *forced, *d2r, *charlm, *char_ids, *prior, *vocab_index, *memory, *marg_cache, *english, *params,
        *sizes, *skeleton, *rules_word, *spell, *roman_lp;
    int char_unk, char_start;
    Py_ssize_t marg_limit, english_limit;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOO!OiiOOOOOO!O!OOOOnn", kwlist, &r2d, &forced, &d2r,
                                     &AutomatonType, &charlm, &char_ids, &char_unk, &char_start, &prior, &vocab_index,
                                     &memory, &marg_cache, &english, &PyDict_Type, &params, &PyDict_Type, &sizes,
                                     &skeleton, &rules_word, &spell, &roman_lp, &marg_limit, &english_limit))
        return -1;
    Channel_clear(self); /* unusable until this init succeeds (self->kinds NULL) */
    if (ch_set(&self->r2d, r2d, CH_DECODER, "r2d") || ch_set(&self->forced, forced, CH_DECODER, "forced") ||
        ch_set(&self->d2r, d2r, CH_DECODER, "d2r") || ch_set(&self->char_ids, char_ids, CH_DICT, "char_ids") ||
        ch_set(&self->prior, prior, CH_DICT, "prior") ||
        ch_set(&self->vocab_index, vocab_index, PyDict_Check(vocab_index) ? CH_DICT : CH_CALLABLE, "vocab_index") ||
        ch_set(&self->memory, memory, PyDict_Check(memory) ? CH_DICT : CH_CALLABLE, "memory") ||
        ch_set(&self->marg_cache, marg_cache, CH_DICT, "marg_cache") ||
        ch_set(&self->skeleton, skeleton, CH_CALLABLE, "skeleton") ||
        ch_set(&self->rules_word, rules_word, CH_CALLABLE, "rules_word") ||
        ch_set(&self->spell_letters, spell, CH_CALLABLE, "spell_letters") ||
        ch_set(&self->roman_logprob, roman_lp, CH_CALLABLE, "roman_logprob"))
        goto fail;
    Py_INCREF(charlm);
    self->charlm = (Automaton *)charlm;
    self->char_unk = char_unk;
    self->char_start = char_start;
    if (english != Py_None) {
        if (!PyTuple_Check(english) || PyTuple_GET_SIZE(english) != 4) {
            PyErr_SetString(PyExc_TypeError, "english must be None or (prons, decoder, forced decoder, cache)");
            goto fail;
        }
        PyObject *prons = PyTuple_GET_ITEM(english, 0);
        if (ch_set(&self->en_prons, prons, PyDict_Check(prons) ? CH_DICT : CH_CALLABLE, "the English pronunciations") ||
            ch_set(&self->en_r2d, PyTuple_GET_ITEM(english, 1), CH_DECODER, "the English decoder") ||
            ch_set(&self->en_forced, PyTuple_GET_ITEM(english, 2), CH_DECODER, "the English forced decoder") ||
            ch_set(&self->en_cache, PyTuple_GET_ITEM(english, 3), CH_DICT, "the English cache"))
            goto fail;
    }
    Py_ssize_t read = 0;
    if (item_double(params, "w_char", &self->w_char, &read) || item_double(params, "w_word", &self->w_word, &read) ||
        item_double(params, "w_mem", &self->w_mem, &read) || item_double(params, "oov_logprob", &self->oov, &read) ||
        item_double(params, "w_rules_eq", &self->w_rules_eq, &read) ||
        item_double(params, "w_rules_dist", &self->w_rules_dist, &read) ||
        item_double(params, "w_marg", &self->w_marg, &read) ||
        item_double(params, "w_english", &self->w_english, &read) ||
        item_double(params, "english_miss", &self->english_miss, &read) ||
        item_double(params, "w_acronym", &self->w_acronym, &read) ||
        item_double(params, "w_acronym_odd", &self->w_acronym_odd, &read) ||
        item_double(params, "english_unspellable", &self->english_unspellable, &read) ||
        item_double(params, "final_virama", &self->final_virama, &read) ||
        item_double(params, "attested_gap", &self->attested_gap, &read) ||
        item_bool(params, "stage1_rules", &self->stage1_rules, &read) ||
        item_int(params, "rules_top", &self->rules_top, &read) ||
        item_int(params, "marg_beam", &self->marg_beam, &read) ||
        item_int(params, "forced_beam", &self->forced_beam, &read) ||
        item_int(params, "english_beam", &self->english_beam, &read) ||
        item_int(params, "english_forced_beam", &self->english_forced_beam, &read) ||
        all_read(params, read, "params"))
        goto fail;
    self->marg_limit = marg_limit;
    self->english_limit = english_limit;
    if (PyDict_GET_SIZE(sizes) > CH_MAX_KINDS) {
        PyErr_SetString(PyExc_ValueError, "too many search sizes");
        goto fail;
    }
    {
        PyObject *kinds = PyDict_New();
        if (!kinds) goto fail;
        self->kinds = kinds;
        Py_ssize_t pos = 0, i = 0;
        PyObject *name, *size;
        while (PyDict_Next(sizes, &pos, &name, &size)) {
            ChSize *z = &self->sizes[i];
            PyObject *idx = PyLong_FromSsize_t(i);
            if (!idx) goto fail;
            int bad = PyDict_SetItem(kinds, name, idx);
            Py_DECREF(idx);
            if (bad) goto fail;
            if (!PyDict_Check(size)) {
                PyErr_SetString(PyExc_TypeError, "each search size must be a dict");
                goto fail;
            }
            read = 0;
            if (item_int(size, "beam", &z->beam, &read) || item_int(size, "nbest", &z->nbest, &read) ||
                item_double(size, "threshold", &z->threshold, &read) ||
                item_int(size, "marg_top", &z->marg_top, &read) ||
                item_int(size, "vocab_cands", &z->vocab_cands, &read) ||
                item_int(size, "english_k", &z->english_k, &read) ||
                item_int(size, "acronym_max", &z->acronym_max, &read) || all_read(size, read, "a search size"))
                goto fail;
            i++;
        }
    }
    return 0;
fail:
    Channel_clear(self);
    return -1;
}

/* a candidate of one word: its joint score with the input (lp) and char-LM score (clp) */
typedef struct {
    PyObject *deva;
    double lp, clp;
} Cand;

/* a candidate in a ranking: higher key first, then the spelling in code point order */
typedef struct {
    double key;
    double s; /* the score without the word prior (first ranking) */
    PyObject *deva;
} Staged;

static int staged_cmp(const void *x, const void *y) {
    const Staged *a = x, *b = y;
    if (a->key > b->key) return -1;
    if (a->key < b->key) return 1;
    return PyUnicode_Compare(a->deva, b->deva); /* two distinct strings: never equal, never an error */
}

/* the candidates of one word while they are gathered (the _Found of the Python code) */
typedef struct {
    Channel *ch;
    PyObject *roman;
    const ChSize *size;
    PyObject *attested; /* {deva: count} of the memory, or NULL (owned) */
    int has_att;        /* attested is not empty */
    PyObject *index;    /* deva -> position in cands (insertion order, as a dict) */
    Cand *cands;
    Py_ssize_t n, cap;
    PyObject *english; /* the English model's proposals {deva: score} (owned), NULL when not asked */
    PyObject *acronym; /* the letter-by-letter reading (owned), NULL when not asked */
    PyObject *kind;    /* the search's name (borrowed) */
} Word;

static void word_free(Word *W) {
    for (Py_ssize_t i = 0; i < W->n; i++) Py_DECREF(W->cands[i].deva);
    PyMem_Free(W->cands);
    Py_XDECREF(W->index);
    Py_XDECREF(W->attested);
    Py_XDECREF(W->english);
    Py_XDECREF(W->acronym);
}

/* cands[deva] = (lp, clp); -1 with an exception set on error */
static int word_set(Word *W, PyObject *deva, double lp, double clp) {
    PyObject *pos = PyDict_GetItemWithError(W->index, deva);
    if (pos) {
        Cand *c = &W->cands[PyLong_AsSsize_t(pos)];
        c->lp = lp;
        c->clp = clp;
        return 0;
    }
    if (PyErr_Occurred()) return -1;
    if (W->n == W->cap) {
        Py_ssize_t cap = W->cap ? 2 * W->cap : 64;
        Cand *c = PyMem_Realloc(W->cands, sizeof(Cand) * cap);
        if (!c) {
            PyErr_NoMemory();
            return -1;
        }
        W->cands = c;
        W->cap = cap;
    }
    PyObject *p = PyLong_FromSsize_t(W->n);
    if (!p) return -1;
    int bad = PyDict_SetItem(W->index, deva, p);
    Py_DECREF(p);
    if (bad) return -1;
    W->cands[W->n++] = (Cand){Py_NewRef(deva), lp, clp};
    return 0;
}

/* the lowest joint score of the candidates so far (0.0 when there are none), as Python's min() */
static double word_floor(const Word *W) {
    double m = 0.0;
    for (Py_ssize_t i = 0; i < W->n; i++)
        if (i == 0 || W->cands[i].lp < m) m = W->cands[i].lp;
    return m;
}

/* the char-LM score of a well-formed Devanagari word: 1 (*clp set), 0 not well-formed, -1 error */
static int ch_char_score(Channel *ch, PyObject *deva, double *clp) {
    if (!PyUnicode_Check(deva)) {
        PyErr_SetString(PyExc_TypeError, "candidates must be strings");
        return -1;
    }
    int ok;
    if (score_deva_one(ch->charlm, deva, ch->char_ids, ch->char_unk, ch->char_start, &ok, clp)) return -1;
    return ok;
}

/* the scratch of one batch of searches over up to n strings: the strings, where each came from, their
   char-LM scores, the search scores and whether the search found an output */
typedef struct {
    PyObject **items;
    Py_ssize_t *where;
    double *clp, *score;
    int *found;
} Batch;

static void batch_free(Batch *b) {
    PyMem_Free(b->items);
    PyMem_Free(b->where);
    PyMem_Free(b->clp);
    PyMem_Free(b->score);
    PyMem_Free(b->found);
}

/* -1 with MemoryError set (and nothing left allocated) when out of memory */
static int batch_alloc(Batch *b, Py_ssize_t n) {
    size_t m = (size_t)(n ? n : 1);
    b->items = PyMem_Malloc(sizeof(PyObject *) * m);
    b->where = PyMem_Malloc(sizeof(Py_ssize_t) * m);
    b->clp = PyMem_Malloc(sizeof(double) * m);
    b->score = PyMem_Malloc(sizeof(double) * m);
    b->found = PyMem_Malloc(sizeof(int) * m);
    if (b->items && b->where && b->clp && b->score && b->found) return 0;
    batch_free(b);
    PyErr_NoMemory();
    return -1;
}

/* _add_forced: the well-formed devas[0..n) scored by a search forced to spell them from the input; one
   it cannot spell is dropped (!has_floor) or gets the worst score so far plus unspellable. The devas
   must stay alive. -1 with an exception set on error */
static int word_add_forced(Word *W, PyObject *const *devas, Py_ssize_t n, int has_floor, double unspellable) {
    if (n == 0) return 0;
    Channel *ch = W->ch;
    double floor = has_floor ? word_floor(W) + unspellable : 0.0;
    Batch b;
    if (batch_alloc(&b, n)) return -1;
    int rc = -1;
    Py_ssize_t m = 0; /* the well-formed ones */
    for (Py_ssize_t i = 0; i < n; i++) {
        int good = ch_char_score(ch, devas[i], &b.clp[m]);
        if (good < 0) goto done;
        if (good) b.items[m++] = devas[i];
    }
    ForcedArgs a = {W->roman, ch->forced_beam < 1 ? 1 : ch->forced_beam, 1};
    if (m && jd_each_c(JD(ch->forced), b.items, m, "targets", jd_forced_one, &a, b.score, b.found)) goto done;
    for (Py_ssize_t j = 0; j < m; j++) {
        if (b.found[j]) {
            if (word_set(W, b.items[j], b.score[j], b.clp[j])) goto done;
        } else if (has_floor) {
            if (word_set(W, b.items[j], floor, b.clp[j])) goto done;
        }
    }
    rc = 0;
done:
    batch_free(&b);
    return rc;
}

/* the items of seq (a list or tuple) that are not candidates yet, forced (word_add_forced) */
static int word_add_new(Word *W, PyObject *seq, int has_floor, double unspellable) {
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    PyObject **fresh = PyMem_Malloc(sizeof(PyObject *) * (n ? n : 1));
    if (!fresh) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t m = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        int in = PyDict_Contains(W->index, items[i]);
        if (in < 0) {
            PyMem_Free(fresh);
            return -1;
        }
        if (!in) fresh[m++] = items[i];
    }
    int rc = word_add_forced(W, fresh, m, has_floor, unspellable);
    PyMem_Free(fresh);
    return rc;
}

/* EnglishModel.pronunciations: a new list of the word's encoded pronunciations (empty: none) */
static PyObject *ch_prons(Channel *ch, PyObject *roman) {
    PyObject *codes = ch_lookup(ch->en_prons, roman);
    if (!codes) return PyErr_Occurred() ? NULL : PyList_New(0);
    if (!PyUnicode_Check(codes)) {
        Py_DECREF(codes);
        PyErr_SetString(PyExc_TypeError, "pronunciations must be strings");
        return NULL;
    }
    PyObject *out = NULL, *tab = NULL;
    if (PyUnicode_GET_LENGTH(codes) == 0)
        out = PyList_New(0);
    else if ((tab = PyUnicode_FromOrdinal('\t')))
        out = PyUnicode_Split(codes, tab, -1);
    Py_XDECREF(tab);
    Py_DECREF(codes);
    return out;
}

/* EnglishModel.candidates(roman, k=k, beam=beam): the proposals {deva: best score} (a new reference to
   the memoized dict) */
static PyObject *ch_english(Channel *ch, PyObject *roman, int k, int beam) {
    PyObject *key = Py_BuildValue("(Oii)", roman, k, beam);
    if (!key) return NULL;
    PyObject *out = PyDict_GetItemWithError(ch->en_cache, key);
    if (out) {
        Py_DECREF(key);
        return Py_NewRef(out);
    }
    PyObject *prons = NULL;
    if (PyErr_Occurred() || !(out = PyDict_New()) || !(prons = ch_prons(ch, roman))) goto fail;
    for (Py_ssize_t p = 0; p < PyList_GET_SIZE(prons); p++) {
        PyObject *res =
            jd_decode(JD(ch->en_r2d), PyList_GET_ITEM(prons, p), Py_None, k, beam, 1, Py_None, INFINITY, Py_None);
        if (!res) goto fail;
        for (Py_ssize_t r = 0; r < PyList_GET_SIZE(res); r++) {
            PyObject *pair = PyList_GET_ITEM(res, r);
            PyObject *deva = PyTuple_GET_ITEM(pair, 0), *score = PyTuple_GET_ITEM(pair, 1);
            PyObject *old = PyDict_GetItemWithError(out, deva);
            if (!old && PyErr_Occurred()) {
                Py_DECREF(res);
                goto fail;
            }
            if (PyFloat_AS_DOUBLE(score) > (old ? PyFloat_AsDouble(old) : -INFINITY) &&
                PyDict_SetItem(out, deva, score)) {
                Py_DECREF(res);
                goto fail;
            }
        }
        Py_DECREF(res);
    }
    if (PyDict_GET_SIZE(ch->en_cache) > ch->english_limit) PyDict_Clear(ch->en_cache);
    if (PyDict_SetItem(ch->en_cache, key, out)) goto fail;
    Py_DECREF(prons);
    Py_DECREF(key);
    return out;
fail:
    Py_XDECREF(prons);
    Py_XDECREF(out);
    Py_DECREF(key);
    return NULL;
}

/* _gather: the well-formed search outputs raw, vocabulary words of the input's consonant skeleton,
   the English model's proposals, the acronym reading and the attested spellings */
static int word_gather(Word *W, PyObject *raw) {
    Channel *ch = W->ch;
    const ChSize *size = W->size;
    PyObject *roman = W->roman;
    for (Py_ssize_t r = 0; r < PyList_GET_SIZE(raw); r++) {
        PyObject *pair = PyList_GET_ITEM(raw, r);
        PyObject *deva = PyTuple_GET_ITEM(pair, 0);
        double clp;
        int ok = ch_char_score(ch, deva, &clp);
        if (ok < 0 || (ok && word_set(W, deva, PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(pair, 1)), clp))) return -1;
    }
    int index_is_dict = PyDict_Check(ch->vocab_index);
    if (size->vocab_cands && (!index_is_dict || PyDict_GET_SIZE(ch->vocab_index))) {
        PyObject *key = PyObject_CallOneArg(ch->skeleton, roman);
        if (!key) return -1;
        /* a dict (skeleton -> words) or a function of the skeleton and the search's name
           (LearnedModel._vocab_words) */
        PyObject *words;
        if (index_is_dict) {
            words = PyDict_GetItemWithError(ch->vocab_index, key);
            Py_XINCREF(words);
        } else {
            words = PyObject_CallFunctionObjArgs(ch->vocab_index, key, W->kind, NULL);
        }
        Py_DECREF(key);
        if (!words && PyErr_Occurred()) return -1;
        /* vocab_index.get(key, ())[:vocab_cands] */
        PyObject *slice = words ? PySequence_GetSlice(words, 0, size->vocab_cands) : PyTuple_New(0);
        Py_XDECREF(words);
        if (!slice) return -1;
        PyObject *seq = PySequence_Fast(slice, "vocabulary index values must be sequences");
        Py_DECREF(slice);
        if (!seq) return -1;
        int rc = word_add_new(W, seq, 0, 0.0);
        Py_DECREF(seq);
        if (rc) return -1;
    }
    /* an English word, unless the memory knows it as the romanization of a Hindi word */
    if (size->english_k && !W->has_att && ch->en_prons) {
        W->english = ch_english(ch, roman, size->english_k, ch->english_beam);
        if (!W->english) return -1;
        PyObject *keys = PyDict_Keys(W->english);
        if (!keys) return -1;
        int rc = word_add_new(W, keys, 1, ch->english_unspellable);
        Py_DECREF(keys);
        if (rc) return -1;
    }
    Py_ssize_t len = PyUnicode_GET_LENGTH(roman);
    if (!W->has_att && 0 < len && len <= size->acronym_max) {
        W->acronym = PyObject_CallOneArg(ch->spell_letters, roman);
        if (!W->acronym) return -1;
        if (!PyUnicode_Check(W->acronym)) {
            PyErr_SetString(PyExc_TypeError, "spell_letters must return a string");
            return -1;
        }
        int in = PyDict_Contains(W->index, W->acronym);
        if (in < 0 || (!in && word_add_forced(W, &W->acronym, 1, 1, -5.0))) return -1;
    }
    if (W->has_att) {
        double floor = word_floor(W), gap = ch->attested_gap, top = 0.0, total = 0.0;
        if (gap >= 0) {
            for (Py_ssize_t i = 0; i < W->n; i++)
                if (i == 0 || W->cands[i].lp > top) top = W->cands[i].lp;
        }
        PyObject *items = PyDict_Items(W->attested);
        if (!items) return -1;
        Py_ssize_t m = PyList_GET_SIZE(items);
        double *counts = PyMem_Malloc(sizeof(double) * (size_t)(m ? m : 1));
        if (!counts) {
            Py_DECREF(items);
            PyErr_NoMemory();
            return -1;
        }
        int rc = -1;
        for (Py_ssize_t i = 0; i < m; i++) {
            counts[i] = PyFloat_AsDouble(PyTuple_GET_ITEM(PyList_GET_ITEM(items, i), 1));
            if (counts[i] == -1.0 && PyErr_Occurred()) goto att_done;
            total += counts[i];
        }
        for (Py_ssize_t i = 0; i < m; i++) {
            PyObject *deva = PyTuple_GET_ITEM(PyList_GET_ITEM(items, i), 0);
            PyObject *pos = PyDict_GetItemWithError(W->index, deva);
            if (!pos && PyErr_Occurred()) goto att_done;
            if (gap >= 0 && counts[i] > 0) {
                /* at least the best joint score minus the gap, plus the log of its share */
                double least = top - gap + log(counts[i] / total);
                if (pos) {
                    Py_ssize_t j = PyLong_AsSsize_t(pos);
                    if (j == -1 && PyErr_Occurred()) goto att_done;
                    if (W->cands[j].lp < least) W->cands[j].lp = least;
                    continue;
                }
                double clp;
                if (ch_char_score(ch, deva, &clp) < 0 || word_set(W, deva, floor > least ? floor : least, clp))
                    goto att_done;
            } else if (!pos) {
                double clp; /* check_and_score(deva)[1]: scored whether well-formed or not */
                if (ch_char_score(ch, deva, &clp) < 0 || word_set(W, deva, floor, clp)) goto att_done;
            }
        }
        rc = 0;
    att_done:
        PyMem_Free(counts);
        Py_DECREF(items);
        return rc;
    }
    return 0;
}

/* _rules_feature: agreement of the roman-rules romanization of deva with the input; -1 on error */
static int ch_rules_feature(Channel *ch, PyObject *deva, PyObject *roman, double *out) {
    PyObject *ruled = PyObject_CallOneArg(ch->rules_word, deva);
    if (!ruled) return -1;
    if (!PyUnicode_Check(ruled)) {
        Py_DECREF(ruled);
        PyErr_SetString(PyExc_TypeError, "rules_word must return a string");
        return -1;
    }
    if (PyUnicode_Compare(ruled, roman) == 0) {
        *out = ch->w_rules_eq;
    } else {
        Py_ssize_t d = edit_distance_c(ruled, roman);
        if (d < 0) {
            Py_DECREF(ruled);
            return -1;
        }
        *out = -ch->w_rules_dist * (double)d;
    }
    Py_DECREF(ruled);
    return 0;
}

/* 1 when a and b are equal strings (b may be NULL: never) */
static inline int same_str(PyObject *a, PyObject *b) { return b && (a == b || PyUnicode_Compare(a, b) == 0); }

/* _first_ranking: the candidates as Staged (key: the score with the word prior), best first */
static int word_first_ranking(Word *W, Staged *staged) {
    Channel *ch = W->ch;
    int rules_first = ch->stage1_rules && (ch->w_rules_eq != 0.0 || ch->w_rules_dist != 0.0);
    for (Py_ssize_t i = 0; i < W->n; i++) {
        const Cand *c = &W->cands[i];
        double s = c->lp + ch->w_char * c->clp;
        if (rules_first) {
            double f;
            if (ch_rules_feature(ch, c->deva, W->roman, &f)) return -1;
            s += f;
        }
        if (W->has_att) {
            PyObject *count = PyDict_GetItemWithError(W->attested, c->deva);
            if (!count && PyErr_Occurred()) return -1;
            int truthy = count ? PyObject_IsTrue(count) : 0;
            if (truthy < 0) return -1;
            if (truthy) {
                double x = PyFloat_AsDouble(count);
                if (x == -1.0 && PyErr_Occurred()) return -1;
                s += ch->w_mem * log1p(x);
            }
        }
        Py_ssize_t len = PyUnicode_GET_LENGTH(c->deva);
        if (len && PyUnicode_READ_CHAR(c->deva, len - 1) == 0x094D) s -= ch->final_virama;
        PyObject *u = PyDict_GetItemWithError(ch->prior, c->deva);
        double lu = ch->oov;
        if (u) {
            lu = PyFloat_AsDouble(u);
            if (lu == -1.0 && PyErr_Occurred()) return -1;
        } else if (PyErr_Occurred()) {
            return -1;
        }
        staged[i] = (Staged){s + ch->w_word * lu, s, c->deva};
    }
    qsort(staged, W->n, sizeof(Staged), staged_cmp);
    return 0;
}

/* _marginals: the approximate log P_joint of each of the devas (memoized in marg_cache) */
static int ch_marginals(Channel *ch, Staged *top, Py_ssize_t n, double *marg) {
    Batch b; /* the ones not memoized */
    if (batch_alloc(&b, n)) return -1;
    int rc = -1;
    Py_ssize_t m = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PyDict_GetItemWithError(ch->marg_cache, top[i].deva);
        if (v) {
            marg[i] = PyFloat_AsDouble(v);
            if (marg[i] == -1.0 && PyErr_Occurred()) goto done;
        } else if (PyErr_Occurred()) {
            goto done;
        } else {
            b.items[m] = top[i].deva;
            b.where[m++] = i;
        }
    }
    if (m) {
        if (PyDict_GET_SIZE(ch->marg_cache) > ch->marg_limit) PyDict_Clear(ch->marg_cache);
        int beam = ch->marg_beam < 1 ? 1 : ch->marg_beam;
        if (jd_each_c(JD(ch->d2r), b.items, m, "words", jd_best_one, &beam, b.score, b.found)) goto done;
        for (Py_ssize_t j = 0; j < m; j++) {
            PyObject *v = PyFloat_FromDouble(b.score[j]);
            if (!v) goto done;
            int bad = PyDict_SetItem(ch->marg_cache, b.items[j], v);
            Py_DECREF(v);
            if (bad) goto done;
            marg[b.where[j]] = b.score[j];
        }
    }
    rc = 0;
done:
    batch_free(&b);
    return rc;
}

/* EnglishModel.spellable for the top candidates that the English model does not propose: spelled[i] = 1
   when some pronunciation of the input has a graphone path that spells top[i] */
static int ch_spellable(Channel *ch, Word *W, Staged *top, Py_ssize_t n, int *spelled) {
    PyObject *prons = ch_prons(ch, W->roman);
    if (!prons) return -1;
    Batch b; /* the ones left to spell */
    if (batch_alloc(&b, n)) {
        Py_DECREF(prons);
        return -1;
    }
    int rc = -1;
    Py_ssize_t m = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        spelled[i] = 0;
        int in = PyDict_Contains(W->english, top[i].deva);
        if (in < 0) goto done;
        if (!in) {
            b.items[m] = top[i].deva;
            b.where[m++] = i;
        }
    }
    ForcedArgs a = {NULL, ch->english_forced_beam < 1 ? 1 : ch->english_forced_beam, 1};
    for (Py_ssize_t p = 0; p < PyList_GET_SIZE(prons) && m; p++) {
        a.text = PyList_GET_ITEM(prons, p);
        if (jd_each_c(JD(ch->en_forced), b.items, m, "targets", jd_forced_one, &a, b.score, b.found)) goto done;
        Py_ssize_t kept = 0;
        for (Py_ssize_t j = 0; j < m; j++) {
            if (b.found[j]) {
                spelled[b.where[j]] = 1;
            } else {
                b.items[kept] = b.items[j];
                b.where[kept++] = b.where[j];
            }
        }
        m = kept;
    }
    rc = 0;
done:
    Py_DECREF(prons);
    batch_free(&b);
    return rc;
}

/* _second_ranking over top[0..n): the features that cost a search each; top[i].key becomes the final
   score */
static int word_second_ranking(Word *W, Staged *top, Py_ssize_t n) {
    Channel *ch = W->ch;
    PyObject *roman = W->roman, *acronym = W->acronym;
    int en = W->english && PyDict_GET_SIZE(W->english);
    int rules_later = !ch->stage1_rules && (ch->w_rules_eq != 0.0 || ch->w_rules_dist != 0.0);
    double *marg = PyMem_Malloc(sizeof(double) * (n ? n : 1));
    int *spelled = PyMem_Malloc(sizeof(int) * (n ? n : 1));
    int rc = -1;
    if (!marg || !spelled) {
        PyErr_NoMemory();
        goto done;
    }
    if (ch->w_marg != 0.0 && ch_marginals(ch, top, n, marg)) goto done;
    if (en && ch_spellable(ch, W, top, n, spelled)) goto done;
    for (Py_ssize_t rank = 0; rank < n; rank++) {
        PyObject *deva = top[rank].deva;
        double s = top[rank].s;
        int proposed = en ? PyDict_Contains(W->english, deva) : 0;
        if (proposed < 0) goto done;
        int is_acronym = same_str(deva, acronym);
        if (rules_later && (rank < ch->rules_top || proposed || is_acronym)) {
            double f;
            if (ch_rules_feature(ch, deva, roman, &f)) goto done;
            s += f;
        }
        if (ch->w_marg != 0.0) s -= ch->w_marg * marg[rank];
        if (en) {
            if (proposed)
                s += ch->w_english;
            else if (!spelled[rank])
                s -= ch->english_miss;
        }
        if (is_acronym) {
            PyObject *letters = PySequence_Tuple(roman);
            PyObject *lp = letters ? PyObject_CallOneArg(ch->roman_logprob, letters) : NULL;
            Py_XDECREF(letters);
            if (!lp) goto done;
            double x = PyFloat_AsDouble(lp);
            Py_DECREF(lp);
            if (x == -1.0 && PyErr_Occurred()) goto done;
            double odd = -x / (double)(PyUnicode_GET_LENGTH(roman) + 1);
            s += ch->w_acronym + ch->w_acronym_odd * odd;
        }
        top[rank].key = s;
    }
    rc = 0;
done:
    PyMem_Free(marg);
    PyMem_Free(spelled);
    return rc;
}

/* (deva, score) pairs of ranked[0..n) as a new tuple */
static PyObject *ranked_tuple(const Staged *ranked, Py_ssize_t n) {
    PyObject *out = PyTuple_New(n);
    if (!out) return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *score = PyFloat_FromDouble(ranked[i].key);
        PyObject *pair = score ? PyTuple_Pack(2, ranked[i].deva, score) : NULL;
        Py_XDECREF(score);
        if (!pair) {
            Py_DECREF(out);
            return NULL;
        }
        PyTuple_SET_ITEM(out, i, pair);
    }
    return out;
}

/* the position of a Python slice bound seq[:bound] in a sequence of n items */
static inline Py_ssize_t slice_end(Py_ssize_t bound, Py_ssize_t n) {
    if (bound < 0) return bound + n < 0 ? 0 : bound + n;
    return bound < n ? bound : n;
}

static PyObject *Channel_call(Channel *ch, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"roman", "kind", NULL};
    PyObject *roman, *kind;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "UO", kwlist, &roman, &kind)) return NULL;
    if (!ch->kinds) {
        PyErr_SetString(PyExc_ValueError, "Channel is not initialized");
        return NULL;
    }
    PyObject *idx = PyDict_GetItemWithError(ch->kinds, kind);
    if (!idx) {
        if (!PyErr_Occurred()) PyErr_SetObject(PyExc_KeyError, kind);
        return NULL;
    }
    const ChSize *size = &ch->sizes[PyLong_AsSsize_t(idx)];
    Word W = {ch, roman, size};
    W.kind = kind;
    Staged *staged = NULL;
    PyObject *raw = NULL, *result = NULL;
    if (!(W.index = PyDict_New())) goto done;
    W.attested = ch_lookup(ch->memory, roman);
    if (W.attested) {
        if (!PyDict_Check(W.attested)) {
            PyErr_SetString(PyExc_TypeError, "the memory must map to dicts");
            goto done;
        }
        W.has_att = PyDict_GET_SIZE(W.attested) > 0;
    } else if (PyErr_Occurred()) {
        goto done;
    }
    raw = jd_decode(JD(ch->r2d), roman, Py_None, size->nbest, size->beam, 1, Py_None, size->threshold, Py_None);
    if (!raw || word_gather(&W, raw)) goto done;
    staged = PyMem_Malloc(sizeof(Staged) * (W.n ? W.n : 1));
    if (!staged) {
        PyErr_NoMemory();
        goto done;
    }
    if (word_first_ranking(&W, staged)) goto done;
    /* the marginal needs a search per candidate: only for the best few (two-stage reranking), and the
       English model's proposals and the acronym reading, which are always scored in full */
    Py_ssize_t ntop = slice_end(size->marg_top, W.n);
    int extra_acronym = W.acronym && PyUnicode_GET_LENGTH(W.acronym) > 0;
    if ((W.english && PyDict_GET_SIZE(W.english)) || extra_acronym) {
        Py_ssize_t first = ntop;
        for (Py_ssize_t i = first; i < W.n; i++) {
            int in = W.english ? PyDict_Contains(W.english, staged[i].deva) : 0;
            if (in < 0) goto done;
            if (in || (extra_acronym && same_str(staged[i].deva, W.acronym))) staged[ntop++] = staged[i];
        }
    }
    if (word_second_ranking(&W, staged, ntop)) goto done;
    if (ntop == 0 && PyList_GET_SIZE(raw) > 0) { /* nothing ranked: the search's best output */
        PyObject *pair = PyList_GET_ITEM(raw, 0);
        result = PyTuple_Pack(1, pair);
        goto done;
    }
    qsort(staged, ntop, sizeof(Staged), staged_cmp);
    result = ranked_tuple(staged, ntop);
done:
    Py_XDECREF(raw);
    PyMem_Free(staged);
    word_free(&W);
    return result;
}

static PyTypeObject ChannelType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "lipyantar.translit.learned._fastlm.Channel",
    .tp_basicsize = sizeof(Channel),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "Channel(*, r2d, forced, d2r, charlm, ...)(roman, kind) -> ((deva, score), ...): the compiled "
              "LearnedModel._channel_python.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Channel_init,
    .tp_dealloc = (destructor)Channel_dealloc,
    .tp_traverse = (traverseproc)Channel_traverse,
    .tp_clear = (inquiry)Channel_clear,
    .tp_call = (ternaryfunc)Channel_call,
};

/* ------------------------------------------------------------------------------------------ */
/* kn_compile: the Kneser-Ney automaton of a raw count table                                 */
/* ------------------------------------------------------------------------------------------ */

/* A set of token tuples (at most `order` long), stored padded in a pool, found through an
   open-addressing table whose slots hold a fragment of the hash (high 32 bits) and the index + 1 (low
   32 bits; 0: empty); indexes are in insertion order. */
typedef struct {
    int order;
    Py_ssize_t n, cap;
    int32_t *tok; /* cap * order, padded with -1 */
    uint8_t *len;
    uint64_t *slots;
    uint64_t mask;
} TupleSet;

static void tupleset_free(TupleSet *s) {
    free(s->tok);
    free(s->len);
    free(s->slots);
    s->tok = NULL;
    s->len = NULL;
    s->slots = NULL;
}

static inline uint64_t tuple_hash(const int32_t *t, int len) {
    uint64_t h = 0x9e3779b97f4a7c15ULL * (uint64_t)(len + 1);
    for (int i = 0; i < len; i++) h = (h ^ (uint32_t)t[i]) * 0xff51afd7ed558ccdULL + (h >> 29);
    return mix64(h);
}

/* room for cap tuples, a table of 1.5 * cap slots at least; -1 on memory error */
static int tupleset_alloc(TupleSet *s, Py_ssize_t cap) {
    uint64_t size = 16;
    while (size < (uint64_t)cap + (uint64_t)cap / 2) size <<= 1; /* at most 2/3 full */
    int32_t *tok = realloc(s->tok, sizeof(int32_t) * (size_t)s->order * (size_t)(cap ? cap : 1));
    if (tok) s->tok = tok;
    uint8_t *len = realloc(s->len, (size_t)(cap ? cap : 1));
    if (len) s->len = len;
    uint64_t *slots = calloc(size, sizeof(uint64_t));
    if (!tok || !len || !slots) {
        free(slots);
        return -1;
    }
    free(s->slots);
    s->slots = slots;
    s->mask = size - 1;
    s->cap = cap;
    for (Py_ssize_t k = 0; k < s->n; k++) { /* rehash */
        uint64_t h = tuple_hash(s->tok + k * s->order, s->len[k]);
        uint64_t i = h & s->mask;
        while (slots[i]) i = (i + 1) & s->mask;
        slots[i] = (h & 0xffffffff00000000ULL) | (uint64_t)(k + 1);
    }
    return 0;
}

static int tupleset_init(TupleSet *s, int order, Py_ssize_t cap) {
    memset(s, 0, sizeof(*s));
    s->order = order;
    if (tupleset_alloc(s, cap)) {
        tupleset_free(s);
        return -1;
    }
    return 0;
}

#if defined(__GNUC__) || defined(__clang__)
#define KN_PREFETCH(p) __builtin_prefetch(p)
#else
#define KN_PREFETCH(p) ((void)(p))
#endif
/* lookups this many items ahead prefetch their slot: the table is much larger than the caches */
#define KN_AHEAD 16

static inline void tupleset_prefetch(const TupleSet *s, const int32_t *t, int len) {
    KN_PREFETCH(&s->slots[tuple_hash(t, len) & s->mask]);
}

/* index of the tuple, or -1; with add, the tuple is added when missing (*added set to 1; -2 on memory
   error). Adding may move the pool: t must not point into this set's own pool then. */
static Py_ssize_t tupleset_find(TupleSet *s, const int32_t *t, int len, int add, int *added) {
    uint64_t h = tuple_hash(t, len);
    uint64_t frag = h & 0xffffffff00000000ULL;
    uint64_t i = h & s->mask;
    for (;;) {
        uint64_t v = s->slots[i];
        if (!v) break;
        if ((v & 0xffffffff00000000ULL) == frag) {
            Py_ssize_t k = (Py_ssize_t)(v & 0xffffffffULL) - 1;
            if (s->len[k] == len) {
                const int32_t *u = s->tok + k * s->order;
                int j = 0;
                while (j < len && u[j] == t[j]) j++;
                if (j == len) return k;
            }
        }
        i = (i + 1) & s->mask;
    }
    if (!add) return -1;
    if (s->n >= s->cap) {
        if (tupleset_alloc(s, s->cap * 2 + 16)) return -2;
        i = h & s->mask;
        while (s->slots[i]) i = (i + 1) & s->mask;
    }
    Py_ssize_t k = s->n++;
    int32_t *dst = s->tok + k * s->order;
    for (int j = 0; j < s->order; j++) dst[j] = j < len ? t[j] : -1;
    s->len[k] = (uint8_t)len;
    s->slots[i] = frag | (uint64_t)(k + 1);
    if (added) *added = 1;
    return k;
}

typedef struct {
    const int32_t *tok;
    Py_ssize_t idx;
    int len;
} CtxRef;

/* contexts by length, then by their tokens (as Python sorts tuples of one length) */
static int cmp_ctx(const void *x, const void *y) {
    const CtxRef *a = x, *b = y;
    if (a->len != b->len) return a->len < b->len ? -1 : 1;
    for (int i = 0; i < a->len; i++)
        if (a->tok[i] != b->tok[i]) return a->tok[i] < b->tok[i] ? -1 : 1;
    return 0;
}

typedef struct {
    int64_t key;
    Py_ssize_t at; /* position in the count table: equal keys keep it (Python's stable sort) */
    float lp;
    int32_t next;
} KnArc;

static int cmp_knarc(const void *x, const void *y) {
    const KnArc *a = x, *b = y;
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    return (a->at > b->at) - (a->at < b->at);
}

static int get_typed_buffer(PyObject *obj, Py_buffer *b, const char *format, Py_ssize_t itemsize) {
    if (PyObject_GetBuffer(obj, b, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS)) return -1;
    if (b->itemsize != itemsize || !b->format || strcmp(b->format, format) != 0) {
        PyBuffer_Release(b);
        PyErr_Format(PyExc_TypeError, "kn_compile needs arrays of typecode %s", format);
        return -1;
    }
    return 0;
}

/* kn_compile(vocab_size, order, ngrams, values): langmodel.kn_arrays + merge_kn_parts of the count table
   (ngrams: "i", rows of `order` ids, the ids < 0 dropped; values: "d"), bit for bit: the same sums in
   the same order, the same libm log. Returns the bytes of (keys "q", lp "f", next "i", backoff "i",
   bow "f", scalars "q"), or None for a table the Python code handles otherwise (an empty or repeated
   n-gram, a zero total, a probability whose log is not finite): the caller then runs the Python code,
   which gives its own result or error. */
static PyObject *fastlm_kn_compile(PyObject *Py_UNUSED(module), PyObject *args) {
    Py_ssize_t vocab_size;
    int order;
    PyObject *ngrams_obj, *values_obj;
    if (!PyArg_ParseTuple(args, "niOO", &vocab_size, &order, &ngrams_obj, &values_obj)) return NULL;
    if (order < 1 || order > 64) {
        PyErr_SetString(PyExc_ValueError, "order must be from 1 to 64");
        return NULL;
    }
    Py_buffer bg, bv;
    if (get_typed_buffer(ngrams_obj, &bg, "i", 4)) return NULL;
    if (get_typed_buffer(values_obj, &bv, "d", 8)) {
        PyBuffer_Release(&bg);
        return NULL;
    }
    PyObject *result = NULL;
    int fallback = 0;
    const int32_t *flat = bg.buf;
    const double *raw = bv.buf;
    Py_ssize_t n = bv.len / 8;
    TupleSet ng = {0}, cx = {0};
    double *kn = NULL, *total = NULL, *prob = NULL;
    Py_ssize_t *cont = NULL, *types = NULL, *pfx = NULL, *sfx = NULL, *ranked = NULL, *state = NULL;
    KnArc *arcs = NULL;
    CtxRef *refs = NULL;
    int32_t *backoff = NULL;
    float *bow = NULL;
    int32_t *row = NULL;
    if (bg.len / 4 != (Py_ssize_t)order * n) {
        PyErr_SetString(PyExc_ValueError, "joint count table has the wrong shape");
        goto done;
    }
    double vocab = (double)(vocab_size > 1 ? vocab_size : 1);
    int64_t mult = (int64_t)(vocab_size > 1 ? vocab_size : 1) + 1;
    if (n >= ((Py_ssize_t)1 << 30)) { /* indexes of 32 bits */
        fallback = 1;
        goto done;
    }
    if (tupleset_init(&ng, order, n) || tupleset_init(&cx, order, n / 2 + 16)) goto nomem;
    kn = malloc(sizeof(double) * (n ? n : 1));
    prob = malloc(sizeof(double) * (n ? n : 1));
    cont = calloc(n ? n : 1, sizeof(Py_ssize_t));
    pfx = malloc(sizeof(Py_ssize_t) * (n ? n : 1));
    sfx = malloc(sizeof(Py_ssize_t) * (n ? n : 1));
    total = calloc(2 * n + 1, sizeof(double));
    types = calloc(2 * n + 1, sizeof(Py_ssize_t));
    row = malloc(sizeof(int32_t) * (size_t)order);
    if (!kn || !prob || !cont || !pfx || !sfx || !total || !types || !row) goto nomem;
    /* the n-grams, in the table's order (that of the Python dict) */
    for (Py_ssize_t i = 0; i < n; i++) {
        int len = 0, added = 0;
        if (i + KN_AHEAD < n) {
            for (int j = 0; j < order; j++)
                if (flat[(i + KN_AHEAD) * order + j] >= 0) row[len++] = flat[(i + KN_AHEAD) * order + j];
            tupleset_prefetch(&ng, row, len);
            len = 0;
        }
        for (int j = 0; j < order; j++)
            if (flat[i * order + j] >= 0) row[len++] = flat[i * order + j];
        if (len == 0) {
            fallback = 1;
            goto done;
        }
        if (tupleset_find(&ng, row, len, 1, &added) < 0) goto nomem;
        if (!added) { /* a repeated n-gram */
            fallback = 1;
            goto done;
        }
    }
    /* continuation counts: distinct left extensions of each n-gram */
    for (Py_ssize_t i = 0; i < n; i++) {
        int len = ng.len[i];
        if (i + KN_AHEAD < n && ng.len[i + KN_AHEAD] >= 2)
            tupleset_prefetch(&ng, ng.tok + (i + KN_AHEAD) * order + 1, ng.len[i + KN_AHEAD] - 1);
        sfx[i] = len >= 2 ? tupleset_find(&ng, ng.tok + i * order + 1, len - 1, 0, NULL) : -1;
        if (sfx[i] >= 0) cont[sfx[i]]++;
    }
    Py_ssize_t n1[65] = {0}, n2[65] = {0};
    int32_t empty = 0;
    Py_ssize_t root_cx = tupleset_find(&cx, &empty, 0, 1, NULL);
    if (root_cx < 0) goto nomem;
    for (Py_ssize_t i = 0; i < n; i++) {
        const int32_t *t = ng.tok + i * order;
        int len = ng.len[i];
        double c = raw[i];
        if (i + KN_AHEAD < n) {
            const int32_t *ta = ng.tok + (i + KN_AHEAD) * order;
            int la = ng.len[i + KN_AHEAD];
            tupleset_prefetch(&cx, ta, la - 1);
            if (la >= 2) tupleset_prefetch(&cx, ta + 1, la - 2);
        }
        kn[i] = (len == order || t[0] == 0) ? c : (cont[i] ? (double)cont[i] : c);
        if (fabs(kn[i] - 1.0) < 1e-9)
            n1[len]++;
        else if (fabs(kn[i] - 2.0) < 1e-9)
            n2[len]++;
        pfx[i] = tupleset_find(&cx, t, len - 1, 1, NULL);
        if (pfx[i] < 0 || (len >= 2 && tupleset_find(&cx, t + 1, len - 2, 1, NULL) < 0)) goto nomem;
        total[pfx[i]] += kn[i];
        types[pfx[i]]++;
    }
    double discounts[65];
    for (int k = 1; k <= order; k++) {
        double d = n1[k] + n2[k] ? (double)n1[k] / (double)(n1[k] + 2 * n2[k]) : 0.5;
        d = 0.1 > d ? 0.1 : d;
        discounts[k] = d > 0.9 ? 0.9 : d;
    }
    /* states: the contexts by length, then tokens */
    Py_ssize_t ns = cx.n;
    refs = malloc(sizeof(CtxRef) * (size_t)ns);
    ranked = malloc(sizeof(Py_ssize_t) * (size_t)ns);
    state = malloc(sizeof(Py_ssize_t) * (size_t)ns);
    if (!refs || !ranked || !state) goto nomem;
    for (Py_ssize_t k = 0; k < ns; k++) {
        refs[k].tok = cx.tok + k * order;
        refs[k].idx = k;
        refs[k].len = cx.len[k];
    }
    qsort(refs, (size_t)ns, sizeof(CtxRef), cmp_ctx);
    for (Py_ssize_t k = 0; k < ns; k++) {
        ranked[k] = refs[k].idx;
        state[refs[k].idx] = k;
    }
    int32_t root = (int32_t)state[root_cx];
    /* the arcs, lower orders first: each needs the probability of its suffix */
    arcs = malloc(sizeof(KnArc) * (n ? n : 1));
    if (!arcs) goto nomem;
    Py_ssize_t na = 0;
    for (int len = 1; len <= order; len++) {
        double d = discounts[len];
        for (Py_ssize_t i = 0; i < n; i++) {
            if (ng.len[i] != len) continue;
            const int32_t *t = ng.tok + i * order;
            int start = order > 1 ? len - (len < order - 1 ? len : order - 1) : len;
            if (i + KN_AHEAD < n && ng.len[i + KN_AHEAD] == len)
                tupleset_prefetch(&cx, ng.tok + (i + KN_AHEAD) * order + start, len - start);
            Py_ssize_t h = pfx[i];
            double lower = len > 1 ? (sfx[i] >= 0 ? prob[sfx[i]] : 0.0) : 1.0 / vocab;
            if (len > 1 && lower == 0.0) lower = 1.0 / vocab;
            double tot = total[h];
            if (tot == 0.0) { /* ZeroDivisionError in Python */
                fallback = 1;
                goto done;
            }
            double gamma = d * (double)types[h] / tot;
            double x = kn[i] - d;
            if (0.0 > x) x = 0.0;
            double p = x / tot + gamma * lower;
            if (!(p > 0.0) || !isfinite(p)) {
                fallback = 1;
                goto done;
            }
            prob[i] = p;
            Py_ssize_t nx;
            while ((nx = tupleset_find(&cx, t + start, len - start, 0, NULL)) < 0) start++;
            arcs[na].key = (int64_t)state[h] * mult + t[len - 1];
            arcs[na].at = na;
            arcs[na].lp = (float)log(p);
            arcs[na].next = (int32_t)state[nx];
            na++;
        }
    }
    /* by key (a count table sorted by length, then ids, as files have it, gives them in order) */
    Py_ssize_t unsorted = 0;
    while (unsorted + 1 < na && arcs[unsorted].key < arcs[unsorted + 1].key) unsorted++;
    if (unsorted + 1 < na) qsort(arcs, (size_t)na, sizeof(KnArc), cmp_knarc);
    /* the backoff arc and weight of every state */
    backoff = malloc(sizeof(int32_t) * (size_t)ns);
    bow = malloc(sizeof(float) * (size_t)ns);
    if (!backoff || !bow) goto nomem;
    for (Py_ssize_t s = 0; s < ns; s++) {
        Py_ssize_t h = ranked[s];
        int len = cx.len[h];
        if (s + KN_AHEAD < ns && cx.len[ranked[s + KN_AHEAD]])
            tupleset_prefetch(&cx, cx.tok + ranked[s + KN_AHEAD] * order + 1, cx.len[ranked[s + KN_AHEAD]] - 1);
        if (!len) {
            backoff[s] = -1;
            bow[s] = 0.0f;
            continue;
        }
        Py_ssize_t lower = tupleset_find(&cx, cx.tok + h * order + 1, len - 1, 0, NULL);
        backoff[s] = lower >= 0 ? (int32_t)state[lower] : root;
        double gamma = 0.0;
        if (types[h]) {
            if (total[h] == 0.0) {
                fallback = 1;
                goto done;
            }
            gamma = discounts[len + 1] * (double)types[h] / total[h];
        }
        if (gamma != 0.0 && (!(gamma > 0.0) || !isfinite(gamma))) {
            fallback = 1;
            goto done;
        }
        bow[s] = gamma != 0.0 ? (float)log(gamma) : 0.0f;
    }
    int32_t boundary = 0;
    Py_ssize_t start_cx = tupleset_find(&cx, &boundary, 1, 0, NULL);
    int64_t scalars[2] = {start_cx >= 0 ? (int64_t)state[start_cx] : root, root};
    PyObject *keys_b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(8 * na));
    PyObject *lp_b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(4 * na));
    PyObject *next_b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(4 * na));
    PyObject *backoff_b = PyBytes_FromStringAndSize((const char *)backoff, (Py_ssize_t)(4 * ns));
    PyObject *bow_b = PyBytes_FromStringAndSize((const char *)bow, (Py_ssize_t)(4 * ns));
    PyObject *scalars_b = PyBytes_FromStringAndSize((const char *)scalars, 16);
    if (keys_b && lp_b && next_b && backoff_b && bow_b && scalars_b) {
        int64_t *k = (int64_t *)PyBytes_AS_STRING(keys_b);
        float *l = (float *)PyBytes_AS_STRING(lp_b);
        int32_t *x = (int32_t *)PyBytes_AS_STRING(next_b);
        for (Py_ssize_t i = 0; i < na; i++) {
            k[i] = arcs[i].key;
            l[i] = arcs[i].lp;
            x[i] = arcs[i].next;
        }
        result = PyTuple_Pack(6, keys_b, lp_b, next_b, backoff_b, bow_b, scalars_b);
    }
    Py_XDECREF(keys_b);
    Py_XDECREF(lp_b);
    Py_XDECREF(next_b);
    Py_XDECREF(backoff_b);
    Py_XDECREF(bow_b);
    Py_XDECREF(scalars_b);
    goto done;
nomem:
    PyErr_NoMemory();
done:
    tupleset_free(&ng);
    tupleset_free(&cx);
    free(kn);
    free(prob);
    free(cont);
    free(pfx);
    free(sfx);
    free(total);
    free(types);
    free(row);
    free(refs);
    free(ranked);
    free(state);
    free(arcs);
    free(backoff);
    free(bow);
    PyBuffer_Release(&bg);
    PyBuffer_Release(&bv);
    if (fallback && !result && !PyErr_Occurred()) Py_RETURN_NONE;
    return result;
}

/* ------------------------------------------------------------------------------------------ */
/* The adaptation's alignment EM (translit/learned/learn.py: _shard_grid, em_shard)            */
/* ------------------------------------------------------------------------------------------ */

/* a hash map of 64-bit keys to graphone indexes (open addressing, linear probing) */
typedef struct {
    uint64_t *keys;
    int32_t *vals; /* -1: empty slot */
    Py_ssize_t cap, used;
} GidMap;

static uint64_t gid_hash(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

static int gidmap_init(GidMap *m, Py_ssize_t cap) {
    m->cap = cap;
    m->used = 0;
    m->keys = malloc(sizeof(uint64_t) * (size_t)cap);
    m->vals = malloc(sizeof(int32_t) * (size_t)cap);
    if (!m->keys || !m->vals) return -1;
    for (Py_ssize_t i = 0; i < cap; i++) m->vals[i] = -1;
    return 0;
}

static void gidmap_free(GidMap *m) {
    free(m->keys);
    free(m->vals);
    m->keys = NULL;
    m->vals = NULL;
}

/* the index of key, inserting `fresh` when absent (*added set); -2 when out of memory */
static int32_t gidmap_get(GidMap *m, uint64_t key, int32_t fresh, int *added) {
    if (2 * (m->used + 1) > m->cap) {
        GidMap bigger;
        if (gidmap_init(&bigger, m->cap * 2)) {
            gidmap_free(&bigger);
            return -2;
        }
        for (Py_ssize_t i = 0; i < m->cap; i++) {
            if (m->vals[i] < 0) continue;
            Py_ssize_t s = (Py_ssize_t)(gid_hash(m->keys[i]) & (uint64_t)(bigger.cap - 1));
            while (bigger.vals[s] >= 0) s = (s + 1) & (bigger.cap - 1);
            bigger.keys[s] = m->keys[i];
            bigger.vals[s] = m->vals[i];
        }
        bigger.used = m->used;
        gidmap_free(m);
        *m = bigger;
    }
    Py_ssize_t s = (Py_ssize_t)(gid_hash(key) & (uint64_t)(m->cap - 1));
    while (m->vals[s] >= 0) {
        if (m->keys[s] == key) {
            *added = 0;
            return m->vals[s];
        }
        s = (s + 1) & (m->cap - 1);
    }
    m->keys[s] = key;
    m->vals[s] = fresh;
    m->used++;
    *added = 1;
    return fresh;
}

typedef struct {
    char *buf;
    Py_ssize_t len, cap;
} ByteBuf;

static int bb_put(ByteBuf *b, const void *data, Py_ssize_t n) {
    if (b->len + n > b->cap) {
        Py_ssize_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) cap *= 2;
        char *grown = realloc(b->buf, (size_t)cap);
        if (!grown) return -1;
        b->buf = grown;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, data, (size_t)n);
    b->len += n;
    return 0;
}

static PyObject *bb_bytes(ByteBuf *b) {
    return PyBytes_FromStringAndSize(b->buf ? b->buf : "", b->len);
}

static int em_buffer(PyObject *obj, Py_buffer *b, const char *format, Py_ssize_t itemsize) {
    if (PyObject_GetBuffer(obj, b, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS)) return -1;
    if (b->itemsize != itemsize || !b->format || strcmp(b->format, format) != 0) {
        PyBuffer_Release(b);
        PyErr_Format(PyExc_TypeError, "the EM kernels need arrays of typecode %s", format);
        return -1;
    }
    return 0;
}

/* em_grid(ns, ms, deva_ids, roman_ids, weights, max_deva, max_roman) -> bytes of (cells "i", offsets "q",
   flat "i", graphones "i", counts "d"): learn._shard_grid with the chunks numbered by the caller, and the
   init step's counts (per graphone the weights of its edges, summed in edge order). Pair k has ns[k] units and
   ms[k] letters; deva_ids holds ns[k] * max_deva chunk numbers of it (unit i, di units: i * max_deva + di - 1)
   and roman_ids ms[k] * max_roman (letter j, dj letters). The edges of each pair's grid are those of
   learn._template, in its order; graphones are numbered in first-seen order and returned as (deva chunk,
   roman chunk) number pairs. */
static PyObject *fastlm_em_grid(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *ns_obj, *ms_obj, *dv_obj, *rv_obj, *w_obj;
    int max_deva, max_roman;
    if (!PyArg_ParseTuple(args, "OOOOOii", &ns_obj, &ms_obj, &dv_obj, &rv_obj, &w_obj, &max_deva, &max_roman))
        return NULL;
    if (max_deva < 1 || max_roman < 1) {
        PyErr_SetString(PyExc_ValueError, "max_deva and max_roman must be >= 1");
        return NULL;
    }
    Py_buffer bn, bm, bd, br;
    if (em_buffer(ns_obj, &bn, "i", 4)) return NULL;
    if (em_buffer(ms_obj, &bm, "i", 4)) {
        PyBuffer_Release(&bn);
        return NULL;
    }
    if (em_buffer(dv_obj, &bd, "i", 4)) {
        PyBuffer_Release(&bn);
        PyBuffer_Release(&bm);
        return NULL;
    }
    if (em_buffer(rv_obj, &br, "i", 4)) {
        PyBuffer_Release(&bn);
        PyBuffer_Release(&bm);
        PyBuffer_Release(&bd);
        return NULL;
    }
    Py_buffer bw;
    if (em_buffer(w_obj, &bw, "d", 8)) {
        PyBuffer_Release(&bn);
        PyBuffer_Release(&bm);
        PyBuffer_Release(&bd);
        PyBuffer_Release(&br);
        return NULL;
    }
    const double *weights = bw.buf;
    PyObject *result = NULL;
    ByteBuf cells = {0}, offsets = {0}, flat = {0}, graphones = {0}, tmp = {0}, counts = {0};
    GidMap map = {0};
    const int32_t *ns = bn.buf, *ms = bm.buf, *dv = bd.buf, *rv = br.buf;
    Py_ssize_t npairs = bn.len / 4, nd = bd.len / 4, nr = br.len / 4;
    Py_ssize_t dpos = 0, rpos = 0;
    int64_t edges = 0;
    int32_t ngraphones = 0;
    if (bm.len / 4 != npairs || bw.len / 8 != npairs) {
        PyErr_SetString(PyExc_ValueError, "em_grid: ns, ms and weights differ in length");
        goto done;
    }
    if (gidmap_init(&map, 1024)) goto nomem;
    if (bb_put(&offsets, &edges, 8)) goto nomem;
    for (Py_ssize_t k = 0; k < npairs; k++) {
        int n = ns[k], m = ms[k];
        if (n < 0 || m < 0 || dpos + (Py_ssize_t)n * max_deva > nd || rpos + (Py_ssize_t)m * max_roman > nr) {
            PyErr_SetString(PyExc_ValueError, "em_grid: chunk numbers do not match the lengths");
            goto done;
        }
        const int32_t *dk = dv + dpos, *rk = rv + rpos;
        dpos += (Py_ssize_t)n * max_deva;
        rpos += (Py_ssize_t)m * max_roman;
        int32_t size = 0;
        tmp.len = 0;
        if (n && m) {
            int32_t width = m + 1;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < m; j++) {
                    if (j < i / max_deva || (int64_t)j > (int64_t)i * max_roman) continue;
                    for (int di = 1; di <= max_deva && di <= n - i; di++)
                        for (int dj = 1; dj <= max_roman && dj <= m - j; dj++) {
                            int rest_n = n - i - di, rest_m = m - j - dj;
                            if (rest_m < rest_n / max_deva + (rest_n % max_deva > 0) ||
                                (int64_t)rest_m > (int64_t)rest_n * max_roman)
                                continue;
                            int32_t e[4] = {i * width + j, i * width + j + di * width + dj,
                                            i * max_deva + di - 1, j * max_roman + dj - 1};
                            if (bb_put(&tmp, e, sizeof e)) goto nomem;
                        }
                }
            const int32_t *t = (const int32_t *)tmp.buf;
            Py_ssize_t count = tmp.len / (Py_ssize_t)sizeof(int32_t[4]);
            if (count && t[0] == 0) {
                size = (n + 1) * width;
                for (Py_ssize_t e = 0; e < count; e++) {
                    int32_t d = dk[t[4 * e + 2]], r = rk[t[4 * e + 3]];
                    uint64_t key = ((uint64_t)(uint32_t)d << 32) | (uint32_t)r;
                    int added = 0;
                    int32_t g = gidmap_get(&map, key, ngraphones, &added);
                    if (g == -2) goto nomem;
                    if (added) {
                        int32_t pair[2] = {d, r};
                        double zero = 0.0;
                        if (bb_put(&graphones, pair, sizeof pair) || bb_put(&counts, &zero, sizeof zero)) goto nomem;
                        ngraphones++;
                    }
                    ((double *)counts.buf)[g] += weights[k];
                    int32_t row[3] = {t[4 * e], t[4 * e + 1], g};
                    if (bb_put(&flat, row, sizeof row)) goto nomem;
                }
                edges += count;
            }
        }
        if (bb_put(&cells, &size, 4) || bb_put(&offsets, &edges, 8)) goto nomem;
    }
    {
        PyObject *c = bb_bytes(&cells), *o = bb_bytes(&offsets), *f = bb_bytes(&flat), *g = bb_bytes(&graphones);
        PyObject *w = bb_bytes(&counts);
        if (c && o && f && g && w) result = PyTuple_Pack(5, c, o, f, g, w);
        Py_XDECREF(w);
        Py_XDECREF(c);
        Py_XDECREF(o);
        Py_XDECREF(f);
        Py_XDECREF(g);
    }
    goto done;
nomem:
    PyErr_NoMemory();
done:
    free(cells.buf);
    free(offsets.buf);
    free(flat.buf);
    free(graphones.buf);
    free(tmp.buf);
    free(counts.buf);
    gidmap_free(&map);
    PyBuffer_Release(&bw);
    PyBuffer_Release(&bn);
    PyBuffer_Release(&bm);
    PyBuffer_Release(&bd);
    PyBuffer_Release(&br);
    return result;
}

/* checks of a shard grid shared by em_estep and em_viterbi: the edges of every pair in range */
static int em_check_grid(const int32_t *cells, const int64_t *offsets, Py_ssize_t npairs, const int32_t *flat,
                         Py_ssize_t nflat, Py_ssize_t nprob) {
    if (offsets[0] != 0) return -1;
    for (Py_ssize_t k = 0; k < npairs; k++) {
        int64_t a = offsets[k], b = offsets[k + 1];
        if (b < a || 3 * b > nflat || cells[k] < 0) return -1;
        if (!cells[k]) continue;
        for (int64_t e = a; e < b; e++) {
            int32_t s = flat[3 * e], d = flat[3 * e + 1], g = flat[3 * e + 2];
            if (s < 0 || s >= cells[k] || d < 0 || d >= cells[k] || g < 0 || g >= nprob) return -1;
        }
    }
    return 0;
}

/* em_estep(cells, offsets, flat, weights, prob) -> (bytes of counts "d", log-likelihood): the estep of
   learn.em_shard (forward-backward over every grid), the same sums in the same order. */
static PyObject *fastlm_em_estep(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *objs[5];
    if (!PyArg_ParseTuple(args, "OOOOO", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4])) return NULL;
    static const char *formats[5] = {"i", "q", "i", "d", "d"};
    static const Py_ssize_t sizes[5] = {4, 8, 4, 8, 8};
    Py_buffer b[5];
    int got = 0;
    PyObject *result = NULL;
    double *alpha = NULL, *beta = NULL, *counts = NULL;
    for (; got < 5; got++)
        if (em_buffer(objs[got], &b[got], formats[got], sizes[got])) goto done;
    const int32_t *cells = b[0].buf, *flat = b[2].buf;
    const int64_t *offsets = b[1].buf;
    const double *weights = b[3].buf, *p = b[4].buf;
    Py_ssize_t npairs = b[0].len / 4, nprob = b[4].len / 8;
    if (b[1].len / 8 != npairs + 1 || b[3].len / 8 != npairs ||
        em_check_grid(cells, offsets, npairs, flat, b[2].len / 4, nprob)) {
        PyErr_SetString(PyExc_ValueError, "em_estep: malformed shard grid");
        goto done;
    }
    int32_t most = 1;
    for (Py_ssize_t k = 0; k < npairs; k++)
        if (cells[k] > most) most = cells[k];
    alpha = malloc(sizeof(double) * (size_t)most);
    beta = malloc(sizeof(double) * (size_t)most);
    counts = calloc(nprob ? (size_t)nprob : 1, sizeof(double));
    if (!alpha || !beta || !counts) {
        PyErr_NoMemory();
        goto done;
    }
    double loglik = 0.0;
    for (Py_ssize_t k = 0; k < npairs; k++) {
        int32_t size = cells[k];
        if (!size) continue;
        const int32_t *e0 = flat + 3 * offsets[k], *e1 = flat + 3 * offsets[k + 1];
        memset(alpha, 0, sizeof(double) * (size_t)size);
        alpha[0] = 1.0;
        for (const int32_t *e = e0; e < e1; e += 3) {
            double a = alpha[e[0]];
            if (a != 0.0) alpha[e[1]] += a * p[e[2]];
        }
        double z = alpha[size - 1];
        if (!(z > 0.0)) continue;
        double weight = weights[k];
        loglik += weight * log(z);
        double wz = weight / z;
        memset(beta, 0, sizeof(double) * (size_t)size);
        beta[size - 1] = 1.0;
        for (const int32_t *e = e1 - 3; e >= e0; e -= 3) {
            double nb = beta[e[1]];
            if (nb != 0.0) {
                double q = p[e[2]] * nb;
                beta[e[0]] += q;
                double a = alpha[e[0]];
                if (a != 0.0) counts[e[2]] += wz * a * q;
            }
        }
    }
    {
        PyObject *c = PyBytes_FromStringAndSize((const char *)counts, (Py_ssize_t)sizeof(double) * nprob);
        if (c) {
            result = Py_BuildValue("(Nd)", c, loglik);
        }
    }
done:
    free(alpha);
    free(beta);
    free(counts);
    for (int i = 0; i < got; i++) PyBuffer_Release(&b[i]);
    return result;
}

/* em_viterbi(cells, lengths, offsets, flat, prob) -> per pair (score, graphone indexes) or None: the
   viterbi step of learn.em_shard, the same comparisons in the same order. */
static PyObject *fastlm_em_viterbi(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *objs[5];
    if (!PyArg_ParseTuple(args, "OOOOO", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4])) return NULL;
    static const char *formats[5] = {"i", "i", "q", "i", "d"};
    static const Py_ssize_t sizes[5] = {4, 4, 8, 4, 8};
    Py_buffer b[5];
    int got = 0;
    PyObject *result = NULL, *list = NULL;
    double *best = NULL, *logp = NULL;
    int32_t *back_src = NULL, *back_g = NULL, *path = NULL;
    for (; got < 5; got++)
        if (em_buffer(objs[got], &b[got], formats[got], sizes[got])) goto done;
    const int32_t *cells = b[0].buf, *lengths = b[1].buf, *flat = b[3].buf;
    const int64_t *offsets = b[2].buf;
    const double *p = b[4].buf;
    Py_ssize_t npairs = b[0].len / 4, nprob = b[4].len / 8;
    if (b[1].len / 4 != npairs || b[2].len / 8 != npairs + 1 ||
        em_check_grid(cells, offsets, npairs, flat, b[3].len / 4, nprob)) {
        PyErr_SetString(PyExc_ValueError, "em_viterbi: malformed shard grid");
        goto done;
    }
    int32_t most = 1;
    for (Py_ssize_t k = 0; k < npairs; k++)
        if (cells[k] > most) most = cells[k];
    best = malloc(sizeof(double) * (size_t)most);
    back_src = malloc(sizeof(int32_t) * (size_t)most);
    back_g = malloc(sizeof(int32_t) * (size_t)most);
    path = malloc(sizeof(int32_t) * (size_t)most);
    logp = malloc(sizeof(double) * (nprob ? (size_t)nprob : 1));
    list = PyList_New(npairs);
    if (!best || !back_src || !back_g || !path || !logp || !list) {
        if (!PyErr_Occurred()) PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t g = 0; g < nprob; g++) logp[g] = p[g] > 0.0 ? log(p[g]) : NAN; /* NaN: no edge */
    for (Py_ssize_t k = 0; k < npairs; k++) {
        int32_t size = cells[k];
        PyObject *item = NULL;
        if (size) {
            for (int32_t c = 0; c < size; c++) {
                best[c] = -INFINITY;
                back_src[c] = -1;
            }
            best[0] = 0.0;
            for (const int32_t *e = flat + 3 * offsets[k], *e1 = flat + 3 * offsets[k + 1]; e < e1; e += 3) {
                double s = best[e[0]];
                if (s == -INFINITY) continue;
                double lp = logp[e[2]];
                if (isnan(lp)) continue;
                double ns = s + lp;
                if (ns > best[e[1]]) {
                    best[e[1]] = ns;
                    back_src[e[1]] = e[0];
                    back_g[e[1]] = e[2];
                }
            }
            if (best[size - 1] != -INFINITY) {
                Py_ssize_t len = 0;
                int32_t cell = size - 1;
                while (cell && back_src[cell] >= 0) {
                    path[len++] = back_g[cell];
                    cell = back_src[cell];
                }
                PyObject *tup = PyTuple_New(len);
                if (!tup) goto done;
                for (Py_ssize_t i = 0; i < len; i++) {
                    PyObject *g = PyLong_FromLong(path[len - 1 - i]);
                    if (!g) {
                        Py_DECREF(tup);
                        goto done;
                    }
                    PyTuple_SET_ITEM(tup, i, g);
                }
                item = Py_BuildValue("(dN)", best[size - 1] / (double)lengths[k], tup);
                if (!item) goto done;
            }
        }
        if (!item) {
            Py_INCREF(Py_None);
            item = Py_None;
        }
        PyList_SET_ITEM(list, k, item);
    }
    result = list;
    list = NULL;
done:
    Py_XDECREF(list);
    free(best);
    free(back_src);
    free(back_g);
    free(path);
    free(logp);
    for (int i = 0; i < got; i++) PyBuffer_Release(&b[i]);
    return result;
}

/* count_ngrams(sequences, order, boundary) -> dict: NgramLM.count_ngrams. sequences is a list of (seq, weight)
   pairs; each seq, padded with `boundary` at both ends, gives its n-grams (orders 1..order) ending at every
   position but the first, as tuples; a key's weights are added in the order Python adds them (the
   sequences in order, positions ascending, orders ascending), starting from 0.0, with Python's addition. */
static PyObject *fastlm_count_ngrams(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *sequences, *boundary;
    int order;
    if (!PyArg_ParseTuple(args, "O!iO", &PyList_Type, &sequences, &order, &boundary)) return NULL;
    if (order < 1) {
        PyErr_SetString(PyExc_ValueError, "count_ngrams: order must be >= 1");
        return NULL;
    }
    PyObject *counts = PyDict_New(), *zero = PyFloat_FromDouble(0.0);
    if (!counts || !zero) goto fail;
    for (Py_ssize_t q = 0; q < PyList_GET_SIZE(sequences); q++) {
        PyObject *item = PyList_GET_ITEM(sequences, q);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
            PyErr_SetString(PyExc_TypeError, "count_ngrams: sequences must be (seq, weight) pairs");
            goto fail;
        }
        PyObject *weight = PyTuple_GET_ITEM(item, 1);
        PyObject *seq = PySequence_Fast(PyTuple_GET_ITEM(item, 0), "count_ngrams: a seq must be a sequence");
        if (!seq) goto fail;
        Py_ssize_t len = PySequence_Fast_GET_SIZE(seq) + 2;
        PyObject *padded = PyTuple_New(len);
        if (!padded) {
            Py_DECREF(seq);
            goto fail;
        }
        Py_INCREF(boundary);
        PyTuple_SET_ITEM(padded, 0, boundary);
        for (Py_ssize_t i = 0; i + 2 < len; i++) {
            PyObject *x = PySequence_Fast_GET_ITEM(seq, i);
            Py_INCREF(x);
            PyTuple_SET_ITEM(padded, i + 1, x);
        }
        Py_INCREF(boundary);
        PyTuple_SET_ITEM(padded, len - 1, boundary);
        Py_DECREF(seq);
        for (Py_ssize_t k = 1; k < len; k++)
            for (int n = 1; n <= order && k - n + 1 >= 0; n++) {
                PyObject *key = PyTuple_GetSlice(padded, k - n + 1, k + 1);
                if (!key) {
                    Py_DECREF(padded);
                    goto fail;
                }
                PyObject *old = PyDict_GetItemWithError(counts, key);
                if (!old && PyErr_Occurred()) {
                    Py_DECREF(key);
                    Py_DECREF(padded);
                    goto fail;
                }
                PyObject *sum = PyNumber_Add(old ? old : zero, weight);
                int failed = !sum || PyDict_SetItem(counts, key, sum) < 0;
                Py_XDECREF(sum);
                Py_DECREF(key);
                if (failed) {
                    Py_DECREF(padded);
                    goto fail;
                }
            }
        Py_DECREF(padded);
    }
    Py_DECREF(zero);
    return counts;
fail:
    Py_XDECREF(zero);
    Py_XDECREF(counts);
    return NULL;
}

/* the number of `key` in `numbers` (a dict str -> int), a new one (its size so far) the first time; -1 on error */
static long em_number_of(PyObject *numbers, PyObject *key) {
    PyObject *found = PyDict_GetItemWithError(numbers, key);
    if (found) return PyLong_AsLong(found);
    if (PyErr_Occurred()) return -1;
    Py_ssize_t size = PyDict_GET_SIZE(numbers);
    PyObject *number = PyLong_FromSsize_t(size);
    if (!number) return -1;
    int failed = PyDict_SetItem(numbers, key, number);
    Py_DECREF(number);
    return failed ? -1 : (long)size;
}

/* em_number(pairs, max_deva, max_roman) -> (deva_chunks, roman_chunks, bytes of ns "i", ms "i", deva_ids "i",
   roman_ids "i", lengths "i", weights "d"): adapt_em._number_chunks. pairs is a list of (units: tuple of str,
   roman: str, weight); the chunks (units[i:i + di] joined, roman[j:j + dj]) are numbered in first-seen order
   in the two dicts. */
static PyObject *fastlm_em_number(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *pairs;
    int max_deva, max_roman;
    if (!PyArg_ParseTuple(args, "O!ii", &PyList_Type, &pairs, &max_deva, &max_roman)) return NULL;
    if (max_deva < 1 || max_roman < 1) {
        PyErr_SetString(PyExc_ValueError, "max_deva and max_roman must be >= 1");
        return NULL;
    }
    PyObject *result = NULL, *empty = PyUnicode_FromStringAndSize("", 0);
    PyObject *deva_chunks = PyDict_New(), *roman_chunks = PyDict_New();
    ByteBuf ns = {0}, ms = {0}, dids = {0}, rids = {0}, lengths = {0}, weights = {0};
    if (!empty || !deva_chunks || !roman_chunks) goto done;
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(pairs); k++) {
        PyObject *pair = PyList_GET_ITEM(pairs, k);
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 3 || !PyTuple_Check(PyTuple_GET_ITEM(pair, 0)) ||
            !PyUnicode_Check(PyTuple_GET_ITEM(pair, 1))) {
            PyErr_SetString(PyExc_TypeError, "em_number: pairs must be (tuple of str, str, weight) tuples");
            goto done;
        }
        PyObject *units = PyTuple_GET_ITEM(pair, 0), *roman = PyTuple_GET_ITEM(pair, 1);
        double weight = PyFloat_AsDouble(PyTuple_GET_ITEM(pair, 2));
        if (weight == -1.0 && PyErr_Occurred()) goto done;
        Py_ssize_t n = PyTuple_GET_SIZE(units), m = PyUnicode_GET_LENGTH(roman);
        int32_t length = (int32_t)(n + m), zero = 0, ni = (int32_t)n, mi = (int32_t)m;
        if (n + m > INT32_MAX) {
            PyErr_SetString(PyExc_ValueError, "em_number: a pair is too long");
            goto done;
        }
        if (bb_put(&lengths, &length, 4) || bb_put(&weights, &weight, 8)) goto nomem;
        if (!(n && m)) {
            if (bb_put(&ns, &zero, 4) || bb_put(&ms, &zero, 4)) goto nomem;
            continue;
        }
        if (bb_put(&ns, &ni, 4) || bb_put(&ms, &mi, 4)) goto nomem;
        for (Py_ssize_t i = 0; i < n; i++)
            for (int di = 1; di <= max_deva; di++) {
                Py_ssize_t end = i + di < n ? i + di : n;
                PyObject *key;
                if (end - i == 1) {
                    key = PyTuple_GET_ITEM(units, i);
                    if (!PyUnicode_Check(key)) {
                        PyErr_SetString(PyExc_TypeError, "em_number: units must be str");
                        goto done;
                    }
                    Py_INCREF(key);
                } else {
                    PyObject *part = PyTuple_GetSlice(units, i, end);
                    if (!part) goto done;
                    key = PyUnicode_Join(empty, part);
                    Py_DECREF(part);
                    if (!key) goto done;
                }
                long number = em_number_of(deva_chunks, key);
                Py_DECREF(key);
                if (number < 0) goto done;
                int32_t id = (int32_t)number;
                if (bb_put(&dids, &id, 4)) goto nomem;
            }
        for (Py_ssize_t j = 0; j < m; j++)
            for (int dj = 1; dj <= max_roman; dj++) {
                PyObject *key = PyUnicode_Substring(roman, j, j + dj < m ? j + dj : m);
                if (!key) goto done;
                long number = em_number_of(roman_chunks, key);
                Py_DECREF(key);
                if (number < 0) goto done;
                int32_t id = (int32_t)number;
                if (bb_put(&rids, &id, 4)) goto nomem;
            }
    }
    {
        PyObject *a = bb_bytes(&ns), *b = bb_bytes(&ms), *c = bb_bytes(&dids), *d = bb_bytes(&rids);
        PyObject *e = bb_bytes(&lengths), *f = bb_bytes(&weights);
        if (a && b && c && d && e && f) result = PyTuple_Pack(8, deva_chunks, roman_chunks, a, b, c, d, e, f);
        Py_XDECREF(a);
        Py_XDECREF(b);
        Py_XDECREF(c);
        Py_XDECREF(d);
        Py_XDECREF(e);
        Py_XDECREF(f);
    }
    goto done;
nomem:
    PyErr_NoMemory();
done:
    Py_XDECREF(empty);
    Py_XDECREF(deva_chunks);
    Py_XDECREF(roman_chunks);
    free(ns.buf);
    free(ms.buf);
    free(dids.buf);
    free(rids.buf);
    free(lengths.buf);
    free(weights.buf);
    return result;
}

/* the length of a count-table row of `order` ids padded with -1 at its end */
static int rows_length(const int32_t *row, int order) {
    int n = order;
    while (n > 0 && row[n - 1] == -1) n--;
    return n;
}

/* rows_merge(base_flat, base_values, order, added_flat, added_values) -> bytes of (drops "q", at "q",
   rows0 "i", rows1 "d"): adapting._count_rows_patch by a merge of the two sorted tables. Both tables are
   rows of `order` ids padded with -1, sorted by length, then ids (ids >= 0); the added rows are distinct.
   An added row found in the base gets the base value plus its own: unchanged, it is skipped, else the base
   row is dropped (in runs) and the sum inserted; a new row is inserted with 0.0 + its value. `at` holds
   each inserted row's place in the patched table. */
static PyObject *fastlm_rows_merge(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *bf_obj, *bv_obj, *af_obj, *av_obj;
    int order;
    if (!PyArg_ParseTuple(args, "OOiOO", &bf_obj, &bv_obj, &order, &af_obj, &av_obj)) return NULL;
    if (order < 1) {
        PyErr_SetString(PyExc_ValueError, "rows_merge: order must be >= 1");
        return NULL;
    }
    Py_buffer bf, bv, af, av;
    if (em_buffer(bf_obj, &bf, "i", 4)) return NULL;
    if (em_buffer(bv_obj, &bv, "d", 8)) {
        PyBuffer_Release(&bf);
        return NULL;
    }
    if (em_buffer(af_obj, &af, "i", 4)) {
        PyBuffer_Release(&bf);
        PyBuffer_Release(&bv);
        return NULL;
    }
    if (em_buffer(av_obj, &av, "d", 8)) {
        PyBuffer_Release(&bf);
        PyBuffer_Release(&bv);
        PyBuffer_Release(&af);
        return NULL;
    }
    PyObject *result = NULL;
    ByteBuf drops = {0}, at = {0}, rows0 = {0}, rows1 = {0};
    const int32_t *base = bf.buf, *added = af.buf;
    const double *base_values = bv.buf, *added_values = av.buf;
    Py_ssize_t n_base = bv.len / 8, n_added = av.len / 8;
    if (bf.len / 4 != n_base * order || af.len / 4 != n_added * order) {
        PyErr_SetString(PyExc_ValueError, "rows_merge: the rows and their values differ in number");
        goto done;
    }
    {
        Py_ssize_t j = 0, dropped = 0, inserted = 0;
        int64_t last_drop_end = -1;
        for (Py_ssize_t k = 0; k < n_added; k++) {
            const int32_t *row = added + k * order;
            int length = rows_length(row, order);
            int cmp = 1;
            /* the first base row not before this one */
            while (j < n_base) {
                const int32_t *b = base + j * order;
                int blen = rows_length(b, order);
                cmp = blen < length ? -1 : blen > length ? 1 : 0;
                for (int t = 0; cmp == 0 && t < order; t++) cmp = b[t] < row[t] ? -1 : b[t] > row[t] ? 1 : 0;
                if (cmp >= 0) break;
                j++;
            }
            double value = added_values[k];
            int64_t place = (int64_t)(j - dropped + inserted);
            if (j < n_base && cmp == 0) {
                double old = base_values[j];
                value = old + value;
                if (value == old) continue; /* unchanged: kept */
                if (last_drop_end == (int64_t)j) {
                    ((int64_t *)drops.buf)[drops.len / 8 - 1] = (int64_t)j + 1;
                } else {
                    int64_t run[2] = {(int64_t)j, (int64_t)j + 1};
                    if (bb_put(&drops, run, sizeof run)) goto nomem;
                }
                last_drop_end = (int64_t)j + 1;
                dropped++;
            } else {
                value = 0.0 + value;
            }
            if (bb_put(&at, &place, 8) || bb_put(&rows0, row, (Py_ssize_t)order * 4) || bb_put(&rows1, &value, 8))
                goto nomem;
            inserted++;
        }
    }
    {
        PyObject *d = bb_bytes(&drops), *a = bb_bytes(&at), *r0 = bb_bytes(&rows0), *r1 = bb_bytes(&rows1);
        if (d && a && r0 && r1) result = PyTuple_Pack(4, d, a, r0, r1);
        Py_XDECREF(d);
        Py_XDECREF(a);
        Py_XDECREF(r0);
        Py_XDECREF(r1);
    }
    goto done;
nomem:
    PyErr_NoMemory();
done:
    free(drops.buf);
    free(at.buf);
    free(rows0.buf);
    free(rows1.buf);
    PyBuffer_Release(&bf);
    PyBuffer_Release(&bv);
    PyBuffer_Release(&af);
    PyBuffer_Release(&av);
    return result;
}


/* ----------------------------------------------------------------------------------------- crc32 */

static uint32_t crc_table[256];

static void crc_table_init(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
}

/* the CRC register (inverted, as zlib keeps it) after the bytes p[0:n], a byte at a time */
static uint32_t crc_bytes(uint32_t crc, const unsigned char *p, size_t n) {
    while (n--) crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return crc;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CRC_CLMUL 1
#include <immintrin.h>

/* the CRC register (inverted) after p[0:n], n >= 64 and a multiple of 16: four 128-bit lanes folded
   64 bytes at a time, folded into one, then 16 bytes at a time, reduced to 64 and (Barrett) to 32
   bits. The constants are those of the bit-reflected CRC-32 polynomial (x^(4*128+32) mod P etc.). */
__attribute__((target("pclmul,sse4.1"))) static uint32_t crc_clmul(uint32_t crc, const unsigned char *p, size_t n) {
    static const uint64_t __attribute__((aligned(16))) k1k2[] = {0x0154442bd4, 0x01c6e41596};
    static const uint64_t __attribute__((aligned(16))) k3k4[] = {0x01751997d0, 0x00ccaa009e};
    static const uint64_t __attribute__((aligned(16))) k5k0[] = {0x0163cd6124, 0x0000000000};
    static const uint64_t __attribute__((aligned(16))) poly[] = {0x01db710641, 0x01f7011641};
    __m128i x0, x1, x2, x3, x4, x5, x6, x7, x8, y5, y6, y7, y8;
    x1 = _mm_loadu_si128((const __m128i *)(p + 0x00));
    x2 = _mm_loadu_si128((const __m128i *)(p + 0x10));
    x3 = _mm_loadu_si128((const __m128i *)(p + 0x20));
    x4 = _mm_loadu_si128((const __m128i *)(p + 0x30));
    x1 = _mm_xor_si128(x1, _mm_cvtsi32_si128((int)crc));
    x0 = _mm_load_si128((const __m128i *)k1k2);
    p += 64;
    n -= 64;
    while (n >= 64) {
        x5 = _mm_clmulepi64_si128(x1, x0, 0x00);
        x6 = _mm_clmulepi64_si128(x2, x0, 0x00);
        x7 = _mm_clmulepi64_si128(x3, x0, 0x00);
        x8 = _mm_clmulepi64_si128(x4, x0, 0x00);
        x1 = _mm_clmulepi64_si128(x1, x0, 0x11);
        x2 = _mm_clmulepi64_si128(x2, x0, 0x11);
        x3 = _mm_clmulepi64_si128(x3, x0, 0x11);
        x4 = _mm_clmulepi64_si128(x4, x0, 0x11);
        y5 = _mm_loadu_si128((const __m128i *)(p + 0x00));
        y6 = _mm_loadu_si128((const __m128i *)(p + 0x10));
        y7 = _mm_loadu_si128((const __m128i *)(p + 0x20));
        y8 = _mm_loadu_si128((const __m128i *)(p + 0x30));
        x1 = _mm_xor_si128(_mm_xor_si128(x1, x5), y5);
        x2 = _mm_xor_si128(_mm_xor_si128(x2, x6), y6);
        x3 = _mm_xor_si128(_mm_xor_si128(x3, x7), y7);
        x4 = _mm_xor_si128(_mm_xor_si128(x4, x8), y8);
        p += 64;
        n -= 64;
    }
    /* four lanes into one */
    x0 = _mm_load_si128((const __m128i *)k3k4);
    x5 = _mm_clmulepi64_si128(x1, x0, 0x00);
    x1 = _mm_clmulepi64_si128(x1, x0, 0x11);
    x1 = _mm_xor_si128(_mm_xor_si128(x1, x2), x5);
    x5 = _mm_clmulepi64_si128(x1, x0, 0x00);
    x1 = _mm_clmulepi64_si128(x1, x0, 0x11);
    x1 = _mm_xor_si128(_mm_xor_si128(x1, x3), x5);
    x5 = _mm_clmulepi64_si128(x1, x0, 0x00);
    x1 = _mm_clmulepi64_si128(x1, x0, 0x11);
    x1 = _mm_xor_si128(_mm_xor_si128(x1, x4), x5);
    /* the rest, 16 bytes at a time */
    while (n >= 16) {
        x2 = _mm_loadu_si128((const __m128i *)p);
        x5 = _mm_clmulepi64_si128(x1, x0, 0x00);
        x1 = _mm_clmulepi64_si128(x1, x0, 0x11);
        x1 = _mm_xor_si128(_mm_xor_si128(x1, x2), x5);
        p += 16;
        n -= 16;
    }
    /* 128 bits to 64 */
    x2 = _mm_clmulepi64_si128(x1, x0, 0x10);
    x3 = _mm_setr_epi32(~0, 0, ~0, 0);
    x1 = _mm_srli_si128(x1, 8);
    x1 = _mm_xor_si128(x1, x2);
    x0 = _mm_loadl_epi64((const __m128i *)k5k0);
    x2 = _mm_srli_si128(x1, 4);
    x1 = _mm_and_si128(x1, x3);
    x1 = _mm_clmulepi64_si128(x1, x0, 0x00);
    x1 = _mm_xor_si128(x1, x2);
    /* Barrett reduction to 32 bits */
    x0 = _mm_load_si128((const __m128i *)poly);
    x2 = _mm_and_si128(x1, x3);
    x2 = _mm_clmulepi64_si128(x2, x0, 0x10);
    x2 = _mm_and_si128(x2, x3);
    x2 = _mm_clmulepi64_si128(x2, x0, 0x00);
    x1 = _mm_xor_si128(x1, x2);
    return (uint32_t)_mm_extract_epi32(x1, 1);
}

static int crc_has_clmul = -1;
#endif

/* the CRC-32 of p[0:n] continuing ``value`` (zlib.crc32's) */
static uint32_t crc32_of(uint32_t value, const unsigned char *p, size_t n) {
    uint32_t crc = ~value;
#ifdef CRC_CLMUL
    if (crc_has_clmul < 0) {
        __builtin_cpu_init();
        crc_has_clmul = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
    }
    if (crc_has_clmul && n >= 64) {
        size_t chunk = n & ~(size_t)15;
        crc = crc_clmul(crc, p, chunk);
        p += chunk;
        n -= chunk;
    }
#endif
    return ~crc_bytes(crc, p, n);
}

static PyObject *fastlm_crc32(PyObject *Py_UNUSED(module), PyObject *args) {
    Py_buffer b;
    unsigned int value = 0;
    if (!PyArg_ParseTuple(args, "y*|I", &b, &value)) return NULL;
    uint32_t crc;
    if (b.len >= (1 << 16)) { /* a large buffer: other threads run meanwhile */
        Py_BEGIN_ALLOW_THREADS
        crc = crc32_of(value, b.buf, (size_t)b.len);
        Py_END_ALLOW_THREADS
    } else {
        crc = crc32_of(value, b.buf, (size_t)b.len);
    }
    PyBuffer_Release(&b);
    return PyLong_FromUnsignedLong(crc);
}

static PyMethodDef fastlm_functions[] = {
    {"viterbi", fastlm_viterbi, METH_VARARGS,
     "viterbi(automaton, columns, start, w_ctx, beam) -> best candidate index per column"},
    {"edit_distance", fastlm_edit_distance, METH_VARARGS, "edit_distance(a, b) -> Levenshtein distance"},
    {"check_automaton", fastlm_check_automaton, METH_VARARGS,
     "check_automaton(keys, lp, next, backoff, bow, start, root, mult): ValueError unless the tables fit together"},
    {"kn_compile", fastlm_kn_compile, METH_VARARGS,
     "kn_compile(vocab_size, order, ngrams, values) -> bytes of (keys, lp, next, backoff, bow, scalars), or None"},
    {"em_grid", fastlm_em_grid, METH_VARARGS,
     "em_grid(ns, ms, deva_ids, roman_ids, weights, max_deva, max_roman) -> bytes of (cells, offsets, flat, graphones, counts)"},
    {"em_estep", fastlm_em_estep, METH_VARARGS,
     "em_estep(cells, offsets, flat, weights, prob) -> (bytes of counts, log-likelihood)"},
    {"count_ngrams", fastlm_count_ngrams, METH_VARARGS,
     "count_ngrams(sequences, order, boundary) -> {n-gram: summed weight} (NgramLM.count_ngrams)"},
    {"em_number", fastlm_em_number, METH_VARARGS,
     "em_number(pairs, max_deva, max_roman) -> (deva_chunks, roman_chunks, bytes of ns, ms, deva_ids, roman_ids, lengths, weights)"},
    {"rows_merge", fastlm_rows_merge, METH_VARARGS,
     "rows_merge(base_flat, base_values, order, added_flat, added_values) -> bytes of (drops, at, rows0, rows1)"},
    {"crc32", fastlm_crc32, METH_VARARGS, "crc32(data, value=0) -> zlib.crc32(data, value), computed faster"},
    {"em_viterbi", fastlm_em_viterbi, METH_VARARGS,
     "em_viterbi(cells, lengths, offsets, flat, prob) -> [(score, graphone indexes) or None, ...]"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef fastlm_module = {
    PyModuleDef_HEAD_INIT, "_fastlm", "Compiled kernels of lipyantar's n-gram models and joint beam search.",
    -1, fastlm_functions, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__fastlm(void) {
    crc_table_init();
    if (PyType_Ready(&AutomatonType) < 0 || PyType_Ready(&JointDecoderType) < 0 || PyType_Ready(&ChannelType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&fastlm_module);
    if (!m) return NULL;
    if (PyModule_AddStringConstant(m, "KERNEL_VERSION", "2") < 0) {
        Py_DECREF(m);
        return NULL;
    }
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
    Py_INCREF(&ChannelType);
    if (PyModule_AddObject(m, "Channel", (PyObject *)&ChannelType) < 0) {
        Py_DECREF(&ChannelType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
