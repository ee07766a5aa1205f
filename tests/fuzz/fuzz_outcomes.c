/*
 * fuzz_outcomes.c — libFuzzer target for the outcomes CSV of `starrate backtest`: the bytes go
 * through the strict RFC 4180 reader (bt_csv_parse), which must either reject them with a
 * position inside the input or give records whose fields are NUL-terminated, positioned
 * inside the input and of the header's count; input the reader accepts is then run through
 * the whole command (rows, rule packs, inference, text or JSON report). Besides the
 * sanitizers' checks it aborts when one of those promises is broken.
 *
 *   tests/fuzz/run.sh SECONDS     (builds every target; run from the repository root)
 */
#include "backtest.h"
#include "cmd.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    snprintf(path, sizeof path, "/tmp/starrate-fuzz-outcomes-%ld.csv", (long)getpid());
    devnull = fopen("/dev/null", "w");
    if (!devnull)
        abort();
    return 0;
}

/* Lines and columns are 1-based and inside the input (one past the end at most). */
static void check_position(int line, int col, const uint8_t *data, size_t size)
{
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    if (line < 1 || col < 1 || (size_t)line > lines + 1 || (size_t)col > size + 1) {
        fprintf(stderr, "fuzz_outcomes: position %d:%d outside the input\n", line, col);
        abort();
    }
}

static void check_records(const bt_csv *csv, const uint8_t *data, size_t size)
{
    if (csv->n == 0)
        abort(); /* an accepted file has at least its header */
    for (size_t r = 0; r < csv->n; r++) {
        const bt_record *rec = &csv->records[r];
        if (rec->n != csv->records[0].n) {
            fprintf(stderr, "fuzz_outcomes: record %zu has %zu fields, the header %zu\n", r,
                    rec->n, csv->records[0].n);
            abort();
        }
        for (size_t f = 0; f < rec->n; f++) {
            size_t len = strlen(rec->fields[f].text); /* NUL-terminated, or ASan objects */
            if (len > size)
                abort();
            check_position(rec->fields[f].line, rec->fields[f].col, data, size);
        }
    }
}

/* The whole command on the bytes, as a file (the command reads its input by name). */
static void run_command(const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return;
    size_t n = fwrite(data, 1, size, f);
    if (fclose(f) != 0 || n != size)
        return;
    char *argv[] = {"backtest", "--format", size % 2 ? "json" : "text", path, NULL};
    cmd_backtest(4, argv, devnull, devnull);
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sr_error err;
    sr_error_clear(&err);
    bt_csv *csv = NULL;
    if (bt_csv_parse("fuzz.csv", (const char *)data, size, &csv, &err) == SR_OK) {
        check_records(csv, data, size);
        bt_csv_free(csv);
        run_command(data, size);
    } else {
        if (csv)
            abort(); /* *out is NULL on error */
        if (err.line > 0)
            check_position(err.line, err.col > 0 ? err.col : 1, data, size);
    }
    return 0;
}
