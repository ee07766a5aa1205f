/*
 * help.c — the table of commands, the dispatch over it, `starrate help` and what every
 * command shares (usage errors, delivery of the output, the run's session).
 */
#include "cmd.h"
#include "pack.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>

const cmd_def commands[] = {
    {"rate", cmd_rate, "rate councils (evidence YAML; - reads standard input)",
     "[OPTIONS] FILE...", rate_description, rate_options},
    {"explain", cmd_explain, "the derivation of one rating, step by step",
     "[OPTIONS] FILE", explain_description, explain_options},
    {"stars", cmd_stars, "apply the star table alone, e.g. stars most/promising some/promising",
     "[OPTIONS] PAIR...", stars_description, stars_options},
    {"import", cmd_import, "turn an annual review letter (text) into evidence YAML",
     "[OPTIONS] LETTER", import_description, import_options},
    {"check", cmd_check, "validate a rule pack (default: every pack)",
     "[PACK...]", check_description, NULL},
    {"indicators", cmd_indicators, "list a round's indicators: codes, names, units, band limits",
     "[OPTIONS]", indicators_description, indicators_options},
    {"test", cmd_test, "run rule packs' own test cases (TAP output)",
     "[OPTIONS] [PACK|FILE...]", test_description, test_options},
    {"report", cmd_report, "one self-contained HTML report: ratings, grids, league table",
     "[OPTIONS] FILE...", report_description, report_options},
    {"backtest", cmd_backtest, "check the star table against published outcomes",
     "[OPTIONS] OUTCOMES.csv", backtest_description, backtest_options},
    {"whatif", cmd_whatif, "the rating with each scenario's changes, and what moved",
     "[OPTIONS] FILE SCENARIO...", whatif_description, whatif_options},
    {"seek", cmd_seek, "the smallest changes that reach N stars (--margin: lose one)",
     "[OPTIONS] FILE --target N\n[OPTIONS] FILE --margin", seek_description, seek_options},
    {"help", cmd_help, "the commands, or the help of one", "[COMMAND]",
     "Prints the commands, or everything about one command: its usage, what it does and its\n"
     "options (the same as `starrate COMMAND --help`).\n", NULL},
    {"version", cmd_version, "print the version", "", "Prints the version of starrate.\n", NULL},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};

static const cmd_def *cmd_find(const char *name)
{
    for (const cmd_def *c = commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

/* ---- what every command shares ---------------------------------------------------------- */

int cmd_usage(FILE *err, const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("starrate: ", err);
    vfprintf(err, fmt, ap);
    va_end(ap);
    fprintf(err, "\nTry 'starrate help%s%s' for usage.\n", command ? " " : "", command ? command : "");
    return EXIT_USAGE;
}

int cmd_reject(FILE *err, const sr_error *e)
{
    sr_error_print(err, e);
    return EXIT_REJECTED;
}

int cmd_deliver(const sr_buf *b, const char *path, FILE *out, FILE *err)
{
    sr_error e;
    sr_error_clear(&e);
    if (sr_deliver(b, path, out, &e) != SR_OK)
        return cmd_reject(err, &e);
    return EXIT_DONE;
}

int cmd_sink_open(cmd_sink *s, const char *path, FILE *out, FILE *err)
{
    sr_error e;
    sr_error_clear(&e);
    s->open = sr_stream_open(&s->stream, path, out, &e) == SR_OK;
    return s->open ? SR_OK : (cmd_reject(err, &e), e.code);
}

int cmd_sink_write(cmd_sink *s, const char *data, size_t len, FILE *err)
{
    sr_error e;
    sr_error_clear(&e);
    if (sr_stream_write(&s->stream, data, len, &e) == SR_OK)
        return SR_OK;
    cmd_reject(err, &e);
    return e.code;
}

int cmd_sink_close(cmd_sink *s, int keep, FILE *err)
{
    if (!s->open)
        return EXIT_REJECTED;
    s->open = 0;
    sr_error e;
    sr_error_clear(&e);
    return sr_stream_close(&s->stream, keep, &e) == SR_OK ? EXIT_DONE : cmd_reject(err, &e);
}

ss_session *cmd_session_new(FILE *err)
{
    ss_session *s = sr_malloc(sizeof *s);
    if (!s) {
        fputs("starrate: error: out of memory\n", err);
        return NULL;
    }
    ss_init(s);
    return s;
}

void cmd_session_free(ss_session *s)
{
    if (s)
        ss_free(s);
    sr_free(s);
}

char **cmd_all_packs(int *n)
{
    int rounds[64];
    *n = rp_rounds(rounds, 64);
    char **dirs = sr_calloc((size_t)*n + 1, sizeof *dirs);
    for (int i = 0; dirs && i < *n; i++) {
        char dir[PATH_MAX];
        rp_round_dir(rounds[i], dir, sizeof dir);
        if (!(dirs[i] = sr_strdup(dir))) {
            cmd_packs_free(dirs, i);
            return NULL;
        }
    }
    return dirs;
}

void cmd_packs_free(char **dirs, int n)
{
    for (int i = 0; dirs && i < n; i++)
        sr_free(dirs[i]);
    sr_free(dirs);
}

/* ---- help --------------------------------------------------------------------------------- */

/* "usage: starrate NAME USAGE", one line per form, the description and the options. */
static void print_help(FILE *out, const cmd_def *c)
{
    const char *u = c->usage;
    for (int first = 1;; first = 0) {
        size_t n = strcspn(u, "\n");
        fprintf(out, "%s starrate %s%s%.*s\n", first ? "usage:" : "      ", c->name, n ? " " : "",
                (int)n, u);
        if (!u[n])
            break;
        u += n + 1;
    }
    fprintf(out, "\n%s", c->description);
    po_help(out, c->options);
}

static void print_usage(FILE *out)
{
    fputs("usage: starrate COMMAND [OPTIONS] [ARGS]\n"
          "\n"
          "Rates English councils' social services (2002-2005 star ratings) from their evidence,\n"
          "with rule packs written in Lua and a full audit trail.\n"
          "\n"
          "commands:\n", out);
    for (const cmd_def *c = commands; c->name; c++) {
        char left[64];
        const char *u = strncmp(c->usage, "[OPTIONS] ", 10) == 0 ? c->usage + 10 : c->usage;
        snprintf(left, sizeof left, "%s%s%.*s", c->name, *u ? " " : "", (int)strcspn(u, "\n"), u);
        fprintf(out, "  %-26s %s\n", left, c->summary);
    }
    fputs("\n`starrate help COMMAND` or `starrate COMMAND --help`: one command's usage and options\n"
          "exit status: 0 done, 1 an input or rule pack was rejected, 2 usage error\n", out);
}

int cmd_parse(int argc, char ***argv, void *values, FILE *out, FILE *err, int *status)
{
    const cmd_def *c = cmd_find((*argv)[0]);
    static const po_option none[] = {{PO_END, 0, NULL, 0, NULL, NULL, 0, 0, NULL, NULL}};
    int n = po_parse(c->name, c->options ? c->options : none, argc, *argv, values, err);
    if (n == PO_HELP) {
        print_help(out, c);
        *status = EXIT_DONE;
        return -1;
    }
    if (n < 0) {
        *status = n == PO_NOMEM ? EXIT_REJECTED : EXIT_USAGE;
        return -1;
    }
    *argv += argc - n;
    return n;
}

int cmd_help(int argc, char **argv, FILE *out, FILE *err)
{
    int status, n = cmd_parse(argc, &argv, NULL, out, err, &status);
    if (n < 0)
        return status;
    if (n == 0) {
        print_usage(out);
        return EXIT_DONE;
    }
    const cmd_def *c = cmd_find(argv[0]);
    if (n > 1 || !c)
        return cmd_usage(err, NULL, "no help for '%s'", argv[0]);
    print_help(out, c);
    return EXIT_DONE;
}

int cmd_version(int argc, char **argv, FILE *out, FILE *err)
{
    int status, n = cmd_parse(argc, &argv, NULL, out, err, &status);
    if (n < 0)
        return status;
    if (n > 0)
        return cmd_usage(err, "version", "version takes no arguments");
    fprintf(out, "starrate %s\n", SR_VERSION);
    return EXIT_DONE;
}

int cmd_main(int argc, char **argv, FILE *out, FILE *err)
{
    sr_inputs_forget(); /* the inputs -o must not replace are this run's */
    if (argc < 2) {
        print_usage(err);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        name = "help";
    else if (strcmp(name, "--version") == 0)
        name = "version";
    const cmd_def *c = cmd_find(name);
    if (!c)
        return cmd_usage(err, NULL, "unknown command '%s'", name);
    /* The command finds its own table entry by argv[0]: "--help" is the help command. */
    argv[1] = (char *)c->name;
    return c->fn(argc - 1, argv + 1, out, err);
}
