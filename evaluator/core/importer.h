/*
 * importer.h — `starrate import` from bytes to evidence (module prefix ix_): tells a letter
 * (PDF, .docx, .odt, text: docread.h) from an evidence file, reads the letter (import.h) with
 * the PAF catalogue of its round, merges PAF figures from CSV (paf.h), and checks that what it
 * writes is evidence `rate` will read: output over the YAML reader's limits (a line over
 * 64 KiB, more than 200,000 nodes, more than 4 MiB) is refused here, never written.
 */
#ifndef SR_IMPORTER_H
#define SR_IMPORTER_H

#include "common.h"

#include <stddef.h>

typedef struct ix_input {
    const char *name;      /* shown in messages */
    const char *data;
    size_t len;
} ix_input;

/* Reads `in` (a letter; with paf, also an evidence file) and writes the evidence YAML to yaml
 * and the warnings and the summary line to warnings. paf may be NULL. rules (a --rules
 * argument: a pack folder or a round) chooses the pack to read with; NULL: the pack of the
 * letter's (or the evidence file's) round. */
int ix_run(const ix_input *in, const ix_input *paf, const char *rules, sr_buf *yaml,
           sr_buf *warnings, sr_error *err);

#endif
