/*
 * whatif.h — the `whatif` and `seek` commands (module prefix wi_): their options, the
 * difference between two evaluations of one council, and the renderings (text, JSON, CSV).
 *
 * Each main takes the arguments after the command name and returns the exit status: 0 done,
 * 1 an input, scenario or rule pack was rejected (FILE:LINE:COL: error: ... on err), 2 a usage
 * error. Output is collected in memory and written at the end, to out or atomically to -o.
 */
#ifndef SR_WHATIF_H
#define SR_WHATIF_H

#include <stdio.h>

int wi_whatif_main(int argc, char **argv, FILE *out, FILE *err);
int wi_seek_main(int argc, char **argv, FILE *out, FILE *err);

#endif
