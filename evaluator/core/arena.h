/*
 * arena.h — memory cut from a few large blocks and released with them (module prefix ar_).
 *
 * For things built piece by piece and dropped whole: a YAML tree (ydoc.c), a trace (trace.c),
 * the small blocks of the Lua state's pool (pool.c). A piece costs a pointer bump instead of a
 * malloc, and releasing everything costs one free per block. Blocks come from sr_malloc, so
 * injected allocation failures reach them.
 */
#ifndef SR_ARENA_H
#define SR_ARENA_H

#include <stddef.h>

typedef struct ar_block ar_block;

typedef struct ar_arena {
    ar_block *first, *last; /* every block, oldest first */
    ar_block *cur;          /* the block pieces are cut from */
    size_t next_size;       /* size of the next block made */
    size_t max_size;        /* block sizes double up to this (a larger piece gets its own) */
    size_t bytes;           /* held in blocks, for the record */
} ar_arena;

/* Blocks of first_size bytes, doubling up to max_size. */
void ar_init(ar_arena *a, size_t first_size, size_t max_size);
/* Frees every block; every piece becomes invalid. */
void ar_free(ar_arena *a);
/* Forgets every piece but keeps the blocks, to be cut again. */
void ar_reset(ar_arena *a);
/* n bytes aligned for any type, or NULL when a new block cannot be had. */
void *ar_alloc(ar_arena *a, size_t n);
/* Whether ar_alloc(a, n) would have to make a new block. */
int ar_needs_block(const ar_arena *a, size_t n);

#endif
