/*
 * test_arena.c — the arena under the YAML tree, the trace and the Lua pool.
 */
#include <criterion/criterion.h>

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "common.h"

Test(arena, pieces_are_aligned_and_keep_their_bytes)
{
    ar_arena a;
    ar_init(&a, 256, 4096);
    static unsigned char *pieces[500];
    for (int i = 0; i < 500; i++) {
        size_t n = (size_t)(i % 37) + 1;
        pieces[i] = ar_alloc(&a, n);
        cr_assert_not_null(pieces[i]);
        cr_assert_eq((uintptr_t)pieces[i] % alignof(max_align_t), 0, "piece %d", i);
        memset(pieces[i], i & 0xff, n);
    }
    for (int i = 0; i < 500; i++)
        for (size_t k = 0; k < (size_t)(i % 37) + 1; k++)
            cr_assert_eq(pieces[i][k], i & 0xff, "piece %d byte %zu was overwritten", i, k);
    cr_assert_gt(a.bytes, 256, "the pieces should need more than the first block");
    ar_free(&a);
    cr_assert_null(a.first);
}

Test(arena, a_reset_cuts_the_same_blocks_again)
{
    ar_arena a;
    ar_init(&a, 1024, 1024);
    void *first = ar_alloc(&a, 100);
    for (int i = 0; i < 40; i++)
        cr_assert_not_null(ar_alloc(&a, 100));
    size_t held = a.bytes;
    ar_reset(&a);
    cr_assert_eq(ar_alloc(&a, 100), first, "after a reset the first block is cut from the start");
    for (int i = 0; i < 40; i++)
        cr_assert_not_null(ar_alloc(&a, 100));
    cr_assert_eq(a.bytes, held, "the same pieces again need no new block");
    ar_free(&a);
}

Test(arena, a_large_piece_gets_a_block_of_its_own)
{
    ar_arena a;
    ar_init(&a, 64, 128);
    unsigned char *big = ar_alloc(&a, 10000);
    cr_assert_not_null(big);
    memset(big, 7, 10000);
    cr_assert_geq(a.bytes, 10000);
    ar_free(&a);
}

Test(arena, a_block_that_cannot_be_had_is_null)
{
    ar_arena a;
    ar_init(&a, 64, 64);
    sr_alloc_fail_at(1);
    cr_assert_null(ar_alloc(&a, 8));
    sr_alloc_fail_at(0);
    cr_assert_not_null(ar_alloc(&a, 8));
    ar_free(&a);
}
