/*
 * backtest.c — published outcomes against the star table: the strict CSV reader, the search
 * over missing judgements, and the `backtest` command with its text and JSON reports.
 *
 * The file names its services in its header (SERVICE_serving, SERVICE_capacity) and each row's
 * rule pack must declare exactly those services, so no service name is written here.
 */
#include "backtest.h"
#include "uncert.h"
#include "cmd.h"
#include "json.h"
#include "output.h"

#include <limits.h>
#include <stddef.h>
#include <string.h>

#define BT_MAX_BYTES (16u << 20)  /* an outcomes file is a few kilobytes; refuse anything huge */
#define BT_MAX_FIELDS 64
/* Records in one file, the header included: the published record has a few hundred, and each
 * row holds its evaluation until the report is written (16 MiB of short rows took 1.3 GB). */
#define BT_MAX_RECORDS 10000

/* ---- CSV reader ----------------------------------------------------------------------- */

typedef struct csv_reader {
    const char *name;
    const char *p, *end;
    int line, col;
    bt_csv *csv;
    sr_error *err;
} csv_reader;

static void csv_advance(csv_reader *r)
{
    if (*r->p == '\n')
        r->line++, r->col = 1;
    else
        r->col++;
    r->p++;
}

static int csv_at_end(const csv_reader *r) { return r->p >= r->end; }

static int csv_fail(csv_reader *r, int line, int col, const char *msg)
{
    return sr_fail(r->err, SR_EINPUT, r->name, line, col, "%s", msg);
}

void bt_csv_free(bt_csv *csv)
{
    if (!csv)
        return;
    for (size_t i = 0; i < csv->n; i++) {
        for (size_t j = 0; j < csv->records[i].n; j++)
            sr_free(csv->records[i].fields[j].text);
        sr_free(csv->records[i].fields);
    }
    sr_free(csv->records);
    sr_free(csv);
}

/* A quoted field: the opening quote is at r->p. Doubled quotes stand for one. */
static int csv_quoted(csv_reader *r, sr_buf *text)
{
    int line = r->line, col = r->col;
    csv_advance(r);
    for (;;) {
        if (csv_at_end(r))
            return csv_fail(r, line, col, "unterminated quoted field (no closing quote)");
        char c = *r->p;
        if (c == '\0')
            return csv_fail(r, r->line, r->col, "NUL byte in a field");
        if (c == '"') {
            if (r->p + 1 < r->end && r->p[1] == '"') {
                sr_buf_putc(text, '"');
                csv_advance(r);
                csv_advance(r);
                continue;
            }
            csv_advance(r);
            break;
        }
        sr_buf_putc(text, c);
        csv_advance(r);
    }
    if (!csv_at_end(r) && *r->p != ',' && *r->p != '\r' && *r->p != '\n')
        return csv_fail(r, r->line, r->col,
                        "text after a closing quote (a quote inside a quoted field is written twice)");
    return SR_OK;
}

/* An unquoted field runs to the next comma or line end; a quote inside it is an error
 * because RFC 4180 allows quotes only in quoted fields, and guessing hides typos. */
static int csv_unquoted(csv_reader *r, sr_buf *text)
{
    while (!csv_at_end(r) && *r->p != ',' && *r->p != '\r' && *r->p != '\n') {
        if (*r->p == '"')
            return csv_fail(r, r->line, r->col,
                            "quote in an unquoted field (quote the whole field and double the quote)");
        if (*r->p == '\0')
            return csv_fail(r, r->line, r->col, "NUL byte in a field");
        sr_buf_putc(text, *r->p);
        csv_advance(r);
    }
    return SR_OK;
}

static int csv_add_field(csv_reader *r, bt_record *rec, sr_buf *text, int line, int col)
{
    if (rec->n == BT_MAX_FIELDS)
        return sr_fail(r->err, SR_ELIMIT, r->name, line, col, "more than %d fields in a record",
                       BT_MAX_FIELDS);
    if (text->oom)
        return sr_oom(r->err);
    if ((rec->n & (rec->n - 1)) == 0) { /* grow at powers of two */
        bt_field *grown = sr_realloc(rec->fields, (rec->n ? 2 * rec->n : 1) * sizeof *grown);
        if (!grown)
            return sr_oom(r->err);
        rec->fields = grown;
    }
    char *s = text->data ? sr_buf_take(text) : sr_strdup("");
    if (!s)
        return sr_oom(r->err);
    rec->fields[rec->n++] = (bt_field){s, line, col};
    return SR_OK;
}

/* Ends a record at a line end (CRLF or LF) or the end of the data. */
static int csv_end_of_record(csv_reader *r)
{
    if (csv_at_end(r))
        return SR_OK;
    if (*r->p == '\r') {
        if (r->p + 1 >= r->end || r->p[1] != '\n')
            return csv_fail(r, r->line, r->col, "carriage return not followed by a line feed");
        csv_advance(r);
    }
    csv_advance(r);
    return SR_OK;
}

/* Reads one record; *end_line / *end_col receive where it ended (for "too few fields"). */
static int csv_record(csv_reader *r, bt_record *rec, int *end_line, int *end_col)
{
    sr_buf text;
    sr_buf_init(&text);
    rec->line = r->line;
    int rc = SR_OK, quoted = 0;
    for (;;) {
        int line = r->line, col = r->col;
        quoted = !csv_at_end(r) && *r->p == '"';
        rc = quoted ? csv_quoted(r, &text) : csv_unquoted(r, &text);
        if (rc == SR_OK)
            rc = csv_add_field(r, rec, &text, line, col);
        if (rc != SR_OK || csv_at_end(r) || *r->p != ',')
            break;
        csv_advance(r);
    }
    sr_buf_free(&text);
    *end_line = r->line;
    *end_col = r->col;
    if (rc == SR_OK && rec->n == 1 && !quoted && rec->fields[0].text[0] == '\0')
        return csv_fail(r, rec->line, 1, "blank line");
    return rc == SR_OK ? csv_end_of_record(r) : rc;
}

static int csv_check_width(csv_reader *r, const bt_record *rec, int end_line, int end_col)
{
    size_t want = r->csv->records[0].n;
    if (rec->n > want)
        return sr_fail(r->err, SR_EINPUT, r->name, rec->fields[want].line, rec->fields[want].col,
                       "too many fields: %zu (the header has %zu)", rec->n, want);
    if (rec->n < want)
        return sr_fail(r->err, SR_EINPUT, r->name, end_line, end_col,
                       "too few fields: %zu (the header has %zu)", rec->n, want);
    return SR_OK;
}

static int csv_push(csv_reader *r, bt_record **rec)
{
    bt_csv *csv = r->csv;
    if (csv->n == BT_MAX_RECORDS)
        return sr_fail(r->err, SR_ELIMIT, r->name, r->line, r->col, "more than %d records",
                       BT_MAX_RECORDS);
    if ((csv->n & (csv->n - 1)) == 0) {
        bt_record *grown = sr_realloc(csv->records, (csv->n ? 2 * csv->n : 1) * sizeof *grown);
        if (!grown)
            return sr_oom(r->err);
        csv->records = grown;
    }
    *rec = &csv->records[csv->n++];
    memset(*rec, 0, sizeof **rec);
    return SR_OK;
}

int bt_csv_parse(const char *name, const char *data, size_t len, bt_csv **out, sr_error *err)
{
    *out = NULL;
    csv_reader r = {name, data, data + len, 1, 1, NULL, err};
    if (len == 0)
        return csv_fail(&r, 1, 1, "empty file (expected a header line)");
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        return csv_fail(&r, 1, 1, "byte order mark at the start (save the file as UTF-8 without BOM)");
    if (!(r.csv = sr_calloc(1, sizeof *r.csv)))
        return sr_oom(err);
    int rc = SR_OK;
    while (rc == SR_OK && !csv_at_end(&r)) {
        bt_record *rec = NULL;
        int end_line, end_col;
        rc = csv_push(&r, &rec);
        if (rc == SR_OK) rc = csv_record(&r, rec, &end_line, &end_col);
        if (rc == SR_OK && r.csv->n > 1) rc = csv_check_width(&r, rec, end_line, end_col);
    }
    if (rc != SR_OK) {
        bt_csv_free(r.csv);
        return rc;
    }
    *out = r.csv;
    return SR_OK;
}

/* ---- inference ------------------------------------------------------------------------ */

static int check_limits(const rp_pack *p, sr_error *err)
{
    /* The sets below are bit masks; packs are far inside these bounds. */
    if (p->nservices > RP_MAX_SERVICES || p->serving.nwords > 32 || p->capacity.nwords > 32 ||
        p->nstar_rules > 64 || p->rating_min < 0 || p->rating_max > 31)
        return sr_fail(err, SR_ELIMIT, p->dir, 0, 0,
                       "the pack's scales or star table are too large for the backtest");
    return SR_OK;
}

static void infer_count(rp_pack *p, const int *sv, const int *cp, int row, int target,
                        bt_inference *o, int *first_row)
{
    int stars = p->star_rules[row].stars;
    o->completions++;
    if (stars >= 0 && stars < 32)
        o->possible |= 1u << stars;
    *first_row = *first_row == -2 ? row : *first_row == row ? row : -1;
    if (target < 0 || stars != target)
        return;
    o->consistent++;
    o->rules |= 1ull << row;
    for (size_t s = 0; s < p->nservices; s++) {
        o->serving[s] |= 1u << sv[s];
        o->capacity[s] |= 1u << cp[s];
    }
}

int bt_infer(rp_pack *p, const int *serving, const int *capacity, int target, bt_inference *o,
             sr_error *err)
{
    memset(o, 0, sizeof *o);
    o->row = -1;
    int rc = check_limits(p, err);
    if (rc != SR_OK)
        return rc;
    int sv[RP_MAX_SERVICES], cp[RP_MAX_SERVICES], sizes[2 * RP_MAX_SERVICES];
    int *slots[2 * RP_MAX_SERVICES];
    size_t nfree = 0;
    for (size_t s = 0; s < p->nservices; s++) {
        sv[s] = serving[s];
        cp[s] = capacity[s];
        if (sv[s] < 0)
            sv[s] = 0, slots[nfree] = &sv[s], sizes[nfree++] = (int)p->serving.nwords;
        if (cp[s] < 0)
            cp[s] = 0, slots[nfree] = &cp[s], sizes[nfree++] = (int)p->capacity.nwords;
    }
    int first_row = -2;
    do {
        int row;
        lh_budget_reset(p->host); /* each look-up is one evaluation for the budget */
        if ((rc = rp_stars(p, sv, cp, &row, err)) != SR_OK)
            return rc;
        if (row < 0)
            return sr_fail(err, SR_ERULES, p->dir, 0, 0, "no star rule matched (run starrate check)");
        infer_count(p, sv, cp, row, target, o, &first_row);
    } while (rp_next_completion(slots, sizes, nfree));
    o->row = first_row >= 0 ? first_row : -1;
    return SR_OK;
}

/* ---- the outcomes file ---------------------------------------------------------------- */

typedef struct columns {
    int council, year, stars;
    size_t nsvc;
    char svc[RP_MAX_SERVICES][64];
    int serving[RP_MAX_SERVICES], capacity[RP_MAX_SERVICES];
} columns;

typedef enum { ROW_COMPLETE, ROW_PARTIAL, ROW_UNSCORED } row_kind;

typedef struct row {
    const bt_record *rec;
    const char *council, *round;
    int year;
    rp_pack *pack;
    int serving[RP_MAX_SERVICES], capacity[RP_MAX_SERVICES]; /* by pack service; -1 missing */
    int published;                                          /* -1 not published */
    row_kind kind;
    bt_inference inf;
    int predicted;  /* stars when settled, else -1 */
    int bad;        /* a complete row that disagrees, or a partial one that cannot agree */
} row;

typedef struct run {
    const char *file;
    const char *rules;   /* --rules, or NULL: the pack of each row's year */
    ss_session *session;
    bt_csv *csv;
    columns cols;
    row *rows;
    size_t nrows;
    rp_pack *packs[SS_MAX_PACKS];  /* packs used, in first-use order */
    size_t npacks;
    sr_error *err;
} run;

static int header_fail(run *b, const bt_field *f, const char *fmt, const char *arg)
{
    return sr_fail(b->err, SR_EINPUT, b->file, f->line, f->col, fmt, arg);
}

/* Finds or adds the service named by a SERVICE_serving / SERVICE_capacity column. */
static int header_service(run *b, const bt_field *f, size_t prefix)
{
    columns *c = &b->cols;
    for (size_t s = 0; s < c->nsvc; s++)
        if (strlen(c->svc[s]) == prefix && strncmp(c->svc[s], f->text, prefix) == 0)
            return (int)s;
    if (c->nsvc == RP_MAX_SERVICES || prefix >= sizeof c->svc[0]) {
        header_fail(b, f, "too many services or too long a service name in column '%s'", f->text);
        return -1;
    }
    snprintf(c->svc[c->nsvc], sizeof c->svc[0], "%.*s", (int)prefix, f->text);
    c->serving[c->nsvc] = c->capacity[c->nsvc] = -1;
    return (int)c->nsvc++;
}

static int *header_slot(run *b, const bt_field *f)
{
    columns *c = &b->cols;
    static const char sv[] = "_serving", cp[] = "_capacity";
    size_t n = strlen(f->text);
    if (strcmp(f->text, "council") == 0) return &c->council;
    if (strcmp(f->text, "year") == 0) return &c->year;
    if (strcmp(f->text, "stars") == 0) return &c->stars;
    int is_sv = n > sizeof sv - 1 && strcmp(f->text + n - (sizeof sv - 1), sv) == 0;
    int is_cp = n > sizeof cp - 1 && strcmp(f->text + n - (sizeof cp - 1), cp) == 0;
    if (!is_sv && !is_cp) {
        header_fail(b, f, "unknown column '%s' (expected council, year, stars and, for each "
                          "service, SERVICE_serving and SERVICE_capacity)", f->text);
        return NULL;
    }
    int s = header_service(b, f, n - (is_sv ? sizeof sv - 1 : sizeof cp - 1));
    return s < 0 ? NULL : is_sv ? &c->serving[s] : &c->capacity[s];
}

static int read_header(run *b)
{
    const bt_record *h = &b->csv->records[0];
    columns *c = &b->cols;
    c->council = c->year = c->stars = -1;
    for (size_t i = 0; i < h->n; i++) {
        int *slot = header_slot(b, &h->fields[i]);
        if (!slot)
            return SR_EINPUT;
        if (*slot >= 0)
            return header_fail(b, &h->fields[i], "duplicate column '%s'", h->fields[i].text);
        *slot = (int)i;
    }
    static const char *const fixed[] = {"council", "year", "stars"};
    int *where[] = {&c->council, &c->year, &c->stars};
    for (size_t i = 0; i < 3; i++)
        if (*where[i] < 0)
            return header_fail(b, &h->fields[0], "missing column '%s'", fixed[i]);
    if (c->nsvc == 0)
        return header_fail(b, &h->fields[0], "no judgement columns (expected SERVICE_serving and "
                                              "SERVICE_capacity for each service)%s", "");
    for (size_t s = 0; s < c->nsvc; s++)
        if (c->serving[s] < 0 || c->capacity[s] < 0)
            return sr_fail(b->err, SR_EINPUT, b->file, h->line, 1, "missing column '%s_%s'",
                           c->svc[s], c->serving[s] < 0 ? "serving" : "capacity");
    return SR_OK;
}

/* "2003", "May 2002", "Nov 2003", "November 2004": the round's year. */
static int parse_round(const char *text, int *year)
{
    static const char *const months[] = {"January", "February", "March", "April", "May", "June",
                                         "July", "August", "September", "October", "November",
                                         "December"};
    const char *digits = text;
    const char *space = strchr(text, ' ');
    if (space) {
        size_t n = (size_t)(space - text);
        int ok = 0;
        for (size_t m = 0; m < 12 && !ok; m++)
            ok = (n == 3 || n == strlen(months[m]) || (m == 8 && n == 4)) &&
                 strncmp(text, months[m], n) == 0;
        if (!ok)
            return 0;
        digits = space + 1;
    }
    if (strlen(digits) != 4)
        return 0;
    int y = 0;
    for (int i = 0; i < 4; i++) {
        if (digits[i] < '0' || digits[i] > '9')
            return 0;
        y = y * 10 + (digits[i] - '0');
    }
    *year = y;
    return 1;
}

/* Each pack must declare exactly the services the header names. Checked once per pack. */
static int check_pack_services(run *b, rp_pack *p, const bt_field *year_field)
{
    for (size_t i = 0; i < b->npacks; i++)
        if (b->packs[i] == p)
            return SR_OK;
    const columns *c = &b->cols;
    for (size_t s = 0; s < c->nsvc; s++)
        if (rp_service_index(p, c->svc[s]) < 0) {
            const bt_field *f = &b->csv->records[0].fields[c->serving[s]];
            return sr_fail(b->err, SR_EINPUT, b->file, f->line, f->col,
                           "column '%s' names no service of rule pack %s", f->text, p->name);
        }
    for (size_t s = 0; s < p->nservices; s++) {
        size_t k = 0;
        while (k < c->nsvc && strcmp(c->svc[k], p->services[s].id) != 0)
            k++;
        if (k == c->nsvc)
            return sr_fail(b->err, SR_EINPUT, b->file, year_field->line, year_field->col,
                           "rule pack %s declares service '%s' but the file has no column %s_serving",
                           p->name, p->services[s].id, p->services[s].id);
    }
    if (b->npacks == SS_MAX_PACKS)
        return sr_fail(b->err, SR_ELIMIT, b->file, year_field->line, year_field->col,
                       "more than %d rule packs in one file", SS_MAX_PACKS);
    b->packs[b->npacks++] = p;
    return check_limits(p, b->err);
}

static int row_pack(run *b, row *r, const bt_field *f)
{
    char dir[PATH_MAX], round[16];
    snprintf(round, sizeof round, "%d", r->year);
    const char *name = b->rules ? b->rules : round;
    /* Say which row asked for a round that has no pack; a pack that fails to load reports
     * its own Lua position instead. */
    if (!b->rules && rp_resolve(name, dir, sizeof dir, b->err) != SR_OK)
        return sr_fail(b->err, SR_EINPUT, b->file, f->line, f->col,
                       "no rule pack for round %d (year '%s')", r->year, f->text);
    if (!(r->pack = ss_pack(b->session, name, b->err)))
        return b->err->code ? b->err->code : SR_ERULES;
    return check_pack_services(b, r->pack, f);
}

static int row_word(run *b, const rp_scale *sc, const bt_field *f, const char *column, int *out)
{
    *out = -1;
    if (f->text[0] == '\0')
        return SR_OK;
    if ((*out = rp_word_index(sc, f->text)) >= 0)
        return SR_OK;
    sr_buf words;
    sr_buf_init(&words);
    for (size_t i = 0; i < sc->nwords; i++)
        sr_buf_printf(&words, "%s%s", i ? ", " : "", sc->words[i].id);
    int rc = words.oom ? sr_oom(b->err)
                       : sr_fail(b->err, SR_EINPUT, b->file, f->line, f->col,
                                 "unknown word '%s' in column %s (expected one of: %s, or empty "
                                 "when not published)", f->text, column, words.data ? words.data : "");
    sr_buf_free(&words);
    return rc;
}

static int row_stars(run *b, row *r, const bt_field *f)
{
    r->published = -1;
    if (f->text[0] == '\0')
        return SR_OK;
    const rp_pack *p = r->pack;
    long v = 0;
    size_t i = 0;
    for (; i < 4 && f->text[i] >= '0' && f->text[i] <= '9'; i++)
        v = v * 10 + (f->text[i] - '0');
    int leading_zero = f->text[0] == '0' && i > 1;
    if (i == 0 || f->text[i] != '\0' || leading_zero || v < p->rating_min || v > p->rating_max)
        return sr_fail(b->err, SR_EINPUT, b->file, f->line, f->col,
                       "stars '%s' is not a rating from %d to %d (or empty when not published)",
                       f->text, p->rating_min, p->rating_max);
    r->published = (int)v;
    return SR_OK;
}

static int row_judgements(run *b, row *r)
{
    const bt_field *fs = r->rec->fields;
    const columns *c = &b->cols;
    int rc = SR_OK;
    for (size_t k = 0; rc == SR_OK && k < c->nsvc; k++) {
        int s = rp_service_index(r->pack, c->svc[k]);
        const bt_field *fsv = &fs[c->serving[k]], *fcp = &fs[c->capacity[k]];
        const char *nsv = b->csv->records[0].fields[c->serving[k]].text;
        const char *ncp = b->csv->records[0].fields[c->capacity[k]].text;
        rc = row_word(b, &r->pack->serving, fsv, nsv, &r->serving[s]);
        if (rc == SR_OK) rc = row_word(b, &r->pack->capacity, fcp, ncp, &r->capacity[s]);
    }
    return rc;
}

static void row_classify(row *r)
{
    int missing = 0;
    for (size_t s = 0; s < r->pack->nservices; s++)
        missing += (r->serving[s] < 0) + (r->capacity[s] < 0);
    r->kind = r->published < 0 ? ROW_UNSCORED : missing ? ROW_PARTIAL : ROW_COMPLETE;
    unsigned p = r->inf.possible;
    r->predicted = -1;
    if (p && (p & (p - 1)) == 0)
        for (int k = 0; k < 32; k++)
            if (p == 1u << k)
                r->predicted = k;
    r->bad = (r->kind == ROW_COMPLETE && r->predicted != r->published) ||
             (r->kind == ROW_PARTIAL && r->inf.consistent == 0);
}

static int read_row(run *b, const bt_record *rec, row *r)
{
    const columns *c = &b->cols;
    const bt_field *fs = rec->fields;
    memset(r, 0, sizeof *r);
    r->rec = rec;
    r->council = fs[c->council].text;
    r->round = fs[c->year].text;
    if (r->council[0] == '\0')
        return sr_fail(b->err, SR_EINPUT, b->file, fs[c->council].line, fs[c->council].col,
                       "empty council name");
    if (!parse_round(r->round, &r->year))
        return sr_fail(b->err, SR_EINPUT, b->file, fs[c->year].line, fs[c->year].col,
                       "year '%s' is not a round (expected e.g. 2003, May 2002 or Nov 2003)", r->round);
    int rc = row_pack(b, r, &fs[c->year]);
    if (rc == SR_OK) rc = row_judgements(b, r);
    if (rc == SR_OK) rc = row_stars(b, r, &fs[c->stars]);
    if (rc == SR_OK) rc = bt_infer(r->pack, r->serving, r->capacity, r->published, &r->inf, b->err);
    if (rc == SR_OK)
        row_classify(r);
    return rc;
}

static int read_outcomes(run *b, const char *data, size_t len)
{
    int rc = bt_csv_parse(b->file, data, len, &b->csv, b->err);
    if (rc == SR_OK) rc = read_header(b);
    if (rc != SR_OK)
        return rc;
    if (b->csv->n < 2)
        return sr_fail(b->err, SR_EINPUT, b->file, 1, 1, "no outcomes after the header line");
    if (!(b->rows = sr_calloc(b->csv->n - 1, sizeof *b->rows)))
        return sr_oom(b->err);
    for (size_t i = 1; rc == SR_OK && i < b->csv->n; i++, b->nrows++)
        rc = read_row(b, &b->csv->records[i], &b->rows[b->nrows]);
    return rc;
}

/* ---- summary -------------------------------------------------------------------------- */

typedef struct summary {
    size_t complete, agree, partial, consistent, unscored;
    int lo, hi;                /* rating range over the packs used */
    long matrix[32][32];       /* [published - lo][predicted - lo], complete rows */
} summary;

static void summarise(const run *b, summary *m)
{
    memset(m, 0, sizeof *m);
    m->lo = INT_MAX, m->hi = INT_MIN;
    for (size_t i = 0; i < b->npacks; i++) {
        m->lo = b->packs[i]->rating_min < m->lo ? b->packs[i]->rating_min : m->lo;
        m->hi = b->packs[i]->rating_max > m->hi ? b->packs[i]->rating_max : m->hi;
    }
    for (size_t i = 0; i < b->nrows; i++) {
        const row *r = &b->rows[i];
        if (r->kind == ROW_COMPLETE) {
            m->complete++;
            m->agree += !r->bad;
            if (r->predicted >= m->lo && r->predicted <= m->hi)
                m->matrix[r->published - m->lo][r->predicted - m->lo]++;
        } else if (r->kind == ROW_PARTIAL) {
            m->partial++;
            m->consistent += !r->bad;
        } else {
            m->unscored++;
        }
    }
}

/* Accuracy in tenths of a percent by integer arithmetic: no locale, no rounding surprises. */
static void percent(char *out, size_t n, size_t part, size_t whole)
{
    size_t tenths = whole ? (part * 1000 + whole / 2) / whole : 0;
    if (tenths % 10)
        snprintf(out, n, "%zu.%zu%%", tenths / 10, tenths % 10);
    else
        snprintf(out, n, "%zu%%", tenths / 10);
}

/* ---- text report ---------------------------------------------------------------------- */

static void stars_words(sr_buf *o, const rp_pack *p, int n)
{
    sr_buf_printf(o, "%d %s", n, rp_unit(p, n));
}

/* "0, 1 or 3" */
static void set_words(sr_buf *o, unsigned set, const rp_scale *sc)
{
    int total = 0, done = 0;
    for (int k = 0; k < 32; k++)
        total += (set >> k) & 1;
    for (int k = 0; k < 32; k++) {
        if (!((set >> k) & 1))
            continue;
        done++;
        sr_buf_puts(o, done == 1 ? "" : done == total ? " or " : ", ");
        if (sc)
            sr_buf_puts(o, sc->words[k].id);
        else
            sr_buf_printf(o, "%d", k);
    }
}

static void text_pair(sr_buf *o, const rp_pack *p, const row *r, size_t s)
{
    sr_buf_printf(o, "%s %s/%s", p->services[s].id,
                  r->serving[s] >= 0 ? p->serving.words[r->serving[s]].id : "?",
                  r->capacity[s] >= 0 ? p->capacity.words[r->capacity[s]].id : "?");
}

static void text_rule(sr_buf *o, const rp_pack *p, int rowi, int full)
{
    const rp_star_rule *sr = &p->star_rules[rowi];
    sr_buf_printf(o, "by rule %s", sr->id);
    if (full)
        sr_buf_printf(o, ": %s (%s, %s:%d)", sr->sentence,
                      rp_prov_text(sr->prov.reconstructed), sr->prov.file,
                      sr->prov.line);
}

static void text_rules(sr_buf *o, const rp_pack *p, unsigned long long rules)
{
    int first = 1;
    sr_buf_puts(o, "by rule ");
    for (size_t i = 0; i < p->nstar_rules; i++)
        if ((rules >> i) & 1) {
            sr_buf_printf(o, "%s%s", first ? "" : " or ", p->star_rules[i].id);
            first = 0;
        }
}

/* "S1_capacity must be promising or excellent, S2_capacity must be excellent" for services
 * S1 and S2 */
static void text_must(sr_buf *o, const row *r)
{
    const rp_pack *p = r->pack;
    int first = 1;
    for (size_t s = 0; s < p->nservices; s++)
        for (int j = 0; j < 2; j++) {
            if ((j ? r->capacity[s] : r->serving[s]) >= 0)
                continue;
            sr_buf_printf(o, "%s%s_%s must be ", first ? "" : ", ", p->services[s].id,
                          j ? "capacity" : "serving");
            set_words(o, j ? r->inf.capacity[s] : r->inf.serving[s], j ? &p->capacity : &p->serving);
            first = 0;
        }
}

static void text_outcome(sr_buf *o, const row *r)
{
    const rp_pack *p = r->pack;
    if (r->kind == ROW_COMPLETE) {
        sr_buf_puts(o, "; the rules give ");
        stars_words(o, p, r->predicted);
        sr_buf_putc(o, ' ');
        text_rule(o, p, r->inf.row, 0);
        sr_buf_puts(o, r->bad ? ": DISAGREES\n" : ": agrees\n");
    } else if (r->kind == ROW_PARTIAL && !r->bad) {
        sr_buf_printf(o, "; consistent (%ld of %ld completions): ", r->inf.consistent, r->inf.completions);
        text_must(o, r);
        sr_buf_puts(o, " (");
        text_rules(o, p, r->inf.rules);
        sr_buf_puts(o, ")\n");
    } else if (r->kind == ROW_PARTIAL) {
        sr_buf_puts(o, "; INCONSISTENT: no completion of the missing judgements gives it (possible: ");
        set_words(o, r->inf.possible, NULL);
        sr_buf_puts(o, ")\n");
    } else if (r->predicted >= 0) {
        sr_buf_puts(o, "; the rules give ");
        stars_words(o, p, r->predicted);
        if (r->inf.row >= 0) {
            sr_buf_putc(o, ' ');
            text_rule(o, p, r->inf.row, 0);
        }
        sr_buf_puts(o, r->inf.completions > 1 ? " whatever the missing judgements are\n" : "\n");
    } else {
        sr_buf_puts(o, "; possible: ");
        set_words(o, r->inf.possible, NULL);
        sr_buf_printf(o, " %s\n", p->rating_unit);
    }
}

static void text_row(sr_buf *o, const row *r)
{
    const rp_pack *p = r->pack;
    sr_buf_printf(o, "  line %d: %s, %s: ", r->rec->line, r->council, r->round);
    for (size_t s = 0; s < p->nservices; s++) {
        if (s)
            sr_buf_puts(o, ", ");
        text_pair(o, p, r, s);
    }
    if (r->published >= 0) {
        sr_buf_puts(o, "; published ");
        stars_words(o, p, r->published);
    } else {
        sr_buf_puts(o, "; stars not published");
    }
    text_outcome(o, r);
}

static void text_matrix(sr_buf *o, const summary *m)
{
    sr_buf_puts(o, "\nConfusion matrix of the complete rows (published down, predicted across)\n");
    sr_buf_puts(o, "  published |");
    for (int k = m->lo; k <= m->hi; k++)
        sr_buf_printf(o, " %4d", k);
    sr_buf_puts(o, "\n  ----------+");
    for (int k = m->lo; k <= m->hi; k++)
        sr_buf_puts(o, "-----");
    sr_buf_putc(o, '\n');
    for (int i = m->lo; i <= m->hi; i++) {
        sr_buf_printf(o, "  %9d |", i);
        for (int k = m->lo; k <= m->hi; k++)
            sr_buf_printf(o, " %4ld", m->matrix[i - m->lo][k - m->lo]);
        sr_buf_putc(o, '\n');
    }
}

static void text_mismatches(sr_buf *o, const run *b)
{
    size_t n = 0;
    for (size_t i = 0; i < b->nrows; i++)
        n += b->rows[i].bad;
    if (n == 0) {
        sr_buf_puts(o, "\nMismatches: none\n");
        return;
    }
    sr_buf_printf(o, "\nMismatches: %zu\n", n);
    for (size_t i = 0; i < b->nrows; i++) {
        const row *r = &b->rows[i];
        if (!r->bad)
            continue;
        sr_buf_printf(o, "  %s:%d: %s, %s: published ", b->file, r->rec->line, r->council, r->round);
        stars_words(o, r->pack, r->published);
        if (r->kind == ROW_COMPLETE) {
            sr_buf_puts(o, ", the rules give ");
            stars_words(o, r->pack, r->predicted);
            sr_buf_putc(o, ' ');
            text_rule(o, r->pack, r->inf.row, 1);
        } else {
            sr_buf_puts(o, ", but no completion of the missing judgements gives it (possible: ");
            set_words(o, r->inf.possible, NULL);
            sr_buf_putc(o, ')');
        }
        sr_buf_putc(o, '\n');
    }
}

static void text_report(sr_buf *o, const run *b)
{
    summary m;
    summarise(b, &m);
    sr_buf_printf(o, "Backtest of %s: %zu rows; rules", b->file, b->nrows);
    for (size_t i = 0; i < b->npacks; i++)
        sr_buf_printf(o, "%s %s %s (sha256 %.12s)", i ? "," : "", b->packs[i]->name,
                      b->packs[i]->version, b->packs[i]->sha256);
    sr_buf_puts(o, "\n\n");
    for (size_t i = 0; i < b->nrows; i++)
        text_row(o, &b->rows[i]);
    char pc[32];
    percent(pc, sizeof pc, m.agree, m.complete);
    sr_buf_puts(o, "\nSummary\n");
    sr_buf_printf(o, "  complete rows: %zu, %zu agree", m.complete, m.agree);
    if (m.complete)
        sr_buf_printf(o, " (accuracy %s)", pc);
    sr_buf_printf(o, "\n  partial rows: %zu, %zu consistent with the published stars\n", m.partial,
                  m.consistent);
    sr_buf_printf(o, "  rows without published stars: %zu\n", m.unscored);
    if (m.complete)
        text_matrix(o, &m);
    text_mismatches(o, b);
}

/* ---- JSON report ---------------------------------------------------------------------- */

static void json_word_set(js_writer *w, unsigned set, const rp_scale *sc)
{
    js_array(w);
    for (int k = 0; k < 32; k++)
        if ((set >> k) & 1) {
            if (sc)
                js_string(w, sc->words[k].id);
            else
                js_int(w, k);
        }
    js_end_array(w);
}

static void json_star_rule(js_writer *w, const rp_pack *p, int rowi)
{
    if (rowi < 0) {
        js_null(w);
        return;
    }
    const rp_star_rule *sr = &p->star_rules[rowi];
    js_object(w);
    js_key(w, "id"); js_string(w, sr->id);
    js_key(w, "sentence"); js_string(w, sr->sentence);
    js_key(w, "provenance"); js_string(w, rp_prov_json(sr->prov.reconstructed));
    js_key(w, "file"); js_string(w, sr->prov.file);
    js_key(w, "line"); js_int(w, sr->prov.line);
    js_end_object(w);
}

static void json_judgements(js_writer *w, const row *r)
{
    const rp_pack *p = r->pack;
    js_object(w);
    for (size_t s = 0; s < p->nservices; s++) {
        js_key(w, p->services[s].id);
        js_object(w);
        js_key(w, "serving");
        js_string(w, r->serving[s] >= 0 ? p->serving.words[r->serving[s]].id : NULL);
        js_key(w, "capacity");
        js_string(w, r->capacity[s] >= 0 ? p->capacity.words[r->capacity[s]].id : NULL);
        js_end_object(w);
    }
    js_end_object(w);
}

/* For a partial row with published stars: the values each missing judgement must take. */
static void json_partial(js_writer *w, const row *r)
{
    const rp_pack *p = r->pack;
    js_key(w, "consistent"); js_bool(w, !r->bad);
    js_key(w, "completions"); js_int(w, r->inf.completions);
    js_key(w, "consistent_completions"); js_int(w, r->inf.consistent);
    js_key(w, "must");
    js_object(w);
    for (size_t s = 0; s < p->nservices; s++) {
        if (r->serving[s] >= 0 && r->capacity[s] >= 0)
            continue;
        js_key(w, p->services[s].id);
        js_object(w);
        if (r->serving[s] < 0) {
            js_key(w, "serving");
            json_word_set(w, r->inf.serving[s], &p->serving);
        }
        if (r->capacity[s] < 0) {
            js_key(w, "capacity");
            json_word_set(w, r->inf.capacity[s], &p->capacity);
        }
        js_end_object(w);
    }
    js_end_object(w);
    js_key(w, "rules");
    js_array(w);
    for (size_t i = 0; i < p->nstar_rules; i++)
        if ((r->inf.rules >> i) & 1)
            js_string(w, p->star_rules[i].id);
    js_end_array(w);
}

static const char *const kind_words[] = {"complete", "partial", "unscored"};

static void json_row(js_writer *w, const row *r)
{
    js_object(w);
    js_key(w, "line"); js_int(w, r->rec->line);
    js_key(w, "council"); js_string(w, r->council);
    js_key(w, "round"); js_string(w, r->round);
    js_key(w, "year"); js_int(w, r->year);
    js_key(w, "ruleset"); js_string(w, r->pack->name);
    js_key(w, "kind"); js_string(w, kind_words[r->kind]);
    js_key(w, "judgements"); json_judgements(w, r);
    js_key(w, "published"); if (r->published >= 0) js_int(w, r->published); else js_null(w);
    js_key(w, "predicted"); if (r->predicted >= 0) js_int(w, r->predicted); else js_null(w);
    js_key(w, "stars_possible"); json_word_set(w, r->inf.possible, NULL);
    js_key(w, "rule"); json_star_rule(w, r->pack, r->inf.row);
    js_key(w, "agrees");
    if (r->kind == ROW_COMPLETE) js_bool(w, !r->bad); else js_null(w);
    if (r->kind == ROW_PARTIAL)
        json_partial(w, r);
    js_end_object(w);
}

/* A complete row that disagrees ("disagrees", with the rule that fired) or a partial row
 * whose published stars no completion reaches ("unreachable"). */
static void json_mismatch(js_writer *w, const row *r)
{
    js_object(w);
    js_key(w, "line"); js_int(w, r->rec->line);
    js_key(w, "council"); js_string(w, r->council);
    js_key(w, "round"); js_string(w, r->round);
    js_key(w, "reason"); js_string(w, r->kind == ROW_COMPLETE ? "disagrees" : "unreachable");
    js_key(w, "published"); js_int(w, r->published);
    js_key(w, "predicted"); if (r->predicted >= 0) js_int(w, r->predicted); else js_null(w);
    js_key(w, "stars_possible"); json_word_set(w, r->inf.possible, NULL);
    js_key(w, "rule"); json_star_rule(w, r->pack, r->kind == ROW_COMPLETE ? r->inf.row : -1);
    js_end_object(w);
}

static void json_summary(js_writer *w, const summary *m)
{
    js_key(w, "summary");
    js_object(w);
    js_key(w, "complete"); js_int(w, (long)m->complete);
    js_key(w, "agree"); js_int(w, (long)m->agree);
    js_key(w, "accuracy");
    if (m->complete) js_number(w, (double)m->agree / (double)m->complete); else js_null(w);
    js_key(w, "partial"); js_int(w, (long)m->partial);
    js_key(w, "consistent"); js_int(w, (long)m->consistent);
    js_key(w, "unscored"); js_int(w, (long)m->unscored);
    js_end_object(w);
    js_key(w, "confusion");
    js_object(w);
    js_key(w, "stars");
    js_array(w);
    for (int k = m->lo; k <= m->hi; k++)
        js_int(w, k);
    js_end_array(w);
    js_key(w, "published_by_predicted");
    js_array(w);
    for (int i = m->lo; i <= m->hi; i++) {
        js_array(w);
        for (int k = m->lo; k <= m->hi; k++)
            js_int(w, m->matrix[i - m->lo][k - m->lo]);
        js_end_array(w);
    }
    js_end_array(w);
    js_end_object(w);
}

static void json_report(sr_buf *o, const run *b)
{
    summary m;
    summarise(b, &m);
    js_writer w;
    js_init(&w, o, 1);
    js_object(&w);
    js_key(&w, "format"); js_string(&w, "starrate-backtest/1");
    js_key(&w, "file"); js_string(&w, b->file);
    js_key(&w, "rows");
    js_array(&w);
    for (size_t i = 0; i < b->nrows; i++)
        json_row(&w, &b->rows[i]);
    js_end_array(&w);
    json_summary(&w, &m);
    js_key(&w, "mismatches");
    js_array(&w);
    for (size_t i = 0; i < b->nrows; i++)
        if (b->rows[i].bad)
            json_mismatch(&w, &b->rows[i]);
    js_end_array(&w);
    js_key(&w, "rulesets");
    js_array(&w);
    for (size_t i = 0; i < b->npacks; i++) {
        js_object(&w);
        js_key(&w, "name"); js_string(&w, b->packs[i]->name);
        js_key(&w, "version"); js_string(&w, b->packs[i]->version);
        js_key(&w, "sha256"); js_string(&w, b->packs[i]->sha256);
        js_end_object(&w);
    }
    js_end_array(&w);
    out_json_engine(&w);
    js_end_object(&w);
    sr_buf_putc(o, '\n');
}

/* ---- the command ---------------------------------------------------------------------- */

const char backtest_description[] =
    "Checks a rule pack's star table against published outcomes. OUTCOMES.csv (RFC 4180 CSV;\n"
    "- reads standard input) has a header line and one row per council and round:\n"
    "  council,year,SERVICE_serving,SERVICE_capacity,...,stars\n"
    "(a SERVICE_serving and SERVICE_capacity column for each service of the pack, in any\n"
    "order). `year` is a round such as 2003, May 2002 or Nov 2003 and picks the rule pack; an\n"
    "empty cell is a value that was not published.\n"
    "\n"
    "A complete row agrees when the star table gives the published stars. For a partial row\n"
    "every completion of the missing judgements is tried: the row is consistent when one gives\n"
    "the published stars, and the values the missing judgements must then take are listed.\n"
    "Prints each row, a summary with the accuracy, a confusion matrix (published x predicted\n"
    "stars) and each mismatch with the rule that fired.\n"
    "\n"
    "Exit status: 0 every scored row agrees, 1 a complete row disagrees, a partial row cannot\n"
    "reach its published stars, or the file was rejected; 2 usage error.\n";

typedef struct bt_opts {
    int json; /* the index of the format: text, json */
    const char *rules, *output, *seed, *variants;
    int uncertainty;
} bt_opts;

static const char *const bt_formats[] = {"text", "json", NULL};

#define OPT(field) offsetof(bt_opts, field)
const po_option backtest_options[] = {
    {PO_CHOICE, 0, "format", OPT(json), "text|json", "output format (default text)", 0, 0, bt_formats, NULL},
    {PO_STRING, 0, "rules", OPT(rules), "PACK", "use this rule pack for every row instead of the pack of its year", 0, 0, NULL, NULL},
    {PO_STRING, 'o', "output", OPT(output), "FILE", "write the output to FILE atomically instead of standard output", 0, 0, NULL, NULL},
    {PO_FLAG, 0, "uncertainty", OPT(uncertainty), NULL,
     "instead of an outcomes file: score the chances against the\n"
     "calibration councils' published ratings, each also left out of\n"
     "the fit (Brier score, log-loss; docs/methodology.md)", 0, 0, NULL, NULL},
    {PO_STRING, 0, "seed", OPT(seed), "N", "with --uncertainty: the generator's seed, as for rate", 0, 0, NULL, NULL},
    {PO_STRING, 0, "variants", OPT(variants), "N", "with --uncertainty: the variants, as for rate", 0, 0, NULL, NULL},
    {PO_END, 0, NULL, 0, NULL, NULL, 0, 0, NULL, NULL},
};
#undef OPT

/* backtest --uncertainty: see un_backtest. */
static int backtest_uncertainty(const bt_opts *o, FILE *out, FILE *err)
{
    un_options uo;
    char msg[160];
    if (un_parse_options(o->seed, o->variants, 0, &uo, msg, sizeof msg))
        return cmd_usage(err, "backtest", "%s", msg);
    sr_error e;
    sr_error_clear(&e);
    ss_session *session = cmd_session_new(err);
    if (!session)
        return EXIT_REJECTED;
    sr_buf rep;
    sr_buf_init(&rep);
    int rc = un_backtest(session, &uo, o->json, &rep, &e);
    cmd_session_free(session);
    int status = rc == SR_OK ? cmd_deliver(&rep, o->output, out, err) : cmd_reject(err, &e);
    sr_buf_free(&rep);
    return status;
}

static void run_free(run *b)
{
    sr_free(b->rows);
    bt_csv_free(b->csv);
}

static int backtest_file(const bt_opts *o, const char *file, FILE *out, FILE *err);

int cmd_backtest(int argc, char **argv, FILE *out, FILE *err)
{
    bt_opts o = {0};
    int status, n = cmd_parse(argc, &argv, &o, out, err, &status);
    if (n < 0)
        return status;
    if (o.uncertainty && n > 0)
        return cmd_usage(err, "backtest", "backtest --uncertainty takes no outcomes file (it scores the pack's own calibration councils)");
    if (o.uncertainty)
        return backtest_uncertainty(&o, out, err);
    if (n == 0)
        return cmd_usage(err, "backtest", "backtest needs an outcomes file (CSV)");
    if (n > 1)
        return cmd_usage(err, "backtest", "backtest takes one outcomes file (also got '%s')", argv[1]);
    return backtest_file(&o, argv[0], out, err);
}

static int backtest_file(const bt_opts *o, const char *file, FILE *out, FILE *err)
{
    sr_error e;
    sr_error_clear(&e);
    const char *shown = strcmp(file, "-") == 0 ? "<stdin>" : file;
    ss_session *session = sr_malloc(sizeof *session);
    run b = {shown, o->rules, session, NULL, {0}, NULL, 0, {NULL}, 0, &e};
    char *data = NULL;
    size_t len = 0;
    int rc = session ? SR_OK : sr_oom(&e);
    if (rc == SR_OK) {
        ss_init(session);
        rc = sr_read_file(file, BT_MAX_BYTES, &data, &len, &e);
    }
    if (rc == SR_OK) rc = read_outcomes(&b, data, len);
    sr_buf rep;
    sr_buf_init(&rep);
    if (rc == SR_OK) {
        if (o->json) json_report(&rep, &b); else text_report(&rep, &b);
        rc = sr_deliver(&rep, o->output, out, &e);
    }
    int bad = 0;
    for (size_t i = 0; rc == SR_OK && i < b.nrows; i++)
        bad |= b.rows[i].bad;
    if (rc != SR_OK)
        sr_error_print(err, &e);
    sr_buf_free(&rep);
    run_free(&b);
    sr_free(data);
    if (session)
        ss_free(session);
    sr_free(session);
    return rc != SR_OK || bad ? 1 : 0;
}
