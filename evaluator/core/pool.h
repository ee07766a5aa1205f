/*
 * pool.h — free lists of small blocks for the Lua state's allocator (module prefix pl_).
 *
 * An evaluation makes and drops a few hundred small Lua objects (tables, strings, closures),
 * and the system allocator was a sixth of its cost. Lua always says the size of the block it
 * frees or resizes, so small blocks can come from free lists by size class, with no header
 * and no search: a block of class k is (k + 1) * PL_STEP bytes, cut from an arena of PL_CHUNK
 * byte blocks (arena.h) and returned to the system only by pl_destroy.
 *
 * Blocks larger than PL_MAX are not the pool's business: callers use the system allocator
 * for them, deciding by size alone (pl_fits), which is why a block must be freed and resized
 * with the size it was allocated with.
 */
#ifndef SR_POOL_H
#define SR_POOL_H

#include "arena.h"

#include <stddef.h>

#define PL_STEP 16      /* class granularity; the arena aligns every block at least this much */
#define PL_MAX 256      /* largest block the pool serves */
#define PL_CLASSES (PL_MAX / PL_STEP)
#define PL_CHUNK 65536  /* bytes asked of the system at a time */

typedef struct pl_pool {
    void *free[PL_CLASSES]; /* a singly linked list through the blocks themselves */
    ar_arena chunks;        /* where blocks no list holds are cut from */
} pl_pool;

void pl_init(pl_pool *p);
/* Frees every chunk; blocks still out become invalid. */
void pl_destroy(pl_pool *p);

/* Whether a block of `size` bytes (> 0) belongs to the pool. */
static inline int pl_fits(size_t size) { return size <= PL_MAX; }

/* A block of 1..PL_MAX bytes, or NULL when a new chunk cannot be had. */
void *pl_alloc(pl_pool *p, size_t size);
/* Bytes the pool holds from the system: every chunk, whether its blocks are out or free. */
static inline size_t pl_held(const pl_pool *p) { return p->chunks.bytes; }
/* Whether pl_alloc(p, size) would have to take a new chunk from the system. */
int pl_needs_chunk(const pl_pool *p, size_t size);
/* A free block of size's class or of a larger one, taking no new chunk; NULL if none. The
 * block is then freed as one of size's class (its tail is lost, not leaked). */
void *pl_alloc_spare(pl_pool *p, size_t size);
/* Returns a block that pl_alloc gave for the same size class. */
void pl_free(pl_pool *p, void *block, size_t size);
/* Whether sizes a and b (1..PL_MAX) share a class, so a block of one serves the other. */
static inline int pl_same_class(size_t a, size_t b)
{
    return (a - 1) / PL_STEP == (b - 1) / PL_STEP;
}

#endif
