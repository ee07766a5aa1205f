/*
 * bench.c — the batch, evaluation, memory and trace benchmarks of `make bench`.
 *
 *   bench BUILD COUNCILS PACK OUT.json   run everything, print the table, write the JSON
 *   bench --count OP N FILE PACK         run OP (parse | eval | eval-off) N times; the
 *                                        callgrind runs of the full mode use this
 *
 * Every figure is a ratio against a baseline measured in the same run, because absolute times
 * on a shared machine are noisy:
 *   batch       `starrate rate` over every council (a subprocess, output to /dev/null) against
 *               yaml_floor, which only reads the same files and pulls libyaml's events: once
 *               with --jobs 1 (one council after another, as `rate` always did) and once with
 *               the default number of workers (one per online processor); wall time and CPU
 *               time (the child's rusage, every thread), best of several interleaved runs, and
 *               the peak resident size;
 *   evaluation  rt_evaluate of one loaded council (the largest) in a loop, every rule run
 *               each time (memo off), against parsing that council once (yd_parse +
 *               ev_build), in time and, under callgrind, in instructions, which are
 *               repeatable;
 *   trace       the same evaluation with the trace on and off;
 *   stages      where the batch's time goes: each step of `rate --jobs 1` (trace off) timed
 *               in this process over every council, beside libyaml's events alone.
 */
#define _DEFAULT_SOURCE /* wait4 */
#include "hash.h"
#include "common.h"
#include "eval.h"
#include "evidence.h"
#include "json.h"
#include "output.h"
#include "pack.h"
#include "ydoc.h"

#include <fcntl.h>
#include <signal.h>
#include <glob.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

extern char **environ;

#define BATCH_RUNS 9          /* interleaved runs of each program; the best counts */
#define LOOP_SECONDS 0.15     /* one timed loop of the in-process benchmarks */
#define LOOP_REPEATS 5        /* timed loops; the best counts */
#define CALLGRIND_OPS 40      /* operations counted under callgrind */

/* Targets of issue 8. */
#define TARGET_BATCH_RATIO 1.5
#define TARGET_EVAL_RATIO 1.0
#define TARGET_PEAK_MIB 32.0
#define TARGET_TRACE_SHARE 0.005 /* "nothing measurable": under half a percent of an evaluation */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die_error(const sr_error *err)
{
    char line[2048];
    sr_error_format(err, line, sizeof line);
    fprintf(stderr, "bench: %s\n", line);
    exit(1);
}

/* ---- the operations measured --------------------------------------------------------- */

typedef struct council {
    rp_pack *pack;
    char *path;
    char *text;
    size_t len;
    ev_evidence *ev;
    rt_result r;
    yd_node *parsed_doc;      /* what bench_op_parse made, freed outside the count */
    ev_evidence *parsed_ev;
} council;

static void council_load(council *c, const char *path, const char *pack)
{
    sr_error err;
    sr_error_clear(&err);
    char dir[4096];
    memset(c, 0, sizeof *c);
    c->path = sr_strdup(path);
    rt_init(&c->r);
    /* Every rule runs in every evaluation measured here: the memo would answer a council
     * evaluated again unchanged without running any (see seek_bench for the memo's effect). */
    c->r.memo_off = 1;
    if (rp_resolve(pack, dir, sizeof dir, &err) != SR_OK ||
        rp_load(dir, NULL, &c->pack, &err) != SR_OK ||
        sr_read_file(path, yd_default_limits.max_bytes, &c->text, &c->len, &err) != SR_OK)
        die_error(&err);
    yd_node *doc = NULL;
    if (yd_parse(path, c->text, c->len, NULL, &doc, &err) != SR_OK ||
        ev_build(doc, path, c->pack, &c->ev, &err) != SR_OK)
        die_error(&err);
    yd_free(doc);
}

static void council_free(council *c)
{
    rt_free(&c->r);
    ev_free(c->ev);
    rp_free(c->pack);
    sr_free(c->text);
    sr_free(c->path);
}

/* The operations are separate, non-inlined functions so that callgrind can count each one
 * alone (--toggle-collect=bench_op_*). Parsing is yd_parse + ev_build of text already in
 * memory; freeing the tree and the evidence is left out, as reading the file is. */
__attribute__((noinline)) void bench_op_parse(council *c);
__attribute__((noinline)) void bench_op_eval(council *c);

void bench_op_parse(council *c)
{
    sr_error err;
    sr_error_clear(&err);
    if (yd_parse(c->path, c->text, c->len, NULL, &c->parsed_doc, &err) != SR_OK ||
        ev_build(c->parsed_doc, c->path, c->pack, &c->parsed_ev, &err) != SR_OK)
        die_error(&err);
}

void bench_op_eval(council *c)
{
    sr_error err;
    sr_error_clear(&err);
    if (rt_evaluate(c->pack, c->ev, &c->r, &err) != SR_OK)
        die_error(&err);
}

typedef enum { OP_PARSE, OP_EVAL, OP_EVAL_OFF, NOPS } op_kind;
static const char *const op_names[NOPS] = {"parse", "eval", "eval-off"};

static void run_op(council *c, op_kind op)
{
    if (op == OP_PARSE) {
        bench_op_parse(c);
        ev_free(c->parsed_ev);
        yd_free(c->parsed_doc);
        return;
    }
    c->r.trace_off = op == OP_EVAL_OFF;
    bench_op_eval(c);
}

/* Seconds per operation: the best of LOOP_REPEATS loops of about LOOP_SECONDS each. */
static double time_op(council *c, op_kind op)
{
    long n = 1;
    for (;;) { /* calibrate */
        double t0 = now_seconds();
        for (long i = 0; i < n; i++)
            run_op(c, op);
        if (now_seconds() - t0 >= LOOP_SECONDS / 4)
            break;
        n *= 2;
    }
    n *= 4;
    double best = 1e30;
    for (int k = 0; k < LOOP_REPEATS; k++) {
        double t0 = now_seconds();
        for (long i = 0; i < n; i++)
            run_op(c, op);
        double per = (now_seconds() - t0) / (double)n;
        best = per < best ? per : best;
    }
    return best;
}

/* --count mode, run under callgrind by the full mode, which counts only inside
 * bench_op_*. The first evaluation grows the trace arena and the result's scratch storage,
 * so one warm-up runs first, outside the counted functions. */
static void warm_up(council *c, op_kind op)
{
    sr_error err;
    sr_error_clear(&err);
    c->r.trace_off = op == OP_EVAL_OFF;
    if (op != OP_PARSE && rt_evaluate(c->pack, c->ev, &c->r, &err) != SR_OK)
        die_error(&err);
}

static int count_mode(int argc, char **argv)
{
    if (argc != 6)
        return 2;
    op_kind op = NOPS;
    for (int i = 0; i < NOPS; i++)
        if (strcmp(argv[2], op_names[i]) == 0)
            op = (op_kind)i;
    long n = atol(argv[3]);
    if (op == NOPS || n <= 0)
        return 2;
    council c;
    council_load(&c, argv[4], argv[5]);
    warm_up(&c, op);
    for (long i = 0; i < n; i++)
        run_op(&c, op);
    council_free(&c);
    return 0;
}

/* ---- subprocesses -------------------------------------------------------------------- */

typedef struct run_stats {
    double best_wall;   /* seconds */
    double best_cpu;    /* user + system seconds of the best-wall run */
    long peak_rss_kib;  /* the largest of all runs */
} run_stats;

/* Runs argv with standard output to /dev/null; returns its wall time and usage. */
static double run_child(char *const *argv, struct rusage *ru)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    double t0 = now_seconds();
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        fprintf(stderr, "bench: cannot run %s: %s\n", argv[0], strerror(rc));
        exit(1);
    }
    int status;
    if (wait4(pid, &status, 0, ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench: %s failed\n", argv[0]);
        exit(1);
    }
    return now_seconds() - t0;
}

static void note_run(run_stats *s, double wall, const struct rusage *ru)
{
    double cpu = (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 +
                 (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
    if (wall < s->best_wall)
        s->best_wall = wall, s->best_cpu = cpu;
    if (ru->ru_maxrss > s->peak_rss_kib)
        s->peak_rss_kib = ru->ru_maxrss;
}

/* argv for a program, up to three arguments (NULL ends them) and every council file. */
static char **with_files(const char *prog, const char *const *args, const glob_t *files)
{
    char **argv = sr_calloc(files->gl_pathc + 5, sizeof *argv);
    if (!argv) {
        fprintf(stderr, "bench: out of memory\n");
        exit(1);
    }
    size_t n = 0;
    argv[n++] = (char *)prog;
    for (int i = 0; args && args[i] && i < 3; i++)
        argv[n++] = (char *)args[i];
    for (size_t i = 0; i < files->gl_pathc; i++)
        argv[n++] = files->gl_pathv[i];
    argv[n] = NULL;
    return argv;
}

/* The three programs alternate, so a slow moment of the machine hits them alike. yaml_floor
 * is built beside this program (`self`). `rate` runs with the default number of workers
 * (STARRATE_JOBS is cleared so the default is the processors') and with --jobs 1. */
static void batch(const char *self, const char *build, const glob_t *files, run_stats *rate,
                  run_stats *rate1, run_stats *floor_)
{
    char starrate[4096], yaml_floor[4096];
    snprintf(starrate, sizeof starrate, "%s/starrate", build);
    const char *slash = strrchr(self, '/');
    snprintf(yaml_floor, sizeof yaml_floor, "%.*syaml_floor", slash ? (int)(slash - self + 1) : 0,
             self);
    unsetenv("STARRATE_JOBS");
    /* The rating alone: the fit behind plain rate's "Unsure" line is measured apart, by
     * uncert_bench (docs/performance.md). */
    setenv("STARRATE_UNSURE", "off", 1);
    static const char *const rate_args[] = {"rate", NULL};
    static const char *const rate1_args[] = {"rate", "--jobs", "1", NULL};
    char **rate_argv = with_files(starrate, rate_args, files);
    char **rate1_argv = with_files(starrate, rate1_args, files);
    char **floor_argv = with_files(yaml_floor, NULL, files);
    *rate = *rate1 = *floor_ = (run_stats){1e30, 0, 0};
    struct rusage ru;
    run_child(rate_argv, &ru); /* warm the page cache */
    run_child(floor_argv, &ru);
    for (int i = 0; i < BATCH_RUNS; i++) {
        double w = run_child(floor_argv, &ru);
        note_run(floor_, w, &ru);
        w = run_child(rate_argv, &ru);
        note_run(rate, w, &ru);
        w = run_child(rate1_argv, &ru);
        note_run(rate1, w, &ru);
    }
    sr_free(rate_argv);
    sr_free(rate1_argv);
    sr_free(floor_argv);
}

/* A busy machine: the same two batches while another program keeps one processor busy (a
 * child spinning until it is killed). The default number of workers should not lose to one. */
static void batch_busy(const char *build, const glob_t *files, run_stats *rate, run_stats *rate1)
{
    char starrate[4096];
    snprintf(starrate, sizeof starrate, "%s/starrate", build);
    static const char *const rate_args[] = {"rate", NULL};
    static const char *const rate1_args[] = {"rate", "--jobs", "1", NULL};
    char **rate_argv = with_files(starrate, rate_args, files);
    char **rate1_argv = with_files(starrate, rate1_args, files);
    *rate = *rate1 = (run_stats){1e30, 0, 0};
    pid_t spinner = fork();
    if (spinner == 0)
        for (volatile unsigned long i = 0;; i++)
            ;
    struct timespec settle = {0, 200000000}; /* let the spinner show in the run queue */
    nanosleep(&settle, NULL);
    struct rusage ru;
    for (int i = 0; spinner > 0 && i < BATCH_RUNS; i++) {
        note_run(rate, run_child(rate_argv, &ru), &ru);
        note_run(rate1, run_child(rate1_argv, &ru), &ru);
    }
    if (spinner > 0) {
        kill(spinner, SIGKILL);
        waitpid(spinner, NULL, 0);
    }
    sr_free(rate_argv);
    sr_free(rate1_argv);
}

/* ---- the batch by stages ------------------------------------------------------------- */

typedef enum {
    ST_READ, ST_HASH, ST_PARSE, ST_BUILD, ST_EVAL, ST_OUTPUT, ST_FREE, ST_EVENTS, NSTAGES
} stage;

static const char *const stage_keys[NSTAGES] = {
    "read", "sha256", "yd_parse", "ev_build", "rt_evaluate", "out_text", "free", "libyaml_events",
};

static const char *const stage_names[NSTAGES] = {
    "read the file", "sha-256 of the file", "yaml tree (yd_parse)", "evidence (ev_build)",
    "evaluation (rt_evaluate, trace off)", "text output (out_text)", "free tree and evidence",
    "libyaml events alone (the floor)",
};

/* Seconds of libyaml's event parse of buf, as yaml_floor does it. */
static double events_only(const char *buf, size_t len)
{
    double t0 = now_seconds();
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return 0;
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    for (int done = 0; !done;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev))
            break;
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    return now_seconds() - t0;
}

/* One pass of `rate`'s steps over every council, adding each step's seconds into sec. */
static void stage_pass(rp_pack *p, const glob_t *files, rt_result *r, double *sec)
{
    for (size_t i = 0; i < files->gl_pathc; i++) {
        const char *path = files->gl_pathv[i];
        sr_error err;
        sr_error_clear(&err);
        char *data = NULL, hex[65];
        size_t len = 0;
        yd_node *doc = NULL;
        ev_evidence *ev = NULL;
        sr_buf b;
        sr_buf_init(&b);
        double t[8];
        t[0] = now_seconds();
        int rc = sr_read_file(path, yd_default_limits.max_bytes, &data, &len, &err);
        t[1] = now_seconds();
        if (rc == SR_OK) rc = hs_sha256_hex(data, len, hex, &err);
        t[2] = now_seconds();
        if (rc == SR_OK) rc = yd_parse(path, data, len, NULL, &doc, &err);
        t[3] = now_seconds();
        if (rc == SR_OK) rc = ev_build(doc, path, p, &ev, &err);
        t[4] = now_seconds();
        if (rc == SR_OK) rc = rt_evaluate(p, ev, r, &err);
        t[5] = now_seconds();
        if (rc != SR_OK)
            die_error(&err);
        out_rating o = {p, ev, r};
        out_text(&b, &o);
        t[6] = now_seconds();
        sr_buf_free(&b);
        ev_free(ev);
        yd_free(doc);
        t[7] = now_seconds();
        for (int k = 0; k < ST_EVENTS; k++)
            sec[k] += t[k + 1] - t[k];
        sec[ST_EVENTS] += events_only(data, len);
        sr_free(data);
    }
}

/* Best of several passes, stage by stage. */
static void stages(const glob_t *files, const char *pack, double *best)
{
    sr_error err;
    sr_error_clear(&err);
    char dir[4096];
    rp_pack *p = NULL;
    if (rp_resolve(pack, dir, sizeof dir, &err) != SR_OK || rp_load(dir, NULL, &p, &err) != SR_OK)
        die_error(&err);
    rt_result r;
    rt_init(&r);
    r.trace_off = 1; /* as rate runs it, for every output but the JSON trace */
    for (int k = 0; k < NSTAGES; k++)
        best[k] = 1e30;
    for (int pass = 0; pass < LOOP_REPEATS; pass++) {
        double sec[NSTAGES] = {0};
        stage_pass(p, files, &r, sec);
        for (int k = 0; k < NSTAGES; k++)
            best[k] = sec[k] < best[k] ? sec[k] : best[k];
    }
    rt_free(&r);
    rp_free(p);
}

/* ---- callgrind ----------------------------------------------------------------------- */

static int have_valgrind(void)
{
    return system("valgrind --version >/dev/null 2>&1") == 0;
}

static double trace_instructions(const char *path);

/* Instructions per operation, and those of them in trace.c; -1 when valgrind is not there or
 * fails. The profile is kept as DIR/callgrind.OP.out for callgrind_annotate. */
static double instructions(const char *self, op_kind op, const char *file, const char *pack,
                           const char *dir, double *in_trace)
{
    char out[4200], fn[64], count[32];
    snprintf(out, sizeof out, "%s/callgrind.%s.out", dir, op_names[op]);
    snprintf(fn, sizeof fn, "--toggle-collect=%s", op == OP_PARSE ? "bench_op_parse" : "bench_op_eval");
    snprintf(count, sizeof count, "%d", CALLGRIND_OPS);
    char outarg[4300];
    snprintf(outarg, sizeof outarg, "--callgrind-out-file=%s", out);
    char *argv[] = {"/usr/bin/env", "valgrind", "--tool=callgrind", "--quiet", outarg, fn,
                    (char *)self, "--count", (char *)op_names[op], count, (char *)file,
                    (char *)pack, NULL};
    struct rusage ru;
    run_child(argv, &ru);
    FILE *f = fopen(out, "r");
    if (!f)
        return -1;
    char line[512];
    double total = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "totals:", 7) == 0 || (total < 0 && strncmp(line, "summary:", 8) == 0))
            total = strtod(line + (line[0] == 't' ? 7 : 8), NULL);
    fclose(f);
    double traced = trace_instructions(out);
    *in_trace = traced < 0 ? -1 : (double)(long long)(traced / CALLGRIND_OPS + 0.5);
    return total < 0 ? -1 : (double)(long long)(total / CALLGRIND_OPS + 0.5);
}

/* Instructions executed in the lines of evaluator/core/trace.c (functions inlined elsewhere
 * included), from a callgrind output file: what the trace machinery itself costs. The format
 * names each file once as "(id) name" (in fl=, fi=, fe=, cfi= or cfl=) and by "(id)" after
 * that; a cost line is "LINE COST"; the line after calls= is a callee's inclusive cost, which
 * belongs to the callee and is skipped. Returns -1 when the file cannot be read. */
#define MAX_FILE_IDS 65536

static int file_id(const char *spec, const char **name)
{
    *name = NULL;
    if (spec[0] != '(')
        return -1;
    char *end;
    long id = strtol(spec + 1, &end, 10);
    if (*end != ')' || id < 0 || id >= MAX_FILE_IDS)
        return -1;
    if (end[1] == ' ')
        *name = end + 2;
    return (int)id;
}

/* Reads a file reference; returns whether it is trace.c (names are remembered by id). */
static int is_trace_file(const char *spec, unsigned char *known)
{
    const char *name;
    int id = file_id(spec, &name);
    if (id < 0)
        return 0;
    if (name) {
        size_t n = strcspn(name, "\n");
        known[id] = n >= 7 && strncmp(name + n - 7, "trace.c", 7) == 0 &&
                    (n == 7 || name[n - 8] == '/');
    }
    return known[id];
}

static double trace_instructions(const char *path)
{
    FILE *f = fopen(path, "r");
    unsigned char *known = sr_calloc(MAX_FILE_IDS, 1);
    if (!f || !known) {
        if (f)
            fclose(f);
        sr_free(known);
        return -1;
    }
    char line[4096];
    int in_fl = 0, in_trace = 0, skip_next = 0;
    double total = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "fl=", 3) == 0)
            in_fl = in_trace = is_trace_file(line + 3, known);
        else if (strncmp(line, "fi=", 3) == 0 || strncmp(line, "fe=", 3) == 0)
            in_trace = is_trace_file(line + 3, known);
        else if (strncmp(line, "cfi=", 4) == 0 || strncmp(line, "cfl=", 4) == 0)
            is_trace_file(line + 4, known);
        else if (strncmp(line, "fn=", 3) == 0)
            in_trace = in_fl;
        else if (strncmp(line, "calls=", 6) == 0)
            skip_next = 1;
        else if (line[0] == '+' || line[0] == '-' || line[0] == '*' || (line[0] >= '0' && line[0] <= '9')) {
            const char *cost = strchr(line, ' ');
            if (!skip_next && in_trace && cost)
                total += strtod(cost, NULL);
            skip_next = 0;
        }
    }
    fclose(f);
    sr_free(known);
    return total;
}

/* ---- report -------------------------------------------------------------------------- */

typedef struct results {
    const char *pack;
    size_t councils;
    const char *largest;
    size_t largest_bytes;
    run_stats rate;      /* `rate` with the default number of workers */
    run_stats rate1;     /* `rate --jobs 1` */
    run_stats floor_;
    run_stats busy, busy1; /* the default and --jobs 1 beside a program using one processor */
    long jobs;           /* the default: online processors */
    double t[NOPS];      /* seconds per operation */
    double ir[NOPS];     /* instructions per operation, -1 unknown */
    double ir_trace[NOPS]; /* of those, in trace.c */
    int same_on_off;     /* trace off gave the same results */
    double stage[NSTAGES]; /* seconds for every council, best pass */
    double peer_us;      /* json-rules-engine's star table, one run (peer.json); -1 not run */
} results;

static const char *verdict(int met) { return met ? "met" : "NOT MET"; }

static double ratio(double a, double b) { return a >= 0 && b > 0 ? a / b : -1; }

/* One row: what, measured, baseline, their ratio, and the target when there is one. A
 * negative ratio is left blank; `percent` shows it as a share. */
static void row_as(const char *what, const char *measured, const char *baseline, double r,
                   int percent, const char *target, int met)
{
    char rs[32] = "";
    if (r >= 0)
        snprintf(rs, sizeof rs, percent ? "%.2f%%" : "%.2fx", percent ? 100 * r : r);
    printf("%-38s %15s %15s %8s  %-9s %s\n", what, measured, baseline, rs, target ? target : "",
           target ? verdict(met) : "");
}

static void row(const char *what, const char *measured, const char *baseline, double r,
                const char *target, int met)
{
    row_as(what, measured, baseline, r, 0, target, met);
}

static const char *fmt(char *buf, size_t len, const char *f, double v)
{
    if (v < 0)
        snprintf(buf, len, "n/a");
    else
        snprintf(buf, len, f, v);
    return buf;
}

static double mib(long kib) { return (double)kib / 1024.0; }

/* The batch rows of one way of running `rate` against the libyaml floor. */
static void batch_rows(const char *label, const run_stats *r, const run_stats *floor_)
{
    char what[64], a[32], b[32];
    double wall_r = ratio(r->best_wall, floor_->best_wall);
    snprintf(what, sizeof what, "batch %s: vs libyaml (wall)", label);
    row(what, fmt(a, sizeof a, "%.1f ms", r->best_wall * 1e3),
        fmt(b, sizeof b, "%.1f ms", floor_->best_wall * 1e3), wall_r, "<= 1.5x",
        wall_r <= TARGET_BATCH_RATIO);
    snprintf(what, sizeof what, "batch %s: vs libyaml (cpu)", label);
    row(what, fmt(a, sizeof a, "%.1f ms", r->best_cpu * 1e3),
        fmt(b, sizeof b, "%.1f ms", floor_->best_cpu * 1e3), ratio(r->best_cpu, floor_->best_cpu),
        NULL, 0);
    snprintf(what, sizeof what, "batch %s: peak resident size", label);
    row(what, fmt(a, sizeof a, "%.1f MiB", mib(r->peak_rss_kib)),
        fmt(b, sizeof b, "%.1f MiB", mib(floor_->peak_rss_kib)), -1, "< 32 MiB",
        mib(r->peak_rss_kib) < TARGET_PEAK_MIB);
}

static void print_table(const results *R)
{
    char a[32], b[32], what[64];
    double eval_t = ratio(R->t[OP_EVAL], R->t[OP_PARSE]);
    double eval_i = ratio(R->ir[OP_EVAL], R->ir[OP_PARSE]);
    double share = ratio(R->ir_trace[OP_EVAL_OFF], R->ir[OP_EVAL_OFF]);
    printf("\nstarrate benchmarks: %zu synthetic councils; evaluation of %s (%zu bytes)\n\n",
           R->councils, R->largest, R->largest_bytes);
    printf("batch: `starrate rate` with --jobs 1 (one council after another) and with the\n"
           "default (up to %ld workers: the processors free at the start), each against the libyaml\n"
           "floor; cpu is the child's user + system time over all its threads\n\n", R->jobs);
    printf("%-38s %15s %15s %8s  %-9s %s\n", "benchmark", "measured", "baseline", "ratio",
           "target", "");
    batch_rows("-j1", &R->rate1, &R->floor_);
    batch_rows("default", &R->rate, &R->floor_);
    double speedup = ratio(R->rate.best_wall, R->rate1.best_wall);
    snprintf(what, sizeof what, "batch default vs -j1 (wall)");
    row(what, fmt(a, sizeof a, "%.1f ms", R->rate.best_wall * 1e3),
        fmt(b, sizeof b, "%.1f ms", R->rate1.best_wall * 1e3), speedup, R->jobs > 1 ? "< 1x" : NULL,
        speedup >= 0 && speedup < 1);
    snprintf(what, sizeof what, "batch default vs -j1 (cpu)");
    row(what, fmt(a, sizeof a, "%.1f ms", R->rate.best_cpu * 1e3),
        fmt(b, sizeof b, "%.1f ms", R->rate1.best_cpu * 1e3),
        ratio(R->rate.best_cpu, R->rate1.best_cpu), NULL, 0);
    double busy = ratio(R->busy.best_wall, R->busy1.best_wall);
    row("busy machine: default vs -j1 (wall)", fmt(a, sizeof a, "%.1f ms", R->busy.best_wall * 1e3),
        fmt(b, sizeof b, "%.1f ms", R->busy1.best_wall * 1e3), busy, "<= 1.05x",
        busy >= 0 && busy <= 1.05); /* not losing: the same within the noise of best-of-9 runs */
    row("evaluation vs parse once (time)", fmt(a, sizeof a, "%.1f us", R->t[OP_EVAL] * 1e6),
        fmt(b, sizeof b, "%.1f us", R->t[OP_PARSE] * 1e6), eval_t, "< 1x", eval_t < TARGET_EVAL_RATIO);
    row("evaluation vs parse once (instr)", fmt(a, sizeof a, "%.0f", R->ir[OP_EVAL]),
        fmt(b, sizeof b, "%.0f", R->ir[OP_PARSE]), eval_i, "< 1x",
        eval_i >= 0 && eval_i < TARGET_EVAL_RATIO);
    row("evaluation, trace off, vs parse (instr)", fmt(a, sizeof a, "%.0f", R->ir[OP_EVAL_OFF]),
        fmt(b, sizeof b, "%.0f", R->ir[OP_PARSE]), ratio(R->ir[OP_EVAL_OFF], R->ir[OP_PARSE]),
        NULL, 0);
    row("trace off vs on (time)", fmt(a, sizeof a, "%.1f us", R->t[OP_EVAL_OFF] * 1e6),
        fmt(b, sizeof b, "%.1f us", R->t[OP_EVAL] * 1e6), ratio(R->t[OP_EVAL_OFF], R->t[OP_EVAL]),
        NULL, 0);
    row("trace off vs on (instr)", fmt(a, sizeof a, "%.0f", R->ir[OP_EVAL_OFF]),
        fmt(b, sizeof b, "%.0f", R->ir[OP_EVAL]), ratio(R->ir[OP_EVAL_OFF], R->ir[OP_EVAL]), NULL, 0);
    row_as("trace off: instr in trace.c / eval", fmt(a, sizeof a, "%.0f", R->ir_trace[OP_EVAL_OFF]),
           fmt(b, sizeof b, "%.0f", R->ir[OP_EVAL_OFF]), share, 1, "< 0.5%",
           share >= 0 && share < TARGET_TRACE_SHARE);
    row("trace off: same results as on", R->same_on_off ? "yes" : "NO", "", -1, "same",
        R->same_on_off);
    double vs_peer = ratio(R->t[OP_EVAL_OFF] * 1e6, R->peer_us);
    if (R->peer_us > 0)
        row("evaluation, trace off, vs json-rules-engine", fmt(a, sizeof a, "%.1f us", R->t[OP_EVAL_OFF] * 1e6),
            fmt(b, sizeof b, "%.1f us", R->peer_us), vs_peer, "< 1x", vs_peer >= 0 && vs_peer < 1);
    else
        printf("\n(json-rules-engine not run: node or npm missing; no peer comparison)\n");
    if (R->ir[OP_EVAL] < 0)
        printf("\n(valgrind not found: instruction counts left out)\n");
}

static void print_stages(const results *R)
{
    double total = 0;
    for (int k = 0; k < ST_EVENTS; k++)
        total += R->stage[k];
    printf("\nwhere the batch goes: each step of rate in this process, %zu councils, best of %d\n\n",
           R->councils, LOOP_REPEATS);
    printf("%-38s %15s %15s %8s\n", "stage", "time", "share", "x floor");
    for (int k = 0; k < NSTAGES; k++) {
        char a[32], b[32] = "";
        if (k < ST_EVENTS)
            snprintf(b, sizeof b, "%.1f%%", 100 * R->stage[k] / total);
        printf("%-38s %15s %15s %7.2fx\n", stage_names[k],
               fmt(a, sizeof a, "%.2f ms", R->stage[k] * 1e3), b,
               R->stage[k] / R->stage[ST_EVENTS]);
        if (k == ST_EVENTS - 1) {
            printf("%-38s %15s %15s %7.2fx\n", "all steps of rate",
                   fmt(a, sizeof a, "%.2f ms", total * 1e3), "100%", total / R->stage[ST_EVENTS]);
        }
    }
}

static void json_number(FILE *f, const char *key, double v, int last)
{
    if (v < 0)
        fprintf(f, "    \"%s\": null%s\n", key, last ? "" : ",");
    else
        fprintf(f, "    \"%s\": %.10g%s\n", key, v, last ? "" : ",");
}

/* The members of one batch object: `rate` against the floor. */
static void batch_json(FILE *f, const run_stats *r, const run_stats *floor_)
{
    json_number(f, "rate_ms", r->best_wall * 1e3, 0);
    json_number(f, "floor_ms", floor_->best_wall * 1e3, 0);
    json_number(f, "ratio", ratio(r->best_wall, floor_->best_wall), 0);
    json_number(f, "rate_cpu_ms", r->best_cpu * 1e3, 0);
    json_number(f, "floor_cpu_ms", floor_->best_cpu * 1e3, 0);
    json_number(f, "cpu_ratio", ratio(r->best_cpu, floor_->best_cpu), 0);
    json_number(f, "peak_rss_mib", mib(r->peak_rss_kib), 0);
    json_number(f, "floor_peak_rss_mib", mib(floor_->peak_rss_kib), 1);
}

static void machine(char *out, size_t outlen)
{
    struct utsname u;
    char model[256] = "unknown cpu";
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "model name", 10) == 0 && strchr(line, ':')) {
            snprintf(model, sizeof model, "%s", strchr(line, ':') + 2);
            model[strcspn(model, "\n")] = '\0';
            break;
        }
    if (f)
        fclose(f);
    uname(&u);
    snprintf(out, outlen, "%s %s %s, %s, %ld cpus", u.sysname, u.release, u.machine, model,
             sysconf(_SC_NPROCESSORS_ONLN));
}

/* The commit measured, when this is a git work tree ("unknown" otherwise). */
static void commit(char *out, size_t outlen)
{
    snprintf(out, outlen, "unknown");
    FILE *p = popen("git rev-parse --short HEAD 2>/dev/null", "r");
    if (!p)
        return;
    char line[64];
    if (fgets(line, sizeof line, p) && line[0] != '\n') {
        line[strcspn(line, "\n")] = '\0';
        snprintf(out, outlen, "%s", line);
    }
    pclose(p);
}

static int write_json(const char *path, const results *R)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 1;
    }
    char m[512], c[64];
    machine(m, sizeof m);
    commit(c, sizeof c);
    fprintf(f, "{\n  \"machine\": \"%s\",\n  \"commit\": \"%s\",\n", m, c);
    fprintf(f, "  \"pack\": \"%s\",\n  \"councils\": %zu,\n", R->pack, R->councils);
    /* "batch" keeps its meaning from before `rate` had workers: one council after another
     * (--jobs 1). "batch_default_jobs" is `rate` as it runs by default, `jobs` workers. */
    fprintf(f, "  \"batch\": {\n    \"jobs\": 1,\n");
    batch_json(f, &R->rate1, &R->floor_);
    fprintf(f, "  },\n  \"batch_default_jobs\": {\n    \"jobs\": %ld,\n", R->jobs);
    json_number(f, "vs_jobs_1_wall", ratio(R->rate.best_wall, R->rate1.best_wall), 0);
    json_number(f, "vs_jobs_1_cpu", ratio(R->rate.best_cpu, R->rate1.best_cpu), 0);
    batch_json(f, &R->rate, &R->floor_);
    fprintf(f, "  },\n  \"evaluation\": {\n    \"council_bytes\": %zu,\n", R->largest_bytes);
    json_number(f, "parse_us", R->t[OP_PARSE] * 1e6, 0);
    json_number(f, "eval_us", R->t[OP_EVAL] * 1e6, 0);
    json_number(f, "eval_trace_off_us", R->t[OP_EVAL_OFF] * 1e6, 0);
    json_number(f, "peer_star_table_us", R->peer_us, 0);
    json_number(f, "ratio", ratio(R->t[OP_EVAL], R->t[OP_PARSE]), 0);
    json_number(f, "parse_instructions", R->ir[OP_PARSE], 0);
    json_number(f, "eval_instructions", R->ir[OP_EVAL], 0);
    json_number(f, "eval_trace_off_instructions", R->ir[OP_EVAL_OFF], 0);
    json_number(f, "instruction_ratio", ratio(R->ir[OP_EVAL], R->ir[OP_PARSE]), 0);
    json_number(f, "trace_off_instruction_ratio", ratio(R->ir[OP_EVAL_OFF], R->ir[OP_PARSE]), 1);
    fprintf(f, "  },\n  \"trace\": {\n");
    json_number(f, "off_vs_on_time", ratio(R->t[OP_EVAL_OFF], R->t[OP_EVAL]), 0);
    json_number(f, "off_vs_on_instructions", ratio(R->ir[OP_EVAL_OFF], R->ir[OP_EVAL]), 0);
    json_number(f, "off_trace_c_instructions", R->ir_trace[OP_EVAL_OFF], 0);
    json_number(f, "off_trace_c_share", ratio(R->ir_trace[OP_EVAL_OFF], R->ir[OP_EVAL_OFF]), 0);
    json_number(f, "on_trace_c_instructions", R->ir_trace[OP_EVAL], 0);
    fprintf(f, "    \"same_results\": %s\n  },\n  \"stages_ms\": {\n", R->same_on_off ? "true" : "false");
    for (int k = 0; k < NSTAGES; k++)
        fprintf(f, "    \"%s\": %.6g%s\n", stage_keys[k], R->stage[k] * 1e3, k + 1 < NSTAGES ? "," : "");
    fprintf(f, "  }\n}\n");
    return fclose(f) != 0;
}

/* ---- trace on and off agree ---------------------------------------------------------- */

static int same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int same_service(const rt_service *a, const rt_service *b)
{
    if (!same_text(a->serving_needs, b->serving_needs) ||
        !same_text(a->capacity_needs, b->capacity_needs))
        return 0;
    if (memcmp(a->grade, b->grade, sizeof a->grade) || a->serving != b->serving ||
        a->capacity != b->capacity || a->serving_uncapped != b->serving_uncapped ||
        a->capacity_uncapped != b->capacity_uncapped || a->ncaps_fired != b->ncaps_fired ||
        memcmp(a->caps_fired, b->caps_fired, sizeof a->caps_fired))
        return 0;
    return 1;
}

static int trace_agrees(council *c)
{
    rt_result on;
    rt_init(&on);
    sr_error err;
    sr_error_clear(&err);
    if (rt_evaluate(c->pack, c->ev, &on, &err) != SR_OK)
        die_error(&err);
    run_op(c, OP_EVAL_OFF);
    int same = on.stars == c->r.stars && on.rule == c->r.rule && on.possible == c->r.possible;
    for (size_t s = 0; same && s < on.nservices; s++)
        same = same_service(&on.svc[s], &c->r.svc[s]);
    rt_free(&on);
    return same;
}

/* ---- main ---------------------------------------------------------------------------- */

static size_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (size_t)st.st_size : 0;
}

/* The peer's time per run: json-rules-engine 7 deciding the star table alone (its four
 * judgements in, the stars out), written by tests/bench/peer/stars.js earlier in the same
 * `make bench` as OUTDIR/peer.json; -1 when it was not run. */
static double peer_us(const char *outdir)
{
    char path[4200], text[4096];
    snprintf(path, sizeof path, "%s/peer.json", outdir);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    const char *k = strstr(text, "\"us_per_run\":");
    return k ? strtod(k + strlen("\"us_per_run\":"), NULL) : -1;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--count") == 0)
        return count_mode(argc, argv);
    if (argc != 5) {
        fprintf(stderr, "usage: bench BUILD COUNCILS PACK OUT.json\n"
                        "       bench --count parse|eval|eval-off N FILE PACK\n");
        return 2;
    }
    const char *build = argv[1], *pack = argv[3];
    char pattern[4096];
    snprintf(pattern, sizeof pattern, "%s/*.yaml", argv[2]);
    glob_t files;
    if (glob(pattern, 0, NULL, &files) != 0 || files.gl_pathc == 0) {
        fprintf(stderr, "bench: no councils in %s\n", argv[2]);
        return 1;
    }
    results R;
    memset(&R, 0, sizeof R);
    R.councils = files.gl_pathc;
    R.pack = pack;
    R.jobs = sysconf(_SC_NPROCESSORS_ONLN) > 0 ? sysconf(_SC_NPROCESSORS_ONLN) : 1;
    for (size_t i = 0; i < files.gl_pathc; i++)
        if (file_size(files.gl_pathv[i]) > R.largest_bytes)
            R.largest = files.gl_pathv[i], R.largest_bytes = file_size(files.gl_pathv[i]);

    fprintf(stderr, "bench: batch of %zu councils, %d runs each...\n", R.councils, BATCH_RUNS);
    batch(argv[0], build, &files, &R.rate, &R.rate1, &R.floor_);

    fprintf(stderr, "bench: the batch beside a busy processor...\n");
    batch_busy(build, &files, &R.busy, &R.busy1);

    fprintf(stderr, "bench: the batch by stages...\n");
    stages(&files, pack, R.stage);

    fprintf(stderr, "bench: evaluation of %s...\n", R.largest);
    council c;
    council_load(&c, R.largest, pack);
    for (int op = 0; op < NOPS; op++)
        R.t[op] = time_op(&c, (op_kind)op);
    R.same_on_off = trace_agrees(&c);
    council_free(&c);

    char outdir[4000];
    const char *slash = strrchr(argv[4], '/');
    snprintf(outdir, sizeof outdir, "%.*s", slash ? (int)(slash - argv[4]) : 1, slash ? argv[4] : ".");
    int vg = have_valgrind();
    if (vg)
        fprintf(stderr, "bench: counting instructions with callgrind...\n");
    for (int op = 0; op < NOPS; op++)
        R.ir[op] = vg ? instructions(argv[0], (op_kind)op, R.largest, pack, outdir, &R.ir_trace[op]) : -1;

    R.peer_us = peer_us(outdir);
    print_table(&R);
    print_stages(&R);
    int rc = write_json(argv[4], &R);
    printf("\nresults written to %s\n", argv[4]);
    globfree(&files);
    return rc;
}
