/*
 * test_import.c — `starrate import` (suite "import"): the two letter seeds, variants of them
 * generated here (CRLF, other bullets, re-wrapped with hyphenation, Windows-1252), the three
 * seeds that are not letters, accounting for every line, values, YAML and fault injection.
 */
#include "import.h"

#include <criterion/criterion.h>

/* The services of the real rounds' packs, in pack order (a letter's service indexes). */
enum { SVC_CHILDREN = 0, SVC_ADULTS = 1 };
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Under AddressSanitizer the fault-injection tests also ask LeakSanitizer for leaks: a leak
 * otherwise only prints a report and the test would still pass. */
#if defined(__SANITIZE_ADDRESS__)
#define IM_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IM_LSAN 1
#endif
#endif
#ifdef IM_LSAN
#include <sanitizer/lsan_interface.h>
#endif

#ifndef SR_SOURCE_ROOT
#define SR_SOURCE_ROOT "."
#endif

#define HARROW "harrow-2003.txt"
#define BATH "bath-ne-somerset-2003.txt"

/* ---- helpers -------------------------------------------------------------------------- */

/* The PAF catalogue of the letters' rounds, read once from this tree's rule packs. */
static im_catalogue *test_cat(void)
{
    static im_catalogue cat;
    setenv("STARRATE_RULES", SR_SOURCE_ROOT "/rules", 1);
    return &cat;
}

static char *slurp(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/unit/data/letters/%s", SR_SOURCE_ROOT, name);
    char *t = NULL;
    sr_error err;
    sr_error_clear(&err);
    int rc = sr_read_file(path, 1 << 20, &t, len, &err);
    cr_assert_eq(rc, SR_OK, "cannot read %s: %s", path, err.msg);
    return t;
}

static im_letter *parse_ok(const char *name, const char *text, size_t len)
{
    im_letter *l = NULL;
    sr_error err;
    sr_error_clear(&err);
    int rc = im_parse(name, text, len, test_cat(), &l, &err);
    char msg[2048];
    sr_error_format(&err, msg, sizeof msg);
    cr_assert_eq(rc, SR_OK, "%s: im_parse failed: %s", name, msg);
    cr_assert_not_null(l);
    return l;
}

static im_letter *parse_str(const char *text)
{
    return parse_ok("test.txt", text, strlen(text));
}

static char *yaml_of(const im_letter *l, const char *name)
{
    sr_buf b;
    sr_buf_init(&b);
    cr_assert_eq(im_write_yaml(l, name, &b), SR_OK);
    return sr_buf_take(&b);
}

static size_t cp_width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            w++;
    return w;
}

/* LF → CRLF. */
static char *to_crlf(const char *s)
{
    sr_buf b;
    sr_buf_init(&b);
    for (; *s; s++) {
        if (*s == '\n')
            sr_buf_putc(&b, '\r');
        sr_buf_putc(&b, *s);
    }
    return sr_buf_take(&b);
}

/* Every bullet marker at the start of a line ("-", "·") becomes `to`. */
static char *rebullet(const char *s, const char *to)
{
    sr_buf b;
    sr_buf_init(&b);
    int bol = 1;
    while (*s) {
        if (bol) {
            while (*s == ' ' || *s == '\t')
                sr_buf_putc(&b, *s++);
            if (s[0] == '-' && s[1] == ' ') {
                sr_buf_puts(&b, to);
                s += 1;
            } else if ((unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xB7) {
                sr_buf_puts(&b, to);
                s += 2;
            }
            bol = 0;
            continue;
        }
        if (*s == '\n')
            bol = 1;
        sr_buf_putc(&b, *s++);
    }
    return sr_buf_take(&b);
}

static int splittable(const char *t, size_t n)
{
    if (n < 7)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z')))
            return 0;
    return 1;
}

/* Re-wraps each line longer than width, greedily, keeping the line's indentation on its
 * continuation lines. With hyphenate, a word of letters that does not fit is split with a
 * hyphen when at least three letters go on each side and the second part starts lower case
 * (so the importer can tell it from a real hyphen). */
static char *rewrap(const char *s, size_t width, int hyphenate)
{
    sr_buf b;
    sr_buf_init(&b);
    while (*s) {
        const char *e = strchr(s, '\n');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (cp_width(s, n) <= width) {
            sr_buf_putn(&b, s, n);
        } else {
            size_t ind = 0;
            while (ind < n && (s[ind] == ' ' || s[ind] == '\t'))
                ind++;
            size_t curw = ind, count = 0;
            sr_buf_putn(&b, s, ind);
            size_t i = ind;
            while (i < n) {
                while (i < n && s[i] == ' ')
                    i++;
                if (i >= n)
                    break;
                size_t j = i;
                while (j < n && s[j] != ' ')
                    j++;
                const char *t = s + i;
                size_t tl = j - i;
                i = j;
                for (;;) {
                    size_t tw = cp_width(t, tl);
                    size_t need = curw + (count ? 1 : 0) + tw;
                    if (need <= width || count == 0) {
                        if (count)
                            sr_buf_putc(&b, ' ');
                        sr_buf_putn(&b, t, tl);
                        curw = need;
                        count++;
                        break;
                    }
                    if (hyphenate && splittable(t, tl) && curw + 2 + 3 <= width) {
                        size_t room = width - curw - 2;
                        size_t k = room < tl - 3 ? room : tl - 3;
                        while (k >= 3 && !(t[k] >= 'a' && t[k] <= 'z'))
                            k--;
                        if (k >= 3) {
                            sr_buf_putc(&b, ' ');
                            sr_buf_putn(&b, t, k);
                            sr_buf_putc(&b, '-');
                            t += k;
                            tl -= k;
                        }
                    }
                    sr_buf_putc(&b, '\n');
                    sr_buf_putn(&b, s, ind);
                    curw = ind;
                    count = 0;
                }
            }
        }
        if (!e)
            break;
        sr_buf_putc(&b, '\n');
        s = e + 1;
    }
    return sr_buf_take(&b);
}

/* UTF-8 → Windows-1252: "·" is 0xB7, "£" 0xA3, and the ASCII apostrophe becomes the curly
 * 0x92 as a word processor would write it. */
static char *to_cp1252(const char *s)
{
    sr_buf b;
    sr_buf_init(&b);
    const unsigned char *t = (const unsigned char *)s;
    while (*t) {
        if (*t == '\'') {
            sr_buf_putc(&b, (char)0x92);
            t++;
        } else if (*t < 0x80) {
            sr_buf_putc(&b, (char)*t++);
        } else if ((t[0] & 0xE0) == 0xC0 && t[1]) {
            unsigned cp = ((t[0] & 0x1Fu) << 6) | (t[1] & 0x3Fu);
            sr_buf_putc(&b, cp < 0x100 ? (char)cp : '?');
            t += 2;
        } else if (t[0] == 0xE2 && t[1] == 0x80 && t[2] == 0x99) {
            sr_buf_putc(&b, (char)0x92);
            t += 3;
        } else if (t[0] == 0xE2 && t[1] == 0x80 && t[2] == 0xA2) {
            sr_buf_putc(&b, (char)0x95);
            t += 3;
        } else {
            sr_buf_putc(&b, '?');
            t++;
        }
    }
    return sr_buf_take(&b);
}

static int valid_utf8(const char *s)
{
    const unsigned char *t = (const unsigned char *)s;
    while (*t) {
        if (*t < 0x80) {
            if (*t < 0x20 && *t != '\n')
                return 0;
            t++;
            continue;
        }
        int n = (*t & 0xE0) == 0xC0 ? 2 : (*t & 0xF0) == 0xE0 ? 3 : (*t & 0xF8) == 0xF0 ? 4 : 0;
        if (n == 0 || *t == 0xC0 || *t == 0xC1)
            return 0;
        for (int i = 1; i < n; i++)
            if ((t[i] & 0xC0) != 0x80)
                return 0;
        t += n;
    }
    return 1;
}

/* Equal after reading the curly apostrophe as a straight one. */
static int same_text(const char *a, const char *b)
{
    while (*a && *b) {
        int ca = *a, cb = *b;
        if ((unsigned char)a[0] == 0xE2 && (unsigned char)a[1] == 0x80 &&
            (unsigned char)a[2] == 0x99) {
            ca = '\'';
            a += 2;
        }
        if ((unsigned char)b[0] == 0xE2 && (unsigned char)b[1] == 0x80 &&
            (unsigned char)b[2] == 0x99) {
            cb = '\'';
            b += 2;
        }
        if (ca != cb)
            return 0;
        a++;
        b++;
    }
    return *a == *b;
}

static const im_finding *nth(const im_letter *l, int service, im_section sec, size_t n)
{
    for (size_t i = 0; i < l->nfindings; i++) {
        const im_finding *f = &l->findings[i];
        if (f->service == service && f->section == sec && --n == 0)
            return f;
    }
    cr_assert_fail("no finding %zu in service %d section %d", n, service, (int)sec);
    return NULL;
}

static int has_code(const im_finding *f, const char *code)
{
    for (size_t i = 0; i < f->ncodes; i++)
        if (strcmp(f->codes[i], code) == 0)
            return 1;
    return 0;
}

static const im_value *value_of(const im_letter *l, int service, const char *code)
{
    for (size_t i = 0; i < l->nvalues; i++)
        if (l->values[i].service == service && strcmp(l->values[i].code, code) == 0)
            return &l->values[i];
    return NULL;
}

/* Expected counts: children imp, afi, capimp, capcon; then adults. */
static const size_t HARROW_COUNTS[2][4] = {{8, 6, 5, 3}, {6, 8, 6, 5}};
static const size_t BATH_COUNTS[2][4] = {{6, 5, 4, 1}, {6, 5, 7, 3}};

static void check_counts(const im_letter *l, const size_t want[2][4], const char *what)
{
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < 4; k++)
            cr_expect_eq(im_count(l, s, (im_section)k), want[s][k],
                         "%s: service %d section %d: %zu findings, want %zu", what, s, k,
                         im_count(l, s, (im_section)k), want[s][k]);
}

/* Line n (1-based) of text, without its end. */
static void line_of(const char *text, int n, char *out, size_t cap)
{
    const char *s = text;
    for (int i = 1; i < n && s; i++) {
        s = strchr(s, '\n');
        if (s)
            s++;
    }
    cr_assert_not_null(s, "line %d is past the end", n);
    size_t k = 0;
    while (s[k] && s[k] != '\n' && s[k] != '\r' && k + 1 < cap) {
        out[k] = s[k];
        k++;
    }
    out[k] = '\0';
}

static int starts_with_bullet(const char *line)
{
    while (*line == ' ' || *line == '\t')
        line++;
    const unsigned char *u = (const unsigned char *)line;
    return (u[0] == '-' && u[1] == ' ') || (u[0] == 0xC2 && u[1] == 0xB7) ||
           (u[0] == 0xE2 && u[1] == 0x80 && u[2] == 0xA2) || u[0] == 0xB7 || u[0] == 0x95;
}

/* Every finding and nested bullet starts on a line that starts with a bullet. */
static void check_bullet_lines(const im_letter *l, const char *text, const char *what)
{
    char buf[4096];
    for (size_t i = 0; i < l->nfindings; i++) {
        const im_finding *f = &l->findings[i];
        line_of(text, f->line, buf, sizeof buf);
        cr_expect(starts_with_bullet(buf), "%s: finding at line %d: '%s'", what, f->line, buf);
        for (size_t d = 0; d < f->ndetails; d++) {
            line_of(text, f->detail_lines[d], buf, sizeof buf);
            cr_expect(starts_with_bullet(buf), "%s: detail at line %d: '%s'", what,
                      f->detail_lines[d], buf);
        }
    }
}

static int covered(const im_note *v, size_t n, int line)
{
    for (size_t i = 0; i < n; i++)
        if (line >= v[i].line && line <= v[i].end_line)
            return 1;
    return 0;
}

/* Every non-blank line of the annex belongs to a finding, a heading, a note or an artefact. */
static void check_accounted(const im_letter *l, const char *text, const char *what)
{
    char buf[4096];
    for (int ln = l->heading_line; ln <= l->end_line; ln++) {
        line_of(text, ln, buf, sizeof buf);
        int blank = 1;
        for (const char *p = buf; *p; p++)
            if ((unsigned char)*p > ' ')  /* tabs and form feeds are blank too */
                blank = 0;
        if (blank)
            continue;
        int ok = covered(l->notes, l->nnotes, ln) || covered(l->headings, l->nheadings, ln) ||
                 covered(l->skipped, l->nskipped, ln);
        for (size_t i = 0; !ok && i < l->nfindings; i++)
            ok = ln >= l->findings[i].line && ln <= l->findings[i].end_line;
        cr_expect(ok, "%s: line %d is not accounted for: '%s'", what, ln, buf);
    }
}

static int word_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c >= 0x80;
}

static void lower_ascii(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s + 32);
}

/* Whether word w (lower case) occurs as a whole word in hay (lower case). */
static int has_word(const char *hay, const char *w, size_t wl)
{
    for (const char *p = hay; (p = strstr(p, w)) != NULL; p++) {
        int before = p == hay || !word_char((unsigned char)p[-1]);
        int after = !word_char((unsigned char)p[wl]);
        if (before && after)
            return 1;
    }
    return 0;
}

/* Length of a bullet marker (and the spaces after it) at the start of s, else 0. */
static size_t marker_len(const char *s)
{
    static const char *const marks[] = {"- ", "* ", "o ", "\xC2\xB7", "\xE2\x80\xA2", "\xC2\xA7"};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        size_t m = strlen(marks[i]);
        if (strncmp(s, marks[i], m) == 0) {
            while (s[m] == ' ')
                m++;
            return m;
        }
    }
    return 0;
}

static int covered(const im_note *v, size_t n, int line);

/* The annex as one string: bullet markers dropped, a word hyphenated across a line break
 * (or a page break) joined again as a reader would, lines separated by spaces; skipped page
 * artefacts go at the end. */
static char *annex_text(const im_letter *l, const char *text)
{
    sr_buf b;
    sr_buf_init(&b);
    char buf[4096];
    for (size_t i = 0; i < l->nskipped; i++) {
        sr_buf_puts(&b, l->skipped[i].text);
        sr_buf_putc(&b, ' ');
    }
    for (int ln = l->heading_line; ln <= l->end_line; ln++) {
        if (covered(l->skipped, l->nskipped, ln))
            continue;
        line_of(text, ln, buf, sizeof buf);
        char *p = buf;
        while (*p == ' ' || *p == '\t')
            p++;
        p += marker_len(p);
        if (!*p)
            continue;
        if (b.len >= 2 && b.data[b.len - 1] == '-' && b.data[b.len - 2] != ' ' && *p >= 'a' &&
            *p <= 'z')
            b.data[--b.len] = '\0';
        else
            sr_buf_putc(&b, ' ');
        sr_buf_puts(&b, p);
    }
    return sr_buf_take(&b);
}

/* No text dropped: every word of the annex appears in the YAML (findings, values, notes, and
 * the comments listing headings and skipped artefacts). The word of a standard tag is the
 * one exception: the tag is carried by `standards:`. */
static void check_words(const im_letter *l, const char *text, const char *yaml, const char *what)
{
    char *y = strdup(yaml);
    lower_ascii(y);
    char *a = annex_text(l, text);
    lower_ascii(a);
    int missing = 0;
    for (char *p = a; *p;) {
        if (!word_char((unsigned char)*p)) {
            p++;
            continue;
        }
        char *q = p;
        while (*q && word_char((unsigned char)*q))
            q++;
        char save = *q;
        *q = '\0';
        if (strcmp(p, "standard") != 0 && strcmp(p, "standards") != 0 &&
            !has_word(y, p, (size_t)(q - p))) {
            cr_expect_fail("%s: word '%s' is not in the output", what, p);
            missing++;
        }
        *q = save;
        p = q;
    }
    sr_free(a);
    free(y);
    cr_expect_eq(missing, 0);
}

/* ---- the seeds ------------------------------------------------------------------------- */

Test(import, harrow_counts_and_heading)
{
    size_t n;
    char *t = slurp(HARROW, &n);
    im_letter *l = parse_ok(HARROW, t, n);
    cr_expect_str_eq(l->council, "London Borough of Harrow");
    cr_expect_eq(l->year, 2003);
    cr_expect_eq(l->heading_line, 3);
    check_counts(l, HARROW_COUNTS, "harrow");
    const im_finding *f1 = nth(l, SVC_CHILDREN, IM_IMPROVEMENT, 1);
    cr_expect_eq(f1->ndetails, 2);
    cr_expect_str_eq(f1->details[0], "re-launch of the Area Child Protection Committee");
    cr_expect_str_eq(f1->details[1], "improvement of multi-agency child protection procedures");
    cr_expect_eq(f1->nstandards, 1);
    cr_expect_eq(f1->standards[0], 1);
    const im_finding *f5 = nth(l, SVC_CHILDREN, IM_IMPROVEMENT, 5);
    cr_expect_eq(f5->ndetails, 4);
    cr_expect_str_eq(f5->details[3], "ninety nine per cent of reviews undertaken on time");
    cr_expect_eq(f5->standards[0], 3);
    for (size_t i = 0; i < l->nfindings; i++) {
        const im_finding *f = &l->findings[i];
        if (f != f1 && f != f5)
            cr_expect_eq(f->ndetails, 0, "finding at line %d has details", f->line);
    }
    cr_expect_eq(l->nnotes, 0);
    cr_expect_eq(l->nskipped, 0);
    im_free(l);
    sr_free(t);
}

Test(import, harrow_values_and_lines)
{
    size_t n;
    char *t = slurp(HARROW, &n);
    im_letter *l = parse_ok(HARROW, t, n);
    const im_value *d42 = value_of(l, SVC_ADULTS, "D42");
    const im_value *d39 = value_of(l, SVC_ADULTS, "D39");
    cr_assert_not_null(d42);
    cr_assert_not_null(d39);
    cr_expect_eq(d42->value, 8);
    cr_expect_eq(d42->line, 81);
    cr_expect_eq(d39->value, 68);
    cr_expect_eq(d39->line, 82);
    cr_expect_eq(l->nvalues, 2, "only the two mapped figures are proposed, got %zu", l->nvalues);
    /* pinned lines */
    cr_expect_eq(nth(l, SVC_CHILDREN, IM_IMPROVEMENT, 1)->line, 13);
    cr_expect_eq(nth(l, SVC_CHILDREN, IM_IMPROVEMENT, 1)->detail_lines[0], 14);
    cr_expect_eq(nth(l, SVC_CHILDREN, IM_IMPROVEMENT, 5)->line, 19);
    cr_expect_eq(nth(l, SVC_CHILDREN, IM_IMPROVEMENT, 5)->detail_lines[3], 23);
    cr_expect_eq(nth(l, SVC_CHILDREN, IM_IMPROVEMENT, 6)->line, 25);  /* after a blank line */
    cr_expect_eq(nth(l, SVC_CHILDREN, IM_CAPACITY_IMPROVEMENT, 2)->line, 46);
    cr_expect_eq(nth(l, SVC_ADULTS, IM_AREA_FOR_IMPROVEMENT, 5)->line, 79);
    cr_expect_eq(nth(l, SVC_ADULTS, IM_CAPACITY_CONCERN, 5)->line, 101);
    const im_finding *a1 = nth(l, SVC_ADULTS, IM_IMPROVEMENT, 1);
    cr_expect_eq(a1->nstandards, 2);
    cr_expect_eq(a1->standards[0], 1);
    cr_expect_eq(a1->standards[1], 3);
    cr_expect_str_eq(nth(l, SVC_CHILDREN, IM_IMPROVEMENT, 7)->text,
                     "excellent performance in completing initial and core assessments");
    check_bullet_lines(l, t, "harrow");
    check_accounted(l, t, "harrow");
    im_free(l);
    sr_free(t);
}

Test(import, bath_counts_codes_and_tags)
{
    size_t n;
    char *t = slurp(BATH, &n);
    im_letter *l = parse_ok(BATH, t, n);
    cr_expect_str_eq(l->council, "Bath and North East Somerset");
    cr_expect_eq(l->year, 2003);
    check_counts(l, BATH_COUNTS, "bath");
    const im_finding *adopt = nth(l, SVC_CHILDREN, IM_AREA_FOR_IMPROVEMENT, 5);
    cr_expect_eq(adopt->nstandards, 0, "the adoptions finding has no tag");
    cr_expect(has_code(adopt, "C23"));
    for (size_t i = 1; i <= 4; i++)
        cr_expect_eq(nth(l, SVC_CHILDREN, IM_AREA_FOR_IMPROVEMENT, i)->nstandards, 1);
    cr_expect(nth(l, SVC_CHILDREN, IM_CAPACITY_CONCERN, 1)->development);
    for (size_t i = 1; i <= 3; i++)
        cr_expect(nth(l, SVC_ADULTS, IM_CAPACITY_CONCERN, i)->development);
    static const char *const codes[] = {"B8", "A2", "A4", "D35", "C23", "D38",
                                        "D39", "C28", "C32", "D40", "D42"};
    for (size_t c = 0; c < sizeof codes / sizeof codes[0]; c++) {
        int found = 0;
        for (size_t i = 0; i < l->nfindings; i++)
            found |= has_code(&l->findings[i], codes[c]);
        cr_expect(found, "code %s not found", codes[c]);
    }
    /* the cover letter (with "BA1 2ZH" and its own bullets) is not read */
    for (size_t i = 0; i < l->nfindings; i++) {
        cr_expect(!has_code(&l->findings[i], "A1"));
        cr_expect_geq(l->findings[i].line, l->heading_line);
    }
    cr_expect_eq(l->nnotes, 0);
    cr_expect_eq(l->nvalues, 0, "no figure in Bath's letter maps to a value");
    const im_finding *e = nth(l, SVC_CHILDREN, IM_AREA_FOR_IMPROVEMENT, 1);
    cr_expect_eq(e->standards[0], 1);
    cr_expect(strstr(e->text, "(LPSA) targets") && !strstr(e->text, "Standard"),
              "tag trimmed from '%s'", e->text);
    cr_expect_eq(nth(l, SVC_CHILDREN, IM_IMPROVEMENT, 1)->line, 100);
    cr_expect_eq(nth(l, SVC_ADULTS, IM_CAPACITY_CONCERN, 3)->line, 198);
    check_bullet_lines(l, t, "bath");
    check_accounted(l, t, "bath");
    im_free(l);
    sr_free(t);
}

Test(import, not_letters_are_refused)
{
    static const char *const names[] = {"not-letter-harrow-cover-report.txt",
                                        "not-letter-hertfordshire-summary.txt",
                                        "not-letter-durham-summary.txt"};
    for (size_t i = 0; i < 3; i++) {
        size_t n;
        char *t = slurp(names[i], &n);
        im_letter *l = (im_letter *)1;
        sr_error err;
        sr_error_clear(&err);
        int rc = im_parse(names[i], t, n, test_cat(), &l, &err);
        cr_expect_eq(rc, SR_EINPUT, "%s: rc %d", names[i], rc);
        cr_expect_null(l);
        cr_expect_str_eq(err.file, names[i]);
        cr_expect_str_eq(err.msg, "not an annual review letter: no \"PERFORMANCE REVIEW "
                                  "REPORT\" heading found");
        sr_free(t);
    }
}

/* ---- variants generated from the seeds ------------------------------------------------------ */

typedef char *(*variant_fn)(const char *);

static char *v_crlf(const char *s) { return to_crlf(s); }
static char *v_bullets(const char *s) { return rebullet(s, "\xE2\x80\xA2"); }
static char *v_wrap50(const char *s) { return rewrap(s, 50, 1); }
static char *v_wrap33(const char *s) { return rewrap(s, 33, 1); }
static char *v_all(const char *s)
{
    char *a = rebullet(s, "\xE2\x80\xA2");
    char *b = rewrap(a, 50, 1);
    char *c = to_crlf(b);
    sr_free(a);
    sr_free(b);
    return c;
}
static char *v_1252(const char *s)
{
    char *a = rebullet(s, "\xC2\xB7");
    char *b = to_cp1252(a);
    sr_free(a);
    return b;
}
static char *v_1252_wrapped(const char *s)
{
    char *a = v_1252(s);
    char *b = rewrap(a, 60, 1);
    char *c = to_crlf(b);
    sr_free(a);
    sr_free(b);
    return c;
}

static const struct {
    const char *name;
    variant_fn fn;
    int same_lines;  /* line numbers unchanged */
} VARIANTS[] = {
    {"crlf", v_crlf, 1},     {"bullets", v_bullets, 1},  {"wrap50", v_wrap50, 0},
    {"wrap33", v_wrap33, 0}, {"all", v_all, 0},           {"cp1252", v_1252, 1},
    {"cp1252+wrap60+crlf", v_1252_wrapped, 0},
};

static void check_variants(const char *seed, const size_t want[2][4])
{
    size_t n;
    char *orig = slurp(seed, &n);
    im_letter *base = parse_ok(seed, orig, n);
    for (size_t v = 0; v < sizeof VARIANTS / sizeof VARIANTS[0]; v++) {
        char what[128];
        snprintf(what, sizeof what, "%s/%s", seed, VARIANTS[v].name);
        char *t = VARIANTS[v].fn(orig);
        im_letter *l = parse_ok(what, t, strlen(t));
        check_counts(l, want, what);
        cr_expect_str_eq(l->council, base->council, "%s: council", what);
        cr_expect_eq(l->year, base->year);
        cr_expect_eq(l->nnotes, 0, "%s: %zu notes, first: %s", what, l->nnotes,
                     l->nnotes ? l->notes[0].text : "");
        cr_assert_eq(l->nfindings, base->nfindings, "%s", what);
        for (size_t i = 0; i < l->nfindings; i++) {
            const im_finding *a = &base->findings[i], *b = &l->findings[i];
            cr_expect(same_text(a->text, b->text), "%s: finding %zu:\n  %s\nvs\n  %s", what, i,
                      a->text, b->text);
            cr_expect_eq(a->nstandards, b->nstandards, "%s: finding %zu standards", what, i);
            cr_expect_eq(a->ncodes, b->ncodes, "%s: finding %zu codes", what, i);
            cr_expect_eq(a->ndetails, b->ndetails, "%s: finding %zu details", what, i);
            for (size_t d = 0; d < a->ndetails && d < b->ndetails; d++)
                cr_expect(same_text(a->details[d], b->details[d]), "%s: detail: %s vs %s",
                          what, a->details[d], b->details[d]);
            if (VARIANTS[v].same_lines)
                cr_expect_eq(a->line, b->line);
        }
        cr_expect_eq(l->nvalues, base->nvalues, "%s: values", what);
        for (size_t i = 0; i < l->nvalues && i < base->nvalues; i++)
            cr_expect_eq(l->values[i].value, base->values[i].value);
        check_bullet_lines(l, t, what);
        check_accounted(l, t, what);
        char *y = yaml_of(l, what);
        cr_expect(valid_utf8(y), "%s: output is not valid UTF-8", what);
        sr_free(y);
        im_free(l);
        sr_free(t);
    }
    im_free(base);
    sr_free(orig);
}

Test(import, harrow_variants) { check_variants(HARROW, HARROW_COUNTS); }
Test(import, bath_variants) { check_variants(BATH, BATH_COUNTS); }

Test(import, rewrap_helper_really_wraps_and_hyphenates)
{
    size_t n;
    char *t = slurp(HARROW, &n);
    char *w = rewrap(t, 50, 1);
    size_t hyphens = 0, widest = 0;
    for (const char *s = w; *s;) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        size_t cw = cp_width(s, len);
        widest = cw > widest ? cw : widest;
        if (len > 1 && s[len - 1] == '-' && s[len - 2] != ' ')
            hyphens++;
        s = e ? e + 1 : s + len;
    }
    cr_expect_leq(widest, 50);
    cr_expect_geq(hyphens, 10, "only %zu hyphenated breaks", hyphens);
    sr_free(w);
    sr_free(t);
}

Test(import, cp1252_output_is_utf8)
{
    size_t n;
    char *t = slurp(BATH, &n);
    char *w = v_1252(t);
    cr_assert(strchr(w, (char)0xB7) && strchr(w, (char)0x92));
    im_letter *l = parse_str(w);
    char *y = yaml_of(l, "bath-1252.txt");
    cr_expect(valid_utf8(y));
    cr_expect(strstr(y, "Children\xE2\x80\x99s Services"), "curly apostrophe as UTF-8");
    cr_expect(strstr(y, "\xC2\xA3" "1,000"), "pound sign as UTF-8");
    sr_free(y);
    im_free(l);
    sr_free(w);
    sr_free(t);
}

/* ---- no text dropped ------------------------------------------------------------------------ */

static void check_no_text_dropped(const char *seed)
{
    size_t n;
    char *t = slurp(seed, &n);
    im_letter *l = parse_ok(seed, t, n);
    char *y = yaml_of(l, seed);
    check_words(l, t, y, seed);
    check_accounted(l, t, seed);
    sr_free(y);
    im_free(l);
    sr_free(t);
}

Test(import, harrow_no_text_dropped) { check_no_text_dropped(HARROW); }
Test(import, bath_no_text_dropped) { check_no_text_dropped(BATH); }

static const char MESSY[] =
    "Cover letter text that is not read.\n"
    "- nor is this bullet\n"
    "\n"
    "PERFORMANCE REVIEW REPORT 2004: (KINGSTON UPON HULL)\n"
    "\n"
    "A paragraph of introduction the importer cannot place.\n"
    "\n"
    "SERVICES FOR CHILDREN AND FAMILIES\n"
    "- a bullet before any section heading\n"
    "\n"
    "IMPROVEMENTS OBSERVED SINCE THE PREVIOUS ANNUAL REVIEW\n"
    "\n"
    "* the first improvement runs over a page break and its assess-\n"
    "\n"
    "Page 2 of 5\n"
    "\n"
    "ment was thorough; (Standards 1, 3 and 5)\n"
    "o a multi-agency panel (C20) was set up; (Standard 3)\n"
    "   17\n"
    "\n"
    "A stray sentence between bullets.\n"
    "\n"
    "Areas for Development\n"
    "\n"
    "\xC2\xA7 leaving care services (A4) need work (Standard 1).\n"
    "\n"
    "Background papers\n"
    "- this is after the annex and is not read\n";

Test(import, messy_letter_places_or_reports_every_line)
{
    im_letter *l = parse_str(MESSY);
    cr_expect_str_eq(l->council, "Kingston upon Hull");
    cr_expect_eq(l->year, 2004);
    cr_expect_eq(l->heading_line, 4);
    cr_expect_eq(l->end_line, 26, "annex ends before 'Background papers', got %d", l->end_line);
    cr_expect_eq(im_count(l, SVC_CHILDREN, IM_IMPROVEMENT), 2);
    cr_expect_eq(im_count(l, SVC_CHILDREN, IM_AREA_FOR_IMPROVEMENT), 1);
    const im_finding *f = nth(l, SVC_CHILDREN, IM_IMPROVEMENT, 1);
    cr_expect_str_eq(f->text, "the first improvement runs over a page break and its assessment "
                              "was thorough");
    cr_expect_eq(f->nstandards, 3);
    cr_expect_eq(f->standards[2], 5);
    cr_expect_eq(f->line, 13);
    cr_expect_eq(f->end_line, 17);
    const im_finding *g = nth(l, SVC_CHILDREN, IM_IMPROVEMENT, 2);
    cr_expect_str_eq(g->text, "a multi-agency panel (C20) was set up");
    cr_expect(has_code(g, "C20"));
    const im_finding *h = nth(l, SVC_CHILDREN, IM_AREA_FOR_IMPROVEMENT, 1);
    cr_expect_str_eq(h->text, "leaving care services (A4) need work");
    cr_expect(has_code(h, "A4"));
    cr_assert_eq(l->nnotes, 3);
    cr_expect_eq(l->notes[0].line, 6);
    cr_expect_eq(l->notes[1].line, 9);
    cr_expect_eq(l->notes[2].line, 21);
    cr_expect_eq(l->nskipped, 2, "page footer and lone page number");
    sr_buf b;
    sr_buf_init(&b);
    cr_assert_eq(im_warnings(l, "messy.txt", &b), SR_OK);
    cr_expect_str_eq(b.data,
                     "messy.txt:6: warning: line not placed: A paragraph of introduction the "
                     "importer cannot place.\n"
                     "messy.txt:9: warning: line not placed: a bullet before any section "
                     "heading\n"
                     "messy.txt:21: warning: line not placed: A stray sentence between "
                     "bullets.\n");
    sr_buf_free(&b);
    check_accounted(l, MESSY, "messy");
    char *y = yaml_of(l, "messy.txt");
    check_words(l, MESSY, y, "messy");
    cr_expect(!strstr(y, "not read"), "text outside the annex is not imported");
    sr_free(y);
    im_free(l);
}

/* ---- details of the reading ---------------------------------------------------------------- */

static const char *const HEAD = "PERFORMANCE REVIEW REPORT 2003: (TEST)\n\nSERVICES TO ADULTS\n"
                                "\nAreas for Improvement\n\n";

static im_letter *parse_adults(const char *body)
{
    char *t = malloc(strlen(HEAD) + strlen(body) + 1);
    strcpy(t, HEAD);
    strcat(t, body);
    im_letter *l = parse_str(t);
    free(t);
    return l;
}

Test(import, values_are_conservative)
{
    im_letter *l = parse_adults(
        "- carers\xE2\x80\x99 assessments stood at ninety-nine per cent; (Standard 4)\n"
        "- reviews of clients are too few. It was 30 per cent last year\n"
        "- clients receiving a review (72%) were fewer; (Standard 4)\n"
        "- equipment delivered within three weeks at 85 per cent (D38) was good\n"
        "- statements of need compared with an average of 81 per cent\n"
        "- PI D43 at 12.5% needs attention\n");
    cr_expect_eq(value_of(l, SVC_ADULTS, "D42")->value, 99);
    cr_expect_eq(value_of(l, SVC_ADULTS, "D42")->line, 7);
    cr_expect_eq(value_of(l, SVC_ADULTS, "D40")->value, 72);
    cr_expect_eq(value_of(l, SVC_ADULTS, "D38")->value, 85);
    cr_expect_null(value_of(l, SVC_ADULTS, "D39"), "an average is not the council's value");
    cr_expect_eq(value_of(l, SVC_ADULTS, "D43")->value, 12.5);
    cr_expect_eq(l->nvalues, 4);
    im_free(l);
}

Test(import, children_figures_without_a_mapping_are_not_values)
{
    im_letter *l = parse_str("PERFORMANCE REVIEW REPORT 2003: (TEST)\n"
                             "SERVICES FOR CHILDREN AND FAMILIES\n"
                             "Improvements observed since the previous annual review\n"
                             "- completion of Reviews of Child Protection cases to achieve 100% "
                             "(Standard 3)\n"
                             "- ninety nine per cent of reviews undertaken on time\n");
    cr_expect_eq(im_count(l, SVC_CHILDREN, IM_IMPROVEMENT), 2);
    cr_expect_eq(l->nvalues, 0);
    im_free(l);
}

Test(import, codes_are_whole_words_of_the_catalogue)
{
    im_letter *l = parse_adults("- PI D42, Performance Indicator D35, [C28 and C32], (B8), "
                                "BA1 2ZH, A10, E2, A5, C25, D40s, xC23 and C23 again, A1-A4\n");
    const im_finding *f = nth(l, SVC_ADULTS, IM_AREA_FOR_IMPROVEMENT, 1);
    static const char *const want[] = {"D42", "D35", "C28", "C32", "B8", "C23", "A1", "A4"};
    cr_assert_eq(f->ncodes, 8, "got %zu codes", f->ncodes);
    for (size_t i = 0; i < 8; i++)
        cr_expect_str_eq(f->codes[i], want[i]);
    im_free(l);
}

Test(import, values_only_for_percentage_indicators_of_the_service)
{
    /* D41 is not a percentage; A2 is a children's indicator; B11 fits */
    im_letter *l = parse_adults("- PI D41 at 12.5% and A2 at 50%; B11 at 40 per cent\n");
    cr_expect_null(value_of(l, SVC_ADULTS, "D41"));
    cr_expect_null(value_of(l, SVC_ADULTS, "A2"));
    cr_expect_eq(value_of(l, SVC_ADULTS, "B11")->value, 40);
    cr_expect_eq(l->nvalues, 1);
    im_free(l);
}

Test(import, tags_and_connectives)
{
    im_letter *l = parse_adults("- one; (Standard 3) and\n"
                                "- two. (Standards 1 and 3)\n"
                                "- three (Standard 1).\n"
                                "- four [Standard 2]; and\n"
                                "- five needs work. Standards 1, 3 and 5\n"
                                "- six (Standard 6)\n"
                                "- seven; and\n");
    const char *texts[] = {"one", "two", "three", "four", "five needs work", "six (Standard 6)",
                           "seven"};
    int nstd[] = {1, 2, 1, 1, 3, 0, 0};
    for (size_t i = 0; i < 7; i++) {
        const im_finding *f = nth(l, SVC_ADULTS, IM_AREA_FOR_IMPROVEMENT, i + 1);
        cr_expect_str_eq(f->text, texts[i]);
        cr_expect_eq(f->nstandards, nstd[i], "'%s'", f->text);
    }
    im_free(l);
}

Test(import, nesting_without_indentation_follows_the_colon)
{
    im_letter *l = parse_adults("\xE2\x80\xA2 progress on several fronts, including:\n"
                                "\xE2\x80\xA2 first point; and\n"
                                "\xE2\x80\xA2 second point. (Standard 1)\n"
                                "\xE2\x80\xA2 another finding (Standard 2)\n"
                                "- parent by:\n"
                                "o sub one\n"
                                "o sub two\n"
                                "- last (Standard 3)\n");
    cr_assert_eq(im_count(l, SVC_ADULTS, IM_AREA_FOR_IMPROVEMENT), 4);
    const im_finding *f = nth(l, SVC_ADULTS, IM_AREA_FOR_IMPROVEMENT, 1);
    cr_expect_eq(f->ndetails, 2);
    cr_expect_eq(f->standards[0], 1);
    cr_expect_eq(nth(l, SVC_ADULTS, IM_AREA_FOR_IMPROVEMENT, 2)->ndetails, 0);
    cr_expect_eq(nth(l, SVC_ADULTS, IM_AREA_FOR_IMPROVEMENT, 3)->ndetails, 2);
    cr_expect_eq(nth(l, SVC_ADULTS, IM_AREA_FOR_IMPROVEMENT, 4)->ndetails, 0);
    im_free(l);
}

Test(import, wrapped_dash_is_not_a_bullet)
{
    /* wrapped at 40: the third line starts with a dash that is punctuation */
    im_letter *l = parse_adults("- two indicators are being used for this\n"
                                "purpose in the council and elsewhere now\n"
                                "- Educational qualifications (A2) and\n"
                                "employment of care leavers (A4) at all\n"
                                "levels of the service (Standard 1)\n"
                                "- the next bullet is real (Standard 2)\n");
    cr_assert_eq(im_count(l, SVC_ADULTS, IM_AREA_FOR_IMPROVEMENT), 2);
    const im_finding *f = nth(l, SVC_ADULTS, IM_AREA_FOR_IMPROVEMENT, 1);
    cr_expect(strstr(f->text, "now - Educational"), "%s", f->text);
    cr_expect_eq(f->ncodes, 2);
    im_free(l);
}

Test(import, capacity_sections)
{
    im_letter *l = parse_str("PERFORMANCE REVIEW REPORT 2002/03\n"
                             "\nBrighton & Hove City Council\n"
                             "\nServices for Adults\n"
                             "\nCAPACITY FOR IMPROVEMENT (STANDARD 6)\n"
                             "- a bullet before the sub-heading has no kind\n"
                             "\nThe assessment has highlighted the following improvements to "
                             "capacity:\n"
                             "- better IT, including:\n"
                             "  - a new client record system; and\n"
                             "  - management information (Standard 6)\n"
                             "\nAssessment has highlighted the following concerns about "
                             "capacity:\n"
                             "- workforce\n"
                             "\nAreas for development\n"
                             "- partnerships\n");
    cr_expect_eq(l->year, 2003, "2002/03 is rated in 2003");
    cr_expect_str_eq(l->council, "Brighton & Hove City Council");
    cr_expect_eq(im_count(l, SVC_ADULTS, IM_CAPACITY_IMPROVEMENT), 1);
    cr_expect_eq(im_count(l, SVC_ADULTS, IM_CAPACITY_CONCERN), 2);
    cr_expect(!nth(l, SVC_ADULTS, IM_CAPACITY_CONCERN, 1)->development);
    cr_expect(nth(l, SVC_ADULTS, IM_CAPACITY_CONCERN, 2)->development);
    cr_expect_eq(l->nnotes, 1);
    char *y = yaml_of(l, "cap.txt");
    cr_expect(strstr(y, "text: \"better IT, including: a new client record system; management "
                        "information\""),
              "%s", y);
    cr_expect(strstr(y, "kind: area_for_development"));
    cr_expect(strstr(y, "id: ad-capcon-2"));
    sr_free(y);
    im_free(l);
}

Test(import, heading_errors)
{
    static const struct {
        const char *text;
        const char *msg;
    } cases[] = {
        {"PERFORMANCE REVIEW REPORT 2003: (X)\n\nSome text.\n- a bullet\n", "no service sections"},
        {"PERFORMANCE REVIEW REPORT: (X)\nSERVICES TO ADULTS\n", "no rating year"},
        {"PERFORMANCE REVIEW REPORT 2003\n\nSERVICES TO ADULTS\n", "no council name"},
        {"The performance review report was discussed.\nSERVICES TO ADULTS\n",
         "no \"PERFORMANCE REVIEW REPORT\" heading"},
        {"", "no \"PERFORMANCE REVIEW REPORT\" heading"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        im_letter *l = NULL;
        sr_error err;
        sr_error_clear(&err);
        int rc = im_parse("bad.txt", cases[i].text, strlen(cases[i].text), test_cat(), &l, &err);
        cr_expect_eq(rc, SR_EINPUT, "case %zu", i);
        cr_expect_null(l);
        cr_expect(strstr(err.msg, cases[i].msg), "case %zu: %s", i, err.msg);
        cr_expect_str_eq(err.file, "bad.txt");
    }
}

Test(import, yaml_quoting_and_shape)
{
    im_letter *l = parse_adults("- a \"quoted\" back\\slash and \x93" "curly\x94 text #1: {x}, "
                                "[y] & 'z' (Standard 4)\n");
    char *y = yaml_of(l, "odd \"name\".txt");
    cr_expect(valid_utf8(y));
    cr_expect(strstr(y, "text: \"a \\\"quoted\\\" back\\\\slash and \xE2\x80\x9C" "curly\xE2\x80\x9D"
                        " text #1: {x}, [y] & 'z'\"\n"),
              "%s", y);
    cr_expect(strstr(y, "source: \"annual review letter odd \\\"name\\\".txt\"\n"), "%s", y);
    cr_expect(strstr(y, "council: \"Test\"\nyear: 2003\n"), "%s", y);
    cr_expect(strstr(y, "adults:\n  findings:\n    - id: ad-afi-1\n      kind: "
                        "area_for_improvement\n      standards: [4]\n"),
              "%s", y);
    cr_expect(!strstr(y, "children:"), "empty service omitted");
    cr_expect(!strstr(y, "notes:"), "empty list omitted");
    sr_free(y);
    im_free(l);
}

Test(import, output_is_deterministic)
{
    size_t n;
    char *t = slurp(HARROW, &n);
    im_letter *a = parse_ok(HARROW, t, n), *b = parse_ok(HARROW, t, n);
    char *ya = yaml_of(a, "h.txt"), *yb = yaml_of(b, "h.txt");
    cr_expect_str_eq(ya, yb);
    cr_expect(!strncmp(ya, "# Imported by starrate import from h.txt: check the proposed "
                           "indicator values before relying on them.\ncouncil: \"London Borough "
                           "of Harrow\"\nyear: 2003\nsource: \"annual review letter h.txt\"\n"
                           "children:\n  findings:\n    - id: ch-imp-1\n",
                       200),
              "%.300s", ya);
    cr_expect(strstr(ya, "  indicators:\n    - {code: D42, value: 8, origin: letter, line: 81, "
                         "note: \"the level of carers assessments (eight per cent) is very low "
                         "and needs to be improved\"}\n"));
    sr_free(ya);
    sr_free(yb);
    im_free(a);
    im_free(b);
    sr_free(t);
}

Test(import, control_bytes_and_odd_input_stay_valid)
{
    static const char raw[] = "PERFORMANCE REVIEW REPORT 2003: (X\x01Y)\r"
                              "SERVICES TO ADULTS\r"
                              "Areas of Improvement\r"
                              "\xE2\x80\xA2\tab\x7f and \xC2\x85nel \xEF\xBB\xBF bom \xED\xA0\x80 "
                              "\x81 \xC2\x92 (Standard 2)\r";
    im_letter *l = parse_ok("odd.txt", raw, sizeof raw - 1);
    cr_expect_eq(im_count(l, SVC_ADULTS, IM_AREA_FOR_IMPROVEMENT), 1);
    char *y = yaml_of(l, "odd\x01\xff.txt");
    cr_expect(valid_utf8(y), "%s", y);
    cr_expect(strstr(y, "\xE2\x80\x99"), "C1 0x92 read as a curly apostrophe");
    sr_free(y);
    im_free(l);
}

/* ---- fault injection ------------------------------------------------------------------------ */

static void fault_walk(const char *seed)
{
    size_t n;
    char *t = slurp(seed, &n);
    long fails = 0;
    sr_error perr;
    sr_error_clear(&perr);
    /* the catalogue is read before failures are injected: the pack's loading has its own
     * fault-injection tests (test_pack.c) */
    cr_assert_eq(im_catalogue_for(test_cat(), 2003, &perr), SR_OK, "%s", perr.msg);
    for (long at = 1;; at++) {
        cr_assert_lt(at, 200000, "no success after %ld injected failures", at);
        im_letter *l = NULL;
        sr_error err;
        sr_error_clear(&err);
        sr_buf y, w;
        sr_buf_init(&y);
        sr_buf_init(&w);
        sr_alloc_fail_at(at);
        int rc = im_parse(seed, t, n, test_cat(), &l, &err);
        if (rc == SR_OK)
            rc = im_write_yaml(l, seed, &y);
        if (rc == SR_OK)
            rc = im_warnings(l, seed, &w);
        sr_alloc_fail_at(0);
        if (rc != SR_OK) {
            cr_assert_eq(rc, SR_ENOMEM, "failure %ld gave %d: %s", at, rc, err.msg);
            fails++;
        }
        sr_buf_free(&y);
        sr_buf_free(&w);
        im_free(l);
        if (rc == SR_OK)
            break;
    }
    cr_expect_gt(fails, 10);
    sr_free(t);
#ifdef IM_LSAN
    cr_expect_eq(__lsan_do_recoverable_leak_check(), 0, "LeakSanitizer found leaks");
#endif
}

Test(import, fault_injection_harrow) { fault_walk(HARROW); }
Test(import, fault_injection_bath) { fault_walk(BATH); }

/* ---- paragraphs next to bullets ------------------------------------------------------------ */

Test(import, paragraph_after_bullet_without_blank_line)
{
    /* not hard-wrapped: each line is a paragraph, so the sentence after the last bullet is
     * not part of it; a bullet broken mid-sentence still continues */
    im_letter *l = parse_adults("- the first finding is long enough to be a whole line of text "
                                "in a letter that was never wrapped by anyone; (Standard 1)\n"
                                "- the second finding breaks in the middle of\n"
                                "its sentence (Standard 2)\n"
                                "The council will send an action plan.\n");
    cr_assert_eq(im_count(l, SVC_ADULTS, IM_AREA_FOR_IMPROVEMENT), 2);
    cr_expect_str_eq(nth(l, SVC_ADULTS, IM_AREA_FOR_IMPROVEMENT, 2)->text,
                     "the second finding breaks in the middle of its sentence");
    cr_assert_eq(l->nnotes, 1);
    cr_expect_str_eq(l->notes[0].text, "The council will send an action plan.");
    cr_expect_eq(l->notes[0].line, 10);
    im_free(l);
}

Test(import, page_headers_and_tabbed_bullets)
{
    static const char text[] =
        "PERFORMANCE REVIEW REPORT 2003:\n"
        "\n"
        "LONDON BOROUGH OF HARROW\n"
        "\n"
        "SERVICES FOR CHILDREN AND FAMILIES\n"
        "Areas for Improvement\n"
        "\t\xE2\x80\xA2\tlow numbers of looked after children achieving educational\n"
        "\tqualifications; (Standard 1)\n"
        "\n"
        "- 2 -\n"
        "\f\n"
        "PERFORMANCE REVIEW REPORT 2003\n"
        "London Borough of Harrow\n"
        "\n"
        "\t\xE2\x80\xA2\ta commissioning strategy needs to be developed\n"
        "\t\to\tin-house residential provision; and\n"
        "\t\to\tfamily placements. (Standard 2)\n"
        "\t\xE2\x80\xA2\thigh unit costs; (Standard 2)\n"
        "Page 3 of 3\n";
    im_letter *l = parse_str(text);
    cr_assert_eq(im_count(l, SVC_CHILDREN, IM_AREA_FOR_IMPROVEMENT), 3);
    cr_expect_str_eq(nth(l, SVC_CHILDREN, IM_AREA_FOR_IMPROVEMENT, 1)->text,
                     "low numbers of looked after children achieving educational qualifications");
    const im_finding *f = nth(l, SVC_CHILDREN, IM_AREA_FOR_IMPROVEMENT, 2);
    cr_expect_eq(f->ndetails, 2);
    cr_expect_eq(f->standards[0], 2);
    cr_expect_eq(l->nnotes, 0, "first note: %s", l->nnotes ? l->notes[0].text : "");
    cr_expect_eq(l->nskipped, 4, "footer, repeated heading, repeated council, page number");
    check_accounted(l, text, "headers");
    im_free(l);
}

/* ---- letters as PDF and word processors leave them -------------------------------------------- */

static const char *const HEAD03 = "PERFORMANCE REVIEW REPORT 2003: (TEST)\n\nSERVICES TO ADULTS\n\n"
                                  "Areas for Improvement\n\n";

static im_letter *parse_body(const char *body)
{
    char *t = malloc(strlen(HEAD03) + strlen(body) + 1);
    strcpy(t, HEAD03);
    strcat(t, body);
    im_letter *l = parse_str(t);
    check_accounted(l, t, "body");
    free(t);
    return l;
}

Test(import, catalogue_comes_from_the_pack)
{
    rp_pack *p = NULL;
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(rp_load(SR_SOURCE_ROOT "/rules/2002", NULL, &p, &err), SR_OK, "%s", err.msg);
    im_catalogue c;
    memset(&c, 0, sizeof c);
    cr_assert_eq(im_catalogue_from_pack(&c, p, &err), SR_OK);
    size_t percent = 0, d42 = 0;
    for (size_t i = 0; i < c.n; i++) {
        percent += (size_t)c.codes[i].percent;
        if (strcmp(c.codes[i].code, "D42") == 0)
            d42 = c.codes[i].service == SVC_ADULTS && c.codes[i].percent;
    }
    cr_expect_eq(c.n, p->nindicators);
    cr_expect_eq(c.n, 39);
    cr_expect_eq(percent, 21);
    cr_expect(d42, "D42 is an adults' percentage");
    im_catalogue_free(&c);
    rp_free(p);
}

Test(import, codes_are_the_catalogues_not_built_in)
{
    im_catalogue cat;
    memset(&cat, 0, sizeof cat);
    sr_error e;
    sr_error_clear(&e);
    setenv("STARRATE_RULES", SR_SOURCE_ROOT "/rules", 1);
    cr_assert_eq(im_catalogue_for(&cat, 2003, &e), SR_OK, "%s", e.msg);
    for (size_t i = 0; i < cat.n; i++)  /* the round's codes, replaced by one of our own */
        sr_free(cat.codes[i].code);
    for (size_t i = 0; i < cat.nphrases; i++)  /* and no phrase names an indicator */
        sr_free(cat.phrases[i].words), sr_free(cat.phrases[i].near);
    cat.n = 1, cat.nphrases = 0;
    cat.codes[0].code = sr_strdup("Q7");
    cat.codes[0].service = SVC_ADULTS;
    cat.codes[0].percent = 1;
    const char *text = "PERFORMANCE REVIEW REPORT 2003: (TEST)\n\nSERVICES TO ADULTS\n\n"
                       "Areas for Improvement\n\n- waiting times (Q7) and carers (D42); (Standard 3)\n";
    im_letter *l = NULL;
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(im_parse("t.txt", text, strlen(text), &cat, &l, &err), SR_OK, "%s", err.msg);
    cr_assert_eq(l->nfindings, 1);
    cr_expect(has_code(&l->findings[0], "Q7"));
    cr_expect(!has_code(&l->findings[0], "D42"), "D42 is not in this round's catalogue");
    im_free(l);
    im_catalogue_free(&cat);
}

Test(import, form_feed_inside_a_bullet_keeps_it_whole)
{
    im_letter *l = parse_body("- a bullet that runs over the end of the\n\n"
                              "\fPage 2 of 3\n\nCare Trust and on; (Standard 1)\n"
                              "- the next one; (Standard 2)\n");
    cr_assert_eq(l->nfindings, 2);
    cr_expect_str_eq(l->findings[0].text, "a bullet that runs over the end of the Care Trust and on");
    cr_expect_eq(l->findings[0].standards[0], 1);
    cr_expect_eq(l->nnotes, 0);
    im_free(l);
}

Test(import, detached_markers_find_their_items)
{
    im_letter *l = parse_body("\xE2\x80\xA2\n\n\xE2\x80\xA2\n\xE2\x80\xA2\n\n"
                              "first item that wraps onto\na second line; (Standard 1)\n"
                              "Second item starts with a capital; (Standard 2)\n"
                              "and the third; (Standard 3)\n");
    cr_assert_eq(l->nfindings, 3);
    cr_expect_str_eq(l->findings[1].text, "Second item starts with a capital");
    cr_expect_eq(l->findings[2].standards[0], 3);
    cr_expect_eq(l->nwarns, 0);
    cr_expect_eq(l->nnotes, 0);
    im_free(l);
    /* two markers, three items: read, and a warning to check */
    l = parse_body("\xE2\x80\xA2\n\xE2\x80\xA2\n\nfirst; (Standard 1)\nsecond; (Standard 2)\n"
                   "third; (Standard 3)\n");
    cr_expect_eq(l->nwarns, 1);
    cr_expect(l->nwarns && strstr(l->warns[0].text, "2 bullet markers"));
    im_free(l);
}

Test(import, running_headers_at_page_breaks_are_skipped)
{
    im_letter *l = parse_body("- one; (Standard 1)\nTestshire Annual Review 2003 page 1\n"
                              "\fTestshire Annual Review 2003 page 2\n- two; (Standard 2)\n"
                              "Testshire Annual Review 2003 page 2\n"
                              "\fTestshire Annual Review 2003 page 3\n- three; (Standard 3)\n");
    cr_expect_eq(l->nfindings, 3);
    cr_expect_str_eq(l->findings[1].text, "two");
    cr_expect_eq(l->nnotes, 0);
    cr_expect_eq(l->nskipped, 4);
    im_free(l);
}

Test(import, ligatures_soft_hyphens_and_lone_tags)
{
    im_letter *l = parse_body("- e\xEF\xAC\x83" "cient co\xC2\xAD" "ordination of \xEF\xAC\x82ows;\n"
                              "(Standard 4)\n");
    cr_assert_eq(l->nfindings, 1);
    cr_expect_str_eq(l->findings[0].text, "efficient coordination of flows");
    cr_expect_eq(l->findings[0].nstandards, 1, "the tag on its own line is the bullet's");
    im_free(l);
}

Test(import, unassigned_findings_are_warnings_and_recorded)
{
    im_letter *l = parse_body("- a finding with no tag at all\n- a tagged one; (Standard 2)\n");
    cr_expect_eq(im_unassigned(l), 1);
    sr_buf w;
    sr_buf_init(&w);
    cr_assert_eq(im_warnings(l, "t.txt", &w), SR_OK);
    cr_expect(strstr(w.data, "t.txt:7: warning: finding ad-afi-1 has no standard or indicator"),
              "%s", w.data);
    cr_assert_eq(im_summary(l, "t.txt", &w), SR_OK);
    cr_expect(strstr(w.data, "imported 2 findings (children 0, adults 2); 0 lines not placed; "
                             "1 finding without a standard or indicator"), "%s", w.data);
    sr_buf_free(&w);
    char *y = yaml_of(l, "t.txt");
    cr_expect(strstr(y, "import:\n  from: \"t.txt\"\n  unplaced_lines: 0\n  unassigned:\n"
                        "    - {finding: ad-afi-1, line: 7}\n"), "%s", y);
    sr_free(y);
    im_free(l);
}

Test(import, two_columns_are_refused)
{
    sr_buf b;
    sr_buf_init(&b);
    sr_buf_puts(&b, "PERFORMANCE REVIEW REPORT 2003: (TEST)\n\n");
    for (int i = 0; i < 12; i++)
        sr_buf_puts(&b, "the left column of text runs here      and the right column runs there\n");
    im_letter *l = NULL;
    sr_error err;
    sr_error_clear(&err);
    cr_expect_eq(im_parse("cols.txt", b.data, b.len, test_cat(), &l, &err), SR_EINPUT);
    cr_expect_null(l);
    cr_expect(strstr(err.msg, "two columns"), "%s", err.msg);
    sr_buf_free(&b);
}

Test(import, symbol_font_and_other_bullets)
{
    im_letter *l = parse_body("\xE2\x9E\xA2 arrow bullet; (Standard 1)\n"
                              "\xEF\x81\xB6 a Wingdings glyph; (Standard 2)\n"
                              "\xE2\x96\xA0 a square; (Standard 3)\n");
    cr_assert_eq(l->nfindings, 3);
    cr_expect_str_eq(l->findings[1].text, "a Wingdings glyph");
    cr_expect_eq(l->nnotes, 0);
    im_free(l);
}

Test(import, lone_tags_at_a_page_break_are_not_running_headers)
{
    im_letter *l = parse_body("- low numbers achieving qualifications;\n(Standard 1)\n"
                              "- a strategy needs to be developed. This\n\n"
                              "\fneeds to include clarity;\n(Standard 2)\n");
    cr_assert_eq(l->nfindings, 2);
    cr_expect_eq(l->findings[0].nstandards, 1);
    cr_expect_eq(l->findings[1].nstandards, 1);
    cr_expect_eq(l->nskipped, 0);
    im_free(l);
}

/* ---- a fictional round: nothing of the real rounds is built in ---------------------------- */

/* A letter of the fictional 2031 round, read with its pack: the annex heading, the services
 * with their headings and id prefixes, the section headings, the phrase naming an indicator
 * and the capacity standard (7, where the real rounds have 6) all come from
 * tests/fictional/2030. The real rounds' words read nothing here. */
Test(import, a_fictional_pack_gives_services_headings_and_ids)
{
    static const char text[] =
        "CIVIC SERVICES REVIEW 2031: (WESTHOLM)\n\n"
        "Getting About\n\nThings to fix\n"
        "- buses running on time were below 75% last spring (Standard 6)\n"
        "- ticket machines break (Standard 4)\n\n"
        "Outlook (Standard 7)\n\nThe reviewers found the following concerns\n"
        "- no plan for new routes (Standard 7)\n\n"
        "HOMES FOR RESIDENTS AND THEIR FAMILIES\n\nProgress made this year\n"
        "- repairs were done promptly in 88% of cases (HX1)\n\n"
        "SERVICES TO ADULTS\n\n- read as the housing section's, not as a service of its own\n";
    im_catalogue cat;
    memset(&cat, 0, sizeof cat);
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(im_catalogue_pinned(&cat, SR_SOURCE_ROOT "/tests/fictional/2031", &err), SR_OK,
                 "%s", err.msg);
    im_letter *l = NULL;
    cr_assert_eq(im_parse("w.txt", text, strlen(text), &cat, &l, &err), SR_OK, "%s", err.msg);
    cr_assert_eq(l->nservices, 3, "parks were retired in 2031");
    cr_expect_str_eq(l->services[0].id, "housing");
    cr_expect_str_eq(l->services[1].id, "libraries");
    cr_expect_str_eq(l->services[2].id, "transport");
    cr_expect_eq(l->year, 2031);
    cr_assert_eq(l->nfindings, 5);
    const im_finding *f = &l->findings[0];
    cr_expect_eq(f->service, 2);
    cr_expect_eq(f->section, IM_AREA_FOR_IMPROVEMENT);
    cr_expect_eq(f->nstandards, 1, "standard 6 informs serving in this round");
    cr_expect_eq(f->standards[0], 6);
    cr_expect_eq(l->findings[2].section, IM_CAPACITY_CONCERN);
    cr_expect_str_eq(l->findings[2].text, "no plan for new routes", "the capacity tag is 7's");
    cr_expect_eq(l->findings[3].service, 0, "\"homes for residents ...\" is a prefix heading");
    cr_expect_eq(l->findings[4].service, 0);
    cr_expect_eq(l->nvalues, 1, "\"below\" makes the buses' figure a comparison, not a value");
    cr_expect_str_eq(l->values[0].code, "HX1");
    cr_expect_eq(l->values[0].value, 88, "\"repairs\" near \"promptly\" names HX1");
    char *y = yaml_of(l, "w.txt");
    cr_expect(strstr(y, "transport:\n") && strstr(y, "id: tr-afi-1") && strstr(y, "id: tr-capcon-1")
              && strstr(y, "id: ho-imp-1") && !strstr(y, "children"), "%s", y);
    free(y);
    sr_buf b;
    sr_buf_init(&b);
    cr_assert_eq(im_summary(l, "w.txt", &b), SR_OK);
    cr_expect(strstr(b.data, "(housing 2, libraries 0, transport 3)") != NULL, "%s", b.data);
    sr_buf_free(&b);
    im_free(l);
    im_catalogue_free(&cat);
}

/* The same pack refuses a real letter: it knows no "PERFORMANCE REVIEW REPORT". */
Test(import, a_fictional_pack_does_not_read_a_real_letter)
{
    im_catalogue cat;
    memset(&cat, 0, sizeof cat);
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(im_catalogue_pinned(&cat, SR_SOURCE_ROOT "/tests/fictional/2030", &err), SR_OK,
                 "%s", err.msg);
    size_t n;
    char *t = slurp(HARROW, &n);
    im_letter *l = NULL;
    cr_expect_eq(im_parse(HARROW, t, n, &cat, &l, &err), SR_EINPUT);
    cr_expect_null(l);
    cr_expect(strstr(err.msg, "no \"CIVIC SERVICES REVIEW\" heading") != NULL, "%s", err.msg);
    free(t);
    im_catalogue_free(&cat);
}

/* The words the letter is read with beyond its headings are the round's too: which section a
 * sub-heading opens, what ends the annex, which words make a figure a comparison and how long
 * a section heading may be. This letter of the fictional round uses its pack's words
 * ("worries", "bright spots", "shire", "Schedule 1") and the real rounds' ("weaknesses",
 * "national", "Appendix 2", a long improvements heading), which mean nothing in it. */
Test(import, a_fictional_letter_is_read_with_its_rounds_words)
{
    static const char text[] =
        "CIVIC SERVICES REVIEW 2031: (WESTHOLM)\n\n"                                 /* 1 */
        "HOMES FOR RESIDENTS\n\n"                                                     /* 3 */
        "Progress made in the year under review and the year before it\n"            /* 5 */
        "- under a heading too long for this round's improvement_heading_max\n\n"    /* 6 */
        "Things to fix\n"                                                             /* 8 */
        "- repairs done within a week, national 70% (Standard 1)\n\n"                /* 9 */
        "Outlook (Standard 7)\n\n"                                                    /* 11 */
        "The reviewers found the following weaknesses\n"                              /* 13 */
        "- no section: the real rounds' word (Standard 7)\n\n"                       /* 14 */
        "The reviewers found the following worries\n"                                 /* 16 */
        "- rents go uncollected (Standard 7)\n\n"                                     /* 17 */
        "The reviewers found the following bright spots\n"                            /* 19 */
        "- a new housing officer (Standard 7)\n\n"                                    /* 20 */
        "GETTING ABOUT\n\n"                                                           /* 22 */
        "Things to fix\n"                                                             /* 24 */
        "- buses running on time across the shire 60% (Standard 4)\n\n"              /* 25 */
        "Appendix 2\n"                                                                /* 27 */
        "- the real rounds' label does not end this round's annex (Standard 4)\n\n"  /* 28 */
        "Schedule 1\n"                                                                /* 30 */
        "- after the annex: not read\n";                                              /* 31 */
    im_catalogue cat;
    memset(&cat, 0, sizeof cat);
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(im_catalogue_pinned(&cat, SR_SOURCE_ROOT "/tests/fictional/2031", &err), SR_OK,
                 "%s", err.msg);
    im_letter *l = NULL;
    cr_assert_eq(im_parse("w.txt", text, strlen(text), &cat, &l, &err), SR_OK, "%s", err.msg);
    enum { HOUSING = 0, TRANSPORT = 2 };
    /* annex_labels = { "schedule" }: "Schedule 1" ends the annex, "Appendix 2" does not */
    cr_expect_eq(l->end_line, 29, "the annex ends before \"Schedule 1\"");
    cr_expect_eq(im_count(l, TRANSPORT, IM_AREA_FOR_IMPROVEMENT), 2,
                 "the bullet after \"Appendix 2\" is read");
    /* improvement_heading_max = 40: a longer line starting "Progress made" is no heading */
    cr_expect_eq(im_count(l, HOUSING, IM_IMPROVEMENT), 0);
    /* sub_heading_words: "worries" are concerns, "bright spots" improvements; "weaknesses"
     * open no section here */
    cr_expect_eq(im_count(l, HOUSING, IM_CAPACITY_CONCERN), 1);
    cr_expect_eq(im_count(l, HOUSING, IM_CAPACITY_IMPROVEMENT), 1);
    const im_finding *worry = nth(l, HOUSING, IM_CAPACITY_CONCERN, 1);
    cr_expect_str_eq(worry->text, "rents go uncollected");
    cr_expect_str_eq(nth(l, HOUSING, IM_CAPACITY_IMPROVEMENT, 1)->text, "a new housing officer");
    /* the unplaced lines: the long heading and its bullet, the real rounds' sub-heading and
     * its bullet, "Appendix 2" */
    cr_assert_eq(l->nnotes, 5);
    static const int note_lines[] = {5, 6, 13, 14, 27};
    for (size_t i = 0; i < 5; i++)
        cr_expect_eq(l->notes[i].line, note_lines[i], "note %zu", i);
    /* comparison_words: "shire" makes the buses' figure a comparison; "national" does not
     * make the repairs' one */
    cr_assert_eq(l->nvalues, 1);
    cr_expect_str_eq(l->values[0].code, "HX1");
    cr_expect_eq(l->values[0].value, 70);
    im_free(l);
    im_catalogue_free(&cat);
}

/* A copy of the real rounds' pack, with `edit` made to its scales.lua (each `from` replaced
 * by `to`), in a fresh folder: *dir names the round's folder. */
static void edited_pack(char *dir, size_t cap, const char *const (*edit)[2], size_t nedit)
{
    char tmp[] = "/tmp/starrate-words-XXXXXX";
    cr_assert_not_null(mkdtemp(tmp));
    snprintf(dir, cap, "%s/2002", tmp);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cp -r '%s/rules/2002' '%s'", SR_SOURCE_ROOT, dir);
    cr_assert_eq(system(cmd), 0);
    char path[600];
    snprintf(path, sizeof path, "%s/scales.lua", dir);
    char *t = NULL;
    size_t n;
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(sr_read_file(path, 1 << 20, &t, &n, &err), SR_OK, "%s", err.msg);
    sr_buf b;
    sr_buf_init(&b);
    sr_buf_puts(&b, t);
    for (size_t i = 0; i < nedit; i++) {
        char *at = strstr(b.data, edit[i][0]);
        cr_assert_not_null(at, "scales.lua no longer holds [%s]", edit[i][0]);
        sr_buf out;
        sr_buf_init(&out);
        sr_buf_putn(&out, b.data, (size_t)(at - b.data));
        sr_buf_puts(&out, edit[i][1]);
        sr_buf_puts(&out, at + strlen(edit[i][0]));
        sr_buf_free(&b);
        b = out;
    }
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(b.data, 1, b.len, f), b.len);
    cr_assert_eq(fclose(f), 0);
    sr_buf_free(&b);
    free(t);
}

static void remove_pack(const char *dir)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%.*s'", (int)(strrchr(dir, '/') - dir), dir);
    cr_assert_eq(system(cmd), 0);
}

static im_letter *parse_with(const char *dir, const char *text)
{
    im_catalogue cat;
    memset(&cat, 0, sizeof cat);
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(im_catalogue_pinned(&cat, dir, &err), SR_OK, "%s:%d: %s", err.file, err.line,
                 err.msg);
    im_letter *l = NULL;
    cr_assert_eq(im_parse("e.txt", text, strlen(text), &cat, &l, &err), SR_OK, "%s", err.msg);
    im_catalogue_free(&cat);
    return l;
}

/* The real rounds' words are read from their pack, not from C: the same letter, read with a
 * copy of rules/2002 whose letter declaration lost "weakness" from its concern words,
 * "national" from its comparison words or "background papers" from the annex's end, or has a
 * shorter improvements heading, reads differently. */
Test(import, the_real_rounds_words_come_from_their_pack)
{
    static const char text[] =
        "PERFORMANCE REVIEW REPORT 2003: (TESTSHIRE)\n\n"
        "Services for Adults\n\n"
        "Improvements since the last annual review\n"
        "- carers' assessments, national 55% (Standard 2)\n\n"
        "CAPACITY FOR IMPROVEMENT (STANDARD 6)\n\n"
        "The assessment has highlighted the following weaknesses in capacity:\n"
        "- workforce\n\n"
        "Background papers\n" /* line 13 */
        "- the annual review letter\n";
    char dir[600];
    snprintf(dir, sizeof dir, "%s/rules/2002", SR_SOURCE_ROOT);
    im_letter *l = parse_with(dir, text);
    cr_expect_eq(im_count(l, SVC_ADULTS, IM_IMPROVEMENT), 1);
    cr_expect_eq(im_count(l, SVC_ADULTS, IM_CAPACITY_CONCERN), 1, "weaknesses are concerns");
    cr_expect_eq(l->nnotes, 0);
    cr_expect_eq(l->end_line, 12, "\"Background papers\" ends the annex");
    cr_expect_eq(l->nvalues, 0, "\"national\" makes 55%% a comparison");
    im_free(l);

    static const char *const edit[][2] = {
        {"concern = { \"concern\", \"weakness\" },", "concern = { \"concern\" },"},
        {"\"national\", ", ""},
        {"improvement_heading_max = 90,", "improvement_heading_max = 40,"},
    };
    edited_pack(dir, sizeof dir, edit, sizeof edit / sizeof edit[0]);
    l = parse_with(dir, text);
    cr_expect_eq(im_count(l, SVC_ADULTS, IM_IMPROVEMENT), 0,
                 "41 bytes are too many for an improvements heading now");
    cr_expect_eq(im_count(l, SVC_ADULTS, IM_CAPACITY_CONCERN), 0,
                 "weaknesses open no section now");
    cr_expect_eq(l->nnotes, 4, "both headings and their bullets are unplaced");
    im_free(l);

    /* without the comparison word and the end of the annex: the headings as before, the
     * figure now a value, the annex running on past "Background papers" */
    static const char *const edit2[][2] = {
        {"\"national\", ", ""},
        {"\"background papers\", ", ""},
    };
    remove_pack(dir);
    edited_pack(dir, sizeof dir, edit2, sizeof edit2 / sizeof edit2[0]);
    l = parse_with(dir, text);
    cr_expect_eq(im_count(l, SVC_ADULTS, IM_IMPROVEMENT), 1);
    cr_expect_eq(l->end_line, 14, "the annex runs to the end");
    cr_expect_eq(im_count(l, SVC_ADULTS, IM_CAPACITY_CONCERN), 2, "the papers are a concern now");
    cr_assert_eq(l->nnotes, 1);
    cr_expect_eq(l->notes[0].line, 13, "\"Background papers\" is an unplaced line");
    cr_assert_eq(l->nvalues, 1, "without \"national\" 55%% is D42's value");
    cr_expect_str_eq(l->values[0].code, "D42");
    cr_expect_eq(l->values[0].value, 55);
    im_free(l);
    remove_pack(dir);
}
