/*
 * import.c — `starrate import`: the text of an annual review letter → evidence YAML.
 *
 * The work is done in passes over the text:
 *   1. normalise: one UTF-8 buffer, LF line ends, no control characters (Windows-1252 bytes
 *      and C1 code points are converted; anything YAML could not carry becomes a space);
 *   2. find the annex: the heading the pack's `letter` declaration names, which gives the
 *      round and so the pack to read the rest with, and where the annex ends;
 *   3. group lines into blocks: a bullet with its wrapped lines, nested bullets kept with
 *      their parent, or a plain paragraph (heading, sub-heading, council name, or a note);
 *   4. a small state machine over the blocks tracks service and section and turns each
 *      bullet into a finding (tags, codes, cleaned text) and quoted figures into values.
 *
 * Hard wrapping is the hard part: a wrapped line may start with "- " or hold a heading's
 * words. Where plain text is ambiguous the decision asks whether the line break could have
 * been made by a wrapper (the previous line was full); see looks_wrapped().
 *
 * Words: what a round's letters say is its pack's (`letter`, the services' headings, the
 * indicators' phrases; the catalogue, import.h): the annex and section headings, the words
 * of a sub-heading that say which section it opens, the lines that end the annex, the words
 * that make a figure a comparison, how long a section heading may be. The few English words
 * left here are not any round's but the language's and the page's, the same for every letter
 * a pack could describe, and each says so where it stands: number words and "per cent"
 * (reading a figure), "and"/"or" closing a list item, "Page 3 of 7", the small words of a
 * place name in title case, "for" before the year of the annex heading, and "Standard" in a
 * standard tag, which names the standards of the evaluator's own model (design.md: the
 * C core owns the shape, standards included); the pack says which standards a tag may name.
 */
#include "import.h"

#include "paf.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#define NPOS ((size_t)-1)

/* ---- characters ---------------------------------------------------------------------- */

/* ASCII-only classification on purpose: <ctype.h> depends on the locale. */
static int is_lower(int c) { return c >= 'a' && c <= 'z'; }
static int is_upper(int c) { return c >= 'A' && c <= 'Z'; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alpha(int c) { return is_lower(c) || is_upper(c); }
static int is_alnum(int c) { return is_alpha(c) || is_digit(c); }
static int to_lower(int c) { return is_upper(c) ? c + ('a' - 'A') : c; }
static int to_upper(int c) { return is_lower(c) ? c - ('a' - 'A') : c; }
static int uc(const char *s, size_t i) { return (unsigned char)s[i]; }

/* Length of the valid UTF-8 sequence at s (strict: no overlongs, no surrogates), or 0. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned c = s[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

static size_t utf8_encode(uint32_t cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Windows-1252 0x80-0x9F; 0 where the code page leaves the byte undefined. */
static const uint16_t cp1252[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

/* What a YAML 1.1 reader accepts unescaped and does not treat as a line break. Everything
 * else becomes a space, so the text we keep can always be written and read back. */
static int keepable(uint32_t cp)
{
    if (cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF)
        return 0;
    return (cp >= 0x20 && cp <= 0x7E) || (cp >= 0xA1 && cp <= 0xD7FF) ||
           (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

/* ---- the parser's state ---------------------------------------------------------------- */

typedef struct line_rec {
    int page;       /* a form feed started the line: the first line of a page */
    int marker;     /* a detached bullet's marker moved onto this line (MARKERS index + 1) */
    int moved;      /* a bullet marker alone, moved onto the text it belongs to */
    int running;    /* a running page header or footer repeated on several pages */
    const char *s;  /* content after the indentation, trailing spaces removed */
    size_t len;
    size_t indent;  /* leading spaces (a tab counts as one) */
    size_t width;   /* code points in the whole line, indentation included */
} line_rec;

/* Where each source line starts inside a block's joined text, to give figures a line. */
typedef struct seg {
    size_t off;
    int line;
} seg;

typedef struct block {
    int bullet;
    int marker;     /* index into MARKERS when bullet */
    size_t indent;
    int line, end_line;
    sr_buf text;
    seg *segs;
    size_t nsegs, capsegs;
} block;

/* A top-level block and its nested bullets. */
typedef struct group {
    int active;
    block top;
    block *det;
    size_t ndet, capdet;
} group;

typedef struct parser {
    const char *name;
    char *buf;
    line_rec *lines;
    size_t nlines;
    size_t start, end;       /* annex: heading line index .. end (exclusive) */
    size_t width;            /* widest line of the annex */
    int wrapped;             /* the annex looks hard-wrapped at `width` */
    im_letter *l;
    im_catalogue *cat;       /* how the letters of its round read (from the pack) */
    size_t annex_len;        /* length of the annex heading phrase that was found */
    size_t capf, capv, capn, caph, caps, capw;
    /* section state */
    int service;             /* -1 before the first service heading */
    int section;             /* an im_section, or -1 when bullets have nowhere to go */
    int capacity;            /* inside "Capacity for Improvement" */
    int dev;                 /* capacity concerns headed "areas for development" */
    int saw_service;
    /* grouping state */
    group cur;
    size_t prev;             /* last non-blank line added to a block */
    int has_prev;
    int brk;                 /* a blank line or a page artefact since `prev` */
    int page_brk;            /* a page break or a page header/footer since `prev` */
    int oom;
} parser;

/* Doubles *cap until index n fits; 0 on allocation failure. */
static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 1;
    size_t nc = *cap ? *cap * 2 : 8;
    if (nc > SIZE_MAX / size)
        return 0;
    void *p = sr_realloc(*arr, nc * size);
    if (!p)
        return 0;
    *arr = p;
    *cap = nc;
    return 1;
}

/* ---- pass 1: normalise ------------------------------------------------------------------ */

static uint32_t map_cp(uint32_t cp)
{
    /* C1 code points in valid UTF-8 are almost always Windows-1252 text that was converted
     * as if it were Latin-1; read them as the characters they were meant to be. */
    if (cp >= 0x80 && cp <= 0x9F)
        cp = cp1252[cp - 0x80] ? cp1252[cp - 0x80] : 0xFFFD;
    if (cp == 0xA0 || !keepable(cp))
        return ' ';
    return cp;
}

static size_t normalise_text(const char *text, size_t len, char *o)
{
    const unsigned char *t = (const unsigned char *)text;
    size_t k = 0;
    for (size_t i = 0; i < len;) {
        unsigned c = t[i];
        if (c == '\r' || c == '\n') {
            o[k++] = '\n';
            i += (c == '\r' && i + 1 < len && t[i + 1] == '\n') ? 2 : 1;
            continue;
        }
        if (c == '\f') {  /* a page break: kept for now, marks the line (see normalise) */
            o[k++] = '\f';
            i++;
            continue;
        }
        if (c < 0x20 || c == 0x7F) {  /* tabs and stray controls */
            o[k++] = ' ';
            i++;
            continue;
        }
        if (c < 0x80) {
            o[k++] = (char)c;
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = utf8_decode(t + i, len - i, &cp);
        if (n == 0) {  /* not UTF-8: read the byte as Windows-1252 */
            cp = c >= 0xA0 ? c : (cp1252[c - 0x80] ? cp1252[c - 0x80] : 0xFFFD);
            n = 1;
        }
        i += n;
        if (cp == 0xAD || (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060)
            continue;  /* soft hyphen, zero-width spaces and joiners: invisible in the letter */
        if (cp >= 0xFB00 && cp <= 0xFB04) {  /* ligatures from PDF text: ff fi fl ffi ffl */
            static const char *const lig[] = {"ff", "fi", "fl", "ffi", "ffl"};
            size_t m = strlen(lig[cp - 0xFB00]);
            memcpy(o + k, lig[cp - 0xFB00], m);  /* never longer than the 3 bytes read */
            k += m;
            continue;
        }
        cp = map_cp(cp);
        k += utf8_encode(cp, o + k);
    }
    o[k] = '\0';
    return k;
}

static size_t utf8_width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if ((uc(s, i) & 0xC0) != 0x80)
            w++;
    return w;
}

static int normalise(parser *P, const char *text, size_t len)
{
    if (len > (SIZE_MAX - 1) / 3)
        return 0;
    P->buf = sr_malloc(len * 3 + 1);
    if (!P->buf)
        return 0;
    size_t k = normalise_text(text, len, P->buf);
    size_t n = 1;
    for (size_t i = 0; i < k; i++)
        if (P->buf[i] == '\n' && i + 1 < k)
            n++;
    P->lines = sr_calloc(n, sizeof *P->lines);
    if (!P->lines)
        return 0;
    char *s = P->buf;
    size_t idx = 0;
    while (idx < n) {
        char *e = strchr(s, '\n');
        if (!e)
            e = s + strlen(s);
        line_rec *L = &P->lines[idx++];
        /* A form feed starts a page: it marks the line and takes no room in it. */
        while (s < e && *s == '\f') {
            s++;
            L->page = 1;
        }
        for (char *f = s; f < e; f++)
            if (*f == '\f')
                *f = ' ';
        size_t full = (size_t)(e - s);
        size_t ind = 0;
        while (ind < full && s[ind] == ' ')
            ind++;
        size_t end = full;
        while (end > ind && s[end - 1] == ' ')
            end--;
        L->s = s + ind;
        L->len = end - ind;
        L->indent = ind;
        L->width = ind + utf8_width(s + ind, end - ind);
        if (*e == '\0')
            break;
        *e = '\0';
        s = e + 1;
    }
    P->nlines = idx;
    return 1;
}

/* ---- small text helpers ----------------------------------------------------------------- */

/* Case-insensitive ASCII prefix test. */
static int starts_fold(const char *s, size_t n, const char *p)
{
    size_t m = strlen(p);
    if (m > n)
        return 0;
    for (size_t i = 0; i < m; i++)
        if (to_lower(uc(s, i)) != to_lower(uc(p, i)))
            return 0;
    return 1;
}

/* starts_fold and the prefix ends at a word boundary. */
static int starts_word_fold(const char *s, size_t n, const char *p)
{
    size_t m = strlen(p);
    return starts_fold(s, n, p) && (m == n || !is_alnum(uc(s, m)));
}

static int contains_fold(const char *s, size_t n, const char *p)
{
    size_t m = strlen(p);
    for (size_t i = 0; i + m <= n; i++)
        if (starts_fold(s + i, n - i, p))
            return 1;
    return 0;
}

static size_t rtrim(const char *s, size_t n)
{
    while (n > 0 && s[n - 1] == ' ')
        n--;
    return n;
}

static int in_list(const char *s, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(s, list[i]) == 0)
            return 1;
    return 0;
}

/* s starts with one of the n words of list, at a word boundary. */
static int prefix_in_words(const char *s, size_t n, char *const *list, size_t nlist)
{
    for (size_t i = 0; i < nlist; i++)
        if (starts_word_fold(s, n, list[i]))
            return 1;
    return 0;
}

/* s holds one of the n words of list anywhere (case aside: "concerns" holds "concern"). */
static int contains_words(const char *s, size_t n, char *const *list, size_t nlist)
{
    for (size_t i = 0; i < nlist; i++)
        if (contains_fold(s, n, list[i]))
            return 1;
    return 0;
}

/* A folded heading f (fold_heading) is one of the pack's: equal to an entry, or starting
 * with a prefix entry at a word boundary. */
static int heads_match(const im_heads *h, const char *f, size_t fl)
{
    for (size_t i = 0; i < h->n; i++)
        if (h->prefix[i] ? starts_word_fold(f, fl, h->text[i]) : strcmp(f, h->text[i]) == 0)
            return 1;
    return 0;
}

/* ---- line classification ------------------------------------------------------------------ */

typedef struct marker_def {
    const char *bytes;
    int ambiguous;  /* can also start a wrapped line of running text */
} marker_def;

static const marker_def MARKERS[] = {
    {"-", 1},
    {"\xE2\x80\x93", 1},  /* – en dash */
    {"\xE2\x80\x94", 1},  /* — em dash */
    {"*", 1},
    {"o", 1},
    {"\xC2\xB7", 0},      /* · middle dot (Windows-1252 0xB7) */
    {"\xE2\x80\xA2", 0},  /* • bullet (Windows-1252 0x95) */
    {"\xC2\xA7", 0},      /* § */
    {"\xE2\x96\xAA", 0},  /* ▪ */
    {"\xE2\x97\x8F", 0},  /* ● */
    {"\xE2\x97\xA6", 0},  /* ◦ */
    {"\xE2\x81\x83", 0},  /* ⁃ hyphen bullet */
    {"\xEF\x82\xB7", 0},  /* U+F0B7: Symbol-font bullet from word processors */
    {"\xEF\x82\xA7", 0},  /* U+F0A7: Wingdings bullet */
    {"\xE2\x80\xA3", 0},  /* ‣ triangular bullet */
    {"\xE2\x88\x99", 0},  /* ∙ bullet operator */
    {"\xE2\x96\xA0", 0},  /* ■ */
    {"\xE2\x96\xA1", 0},  /* □ */
    {"\xE2\x96\xBA", 0},  /* ► */
    {"\xE2\x97\x86", 0},  /* ◆ */
    {"\xE2\x9E\xA2", 0},  /* ➢ */
    {"\xE2\x9C\x93", 0},  /* ✓ */
    {"\xE2\x9D\x96", 0},  /* ❖ */
};

/* Other symbol-font glyphs (U+F000-U+F0FF, private use) at the start of a line are bullets
 * too: word processors map Symbol and Wingdings bullets there. Read as the Symbol bullet. */
static int pua_bullet(const char *s, size_t n)
{
    return n >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] >= 0x80 &&
           (unsigned char)s[1] <= 0x83;
}
#define PUA_MARKER 12  /* the index of U+F0B7 above */
#define NMARKERS (sizeof MARKERS / sizeof MARKERS[0])

/* Whether the line starts with a bullet; *skip is the length of marker and spaces. */
static int bullet_marker(const line_rec *L, size_t *skip, int *marker, int *ambiguous)
{
    if (L->marker) {  /* a detached marker was moved here (attach_markers) */
        *skip = 0;
        *marker = L->marker - 1;
        *ambiguous = 0;
        return 1;
    }
    for (size_t m = 0; m < NMARKERS; m++) {
        size_t ml = strlen(MARKERS[m].bytes);
        if (L->len < ml || memcmp(L->s, MARKERS[m].bytes, ml) != 0)
            continue;
        size_t i = ml;
        if (MARKERS[m].ambiguous) {
            /* "-", "*", "o" need a space and some text after them */
            if (i >= L->len || L->s[i] != ' ')
                return 0;
        }
        while (i < L->len && L->s[i] == ' ')
            i++;
        if (MARKERS[m].ambiguous && i >= L->len)
            return 0;
        *skip = i;
        *marker = (int)m;
        *ambiguous = MARKERS[m].ambiguous;
        return 1;
    }
    if (pua_bullet(L->s, L->len) && (L->len == 3 || L->s[3] == ' ')) {
        size_t i = 3;
        while (i < L->len && L->s[i] == ' ')
            i++;
        *skip = i;
        *marker = PUA_MARKER;
        *ambiguous = 0;
        return 1;
    }
    return 0;
}

static size_t skip_digits(const char *s, size_t n, size_t i, size_t maxd, int *ok)
{
    size_t j = i;
    while (j < n && is_digit(uc(s, j)) && j - i < maxd + 1)
        j++;
    *ok = j > i && j - i <= maxd;
    return j;
}

static size_t skip_dash(const char *s, size_t n, size_t i)
{
    if (i < n && s[i] == '-')
        return i + 1;
    if (i + 2 < n && uc(s, i) == 0xE2 && uc(s, i + 1) == 0x80 &&
        (uc(s, i + 2) == 0x93 || uc(s, i + 2) == 0x94))
        return i + 3;
    return i;
}

/* "Page 3", "Page 3 of 7", "3 of 7", "- 3 -", "12": artefacts of printing, not letter text
 * (how a printed page is numbered, not a round's words: they stay here). */
static int is_page_artefact(const line_rec *L)
{
    const char *s = L->s;
    size_t n = L->len, i = 0;
    int ok;
    if (starts_fold(s, n, "page ")) {
        i = 5;
        while (i < n && s[i] == ' ')
            i++;
    }
    size_t d = skip_dash(s, n, i);
    if (d != i) {  /* - 3 - */
        i = d;
        while (i < n && s[i] == ' ')
            i++;
        i = skip_digits(s, n, i, 3, &ok);
        if (!ok)
            return 0;
        while (i < n && s[i] == ' ')
            i++;
        d = skip_dash(s, n, i);
        return d != i && d == n;
    }
    i = skip_digits(s, n, i, 3, &ok);
    if (!ok)
        return 0;
    if (i == n)
        return 1;
    if (!starts_fold(s + i, n - i, " of "))
        return 0;
    i += 4;
    i = skip_digits(s, n, i, 3, &ok);
    return ok && i == n;
}

/* A line that is a bare label: the word, one space and a short mark of one to three letters
 * or digits ("Appendix 2", "ANNEX B:", "Annexe iii."). How labels are numbered is how
 * documents are set out, not the round's words: the words are the pack's. */
static int bare_label(const line_rec *L, const char *label)
{
    size_t j = strlen(label);
    if (!starts_word_fold(L->s, L->len, label) || j >= L->len || L->s[j] != ' ')
        return 0;
    j++;
    size_t k = j;
    while (k < L->len && is_alnum(uc(L->s, k)))
        k++;
    if (k == j || k - j > 3)
        return 0;
    if (k < L->len && (L->s[k] == ':' || L->s[k] == '.'))
        k++;
    return k == L->len;
}

/* Lines that close the annex when a committee paper carries on after the letter: one that
 * starts with a word of the pack's annex_end ("Background papers"), or one of its
 * annex_labels as a bare label. */
static int is_annex_end(const im_catalogue *c, const line_rec *L)
{
    if (prefix_in_words(L->s, L->len, c->words[RP_WORDS_ANNEX_END],
                        c->nwords[RP_WORDS_ANNEX_END]))
        return 1;
    for (size_t i = 0; i < c->nwords[RP_WORDS_ANNEX_LABELS]; i++)
        if (bare_label(L, c->words[RP_WORDS_ANNEX_LABELS][i]))
            return 1;
    return 0;
}

/* The pack's annex heading ("HEADING 2003: (COUNCIL)" and variants), not
 * running text that happens to start with its words: what follows must be a year,
 * punctuation, or capitals. */
static int is_annex_heading(const char *phrase, const line_rec *L)
{
    size_t m = strlen(phrase);
    if (!phrase[0] || !starts_word_fold(L->s, L->len, phrase))
        return 0;
    size_t i = m;
    while (i < L->len && L->s[i] == ' ')
        i++;
    if (i == L->len)
        return 1;
    int c = uc(L->s, i);
    if (is_digit(c) || c == ':' || c == '(' || c == '-' || skip_dash(L->s, L->len, i) != i)
        return 1;
    for (size_t j = i; j < L->len; j++)
        if (is_lower(uc(L->s, j)))
            return 0;
    return 1;
}

/* ---- headings ------------------------------------------------------------------------- */

/* What a heading opens: a service's part (H_SERVICE), or a section (the pack's letter lists). */
enum { H_NONE, H_SERVICE, H_IMP, H_AFI, H_CAP, H_SUB };

/* Length of the pack's sub-heading phrase starting s, or 0. */
static size_t sub_heading(const im_catalogue *c, const char *s, size_t n)
{
    const im_heads *h = &c->heads[RP_LETTER_SUB];
    for (size_t i = 0; i < h->n; i++)
        if (starts_word_fold(s, n, h->text[i]))
            return strlen(h->text[i]);
    return 0;
}

/* Classifies a heading candidate. For H_SUB, *rest is set past the sub-heading phrase; for
 * H_SERVICE, *svc to the service's index. The pack's length limits (improvement_heading_max,
 * capacity_heading_max) keep a sentence that starts like a section heading from being read
 * as one. */
static int heading_kind(const parser *P, const char *s, size_t n, size_t *rest, int *svc)
{
    const im_catalogue *c = P->cat;
    size_t m = sub_heading(c, s, n);
    if (m) {
        if (rest)
            *rest = m;
        return H_SUB;
    }
    char f[128];
    if (!im_fold_heading(c, s, n, f, sizeof f))
        return H_NONE;
    size_t fl = strlen(f);
    for (size_t k = 0; k < c->nservices; k++)
        if (heads_match(&c->service_heads[k], f, fl)) {
            if (svc)
                *svc = (int)k;
            return H_SERVICE;
        }
    if (heads_match(&c->heads[RP_LETTER_AREAS], f, fl))
        return H_AFI;
    if ((!c->improvement_max || fl <= c->improvement_max) &&
        heads_match(&c->heads[RP_LETTER_IMPROVEMENTS], f, fl))
        return H_IMP;
    if ((!c->capacity_max || fl <= c->capacity_max) &&
        heads_match(&c->heads[RP_LETTER_CAPACITY], f, fl))
        return H_CAP;
    return H_NONE;
}

/* Whether a sub-heading's words name an area-for-improvement heading of the pack. */
static int names_areas(const im_catalogue *c, const char *r, size_t n)
{
    const im_heads *h = &c->heads[RP_LETTER_AREAS];
    for (size_t i = 0; i < h->n; i++)
        if (contains_fold(r, n, h->text[i]))
            return 1;
    return 0;
}

/* Whether the rest of a sub-heading holds a word of one of the pack's sub_heading_words. */
static int sub_says(const im_catalogue *c, const char *r, size_t n, rp_letter_words k)
{
    return contains_words(r, n, c->words[k], c->nwords[k]);
}

/* The section a sub-heading ("Assessment has highlighted the following ...") opens, or -1,
 * from the words of the rest of it (the pack's sub_heading_words): one speaking of capacity
 * opens a capacity section wherever it stands, its concerns read before its development;
 * another opens the capacity section's when a capacity heading came before, its development
 * read before its concerns (or an area heading of the pack). Improvements are read last. */
static int sub_section(const im_catalogue *c, const char *r, size_t n, int capacity, int *dev)
{
    *dev = 0;
    int devel = sub_says(c, r, n, RP_WORDS_DEVELOPMENT);
    if (sub_says(c, r, n, RP_WORDS_CAPACITY)) {
        if (sub_says(c, r, n, RP_WORDS_CONCERN))
            return IM_CAPACITY_CONCERN;
        if (devel) {
            *dev = 1;
            return IM_CAPACITY_CONCERN;
        }
        if (sub_says(c, r, n, RP_WORDS_IMPROVEMENT))
            return IM_CAPACITY_IMPROVEMENT;
        return -1;
    }
    if (devel) {
        *dev = capacity;
        return capacity ? IM_CAPACITY_CONCERN : IM_AREA_FOR_IMPROVEMENT;
    }
    if (sub_says(c, r, n, RP_WORDS_CONCERN) || names_areas(c, r, n))
        return capacity ? IM_CAPACITY_CONCERN : IM_AREA_FOR_IMPROVEMENT;
    if (sub_says(c, r, n, RP_WORDS_IMPROVEMENT))
        return capacity ? IM_CAPACITY_IMPROVEMENT : IM_IMPROVEMENT;
    return -1;
}

/* ---- standard tags, codes, cleaning --------------------------------------------------- */

/* "Standard 3", "Standards 1 and 3", "Standards 1, 3 and 5" (the whole of s). "Standard" is
 * the model's word (the evaluator's shape, like `standards:` in the evidence), not a round's;
 * which numbers a tag may carry is the pack's (tags_allowed). */
static int parse_std_list(const char *s, size_t n, int *nums, int *k)
{
    size_t i = 0;
    *k = 0;
    while (i < n && s[i] == ' ')
        i++;
    if (starts_fold(s + i, n - i, "standards"))
        i += 9;
    else if (starts_fold(s + i, n - i, "standard"))
        i += 8;
    else
        return 0;
    for (;;) {
        while (i < n && s[i] == ' ')
            i++;
        int ok;
        size_t j = skip_digits(s, n, i, 2, &ok);
        if (!ok)
            return 0;
        int v = 0;
        for (size_t d = i; d < j; d++)
            v = v * 10 + (s[d] - '0');
        if (*k < 8)
            nums[(*k)++] = v;
        i = j;
        while (i < n && s[i] == ' ')
            i++;
        if (i == n)
            return 1;
        int sep = 0;
        if (s[i] == ',' || s[i] == '&' || s[i] == '/') {
            i++;
            sep = 1;
            while (i < n && s[i] == ' ')
                i++;
        }
        if (starts_word_fold(s + i, n - i, "and")) {
            i += 3;
            sep = 1;
        }
        if (!sep)
            return 0;
    }
}

/* Start of a standard tag that ends s, or NPOS. */
static size_t tag_at_end(const char *s, size_t n, int *nums, int *k)
{
    if (n == 0)
        return NPOS;
    if (s[n - 1] == ')' || s[n - 1] == ']') {
        char open = s[n - 1] == ')' ? '(' : '[';
        size_t lo = n > 80 ? n - 80 : 0;
        for (size_t o = n - 1; o-- > lo;) {
            if (s[o] == open)
                return parse_std_list(s + o + 1, n - 2 - o, nums, k) ? o : NPOS;
            if (s[o] == ')' || s[o] == ']')
                break;
        }
        return NPOS;
    }
    /* bare "... needs attention. Standard 3": only after punctuation, not in a sentence */
    size_t lo = n > 40 ? n - 40 : 0;
    for (size_t p = n; p-- > lo;) {
        if (!starts_word_fold(s + p, n - p, "standard") &&
            !starts_word_fold(s + p, n - p, "standards"))
            continue;
        if (p > 0 && s[p - 1] != ' ')
            return NPOS;
        if (!parse_std_list(s + p, n - p, nums, k))
            return NPOS;
        size_t q = rtrim(s, p);
        if (q == 0 || strchr(".;,-", s[q - 1]))
            return p;
        return NPOS;
    }
    return NPOS;
}

/* The standards a finding may be tagged with, as a bit set (bit n - 1 for standard n): the
 * serving standards in a service's sections, the capacity standard in its capacity section. */
static unsigned tags_allowed(const parser *P)
{
    const im_catalogue *c = P->cat;
    if (P->section >= IM_CAPACITY_IMPROVEMENT)
        return c->capacity_standard ? 1u << (c->capacity_standard - 1) : 0;
    return c->serving_standards;
}

static int tag_fits(const int *nums, int k, unsigned allowed)
{
    for (int i = 0; i < k; i++) {
        if (nums[i] < 1 || nums[i] > RP_STANDARDS || !(allowed & (1u << (nums[i] - 1))))
            return 0;
    }
    return k > 0;
}

static void add_standard(im_finding *f, int v)
{
    for (int i = 0; i < f->nstandards; i++)
        if (f->standards[i] == v)
            return;
    if (f->nstandards >= RP_STANDARDS)
        return;
    int i = f->nstandards++;
    while (i > 0 && f->standards[i - 1] > v) {  /* keep ascending */
        f->standards[i] = f->standards[i - 1];
        i--;
    }
    f->standards[i] = v;
}

static int ends_with_word(const char *s, size_t n, const char *w)
{
    size_t m = strlen(w);
    if (n < m || (n > m && s[n - m - 1] != ' '))
        return 0;
    return starts_fold(s + n - m, m, w);
}

/* Trims the connectives a list leaves at the end ("; and", ";", " and", ".") and a standard
 * tag the finding can hold (`allowed`, tags_allowed); the tag's numbers go to f (when f is
 * not NULL). A tag the finding cannot hold (the capacity standard in a services section)
 * stays in the text. */
static size_t clean_text(const char *s, size_t n, unsigned allowed, im_finding *f)
{
    for (;;) {
        n = rtrim(s, n);
        if (n == 0)
            return 0;
        char c = s[n - 1];
        if (c == ';' || c == ',' || c == '.') {
            n--;
            continue;
        }
        if (ends_with_word(s, n, "and")) {
            n -= 3;
            continue;
        }
        int nums[8], k;
        size_t t = tag_at_end(s, n, nums, &k);
        if (t != NPOS && tag_fits(nums, k, allowed)) {
            for (int i = 0; f && i < k; i++)
                add_standard(f, nums[i]);
            n = t;
            continue;
        }
        return n;
    }
}

/* An indicator code of the round's catalogue at s[i], as a whole word: its length, with
 * *def its entry; 0 when there is none. A code-like word outside the catalogue (a postcode)
 * stays in the text only: the evidence reader rejects codes its pack does not know, and a
 * figure is only proposed for a percentage indicator of the service being read. */
static size_t code_at(const parser *P, const char *s, size_t n, size_t i, const im_code **def)
{
    if (!is_alnum(uc(s, i)) || (i > 0 && is_alnum(uc(s, i - 1))))
        return 0;
    const im_catalogue *cat = P->cat;
    for (size_t k = 0; cat && k < cat->n; k++) {
        const char *code = cat->codes[k].code;
        size_t m = strlen(code);
        if (code[0] == s[i] && m <= n - i && memcmp(code, s + i, m) == 0 &&
            (i + m == n || !is_alnum(uc(s, i + m)))) {
            if (def)
                *def = &cat->codes[k];
            return m;
        }
    }
    return 0;
}

static int add_code(im_finding *f, size_t *cap, const char *s, size_t n)
{
    for (size_t i = 0; i < f->ncodes; i++)
        if (strlen(f->codes[i]) == n && memcmp(f->codes[i], s, n) == 0)
            return 1;
    if (!grow((void **)&f->codes, cap, f->ncodes, sizeof *f->codes))
        return 0;
    char *c = sr_strndup(s, n);
    if (!c)
        return 0;
    f->codes[f->ncodes++] = c;
    return 1;
}

static int scan_codes(const parser *P, im_finding *f, size_t *cap, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t m = code_at(P, s, n, i, NULL);
        if (m && !add_code(f, cap, s + i, m))
            return 0;
    }
    return 1;
}

/* ---- figures quoted as indicator values ------------------------------------------------- */

static size_t skip_apostrophe(const char *s, size_t n, size_t j)
{
    for (;;) {
        if (j < n && s[j] == '\'')
            j++;
        else if (j + 2 < n && uc(s, j) == 0xE2 && uc(s, j + 1) == 0x80 && uc(s, j + 2) == 0x99)
            j += 3;
        else
            return j;
    }
}

/* End of a match of pat at s[i] (case-insensitive, apostrophes ignored, a space matching a
 * run of spaces, ending on a word boundary), or 0. */
static size_t match_name(const char *s, size_t n, size_t i, const char *pat)
{
    size_t j = i;
    for (const char *p = pat; *p; p++) {
        j = skip_apostrophe(s, n, j);
        if (*p == ' ') {
            if (j >= n || s[j] != ' ')
                return 0;
            while (j < n && s[j] == ' ')
                j++;
            continue;
        }
        if (j >= n || to_lower(uc(s, j)) != (unsigned char)*p)
            return 0;
        j++;
    }
    j = skip_apostrophe(s, n, j);
    if (j < n && is_alnum(uc(s, j)))
        return 0;
    return j;
}

/* English number words: how a figure is written in words, the language's and not a round's
 * (like digits and "per cent" in parse_percent), so they stay here. */
static const char *const NUM_UNITS[] = {"one", "two", "three", "four", "five", "six", "seven",
                                        "eight", "nine", NULL};
static const char *const NUM_TEENS[] = {"ten", "eleven", "twelve", "thirteen", "fourteen",
                                        "fifteen", "sixteen", "seventeen", "eighteen",
                                        "nineteen", NULL};
static const char *const NUM_TENS[] = {"twenty", "thirty", "forty", "fifty", "sixty",
                                       "seventy", "eighty", "ninety", NULL};

static int word_index(const char *s, size_t n, size_t i, const char *const *list, size_t *end)
{
    for (size_t w = 0; list[w]; w++) {
        if (starts_word_fold(s + i, n - i, list[w])) {
            *end = i + strlen(list[w]);
            return (int)w;
        }
    }
    return -1;
}

/* "eight", "ninety nine", "ninety-nine", "one hundred". */
static int number_words(const char *s, size_t n, size_t i, double *v, size_t *end)
{
    size_t e;
    int w;
    if ((w = word_index(s, n, i, NUM_TENS, &e)) >= 0) {
        *v = 20 + 10 * w;
        *end = e;
        if (e < n && (s[e] == ' ' || s[e] == '-')) {
            size_t e2;
            int u = word_index(s, n, e + 1, NUM_UNITS, &e2);
            if (u >= 0) {
                *v += u + 1;
                *end = e2;
            }
        }
        return 1;
    }
    if ((w = word_index(s, n, i, NUM_TEENS, &e)) >= 0) {
        *v = 10 + w;
        *end = e;
        return 1;
    }
    if ((w = word_index(s, n, i, NUM_UNITS, &e)) >= 0) {
        *v = w + 1;
        *end = e;
        if (w == 0 && e + 1 < n && s[e] == ' ' && starts_word_fold(s + e + 1, n - e - 1, "hundred")) {
            *v = 100;
            *end = e + 8;
        }
        return 1;
    }
    return 0;
}

/* A percentage at s[i]: "68%", "(eight per cent)", "44.37 per cent"; 0..100 only. */
static int parse_percent(const char *s, size_t n, size_t i, double *val)
{
    size_t p = i;
    if (p < n && (s[p] == '(' || s[p] == '['))
        p++;
    double v = 0;
    size_t q;
    if (p < n && is_digit(uc(s, p))) {
        int ok;
        q = skip_digits(s, n, p, 3, &ok);
        if (!ok)
            return 0;
        for (size_t d = p; d < q; d++)
            v = v * 10 + (s[d] - '0');
        if (q + 1 < n && s[q] == '.' && is_digit(uc(s, q + 1))) {
            size_t f = q + 1;
            double scale = 1;
            long frac = 0;
            while (f < n && is_digit(uc(s, f)) && f - q <= 4) {
                frac = frac * 10 + (s[f] - '0');
                scale *= 10;
                f++;
            }
            if (f < n && is_digit(uc(s, f)))
                return 0;
            v += (double)frac / scale;
            q = f;
        }
        if (q < n && is_alnum(uc(s, q)) && s[q] != '%')
            return 0;
    } else if (!number_words(s, n, p, &v, &q)) {
        return 0;
    }
    if (q < n && s[q] == '%') {
        /* fine */
    } else {
        while (q < n && s[q] == ' ')
            q++;
        if (!starts_word_fold(s + q, n - q, "per cent") && !starts_word_fold(s + q, n - q, "percent") &&
            !starts_word_fold(s + q, n - q, "per-cent"))
            return 0;
    }
    if (v < 0 || v > 100)
        return 0;
    *val = v;
    return 1;
}

/* Whether the word s (n bytes, its punctuation aside) is one of the pack's comparison_words:
 * a word that makes a nearby figure something other than the indicator's own value (a
 * comparison, a target, a band, a change). */
static int token_blocks(const im_catalogue *c, const char *s, size_t n)
{
    char w[32];
    size_t a = 0, b = n, k = 0;
    while (a < b && !is_alnum(uc(s, a)))
        a++;
    while (b > a && !is_alnum(uc(s, b - 1)))
        b--;
    if (b - a >= sizeof w)
        return 0;
    for (size_t i = a; i < b; i++)
        w[k++] = (char)to_lower(uc(s, i));
    w[k] = '\0';
    for (size_t i = 0; i < c->nwords[RP_WORDS_COMPARISON]; i++)
        if (strcmp(w, c->words[RP_WORDS_COMPARISON][i]) == 0)
            return 1;
    return 0;
}

/* A percentage within four words after pos, in the same sentence, with nothing between
 * that makes it a comparison. *fig is where it starts. */
static int figure_after(const im_catalogue *c, const char *s, size_t n, size_t pos, double *val,
                        size_t *fig)
{
    for (int words = 0; words <= 4; words++) {
        while (pos < n && s[pos] == ' ')
            pos++;
        if (pos >= n)
            return 0;
        if (parse_percent(s, n, pos, val)) {
            *fig = pos;
            return 1;
        }
        size_t t = pos;
        while (t < n && s[t] != ' ')
            t++;
        if (token_blocks(c, s + pos, t - pos))
            return 0;
        if (strchr(".;:!?", s[t - 1]))
            return 0;
        pos = t;
    }
    return 0;
}

static int is_sentence_end(const char *s, size_t n, size_t i)
{
    return strchr(".!?", s[i]) && s[i] != '\0' && (i + 1 == n || s[i + 1] == ' ');
}

/* ---- building the letter ----------------------------------------------------------------- */

static void finding_free(im_finding *f)
{
    sr_free(f->text);
    sr_free_strings(f->codes, f->ncodes);
    sr_free_strings(f->details, f->ndetails);
    sr_free(f->detail_lines);
    memset(f, 0, sizeof *f);
}

static int push_note(parser *P, im_note **arr, size_t *n, size_t *cap, int line, int end_line,
                     const char *s, size_t len)
{
    if (!grow((void **)arr, cap, *n, sizeof **arr)) {
        P->oom = 1;
        return 0;
    }
    char *t = sr_strndup(s, rtrim(s, len));
    if (!t) {
        P->oom = 1;
        return 0;
    }
    (*arr)[*n].line = line;
    (*arr)[*n].end_line = end_line;
    (*arr)[*n].text = t;
    (*n)++;
    return 1;
}

static void add_note_block(parser *P, const block *b)
{
    push_note(P, &P->l->notes, &P->l->nnotes, &P->capn, b->line, b->end_line,
              b->text.data ? b->text.data : "", b->text.len);
}

static void add_heading_block(parser *P, const block *b)
{
    push_note(P, &P->l->headings, &P->l->nheadings, &P->caph, b->line, b->end_line,
              b->text.data ? b->text.data : "", b->text.len);
}

static void add_skipped(parser *P, size_t idx)
{
    const line_rec *L = &P->lines[idx];
    push_note(P, &P->l->skipped, &P->l->nskipped, &P->caps, (int)idx + 1, (int)idx + 1, L->s,
              L->len);
}

static int line_at(const block *b, size_t off)
{
    int line = b->line;
    for (size_t i = 0; i < b->nsegs && b->segs[i].off <= off; i++)
        line = b->segs[i].line;
    return line;
}

static int have_value(const im_letter *l, int service, const char *code)
{
    for (size_t i = 0; i < l->nvalues; i++)
        if (l->values[i].service == service && strcmp(l->values[i].code, code) == 0)
            return 1;
    return 0;
}

/* The sentence around s[from..to), looking no further than SENTENCE_REACH bytes each way so
 * that a letter with no full stops cannot make the search quadratic. A cut falls on a space. */
#define SENTENCE_REACH 400

static void sentence_bounds(const char *s, size_t n, size_t from, size_t to, size_t *a, size_t *e)
{
    size_t lo = from > SENTENCE_REACH ? from - SENTENCE_REACH : 0;
    size_t x = from;
    while (x > lo && !(x >= 2 && s[x - 1] == ' ' && is_sentence_end(s, n, x - 2)))
        x--;
    if (x == lo && lo > 0) {
        while (x < from && s[x] != ' ')
            x++;
    }
    size_t hi = n - to > SENTENCE_REACH ? to + SENTENCE_REACH : n;
    size_t y = to;
    while (y < hi && !is_sentence_end(s, n, y))
        y++;
    if (y < hi)
        y++;  /* keep the full stop */
    else if (hi < n)
        while (y > to && s[y - 1] != ' ')
            y--;
    *a = x;
    *e = y;
}

static void add_value(parser *P, const block *b, const char *code, size_t from, size_t fig,
                      double v)
{
    const char *s = b->text.data;
    size_t a, e;
    sentence_bounds(s, b->text.len, from, fig, &a, &e);
    im_letter *l = P->l;
    if (!grow((void **)&l->values, &P->capv, l->nvalues, sizeof *l->values)) {
        P->oom = 1;
        return;
    }
    im_value *iv = &l->values[l->nvalues];
    iv->service = P->service;
    iv->value = v;
    iv->line = line_at(b, fig);
    iv->code = sr_strdup(code);
    iv->text = sr_strndup(s + a, clean_text(s + a, e - a, P->cat->serving_standards, NULL));
    if (!iv->code || !iv->text) {
        sr_free(iv->code);
        sr_free(iv->text);
        P->oom = 1;
        return;
    }
    l->nvalues++;
}

static int sentence_has(const char *s, size_t n, size_t at, const char *word)
{
    size_t a, e;
    sentence_bounds(s, n, at, at, &a, &e);
    return contains_fold(s + a, e - a, word);
}

static void scan_values(parser *P, const block *b)
{
    const char *s = b->text.data;
    size_t n = b->text.len;
    double v;
    size_t fig;
    for (size_t i = 0; i < n && !P->oom; i++) {
        if (i > 0 && is_alnum(uc(s, i - 1)))
            continue;
        const im_code *def = NULL;
        size_t m = code_at(P, s, n, i, &def);
        if (m) {
            size_t e = i + m;
            if (e < n && (s[e] == ')' || s[e] == ']'))
                e++;
            /* the first figure stated wins; later ones stay in the finding's text */
            if (def->percent && def->service == P->service &&
                !have_value(P->l, P->service, def->code) &&
                figure_after(P->cat, s, n, e, &v, &fig))
                add_value(P, b, def->code, i, fig, v);
            continue;
        }
        /* the pack's phrases naming a percentage indicator of this service (deliberately
         * few: a wrong value is worse than none); only a figure stated in the same sentence,
         * right after the name, is taken (figure_after) */
        for (size_t k = 0; P->cat && k < P->cat->nphrases; k++) {
            const im_phrase *ph = &P->cat->phrases[k];
            const im_code *named = &P->cat->codes[ph->code];
            if (named->service != P->service || !named->percent)
                continue;
            size_t e = match_name(s, n, i, ph->words);
            if (!e)
                continue;
            if (!have_value(P->l, P->service, named->code) &&
                figure_after(P->cat, s, n, e, &v, &fig) &&
                (!ph->near || sentence_has(s, n, i, ph->near)))
                add_value(P, b, named->code, i, fig, v);
            break;
        }
    }
}

static char *copy_clean(const block *b, unsigned allowed, im_finding *f)
{
    const char *s = b->text.data ? b->text.data : "";
    size_t n = clean_text(s, b->text.len, allowed, f);
    if (n == 0)
        n = rtrim(s, b->text.len);  /* a bullet that is all tag: keep what it says */
    return sr_strndup(s, n);
}

static void add_finding(parser *P, const group *g)
{
    im_finding f;
    memset(&f, 0, sizeof f);
    size_t capcodes = 0;
    unsigned allowed = tags_allowed(P);
    f.section = (im_section)P->section;
    f.service = P->service;
    f.development = P->section == IM_CAPACITY_CONCERN && P->dev;
    f.line = g->top.line;
    f.end_line = g->ndet ? g->det[g->ndet - 1].end_line : g->top.end_line;
    f.text = copy_clean(&g->top, allowed, &f);
    int ok = f.text != NULL;
    ok = ok && scan_codes(P, &f, &capcodes, g->top.text.data ? g->top.text.data : "", g->top.text.len);
    if (ok && g->ndet) {
        f.details = sr_calloc(g->ndet, sizeof *f.details);
        f.detail_lines = sr_calloc(g->ndet, sizeof *f.detail_lines);
        ok = f.details && f.detail_lines;
    }
    for (size_t i = 0; ok && i < g->ndet; i++) {
        const block *d = &g->det[i];
        f.details[i] = copy_clean(d, allowed, &f);  /* a detail's tag belongs to its parent */
        f.detail_lines[i] = d->line;
        f.ndetails = i + 1;
        ok = f.details[i] && scan_codes(P, &f, &capcodes, d->text.data ? d->text.data : "",
                                        d->text.len);
    }
    if (ok)
        ok = grow((void **)&P->l->findings, &P->capf, P->l->nfindings, sizeof f);
    if (!ok) {
        finding_free(&f);
        P->oom = 1;
        return;
    }
    P->l->findings[P->l->nfindings++] = f;
    scan_values(P, &g->top);
    for (size_t i = 0; i < g->ndet; i++)
        scan_values(P, &g->det[i]);
}

/* Title case for a name written in capitals; small words stay lower case ("Newcastle upon
 * Tyne", "Chester-le-Street"): English place names, the same in every round, so not the
 * pack's. */
static void title_case(char *s)
{
    for (const char *p = s; *p; p++)
        if (is_lower(uc(p, 0)))
            return;  /* written in mixed case already: keep it as written */
    static const char *const small[] = {"of", "and", "the", "upon", "on", "in", "under", "with",
                                        "by", "le", "en", NULL};
    size_t i = 0, n = strlen(s);
    int first = 1;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '-'))
            i++;
        size_t a = i;
        while (i < n && s[i] != ' ' && s[i] != '-')
            i++;
        if (a == i)
            break;
        char w[16];
        size_t wl = i - a < sizeof w - 1 ? i - a : sizeof w - 1;
        for (size_t k = 0; k < wl; k++)
            w[k] = (char)to_lower(uc(s, a + k));
        w[wl] = '\0';
        for (size_t k = a; k < i; k++)
            s[k] = (char)to_lower(uc(s, k));
        if (first || !in_list(w, small))
            s[a] = (char)to_upper(uc(s, a));
        first = 0;
    }
}

static int set_council(parser *P, const char *s, size_t n)
{
    while (n > 0 && (s[0] == ' ' || s[0] == '(' || s[0] == '[')) {
        s++;
        n--;
    }
    while (n > 0 && strchr(" )]:.,;-", s[n - 1]))
        n--;
    if (n == 0)
        return 1;
    char *c = sr_strndup(s, n);
    if (!c) {
        P->oom = 1;
        return 0;
    }
    title_case(c);
    sr_free(P->l->council);
    P->l->council = c;
    return 1;
}

/* A short line before the first service heading, such as "LONDON BOROUGH OF HARROW". */
static int council_like(const char *s, size_t n)
{
    if (n == 0 || n > 120)
        return 0;
    int words = 1, letters = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ' ')
            words++;
        if (is_alpha(uc(s, i)))
            letters++;
        if (strchr(".;:!?", s[i]) && i + 1 < n)
            return 0;
    }
    return words <= 12 && letters > 0;
}

/* Year and council from the annex heading ("HEADING 2003: (NAME)"). A
 * financial year "2002/03" names the year rated in the autumn of its second half. The
 * heading itself is the pack's; "for" before the year ("HEADING for 2003") is English. */
static void parse_heading(parser *P, const block *b)
{
    const char *s = b->text.data ? b->text.data : "";
    size_t n = b->text.len, i = P->annex_len;
    if (i > n)
        return;
    while (i < n && s[i] == ' ')
        i++;
    if (starts_word_fold(s + i, n - i, "for"))
        i += 3;
    while (i < n && s[i] == ' ')
        i++;
    int ok;
    size_t j = skip_digits(s, n, i, 4, &ok);
    if (ok && j - i == 4) {
        int y = 0;
        for (size_t d = i; d < j; d++)
            y = y * 10 + (s[d] - '0');
        i = j;
        if (i + 1 < n && (s[i] == '/' || s[i] == '-') && is_digit(uc(s, i + 1))) {
            j = skip_digits(s, n, i + 1, 4, &ok);
            if (ok && (j - i - 1 == 2 || j - i - 1 == 4)) {
                y++;
                i = j;
            }
        }
        if (y >= 1990 && y <= 2099)
            P->l->year = y;
    }
    for (;;) {  /* separators between the year and the name: spaces, ":", dashes */
        if (i < n && (s[i] == ' ' || s[i] == ':'))
            i++;
        else if (skip_dash(s, n, i) != i)
            i = skip_dash(s, n, i);
        else
            break;
    }
    if (i < n && s[i] == '(') {
        size_t e = i + 1;
        while (e < n && s[e] != ')')
            e++;
        set_council(P, s + i + 1, e - i - 1);
    } else if (i < n) {
        set_council(P, s + i, n - i);
    }
}

static void handle_plain(parser *P, const block *b)
{
    const char *s = b->text.data ? b->text.data : "";
    size_t n = b->text.len, rest = 0;
    int svc = 0;
    int k = heading_kind(P, s, n, &rest, &svc);
    switch (k) {
    case H_SERVICE:
        P->service = svc;
        P->section = -1;
        P->capacity = P->dev = 0;
        P->saw_service = 1;
        add_heading_block(P, b);
        return;
    case H_IMP:
    case H_AFI:
    case H_CAP:
        if (P->service < 0)
            break;
        if (k == H_IMP) {
            P->section = IM_IMPROVEMENT;
            P->capacity = P->dev = 0;
        } else if (k == H_AFI) {
            P->dev = P->capacity;
            P->section = P->capacity ? IM_CAPACITY_CONCERN : IM_AREA_FOR_IMPROVEMENT;
        } else {
            /* bullets wait for "the following improvements to capacity" or concerns */
            P->capacity = 1;
            P->section = -1;
            P->dev = 0;
        }
        add_heading_block(P, b);
        return;
    case H_SUB: {
        if (P->service < 0)
            break;
        int dev;
        int sec = sub_section(P->cat, s + rest, n - rest, P->capacity, &dev);
        if (sec < 0)
            break;
        P->section = sec;
        P->dev = dev;
        if (sec >= IM_CAPACITY_IMPROVEMENT)
            P->capacity = 1;
        add_heading_block(P, b);
        return;
    }
    default:
        if (P->service < 0 && !P->saw_service && !P->l->council && council_like(s, n)) {
            set_council(P, s, n);
            add_heading_block(P, b);
            return;
        }
        break;
    }
    add_note_block(P, b);
}

/* Hands a finished group to the section state machine. */
static void emit_group(parser *P, group *g)
{
    if (!g->top.bullet) {
        handle_plain(P, &g->top);
        return;
    }
    if (g->top.text.len == 0 && g->ndet == 0) {  /* a bullet with no text at all */
        push_note(P, &P->l->skipped, &P->l->nskipped, &P->caps, g->top.line, g->top.end_line,
                  MARKERS[g->top.marker].bytes, strlen(MARKERS[g->top.marker].bytes));
        return;
    }
    if (P->service >= 0 && P->section >= 0) {
        add_finding(P, g);
        return;
    }
    add_note_block(P, &g->top);
    for (size_t i = 0; i < g->ndet; i++)
        add_note_block(P, &g->det[i]);
}

/* ---- pass 3: grouping lines into blocks ---------------------------------------------------- */

static void block_free(block *b)
{
    sr_buf_free(&b->text);
    sr_free(b->segs);
    memset(b, 0, sizeof *b);
}

static void group_free(group *g)
{
    block_free(&g->top);
    for (size_t i = 0; i < g->ndet; i++)
        block_free(&g->det[i]);
    sr_free(g->det);
    memset(g, 0, sizeof *g);
}

static void flush(parser *P)
{
    if (P->cur.active && !P->oom)
        emit_group(P, &P->cur);
    group_free(&P->cur);
}

static block *current_block(parser *P)
{
    return P->cur.ndet ? &P->cur.det[P->cur.ndet - 1] : &P->cur.top;
}

/* Joins a line to a block: a word hyphenated across the break ("assess-" / "ment") is
 * rejoined; a hyphen between a word and a capital or a digit ("2003-" / "2004") is kept. */
static void block_append(parser *P, block *b, size_t idx, const char *s, size_t n)
{
    b->end_line = (int)idx + 1;
    if (n == 0)
        return;
    sr_buf *t = &b->text;
    if (t->len > 0) {
        int last = uc(t->data, t->len - 1);
        int before = t->len >= 2 ? uc(t->data, t->len - 2) : ' ';
        if (last == '-' && is_alpha(before) && is_lower(uc(s, 0))) {
            t->data[--t->len] = '\0';
        } else if (!(last == '-' && is_alnum(before))) {
            sr_buf_putc(t, ' ');
        }
    }
    if (!grow((void **)&b->segs, &b->capsegs, b->nsegs, sizeof *b->segs)) {
        P->oom = 1;
        return;
    }
    b->segs[b->nsegs].off = t->len;
    b->segs[b->nsegs].line = (int)idx + 1;
    b->nsegs++;
    sr_buf_putn(t, s, n);
    if (t->oom)
        P->oom = 1;
}

static void start_group(parser *P, size_t idx, int bullet, int marker, size_t skip)
{
    flush(P);
    const line_rec *L = &P->lines[idx];
    P->cur.active = 1;
    block *b = &P->cur.top;
    b->bullet = bullet;
    b->marker = marker;
    b->indent = L->indent;
    b->line = (int)idx + 1;
    block_append(P, b, idx, L->s + skip, L->len - skip);
}

static void start_detail(parser *P, size_t idx, int marker, size_t skip)
{
    group *g = &P->cur;
    if (!grow((void **)&g->det, &g->capdet, g->ndet, sizeof *g->det)) {
        P->oom = 1;
        return;
    }
    const line_rec *L = &P->lines[idx];
    block *b = &g->det[g->ndet++];
    memset(b, 0, sizeof *b);
    b->bullet = 1;
    b->marker = marker;
    b->indent = L->indent;
    b->line = (int)idx + 1;
    block_append(P, b, idx, L->s + skip, L->len - skip);
}

static int text_ends_with(const block *b, char c)
{
    size_t n = rtrim(b->text.data ? b->text.data : "", b->text.len);
    return n > 0 && b->text.data[n - 1] == c;
}

/* A nested bullet has closed its parent's list when it ends a sentence or carries the tag. */
static int detail_closed(const block *d)
{
    const char *s = d->text.data ? d->text.data : "";
    size_t n = rtrim(s, d->text.len);
    if (ends_with_word(s, n, "and"))
        n = rtrim(s, n - 3);
    int nums[8], k;
    return (n > 0 && s[n - 1] == '.') || tag_at_end(s, n, nums, &k) != NPOS;
}

/* Nested under the current bullet: indented deeper, or (when the indentation was lost) after
 * a parent ending in ":" such as "including:" until the list closes. */
static int bullet_nests(const parser *P, size_t indent, int marker)
{
    const group *g = &P->cur;
    if (!g->active || !g->top.bullet)
        return 0;
    const block *top = &g->top;
    if (indent > top->indent)
        return 1;
    if (g->ndet > 0) {
        const block *d = &g->det[g->ndet - 1];
        if (d->marker != top->marker || d->indent != top->indent)
            return marker == d->marker && indent == d->indent;
        return !detail_closed(d);
    }
    return text_ends_with(top, ':');
}

static size_t first_word_width(const line_rec *L)
{
    size_t i = 0;
    while (i < L->len && L->s[i] != ' ')
        i++;
    return utf8_width(L->s, i);
}

/* The line ends a sentence or a list item: a break after it may be a real one. */
static int ends_sentence(const line_rec *L)
{
    return L->len == 0 || strchr(".;:!?)]", L->s[L->len - 1]) != NULL;
}

/* As ends_sentence, or ends with "and"/"or" the way a list item does before the next one
 * (English list punctuation, the same in every round). */
static int ends_clause(const line_rec *L)
{
    return ends_sentence(L) || ends_with_word(L->s, L->len, "and") ||
           ends_with_word(L->s, L->len, "or");
}

/* Whether a wrapper had to break before L: its first word would not fit on the line before. */
static int forced_break(const parser *P, const line_rec *L)
{
    const line_rec *prev = &P->lines[P->prev];
    return P->wrapped && prev->width + 1 + first_word_width(L) > P->width;
}

/* Whether the break before line L could be a wrapper's: the previous line ran on (no clause
 * ended) and the first word of L would not have fitted on it. */
static int looks_wrapped(const parser *P, const line_rec *L)
{
    if (P->brk || !P->has_prev || !P->cur.active)
        return 0;
    return !ends_clause(&P->lines[P->prev]) && forced_break(P, L);
}

/* Whether L, right after the previous line, starts a paragraph of its own: the previous line
 * ended a sentence and nothing forced the break (in text that is not hard-wrapped every line
 * is a paragraph). A previous line that is nearly full counts as wrapped too, for text laid
 * out in a proportional font, where counting characters says little about the fit. */
static int new_paragraph(const parser *P, const line_rec *L)
{
    if (!P->has_prev)
        return 0;
    const line_rec *prev = &P->lines[P->prev];
    if (!ends_sentence(prev) || forced_break(P, L))
        return 0;
    return !(P->wrapped && prev->width * 5 >= P->width * 4);
}

/* The line closes a list item: ";", "; and", or a standard tag ")". A full stop does not:
 * a bullet may hold several sentences. */
static int item_closed(const line_rec *L)
{
    size_t n = L->len;
    if (ends_with_word(L->s, n, "and") || ends_with_word(L->s, n, "or"))
        return 1;
    return n > 0 && (L->s[n - 1] == ';' || L->s[n - 1] == ')');
}

/* Whether a line after a blank or a page break carries on the current bullet. */
static int continues_after_break(parser *P, const line_rec *L)
{
    if (!P->cur.active)
        return 0;
    block *b = current_block(P);
    if (!b->bullet)
        return 0;
    if (b->text.len == 0)
        return 1;  /* the marker stood on a line of its own */
    /* A page break inside a list: what follows the break is the bullet's rest (a letter
     * puts no loose paragraph inside a list), even when a sentence ended before it. */
    if ((L->page || P->page_brk) && P->has_prev && !item_closed(&P->lines[P->prev]))
        return 1;
    if (!P->has_prev || ends_sentence(&P->lines[P->prev]))
        return 0;
    int c = uc(L->s, 0);
    /* Across a page break a sentence runs on whatever its next word: "... the Primary" /
     * "Care Trust (Standard 1)". A tag alone carries on its bullet too. */
    return is_lower(c) || is_digit(c) || c == '(' || L->page || P->page_brk;
}

static void process_line(parser *P, size_t idx)
{
    const line_rec *L = &P->lines[idx];
    size_t skip;
    int marker, ambiguous;
    if (bullet_marker(L, &skip, &marker, &ambiguous) && !(ambiguous && looks_wrapped(P, L))) {
        if (bullet_nests(P, L->indent, marker))
            start_detail(P, idx, marker, skip);
        else
            start_group(P, idx, 1, marker, skip);
        return;
    }
    int hk = heading_kind(P, L->s, L->len, NULL, NULL);
    /* A whole-line heading with a capital ("Areas for Improvement") or the sub-heading phrase
     * is a heading even after a line that ran on: extracted PDF text loses the blank lines
     * that would otherwise separate it from the bullet before. */
    int strong = (hk == H_SUB || hk == H_SERVICE || hk == H_AFI) &&
                 is_upper(uc(L->s, 0));
    if (hk != H_NONE && (strong || !looks_wrapped(P, L))) {
        start_group(P, idx, 0, 0, 0);
        return;
    }
    /* A standard tag alone on its line belongs to the bullet before it, wherever the break
     * fell: left alone it would leave that finding counting towards nothing. */
    int nums[8], k;
    if (P->cur.active && current_block(P)->bullet && L->s[0] == '(' &&
        tag_at_end(L->s, L->len, nums, &k) == 0) {
        block_append(P, current_block(P), idx, L->s, L->len);
        return;
    }
    int carries_on = P->brk ? continues_after_break(P, L) : !new_paragraph(P, L);
    if (P->cur.active && carries_on) {
        block_append(P, current_block(P), idx, L->s, L->len);
        return;
    }
    start_group(P, idx, 0, 0, 0);
}

/* The annex is hard-wrapped when several lines come close to the widest one. */
static void measure_width(parser *P)
{
    size_t w = 0, near = 0;
    for (size_t i = P->start; i < P->end; i++)
        if (P->lines[i].width > w)
            w = P->lines[i].width;
    for (size_t i = P->start; i < P->end; i++)
        if (P->lines[i].width + 12 >= w)
            near++;
    P->width = w;
    P->wrapped = w >= 30 && near >= 3;
}

/* A line that only repeats the council's name, as a running page header does. */
static int repeats_council(const parser *P, const line_rec *L)
{
    const char *c = P->l->council;
    if (!c || strlen(c) != L->len)
        return 0;
    for (size_t i = 0; i < L->len; i++)
        if (to_lower(uc(L->s, i)) != to_lower(uc(c, i)))
            return 0;
    return 1;
}

/* ---- lines that PDF text extraction moves ------------------------------------------------- */

/* A bullet marker alone on its line: the MARKERS index + 1, or 0. */
static int bare_marker(const line_rec *L)
{
    for (size_t m = 0; m < NMARKERS; m++)
        if (L->len == strlen(MARKERS[m].bytes) && memcmp(L->s, MARKERS[m].bytes, L->len) == 0)
            return (int)m + 1;
    return L->len == 3 && pua_bullet(L->s, L->len) ? PUA_MARKER + 1 : 0;
}

static int is_text_line(const parser *P, size_t i)
{
    const line_rec *L = &P->lines[i];
    size_t skip;
    int m, amb;
    return L->len > 0 && !bare_marker(L) && !L->running && !is_page_artefact(L) &&
           !bullet_marker(L, &skip, &m, &amb) && heading_kind(P, L->s, L->len, NULL, NULL) == H_NONE;
}

static void add_warning(parser *P, int line, int end_line, const char *msg)
{
    push_note(P, &P->l->warns, &P->l->nwarns, &P->capw, line, end_line, msg, strlen(msg));
}

/* The text lines after a run of detached markers, split into list items where a line closes
 * one (ends a clause); returns how many items, their first lines in first[]. */
static size_t split_items(const parser *P, size_t from, size_t *first, size_t max, size_t *last)
{
    size_t n = 0;
    int open = 0;
    *last = from;
    for (size_t i = from; i < P->end; i++) {
        const line_rec *L = &P->lines[i];
        if (L->len == 0 || L->running || is_page_artefact(L))
            continue;
        if (!is_text_line(P, i))
            break;
        int nums[8], k;
        int tag_only = L->s[0] == '(' && tag_at_end(L->s, L->len, nums, &k) == 0;
        if (!open && !(tag_only && n > 0)) {  /* a tag alone ends the item before it */
            if (n < max)
                first[n] = i;
            n++;  /* items past max are counted, so a mismatch can be reported */
        }
        open = !ends_clause(L);
        *last = i;
    }
    return n;
}

/* PDF text often puts each bullet's marker on a line of its own, or all the markers of a
 * list before all of its text. Each marker is moved onto the line that starts its item: the
 * next text line for a single marker; for a run of K markers, the first lines of the next K
 * items (an item ends on a line that ends a clause), after the rest of a bullet left open
 * before the run. A count that does not match is reported as a warning. */
static void attach_markers(parser *P)
{
    size_t first[64];
    for (size_t i = P->start + 1; i < P->end && !P->oom; i++) {
        int m = bare_marker(&P->lines[i]);
        if (!m)
            continue;
        size_t run[64], k = 0, j = i;
        for (; j < P->end; j++) {
            const line_rec *L = &P->lines[j];
            if (L->len == 0 || L->running || is_page_artefact(L))
                continue;
            if (!bare_marker(L) || k == 64)
                break;
            run[k++] = j;
        }
        if (j >= P->end || !is_text_line(P, j)) {
            i = j - 1;
            continue;
        }
        /* the bullet before the run is still open: its rest comes first */
        size_t p = i;
        while (p > P->start + 1 && P->lines[p - 1].len == 0)
            p--;
        const line_rec *before = &P->lines[p - 1];
        int open = p > P->start + 1 && !ends_clause(before) && !bare_marker(before) &&
                   heading_kind(P, before->s, before->len, NULL, NULL) == H_NONE;
        size_t last, n = split_items(P, j, first, k + (size_t)open < 64 ? k + (size_t)open : 64, &last);
        size_t skipfirst = (open && n > k) ? 1 : 0;
        size_t recorded = n < 64 ? n : 64;
        if (k == 1) {
            skipfirst = 0;
            n = 1;
            first[0] = j;
        }
        for (size_t r = 0; r < k && skipfirst + r < recorded; r++) {
            line_rec *T = &P->lines[first[skipfirst + r]];
            T->marker = P->lines[run[r]].len ? bare_marker(&P->lines[run[r]]) : m;
            T->indent = P->lines[run[r]].indent;
            P->lines[run[r]].moved = 1;
        }
        if (k > 1 && n - skipfirst != k) {
            char msg[160];
            snprintf(msg, sizeof msg, "%zu bullet markers stand apart from their text and %zu "
                     "items follow: check where each finding starts and ends", k,
                     n - skipfirst);
            add_warning(P, (int)i + 1, (int)last + 1, msg);
        }
        i = j - 1;
    }
}

/* Text that repeats near page breaks (a letterhead, "Annual Review 2003 - Harrow"), compared
 * without digits so page numbers do not hide the repeat: a running header or footer. */
static int same_but_digits(const line_rec *a, const line_rec *b)
{
    size_t i = 0, j = 0;
    for (;;) {
        while (i < a->len && (is_digit(uc(a->s, i)) || a->s[i] == ' '))
            i++;
        while (j < b->len && (is_digit(uc(b->s, j)) || b->s[j] == ' '))
            j++;
        if (i == a->len || j == b->len)
            return i == a->len && j == b->len;
        if (to_lower(uc(a->s, i)) != to_lower(uc(b->s, j)))
            return 0;
        i++, j++;
    }
}

/* A line that could be a running header or footer: short text, not a heading, bullet or
 * standard tag, not ending the way a list item does. */
static int header_like(const parser *P, const line_rec *A)
{
    size_t skip;
    int m, amb, nums[8], k;
    if (A->len < 4 || A->len > 120 || heading_kind(P, A->s, A->len, NULL, NULL) != H_NONE ||
        bullet_marker(A, &skip, &m, &amb) || bare_marker(A))
        return 0;
    if (A->s[0] == '(' && tag_at_end(A->s, A->len, nums, &k) == 0)
        return 0;
    return !strchr(";,:", A->s[A->len - 1]);
}

/* Up to WINDOW non-blank lines either side of line `at` (or after the start, before the end),
 * each with the window it belongs to. */
enum { WINDOW = 2, MAXC = 4096 };

static void add_window(const parser *P, size_t at, int win, size_t *cand, int *cwin, size_t *nc)
{
    size_t got = 0;
    for (size_t j = at; j < P->end && got < WINDOW && *nc < MAXC; j++)
        if (P->lines[j].len > 0)
            cand[*nc] = j, cwin[(*nc)++] = win, got++;
    got = 0;
    for (size_t j = at; j-- > P->start + 1 && got < WINDOW && *nc < MAXC;)
        if (P->lines[j].len > 0)
            cand[*nc] = j, cwin[(*nc)++] = win, got++;
}

static void mark_running_lines(parser *P)
{
    size_t *c = sr_malloc(MAXC * (sizeof *c + sizeof(int)));
    if (!c) {
        P->oom = 1;
        return;
    }
    int *cwin = (int *)(c + MAXC);
    size_t nc = 0;
    int win = 0;
    add_window(P, P->start + 1, win++, c, cwin, &nc);  /* the first page's header */
    for (size_t i = P->start + 1; i < P->end && nc < MAXC; i++)
        if (P->lines[i].page)
            add_window(P, i, win++, c, cwin, &nc);
    add_window(P, P->end, win++, c, cwin, &nc);  /* the last page's footer */
    for (size_t a = 0; a < nc; a++) {
        line_rec *A = &P->lines[c[a]];
        if (!header_like(P, A))
            continue;
        for (size_t b = a + 1; b < nc; b++) {
            line_rec *B = &P->lines[c[b]];
            if (cwin[a] == cwin[b] || c[a] == c[b] || !same_but_digits(A, B))
                continue;
            /* the council's name under the heading is read, even when pages repeat it */
            A->running |= !(cwin[a] == 0 && council_like(A->s, A->len));
            B->running |= !(cwin[b] == 0 && council_like(B->s, B->len));
        }
    }
    sr_free(c);
}

static void group_lines(parser *P)
{
    for (size_t i = P->start + 1; i < P->end && !P->oom; i++) {
        const line_rec *L = &P->lines[i];
        if (L->len == 0) {
            P->brk = 1;
            continue;
        }
        if (L->moved || L->running || is_page_artefact(L) || is_annex_heading(P->cat->annex, L) ||
            repeats_council(P, L)) {
            /* a page footer, or the report heading or council repeated as a page header */
            add_skipped(P, i);
            P->brk = 1;
            P->page_brk |= !L->moved;
            continue;
        }
        P->page_brk |= L->page;
        process_line(P, i);
        P->prev = i;
        P->has_prev = 1;
        P->brk = P->page_brk = 0;
    }
    flush(P);
}

/* The heading itself, joined with the next line when a wrapped "(COUNCIL NAME" is open. */
static size_t read_heading(parser *P)
{
    block b;
    memset(&b, 0, sizeof b);
    b.line = (int)P->start + 1;
    const line_rec *L = &P->lines[P->start];
    block_append(P, &b, P->start, L->s, L->len);
    size_t i = P->start + 1;
    while (!P->oom && i < P->end && i < P->start + 3 && P->lines[i].len > 0 &&
           memchr(b.text.data, '(', b.text.len) && !memchr(b.text.data, ')', b.text.len)) {
        block_append(P, &b, i, P->lines[i].s, P->lines[i].len);
        i++;
    }
    if (!P->oom) {
        parse_heading(P, &b);
        add_heading_block(P, &b);
    }
    block_free(&b);
    return i;
}

/* ---- public: parse ----------------------------------------------------------------------- */

static void parser_free(parser *P)
{
    group_free(&P->cur);
    sr_free(P->lines);
    sr_free(P->buf);
}

/* Text on both sides of a wide gap inside the line, as a page of two columns gives when
 * extracted with its layout ("pdftotext -layout"). */
static int split_by_gap(const line_rec *L)
{
    size_t words_left = 0, i = 0;
    while (i < L->len) {
        if (L->s[i] == ' ') {
            size_t j = i;
            while (j < L->len && L->s[j] == ' ')
                j++;
            if (j - i >= 3 && j < L->len && words_left >= 3 && i >= 20) {
                size_t words_right = 0;
                for (size_t k = j; k < L->len; k++)
                    words_right += L->s[k] == ' ' && k + 1 < L->len && is_alpha(uc(L->s, k + 1));
                return words_right >= 2;
            }
            words_left += j < L->len && is_alpha(uc(L->s, j));
            i = j;
        } else {
            i++;
        }
    }
    return 0;
}

/* Two columns read line by line mix the columns: refused, never guessed at. */
static int two_columns(const parser *P, const char *name, sr_error *err)
{
    size_t text = 0, split = 0, first = 0;
    for (size_t i = 0; i < P->nlines; i++) {
        if (P->lines[i].len == 0)
            continue;
        text++;
        if (split_by_gap(&P->lines[i]) && split++ == 0)
            first = i;
    }
    if (split >= 8 && split * 10 >= text * 3)
        return sr_fail(err, SR_EINPUT, name, (int)first + 1, 0,
                       "the letter seems to be set in two columns (%zu of %zu lines hold text "
                       "on both sides of a wide gap), which cannot be read in order: save it in "
                       "one column, or extract its text in reading order (pdftotext without "
                       "-layout, or import the PDF itself)", split, text);
    return SR_OK;
}

/* The first line that opens an annex with `heading`, or NPOS. */
static size_t find_annex(const parser *P, const char *heading)
{
    for (size_t i = 0; heading && i < P->nlines; i++)
        if (is_annex_heading(heading, &P->lines[i]))
            return i;
    return NPOS;
}

/* "HEADING", or "A" or "B" when rounds head their annexes differently. */
static void annex_names(const im_catalogue *c, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    if (c->pinned || !c->nannexes) {
        snprintf(out, len, "\"%s\"", c->annex ? c->annex : "");
        return;
    }
    for (size_t k = 0; k < c->nannexes && used < len; k++)
        used += (size_t)snprintf(out + used, len - used, "%s\"%s\"", k ? " or " : "",
                                 c->annexes[k].heading);
}

/* Finds the annex heading: the catalogue's pack's, else (unless pinned) any round's. */
static int locate_annex(parser *P, const char *name, sr_error *err)
{
    im_catalogue *c = P->cat;
    size_t at = find_annex(P, c->annex);
    const im_annex *found = NULL;
    if (at == NPOS && !c->pinned) {
        if (im_catalogue_annexes(c, err) != SR_OK)
            return err->code;
        for (size_t k = 0; k < c->nannexes; k++) {
            size_t i = find_annex(P, c->annexes[k].heading);
            if (i < at)
                at = i, found = &c->annexes[k];
        }
        if (!c->annex && !c->nannexes)
            return sr_fail(err, SR_ERULES, name, 0, 0,
                           "no rule pack declares how its letters are laid out (letter { "
                           "annex_heading = ... }), so no letter can be read");
    }
    if (at == NPOS) {
        char names[600];
        annex_names(c, names, sizeof names);
        return sr_fail(err, SR_EINPUT, name, 0, 0,
                       "not an annual review letter: no %s heading found", names);
    }
    /* a letter without a year is read with the latest round that heads annexes this way,
     * to say what else is missing */
    if (found && !c->annex && im_catalogue_for(c, found->round, err) != SR_OK)
        return err->code;
    P->start = at;
    P->annex_len = strlen(found ? found->heading : c->annex);
    return SR_OK;
}

/* The rest of the letter is read with the pack of its round (unless one was chosen). */
static int use_round(parser *P, const char *name, sr_error *err)
{
    im_catalogue *c = P->cat;
    int year = P->l->year, hl = P->l->heading_line;
    if (!year || c->pinned)
        return SR_OK;
    int rounds[110], n = rp_rounds(rounds, 110), found = 0;
    char list[600] = "";
    for (int r = 0; r < n; r++) {
        found |= rounds[r] == year;
        size_t k = strlen(list);
        snprintf(list + k, sizeof list - k, "%s%d", r ? ", " : "", rounds[r]);
    }
    if (!found)
        return sr_fail(err, SR_EINPUT, name, hl, 0,
                       "no rule pack for the %d round of this letter (rounds with a pack: %s)",
                       year, n ? list : "none");
    if (im_catalogue_for(c, year, err) != SR_OK)
        return err->code;
    if (!c->annex || !is_annex_heading(c->annex, &P->lines[P->start]))
        return sr_fail(err, SR_EINPUT, name, hl, 0,
                       "the %d round's letters open their annex with \"%s\", not with this "
                       "heading", year, c->annex ? c->annex : "(its pack declares no letter)");
    return SR_OK;
}

/* What a letter must have for its evidence to mean anything. */
static int check_letter(const parser *P, const char *name, sr_error *err)
{
    const im_catalogue *c = P->cat;
    int hl = P->l->heading_line;
    const char *annex = c->annex ? c->annex : "";
    if (!P->saw_service) {
        char heads[600] = "";
        size_t used = 0;
        for (size_t k = 0; k < c->nservices && used < sizeof heads; k++) {
            if (!c->service_heads[k].n)
                continue;
            used += (size_t)snprintf(heads + used, sizeof heads - used, "%s\"", used ? ", " : "");
            for (const char *h = c->service_heads[k].text[0]; *h && used + 2 < sizeof heads; h++)
                heads[used++] = (char)to_upper(uc(h, 0));
            used += (size_t)snprintf(heads + used, sizeof heads - used, "\"");
        }
        return sr_fail(err, SR_EINPUT, name, hl, 0,
                       "annual review letter has no service sections (%s) after its \"%s\" "
                       "heading", used ? heads : "its pack declares no service headings", annex);
    }
    if (!P->l->year)
        return sr_fail(err, SR_EINPUT, name, hl, 0, "no rating year in the \"%s\" heading", annex);
    if (!P->l->council)
        return sr_fail(err, SR_EINPUT, name, hl, 0,
                       "no council name in or after the \"%s\" heading", annex);
    return SR_OK;
}

/* The annex ends before the first line that ends it (is_annex_end), else with the text. */
static void find_end(parser *P)
{
    P->end = P->nlines;
    for (size_t i = P->start + 1; i < P->nlines; i++)
        if (is_annex_end(P->cat, &P->lines[i])) {
            P->end = i;
            break;
        }
}

static int parse_annex(parser *P, const char *name, sr_error *err)
{
    if (two_columns(P, name, err) != SR_OK || locate_annex(P, name, err) != SR_OK)
        return err->code;
    P->l->heading_line = (int)P->start + 1;
    /* The heading gives the round: until it is read, the end of the annex (which bounds the
     * lines a wrapped heading may take) is the one of the pack whose heading was found... */
    find_end(P);
    size_t after = read_heading(P);
    if (P->oom)
        return sr_oom(err);
    if (use_round(P, name, err) != SR_OK)
        return err->code;
    /* ...and then the one of the round's pack (the same pack unless the round's differs). */
    find_end(P);
    measure_width(P);
    /* lines of a wrapped heading are part of it: start grouping after them */
    P->start = after - 1;
    P->service = P->section = -1;
    mark_running_lines(P);
    attach_markers(P);
    group_lines(P);
    if (P->oom)
        return sr_oom(err);
    return check_letter(P, name, err);
}

/* The letter keeps the ids and prefixes of the services it was read with. */
static int copy_services(im_letter *l, const im_catalogue *c)
{
    l->services = sr_calloc(c->nservices ? c->nservices : 1, sizeof *l->services);
    if (!l->services)
        return 0;
    for (size_t i = 0; i < c->nservices; i++) {
        l->services[i].id = sr_strdup(c->services[i].id);
        l->services[i].prefix = sr_strdup(c->services[i].prefix);
        l->nservices = i + 1;
        if (!l->services[i].id || !l->services[i].prefix)
            return 0;
    }
    return 1;
}

int im_parse(const char *name, const char *text, size_t len, im_catalogue *cat, im_letter **out,
             sr_error *err)
{
    *out = NULL;
    parser P;
    memset(&P, 0, sizeof P);
    P.name = name;
    im_catalogue own;
    memset(&own, 0, sizeof own);
    P.cat = cat ? cat : &own;
    if (!normalise(&P, text ? text : "", text ? len : 0)) {
        parser_free(&P);
        return sr_oom(err);
    }
    P.l = sr_calloc(1, sizeof *P.l);
    if (!P.l) {
        parser_free(&P);
        return sr_oom(err);
    }
    int rc = parse_annex(&P, name, err);
    if (rc == SR_OK && !copy_services(P.l, P.cat))
        rc = sr_oom(err);
    P.l->end_line = (int)P.end;
    im_catalogue_free(&own);
    if (rc != SR_OK) {
        im_free(P.l);
        parser_free(&P);
        return rc;
    }
    *out = P.l;
    parser_free(&P);
    return SR_OK;
}

void im_free(im_letter *l)
{
    if (!l)
        return;
    sr_free(l->council);
    im_services_free(l->services, l->nservices);
    for (size_t i = 0; i < l->nfindings; i++)
        finding_free(&l->findings[i]);
    sr_free(l->findings);
    for (size_t i = 0; i < l->nvalues; i++) {
        sr_free(l->values[i].code);
        sr_free(l->values[i].text);
    }
    sr_free(l->values);
    im_note *lists[4] = {l->notes, l->headings, l->skipped, l->warns};
    size_t counts[4] = {l->nnotes, l->nheadings, l->nskipped, l->nwarns};
    for (int k = 0; k < 4; k++) {
        for (size_t i = 0; i < counts[k]; i++)
            sr_free(lists[k][i].text);
        sr_free(lists[k]);
    }
    sr_free(l);
}

size_t im_count(const im_letter *l, int service, im_section section)
{
    size_t n = 0;
    for (size_t i = 0; l && i < l->nfindings; i++)
        if (l->findings[i].service == service && l->findings[i].section == section)
            n++;
    return n;
}

/* ---- public: YAML ------------------------------------------------------------------------- */

/* A YAML double-quoted scalar. Input that is not valid UTF-8 is escaped byte by byte, so the
 * result is valid whatever it is given. */
static void put_quoted(sr_buf *b, const char *s)
{
    const unsigned char *t = (const unsigned char *)s;
    size_t n = strlen(s);
    sr_buf_putc(b, '"');
    for (size_t i = 0; i < n;) {
        unsigned c = t[i];
        if (c == '"' || c == '\\') {
            sr_buf_putc(b, '\\');
            sr_buf_putc(b, (char)c);
            i++;
        } else if (c == '\n') {
            sr_buf_puts(b, "\\n");
            i++;
        } else if (c == '\t') {
            sr_buf_puts(b, "\\t");
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            sr_buf_printf(b, "\\x%02X", c);
            i++;
        } else if (c < 0x80) {
            sr_buf_putc(b, (char)c);
            i++;
        } else {
            uint32_t cp;
            size_t m = utf8_decode(t + i, n - i, &cp);
            if (m == 0) {
                sr_buf_printf(b, "\\x%02X", c);
                i++;
            } else {
                if (keepable(cp) && cp != 0xA0 && (cp < 0x80 || cp > 0x9F))
                    sr_buf_putn(b, s + i, m);
                else
                    sr_buf_printf(b, cp > 0xFFFF ? "\\U%08X" : "\\u%04X", (unsigned)cp);
                i += m;
            }
        }
    }
    sr_buf_putc(b, '"');
}

/* Text in a comment: one line, printable UTF-8 only. */
static void put_comment_text(sr_buf *b, const char *s)
{
    const unsigned char *t = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t m = t[i] < 0x80 ? 1 : utf8_decode(t + i, n - i, &cp);
        if (t[i] < 0x80)
            cp = t[i];
        if (m == 0 || !keepable(cp)) {
            sr_buf_putc(b, '?');
            i += m ? m : 1;
        } else {
            sr_buf_putn(b, s + i, m);
            i += m;
        }
    }
}

static const char *const SECTION_ID[] = {"imp", "afi", "capimp", "capcon"};

static const char *kind_word(const im_finding *f)
{
    switch (f->section) {
    case IM_IMPROVEMENT:
    case IM_CAPACITY_IMPROVEMENT:
        return "improvement";
    case IM_AREA_FOR_IMPROVEMENT:
        return "area_for_improvement";
    default:
        return f->development ? "area_for_development" : "concern";
    }
}

/* Capacity findings have no `details` key: nested bullets join the text. */
static void put_capacity_text(sr_buf *b, const im_finding *f)
{
    sr_buf t;
    sr_buf_init(&t);
    sr_buf_puts(&t, f->text);
    for (size_t i = 0; i < f->ndetails; i++) {
        if (i == 0)
            sr_buf_puts(&t, t.len > 0 && t.data[t.len - 1] == ':' ? " " : ": ");
        else
            sr_buf_puts(&t, "; ");
        sr_buf_puts(&t, f->details[i]);
    }
    if (t.oom)
        b->oom = 1;
    else
        put_quoted(b, t.data ? t.data : "");
    sr_buf_free(&t);
}

/* The id write_finding gives the finding at index i: service, section, place in both. */
static void finding_id(const im_letter *l, size_t i, char *out, size_t n)
{
    const im_finding *f = &l->findings[i];
    size_t pos = 0;
    for (size_t k = 0; k <= i; k++)
        pos += l->findings[k].service == f->service && l->findings[k].section == f->section;
    snprintf(out, n, "%s-%s-%zu", l->services[f->service].prefix,
             SECTION_ID[f->section], pos);
}

/* A finding about performance that speaks to no standard and no indicator counts towards
 * nothing in the rating. (Capacity findings always speak to the capacity standard.) */
static int is_unassigned(const im_finding *f)
{
    return f->section < IM_CAPACITY_IMPROVEMENT && f->nstandards == 0 && f->ncodes == 0;
}

size_t im_unassigned(const im_letter *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->nfindings; i++)
        n += (size_t)is_unassigned(&l->findings[i]);
    return n;
}

size_t im_unplaced_lines(const im_letter *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->nnotes; i++)
        n += (size_t)(l->notes[i].end_line - l->notes[i].line + 1);
    return n;
}

static void write_finding(sr_buf *b, const im_letter *l, const im_finding *f, size_t pos)
{
    int cap = f->section >= IM_CAPACITY_IMPROVEMENT;
    sr_buf_printf(b, "    - id: %s-%s-%zu\n", l->services[f->service].prefix,
                  SECTION_ID[f->section], pos);
    sr_buf_printf(b, "      kind: %s\n", kind_word(f));
    if (!cap && f->nstandards > 0) {
        sr_buf_puts(b, "      standards: [");
        for (int i = 0; i < f->nstandards; i++)
            sr_buf_printf(b, "%s%d", i ? ", " : "", f->standards[i]);
        sr_buf_puts(b, "]\n");
    }
    if (!cap && f->ncodes > 0) {
        sr_buf_puts(b, "      indicators: [");
        for (size_t i = 0; i < f->ncodes; i++) {
            sr_buf_puts(b, i ? ", " : "");
            sr_buf_puts(b, f->codes[i]);
        }
        sr_buf_puts(b, "]\n");
    }
    sr_buf_puts(b, "      text: ");
    if (cap)
        put_capacity_text(b, f);
    else
        put_quoted(b, f->text);
    sr_buf_putc(b, '\n');
    if (!cap && f->ndetails > 0) {
        sr_buf_puts(b, "      details:\n");
        for (size_t i = 0; i < f->ndetails; i++) {
            sr_buf_puts(b, "        - ");
            put_quoted(b, f->details[i]);
            sr_buf_putc(b, '\n');
        }
    }
    sr_buf_printf(b, "      line: %d\n", f->line);
}

static void write_findings(sr_buf *b, const im_letter *l, int service, int capacity)
{
    int first = 1;
    for (int sec = capacity ? 2 : 0; sec < (capacity ? 4 : 2); sec++) {
        size_t pos = 0;
        for (size_t i = 0; i < l->nfindings; i++) {
            const im_finding *f = &l->findings[i];
            if (f->service != service || (int)f->section != sec)
                continue;
            if (first)
                sr_buf_puts(b, capacity ? "  capacity_findings:\n" : "  findings:\n");
            first = 0;
            write_finding(b, l, f, ++pos);
        }
    }
}

/* Whether the PAF file gives this code: then its figure wins over the letter's. */
static int paf_gives(const im_letter *l, const char *code)
{
    for (size_t i = 0; l->paf && i < l->paf->n; i++)
        if (strcmp(l->paf->rows[i].code, code) == 0)
            return 1;
    return 0;
}

static void write_service(sr_buf *b, const im_letter *l, int service)
{
    size_t nv = 0, nf = 0;
    for (size_t i = 0; i < l->nvalues; i++)
        nv += l->values[i].service == service && !paf_gives(l, l->values[i].code);
    for (size_t i = 0; l->paf && i < l->paf->n; i++)
        nv += l->paf->rows[i].service == service;
    for (size_t i = 0; i < l->nfindings; i++)
        nf += l->findings[i].service == service;
    if (nv + nf == 0)
        return;
    sr_buf_printf(b, "%s:\n", l->services[service].id);
    if (nv) {
        sr_buf_puts(b, "  indicators:\n");
        for (size_t i = 0; l->paf && i < l->paf->n; i++) {
            if (l->paf->rows[i].service != service)
                continue;
            sr_buf_puts(b, "    - ");
            pf_put_entry(b, l->paf, &l->paf->rows[i]);
            sr_buf_putc(b, '\n');
        }
        for (size_t i = 0; i < l->nvalues; i++) {
            const im_value *v = &l->values[i];
            if (v->service != service || paf_gives(l, v->code))
                continue;
            char num[64];
            sr_format_number(v->value, num, sizeof num);
            sr_buf_printf(b, "    - {code: %s, value: %s, origin: letter, line: %d, note: ",
                          v->code, num, v->line);
            put_quoted(b, v->text);
            sr_buf_puts(b, "}\n");
        }
    }
    write_findings(b, l, service, 0);
    write_findings(b, l, service, 1);
}

static void write_comment_list(sr_buf *b, const char *title, const im_note *v, size_t n)
{
    if (n == 0)
        return;
    sr_buf_printf(b, "# %s\n", title);
    for (size_t i = 0; i < n; i++) {
        sr_buf_printf(b, "#   line %d: ", v[i].line);
        put_comment_text(b, v[i].text);
        sr_buf_putc(b, '\n');
    }
}

/* The import section (docs/evidence-format.md): what could not be placed or assigned, so a
 * rating from this file can say so. */
static void write_import(sr_buf *b, const im_letter *l, const char *src)
{
    sr_buf_puts(b, "import:\n  from: ");
    put_quoted(b, src);
    sr_buf_printf(b, "\n  unplaced_lines: %zu\n", im_unplaced_lines(l));
    if (l->nnotes) {
        sr_buf_puts(b, "  unplaced:\n");
        for (size_t i = 0; i < l->nnotes; i++) {
            const im_note *n = &l->notes[i];
            sr_buf_printf(b, "    - {line: %d, lines: %d, text: ", n->line,
                          n->end_line - n->line + 1);
            put_quoted(b, n->text);
            sr_buf_puts(b, "}\n");
        }
    }
    if (im_unassigned(l)) {
        sr_buf_puts(b, "  unassigned:\n");
        for (size_t i = 0; i < l->nfindings; i++) {
            if (!is_unassigned(&l->findings[i]))
                continue;
            char id[64];
            finding_id(l, i, id, sizeof id);
            sr_buf_printf(b, "    - {finding: %s, line: %d}\n", id, l->findings[i].line);
        }
    }
    if (l->nwarns) {
        sr_buf_puts(b, "  warnings:\n");
        for (size_t i = 0; i < l->nwarns; i++) {
            sr_buf_printf(b, "    - {line: %d, text: ", l->warns[i].line);
            put_quoted(b, l->warns[i].text);
            sr_buf_puts(b, "}\n");
        }
    }
}

int im_write_yaml(const im_letter *l, const char *source_name, sr_buf *out)
{
    const char *src = source_name ? source_name : "";
    sr_buf_puts(out, "# Imported by starrate import from ");
    put_comment_text(out, src);
    sr_buf_puts(out, ": check the proposed indicator values before relying on them.\n");
    if (l->nnotes)
        sr_buf_printf(out, "# %zu paragraph(s) of the annex could not be placed: see notes.\n",
                      l->nnotes);
    sr_buf_puts(out, "council: ");
    put_quoted(out, l->council ? l->council : "");
    sr_buf_printf(out, "\nyear: %d\nsource: ", l->year);
    sr_buf t;
    sr_buf_init(&t);
    sr_buf_puts(&t, "annual review letter ");
    sr_buf_puts(&t, src);
    if (t.oom)
        out->oom = 1;
    else
        put_quoted(out, t.data);
    sr_buf_free(&t);
    sr_buf_putc(out, '\n');
    for (size_t s = 0; s < l->nservices; s++)
        write_service(out, l, (int)s);
    write_import(out, l, src);
    /* Headings and skipped artefacts as comments: with them every line of the annex can be
     * found in the output, which is how a reader checks nothing was lost. */
    write_comment_list(out, "Read as headings:", l->headings, l->nheadings);
    write_comment_list(out, "Skipped as page artefacts or detached bullet markers:", l->skipped,
                       l->nskipped);
    return out->oom ? SR_ENOMEM : SR_OK;
}

int im_warnings(const im_letter *l, const char *name, sr_buf *out)
{
    for (size_t i = 0; i < l->nnotes; i++) {
        const char *t = l->notes[i].text;
        size_t n = strlen(t), cut = n;
        if (n > 120) {  /* keep warnings to a line; cut on a character boundary */
            cut = 117;
            while (cut > 0 && (uc(t, cut) & 0xC0) == 0x80)
                cut--;
        }
        sr_buf_printf(out, "%s:%d: warning: line not placed: %.*s%s\n", name ? name : "",
                      l->notes[i].line, (int)cut, t, cut < n ? "..." : "");
    }
    for (size_t i = 0; i < l->nfindings; i++) {
        const im_finding *f = &l->findings[i];
        if (!is_unassigned(f))
            continue;
        char id[64];
        finding_id(l, i, id, sizeof id);
        size_t n = strlen(f->text), cut = n;
        if (n > 80) {
            cut = 77;
            while (cut > 0 && (uc(f->text, cut) & 0xC0) == 0x80)
                cut--;
        }
        sr_buf_printf(out, "%s:%d: warning: finding %s has no standard or indicator, so it "
                      "counts towards nothing: %.*s%s\n", name ? name : "", f->line, id,
                      (int)cut, f->text, cut < n ? "..." : "");
    }
    for (size_t i = 0; i < l->nwarns; i++)
        sr_buf_printf(out, "%s:%d: warning: %s\n", name ? name : "", l->warns[i].line,
                      l->warns[i].text);
    return out->oom ? SR_ENOMEM : SR_OK;
}

int im_summary(const im_letter *l, const char *name, sr_buf *out)
{
    sr_buf per;  /* "housing 6, libraries 1": findings per service, in pack order */
    sr_buf_init(&per);
    for (size_t s = 0; s < l->nservices; s++) {
        size_t n = 0;
        for (size_t i = 0; i < l->nfindings; i++)
            n += l->findings[i].service == (int)s;
        sr_buf_printf(&per, "%s%s %zu", s ? ", " : "", l->services[s].id, n);
    }
    size_t unplaced = im_unplaced_lines(l), unassigned = im_unassigned(l);
    sr_buf_printf(out, "%s: imported %zu findings (%s); %zu line%s not placed; %zu finding%s "
                  "without a standard or indicator%s\n",
                  name ? name : "", l->nfindings, per.data ? per.data : "", unplaced,
                  unplaced == 1 ? "" : "s", unassigned, unassigned == 1 ? "" : "s",
                  unplaced || unassigned ? ": a rating from it will carry a caveat" : "");
    if (per.oom)
        out->oom = 1;
    sr_buf_free(&per);
    return out->oom ? SR_ENOMEM : SR_OK;
}
