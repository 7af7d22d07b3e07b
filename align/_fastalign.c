/*
 * lipyantar.align._fastalign: the compiled word aligner of one sentence pair.
 *
 * The pure-Python code in align/words.py (_moves_python, with Similarity.word_similarity of
 * align/similarity.py) is the reference and documents the method; this module computes exactly the
 * same moves and scores (bit for bit: the same double operations in the same order, no fused
 * multiply-adds):
 *
 *   align_moves(deva, deva_glued, roman, roman_glued,
 *               deva_info, deva_glued_info, roman_info, roman_glued_info, band)
 *       -> (deva words of each link: bytes, roman words of each link: bytes, similarities: list[float]),
 *          the links from the start of the sentence pair
 *
 * deva / roman are the tokens, *_glued the two-token units (tokens i and i + 1 joined by a space), and
 * *_info the Similarity.word_info tuples of each (skeleton, bits, folded latin, length, numbers).
 *
 * KERNEL_VERSION is the version of the scores and of the dynamic programme of align/words.py that this
 * file implements; lipyantar.align.words only uses this module when the two agree.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* the costs of align/words.py: prior + (1 - similarity) * scale for a link, a fixed cost for a dropped word */
#define PRIOR_11 0.0
#define PRIOR_12 0.35
#define PRIOR_21 0.35
#define SKIP_COST 0.62
#define SIM_SCALE 1.0
/* the weights of Similarity.word_similarity: skeleton and folded spelling */
#define W_SKELETON 0.7
#define W_FOLD 0.3

/* the letters a-z are classes 0..25 of the bit-parallel edit distance, any other ASCII character 26 */
#define CLASSES 27

typedef struct {
    PyObject *text; /* the unit as the caller gave it (borrowed, as the rest) */
    PyObject *numbers;
    PyObject *skeleton;
    PyObject *fold;
    int has_numbers;
    Py_ssize_t n_skeleton, n_fold;
    const Py_UCS1 *ascii_skeleton, *ascii_fold; /* their characters when they are ASCII, else NULL */
    /* the match masks of the skeleton and the fold (CLASSES each) when each is empty or 1..64 letters
       a-z (a Devanagari unit: the pattern of the bit-parallel edit distance), else NULL */
    uint64_t *peq;
} Unit;

/* Levenshtein distance of two strings of one-byte characters (two-row dynamic programming) */
static Py_ssize_t edit_distance_1byte(const Py_UCS1 *a, Py_ssize_t n, const Py_UCS1 *b, Py_ssize_t m,
                                      Py_ssize_t *prev, Py_ssize_t *cur) {
    for (Py_ssize_t j = 0; j <= m; j++) prev[j] = j;
    for (Py_ssize_t i = 1; i <= n; i++) {
        Py_UCS1 ca = a[i - 1];
        cur[0] = i;
        for (Py_ssize_t j = 1; j <= m; j++) {
            Py_ssize_t best = prev[j - 1] + (ca != b[j - 1]);
            if (prev[j] + 1 < best) best = prev[j] + 1;
            if (cur[j - 1] + 1 < best) best = cur[j - 1] + 1;
            cur[j] = best;
        }
        Py_ssize_t *t = prev;
        prev = cur;
        cur = t;
    }
    return prev[m];
}

static const unsigned char CLASS_OF[128] = {
    ['a'] = 0,  ['b'] = 1,  ['c'] = 2,  ['d'] = 3,  ['e'] = 4,  ['f'] = 5,  ['g'] = 6,  ['h'] = 7,  ['i'] = 8,
    ['j'] = 9,  ['k'] = 10, ['l'] = 11, ['m'] = 12, ['n'] = 13, ['o'] = 14, ['p'] = 15, ['q'] = 16, ['r'] = 17,
    ['s'] = 18, ['t'] = 19, ['u'] = 20, ['v'] = 21, ['w'] = 22, ['x'] = 23, ['y'] = 24, ['z'] = 25,
};

#define CLASS(c) ((c) >= 'a' && (c) <= 'z' ? CLASS_OF[(c)] : CLASSES - 1)

/* the match masks of a pattern of 1..64 letters a-z into peq[CLASSES]; 0 if it is not one */
static int pattern_masks(const Py_UCS1 *s, Py_ssize_t n, uint64_t *peq) {
    if (s == NULL || n > 64) return 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (s[i] < 'a' || s[i] > 'z') return 0;
        peq[CLASS_OF[s[i]]] |= (uint64_t)1 << i;
    }
    return 1;
}

/* Levenshtein distance of a pattern of 1..64 letters a-z (its match masks peq) and an ASCII text of at
   least one character: the bit-parallel algorithm of Myers (1999) in Hyyro's formulation, as
   metrics._edit_distance_python */
static Py_ssize_t edit_distance_masks(const uint64_t *peq, Py_ssize_t n, const Py_UCS1 *b, Py_ssize_t m) {
    const uint64_t mask = n == 64 ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1, high = (uint64_t)1 << (n - 1);
    uint64_t pv = mask, mv = 0;
    Py_ssize_t score = n;
    for (Py_ssize_t j = 0; j < m; j++) {
        uint64_t eq = peq[CLASS(b[j])];
        uint64_t xv = eq | mv;
        uint64_t xh = (((eq & pv) + pv) ^ pv) | eq;
        uint64_t ph = mv | ~(xh | pv);
        uint64_t mh = pv & xh;
        if (ph & high)
            score++;
        else if (mh & high)
            score--;
        ph = (ph << 1) | 1;
        mh <<= 1;
        pv = (mh | ~(xv | ph)) & mask;
        mv = ph & xv & mask;
    }
    return score;
}

/* Levenshtein distance of any two strings (code points); -1 with MemoryError set when out of memory */
static Py_ssize_t edit_distance(PyObject *a, PyObject *b) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(a), m = PyUnicode_GET_LENGTH(b);
    if (n == 0) return m;
    if (m == 0) return n;
    int ka = PyUnicode_KIND(a), kb = PyUnicode_KIND(b);
    const void *da = PyUnicode_DATA(a), *db = PyUnicode_DATA(b);
    if (ka == kb && n == m && memcmp(da, db, (size_t)n * (size_t)ka) == 0) return 0;
    Py_ssize_t stack[2][65];
    Py_ssize_t *prev = stack[0], *cur = stack[1], *heap = NULL;
    if (m >= 64) {
        heap = PyMem_Malloc(sizeof(Py_ssize_t) * 2 * (size_t)(m + 1));
        if (!heap) {
            PyErr_NoMemory();
            return -1;
        }
        prev = heap;
        cur = heap + m + 1;
    }
    Py_ssize_t d;
    if (ka == PyUnicode_1BYTE_KIND && kb == PyUnicode_1BYTE_KIND) {
        d = edit_distance_1byte(da, n, db, m, prev, cur);
    } else {
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
        d = prev[m];
    }
    PyMem_Free(heap);
    return d;
}

/* text.strip() == other.strip(): 1, 0, or -1 with an exception set */
static int stripped_equal(PyObject *a, PyObject *b) {
    PyObject *sa = PyObject_CallMethod(a, "strip", NULL);
    if (sa == NULL) return -1;
    PyObject *sb = PyObject_CallMethod(b, "strip", NULL);
    if (sb == NULL) {
        Py_DECREF(sa);
        return -1;
    }
    int eq = PyObject_RichCompareBool(sa, sb, Py_EQ);
    Py_DECREF(sa);
    Py_DECREF(sb);
    return eq;
}

/* Similarity.word_similarity of two units into *out: 0, or -1 with an exception set */
static int word_similarity(const Unit *d, const Unit *r, double *out) {
    if (d->has_numbers || r->has_numbers) {
        int eq = PyObject_RichCompareBool(d->numbers, r->numbers, Py_EQ);
        if (eq < 0) return -1;
        *out = eq ? 1.0 : 0.0;
        return 0;
    }
    Py_ssize_t fold_d = d->n_fold, fold_r = r->n_fold;
    if (fold_d == 0 && fold_r == 0) { /* punctuation only */
        int eq = stripped_equal(d->text, r->text);
        if (eq < 0) return -1;
        *out = eq ? 1.0 : 0.5;
        return 0;
    }
    if (fold_d == 0 || fold_r == 0) {
        *out = 0.0;
        return 0;
    }
    Py_ssize_t sk_d = d->n_skeleton, sk_r = r->n_skeleton;
    Py_ssize_t longest = sk_d > sk_r ? sk_d : sk_r;
    double sk_sim = 1.0;
    Py_ssize_t e;
    if (longest) {
        if (!sk_d || !sk_r)
            e = longest;
        else if (d->peq && r->ascii_skeleton)
            e = edit_distance_masks(d->peq, sk_d, r->ascii_skeleton, sk_r);
        else if ((e = edit_distance(d->skeleton, r->skeleton)) < 0)
            return -1;
        sk_sim = 1.0 - (double)e / (double)longest;
    }
    Py_ssize_t longest_f = fold_d > fold_r ? fold_d : fold_r;
    if (d->peq && r->ascii_fold)
        e = edit_distance_masks(d->peq + CLASSES, fold_d, r->ascii_fold, fold_r);
    else if ((e = edit_distance(d->fold, r->fold)) < 0)
        return -1;
    double fold_sim = 1.0 - (double)e / (double)longest_f;
    *out = longest ? W_SKELETON * sk_sim + W_FOLD * fold_sim : fold_sim;
    return 0;
}

/* the units of a token list and its word_info tuples (with the match masks of their skeletons and folds
   when ``masks``); NULL with an exception set. Free with PyMem_Free (one block). */
static Unit *read_units(PyObject *texts, PyObject *infos, Py_ssize_t count, int masks, const char *what) {
    if (PySequence_Fast_GET_SIZE(texts) != count || PySequence_Fast_GET_SIZE(infos) != count) {
        PyErr_Format(PyExc_ValueError, "align_moves: %s and its word infos must have %zd items", what, count);
        return NULL;
    }
    size_t size = sizeof(Unit) * (size_t)count + (masks ? sizeof(uint64_t) * 2 * CLASSES * (size_t)count : 0);
    Unit *units = PyMem_Calloc(1, size ? size : 1);
    if (units == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    uint64_t *peq = (uint64_t *)(units + count);
    PyObject **text = PySequence_Fast_ITEMS(texts), **info = PySequence_Fast_ITEMS(infos);
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *t = info[i];
        if (!PyUnicode_Check(text[i]) || !PyTuple_Check(t) || PyTuple_GET_SIZE(t) < 5 ||
            !PyUnicode_Check(PyTuple_GET_ITEM(t, 0)) || !PyUnicode_Check(PyTuple_GET_ITEM(t, 2)) ||
            !PyAnySet_Check(PyTuple_GET_ITEM(t, 4))) {
            PyMem_Free(units);
            PyErr_Format(PyExc_TypeError,
                         "align_moves: %s must be str with (skeleton, bits, fold, length, numbers) infos", what);
            return NULL;
        }
        Unit *u = &units[i];
        u->text = text[i];
        u->skeleton = PyTuple_GET_ITEM(t, 0);
        u->fold = PyTuple_GET_ITEM(t, 2);
        u->numbers = PyTuple_GET_ITEM(t, 4);
        u->has_numbers = PySet_GET_SIZE(u->numbers) > 0;
        u->n_skeleton = PyUnicode_GET_LENGTH(u->skeleton);
        u->n_fold = PyUnicode_GET_LENGTH(u->fold);
        u->ascii_skeleton = PyUnicode_IS_ASCII(u->skeleton) ? PyUnicode_1BYTE_DATA(u->skeleton) : NULL;
        u->ascii_fold = PyUnicode_IS_ASCII(u->fold) ? PyUnicode_1BYTE_DATA(u->fold) : NULL;
        if (masks) {
            uint64_t *mine = peq + 2 * CLASSES * i;
            if (pattern_masks(u->ascii_skeleton, u->n_skeleton, mine) &&
                pattern_masks(u->ascii_fold, u->n_fold, mine + CLASSES))
                u->peq = mine;
        }
    }
    return units;
}

enum { MOVE_NONE, MOVE_11, MOVE_12, MOVE_21, MOVE_10, MOVE_01 };
static const int MOVE_DEVA[] = {0, 1, 1, 2, 1, 0};
static const int MOVE_ROMAN[] = {0, 1, 2, 1, 0, 1};

/* the banded dynamic programme of _moves_python; the moves from the start, or NULL with an exception */
static PyObject *best_moves(const Unit *d1, const Unit *d2, Py_ssize_t n, const Unit *r1, const Unit *r2,
                            Py_ssize_t m, Py_ssize_t band) {
    if (band > n + m) band = n + m; /* a wider band spans every column of every row all the same */
    Py_ssize_t width = band + (n > m ? n - m : m - n);
    Py_ssize_t *lo = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(n + 1));
    Py_ssize_t *hi = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(n + 1));
    Py_ssize_t *off = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(n + 2));
    double *cost = NULL, *score = NULL;
    unsigned char *move = NULL;
    Py_ssize_t *path = NULL;
    PyObject *result = NULL;
    if (!lo || !hi || !off) goto nomemory;
    off[0] = 0;
    for (Py_ssize_t a = 0; a <= n; a++) {
        double centre = (double)(a * m) / (double)n;
        double l = floor(centre - (double)width), h = ceil(centre + (double)width);
        lo[a] = l > 0.0 ? (Py_ssize_t)l : 0;
        hi[a] = h < (double)m ? (Py_ssize_t)h : m;
        off[a + 1] = off[a] + (hi[a] >= lo[a] ? hi[a] - lo[a] + 1 : 0);
    }
    Py_ssize_t cells = off[n + 1] ? off[n + 1] : 1;
    cost = PyMem_Malloc(sizeof(double) * (size_t)cells);
    score = PyMem_Malloc(sizeof(double) * (size_t)cells);
    move = PyMem_Malloc((size_t)cells);
    if (!cost || !score || !move) goto nomemory;
    for (Py_ssize_t a = 0; a <= n; a++) {
        Py_ssize_t L = lo[a], H = hi[a], base = off[a] - L;
        Py_ssize_t L1 = 0, H1 = -1, base1 = 0, L2 = 0, H2 = -1, base2 = 0;
        if (a >= 1) L1 = lo[a - 1], H1 = hi[a - 1], base1 = off[a - 1] - L1;
        if (a >= 2) L2 = lo[a - 2], H2 = hi[a - 2], base2 = off[a - 2] - L2;
        for (Py_ssize_t b = L; b <= H; b++) {
            if (a == 0 && b == 0) {
                cost[base + b] = 0.0;
                move[base + b] = MOVE_NONE;
                score[base + b] = 0.0;
                continue;
            }
            double best = INFINITY, best_score = 0.0, prev, s, total;
            int best_move = MOVE_NONE;
            if (a >= 1) {
                if (b >= 1 && L1 <= b - 1 && b - 1 <= H1 && (prev = cost[base1 + b - 1]) < INFINITY) {
                    if (word_similarity(&d1[a - 1], &r1[b - 1], &s) < 0) goto error;
                    total = prev + (PRIOR_11 + (1.0 - s) * SIM_SCALE);
                    if (total < best) best = total, best_move = MOVE_11, best_score = s;
                }
                if (b >= 2 && L1 <= b - 2 && b - 2 <= H1 && (prev = cost[base1 + b - 2]) < INFINITY) {
                    if (word_similarity(&d1[a - 1], &r2[b - 2], &s) < 0) goto error;
                    total = prev + (PRIOR_12 + (1.0 - s) * SIM_SCALE);
                    if (total < best) best = total, best_move = MOVE_12, best_score = s;
                }
            }
            if (a >= 2 && b >= 1 && L2 <= b - 1 && b - 1 <= H2 && (prev = cost[base2 + b - 1]) < INFINITY) {
                if (word_similarity(&d2[a - 2], &r1[b - 1], &s) < 0) goto error;
                total = prev + (PRIOR_21 + (1.0 - s) * SIM_SCALE);
                if (total < best) best = total, best_move = MOVE_21, best_score = s;
            }
            if (a >= 1 && L1 <= b && b <= H1 && (prev = cost[base1 + b]) < INFINITY) {
                total = prev + SKIP_COST;
                if (total < best) best = total, best_move = MOVE_10, best_score = 0.0;
            }
            if (b >= 1 && b - 1 >= L && (prev = cost[base + b - 1]) < INFINITY) {
                total = prev + SKIP_COST;
                if (total < best) best = total, best_move = MOVE_01, best_score = 0.0;
            }
            cost[base + b] = best;
            move[base + b] = (unsigned char)best_move;
            score[base + b] = best_score;
        }
    }
    /* back from (n, m): the cells of the path, last first */
    path = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(n + m + 1));
    if (!path) goto nomemory;
    Py_ssize_t count = 0, a = n, b = m;
    while (a || b) {
        if (b < lo[a] || b > hi[a] || !(cost[off[a] + b - lo[a]] < INFINITY)) {
            PyObject *key = Py_BuildValue("(nn)", a, b);
            if (key) {
                PyErr_SetObject(PyExc_KeyError, key);
                Py_DECREF(key);
            }
            goto error;
        }
        Py_ssize_t cell = off[a] + b - lo[a];
        path[count++] = cell;
        a -= MOVE_DEVA[move[cell]];
        b -= MOVE_ROMAN[move[cell]];
    }
    /* (deva words per link, roman words per link, similarities): two bytes and a list of floats, so that
       a sentence pair's links cost the garbage collector nothing but their floats */
    PyObject *deva_counts = PyBytes_FromStringAndSize(NULL, count);
    PyObject *roman_counts = PyBytes_FromStringAndSize(NULL, count);
    PyObject *scores = PyList_New(count);
    if (deva_counts && roman_counts && scores) {
        char *dk = PyBytes_AS_STRING(deva_counts), *rk = PyBytes_AS_STRING(roman_counts);
        Py_ssize_t i = 0;
        for (; i < count; i++) {
            Py_ssize_t cell = path[count - 1 - i];
            dk[i] = (char)MOVE_DEVA[move[cell]];
            rk[i] = (char)MOVE_ROMAN[move[cell]];
            PyObject *value = PyFloat_FromDouble(score[cell]);
            if (!value) break;
            PyList_SET_ITEM(scores, i, value);
        }
        if (i == count) result = PyTuple_Pack(3, deva_counts, roman_counts, scores);
    }
    Py_XDECREF(deva_counts);
    Py_XDECREF(roman_counts);
    Py_XDECREF(scores);
    goto done;
nomemory:
    PyErr_NoMemory();
error:
    Py_CLEAR(result);
done:
    PyMem_Free(lo);
    PyMem_Free(hi);
    PyMem_Free(off);
    PyMem_Free(cost);
    PyMem_Free(score);
    PyMem_Free(move);
    PyMem_Free(path);
    return result;
}

static PyObject *fastalign_align_moves(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *seq[8];
    Py_ssize_t band;
    if (!PyArg_ParseTuple(args, "OOOOOOOOn", &seq[0], &seq[1], &seq[2], &seq[3], &seq[4], &seq[5], &seq[6],
                          &seq[7], &band))
        return NULL;
    if (band < 0) {
        PyErr_SetString(PyExc_ValueError, "align_moves: band must be >= 0");
        return NULL;
    }
    PyObject *fast[8] = {NULL};
    Unit *units[4] = {NULL};
    PyObject *result = NULL;
    for (int i = 0; i < 8; i++) {
        fast[i] = PySequence_Fast(seq[i], "align_moves: the tokens and infos must be sequences");
        if (!fast[i]) goto done;
    }
    /* order of the arguments: deva, deva_glued, roman, roman_glued, then their infos in that order */
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast[0]), m = PySequence_Fast_GET_SIZE(fast[2]);
    if (n == 0 || m == 0) {
        PyErr_SetString(PyExc_ValueError, "align_moves: both sides need at least one token");
        goto done;
    }
    static const char *const what[4] = {"deva", "deva_glued", "roman", "roman_glued"};
    Py_ssize_t counts[4] = {n, n - 1, m, m - 1};
    for (int i = 0; i < 4; i++) {
        units[i] = read_units(fast[i], fast[4 + i], counts[i], i < 2, what[i]);
        if (!units[i]) goto done;
    }
    result = best_moves(units[0], units[1], n, units[2], units[3], m, band);
done:
    for (int i = 0; i < 4; i++) PyMem_Free(units[i]);
    for (int i = 0; i < 8; i++) Py_XDECREF(fast[i]);
    return result;
}

static PyObject *fastalign_word_similarity(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *texts[2], *infos[2];
    if (!PyArg_ParseTuple(args, "UOUO", &texts[0], &infos[0], &texts[1], &infos[1])) return NULL;
    Unit u[2];
    for (int i = 0; i < 2; i++) {
        PyObject *t = PyTuple_Pack(1, texts[i]), *f = PyTuple_Pack(1, infos[i]);
        Unit *one = t && f ? read_units(t, f, 1, 0, i ? "roman" : "deva") : NULL;
        Py_XDECREF(t);
        Py_XDECREF(f);
        if (!one) return NULL;
        u[i] = one[0];
        PyMem_Free(one);
    }
    double s;
    if (word_similarity(&u[0], &u[1], &s) < 0) return NULL;
    return PyFloat_FromDouble(s);
}

/* ------------------------------------------------------------------------------------------ */
/* skeletons: similarity.skeleton and similarity._fold of an ASCII word, pass by pass as the regular
   expressions of the Python code (each pass reads the output of the one before) */

#define IS_ASPIRATED_AFTER(c) ((c) && strchr("bcdgjklnprstvy", (c)) != NULL)
#define IS_VOWEL(c) ((c) == 'a' || (c) == 'e' || (c) == 'i' || (c) == 'o' || (c) == 'u')

/* lower-case letters a-z of an ASCII text (str.lower, then [^a-z] removed); the length */
static Py_ssize_t ascii_letters(const Py_UCS1 *in, Py_ssize_t n, char *out) {
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        char c = (char)in[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c >= 'a' && c <= 'z') out[k++] = c;
    }
    return k;
}

/* re.sub(r"(?<=[bcdgjklnprstvy])h", "", s): the look-behind sees this pass's input */
static Py_ssize_t drop_aspiration(char *s, Py_ssize_t n) {
    Py_ssize_t k = 0;
    char before = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        char c = s[i];
        if (!(c == 'h' && IS_ASPIRATED_AFTER(before))) s[k++] = c;
        before = c;
    }
    return k;
}

/* re.sub(r"(.)\1+", r"\1", s): runs of one letter collapsed */
static Py_ssize_t collapse_runs(char *s, Py_ssize_t n) {
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < n; i++)
        if (k == 0 || s[k - 1] != s[i]) s[k++] = s[i];
    return k;
}

/* skeleton() of the letters s[0:n] (lower-case a-z), in place (x -> ks: s has room for 2n); the length */
static Py_ssize_t skeleton_letters(char *s, Py_ssize_t n, char *tmp) {
    Py_ssize_t k = 0;
    /* ph|f -> f, x -> ks, q -> k, w -> v, z -> j (one pass each in Python; none of them makes or
       breaks a match of a later one of these five) */
    for (Py_ssize_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == 'p' && i + 1 < n && s[i + 1] == 'h') {
            tmp[k++] = 'f';
            i++;
        } else if (c == 'x') {
            tmp[k++] = 'k';
            tmp[k++] = 's';
        } else if (c == 'q') {
            tmp[k++] = 'k';
        } else if (c == 'w') {
            tmp[k++] = 'v';
        } else if (c == 'z') {
            tmp[k++] = 'j';
        } else {
            tmp[k++] = c;
        }
    }
    /* ck -> k */
    n = 0;
    for (Py_ssize_t i = 0; i < k; i++) {
        if (tmp[i] == 'c' && i + 1 < k && tmp[i + 1] == 'k') {
            s[n++] = 'k';
            i++;
        } else {
            s[n++] = tmp[i];
        }
    }
    n = drop_aspiration(s, n);
    /* [aeiou]+ -> "", m -> n */
    k = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        char c = s[i];
        if (IS_VOWEL(c)) continue;
        s[k++] = c == 'm' ? 'n' : c;
    }
    return collapse_runs(s, k);
}

/* _fold() of the letters s[0:n] (lower-case a-z), in place; the length */
static Py_ssize_t fold_letters(char *s, Py_ssize_t n) {
    n = drop_aspiration(s, n);
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < n; i++) { /* w -> v, z -> j */
        char c = s[i];
        s[k++] = c == 'w' ? 'v' : c == 'z' ? 'j' : c;
    }
    n = k, k = 0;
    for (Py_ssize_t i = 0; i < n; i++) { /* ee -> i (left to right, without overlaps) */
        if (s[i] == 'e' && i + 1 < n && s[i + 1] == 'e') {
            s[k++] = 'i';
            i++;
        } else {
            s[k++] = s[i];
        }
    }
    n = k, k = 0;
    for (Py_ssize_t i = 0; i < n; i++) { /* oo -> u */
        if (s[i] == 'o' && i + 1 < n && s[i + 1] == 'o') {
            s[k++] = 'u';
            i++;
        } else {
            s[k++] = s[i];
        }
    }
    return collapse_runs(s, k);
}

typedef Py_ssize_t (*letters_fn)(char *s, Py_ssize_t n, char *tmp);

static Py_ssize_t fold_with_tmp(char *s, Py_ssize_t n, char *Py_UNUSED(tmp)) { return fold_letters(s, n); }

/* fn applied to the letters of an ASCII str; None for any other text (the Python code handles it) */
static PyObject *ascii_transform(PyObject *arg, letters_fn fn) {
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "a str is required");
        return NULL;
    }
    if (!PyUnicode_IS_ASCII(arg)) Py_RETURN_NONE;
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    char stack[2][256];
    char *s = stack[0], *tmp = stack[1], *heap = NULL;
    if (2 * n + 1 > 256) {
        heap = PyMem_Malloc(4 * (size_t)n + 2);
        if (!heap) return PyErr_NoMemory();
        s = heap;
        tmp = heap + 2 * n + 1;
    }
    Py_ssize_t k = ascii_letters(PyUnicode_1BYTE_DATA(arg), n, s);
    k = fn(s, k, tmp);
    PyObject *out = PyUnicode_FromStringAndSize(s, k);
    PyMem_Free(heap);
    return out;
}

/* similarity.gram_bits of a skeleton of letters a-z, as a Python int */
static PyObject *gram_bits(const char *sk, Py_ssize_t n) {
    static const signed char INDEX[26] = {
        /* the positions of "bcdfghjklnprstvy" (SKELETON_LETTERS); 15 for any other letter */
        15, 0, 1, 2, 15, 3, 4, 5, 15, 6, 7, 8, 15, 9, 15, 10, 15, 11, 12, 13, 15, 14, 15, 15, 15, 15,
    };
    uint64_t words[5] = {0};
    if (n == 0) return PyLong_FromLong(0);
    if (n == 1) {
        int bit = 256 + INDEX[sk[0] - 'a'];
        words[bit / 64] |= (uint64_t)1 << (bit % 64);
    } else {
        for (Py_ssize_t i = 0; i + 1 < n; i++) {
            int bit = 16 * INDEX[sk[i] - 'a'] + INDEX[sk[i + 1] - 'a'];
            words[bit / 64] |= (uint64_t)1 << (bit % 64);
        }
    }
    char hex[5 * 16 + 1];
    int k = 0;
    for (int w = 4; w >= 0; w--) {
        if (k == 0 && words[w] == 0) continue;
        k += snprintf(hex + k, sizeof(hex) - (size_t)k, k ? "%016llx" : "%llx", (unsigned long long)words[w]);
    }
    return PyLong_FromString(hex, NULL, 16);
}

/* (skeleton, gram bits, fold, skeleton length) of an ASCII latin word, as Similarity.word_info computes
   them; None for any other text */
static PyObject *fastalign_word_parts(PyObject *Py_UNUSED(module), PyObject *arg) {
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "a str is required");
        return NULL;
    }
    if (!PyUnicode_IS_ASCII(arg)) Py_RETURN_NONE;
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    char stack[3][256];
    char *sk = stack[0], *tmp = stack[1], *fold = stack[2], *heap = NULL;
    if (2 * n + 1 > 256) {
        heap = PyMem_Malloc(6 * (size_t)n + 3);
        if (!heap) return PyErr_NoMemory();
        sk = heap;
        tmp = heap + 2 * n + 1;
        fold = heap + 4 * n + 2;
    }
    Py_ssize_t letters = ascii_letters(PyUnicode_1BYTE_DATA(arg), n, sk);
    memcpy(fold, sk, (size_t)letters);
    Py_ssize_t nf = fold_letters(fold, letters);
    Py_ssize_t ns = skeleton_letters(sk, letters, tmp);
    PyObject *bits = gram_bits(sk, ns);
    PyObject *out = bits ? Py_BuildValue("(s#Ns#n)", sk, ns, bits, fold, nf, ns) : NULL;
    PyMem_Free(heap);
    return out;
}

static PyObject *fastalign_skeleton(PyObject *Py_UNUSED(module), PyObject *arg) {
    return ascii_transform(arg, skeleton_letters);
}

static PyObject *fastalign_fold(PyObject *Py_UNUSED(module), PyObject *arg) {
    return ascii_transform(arg, fold_with_tmp);
}

static PyMethodDef fastalign_functions[] = {
    {"align_moves", fastalign_align_moves, METH_VARARGS,
     "align_moves(deva, deva_glued, roman, roman_glued, deva_info, deva_glued_info, roman_info, "
     "roman_glued_info, band) -> (deva words of each link, roman words of each link, similarities)"},
    {"word_similarity", fastalign_word_similarity, METH_VARARGS,
     "word_similarity(deva, deva_info, roman, roman_info) -> Similarity.word_similarity(deva, roman)"},
    {"skeleton", fastalign_skeleton, METH_O,
     "skeleton(latin) -> similarity.skeleton(latin) for an ASCII word, else None"},
    {"word_parts", fastalign_word_parts, METH_O,
     "word_parts(latin) -> (skeleton, gram bits, fold, skeleton length) for an ASCII word, else None"},
    {"fold", fastalign_fold, METH_O, "fold(latin) -> similarity._fold(latin) for an ASCII word, else None"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef fastalign_module = {
    PyModuleDef_HEAD_INIT, "_fastalign", "Compiled word aligner of lipyantar (align/words.py).", -1,
    fastalign_functions,
};

PyMODINIT_FUNC PyInit__fastalign(void) {
    PyObject *module = PyModule_Create(&fastalign_module);
    if (module != NULL && PyModule_AddStringConstant(module, "KERNEL_VERSION", "1") < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
