/*
 * pool.c — free lists of small blocks by size class (see pool.h for why).
 */
#include "pool.h"

#include "common.h"

#include <string.h>

/* The chunk header takes one step, so the blocks after it keep PL_STEP alignment (the
 * system allocator's blocks are aligned at least that much). */
struct pl_chunk {
    pl_chunk *next;
    char pad[PL_STEP - sizeof(pl_chunk *)];
};

_Static_assert(sizeof(pl_chunk) == PL_STEP, "the chunk header must be one step");
_Static_assert(PL_MAX % PL_STEP == 0, "PL_MAX must be a whole number of steps");

static size_t class_of(size_t size) { return (size - 1) / PL_STEP; }

void pl_init(pl_pool *p) { memset(p, 0, sizeof *p); }

void pl_destroy(pl_pool *p)
{
    pl_chunk *c = p->chunks;
    while (c) {
        pl_chunk *next = c->next;
        sr_free(c);
        c = next;
    }
    pl_init(p);
}

/* Starts a new chunk. What was left of the previous one is too small for the block asked
 * for; it goes to the free list of the largest class it can hold, so nothing is wasted. */
static int new_chunk(pl_pool *p)
{
    pl_chunk *c = sr_malloc(PL_CHUNK);
    if (!c)
        return 0;
    if (p->left >= PL_STEP) {
        size_t k = p->left / PL_STEP - 1;
        *(void **)p->cur = p->free[k];
        p->free[k] = p->cur;
    }
    c->next = p->chunks;
    p->chunks = c;
    p->cur = (char *)(c + 1);
    p->left = PL_CHUNK - sizeof *c;
    p->chunk_bytes += PL_CHUNK;
    return 1;
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
    size_t bytes = (k + 1) * PL_STEP;
    if (p->left < bytes && !new_chunk(p))
        return NULL;
    b = p->cur;
    p->cur += bytes;
    p->left -= bytes;
    return b;
}

void pl_free(pl_pool *p, void *block, size_t size)
{
    size_t k = class_of(size);
    *(void **)block = p->free[k];
    p->free[k] = block;
}
