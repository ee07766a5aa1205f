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
 *
 * With --scenario (one council only) a "What if" section follows the council: per scenario its
 * changes and a table of baseline and scenario side by side, whose rows carry the trace
 * subject (data-subject) and whose cells carry their value (data-value); a scenario cell that
 * differs from the baseline, by whatif's own test, has class "changed" and data-changed="1".
 */
#ifndef SR_REPORT_H
#define SR_REPORT_H

#include "common.h"

#include <stdio.h>

/* Appends s to b escaped for HTML text and attribute values (& < > " '). NULL appends
 * nothing. */
void hr_escape(sr_buf *b, const char *s);

/* `starrate report [--rules PACK] [--from-published] [--scenario S]... [-o FILE] FILE...`;
 * argv holds the arguments after the command name (and is reordered). Exit status: 0 done,
 * 1 a file was rejected (the report still covers the others) or a scenario was (no report is
 * written), 2 usage error. */
int hr_report_main(int argc, char **argv, FILE *out, FILE *err);

#endif
