/*
 * cli.h — the `starrate` commands (module prefix cli_).
 *
 * Each command returns the process exit status: 0 done, 1 an input, scenario or rule pack was
 * rejected (reported on standard error as FILE:LINE:COL: error: ...), 2 a usage error. Nothing
 * here calls exit(): main returns what cli_main returns.
 */
#ifndef SR_CLI_H
#define SR_CLI_H

#include "common.h"

#include <stdio.h>

/* The exit statuses above, for every command (whatif.c's too). */
enum { EXIT_DONE = 0, EXIT_REJECTED = 1, EXIT_USAGE = 2 };

int cli_main(int argc, char **argv, FILE *out, FILE *err);

/* Delivers a command's whole output with sr_deliver (to path atomically, else to out); a
 * failure is reported on err. Returns EXIT_DONE or EXIT_REJECTED. */
int cli_deliver(const sr_buf *b, const char *path, FILE *out, FILE *err);

#endif
