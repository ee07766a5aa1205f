/*
 * session.h — what one run of starrate shares between inputs (module prefix ss_): the rule
 * packs loaded so far, by folder, so a batch of councils loads each round once, and the
 * steps that turn an evidence file into validated evidence.
 */
#ifndef SR_SESSION_H
#define SR_SESSION_H

#include "common.h"
#include "evidence.h"
#include "pack.h"
#include "ydoc.h"

#include <limits.h>

#define SS_MAX_PACKS 16

typedef struct ss_session {
    /* name: what the pack was asked for by ("2003", or a folder), so that the next council
     * of the same round finds it without resolving the name on the file system again
     * (allocated: fixed buffers of PATH_MAX made the session 70 KB, which every start zeroed) */
    struct { char *dir; char *name; rp_pack *pack; } packs[SS_MAX_PACKS];
    int npacks;
} ss_session;

typedef struct ss_loaded {
    yd_node *doc;       /* owned when the evidence was read from a file */
    ev_evidence *ev;
    rp_pack *pack;      /* owned by the session */
} ss_loaded;

void ss_init(ss_session *s);
void ss_free(ss_session *s);

/* The pack for a folder or round name, loaded once per session. */
rp_pack *ss_pack(ss_session *s, const char *name, sr_error *err);

/* Reads, hashes, parses and validates one evidence file (path "-" is standard input) with the
 * pack named by `rules`, or the pack of the file's year when rules is NULL. When `node` is not
 * NULL it is the evidence (a part of a larger document) and `path` only names it. With
 * from_published, the published judgements become given ones (the audit of a published
 * rating from its judgements alone). */
int ss_load(ss_session *s, const char *path, const yd_node *node, const char *rules,
            int from_published, ss_loaded *out, sr_error *err);
void ss_unload(ss_loaded *l);

#endif
