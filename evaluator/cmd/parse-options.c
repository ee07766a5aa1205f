/*
 * parse-options.c — reads a command line with a command's option table, and writes the
 * option help from the same table.
 */
#include "parse-options.h"
#include "cmd.h"

#include "common.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct po_state {
    const char *command;
    const po_option *opts;
    void *values;
    FILE *err;
    int argc;
    char **argv;
} po_state;

static void *slot(const po_state *st, const po_option *o) { return (char *)st->values + o->offset; }

/* "--rules" or "-o", as the user would write the option. */
static const char *shown(const po_option *o, int as_short, char *buf, size_t n)
{
    if (as_short)
        snprintf(buf, n, "-%c", o->short_name);
    else
        snprintf(buf, n, "--%s", o->long_name);
    return buf;
}

static int take_int(po_state *st, const po_option *o, const char *name, const char *v)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (!*v || *end || errno || n < o->lo || n > o->hi) {
        cmd_usage(st->err, st->command, "%s needs a whole number from %ld to %ld, got '%s'",
                  name, o->lo, o->hi, v);
        return PO_ERROR;
    }
    *(int *)slot(st, o) = (int)n;
    return 0;
}

static int take_choice(po_state *st, const po_option *o, const char *v)
{
    for (int i = 0; o->choices[i]; i++)
        if (strcmp(v, o->choices[i]) == 0) {
            *(int *)slot(st, o) = i;
            return 0;
        }
    char expected[256] = "";
    size_t len = 0;
    for (int i = 0; o->choices[i] && len < sizeof expected; i++)
        len += (size_t)snprintf(expected + len, sizeof expected - len, "%s%s",
                                i == 0 ? "" : o->choices[i + 1] ? ", " : " or ", o->choices[i]);
    cmd_usage(st->err, st->command, "unknown %s '%s' for %s (expected %s)", o->long_name, v,
              st->command, expected);
    return PO_ERROR;
}

static int take_list(po_state *st, const po_option *o, const char *v)
{
    po_list *l = slot(st, o);
    if (!l->v && !(l->v = sr_calloc((size_t)st->argc, sizeof *l->v))) {
        fputs("starrate: error: out of memory\n", st->err);
        return PO_NOMEM;
    }
    l->v[l->n++] = v;
    return 0;
}

/* Stores the value v of option o (written `name` on the command line). */
static int take(po_state *st, const po_option *o, const char *name, const char *v)
{
    char msg[256];
    switch (o->type) {
    case PO_STRING:
        *(const char **)slot(st, o) = v;
        return 0;
    case PO_LIST:
        return take_list(st, o, v);
    case PO_INT:
        return take_int(st, o, name, v);
    case PO_CHOICE:
        return take_choice(st, o, v);
    case PO_CALLBACK:
        if (o->parse(st->values, v, msg, sizeof msg) == 0)
            return 0;
        cmd_usage(st->err, st->command, "%s", msg);
        return PO_ERROR;
    case PO_FLAG:
    case PO_END:
        break;
    }
    return 0;
}

static const po_option *find_long(const po_option *opts, const char *name, size_t n)
{
    for (const po_option *o = opts; o->type != PO_END; o++)
        if (o->long_name && strlen(o->long_name) == n && strncmp(o->long_name, name, n) == 0)
            return o;
    return NULL;
}

static const po_option *find_short(const po_option *opts, char c)
{
    for (const po_option *o = opts; o->type != PO_END; o++)
        if (o->short_name == c)
            return o;
    return NULL;
}

static int unknown(po_state *st, const char *arg)
{
    cmd_usage(st->err, st->command, "unknown option '%s' for %s", arg, st->command);
    return PO_ERROR;
}

/* One option at argv[*i]: `--name`, `--name=value`, `--name value`, `-x`, `-xvalue`, `-x value`. */
static int one_option(po_state *st, int *i)
{
    const char *a = st->argv[*i];
    int is_long = a[1] == '-';
    const char *eq = is_long ? strchr(a, '=') : NULL;
    const po_option *o = is_long ? find_long(st->opts, a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2))
                                 : find_short(st->opts, a[1]);
    if (!o) {
        if (eq) {
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)(eq - a), a);
            return unknown(st, name);
        }
        return unknown(st, is_long || !a[2] ? a : (char[3]){'-', a[1], 0});
    }
    char name[128];
    shown(o, !is_long, name, sizeof name);
    if (o->type == PO_FLAG) {
        if (eq || (!is_long && a[2]))
            return cmd_usage(st->err, st->command, "option %s takes no value", name), PO_ERROR;
        *(int *)slot(st, o) = 1;
        return 0;
    }
    const char *v = eq ? eq + 1 : !is_long && a[2] ? a + 2 : *i + 1 < st->argc ? st->argv[++*i] : NULL;
    if (!v)
        return cmd_usage(st->err, st->command, "option %s needs a value", name), PO_ERROR;
    return take(st, o, name, v);
}

/* Moves argv[i] to the end of the options (argv[1..*nopt)), after those before it; the
 * arguments between shift up by one, keeping their order. */
static void to_options(char **argv, int *nopt, int i)
{
    char *t = argv[i];
    memmove(&argv[*nopt + 1], &argv[*nopt], (size_t)(i - *nopt) * sizeof *argv);
    argv[(*nopt)++] = t;
}

int po_parse(const char *command, const po_option *opts, int argc, char **argv, void *values,
             FILE *err)
{
    po_state st = {command, opts, values, err, argc, argv};
    int nopt = 1, only_args = 0, help = 0, rc;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int start = i;
        if (only_args || a[0] != '-' || a[1] == '\0')
            continue;
        if (strcmp(a, "--") == 0)
            only_args = 1;
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            help = 1;
        else if ((rc = one_option(&st, &i)) != 0)
            return rc;
        for (int j = start; j <= i; j++)
            to_options(argv, &nopt, j);
    }
    return help ? PO_HELP : argc - nopt;
}

/* One table row: "  -o, --output FILE" then the help, from column 25 on. */
static void help_row(FILE *out, const po_option *o)
{
    char left[128];
    int n = snprintf(left, sizeof left, "  %s%s%s%s%s%s%s", o->short_name ? "-" : "",
                     o->short_name ? (char[2]){o->short_name, 0} : "",
                     o->short_name && o->long_name ? ", " : "", o->long_name ? "--" : "",
                     o->long_name ? o->long_name : "", o->argh ? " " : "", o->argh ? o->argh : "");
    fputs(left, out);
    const char *h = o->help ? o->help : "";
    if (n >= 23)
        fprintf(out, "\n%24s", "");
    else
        fprintf(out, "%*s", 24 - n, "");
    for (;;) {
        size_t len = strcspn(h, "\n");
        fprintf(out, "%.*s\n", (int)len, h);
        if (!h[len])
            break;
        h += len + 1;
        fprintf(out, "%24s", "");
    }
}

void po_help(FILE *out, const po_option *opts)
{
    if (!opts || opts->type == PO_END)
        return;
    fputs("\noptions:\n", out);
    for (const po_option *o = opts; o->type != PO_END; o++)
        help_row(out, o);
    fputs("  -h, --help            this help\n", out);
}

void po_list_free(po_list *l)
{
    sr_free(l->v);
    l->v = NULL;
    l->n = 0;
}
