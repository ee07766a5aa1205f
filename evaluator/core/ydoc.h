/*
 * ydoc.h — strict YAML reading (module prefix yd_, "YAML document").
 *
 * Built on libyaml's event API. A file becomes a small tree of maps, sequences and scalars,
 * each node carrying its 1-based line and column. The reader is deliberately strict: the
 * inputs are evidence an auditor relies on, so anything ambiguous is an error with a position
 * instead of a guess: duplicate keys, anchors and aliases, tags, non-scalar keys, more than one
 * document, nesting deeper than a limit, too many nodes, over-long scalars, files over a size
 * limit. Schema checks (unknown keys, enum words, numbers) are helpers over the tree, so each
 * format (evidence, scenario, pack tests) states its own schema in one place.
 */
#ifndef SR_YAML_H
#define SR_YAML_H

#include "common.h"

#include <stddef.h>

typedef enum { YD_SCALAR, YD_MAP, YD_SEQ } yd_kind;

typedef struct yd_node yd_node;

typedef struct yd_pair {
    yd_node *key;  /* always a scalar */
    yd_node *value;
} yd_pair;

struct yd_node {
    yd_kind kind;
    int line, col;  /* 1-based position of the node's first character */
    /* YD_SCALAR */
    char *str;      /* NUL-terminated */
    size_t len;
    int quoted;     /* written with quotes or as a block scalar: always a string */
    /* YD_MAP: pairs[0..n) ; YD_SEQ: items[0..n) */
    size_t n;
    yd_pair *pairs;
    yd_node **items;
};

typedef struct yd_limits {
    size_t max_bytes;   /* whole file */
    int max_depth;      /* nesting of maps and sequences */
    size_t max_nodes;   /* all nodes in the document */
    size_t max_scalar;  /* bytes in one scalar */
} yd_limits;

/* The defaults documented in docs/limits.md. */
extern const yd_limits yd_default_limits;

/* Parses buf (len bytes, need not be NUL-terminated). `name` is used in error positions.
 * An empty document is an error. On error *out is NULL and nothing is leaked.
 * lim NULL means yd_default_limits. Returns SR_EINPUT for anything the reader refuses
 * (libyaml's syntax and UTF-8 errors keep libyaml's wording), SR_ELIMIT when a limit is
 * exceeded, SR_ENOMEM when an allocation fails.
 */
int yd_parse(const char *name, const char *buf, size_t len, const yd_limits *lim, yd_node **out,
             sr_error *err);
/* Reads and parses a file; "-" reads standard input (named "<stdin>" in errors). */
int yd_load_file(const char *path, const yd_limits *lim, yd_node **out, sr_error *err);
/* Frees a whole tree at once. Only a root that yd_parse or yd_load_file gave may be passed:
 * the nodes and their texts live in blocks owned by the document, not one allocation each,
 * so a subtree cannot be freed on its own (and needs no freeing). NULL is a no-op. */
void yd_free(yd_node *node);

/* ---- schema helpers: each reports errors at the offending node's position ------------ */

/* Value for key in a map, or NULL. */
const yd_node *yd_get(const yd_node *map, const char *key);
/* Kind checks: "expected a mapping for 'what'" etc. */
int yd_expect(const yd_node *node, yd_kind kind, const char *what, const char *file,
              sr_error *err);
/* Every key of map must be in allowed (NULL-terminated); otherwise
 * "unknown key 'x' in <what> (expected one of: a, b, c)" at the key's position. */
int yd_check_keys(const yd_node *map, const char *const *allowed, const char *what,
                  const char *file, sr_error *err);
/* A required key: "missing key 'x' in <what>" at the map's position when absent. */
int yd_require(const yd_node *map, const char *key, const char *what, const char *file,
               const yd_node **out, sr_error *err);
/* Plain (unquoted) scalar that is a finite decimal number: "expected a number for 'what', got 'x'". */
int yd_number(const yd_node *node, const char *what, const char *file, double *out,
              sr_error *err);
/* Plain scalar that is an integer within [min, max]. */
int yd_integer(const yd_node *node, const char *what, long min, long max, const char *file,
               long *out, sr_error *err);
/* Plain true/false (also yes/no): anything else is an error. */
int yd_bool(const yd_node *node, const char *what, const char *file, int *out, sr_error *err);
/* Any scalar, as text (quoted or not). */
int yd_string(const yd_node *node, const char *what, const char *file, const char **out,
              sr_error *err);
/* Scalar that is one of words[0..nwords): "unknown <what> 'x' (expected one of: a, b)". */
int yd_enum(const yd_node *node, const char *what, const char *const *words, size_t nwords,
            const char *file, size_t *index, sr_error *err);

#endif
