/*
 * pool.c — free lists of small blocks by size class (see pool.h for why).
 */
#include "pool.h"

#include "common.h"

#include <string.h>

_Static_assert(PL_MAX % PL_STEP == 0, "PL_MAX must be a whole number of steps");
_Static_assert(PL_STEP % _Alignof(max_align_t) == 0,
               "blocks of whole steps cut from the arena stay aligned for any type");

static size_t class_of(size_t size) { return (size - 1) / PL_STEP; }

void pl_init(pl_pool *p)
{
    memset(p->free, 0, sizeof p->free);
    ar_init(&p->chunks, PL_CHUNK, PL_CHUNK);
}

void pl_destroy(pl_pool *p)
{
    ar_free(&p->chunks);
    pl_init(p);
}

void *pl_alloc(pl_pool *p, size_t size)
{
    if (sr_alloc_fault())
        return NULL;
    size_t k = class_of(size);
    void *b = p->free[k];
    if (b) {
        p->free[k] = *(void **)b;
        return b;
    }
    return ar_alloc(&p->chunks, (k + 1) * PL_STEP);
}

void *pl_alloc_spare(pl_pool *p, size_t size)
{
    for (size_t k = class_of(size); k < PL_CLASSES; k++) {
        void *b = p->free[k];
        if (b) {
            p->free[k] = *(void **)b;
            return b;
        }
    }
    return NULL;
}

int pl_needs_chunk(const pl_pool *p, size_t size)
{
    size_t k = class_of(size);
    return !p->free[k] && ar_needs_block(&p->chunks, (k + 1) * PL_STEP);
}

void pl_free(pl_pool *p, void *block, size_t size)
{
    size_t k = class_of(size);
    *(void **)block = p->free[k];
    p->free[k] = block;
}
