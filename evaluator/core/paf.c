/*
 * paf.c — PAF figures from CSV into evidence (see paf.h).
 *
 * Merging into an existing evidence file edits its text rather than writing it anew: the
 * file's comments, order and layout are the council's, so new indicator entries are inserted
 * as lines where they belong (at the end of the service's indicator list, or a new list) and
 * every other byte is kept.
 */
#include "paf.h"

#include "ydoc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading ------------------------------------------------------------------------------ */

typedef struct cell {
    const char *s;
    size_t n;
    int col;
} cell;

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return 0;
    return 1;
}

/* Splits one line at commas; cells are trimmed of spaces. Quotes are refused: no cell of
 * this format needs them, and a quoted number is most likely a spreadsheet's text cell. */
static int split_cells(const char *name, int line, const char *s, size_t n, cell *cells,
                       int max, int *ncells, sr_error *err)
{
    int k = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] == '"')
            return sr_fail(err, SR_EINPUT, name, line, (int)i + 1,
                           "quotes are not allowed in a PAF file: write codes and numbers bare");
        if (i < n && s[i] != ',')
            continue;
        if (k == max)
            return sr_fail(err, SR_EINPUT, name, line, (int)start + 1,
                           "more than %d columns (code,value,previous,band)", max);
        size_t a = start, e = i;
        while (a < e && (s[a] == ' ' || s[a] == '\t'))
            a++;
        while (e > a && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r'))
            e--;
        cells[k].s = s + a;
        cells[k].n = e - a;
        cells[k].col = (int)a + 1;
        k++;
        start = i + 1;
    }
    *ncells = k;
    return SR_OK;
}

static int number(const char *name, int line, const cell *c, const char *what, double *out,
                  sr_error *err)
{
    char buf[64];
    if (c->n == 0 || c->n >= sizeof buf)
        return sr_fail(err, SR_EINPUT, name, line, c->col, "%s: expected a number, got '%.*s'",
                       what, (int)(c->n < 40 ? c->n : 40), c->s);
    memcpy(buf, c->s, c->n);
    buf[c->n] = '\0';
    char *end;
    double v = strtod(buf, &end);
    if (*end == '%' && end[1] == '\0')
        end++;  /* "68%": the unit is the indicator's, the sign adds nothing */
    if (*end != '\0' || !isfinite(v) || fabs(v) > 1e9)
        return sr_fail(err, SR_EINPUT, name, line, c->col, "%s: expected a number, got '%s'",
                       what, buf);
    *out = v;
    return SR_OK;
}

static const im_code *find_code(const im_catalogue *cat, const cell *c)
{
    for (size_t i = 0; i < cat->n; i++)
        if (strlen(cat->codes[i].code) == c->n && memcmp(cat->codes[i].code, c->s, c->n) == 0)
            return &cat->codes[i];
    return NULL;
}

static int is_header(const cell *cells, int n)
{
    static const char *const names[] = {"code", "value", "previous", "band"};
    for (int i = 0; i < n && i < 4; i++)
        if (cells[i].n != strlen(names[i]) || memcmp(cells[i].s, names[i], cells[i].n) != 0)
            return 0;
    return n >= 2;
}

static int read_row(const char *name, int line, const cell *cells, int n,
                    const im_catalogue *cat, pf_table *t, sr_error *err)
{
    if (n < 2)
        return sr_fail(err, SR_EINPUT, name, line, cells[0].col,
                       "expected code,value[,previous[,band]], got %d column", n);
    const im_code *def = find_code(cat, &cells[0]);
    if (!def)
        return sr_fail(err, SR_EINPUT, name, line, cells[0].col,
                       "unknown indicator code '%.*s' for the %d round", 
                       (int)(cells[0].n < 40 ? cells[0].n : 40), cells[0].s, cat->year);
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->rows[i].code, def->code) == 0)
            return sr_fail(err, SR_EINPUT, name, line, cells[0].col,
                           "indicator %s is given twice (first at line %d)", def->code,
                           t->rows[i].line);
    pf_row r;
    memset(&r, 0, sizeof r);
    r.service = def->service;
    r.line = line;
    int rc = number(name, line, &cells[1], "value", &r.value, err);
    if (rc == SR_OK && n >= 3 && cells[2].n > 0) {
        rc = number(name, line, &cells[2], "previous", &r.previous, err);
        r.has_previous = 1;
    }
    if (rc == SR_OK && n >= 4 && cells[3].n > 0) {
        if (cells[3].n != 1 || cells[3].s[0] < '1' || cells[3].s[0] > '5')
            return sr_fail(err, SR_EINPUT, name, line, cells[3].col,
                           "band: expected a whole number 1-5, got '%.*s'",
                           (int)(cells[3].n < 40 ? cells[3].n : 40), cells[3].s);
        r.band = cells[3].s[0] - '0';
    }
    if (rc != SR_OK)
        return rc;
    if (t->n == PF_MAX_ROWS)
        return sr_fail(err, SR_ELIMIT, name, line, 1, "more than %d rows", PF_MAX_ROWS);
    pf_row *rows = sr_realloc(t->rows, (t->n + 1) * sizeof *rows);
    if (!rows)
        return sr_oom(err);
    t->rows = rows;
    if (!(r.code = sr_strdup(def->code)))
        return sr_oom(err);
    t->rows[t->n++] = r;
    return SR_OK;
}

int pf_read(const char *name, const char *text, size_t len, const im_catalogue *cat,
            pf_table *out, sr_error *err)
{
    memset(out, 0, sizeof *out);
    out->cat = cat;
    if (!(out->name = sr_strdup(name)))
        return sr_oom(err);
    int rc = SR_OK, line = 0, seen = 0;
    size_t i = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        i = 3;  /* a spreadsheet's byte-order mark */
    while (rc == SR_OK && i < len) {
        line++;
        const char *s = text + i;
        const char *e = memchr(s, '\n', len - i);
        size_t n = e ? (size_t)(e - s) : len - i;
        i += n + (e ? 1 : 0);
        if (memchr(s, '\0', n))
            rc = sr_fail(err, SR_EINPUT, name, line, 0, "a NUL byte: not a CSV text file");
        else if (!is_blank(s, n)) {
            cell cells[4];
            int nc = 0;
            rc = split_cells(name, line, s, n, cells, 4, &nc, err);
            if (rc == SR_OK && !(seen == 0 && is_header(cells, nc)))
                rc = read_row(name, line, cells, nc, cat, out, err);
            seen++;
        }
    }
    if (rc == SR_OK && out->n == 0)
        rc = sr_fail(err, SR_EINPUT, name, line, 0, "no indicator rows");
    if (rc != SR_OK)
        pf_free(out);
    return rc;
}

void pf_free(pf_table *t)
{
    for (size_t i = 0; i < t->n; i++)
        sr_free(t->rows[i].code);
    sr_free(t->rows);
    sr_free(t->name);
    memset(t, 0, sizeof *t);
}

/* ---- writing ------------------------------------------------------------------------------ */

static void put_name(sr_buf *b, const char *s)
{
    sr_buf_putc(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            sr_buf_printf(b, "\\%c", c);
        else if (c < 0x20 || c == 0x7F)
            sr_buf_printf(b, "\\x%02x", c);
        else
            sr_buf_putc(b, (char)c);
    }
    sr_buf_putc(b, '"');
}

void pf_put_entry(sr_buf *b, const pf_table *t, const pf_row *r)
{
    char num[64];
    sr_format_number(r->value, num, sizeof num);
    sr_buf_printf(b, "{code: %s, value: %s", r->code, num);
    if (r->has_previous) {
        sr_format_number(r->previous, num, sizeof num);
        sr_buf_printf(b, ", previous: %s", num);
    }
    if (r->band)
        sr_buf_printf(b, ", band: %d", r->band);
    sr_buf_puts(b, ", origin: return, note: ");
    char note[64];
    snprintf(note, sizeof note, ":%d", r->line);
    sr_buf t2;
    sr_buf_init(&t2);
    sr_buf_puts(&t2, t->name ? t->name : "");
    sr_buf_puts(&t2, note);
    put_name(b, t2.data ? t2.data : "");
    sr_buf_free(&t2);
    sr_buf_putc(b, '}');
}

/* ---- merging into an evidence file ---------------------------------------------------------- */

typedef struct insert {
    int after_line;  /* 0: before the first line; -1: at the end */
    sr_buf text;
} insert;

/* Start of each line of the text: lines[k] is where line k+1 starts; lines[n] = len. */
static size_t *line_starts(const char *text, size_t len, size_t *n)
{
    size_t count = 1;
    for (size_t i = 0; i < len; i++)
        count += text[i] == '\n' && i + 1 < len;
    size_t *v = sr_calloc(count + 1, sizeof *v);
    if (!v)
        return NULL;
    size_t k = 0;
    v[k++] = 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n' && i + 1 < len)
            v[k++] = i + 1;
    v[count] = len;
    *n = count;
    return v;
}

static char char_at(const char *text, const size_t *ls, size_t nl, int line, int col)
{
    if (line < 1 || (size_t)line > nl)
        return '\0';
    size_t off = ls[line - 1] + (size_t)(col - 1);
    return off < ls[line] ? text[off] : '\0';
}

/* The last line of a node's content: the line before the next key after it (in its map or,
 * failing that, the enclosing map), blank and comment lines before that key left out. */
static int end_line(const char *text, const size_t *ls, size_t nl, int next_line)
{
    int l = next_line > 0 ? next_line - 1 : (int)nl;
    while (l > 1) {
        size_t a = ls[l - 1], e = ls[l];
        while (a < e && (text[a] == ' ' || text[a] == '\t'))
            a++;
        if (a < e && text[a] != '\n' && text[a] != '\r' && text[a] != '#')
            break;
        l--;
    }
    return l;
}

static int next_key_line(const yd_node *map, size_t after)
{
    return after + 1 < map->n ? map->pairs[after + 1].key->line : 0;
}

static void put_entries(sr_buf *b, const pf_table *t, int service, int indent)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->rows[i].service != service)
            continue;
        sr_buf_printf(b, "%*s- ", indent, "");
        pf_put_entry(b, t, &t->rows[i]);
        sr_buf_putc(b, '\n');
    }
}

static int merge_service(const char *name, const char *text, const size_t *ls, size_t nl,
                         const yd_node *root, const pf_table *t, int service, insert *ins,
                         sr_error *err)
{
    const char *id = t->cat->services[service].id;
    size_t si = root->n;
    for (size_t i = 0; i < root->n; i++)
        if (strcmp(root->pairs[i].key->str, id) == 0)
            si = i;
    sr_buf_init(&ins->text);
    if (si == root->n) {  /* no section for the service: a new one at the end */
        ins->after_line = -1;
        sr_buf_printf(&ins->text, "%s:\n  indicators:\n", id);
        put_entries(&ins->text, t, service, 4);
        return SR_OK;
    }
    const yd_node *m = root->pairs[si].value;
    if (m->kind != YD_MAP || char_at(text, ls, nl, m->line, m->col) == '{')
        return sr_fail(err, SR_EINPUT, name, m->line, m->col,
                       "cannot add indicators to '%s' written on one line: write it as a block", id);
    size_t ii = m->n;
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->pairs[i].key->str, "indicators") == 0)
            ii = i;
    if (ii == m->n) {  /* a new list first in the service's section */
        ins->after_line = root->pairs[si].key->line;
        sr_buf_printf(&ins->text, "%*sindicators:\n", m->col - 1, "");
        put_entries(&ins->text, t, service, m->col + 1);
        return SR_OK;
    }
    const yd_node *list = m->pairs[ii].value;
    if (list->kind != YD_SEQ || char_at(text, ls, nl, list->line, list->col) == '[' ||
        list->n == 0)
        return sr_fail(err, SR_EINPUT, name, list->line, list->col,
                       "cannot add to %s.indicators unless it is a block list (\"- {code: ...}\" "
                       "lines)", id);
    for (size_t i = 0; i < list->n; i++) {
        const yd_node *it = list->items[i];
        const yd_node *code = it->kind == YD_MAP ? yd_get(it, "code") : NULL;
        for (size_t r = 0; code && code->kind == YD_SCALAR && r < t->n; r++)
            if (t->rows[r].service == service && strcmp(t->rows[r].code, code->str) == 0)
                return sr_fail(err, SR_EINPUT, name, code->line, code->col,
                               "indicator %s is already given here; %s:%d gives it too: keep "
                               "one", code->str, t->name, t->rows[r].line);
    }
    /* the dash of the first item sets the indentation of the new ones */
    const yd_node *first = list->items[0];
    int dash = first->col - 1;
    while (dash > 1 && char_at(text, ls, nl, first->line, dash) != '-')
        dash--;
    int next = next_key_line(m, ii);
    if (!next)
        next = next_key_line(root, si);
    ins->after_line = end_line(text, ls, nl, next);
    put_entries(&ins->text, t, service, dash - 1);
    return SR_OK;
}

int pf_merge_evidence(const char *name, const char *text, size_t len, const yd_node *root,
                      const pf_table *t, sr_buf *out, sr_error *err)
{
    size_t nl = 0;
    size_t *ls = line_starts(text, len, &nl);
    if (!ls)
        return sr_oom(err);
    size_t nsvc = t->cat->nservices;
    insert *ins = sr_calloc(nsvc ? nsvc : 1, sizeof *ins);
    if (!ins) {
        sr_free(ls);
        return sr_oom(err);
    }
    int nins = 0, rc = SR_OK;
    for (int s = 0; rc == SR_OK && s < (int)nsvc; s++) {
        int any = 0;
        for (size_t i = 0; i < t->n; i++)
            any |= t->rows[i].service == s;
        if (!any)
            continue;
        rc = merge_service(name, text, ls, nl, root, t, s, &ins[nins], err);
        nins++;
    }
    if (rc == SR_OK) {
        for (size_t l = 1; l <= nl; l++) {
            sr_buf_putn(out, text + ls[l - 1], ls[l] - ls[l - 1]);
            if (l == nl && len > 0 && text[len - 1] != '\n')
                sr_buf_putc(out, '\n');
            for (int k = 0; k < nins; k++)
                if (ins[k].after_line == (int)l)
                    sr_buf_putn(out, ins[k].text.data, ins[k].text.len);
        }
        for (int k = 0; k < nins; k++)
            if (ins[k].after_line == -1)
                sr_buf_putn(out, ins[k].text.data, ins[k].text.len);
        if (out->oom)
            rc = sr_oom(err);
    }
    for (int k = 0; k < nins; k++)
        sr_buf_free(&ins[k].text);
    sr_free(ins);
    sr_free(ls);
    return rc;
}
