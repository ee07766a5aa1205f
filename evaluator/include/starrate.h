/*
 * starrate.h — the public C API of the starrate engine (libstarrate.a).
 *
 * Every name it exports starts with starrate_ (STARRATE_ for macros) and it includes no
 * header of the engine's own, so a program that includes it sees nothing else. Five steps:
 *
 *   starrate_pack *pack;          starrate_pack_load("rules/2003", &pack, &err);
 *   starrate_evidence *ev;        starrate_evidence_read(pack, "council.yaml", &ev, &err);
 *   starrate_result *r;           starrate_evaluate(pack, ev, &r, &err);
 *   starrate_stars(r), starrate_judgement(r, ...), starrate_trace_step(r, i, &step)   -- read
 *   starrate_result_free(r); starrate_evidence_free(ev); starrate_pack_free(pack);
 *
 * Each function that can fail returns 0 or a nonzero code, and fills a starrate_error with
 * the message and the file, line and column it is about. A result refers to its pack and its
 * evidence: free it first. See examples/rate.c.
 */
#ifndef STARRATE_H
#define STARRATE_H

#include <stddef.h>

#define STARRATE_VERSION "0.1.0"

typedef struct starrate_pack starrate_pack;
typedef struct starrate_evidence starrate_evidence;
typedef struct starrate_result starrate_result;

typedef struct starrate_error {
    int code;           /* 0 when clear */
    char file[512];     /* the file it is about, "" when none */
    int line, col;      /* 1-based; 0 when unknown */
    char message[1024];
} starrate_error;

/* A rule pack: a folder (rules/2003) or a round ("2003", found under STARRATE_RULES or the
 * rules beside the program). */
int starrate_pack_load(const char *folder_or_round, starrate_pack **out, starrate_error *err);
void starrate_pack_free(starrate_pack *pack);
const char *starrate_pack_name(const starrate_pack *pack);
const char *starrate_pack_version(const starrate_pack *pack);

/* A council's evidence file (YAML, docs/evidence-format.md), validated against the pack. */
int starrate_evidence_read(starrate_pack *pack, const char *path, starrate_evidence **out,
                           starrate_error *err);
void starrate_evidence_free(starrate_evidence *ev);

/* Derives the judgements and the stars, with the whole trace. */
int starrate_evaluate(starrate_pack *pack, const starrate_evidence *ev, starrate_result **out,
                      starrate_error *err);
void starrate_result_free(starrate_result *r);

/* The rating: stars (-1 when the evidence leaves them open) and the star rule (NULL then). */
int starrate_stars(const starrate_result *r);
const char *starrate_rule(const starrate_result *r);

/* The pack's services (their ids, as the pack declares them) and each one's judgements as
 * words of the pack's scales ("most", "promising"), NULL for insufficient evidence. */
size_t starrate_services(const starrate_result *r);
const char *starrate_service(const starrate_result *r, size_t service);
const char *starrate_judgement(const starrate_result *r, size_t service, int capacity);

/* One step of the trace, in the words of the JSON trace (docs/trace-format.md). Strings are
 * NULL where the JSON has null, and live as long as the result. */
typedef struct starrate_step {
    const char *kind;     /* "band", "grade", "cap", "judgement", "star", "finding" */
    const char *subject;  /* "SERVICE.serving", "SERVICE.standard.3", "stars"... */
    const char *rule, *file;
    int line;
    const char *provenance; /* "source", "reconstructed" */
    const char *source;     /* "given", "derived", ... */
    const char *output, *text;
} starrate_step;

size_t starrate_trace_size(const starrate_result *r);
/* 0, or nonzero when i is not a step. */
int starrate_trace_step(const starrate_result *r, size_t i, starrate_step *out);

#endif
