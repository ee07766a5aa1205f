/*
 * test_pool.c — the small-block pool under the Lua state's allocator.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <string.h>

#include "common.h"
#include "pool.h"

Test(pool, blocks_are_aligned_distinct_and_hold_their_bytes)
{
    pl_pool p;
    pl_init(&p);
    enum { N = 3000 };  /* several chunks' worth */
    static unsigned char *blocks[N];
    for (int i = 0; i < N; i++) {
        size_t size = (size_t)(i % PL_MAX) + 1;
        blocks[i] = pl_alloc(&p, size);
        cr_assert_not_null(blocks[i]);
        cr_assert_eq((uintptr_t)blocks[i] % PL_STEP, 0, "block %d is not aligned", i);
        memset(blocks[i], i & 0xff, size);
    }
    cr_assert_gt(p.chunks.bytes, PL_CHUNK, "the blocks should span more than one chunk");
    for (int i = 0; i < N; i++) {
        size_t size = (size_t)(i % PL_MAX) + 1;
        for (size_t k = 0; k < size; k++)
            cr_assert_eq(blocks[i][k], i & 0xff, "block %d byte %zu was overwritten", i, k);
    }
    pl_destroy(&p);
    cr_assert_null(p.chunks.first);
}

Test(pool, freed_blocks_are_reused_by_their_class)
{
    pl_pool p;
    pl_init(&p);
    void *a = pl_alloc(&p, 40);
    void *b = pl_alloc(&p, 40);
    cr_assert_neq(a, b);
    pl_free(&p, a, 40);
    cr_assert_eq(pl_alloc(&p, 33), a, "33 and 40 bytes share the 48-byte class");
    pl_free(&p, b, 40);
    void *c = pl_alloc(&p, 64);
    cr_assert_neq(c, b, "a 64-byte block must not come from the 48-byte list");
    cr_assert_eq(pl_alloc(&p, 48), b);
    size_t before = p.chunks.bytes;
    for (int i = 0; i < 10000; i++) {  /* steady state: no new chunks */
        void *x = pl_alloc(&p, 100);
        pl_free(&p, x, 100);
    }
    cr_assert_eq(p.chunks.bytes, before);
    pl_destroy(&p);
}

Test(pool, classes_and_limits)
{
    cr_assert(pl_fits(1) && pl_fits(PL_MAX) && !pl_fits(PL_MAX + 1));
    cr_assert(pl_same_class(1, PL_STEP));
    cr_assert(!pl_same_class(PL_STEP, PL_STEP + 1));
    cr_assert(pl_same_class(PL_MAX - PL_STEP + 1, PL_MAX));
}

Test(pool, injected_failures_reach_pool_blocks)
{
    pl_pool p;
    pl_init(&p);
    void *warm = pl_alloc(&p, 16); /* a chunk exists, so only the injection can fail */
    cr_assert_not_null(warm);
    sr_alloc_fail_at(3);
    cr_assert_not_null(pl_alloc(&p, 16));
    cr_assert_not_null(pl_alloc(&p, 16));
    cr_assert_null(pl_alloc(&p, 16), "the third allocation should fail");
    sr_alloc_fail_at(0);
    cr_assert_not_null(pl_alloc(&p, 16));
    pl_destroy(&p);
}
