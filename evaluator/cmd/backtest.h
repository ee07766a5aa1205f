/*
 * backtest.h — how well a rule pack's star table reproduces published outcomes (module
 * prefix bt_).
 *
 * `starrate backtest OUTCOMES.csv` reads published judgements and stars, one council and
 * round per row, with a strict RFC 4180 reader (every rejection positioned FILE:LINE:COL).
 * The columns are `council`, `year` (a round: `2003`, `May 2002`, `Nov 2003`; it picks the
 * pack), `stars`, and for each service of the pack `SERVICE_serving` and `SERVICE_capacity`
 * (the calibration file has one pair for each service of its packs); an empty cell is
 * "not published".
 * A complete row is checked against the star table; for a partial row every completion of
 * the missing judgements is tried, to say whether the published stars are reachable and which
 * values the missing judgements must then take.
 */
#ifndef SR_BACKTEST_H
#define SR_BACKTEST_H

#include "common.h"
#include "pack.h"

#include <stdio.h>

/* ---- the CSV reader ------------------------------------------------------------------- */

typedef struct bt_field {
    char *text;     /* unquoted, NUL-terminated */
    int line, col;  /* 1-based position of the field's first character */
} bt_field;

typedef struct bt_record {
    bt_field *fields;
    size_t n;
    int line;
} bt_record;

typedef struct bt_csv {
    bt_record *records;  /* records[0] is the header */
    size_t n;
} bt_csv;

/* Reads RFC 4180 CSV (records end with CRLF or LF; the last may have none). Rejected, with
 * the position of the offending character: a quote inside an unquoted field, text after a
 * closing quote, an unterminated quoted field, a bare CR, a NUL byte, a byte order mark, a
 * blank line, a record whose field count differs from the header's, an empty file.
 * `name` is used in error positions. On error *out is NULL. */
int bt_csv_parse(const char *name, const char *data, size_t len, bt_csv **out, sr_error *err);
void bt_csv_free(bt_csv *csv);

/* ---- inference over the star table ---------------------------------------------------- */

typedef struct bt_inference {
    long completions;    /* completions of the missing judgements tried (1 when none missing) */
    long consistent;     /* of those, how many give `target` stars (0 when target < 0) */
    unsigned possible;   /* bit n: some completion gives n stars */
    int row;             /* the star row every completion fired, or -1 when they differ */
    /* Per service, the words of consistent completions (bit per word index). A published
     * judgement has just its own bit; a missing one the values it must take. */
    unsigned serving[RP_MAX_SERVICES], capacity[RP_MAX_SERVICES];
    unsigned long long rules; /* bit per star row that gave `target` in some completion */
} bt_inference;

/* Tries every completion of the judgements left at -1 in serving[] / capacity[] (word
 * indexes, one per pack service) with the pack's star table. `target` is the published
 * rating, or -1 when none was published. */
int bt_infer(rp_pack *p, const int *serving, const int *capacity, int target, bt_inference *out,
             sr_error *err);

#endif
