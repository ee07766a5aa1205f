/*
 * report.h — the HTML report (module prefix hr_, "HTML report").
 *
 * `starrate report FILE... -o report.html` writes one self-contained, printable HTML file
 * (no external assets, no scripts): per council the rating and four judgements, the star rule
 * with its provenance, a services x standards grid and the indicators coloured with the PAF
 * traffic-light bands, and the key thresholds; for several councils also a league table and
 * how many councils reached each star and judgement level, with inline SVG bar charts.
 * Every value also sits in a data-* attribute (data-stars, data-service, data-serving,
 * data-capacity) so tests can compare the page with the JSON output.
 */
#ifndef SR_REPORT_H
#define SR_REPORT_H

#include "common.h"

#include <stdio.h>

/* Appends s to b escaped for HTML text and attribute values (& < > " '). NULL appends
 * nothing. */
void hr_escape(sr_buf *b, const char *s);

/* `starrate report [--rules PACK] [--from-published] [-o FILE] FILE...`; argv holds the
 * arguments after the command name. Exit status: 0 done, 1 a file was rejected (the report
 * still covers the others), 2 usage error. */
int hr_report_main(int argc, char **argv, FILE *out, FILE *err);

#endif
