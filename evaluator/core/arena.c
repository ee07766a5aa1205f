/*
 * arena.c — blocks cut into pieces, released together (see arena.h).
 */
#include "arena.h"

#include "common.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

struct ar_block {
    ar_block *next;
    size_t used, size;
    max_align_t data[]; /* aligned storage */
};

void ar_init(ar_arena *a, size_t first_size, size_t max_size)
{
    memset(a, 0, sizeof *a);
    a->next_size = first_size;
    a->max_size = max_size > first_size ? max_size : first_size;
}

void ar_free(ar_arena *a)
{
    ar_block *b = a->first;
    while (b) {
        ar_block *next = b->next;
        sr_free(b);
        b = next;
    }
    ar_init(a, a->next_size, a->max_size);
}

void ar_reset(ar_arena *a)
{
    for (ar_block *b = a->first; b; b = b->next)
        b->used = 0;
    a->cur = a->first;
}

/* Appends a block that holds at least n bytes; it becomes the current one. */
static ar_block *new_block(ar_arena *a, size_t n)
{
    size_t size = n > a->next_size ? n : a->next_size;
    if (size > SIZE_MAX - sizeof(ar_block))
        return NULL;
    ar_block *b = sr_malloc(sizeof *b + size);
    if (!b)
        return NULL;
    b->next = NULL;
    b->used = 0;
    b->size = size;
    if (a->last)
        a->last->next = b;
    else
        a->first = b;
    a->last = b;
    a->bytes += size;
    /* Growing sizes keep the number of blocks logarithmic in what is built. */
    if (a->next_size < a->max_size)
        a->next_size = a->next_size * 2 < a->max_size ? a->next_size * 2 : a->max_size;
    return b;
}

int ar_needs_block(const ar_arena *a, size_t n)
{
    if (n > SIZE_MAX - alignof(max_align_t))
        return 1;
    n = (n + alignof(max_align_t) - 1) / alignof(max_align_t) * alignof(max_align_t);
    for (const ar_block *b = a->cur; b; b = b->next)
        if (b->size - b->used >= n)
            return 0;
    return 1;
}

void *ar_alloc(ar_arena *a, size_t n)
{
    if (n > SIZE_MAX - alignof(max_align_t))
        return NULL;
    n = (n + alignof(max_align_t) - 1) / alignof(max_align_t) * alignof(max_align_t);
    /* after ar_reset, the kept blocks are cut again in order before any new one is made */
    while (a->cur && a->cur->size - a->cur->used < n)
        a->cur = a->cur->next;
    if (!a->cur && !(a->cur = new_block(a, n)))
        return NULL;
    void *p = (char *)a->cur->data + a->cur->used;
    a->cur->used += n;
    return p;
}
