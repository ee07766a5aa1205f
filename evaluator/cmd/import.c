/*
 * import.c — `starrate import`: an annual review letter (PDF, Word, OpenDocument or text) to
 * evidence YAML, with PAF figures from a CSV merged in.
 */
#include "cmd.h"
#include "importer.h"
#include "ydoc.h"

#include <stddef.h>
#include <string.h>

typedef struct import_opts {
    const char *output, *paf, *rules;
} import_opts;

const po_option import_options[] = {
    {PO_STRING, 0, "paf", offsetof(import_opts, paf), "FILE.csv",
     "merge PAF figures (code,value[,previous[,band]] a row; see\n"
     "docs/paf-csv.md) into the evidence: with a letter, or onto an\n"
     "existing evidence file given instead of the letter", 0, 0, NULL, NULL},
    {PO_STRING, 0, "rules", offsetof(import_opts, rules), "PACK",
     "rule pack folder or round to read the letter with (default: the\n"
     "pack of the round its annex heading names)", 0, 0, NULL, NULL},
    {PO_STRING, 'o', "output", offsetof(import_opts, output), "FILE",
     "write the evidence to FILE atomically instead of standard output", 0, 0, NULL, NULL},
    {PO_END, 0, NULL, 0, NULL, NULL, 0, 0, NULL, NULL},
};

const char import_description[] =
    "Reads the text of an annual review letter (the annex under the heading the rule pack of\n"
    "its round declares; a cover letter before it and text after it are fine; - reads\n"
    "standard input) and writes an evidence file that `starrate rate` accepts: every bullet\n"
    "as a finding with its section, standard tags, indicator codes and line, and figures the\n"
    "letter quotes proposed as indicator values (origin: letter) for you to confirm. What the\n"
    "letter is read with comes from the pack of its round (or --rules): the headings of the\n"
    "annex, of the services and of their sections, the words that say which section a\n"
    "sub-heading opens, the lines that end the annex, the prefix of each service's finding\n"
    "ids, the indicator codes, the phrases that name them and the words that make a figure a\n"
    "comparison, and the standard a capacity tag names (docs/rules.md, \"Reading letters\").\n"
    "Lines it cannot place are reported as warnings on standard error and kept in the\n"
    "output's import section: no text is dropped. A summary line (findings per service,\n"
    "unplaced lines, findings without a standard or indicator) ends standard error.\n"
    "\n"
    "A letter may be a PDF, a Word (.docx) or OpenDocument (.odt) document or text (UTF-8 or\n"
    "Windows-1252); the type is told from the content. A rating from evidence whose letter\n"
    "could not be fully placed carries a caveat (see the file's import section).\n"
    "\n"
    "  starrate import letter.txt | starrate rate -\n"
    "  starrate import --paf paf.csv letter.pdf -o evidence.yaml\n"
    "  starrate import --paf paf.csv evidence.yaml -o evidence.yaml\n"
    "  starrate import --rules tests/fictional/2031 tests/fictional/letters/eastmere-2031.txt\n";

int cmd_import(int argc, char **argv, FILE *out, FILE *err)
{
    import_opts o = {0};
    int status, n = cmd_parse(argc, &argv, &o, out, err, &status);
    if (n < 0)
        return status;
    if (n != 1)
        return cmd_usage(err, "import", "import needs exactly one letter file");
    const char *path = argv[0];
    sr_error e;
    sr_error_clear(&e);
    char *raw = NULL, *csv = NULL;
    ix_input in = {strcmp(path, "-") == 0 ? "<stdin>" : path, NULL, 0};
    ix_input paf = {o.paf, NULL, 0};
    sr_buf yaml, warnings;
    sr_buf_init(&yaml);
    sr_buf_init(&warnings);
    int rc = sr_read_file(path, yd_default_limits.max_bytes, &raw, &in.len, &e);
    if (rc == SR_OK && o.paf)
        rc = sr_read_file(o.paf, yd_default_limits.max_bytes, &csv, &paf.len, &e);
    in.data = raw, paf.data = csv;
    if (rc == SR_OK) rc = ix_run(&in, o.paf ? &paf : NULL, o.rules, &yaml, &warnings, &e);
    if (warnings.len)
        fputs(warnings.data, err);
    if (rc != SR_OK) {
        if (e.code == SR_OK)
            sr_fail(&e, rc, in.name, 0, 0, "import failed");
        status = cmd_reject(err, &e);
    } else {
        status = cmd_deliver(&yaml, o.output, out, err);
    }
    sr_free(raw);
    sr_free(csv);
    sr_buf_free(&yaml);
    sr_buf_free(&warnings);
    return status;
}
