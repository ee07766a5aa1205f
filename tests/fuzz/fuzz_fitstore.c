/*
 * fuzz_fitstore.c — libFuzzer target for the fit store's reader (fs_parse): a file under
 * ~/.cache/starrate is written by this program, but anything may be there. The reader must
 * either refuse the bytes or give what a file of this program would hold: at least one try,
 * the tries ascending and each below the count of tries made. Whatever it accepts must read
 * back the same after fs_save writes it again. Besides the sanitizers' checks it aborts when
 * one of those promises is broken.
 *
 *   tests/fuzz/run.sh SECONDS     (builds every target; run from the repository root)
 */
#include "common.h"
#include "fitstore.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KEY "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/starrate-fuzz-store-%ld", (long)getpid());
    setenv("STARRATE_CACHE", dir, 1);
    return 0;
}

static void check(const fs_fit *f)
{
    if (f->n < 1 || f->n > FS_MAX_ADMITTED || (long)f->n > f->tried || f->ncases < 0)
        abort();
    for (size_t i = 0; i < f->n; i++)
        if (f->admitted[i] < 0 || f->admitted[i] >= f->tried ||
            (i > 0 && f->admitted[i] <= f->admitted[i - 1]))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fs_fit f;
    if (!fs_parse((const char *)data, size, KEY, &f)) {
        if (f.admitted || f.n)
            abort(); /* a refusal leaves nothing behind */
        return 0;
    }
    check(&f);
    fs_save(KEY, &f);
    fs_fit g;
    if (!fs_load(KEY, &g) || g.n != f.n || g.tried != f.tried || g.ncases != f.ncases ||
        memcmp(g.admitted, f.admitted, f.n * sizeof *f.admitted) != 0)
        abort();
    fs_fit_free(&g);
    fs_fit_free(&f);
    return 0;
}
