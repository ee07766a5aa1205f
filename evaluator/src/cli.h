/*
 * cli.h — the `starrate` commands (module prefix cli_).
 *
 * Each command returns the process exit status: 0 done, 1 an input, scenario or rule pack was
 * rejected (reported on standard error as FILE:LINE:COL: error: ...), 2 a usage error. Nothing
 * here calls exit(): main returns what cli_main returns.
 */
#ifndef SR_CLI_H
#define SR_CLI_H

#include <stdio.h>

int cli_main(int argc, char **argv, FILE *out, FILE *err);

#endif
