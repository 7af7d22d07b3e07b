/*
 * lipyantar.translit._fastpieces: compiled Devanagari -> roman (learned) conversion of a text's
 * space-separated pieces, for the words whose romanization is a table look-up.
 *
 * The pure-Python code is the reference (lipyantar.translit.transliterate._FromDeva.convert with
 * LearnedModel.romanize); this module gives exactly its output and leaves the memos as it would
 * (the piece memo, the model's best-romanization memo):
 *
 *   convert(text, pieces, best, first, last, values, table, limit, checkpoint) -> str
 *       " ".join(pieces[p] for p in text.split(" ")), where a piece missing from the memo ``pieces``
 *       (a dict subclass whose __missing__ converts and stores it: the Python path) is handled here
 *       when it is a plain Devanagari word (below) whose romanization is known without a search:
 *       the model's memo ``best`` (word -> roman), else the memory's only reading of the word
 *       (``first``/``last``: word -> its first/last row in the memory's sorted columns, ``values``:
 *       the list of their romanizations; a word of several rows goes to Python, which ranks them),
 *       else the precomputed table (``table``: word -> (roman, score)). Such a word calls
 *       ``checkpoint()`` (the time budget) once, is stored in ``best`` (cleared first when it holds
 *       more than ``limit`` words, as LearnedModel.romanize does) and, when its romanization is ASCII
 *       (the stage's marks and digits, which are not, then have nothing to map), in ``pieces``.
 *       Everything else is ``pieces[piece]`` (Python).
 *
 * A plain Devanagari word: 1..64 code points (MAX_WORD_CHARS) of U+0900..U+0950, U+0955..U+0963 and
 * U+0971..U+097F without the precomposed nukta letters U+0958..U+095F, no nukta or virama right after
 * a nukta or virama, no nukta after न र ळ. Such a string is one Devanagari word of the tokenizer
 * (every one of these code points is of the Devanagari script or a mark) and is its own
 * normalization (NFC, nothing for lipyantar.translit.normalize.Normalizer to strip or map), so the
 * model's look-ups take it as it is.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define NUKTA 0x093C
#define VIRAMA 0x094D
#define MAX_PIECE 64

static int plain_word(PyObject *piece) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(piece);
    if (n < 1 || n > MAX_PIECE || PyUnicode_KIND(piece) != PyUnicode_2BYTE_KIND)
        return 0;
    const Py_UCS2 *s = PyUnicode_2BYTE_DATA(piece);
    Py_UCS4 prev = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = s[i];
        if (c < 0x0900 || c > 0x097F || (c >= 0x0951 && c <= 0x0954) || (c >= 0x0958 && c <= 0x095F) ||
            (c >= 0x0964 && c <= 0x0970))
            return 0;
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

/* The romanization of a plain word without a search (a new reference), NULL with no error set
   when there is none (Python then converts the piece), NULL with an error set on failure. */
static PyObject *looked_up(PyObject *piece, PyObject *best, PyObject *first, PyObject *last, PyObject *values,
                           PyObject *table, Py_ssize_t limit, PyObject *checkpoint) {
    PyObject *ok = PyObject_CallNoArgs(checkpoint);
    if (ok == NULL)
        return NULL;
    Py_DECREF(ok);
    PyObject *out = PyDict_GetItemWithError(best, piece);
    if (out != NULL) {
        if (!PyUnicode_Check(out))
            return NULL;
        Py_INCREF(out);
        return out;
    }
    if (PyErr_Occurred())
        return NULL;
    PyObject *lo = PyDict_GetItemWithError(first, piece);
    if (lo != NULL) {
        PyObject *hi = PyDict_GetItemWithError(last, piece);
        if (hi == NULL)
            return NULL;
        Py_ssize_t i = PyLong_AsSsize_t(lo), j = PyLong_AsSsize_t(hi);
        if ((i == -1 || j == -1) && PyErr_Occurred())
            return NULL;
        if (i != j || i < 0 || i >= PyList_GET_SIZE(values))
            return NULL; /* several readings: ranked in Python */
        out = PyList_GET_ITEM(values, i);
    } else {
        if (PyErr_Occurred())
            return NULL;
        PyObject *row = PyDict_GetItemWithError(table, piece);
        if (row == NULL || !PyTuple_Check(row) || PyTuple_GET_SIZE(row) < 1)
            return NULL;
        out = PyTuple_GET_ITEM(row, 0);
    }
    if (!PyUnicode_Check(out))
        return NULL;
    Py_INCREF(out);
    if (PyDict_GET_SIZE(best) > limit)
        PyDict_Clear(best);
    if (PyDict_SetItem(best, piece, out) < 0) {
        Py_DECREF(out);
        return NULL;
    }
    return out;
}

static PyObject *fastpieces_convert(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 9) {
        PyErr_SetString(PyExc_TypeError,
                        "convert(text, pieces, best, first, last, values, table, limit, checkpoint)");
        return NULL;
    }
    PyObject *text = args[0], *pieces = args[1], *best = args[2], *first = args[3], *last = args[4];
    PyObject *values = args[5], *table = args[6], *checkpoint = args[8];
    if (!PyUnicode_Check(text) || !PyDict_Check(pieces) || !PyDict_CheckExact(best) || !PyDict_CheckExact(first) ||
        !PyDict_CheckExact(last) || !PyList_CheckExact(values) || !PyDict_CheckExact(table)) {
        PyErr_SetString(PyExc_TypeError, "convert: a str, a dict, three exact dicts, a list and an exact dict");
        return NULL;
    }
    Py_ssize_t limit = PyLong_AsSsize_t(args[7]);
    if (limit == -1 && PyErr_Occurred())
        return NULL;
    PyObject *space = PyUnicode_FromOrdinal(' ');
    if (space == NULL)
        return NULL;
    PyObject *parts = PyUnicode_Split(text, space, -1);
    if (parts == NULL) {
        Py_DECREF(space);
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(parts);
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *piece = PyList_GET_ITEM(parts, k);
        PyObject *out = PyDict_GetItemWithError(pieces, piece);
        if (out != NULL) {
            Py_INCREF(out);
        } else if (PyErr_Occurred()) {
            goto fail;
        } else {
            out = NULL;
            if (plain_word(piece)) {
                out = looked_up(piece, best, first, last, values, table, limit, checkpoint);
                if (out == NULL && PyErr_Occurred())
                    goto fail;
                if (out != NULL && !PyUnicode_IS_ASCII(out))
                    Py_CLEAR(out); /* the stage may map some of its characters: Python */
                if (out != NULL && PyDict_SetItem(pieces, piece, out) < 0) {
                    Py_DECREF(out);
                    goto fail;
                }
            }
            if (out == NULL) {
                out = PyObject_GetItem(pieces, piece); /* __missing__: the Python path */
                if (out == NULL)
                    goto fail;
                if (!PyUnicode_Check(out)) {
                    Py_DECREF(out);
                    PyErr_SetString(PyExc_TypeError, "convert: a piece converted to a non-str");
                    goto fail;
                }
            }
        }
        PyList_SET_ITEM(parts, k, out); /* steals out; the piece goes */
        Py_DECREF(piece);
    }
    PyObject *joined = PyUnicode_Join(space, parts);
    Py_DECREF(parts);
    Py_DECREF(space);
    return joined;
fail:
    Py_DECREF(parts);
    Py_DECREF(space);
    return NULL;
}

static PyMethodDef fastpieces_methods[] = {
    {"convert", (PyCFunction)(void (*)(void))fastpieces_convert, METH_FASTCALL,
     "convert(text, pieces, best, first, last, values, table, limit, checkpoint) -> str: Devanagari -> roman "
     "(learned) of a text, piece by piece (the output of lipyantar.translit.transliterate._FromDeva.convert)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef fastpieces_module = {
    PyModuleDef_HEAD_INIT, "_fastpieces", "Compiled piece-by-piece Devanagari -> roman conversion of lipyantar.", -1,
    fastpieces_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__fastpieces(void) { return PyModule_Create(&fastpieces_module); }
