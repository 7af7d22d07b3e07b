/*
 * lipyantar.translit._fastrules: compiled rule-based romanizer (roman-rules).
 *
 * The pure-Python implementation in translit/rules.py (romanize_word_python) is the reference and
 * documents the rules; this module computes exactly the same output for every input string:
 *
 *   romanize_word(word) -> str
 *       NFC-normalize, decompose the precomposed nukta letters (and OM), split off a compounding
 *       morpheme or a postposition, segment into aksharas, delete schwas, render to a-z.
 *
 * RULES_VERSION is the version of the rules in translit/rules.py that this file implements;
 * lipyantar.translit.rules only uses this module when the two agree.
 *
 * NFC: strings made only of ASCII and Devanagari (U+0900..U+097F) that are already in NFC are
 * recognised here (the common case); anything else goes through unicodedata.normalize("NFC", ...)
 * so that the result is the one of the Python code for any Unicode input.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define NUKTA 0x093C
#define VIRAMA 0x094D
#define ANUSVARA 0x0902
#define CHANDRABINDU 0x0901
#define VISARGA 0x0903
#define SCHWA 0x0905 /* अ */
#define V_AA 0x0906  /* आ */
#define V_I 0x0907   /* इ */
#define V_II 0x0908  /* ई */
#define V_E 0x090F   /* ए */
#define V_O 0x0913   /* ओ */
#define C_JA 0x091C  /* ज */
#define C_NYA 0x091E /* ञ */
#define C_NNA 0x0923 /* ण */
#define C_NA 0x0928  /* न */
#define C_MA 0x092E  /* म */
#define C_YA 0x092F  /* य */
#define C_RA 0x0930  /* र */
#define C_SSA 0x0937 /* ष */
#define C_HA 0x0939  /* ह */

#define DEVA(c) ((c) >= 0x0900 && (c) <= 0x097F)

/* consonant -> romanization (index c - 0x0900) */
static const char *const CONS[128] = {
    [0x15] = "k",  [0x16] = "kh", [0x17] = "g",   [0x18] = "gh", [0x19] = "n",
    [0x1A] = "ch", [0x1B] = "chh", [0x1C] = "j",  [0x1D] = "jh", [0x1E] = "n",
    [0x1F] = "t",  [0x20] = "th", [0x21] = "d",   [0x22] = "dh", [0x23] = "n",
    [0x24] = "t",  [0x25] = "th", [0x26] = "d",   [0x27] = "dh", [0x28] = "n",
    [0x2A] = "p",  [0x2B] = "f",  [0x2C] = "b",   [0x2D] = "bh", [0x2E] = "m",
    [0x2F] = "y",  [0x30] = "r",  [0x32] = "l",   [0x35] = "v",  [0x33] = "l",
    [0x36] = "sh", [0x37] = "sh", [0x38] = "s",   [0x39] = "h",
};

/* consonant + nukta -> romanization */
static const char *const NUKTA_CONS[128] = {
    [0x15] = "q", [0x16] = "kh", [0x17] = "gh", [0x1C] = "z", [0x2B] = "f", [0x21] = "d",
    [0x22] = "dh", [0x2F] = "y", [0x28] = "n", [0x30] = "r", [0x33] = "l",
};

/* independent vowel letter -> romanization */
static const char *const VOWELS[128] = {
    [0x05] = "a",  [0x06] = "a",  [0x07] = "i",  [0x08] = "i",  [0x09] = "u", [0x0A] = "u",
    [0x0B] = "ri", [0x60] = "ri", [0x0C] = "li", [0x61] = "li",
    [0x0F] = "e",  [0x10] = "ai", [0x13] = "o",  [0x14] = "au", [0x0D] = "e", [0x0E] = "e",
    [0x11] = "o",  [0x12] = "o",
};

/* vowel sign (matra) -> independent vowel letter */
static const uint16_t MATRAS[128] = {
    [0x3E] = 0x0906, [0x3F] = 0x0907, [0x40] = 0x0908, [0x41] = 0x0909, [0x42] = 0x090A,
    [0x43] = 0x090B, [0x44] = 0x0960, [0x62] = 0x090C, [0x63] = 0x0961,
    [0x47] = 0x090F, [0x48] = 0x0910, [0x4B] = 0x0913, [0x4C] = 0x0914,
    [0x45] = 0x090D, [0x46] = 0x090E, [0x49] = 0x0911, [0x4A] = 0x0912,
};

static inline int is_cons_letter(Py_UCS4 c) { return DEVA(c) && CONS[c - 0x0900] != NULL; }
static inline int is_vowel_letter(Py_UCS4 c) { return DEVA(c) && VOWELS[c - 0x0900] != NULL; }
static inline Py_UCS4 matra_vowel(Py_UCS4 c) { return DEVA(c) ? MATRAS[c - 0x0900] : 0; }

static inline int is_labial(Py_UCS4 c) { return c >= 0x092A && c <= 0x092E; } /* प फ ब भ म */

static inline int w_after(Py_UCS4 c) { /* स श ग ट ड */
    return c == 0x0938 || c == 0x0936 || c == 0x0917 || c == 0x091F || c == 0x0921;
}

/* ------------------------------------------------------------------------------------------ */
/* compounding morphemes and pronoun + postposition                                           */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
    Py_ssize_t len;
    Py_UCS4 cp[8];
} Piece;

/* rules._SUFFIXES, in its order (longest first, stable) */
static const Piece SUFFIXES[] = {
    {7, {0x936, 0x93e, 0x938, 0x94d, 0x924, 0x94d, 0x930}}, /* शास्त्र */
    {6, {0x92a, 0x924, 0x93f, 0x92f, 0x94b, 0x902}},        /* पतियों */
    {5, {0x915, 0x930, 0x94d, 0x924, 0x93e}},               /* कर्ता */
    {4, {0x92a, 0x941, 0x930, 0x93e}},                      /* पुरा */
    {4, {0x92a, 0x941, 0x930, 0x940}},                      /* पुरी */
    {4, {0x935, 0x93e, 0x926, 0x940}},                      /* वादी */
    {4, {0x915, 0x93e, 0x930, 0x940}},                      /* कारी */
    {4, {0x938, 0x93f, 0x902, 0x939}},                      /* सिंह */
    {3, {0x92a, 0x941, 0x930}},                             /* पुर */
    {3, {0x928, 0x917, 0x930}},                             /* नगर */
    {3, {0x917, 0x922, 0x93c}},                             /* गढ़ */
    {3, {0x915, 0x93e, 0x930}},                             /* कार */
    {3, {0x935, 0x93e, 0x926}},                             /* वाद */
    {3, {0x915, 0x932, 0x93e}},                             /* कला */
    {3, {0x928, 0x93e, 0x925}},                             /* नाथ */
    {3, {0x930, 0x93e, 0x91c}},                             /* राज */
    {3, {0x935, 0x940, 0x930}},                             /* वीर */
    {3, {0x926, 0x947, 0x935}},                             /* देव */
    {3, {0x92a, 0x93e, 0x932}},                             /* पाल */
    {3, {0x92a, 0x924, 0x93f}},                             /* पति */
    {3, {0x92e, 0x947, 0x902}},                             /* में */
    {2, {0x915, 0x930}},                                    /* कर */
    {2, {0x92a, 0x928}},                                    /* पन */
    {2, {0x92e, 0x92f}},                                    /* मय */
};
#define N_SUFFIXES ((int)(sizeof(SUFFIXES) / sizeof(SUFFIXES[0])))
#define SINGH_INDEX 7 /* सिंह, spelled "singh" (rules._SUFFIX_SPELLINGS) */

/* rules._PRONOUN_STEMS: no stem is a prefix of another, so at most one can match */
static const Piece STEMS[] = {
    {2, {0x907, 0x938}},        /* इस */
    {2, {0x909, 0x938}},        /* उस */
    {3, {0x91c, 0x93f, 0x938}}, /* जिस */
    {3, {0x915, 0x93f, 0x938}}, /* किस */
    {2, {0x907, 0x928}},        /* इन */
    {2, {0x909, 0x928}},        /* उन */
    {3, {0x91c, 0x93f, 0x928}}, /* जिन */
    {3, {0x915, 0x93f, 0x928}}, /* किन */
    {2, {0x906, 0x92a}},        /* आप */
    {2, {0x939, 0x92e}},        /* हम */
    {3, {0x924, 0x941, 0x92e}}, /* तुम */
};
#define N_STEMS ((int)(sizeof(STEMS) / sizeof(STEMS[0])))

/* rules._POSTPOSITIONS */
static const Piece POSTPOSITIONS[] = {
    {2, {0x915, 0x93e}},        /* का */
    {2, {0x915, 0x940}},        /* की */
    {2, {0x915, 0x947}},        /* के */
    {2, {0x915, 0x94b}},        /* को */
    {2, {0x938, 0x947}},        /* से */
    {2, {0x928, 0x947}},        /* ने */
    {3, {0x92e, 0x947, 0x902}}, /* में */
    {2, {0x92a, 0x930}},        /* पर */
};
#define N_POSTPOSITIONS ((int)(sizeof(POSTPOSITIONS) / sizeof(POSTPOSITIONS[0])))

static inline int piece_eq(const Py_UCS4 *s, Py_ssize_t n, const Piece *p) {
    return n == p->len && memcmp(s, p->cp, (size_t)n * sizeof(Py_UCS4)) == 0;
}

static inline int starts_with(const Py_UCS4 *s, Py_ssize_t n, const Piece *p) {
    return n >= p->len && memcmp(s, p->cp, (size_t)p->len * sizeof(Py_UCS4)) == 0;
}

static inline int ends_with(const Py_UCS4 *s, Py_ssize_t n, const Piece *p) {
    return n >= p->len && memcmp(s + n - p->len, p->cp, (size_t)p->len * sizeof(Py_UCS4)) == 0;
}

/* ------------------------------------------------------------------------------------------ */
/* segmentation, schwa deletion, rendering                                                    */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
    Py_UCS4 base;
    unsigned char is_cons, nukta, inherent, nasal, visarga;
} Seg;

static inline void push(Seg *segs, Py_ssize_t *k, Py_UCS4 base, int is_cons, int nukta, int inherent) {
    Seg *s = &segs[(*k)++];
    s->base = base;
    s->is_cons = (unsigned char)is_cons;
    s->nukta = (unsigned char)nukta;
    s->inherent = (unsigned char)inherent;
    s->nasal = 0;
    s->visarga = 0;
}

/* rules._segment; segs must hold 2 * n entries */
static Py_ssize_t segment(const Py_UCS4 *ch, Py_ssize_t n, Seg *segs) {
    Py_ssize_t k = 0, i = 0;
    while (i < n) {
        Py_UCS4 c = ch[i];
        if (is_cons_letter(c)) {
            int nukta = i + 1 < n && ch[i + 1] == NUKTA;
            if (nukta)
                i++;
            push(segs, &k, c, 1, nukta, 0);
            Py_UCS4 nxt = i + 1 < n ? ch[i + 1] : 0;
            Py_UCS4 mv;
            if (nxt == VIRAMA) {
                i += 2;
            } else if ((mv = matra_vowel(nxt)) != 0) {
                push(segs, &k, mv, 0, 0, 0);
                i += 2;
            } else {
                push(segs, &k, SCHWA, 0, 0, 1);
                i += 1;
            }
            continue;
        }
        Py_UCS4 mv;
        if (is_vowel_letter(c)) {
            push(segs, &k, c, 0, 0, 0);
        } else if ((mv = matra_vowel(c)) != 0) {
            push(segs, &k, mv, 0, 0, 0);
        } else if (c == ANUSVARA || c == CHANDRABINDU) {
            if (k > 0 && !segs[k - 1].is_cons)
                segs[k - 1].nasal = 1;
            else
                push(segs, &k, C_NA, 1, 0, 0);
        } else if (c == VISARGA) {
            if (k > 0 && !segs[k - 1].is_cons)
                segs[k - 1].visarga = 1;
            else
                push(segs, &k, C_HA, 1, 0, 0);
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            push(segs, &k, c | 0x20, 1, 0, 0);
        }
        i++;
    }
    return k;
}

/* any(not seg.is_cons for seg in _segment(stem)), without building the segments */
static int has_vowel_seg(const Py_UCS4 *ch, Py_ssize_t n) {
    Py_ssize_t i = 0;
    while (i < n) {
        Py_UCS4 c = ch[i];
        if (is_cons_letter(c)) {
            if (i + 1 < n && ch[i + 1] == NUKTA)
                i++;
            if (i + 1 < n && ch[i + 1] == VIRAMA) {
                i += 2; /* a consonant without a vowel */
                continue;
            }
            return 1; /* a matra or the inherent vowel */
        }
        if (is_vowel_letter(c) || matra_vowel(c) != 0)
            return 1;
        i++; /* nasal marks and visarga never add a vowel; Latin letters are consonants */
    }
    return 0;
}

static int final_schwa_kept(const Seg *segs, Py_ssize_t n) {
    const Seg *last = &segs[n - 1];
    if (last->nasal || last->visarga)
        return 1;
    Py_ssize_t vowels = 0;
    for (Py_ssize_t j = 0; j < n && vowels < 2; j++)
        vowels += !segs[j].is_cons;
    if (vowels < 2)
        return 1;
    if (n >= 3 && segs[n - 2].is_cons && segs[n - 3].is_cons) {
        Py_UCS4 c1 = segs[n - 3].base, c2 = segs[n - 2].base;
        return c2 == C_RA || c2 == C_YA || (c1 == C_JA && c2 == C_NYA) || (c1 == C_SSA && c2 == C_NNA);
    }
    return 0;
}

static int medial_blocked(const Seg *segs, const unsigned char *keep, Py_ssize_t n, Py_ssize_t i) {
    const Seg *left = &segs[i - 2], *right = &segs[i + 2];
    int right_last = 1;
    for (Py_ssize_t j = i + 3; j < n; j++) {
        if (!segs[j].is_cons && keep[j]) {
            right_last = 0;
            break;
        }
    }
    int first_syllable = 1;
    for (Py_ssize_t j = 0; j < i - 2; j++) {
        if (!segs[j].is_cons) {
            first_syllable = 0;
            break;
        }
    }
    if (right_last && i + 2 == n - 1 && (right->base == V_I || right->base == V_II))
        return 1;
    if (right_last && right->nasal && (right->base == V_O || right->base == V_E || right->base == V_II))
        return 1;
    if (segs[i - 1].base == C_YA)
        return 1;
    if (!first_syllable) {
        if (right_last && (right->base == SCHWA || right->base == V_I) && !right->nasal)
            return 1;
        if (left->base == V_II || left->nasal)
            return 1;
    }
    return 0;
}

/* rules._delete_schwas, in place; returns the new length */
static Py_ssize_t delete_schwas(Seg *segs, Py_ssize_t n, unsigned char *keep) {
    if (n == 0)
        return 0;
    memset(keep, 1, (size_t)n);
    if (segs[n - 1].inherent && !final_schwa_kept(segs, n))
        keep[n - 1] = 0;
#define IS_VOWEL(j) ((j) >= 0 && (j) < n && !segs[j].is_cons && keep[j])
#define IS_CONS(j) ((j) >= 0 && (j) < n && segs[j].is_cons)
    for (Py_ssize_t i = n - 2; i > 1; i--) {
        const Seg *seg = &segs[i];
        if (!seg->inherent || seg->nasal || seg->visarga)
            continue;
        if (!(IS_CONS(i - 1) && IS_VOWEL(i - 2) && IS_CONS(i + 1) && IS_VOWEL(i + 2)))
            continue;
        if (!medial_blocked(segs, keep, n, i))
            keep[i] = 0;
    }
#undef IS_VOWEL
#undef IS_CONS
    Py_ssize_t m = 0;
    for (Py_ssize_t j = 0; j < n; j++) {
        if (keep[j])
            segs[m++] = segs[j];
    }
    return m;
}

static inline char *put(char *out, const char *s) {
    while (*s)
        *out++ = *s++;
    return out;
}

/* rules._render; out must hold 4 * n bytes */
static char *render(const Seg *segs, Py_ssize_t n, char *out) {
    for (Py_ssize_t i = 0; i < n; i++) {
        const Seg *seg = &segs[i];
        Py_UCS4 b = seg->base;
        if (!seg->is_cons) {
            /* _vowel_roman */
            if (i == 0 && b == V_AA) {
                out = put(out, "aa");
            } else if (b == V_E && i == n - 1 && i > 0 && (segs[i - 1].base == V_I || segs[i - 1].base == V_II)) {
                out = put(out, "ye");
            } else {
                const char *v = is_vowel_letter(b) ? VOWELS[b - 0x0900] : "a";
                out = put(out, v);
            }
            if (seg->nasal) {
                Py_UCS4 nb = (i + 1 < n && segs[i + 1].is_cons) ? segs[i + 1].base : 0;
                if (nb == C_NA || nb == C_MA || nb == C_NNA) {
                    /* nasal vowel before a nasal consonant: nothing */
                } else if (is_labial(nb) && (b == SCHWA || b == V_I)) {
                    *out++ = 'm';
                } else {
                    *out++ = 'n';
                }
            }
            if (seg->visarga)
                *out++ = 'h';
            continue;
        }
        if (b == C_JA && !seg->nukta && i + 1 < n && segs[i + 1].base == C_NYA) {
            *out++ = 'g';
            continue;
        }
        /* _cons_roman */
        if (seg->nukta && DEVA(b) && NUKTA_CONS[b - 0x0900] != NULL) {
            out = put(out, NUKTA_CONS[b - 0x0900]);
            continue;
        }
        if (i > 0 && segs[i - 1].is_cons) {
            Py_UCS4 pb = segs[i - 1].base;
            if (b == C_NYA && pb == C_JA) {
                *out++ = 'y';
                continue;
            }
            if (b == 0x0935 && w_after(pb)) {
                *out++ = 'w';
                continue;
            }
        }
        if (is_cons_letter(b)) {
            out = put(out, CONS[b - 0x0900]);
        } else if (b >= 'a' && b <= 'z') {
            *out++ = (char)b;
        }
        /* nothing else can be a consonant base; the Python code keeps only a-z anyway */
    }
    return out;
}

/* rules._romanize_simple; seg_buf holds 2 * n Segs, keep_buf 2 * n bytes */
static char *romanize_simple(const Py_UCS4 *ch, Py_ssize_t n, Seg *seg_buf, unsigned char *keep_buf, char *out) {
    Py_ssize_t k = segment(ch, n, seg_buf);
    if (k == 0)
        return out;
    k = delete_schwas(seg_buf, k, keep_buf);
    return render(seg_buf, k, out);
}

/* romanize_word on decomposed code points; out must hold 8 * n + 8 bytes */
static char *romanize_chars(const Py_UCS4 *ch, Py_ssize_t n, Seg *seg_buf, unsigned char *keep_buf, char *out) {
    if (piece_eq(ch, n, &SUFFIXES[SINGH_INDEX]))
        return put(out, "singh");
    Py_ssize_t split = -1;
    int singh = 0;
    /* pronoun + postposition */
    for (int s = 0; s < N_STEMS && split < 0; s++) {
        if (!starts_with(ch, n, &STEMS[s]))
            continue;
        for (int p = 0; p < N_POSTPOSITIONS; p++) {
            if (piece_eq(ch + STEMS[s].len, n - STEMS[s].len, &POSTPOSITIONS[p])) {
                split = STEMS[s].len;
                break;
            }
        }
        break; /* no other stem can match */
    }
    /* compounding morphemes */
    for (int s = 0; s < N_SUFFIXES && split < 0; s++) {
        const Piece *suf = &SUFFIXES[s];
        if (n > suf->len && ends_with(ch, n, suf)) {
            Py_ssize_t stem = n - suf->len;
            Py_UCS4 last = ch[stem - 1];
            if (last == VIRAMA || last == NUKTA)
                continue;
            if (has_vowel_seg(ch, stem)) {
                split = stem;
                singh = s == SINGH_INDEX;
            }
        }
    }
    if (split < 0)
        return romanize_simple(ch, n, seg_buf, keep_buf, out);
    out = romanize_simple(ch, split, seg_buf, keep_buf, out);
    if (singh)
        return put(out, "singh");
    return romanize_simple(ch + split, n - split, seg_buf, keep_buf, out);
}

/* ------------------------------------------------------------------------------------------ */
/* NFC and decomposition                                                                      */
/* ------------------------------------------------------------------------------------------ */

static PyObject *normalize_func = NULL; /* unicodedata.normalize */
static PyObject *nfc_str = NULL;        /* "NFC" */

static inline int ccc_nonzero(Py_UCS4 c) { return c == NUKTA || c == VIRAMA || (c >= 0x0951 && c <= 0x0954); }

/* Writes the decomposed code points of text (rules._decompose without the NFC step) into dst
   (capacity 2 * len) and returns their number. With check set, returns -1 as soon as text might
   not be in NFC: only ASCII and Devanagari, no U+0958..U+095F (NFC decomposes them), no
   combining mark after another one (no reordering), no nukta after न र ळ (NFC composes them). */
static Py_ssize_t decompose(PyObject *text, Py_UCS4 *dst, int check) {
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    Py_ssize_t m = 0;
    Py_UCS4 prev = 0;
    for (Py_ssize_t i = 0; i < len; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (check) {
            if (c >= 0x80) {
                if (!DEVA(c) || (c >= 0x0958 && c <= 0x095F))
                    return -1;
                if (ccc_nonzero(c) && i > 0) {
                    if (ccc_nonzero(prev))
                        return -1;
                    if (c == NUKTA && (prev == C_NA || prev == C_RA || prev == 0x0933))
                        return -1;
                }
            }
            prev = c;
        }
        if (c >= 0x0929 && c <= 0x0960) {
            switch (c) {
            case 0x0958: case 0x0959: case 0x095A: case 0x095B:
            case 0x095C: case 0x095D: case 0x095E: case 0x095F: {
                static const Py_UCS4 base[8] = {0x0915, 0x0916, 0x0917, 0x091C, 0x0921, 0x0922, 0x092B, 0x092F};
                dst[m++] = base[c - 0x0958];
                dst[m++] = NUKTA;
                continue;
            }
            case 0x0929: dst[m++] = 0x0928; dst[m++] = NUKTA; continue;
            case 0x0931: dst[m++] = 0x0930; dst[m++] = NUKTA; continue;
            case 0x0934: dst[m++] = 0x0933; dst[m++] = NUKTA; continue;
            case 0x0950: dst[m++] = 0x0913; dst[m++] = 0x092E; continue; /* ॐ -> ओम */
            default: break;
            }
        }
        dst[m++] = c;
    }
    return m;
}

#define STACK_CHARS 128

static PyObject *fastrules_romanize_word(PyObject *self, PyObject *word) {
    (void)self;
    if (!PyUnicode_Check(word)) {
        PyErr_Format(PyExc_TypeError, "romanize_word() argument must be str, not %.200s", Py_TYPE(word)->tp_name);
        return NULL;
    }
    if (PyUnicode_READY(word) < 0)
        return NULL;

    Py_UCS4 cbuf[2 * STACK_CHARS];
    Seg sbuf[4 * STACK_CHARS];
    unsigned char kbuf[4 * STACK_CHARS];
    char obuf[16 * STACK_CHARS + 8];
    Py_UCS4 *chars = cbuf;
    Seg *segs = sbuf;
    unsigned char *keep = kbuf;
    char *out = obuf;
    void *heap = NULL;
    PyObject *normalized = NULL, *result = NULL;

    PyObject *text = word;
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    Py_ssize_t n = -1;
    if (len <= STACK_CHARS)
        n = decompose(text, chars, 1);
    if (n < 0) {
        /* not known to be in NFC (or long): normalize through unicodedata */
        normalized = PyObject_CallFunctionObjArgs(normalize_func, nfc_str, word, NULL);
        if (normalized == NULL)
            return NULL;
        if (!PyUnicode_Check(normalized) || PyUnicode_READY(normalized) < 0) {
            PyErr_SetString(PyExc_TypeError, "unicodedata.normalize did not return a str");
            goto done;
        }
        text = normalized;
        len = PyUnicode_GET_LENGTH(text);
        if (len > STACK_CHARS) {
            /* chars: 2 len; segs: 4 len (2 per decomposed char); keep: 4 len; out: 16 len + 8 */
            size_t bytes = (size_t)len * (2 * sizeof(Py_UCS4) + 4 * sizeof(Seg) + 4 + 16) + 64;
            if ((size_t)len > PY_SSIZE_T_MAX / 64 || (heap = PyMem_Malloc(bytes)) == NULL) {
                PyErr_NoMemory();
                goto done;
            }
            chars = (Py_UCS4 *)heap;
            segs = (Seg *)(chars + 2 * len);
            keep = (unsigned char *)(segs + 4 * len);
            out = (char *)(keep + 4 * len);
        }
        n = decompose(text, chars, 0);
    }
    {
        char *end = romanize_chars(chars, n, segs, keep, out);
        Py_ssize_t olen = end - out;
        result = PyUnicode_New(olen, 127);
        if (result != NULL)
            memcpy(PyUnicode_1BYTE_DATA(result), out, (size_t)olen);
    }
done:
    Py_XDECREF(normalized);
    if (heap != NULL)
        PyMem_Free(heap);
    return result;
}

/* roman_skeleton(roman) -> str: lipyantar.translit.learned.model.roman_skeleton for ASCII input (the caller checks
   str.isascii()): lowercase; ph→f, w→v, z→j, q→k, x→ks; the aspiration h after k g c j t d p b s
   dropped (with any h after it: chh as ch); runs of one character (newlines excepted) collapsed; then the first letter (V for a
   vowel) and the consonants after it */
static int is_skel_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'; }

static PyObject *fastrules_roman_skeleton(PyObject *self, PyObject *arg) {
    if (!PyUnicode_Check(arg) || !PyUnicode_IS_ASCII(arg)) {
        PyErr_SetString(PyExc_TypeError, "roman_skeleton takes an ASCII str");
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    const char *in = (const char *)PyUnicode_DATA(arg);
    char small[128];
    char *buf = n * 2 + 1 <= (Py_ssize_t)sizeof(small) ? small : PyMem_Malloc(n * 2 + 1);
    if (!buf) return PyErr_NoMemory();
    /* 1. lowercase and the letter substitutions, in the order of the Python replaces */
    Py_ssize_t m = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        char c = in[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        char d = i + 1 < n ? in[i + 1] : 0;
        if (d >= 'A' && d <= 'Z') d = (char)(d - 'A' + 'a');
        if (c == 'p' && d == 'h') {
            buf[m++] = 'f';
            i++;
        } else if (c == 'w') {
            buf[m++] = 'v';
        } else if (c == 'z') {
            buf[m++] = 'j';
        } else if (c == 'q') {
            buf[m++] = 'k';
        } else if (c == 'x') {
            buf[m++] = 'k';
            buf[m++] = 's';
        } else {
            buf[m++] = c;
        }
    }
    /* 2. aspiration, 3. runs (in place: the write index never passes the read index) */
    Py_ssize_t a = 0;
    for (Py_ssize_t i = 0; i < m; i++) {
        char c = buf[i];
        buf[a++] = c;
        if (c && strchr("kgcjtdpbs", c))
            while (i + 1 < m && buf[i + 1] == 'h') i++;
    }
    Py_ssize_t r = 0;
    for (Py_ssize_t i = 0; i < a; i++) {
        if (i > 0 && buf[i] == buf[i - 1] && buf[i] != '\n') continue;
        buf[r++] = buf[i];
    }
    /* 4. the head letter and the consonants after it */
    Py_ssize_t o = 0;
    for (Py_ssize_t i = 0; i < r; i++) {
        if (i == 0)
            buf[o++] = is_skel_vowel(buf[0]) ? 'V' : buf[0];
        else if (!is_skel_vowel(buf[i]))
            buf[o++] = buf[i];
    }
    PyObject *out = PyUnicode_FromStringAndSize(buf, o);
    if (buf != small) PyMem_Free(buf);
    return out;
}

static PyMethodDef fastrules_methods[] = {
    {"romanize_word", fastrules_romanize_word, METH_O,
     "romanize_word(word) -> str: rule-based informal romanization of one Devanagari word "
     "(same output as lipyantar.translit.rules.romanize_word_python)"},
    {"roman_skeleton", fastrules_roman_skeleton, METH_O,
     "roman_skeleton(roman) -> str: lipyantar.translit.learned.model.roman_skeleton of an ASCII string"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef fastrules_module = {
    PyModuleDef_HEAD_INIT, "_fastrules", "Compiled rule-based romanizer of lipyantar (roman-rules).", -1,
    fastrules_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__fastrules(void) {
    PyObject *ud = PyImport_ImportModule("unicodedata");
    if (ud == NULL)
        return NULL;
    normalize_func = PyObject_GetAttrString(ud, "normalize");
    Py_DECREF(ud);
    if (normalize_func == NULL)
        return NULL;
    nfc_str = PyUnicode_InternFromString("NFC");
    if (nfc_str == NULL)
        return NULL;
    PyObject *module = PyModule_Create(&fastrules_module);
    if (module != NULL && PyModule_AddStringConstant(module, "RULES_VERSION", "1") < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
