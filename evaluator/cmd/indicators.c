/*
 * indicators.c — `starrate indicators`: the indicator catalogue of a round's rule pack (codes,
 * names, services, standards, units, directions, band limits, plausible ranges, provenance),
 * so nobody has to read Lua to learn them.
 */
#include "catalog.h"
#include "cmd.h"
#include "pack.h"

#include <limits.h>
#include <stddef.h>

typedef struct indicators_opts {
    int format; /* ct_format */
    const char *rules, *round, *output;
} indicators_opts;

static const char *const indicators_formats[] = {"text", "csv", "json", NULL};

#define OPT(field) offsetof(indicators_opts, field)
const po_option indicators_options[] = {
    {PO_CHOICE, 0, "format", OPT(format), "text|csv|json", "output format (default text)", 0, 0, indicators_formats, NULL},
    {PO_STRING, 0, "round", OPT(round), "Y", "the pack of round Y (default: the latest round)", 0, 0, NULL, NULL},
    {PO_STRING, 0, "rules", OPT(rules), "PACK", "rule pack folder or round", 0, 0, NULL, NULL},
    {PO_STRING, 'o', "output", OPT(output), "FILE", "write the output to FILE atomically instead of standard output", 0, 0, NULL, NULL},
    {PO_END, 0, NULL, 0, NULL, NULL, 0, 0, NULL, NULL},
};
#undef OPT

const char indicators_description[] =
    "Lists the indicator catalogue of a round's rule pack: each indicator's code, name,\n"
    "service, standard, unit and direction, the limits of bands 5 to 2 (a value in none is band\n"
    "1), the range of values it can plausibly take, and whether its limits are documented or\n"
    "this project's reconstruction.\n";

int cmd_indicators(int argc, char **argv, FILE *out, FILE *err)
{
    indicators_opts o = {CT_TEXT, NULL, NULL, NULL};
    int status, nargs;
    if ((nargs = cmd_parse(argc, &argv, &o, out, err, &status)) < 0)
        return status;
    if (nargs > 0)
        return cmd_usage(err, "indicators", "indicators takes no file (use --round or --rules)");
    if (o.rules && o.round)
        return cmd_usage(err, "indicators", "give --round or --rules, not both");
    sr_error e;
    sr_error_clear(&e);
    char dir[PATH_MAX];
    const char *name = o.rules ? o.rules : o.round;
    if (!name) {
        if (rp_latest(dir, sizeof dir, &e) != SR_OK)
            return cmd_reject(err, &e);
        name = dir;
    }
    ss_session *session = cmd_session_new(err);
    if (!session)
        return EXIT_REJECTED;
    rp_pack *p = ss_pack(session, name, &e);
    if (!p) {
        status = cmd_reject(err, &e);
    } else {
        sr_buf b;
        sr_buf_init(&b);
        ct_indicators(&b, p, (ct_format)o.format);
        status = cmd_deliver(&b, o.output, out, err);
        sr_buf_free(&b);
    }
    cmd_session_free(session);
    return status;
}
