/*
 * imcat.c — the catalogue `starrate import` reads a letter with (see import.h): what the
 * rule pack of the letter's round declares about its letters (services with their headings
 * and id prefixes, indicator codes and the phrases naming them, the annex and section
 * headings, the words of sub-headings, the annex's end and comparisons, the heading lengths,
 * the standard a capacity tag names), copied out of the pack and folded once the way
 * import.c compares them, so the pack can be freed while letters are read.
 */
#include "import.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* ASCII only on purpose: <ctype.h> depends on the locale. */
static int to_lower(int c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }
static int uc(const char *s, size_t i) { return (unsigned char)s[i]; }

/* ---- headings as compared ------------------------------------------------------------ */

/* Drops a tag of the standard that informs capacity ("(standard N)") from the end of a
 * folded heading: the capacity heading carries it. N is the pack's; "standard" is the
 * model's word, as in import.c's tags. */
static size_t drop_capacity_tag(const im_catalogue *c, char *out, size_t k)
{
    if (!c || !c->capacity_standard)
        return k;
    static const char *const forms[] = {"(standard %d)", "(standards %d)", "standard %d"};
    for (size_t t = 0; t < sizeof forms / sizeof forms[0]; t++) {
        char tag[32];
        size_t m = (size_t)snprintf(tag, sizeof tag, forms[t], c->capacity_standard);
        if (k >= m && strcmp(out + k - m, tag) == 0) {
            out[k - m] = '\0';
            return k - m;
        }
    }
    return k;
}

/* Lower-cased copy for heading comparisons: curly apostrophes become ', runs of spaces one
 * space, trailing punctuation and a tag of the standard that informs capacity (from c; none
 * when c is NULL) are dropped. Returns 0 when s is too long to be a heading. */
int im_fold_heading(const im_catalogue *c, const char *s, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k + 2 >= cap)
            return 0;
        if (i + 2 < n && uc(s, i) == 0xE2 && uc(s, i + 1) == 0x80 &&
            (uc(s, i + 2) == 0x98 || uc(s, i + 2) == 0x99)) {
            out[k++] = '\'';
            i += 2;
        } else if (s[i] == ' ') {
            if (k > 0 && out[k - 1] != ' ')
                out[k++] = ' ';
        } else {
            out[k++] = (char)to_lower(uc(s, i));
        }
    }
    out[k] = '\0';
    for (int pass = 0; pass < 2; pass++) {
        while (k > 0 && strchr(" .:;,-", out[k - 1]))
            out[--k] = '\0';
        k = drop_capacity_tag(c, out, k);
    }
    return 1;
}

/* ---- the catalogue ------------------------------------------------------------------ */

static void heads_free(im_heads *h)
{
    sr_free_strings(h->text, h->n);
    sr_free(h->prefix);
    memset(h, 0, sizeof *h);
}

void im_services_free(im_service *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        sr_free(v[i].id), sr_free(v[i].prefix);
    sr_free(v);
}

/* Everything read from the pack; the annex headings of all rounds stay. */
static void catalogue_clear(im_catalogue *c)
{
    for (size_t i = 0; i < c->n; i++)
        sr_free(c->codes[i].code);
    sr_free(c->codes);
    for (size_t i = 0; c->service_heads && i < c->nservices; i++)
        heads_free(&c->service_heads[i]);
    sr_free(c->service_heads);
    im_services_free(c->services, c->nservices);
    for (size_t i = 0; i < c->nphrases; i++)
        sr_free(c->phrases[i].words), sr_free(c->phrases[i].near);
    sr_free(c->phrases);
    sr_free(c->annex);
    for (int k = 0; k < RP_LETTER_NLISTS; k++)
        heads_free(&c->heads[k]);
    for (int k = 0; k < RP_WORDS_N; k++)
        sr_free_strings(c->words[k], c->nwords[k]);
    im_annex *annexes = c->annexes;
    size_t nannexes = c->nannexes;
    int pinned = c->pinned;
    memset(c, 0, sizeof *c);
    c->annexes = annexes, c->nannexes = nannexes, c->pinned = pinned;
}

static void annexes_free(im_catalogue *c)
{
    for (size_t i = 0; i < c->nannexes; i++)
        sr_free(c->annexes[i].heading);
    sr_free(c->annexes);
    c->annexes = NULL, c->nannexes = 0;
}

void im_catalogue_free(im_catalogue *c)
{
    if (!c)
        return;
    annexes_free(c);
    c->pinned = 0;
    catalogue_clear(c);
}

/* A pack's heading list, folded as letters' headings are (an entry ending in "..." is a
 * prefix). 0 on allocation failure or an entry too long to fold. */
static int heads_from(im_heads *h, char *const *list, size_t n)
{
    h->text = sr_calloc(n ? n : 1, sizeof *h->text);
    h->prefix = sr_calloc(n ? n : 1, 1);
    if (!h->text || !h->prefix)
        return 0;
    for (size_t i = 0; i < n; i++) {
        size_t m = strlen(list[i]);
        while (m > 0 && list[i][m - 1] == ' ')
            m--;
        if (m >= 3 && strncmp(list[i] + m - 3, "...", 3) == 0) {
            h->prefix[i] = 1;
            m -= 3;
        }
        char f[128];
        if (!im_fold_heading(NULL, list[i], m, f, sizeof f) || !(h->text[i] = sr_strdup(f)))
            return 0;
        h->n = i + 1;
    }
    return 1;
}

/* A phrase as match_name compares it: lower case, apostrophes left out, single spaces. */
static char *fold_phrase(const char *s)
{
    size_t n = strlen(s), k = 0;
    char *o = sr_malloc(n + 1);
    if (!o)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'' || (s[i] == ' ' && (k == 0 || o[k - 1] == ' ')))
            continue;
        if (i + 2 < n && uc(s, i) == 0xE2 && uc(s, i + 1) == 0x80 && uc(s, i + 2) == 0x99) {
            i += 2;  /* a curly apostrophe */
            continue;
        }
        o[k++] = (char)to_lower(uc(s, i));
    }
    while (k > 0 && o[k - 1] == ' ')
        k--;
    o[k] = '\0';
    return o;
}

static int services_from(im_catalogue *c, const rp_pack *p)
{
    size_t n = p->nservices;
    c->services = sr_calloc(n ? n : 1, sizeof *c->services);
    c->service_heads = sr_calloc(n ? n : 1, sizeof *c->service_heads);
    if (!c->services || !c->service_heads)
        return 0;
    c->nservices = n;
    for (size_t i = 0; i < n; i++) {
        const rp_service *d = &p->services[i];
        c->services[i].id = sr_strdup(d->id);
        c->services[i].prefix = sr_strdup(d->id_prefix ? d->id_prefix : d->id);
        if (!c->services[i].id || !c->services[i].prefix ||
            !heads_from(&c->service_heads[i], d->headings, d->nheadings))
            return 0;
    }
    return 1;
}

static int codes_from(im_catalogue *c, const rp_pack *p)
{
    size_t nphrases = 0;
    for (size_t i = 0; i < p->nindicators; i++)
        nphrases += p->indicators[i].nphrases;
    c->codes = sr_calloc(p->nindicators ? p->nindicators : 1, sizeof *c->codes);
    c->phrases = sr_calloc(nphrases ? nphrases : 1, sizeof *c->phrases);
    if (!c->codes || !c->phrases)
        return 0;
    for (size_t i = 0; i < p->nindicators; i++) {
        const rp_indicator *d = &p->indicators[i];
        im_code *e = &c->codes[c->n];
        if (!(e->code = sr_strdup(d->code)))
            return 0;
        e->service = d->service;
        e->percent = d->unit && strcmp(d->unit, "percent") == 0;
        c->n++;
        for (size_t k = 0; k < d->nphrases; k++) {
            im_phrase *ph = &c->phrases[c->nphrases];
            ph->code = i;
            ph->words = fold_phrase(d->phrases[k].words);
            ph->near = d->phrases[k].near ? fold_phrase(d->phrases[k].near) : NULL;
            c->nphrases++;
            if (!ph->words || (d->phrases[k].near && !ph->near))
                return 0;
        }
    }
    return 1;
}

/* A pack's word list in lower case (ASCII), as import.c compares a letter's words. 0 on
 * allocation failure. */
static int words_from(char ***out, size_t *nout, char *const *list, size_t n)
{
    if (!(*out = sr_calloc(n ? n : 1, sizeof **out)))
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!((*out)[i] = sr_strdup(list[i])))
            return 0;
        *nout = i + 1;
        for (char *w = (*out)[i]; *w; w++)
            *w = (char)to_lower(uc(w, 0));
    }
    return 1;
}

static int letter_from(im_catalogue *c, const rp_pack *p)
{
    const rp_letter *l = &p->letter;
    if (!l->declared)
        return 1;
    if (!(c->annex = sr_strdup(l->annex_heading)))
        return 0;
    for (int k = 0; k < RP_LETTER_NLISTS; k++)
        if (!heads_from(&c->heads[k], l->lists[k], l->nlists[k]))
            return 0;
    for (int k = 0; k < RP_WORDS_N; k++)
        if (!words_from(&c->words[k], &c->nwords[k], l->words[k], l->nwords[k]))
            return 0;
    c->improvement_max = (size_t)l->improvement_heading_max;
    c->capacity_max = (size_t)l->capacity_heading_max;
    return 1;
}

int im_catalogue_from_pack(im_catalogue *c, const rp_pack *p, sr_error *err)
{
    catalogue_clear(c);
    if (!services_from(c, p) || !codes_from(c, p) || !letter_from(c, p)) {
        catalogue_clear(c);
        return sr_oom(err);
    }
    c->capacity_standard = p->capacity_standard;
    c->serving_standards = p->serving_standards;
    c->year = p->round;
    return SR_OK;
}

static int catalogue_load(im_catalogue *c, const char *dir, sr_error *err)
{
    rp_pack *p = NULL;
    int rc = rp_load(dir, NULL, &p, err);
    if (rc == SR_OK)
        rc = im_catalogue_from_pack(c, p, err);
    rp_free(p);
    return rc;
}

int im_catalogue_for(im_catalogue *c, int year, sr_error *err)
{
    if (c->pinned || (c->year == year && c->codes))
        return SR_OK;
    char dir[PATH_MAX];
    if (rp_round_dir(year, dir, sizeof dir) != SR_OK)
        return sr_fail(err, SR_ELIMIT, "rules", 0, 0, "the rules folder's path is too long");
    return catalogue_load(c, dir, err);
}

int im_catalogue_pinned(im_catalogue *c, const char *dir, sr_error *err)
{
    c->pinned = 0;
    int rc = catalogue_load(c, dir, err);
    c->pinned = rc == SR_OK;
    return rc;
}

/* Records round r's annex heading h: a new entry, or r as the latest round of one seen. */
static int annex_add(im_catalogue *c, const char *h, int r)
{
    for (size_t k = 0; k < c->nannexes; k++)
        if (strcmp(c->annexes[k].heading, h) == 0) {
            c->annexes[k].round = r;
            return 1;
        }
    if (!(c->annexes[c->nannexes].heading = sr_strdup(h)))
        return 0;
    c->annexes[c->nannexes++].round = r;
    return 1;
}

/* The distinct annex headings of every round with a pack, read once: how a letter whose
 * round is not known yet is recognised. */
int im_catalogue_annexes(im_catalogue *c, sr_error *err)
{
    if (c->annexes)
        return SR_OK;
    int rounds[110], n = rp_rounds(rounds, 110);
    if (!(c->annexes = sr_calloc((size_t)n + 1, sizeof *c->annexes)))
        return sr_oom(err);
    int rc = SR_OK;
    for (int r = 0; rc == SR_OK && r < n; r++) {
        char dir[PATH_MAX];
        rp_pack *p = NULL;
        if (rp_round_dir(rounds[r], dir, sizeof dir) != SR_OK)
            rc = sr_fail(err, SR_ELIMIT, "rules", 0, 0, "the rules folder's path is too long");
        else
            rc = rp_load(dir, NULL, &p, err);
        if (rc == SR_OK && p->letter.declared && !annex_add(c, p->letter.annex_heading, p->round))
            rc = sr_oom(err);
        rp_free(p);
    }
    if (rc != SR_OK)
        annexes_free(c);  /* nothing half-read stays cached */
    return rc;
}
