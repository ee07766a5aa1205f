/*
 * cmd.h — the `starrate` commands (module prefix cmd_), one file each as git's builtin/.
 *
 * One table, commands[] (help.c), names every command with its function, a one-line summary,
 * its usage, its description and its option table (parse-options.h); dispatch, `starrate
 * help`, `starrate help CMD`, `CMD --help` and the usage text are all generated from it.
 *
 * A command is called with argv[0] its own name and returns the process exit status: 0 done,
 * 1 an input, scenario or rule pack was rejected (reported on standard error as
 * FILE:LINE:COL: error: ...), 2 a usage error. Nothing here calls exit(): main returns what
 * cmd_main returns. A command keeps its state in a struct of its own run, never in statics.
 */
#ifndef SR_CMD_H
#define SR_CMD_H

#include "common.h"
#include "parse-options.h"
#include "session.h"

#include <stdio.h>

enum { EXIT_DONE = 0, EXIT_REJECTED = 1, EXIT_USAGE = 2 };

typedef int (*cmd_fn)(int argc, char **argv, FILE *out, FILE *err);

typedef struct cmd_def {
    const char *name;
    cmd_fn fn;
    const char *summary;        /* one line, for `starrate help` */
    const char *usage;          /* what follows the name; one line per form */
    const char *description;    /* paragraphs before the options in `help CMD` */
    const po_option *options;   /* NULL: none but --help */
} cmd_def;

extern const cmd_def commands[]; /* ends with a NULL name */

/* The whole program: argv[1] names the command. */
int cmd_main(int argc, char **argv, FILE *out, FILE *err);

/* Reads a command's options into `values` with its table; (*argv)[0] names the command.
 * Returns the number of arguments that are not options, with *argv pointing at the first,
 * or -1 with *status set: EXIT_DONE after printing the help for --help, EXIT_USAGE after
 * reporting a usage error, EXIT_REJECTED when memory ran out. argv is reordered, not
 * rewritten: the same argv gives the same command again. */
int cmd_parse(int argc, char ***argv, void *values, FILE *out, FILE *err, int *status);

/* "starrate: MESSAGE" and where the usage of `command` (NULL: of starrate) is on err;
 * returns EXIT_USAGE. */
int cmd_usage(FILE *err, const char *command, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Reports e (FILE:LINE:COL: error: ...) on err; returns EXIT_REJECTED. */
int cmd_reject(FILE *err, const sr_error *e);

/* Delivers a command's whole output with sr_deliver (to path atomically, else to out); a
 * failure is reported on err. Returns EXIT_DONE or EXIT_REJECTED. */
int cmd_deliver(const sr_buf *b, const char *path, FILE *out, FILE *err);

/* An output written piece by piece: to standard output as it comes, or to -o FILE, which is
 * replaced only when cmd_sink_close is told to keep what was written. */
typedef struct cmd_sink {
    sr_stream stream;
    int open;
} cmd_sink;

int cmd_sink_open(cmd_sink *s, const char *path, FILE *out, FILE *err);
/* SR_OK, or an error reported on err (the sink then takes nothing more). */
int cmd_sink_write(cmd_sink *s, const char *data, size_t len, FILE *err);
/* Finishes: with keep, path gets everything written (EXIT_DONE or EXIT_REJECTED after a
 * report); without, path is left as it was. */
int cmd_sink_close(cmd_sink *s, int keep, FILE *err);

/* A session of the run's own (its pack cache is large, so on the heap); NULL when out of
 * memory, reported on err. */
ss_session *cmd_session_new(FILE *err);
void cmd_session_free(ss_session *s);

/* Every round folder under the rules root, oldest first, as a NULL-terminated array of
 * allocated strings (cmd_packs_free); NULL when out of memory. */
char **cmd_all_packs(int *n);
void cmd_packs_free(char **dirs, int n);

/* The commands, each in a file of its name, and their tables. */
int cmd_rate(int argc, char **argv, FILE *out, FILE *err);
int cmd_explain(int argc, char **argv, FILE *out, FILE *err);
int cmd_stars(int argc, char **argv, FILE *out, FILE *err);
int cmd_import(int argc, char **argv, FILE *out, FILE *err);
int cmd_check(int argc, char **argv, FILE *out, FILE *err);
int cmd_test(int argc, char **argv, FILE *out, FILE *err);
int cmd_report(int argc, char **argv, FILE *out, FILE *err);
int cmd_backtest(int argc, char **argv, FILE *out, FILE *err);
int cmd_whatif(int argc, char **argv, FILE *out, FILE *err);
int cmd_seek(int argc, char **argv, FILE *out, FILE *err);
int cmd_indicators(int argc, char **argv, FILE *out, FILE *err);
int cmd_help(int argc, char **argv, FILE *out, FILE *err);
int cmd_version(int argc, char **argv, FILE *out, FILE *err);

extern const po_option rate_options[], explain_options[], stars_options[], import_options[],
    test_options[], report_options[], backtest_options[], whatif_options[], seek_options[],
    indicators_options[];
extern const char rate_description[], explain_description[], stars_description[],
    import_description[], check_description[], test_description[], report_description[],
    backtest_description[], whatif_description[], seek_description[], indicators_description[];

#endif
