/*
 * parse-options.h — the one option parser of the commands (module prefix po_), after git's
 * parse-options: each command declares its options in a table and the parser both reads the
 * command line with it and writes the command's option help from it, so the two cannot drift.
 *
 * Accepted: long options (`--rules PACK`, `--rules=PACK`), short ones (`-o FILE`, `-oFILE`,
 * `-j4`), `--` to end the options, `-` as an argument (standard input). An option the table
 * does not declare, a missing value or a value out of range is a usage error that names the
 * option and the command.
 *
 * Values are stored through offsets into the command's own options struct, so the table is
 * a constant that `starrate help CMD` can print without running the command.
 */
#ifndef SR_PARSE_OPTIONS_H
#define SR_PARSE_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

typedef enum po_type {
    PO_END,      /* ends a table */
    PO_FLAG,     /* int, set to 1 */
    PO_STRING,   /* const char *, the last one given */
    PO_LIST,     /* po_list, every one given in order (repeatable) */
    PO_INT,      /* int within [lo, hi] */
    PO_CHOICE,   /* int, the index of the value in choices */
    PO_CALLBACK  /* parse(opts, value, msg, n): 0, or -1 with a message in msg */
} po_type;

typedef struct po_list {
    const char **v;  /* points into argv; allocated for argc entries */
    size_t n;
} po_list;

typedef struct po_option {
    po_type type;
    char short_name;         /* 0: none */
    const char *long_name;   /* without the dashes; NULL: none */
    size_t offset;           /* of the value in the options struct */
    const char *argh;        /* the value's name in the help ("FILE"); NULL for a flag */
    const char *help;        /* lines separated by \n */
    long lo, hi;             /* PO_INT */
    const char *const *choices; /* PO_CHOICE, NULL-terminated */
    int (*parse)(void *opts, const char *value, char *msg, size_t n); /* PO_CALLBACK */
} po_option;

/* Results of po_parse besides the number of arguments left. */
enum { PO_HELP = -1, PO_ERROR = -2, PO_NOMEM = -3 };

/* Reads argv[1..argc) (argv[0] is the command name) with the table into opts. The arguments
 * that are not options are moved to the end of argv, in order, and their number n returned
 * (they are argv[argc - n .. argc)); the options keep their order before them, so the same
 * argv parses the same way again. PO_HELP when --help or -h was given (nothing printed);
 * PO_ERROR on a usage error, reported on err as "starrate: ..." followed by where to find
 * the command's usage; PO_NOMEM when memory ran out (reported). */
int po_parse(const char *command, const po_option *opts, int argc, char **argv, void *values,
             FILE *err);

/* Appends the option help generated from the table to out (nothing for an empty table). */
void po_help(FILE *out, const po_option *opts);

void po_list_free(po_list *l);

#endif
