/*
 * ydoc.c — strict YAML reading over libyaml's event API (see ydoc.h for the contract).
 *
 * Why events and not libyaml's document API: the document loader expands aliases, keeps
 * duplicate keys and allocates with plain malloc. Walking the events ourselves lets every
 * strictness rule fire at the exact position where it is broken, and every byte of the tree
 * comes from sr_malloc, so the allocator's fault injection covers the whole reader.
 */
#include "ydoc.h"
#include "arena.h"

#include <yaml.h> /* libyaml's; this module's header is ydoc.h so the names cannot clash */

#include <errno.h>
#include <float.h>
#include <pthread.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

const yd_limits yd_default_limits = { 4 * 1024 * 1024, 16, 200000, 65536 };

/* ---- positions ------------------------------------------------------------------------ */

static int clamp_int(size_t v)
{
    return v >= (size_t)INT_MAX ? INT_MAX : (int)v;
}

/* 1-based line and column of byte `off`, counted the way libyaml counts marks: columns are
 * characters, and \n, \r\n, lone \r, NEL, LS and PS each end a line. Used for errors that
 * libyaml reports as a byte offset (reader errors) or that we find before parsing (NUL). */
static void position_of(const char *buf, size_t len, size_t off, int *line, int *col)
{
    const unsigned char *s = (const unsigned char *)buf;
    size_t l = 0, c = 0;
    if (off > len)
        off = len;
    for (size_t i = 0; i < off; i++) {
        int is_break = 0;
        if (s[i] == '\n') {
            is_break = 1;
        } else if (s[i] == '\r') {
            is_break = !(i + 1 < len && s[i + 1] == '\n');
        } else if (s[i] == 0xC2 && i + 1 < off && s[i + 1] == 0x85) {
            is_break = 1;
            i += 1;
        } else if (s[i] == 0xE2 && i + 2 < off && s[i + 1] == 0x80 &&
                   (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) {
            is_break = 1;
            i += 2;
        }
        if (is_break) {
            l++;
            c = 0;
        } else if ((s[i] & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = clamp_int(l + 1);
    *col = clamp_int(c + 1);
}

/* ---- text for messages ---------------------------------------------------------------- */

/* Copies s into out for use inside a one-line message: control characters are escaped so a
 * multi-line scalar cannot break the line, and long text is cut (on a character boundary)
 * with "..." so a 64 KiB scalar does not swamp the message. */
static void clip(const char *s, size_t len, char *out, size_t outlen)
{
    enum { MAX_SHOWN = 60 };
    size_t o = 0, i = 0;
    for (; i < len && i < MAX_SHOWN && o + 5 < outlen; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\n' || ch == '\t' || ch == '\r') {
            out[o++] = '\\';
            out[o++] = ch == '\n' ? 'n' : ch == '\t' ? 't' : 'r';
        } else if (ch < 0x20 || ch == 0x7F) {
            out[o++] = '?';
        } else {
            out[o++] = (char)ch;
        }
    }
    if (i < len) {
        if (((unsigned char)s[i] & 0xC0) == 0x80) {
            /* Cut inside a UTF-8 sequence: drop its copied bytes back to the lead byte. */
            while (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0x80)
                o--;
            if (o > 0)
                o--;
        }
        if (o + 4 <= outlen) {
            memcpy(out + o, "...", 3);
            o += 3;
        }
    }
    out[o < outlen ? o : outlen - 1] = '\0';
}

/* "'text'" for a scalar (quoted ones shown with their quotes, because a quoted number is an
 * error and the message must show why), otherwise what the node is. */
static void describe(const yd_node *node, char *out, size_t outlen)
{
    char text[256];
    if (!node) {
        snprintf(out, outlen, "nothing");
    } else if (node->kind == YD_MAP) {
        snprintf(out, outlen, "a mapping");
    } else if (node->kind == YD_SEQ) {
        snprintf(out, outlen, "a list");
    } else {
        clip(node->str, node->len, text, sizeof text);
        snprintf(out, outlen, node->quoted ? "'\"%s\"'" : "'%s'", text);
    }
}

/* "a, b, c" from words; n == SIZE_MAX means the list ends at a NULL entry. */
static void join_words(const char *const *words, size_t n, char *out, size_t outlen)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && words[i] && o < outlen; i++) {
        int w = snprintf(out + o, outlen - o, "%s%s", i ? ", " : "", words[i]);
        if (w < 0)
            break;
        o += (size_t)w;
    }
}

/* ---- the arena ------------------------------------------------------------------------ */

/* A tree is built once and freed whole, so its nodes, scalar texts and child arrays are cut
 * from an arena and freed with it: a malloc and a free per node and per scalar used to cost
 * more than building the tree itself. */
enum {
    BLOCK_MIN = 4 * 1024,
    BLOCK_MAX = 1024 * 1024,
    TREE_PER_BYTE = 8 /* a tree takes about 6 bytes per byte of YAML: one block usually does */
};

/* What a root node belongs to. yd_free gets from the root to its arena through the
 * document that holds it, so no node needs a pointer back to its arena. */
typedef struct document {
    ar_arena arena;
    yd_node root;
} document;

static document *doc_of(yd_node *root)
{
    return (document *)(void *)((char *)root - offsetof(document, root));
}

static void doc_free(document *doc)
{
    ar_free(&doc->arena);
    sr_free(doc);
}

/* n bytes aligned for any node or array, or NULL when an allocation fails. */
static void *arena_alloc(document *doc, size_t n) { return ar_alloc(&doc->arena, n); }

/* The first block is sized from the input, so a typical file needs exactly one. */
static document *doc_new(size_t input_len)
{
    document *doc = sr_calloc(1, sizeof *doc);
    if (!doc)
        return NULL;
    size_t guess = input_len < BLOCK_MAX / TREE_PER_BYTE ? input_len * TREE_PER_BYTE : BLOCK_MAX;
    ar_init(&doc->arena, guess > BLOCK_MIN ? guess : BLOCK_MIN, BLOCK_MAX);
    return doc;
}

/* ---- the tree ------------------------------------------------------------------------- */

void yd_free(yd_node *node)
{
    if (node)
        doc_free(doc_of(node));
}

/* One open map or sequence while events arrive. Its items wait on the builder's `kids`
 * stack (maps: key, value, key, ...) and move into one exact-size array of the arena when the
 * container closes, so no child array is ever grown. */
typedef struct frame {
    yd_node *node;
    size_t first;   /* index in kids of the first child */
    size_t *slots;  /* large maps only: hash index of the keys, key number + 1, 0 = empty */
    size_t nslots;  /* a power of two */
} frame;

typedef struct builder {
    const char *name;
    const yd_limits *lim;
    sr_error *err;
    document *doc;
    yd_node *root;
    frame *stack;
    size_t depth, stack_cap;
    yd_node **kids;
    size_t nkids, kids_cap;
    size_t nodes;
    int documents;
} builder;

/* Up to this many keys a map finds duplicates by comparing with each key: cheaper than
 * hashing for the small maps that make up most files. Beyond it a hash index keeps a map
 * with many keys linear. */
enum { SMALL_MAP = 16 };

static int fail_mark(builder *b, int code, yaml_mark_t mark, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static int fail_mark(builder *b, int code, yaml_mark_t mark, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sr_vfail(b->err, code, b->name, clamp_int(mark.line + 1), clamp_int(mark.column + 1), fmt,
             ap);
    va_end(ap);
    return code;
}

static int new_node(builder *b, yd_kind kind, yaml_mark_t mark, yd_node **out)
{
    if (b->nodes >= b->lim->max_nodes)
        return fail_mark(b, SR_ELIMIT, mark, "more than %zu nodes", b->lim->max_nodes);
    yd_node *node = b->root ? arena_alloc(b->doc, sizeof *node) : &b->doc->root;
    if (!node)
        return sr_oom(b->err);
    memset(node, 0, sizeof *node);
    node->kind = kind;
    node->line = clamp_int(mark.line + 1);
    node->col = clamp_int(mark.column + 1);
    b->nodes++;
    *out = node;
    return SR_OK;
}

/* Grows *arr (of elem-byte entries, *cap of them) to hold at least need. */
static int reserve(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 1;
    size_t ncap = *cap ? *cap * 2 : 16;
    while (ncap < need)
        ncap *= 2;
    if (ncap > SIZE_MAX / elem)
        return 0;
    void *p = sr_realloc(*arr, ncap * elem);
    if (!p)
        return 0;
    *arr = p;
    *cap = ncap;
    return 1;
}

/* Duplicate keys are found through a hash so a map with many keys stays linear. The hash is
 * SipHash-1-3 under a key drawn at random once per process: with a fixed, public hash
 * (FNV-1a before) a file of keys chosen to collide made the index quadratic (a 1.2 MB file
 * took 29 s). The key changes nothing observable: the index only finds the first equal key. */
static uint64_t sip_key[2];
static pthread_once_t sip_once = PTHREAD_ONCE_INIT;

static void sip_seed(void)
{
    unsigned char k[16];
    ssize_t n = getrandom(k, sizeof k, GRND_NONBLOCK);
    if (n != (ssize_t)sizeof k) {
        /* no entropy yet (early boot): still unpredictable enough from outside */
        uint64_t t = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)k;
        memcpy(k, &t, sizeof t);
        t = t * 0x9e3779b97f4a7c15u + (uint64_t)clock();
        memcpy(k + 8, &t, sizeof t);
    }
    memcpy(&sip_key[0], k, 8);
    memcpy(&sip_key[1], k + 8, 8);
}

#define SIP_ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIP_ROUND(v0, v1, v2, v3)                                                             \
    do {                                                                                      \
        v0 += v1; v1 = SIP_ROTL(v1, 13); v1 ^= v0; v0 = SIP_ROTL(v0, 32);                     \
        v2 += v3; v3 = SIP_ROTL(v3, 16); v3 ^= v2;                                           \
        v0 += v3; v3 = SIP_ROTL(v3, 21); v3 ^= v0;                                           \
        v2 += v1; v1 = SIP_ROTL(v1, 17); v1 ^= v2; v2 = SIP_ROTL(v2, 32);                     \
    } while (0)

static size_t hash_text(const char *s, size_t len)
{
    pthread_once(&sip_once, sip_seed);
    uint64_t v0 = 0x736f6d6570736575u ^ sip_key[0], v1 = 0x646f72616e646f6du ^ sip_key[1];
    uint64_t v2 = 0x6c7967656e657261u ^ sip_key[0], v3 = 0x7465646279746573u ^ sip_key[1];
    const unsigned char *p = (const unsigned char *)s;
    size_t whole = len - len % 8;
    for (size_t i = 0; i < whole; i += 8) {
        uint64_t m = 0;
        for (int j = 7; j >= 0; j--)
            m = (m << 8) | p[i + (size_t)j];
        v3 ^= m;
        SIP_ROUND(v0, v1, v2, v3);
        v0 ^= m;
    }
    uint64_t b = (uint64_t)len << 56;
    for (size_t j = 0; j < len % 8; j++)
        b |= (uint64_t)p[whole + j] << (8 * j);
    v3 ^= b;
    SIP_ROUND(v0, v1, v2, v3);
    v0 ^= b;
    v2 ^= 0xff;
    SIP_ROUND(v0, v1, v2, v3);
    SIP_ROUND(v0, v1, v2, v3);
    SIP_ROUND(v0, v1, v2, v3);
    return (size_t)(v0 ^ v1 ^ v2 ^ v3);
}

static int same_text(const yd_node *key, const char *s, size_t len)
{
    return key->len == len && memcmp(key->str, s, len) == 0;
}

/* Key number i of the open map f (its items alternate key, value). */
static yd_node *frame_key(const builder *b, const frame *f, size_t i)
{
    return b->kids[f->first + 2 * i];
}

/* The slot holding key (s, len) in the frame's index, or the empty slot where it would go. */
static size_t *index_slot(const builder *b, const frame *f, const char *s, size_t len)
{
    size_t mask = f->nslots - 1;
    for (size_t i = hash_text(s, len) & mask;; i = (i + 1) & mask) {
        size_t *slot = &f->slots[i];
        if (*slot == 0 || same_text(frame_key(b, f, *slot - 1), s, len))
            return slot;
    }
}

/* Keeps the index of a map with nkeys keys at most half full once the map is no longer
 * small; on failure the old index is left intact. */
static int index_grow(const builder *b, frame *f, size_t nkeys)
{
    if (nkeys < SMALL_MAP || (f->nslots && (nkeys + 1) * 2 <= f->nslots))
        return 1;
    size_t nslots = f->nslots ? f->nslots * 2 : 4 * SMALL_MAP;
    size_t *slots = sr_calloc(nslots, sizeof *slots);
    if (!slots)
        return 0;
    sr_free(f->slots);
    f->slots = slots;
    f->nslots = nslots;
    for (size_t i = 0; i < nkeys; i++) {
        const yd_node *key = frame_key(b, f, i);
        *index_slot(b, f, key->str, key->len) = i + 1;
    }
    return 1;
}

/* An earlier key of the open map equal to key, or NULL. Records key in the index (when the
 * map has one) as the key number nkeys. */
static const yd_node *find_duplicate(const builder *b, const frame *f, const yd_node *key,
                                     size_t nkeys)
{
    if (!f->slots) {
        for (size_t i = 0; i < nkeys; i++)
            if (same_text(frame_key(b, f, i), key->str, key->len))
                return frame_key(b, f, i);
        return NULL;
    }
    size_t *slot = index_slot(b, f, key->str, key->len);
    if (*slot)
        return frame_key(b, f, *slot - 1);
    *slot = nkeys + 1;
    return NULL;
}

/* True when the innermost open container is a map waiting for its next key. */
static int wants_key(const builder *b)
{
    if (b->depth == 0)
        return 0;
    const frame *f = &b->stack[b->depth - 1];
    return f->node->kind == YD_MAP && (b->nkids - f->first) % 2 == 0;
}

static int map_check_key(builder *b, frame *f, const yd_node *key, yaml_mark_t mark)
{
    size_t nkeys = (b->nkids - f->first) / 2;
    if (!index_grow(b, f, nkeys))
        return sr_oom(b->err);
    const yd_node *first = find_duplicate(b, f, key, nkeys);
    if (first) {
        char text[256];
        clip(key->str, key->len, text, sizeof text);
        return fail_mark(b, SR_EINPUT, mark, "duplicate key '%s' (first at line %d)", text,
                         first->line);
    }
    return SR_OK;
}

/* Hands a new node to its parent (the node itself belongs to the arena either way). */
static int attach(builder *b, yd_node *node, yaml_mark_t mark)
{
    if (b->depth == 0) {
        b->root = node;
        return SR_OK;
    }
    if (!reserve((void **)&b->kids, &b->kids_cap, b->nkids + 1, sizeof *b->kids))
        return sr_oom(b->err);
    if (wants_key(b)) {
        int rc = map_check_key(b, &b->stack[b->depth - 1], node, mark);
        if (rc)
            return rc;
    }
    b->kids[b->nkids++] = node;
    return SR_OK;
}

static int check_properties(builder *b, const yaml_event_t *ev, const yaml_char_t *anchor,
                            const yaml_char_t *tag)
{
    if (anchor)
        return fail_mark(b, SR_EINPUT, ev->start_mark, "anchors and aliases are not allowed");
    if (tag)
        return fail_mark(b, SR_EINPUT, ev->start_mark, "tags are not allowed");
    return SR_OK;
}

static int on_scalar(builder *b, const yaml_event_t *ev)
{
    const char *value = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    int rc = check_properties(b, ev, ev->data.scalar.anchor, ev->data.scalar.tag);
    if (rc)
        return rc;
    if (len > b->lim->max_scalar)
        return fail_mark(b, SR_ELIMIT, ev->start_mark, "scalar longer than %zu bytes",
                         b->lim->max_scalar);
    /* "\0" escapes in double quotes: C strings downstream would silently cut the text. (No
     * other style can hold a NUL: check_input refused NUL bytes in the file.) */
    if (ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE && memchr(value, '\0', len))
        return fail_mark(b, SR_EINPUT, ev->start_mark, "text may not contain a NUL character");
    yd_node *node = NULL;
    rc = new_node(b, YD_SCALAR, ev->start_mark, &node);
    if (rc)
        return rc;
    if (!(node->str = arena_alloc(b->doc, len + 1)))
        return sr_oom(b->err);
    memcpy(node->str, value, len);
    node->str[len] = '\0';
    node->len = len;
    node->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
    return attach(b, node, ev->start_mark);
}

static int on_open(builder *b, const yaml_event_t *ev, yd_kind kind, const yaml_char_t *anchor,
                   const yaml_char_t *tag)
{
    int rc = check_properties(b, ev, anchor, tag);
    if (rc)
        return rc;
    if (wants_key(b))
        return fail_mark(b, SR_EINPUT, ev->start_mark,
                         "a mapping key must be a single value, not a %s",
                         kind == YD_MAP ? "mapping" : "list");
    if (b->lim->max_depth < 0 || b->depth >= (size_t)b->lim->max_depth)
        return fail_mark(b, SR_ELIMIT, ev->start_mark, "nesting deeper than %d levels",
                         b->lim->max_depth);
    if (!reserve((void **)&b->stack, &b->stack_cap, b->depth + 1, sizeof *b->stack))
        return sr_oom(b->err);
    yd_node *node = NULL;
    rc = new_node(b, kind, ev->start_mark, &node);
    if (rc == SR_OK)
        rc = attach(b, node, ev->start_mark);
    if (rc)
        return rc;
    frame *f = &b->stack[b->depth++];
    memset(f, 0, sizeof *f);
    f->node = node;
    f->first = b->nkids;
    return SR_OK;
}

static void drop_frame(builder *b)
{
    frame *f = &b->stack[--b->depth];
    b->nkids = f->first;
    sr_free(f->slots);
}

/* Moves the innermost container's items from the kids stack into the arena. */
static int on_close(builder *b)
{
    if (b->depth == 0)
        return SR_OK;
    frame *f = &b->stack[b->depth - 1];
    yd_node *node = f->node;
    size_t count = b->nkids - f->first;
    /* Only with items: an empty container may close before kids was ever allocated. */
    yd_node **kids = count > 0 ? b->kids + f->first : NULL;
    if (node->kind == YD_SEQ && count > 0) {
        if (!(node->items = arena_alloc(b->doc, count * sizeof *node->items)))
            return sr_oom(b->err);
        memcpy(node->items, kids, count * sizeof *node->items);
        node->n = count;
    } else if (node->kind == YD_MAP && count > 0) {
        /* libyaml always gives a key its value (an empty scalar at worst); a lone key
         * would keep a NULL value. */
        size_t n = (count + 1) / 2;
        if (!(node->pairs = arena_alloc(b->doc, n * sizeof *node->pairs)))
            return sr_oom(b->err);
        for (size_t i = 0; i < n; i++) {
            node->pairs[i].key = kids[2 * i];
            node->pairs[i].value = 2 * i + 1 < count ? kids[2 * i + 1] : NULL;
        }
        node->n = n;
    }
    drop_frame(b);
    return SR_OK;
}

static int on_event(builder *b, const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (b->documents++ > 0)
            return fail_mark(b, SR_EINPUT, ev->start_mark, "more than one document");
        return SR_OK;
    case YAML_ALIAS_EVENT:
        return fail_mark(b, SR_EINPUT, ev->start_mark, "anchors and aliases are not allowed");
    case YAML_SCALAR_EVENT:
        return on_scalar(b, ev);
    case YAML_SEQUENCE_START_EVENT:
        return on_open(b, ev, YD_SEQ, ev->data.sequence_start.anchor,
                       ev->data.sequence_start.tag);
    case YAML_MAPPING_START_EVENT:
        return on_open(b, ev, YD_MAP, ev->data.mapping_start.anchor,
                       ev->data.mapping_start.tag);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        return on_close(b);
    default:
        return SR_OK;
    }
}

/* The text of line `line` (1-based) of buf, and its length; NULL past the end. */
static const char *line_text(const char *buf, size_t len, int line, size_t *n)
{
    const char *at = buf, *end = buf + len;
    for (int l = 1; l < line && at < end; l++) {
        const char *nl = memchr(at, '\n', (size_t)(end - at));
        if (!nl)
            return NULL;
        at = nl + 1;
    }
    const char *nl = memchr(at, '\n', (size_t)(end - at));
    *n = (size_t)((nl ? nl : end) - at);
    return at;
}

/* A colon followed by a space (or ending the line) before column col of the line: a second
 * "key: value" on one line, which in plain text is almost always a colon the author meant as
 * punctuation. */
static int colon_before(const char *text, size_t n, int col)
{
    size_t upto = col > 1 && (size_t)(col - 1) < n ? (size_t)(col - 1) : n;
    for (size_t i = 0; i + 1 < upto; i++)
        if (text[i] == ':' && (text[i + 1] == ' ' || text[i + 1] == '\t'))
            return 1;
    return 0;
}

/* One line of advice for the mistakes people make editing YAML by hand; libyaml's own words
 * describe the parser's state, not the cause. NULL when no advice fits. */
static const char *libyaml_hint(const yaml_parser_t *p, const char *buf, size_t len, int line,
                                int col)
{
    const char *problem = p->problem ? p->problem : "";
    const char *context = p->context ? p->context : "";
    size_t n = 0;
    const char *text = line_text(buf, len, line, &n);
    int tab_at_mark = text && col >= 1 && (size_t)col <= n && text[col - 1] == '\t';
    if (strstr(problem, "tab") || tab_at_mark)
        return "indent with spaces: YAML does not allow tab characters in indentation";
    if (strstr(context, "quoted scalar"))
        return "a quoted text is not closed: check for a missing closing quotation mark";
    if (strstr(problem, "mapping values are not allowed")) {
        if (text && colon_before(text, n, col))
            return "a colon followed by a space inside unquoted text starts a new key: "
                   "put the whole text in quotation marks";
        return "check the indentation: this line is indented more than the key it belongs "
               "to, or the line above it is an unfinished text";
    }
    if (strstr(problem, "did not find expected ',' or"))
        return "a list or mapping in brackets is not closed, or a comma is missing between "
               "its items";
    if (strstr(problem, "did not find expected") || strstr(problem, "not allowed in this context"))
        return "check the indentation: items of one list, and keys of one mapping, must start "
               "in the same column";
    return NULL;
}

/* libyaml's own complaint, with its problem text and position, and a hint where one fits. */
static int libyaml_error(builder *b, const yaml_parser_t *p, const char *buf, size_t len)
{
    const char *problem = p->problem ? p->problem : "malformed YAML";
    int line, col;
    if (p->error == YAML_MEMORY_ERROR)
        return sr_oom(b->err);
    if (p->error == YAML_READER_ERROR) {
        /* Reader errors (bad UTF-8, control characters) carry a byte offset, not a mark. */
        position_of(buf, len, p->problem_offset, &line, &col);
        return sr_fail(b->err, SR_EINPUT, b->name, line, col, "%s", problem);
    }
    line = clamp_int(p->problem_mark.line + 1);
    col = clamp_int(p->problem_mark.column + 1);
    const char *hint = libyaml_hint(p, buf, len, line, col);
    return sr_fail(b->err, SR_EINPUT, b->name, line, col, "%s%s%s", problem,
                   hint ? "; hint: " : "", hint ? hint : "");
}

/* Feeds every event of the stream to the builder; stops at the first error. */
static int run_parser(builder *b, const char *buf, size_t len)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return sr_oom(b->err);
    yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
    /* Forced, so UTF-16/32 input is refused as invalid UTF-8 instead of being decoded. */
    yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
    int rc = SR_OK;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            rc = libyaml_error(b, &p, buf, len);
            break;
        }
        int done = ev.type == YAML_STREAM_END_EVENT;
        rc = on_event(b, &ev);
        yaml_event_delete(&ev);
        if (rc || done)
            break;
    }
    yaml_parser_delete(&p);
    return rc;
}

/* Checks made on the raw bytes before libyaml sees them. */
static int check_input(const char *name, const char *buf, size_t len, const yd_limits *lim,
                       sr_error *err)
{
    if (len > lim->max_bytes)
        return sr_fail(err, SR_ELIMIT, name, 0, 0, "file is larger than the limit of %zu bytes",
                       lim->max_bytes);
    const char *nul = memchr(buf, '\0', len);
    if (nul) {
        int line, col;
        position_of(buf, len, (size_t)(nul - buf), &line, &col);
        return sr_fail(err, SR_EINPUT, name, line, col, "input contains a NUL byte");
    }
    return SR_OK;
}

int yd_parse(const char *name, const char *buf, size_t len, const yd_limits *lim, yd_node **out,
             sr_error *err)
{
    *out = NULL;
    if (!lim)
        lim = &yd_default_limits;
    if (!buf)
        buf = "";
    int rc = check_input(name, buf, len, lim, err);
    if (rc)
        return rc;
    /* libyaml only drops a byte order mark when it detects the encoding itself, and we force
     * the encoding, so drop a UTF-8 BOM here (it is not part of the first line's columns). */
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        buf += 3;
        len -= 3;
    }
    builder b;
    memset(&b, 0, sizeof b);
    b.name = name;
    b.lim = lim;
    b.err = err;
    if (!(b.doc = doc_new(len)))
        return sr_oom(err);
    rc = run_parser(&b, buf, len);
    if (rc == SR_OK && !b.root)
        rc = sr_fail(err, SR_EINPUT, name, 1, 1, "empty document");
    else if (rc == SR_OK && b.root->kind == YD_SCALAR && !b.root->quoted && b.root->len == 0)
        rc = sr_fail(err, SR_EINPUT, name, b.root->line, b.root->col, "empty document");
    while (b.depth > 0) /* only after an error: release the open maps' key indexes */
        drop_frame(&b);
    sr_free(b.stack);
    sr_free(b.kids);
    if (rc) {
        doc_free(b.doc);
        return rc;
    }
    *out = b.root;
    return SR_OK;
}

int yd_load_file(const char *path, const yd_limits *lim, yd_node **out, sr_error *err)
{
    char *data = NULL;
    size_t len = 0;
    *out = NULL;
    if (!lim)
        lim = &yd_default_limits;
    int rc = sr_read_file(path, lim->max_bytes, &data, &len, err);
    if (rc)
        return rc;
    rc = yd_parse(strcmp(path, "-") == 0 ? "<stdin>" : path, data, len, lim, out, err);
    sr_free(data);
    return rc;
}

/* ---- schema helpers ------------------------------------------------------------------- */

static int node_line(const yd_node *node) { return node ? node->line : 0; }
static int node_col(const yd_node *node) { return node ? node->col : 0; }

const yd_node *yd_get(const yd_node *map, const char *key)
{
    if (!map || map->kind != YD_MAP || !key)
        return NULL;
    /* The first byte is compared before the rest: lookups run for every optional field of
     * every finding, and this skips strcmp for nearly all the keys that do not match. */
    for (size_t i = 0; i < map->n; i++) {
        const char *k = map->pairs[i].key->str;
        if (k[0] == key[0] && strcmp(k, key) == 0)
            return map->pairs[i].value;
    }
    return NULL;
}

int yd_expect(const yd_node *node, yd_kind kind, const char *what, const char *file,
              sr_error *err)
{
    if (node && node->kind == kind)
        return SR_OK;
    const char *want = kind == YD_MAP   ? "a mapping"
                       : kind == YD_SEQ ? "a list"
                                        : "a single value";
    return sr_fail(err, SR_EINPUT, file, node_line(node), node_col(node), "expected %s for '%s'",
                   want, what);
}

int yd_check_keys(const yd_node *map, const char *const *allowed, const char *what,
                  const char *file, sr_error *err)
{
    int rc = yd_expect(map, YD_MAP, what, file, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < map->n; i++) {
        const yd_node *key = map->pairs[i].key;
        size_t k = 0;
        while (allowed[k] && (allowed[k][0] != key->str[0] || strcmp(allowed[k], key->str) != 0))
            k++;
        if (allowed[k])
            continue;
        char text[256], words[600];
        clip(key->str, key->len, text, sizeof text);
        join_words(allowed, SIZE_MAX, words, sizeof words);
        return sr_fail(err, SR_EINPUT, file, key->line, key->col,
                       "unknown key '%s' in %s (expected one of: %s)", text, what, words);
    }
    return SR_OK;
}

int yd_require(const yd_node *map, const char *key, const char *what, const char *file,
               const yd_node **out, sr_error *err)
{
    int rc = yd_expect(map, YD_MAP, what, file, err);
    if (rc)
        return rc;
    const yd_node *value = yd_get(map, key);
    if (!value)
        return sr_fail(err, SR_EINPUT, file, map->line, map->col, "missing key '%s' in %s", key,
                       what);
    if (out)
        *out = value;
    return SR_OK;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Skips digits; returns how many there were. */
static size_t skip_digits(const char **p)
{
    size_t n = 0;
    while (is_digit(**p)) {
        (*p)++;
        n++;
    }
    return n;
}

/* The decimal forms we accept: [-+]? digits, with an optional fraction and exponent when
 * !whole. A leading zero before another digit is refused because YAML 1.1 reads 010 as
 * octal, and an auditor should not have to know which YAML a tool speaks. */
static int is_decimal(const char *s, int whole)
{
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    const char *digits = p;
    size_t nint = skip_digits(&p);
    if (nint > 1 && digits[0] == '0')
        return 0;
    if (whole)
        return nint > 0 && *p == '\0';
    size_t nfrac = 0;
    if (*p == '.') {
        p++;
        nfrac = skip_digits(&p);
    }
    if (nint + nfrac == 0)
        return 0;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '-' || *p == '+')
            p++;
        if (skip_digits(&p) == 0)
            return 0;
    }
    return *p == '\0';
}

/* Clinger's fast path for a text is_decimal accepted: with at most 15 significant digits
 * the digits are exact as a double, and so is a power of ten up to 10^22, so one division
 * gives the correctly rounded value: the very double strtod returns, for a small part of its
 * cost (numbers are most of an evidence file's scalars). 0 when the text needs strtod: an
 * exponent, more digits, or a compiler that evaluates doubles in wider precision. */
static int fast_decimal(const char *s, double *out)
{
    static const double powers[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                    1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                    1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    if (FLT_EVAL_METHOD != 0)
        return 0;
    int neg = *s == '-', in_fraction = 0, significant = 0, scale = 0;
    if (*s == '-' || *s == '+')
        s++;
    uint64_t m = 0;
    for (; *s; s++) {
        if (*s == '.') {
            in_fraction = 1;
            continue;
        }
        if (!is_digit(*s))
            return 0;
        if ((m || *s != '0') && ++significant > 15)
            return 0;
        m = m * 10 + (uint64_t)(*s - '0');
        scale += in_fraction;
    }
    if (scale > 22)
        return 0;
    double v = (double)m / powers[scale];
    *out = neg ? -v : v;
    return 1;
}

/* The value of a text is_decimal accepted, or 0 when it has none (strtod stopped early). */
static int decimal_value(const char *s, double *out)
{
    if (fast_decimal(s, out))
        return 1;
    char *end = NULL;
    *out = strtod(s, &end);
    return end && *end == '\0';
}

/* A plain scalar whose whole text is its value (no embedded NUL cut it short). */
static int is_plain_text(const yd_node *node)
{
    return node && node->kind == YD_SCALAR && !node->quoted && strlen(node->str) == node->len;
}

int yd_number(const yd_node *node, const char *what, const char *file, double *out,
              sr_error *err)
{
    double v;
    if (is_plain_text(node) && is_decimal(node->str, 0) && decimal_value(node->str, &v) &&
        isfinite(v)) {
        *out = v == 0 ? 0.0 : v; /* no "-0" in outputs */
        return SR_OK;
    }
    char shown[300];
    describe(node, shown, sizeof shown);
    return sr_fail(err, SR_EINPUT, file, node_line(node), node_col(node),
                   "expected a number for '%s', got %s", what, shown);
}

int yd_integer(const yd_node *node, const char *what, long min, long max, const char *file,
               long *out, sr_error *err)
{
    if (is_plain_text(node) && is_decimal(node->str, 1)) {
        char *end = NULL;
        errno = 0;
        long v = strtol(node->str, &end, 10);
        if (errno == 0 && end && *end == '\0' && v >= min && v <= max) {
            *out = v;
            return SR_OK;
        }
    }
    char shown[300];
    describe(node, shown, sizeof shown);
    return sr_fail(err, SR_EINPUT, file, node_line(node), node_col(node),
                   "expected a whole number from %ld to %ld for '%s', got %s", min, max, what,
                   shown);
}

int yd_bool(const yd_node *node, const char *what, const char *file, int *out, sr_error *err)
{
    if (is_plain_text(node)) {
        if (strcmp(node->str, "true") == 0 || strcmp(node->str, "yes") == 0) {
            *out = 1;
            return SR_OK;
        }
        if (strcmp(node->str, "false") == 0 || strcmp(node->str, "no") == 0) {
            *out = 0;
            return SR_OK;
        }
    }
    char shown[300];
    describe(node, shown, sizeof shown);
    return sr_fail(err, SR_EINPUT, file, node_line(node), node_col(node),
                   "expected true or false for '%s', got %s", what, shown);
}

int yd_string(const yd_node *node, const char *what, const char *file, const char **out,
              sr_error *err)
{
    if (node && node->kind == YD_SCALAR) {
        *out = node->str;
        return SR_OK;
    }
    return sr_fail(err, SR_EINPUT, file, node_line(node), node_col(node),
                   "expected text for '%s'", what);
}

int yd_enum(const yd_node *node, const char *what, const char *const *words, size_t nwords,
            const char *file, size_t *index, sr_error *err)
{
    int rc = yd_expect(node, YD_SCALAR, what, file, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < nwords; i++) {
        if (strlen(words[i]) == node->len && memcmp(words[i], node->str, node->len) == 0) {
            *index = i;
            return SR_OK;
        }
    }
    char text[256], list[600];
    clip(node->str, node->len, text, sizeof text);
    join_words(words, nwords, list, sizeof list);
    return sr_fail(err, SR_EINPUT, file, node->line, node->col,
                   "unknown %s '%s' (expected one of: %s)", what, text, list);
}
