/*
 * import.c — `starrate import`: an annual review letter (text) to evidence YAML.
 */
#include "cmd.h"
#include "import.h"
#include "ydoc.h"

#include <stddef.h>
#include <string.h>

typedef struct import_opts {
    const char *output;
} import_opts;

const po_option import_options[] = {
    {PO_STRING, 'o', "output", offsetof(import_opts, output), "FILE",
     "write the evidence to FILE atomically instead of standard output", 0, 0, NULL, NULL},
    {PO_END, 0, NULL, 0, NULL, NULL, 0, 0, NULL, NULL},
};

const char import_description[] =
    "Reads the text of an SSI annual review letter (the annex \"Performance Review Report\"; a\n"
    "cover letter before it and text after it are fine; - reads standard input) and writes an\n"
    "evidence file that `starrate rate` accepts: every bullet as a finding with its section,\n"
    "standard tags, PAF codes and line, and figures the letter quotes proposed as indicator\n"
    "values (origin: letter) for you to confirm. Lines it cannot place are reported as\n"
    "warnings on standard error and kept in the output as notes: no text is dropped.\n"
    "\n"
    "  starrate import letter.txt | starrate rate -\n";

int cmd_import(int argc, char **argv, FILE *out, FILE *err)
{
    import_opts o = {0};
    int status, n = cmd_parse(argc, &argv, &o, out, err, &status);
    if (n < 0)
        return status;
    if (n != 1)
        return cmd_usage(err, "import", "import needs exactly one letter file");
    const char *path = argv[0];
    const char *shown = strcmp(path, "-") == 0 ? "<stdin>" : path;
    sr_error e;
    sr_error_clear(&e);
    char *text = NULL;
    size_t len = 0;
    im_letter *letter = NULL;
    sr_buf yaml, warnings;
    sr_buf_init(&yaml);
    sr_buf_init(&warnings);
    int rc = sr_read_file(path, yd_default_limits.max_bytes, &text, &len, &e);
    if (rc == SR_OK) rc = im_parse(shown, text, len, &letter, &e);
    if (rc == SR_OK) rc = im_write_yaml(letter, shown, &yaml);
    if (rc == SR_OK) rc = im_warnings(letter, shown, &warnings);
    if (rc == SR_OK && (yaml.oom || warnings.oom))
        rc = sr_oom(&e);
    if (rc != SR_OK) {
        if (e.code == SR_OK)
            sr_fail(&e, rc, shown, 0, 0, "import failed");
        status = cmd_reject(err, &e);
    } else {
        if (warnings.len)
            fputs(warnings.data, err);
        status = cmd_deliver(&yaml, o.output, out, err);
    }
    im_free(letter);
    sr_free(text);
    sr_buf_free(&yaml);
    sr_buf_free(&warnings);
    return status;
}
