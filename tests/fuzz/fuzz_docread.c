/*
 * fuzz_docread.c — libFuzzer target for the document readers (docread.h): PDF, .docx, .odt
 * and text bytes told apart by content and read to text, then given to the letter parser.
 * Besides the sanitizers' checks it aborts when a reader fails without a message or with a
 * code other than SR_EINPUT / SR_ELIMIT / SR_ENOMEM, or returns text that is not
 * NUL-terminated at its stated length.
 *
 *   tests/fuzz/run.sh 60   (builds build/fuzz/fuzz_docread; seeds in tests/fuzz/corpus/docread)
 */
#include "docread.h"
#include "import.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The PAF catalogue of the rounds seen so far, kept across inputs: loading a pack per input
 * would make the search crawl. Run from the source tree (rules/) or set STARRATE_RULES. */
static im_catalogue cat;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 512 * 1024)
        return 0;
    sr_error err;
    sr_error_clear(&err);
    char *text = NULL;
    size_t len = 0;
    dr_kind kind;
    int rc = dr_read("fuzz.bin", (const char *)data, size, &kind, &text, &len, &err);
    if (rc != SR_OK) {
        if (text || err.code != rc || err.msg[0] == '\0' ||
            (rc != SR_EINPUT && rc != SR_ELIMIT && rc != SR_ENOMEM))
            abort();
        return 0;
    }
    if (!text || text[len] != '\0')
        abort();
    im_letter *l = NULL;
    sr_error_clear(&err);
    if (im_parse("fuzz.bin", text, len, &cat, &l, &err) == SR_OK) {
        sr_buf y;
        sr_buf_init(&y);
        if (im_write_yaml(l, "fuzz.bin", &y) != SR_OK)
            abort();
        sr_buf_free(&y);
        im_free(l);
    }
    sr_free(text);
    return 0;
}
