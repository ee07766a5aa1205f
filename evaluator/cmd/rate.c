/*
 * rate.c — `starrate rate`: many councils at once, in any of four formats, with a summary.
 *
 * Councils are rated in windows of RATE_WINDOW files and each council's output is written as
 * soon as it and every council before it are done, so memory does not grow with the number
 * of councils: a list of any length (--files-from) streams through. Standard output gets the
 * output as it comes; -o FILE gets it through a temporary file that replaces FILE only at the
 * end, so a failure never leaves half a file behind.
 */
#include "cmd.h"
#include "eval.h"
#include "jobs.h"
#include "json.h"
#include "output.h"
#include "uncert.h"

#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef enum { FMT_TEXT, FMT_JSON, FMT_CSV, FMT_TABLE } rate_format;

typedef struct rate_opts {
    int format;           /* rate_format */
    const char *rules, *output, *jobs, *files_from, *seed, *variants;
    int trace, from_published, summary, uncertainty;
} rate_opts;

/* Files rated per batch of the worker threads: bounds the bookkeeping (and the list read
 * ahead) whatever the number of councils. */
#define RATE_WINDOW 512
/* A line of a --files-from list. */
#define RATE_MAX_PATH 4096

static const char *const rate_formats[] = {"text", "json", "csv", "table", NULL};

#define OPT(field) offsetof(rate_opts, field)
const po_option rate_options[] = {
    {PO_CHOICE, 0, "format", OPT(format), "text|json|csv|table", "output format (default text)", 0, 0, rate_formats, NULL},
    {PO_STRING, 0, "rules", OPT(rules), "PACK", "rule pack folder or round (default: the pack for the file's year)", 0, 0, NULL, NULL},
    {PO_FLAG, 0, "trace", OPT(trace), NULL, "with --format json: include the full derivation trace", 0, 0, NULL, NULL},
    {PO_FLAG, 0, "from-published", OPT(from_published), NULL,
     "use the published judgements in the file as given (audit a\n"
     "published rating from its judgements alone)", 0, 0, NULL, NULL},
    {PO_FLAG, 0, "summary", OPT(summary), NULL,
     "after the ratings, how many councils reached each star rating and\n"
     "each judgement (always with --format table; with csv or json it\n"
     "goes to standard error so the data stays machine-readable)", 0, 0, NULL, NULL},
    {PO_STRING, 'o', "output", OPT(output), "FILE", "write the output to FILE atomically instead of standard output", 0, 0, NULL, NULL},
    {PO_FLAG, 0, "uncertainty", OPT(uncertainty), NULL,
     "per council, the chance of each star rating and judgement over the\n"
     "variants of the pack that reproduce its tests, and what moves it\n"
     "most (docs/methodology.md); without it, text output adds one line\n"
     "when the most likely rating has under 80% (100 variants)", 0, 0, NULL, NULL},
    {PO_STRING, 0, "seed", OPT(seed), "N", "the generator's seed (default 2002); the output is the same for\none seed", 0, 0, NULL, NULL},
    {PO_STRING, 0, "variants", OPT(variants), "N", "admissible variants, one run each (default 1000)", 0, 0, NULL, NULL},
    {PO_STRING, 0, "files-from", OPT(files_from), "LIST",
     "also rate the files named in LIST, one a line (- reads the list\n"
     "from standard input); any number, after the FILEs given", 0, 0, NULL, NULL},
    {PO_STRING, 'j', "jobs", OPT(jobs), "N",
     "rate up to N files at once, one thread each (default: the\n"
     "processors free at the start, or STARRATE_JOBS when set; never\n"
     "more than the files); the output is the same whatever N, 1 rates\n"
     "one by one", 0, 0, NULL, NULL},
    {PO_END, 0, NULL, 0, NULL, NULL, 0, 0, NULL, NULL},
};
#undef OPT

const char rate_description[] =
    "Rates each council whose evidence FILE gives (YAML, see docs/evidence-format.md; - reads\n"
    "standard input). A file that is rejected is reported on standard error as\n"
    "FILE:LINE:COL: error: MESSAGE and the others are still rated (exit status 1). Each\n"
    "council's output is written as soon as it and those before it are rated, so any number\n"
    "of councils fits in the same memory.\n";

typedef struct rate_cmd {
    FILE *out, *err;
    rate_opts o;
    char **args;
    int nargs;
    ss_session *session;
} rate_cmd;

/* ---- the files to rate: the arguments, then the lines of --files-from ------------------- */

typedef struct rate_source {
    char **args;
    int nargs, next_arg;
    FILE *list;          /* NULL: none, or finished */
    FILE *list_file;     /* the list opened from a file, closed at the end */
    const char *list_name;
    long list_line;
    int bad;             /* the list could not be read, or a line was too long */
} rate_source;

/* Fills window[] with up to max paths (allocated); returns how many. A blank line is skipped;
 * a line too long for a path stops the list with an error on err. */
static int source_take(rate_source *src, char **window, int max, FILE *err)
{
    int n = 0;
    while (n < max && src->next_arg < src->nargs)
        if (!(window[n++] = sr_strdup(src->args[src->next_arg++])))
            return -1;
    char line[RATE_MAX_PATH + 2];
    while (n < max && src->list && fgets(line, sizeof line, src->list)) {
        src->list_line++;
        size_t len = strlen(line);
        if (len && line[len - 1] == '\n')
            line[--len] = '\0';
        else if (len == sizeof line - 1) {
            fprintf(err, "%s:%ld: error: a file name longer than %d bytes\n", src->list_name,
                    src->list_line, RATE_MAX_PATH);
            src->bad = 1;
            src->list = NULL;
            break;
        }
        if (len && line[len - 1] == '\r')
            line[--len] = '\0';
        if (len == 0)
            continue;
        if (!(window[n++] = sr_strdup(line)))
            return -1;
    }
    if (src->list && ferror(src->list)) {
        fprintf(err, "%s: error: cannot read the list: %s\n", src->list_name, strerror(errno));
        src->bad = 1;
        src->list = NULL;
    }
    return n;
}

/* Progress for long batches: on a terminal only, after the first second, at most four times a
 * second. It goes to standard error and never into the output, which stays byte-identical. */
typedef struct progress {
    int on;
    struct timespec start, last;
} progress;

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void progress_start(progress *pg, FILE *err)
{
    pg->on = isatty(fileno(err));
    if (pg->on)
        clock_gettime(CLOCK_MONOTONIC, &pg->start), pg->last = pg->start;
}

static void progress_step(progress *pg, FILE *err, int done, int total)
{
    if (!pg->on)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (seconds_between(&pg->start, &now) < 1.0 || seconds_between(&pg->last, &now) < 0.25)
        return;
    pg->last = now;
    if (total > 0)
        fprintf(err, "\rstarrate: rated %d of %d files", done, total);
    else
        fprintf(err, "\rstarrate: rated %d files", done);
    fflush(err);
}

static void progress_end(progress *pg, FILE *err)
{
    if (pg->on && seconds_between(&pg->start, &pg->last) > 0)
        fprintf(err, "\r%40s\r", "");
}

/* What the summary counts of one council: kept instead of the rating, which is freed as soon
 * as it is rendered. `pack` stays valid until the batch's sessions are freed. */
typedef struct rate_mark {
    rp_pack *pack;
    int stars;
    int serving[RP_MAX_SERVICES], capacity[RP_MAX_SERVICES];
} rate_mark;

static rate_mark mark_of(const out_rating *o)
{
    rate_mark m;
    memset(&m, 0, sizeof m);
    m.pack = o->pack;
    m.stars = o->r->stars;
    for (size_t s = 0; s < o->pack->nservices && s < RP_MAX_SERVICES; s++) {
        m.serving[s] = o->r->svc[s].serving;
        m.capacity[s] = o->r->svc[s].capacity;
    }
    return m;
}

/* How many councils reached each star rating and each judgement word, per service. */
typedef struct tally {
    rp_pack *pack;  /* the first council's: its words and services label the summary */
    int rated, open;
    int stars[8];
    int serving[RP_MAX_SERVICES][17], capacity[RP_MAX_SERVICES][17]; /* [16]: insufficient */
} tally;

static void tally_add(tally *t, const rate_mark *m)
{
    if (!t->pack)
        t->pack = m->pack;
    t->rated++;
    if (m->stars >= 0 && m->stars < 8)
        t->stars[m->stars]++;
    else
        t->open++;
    for (size_t s = 0; s < m->pack->nservices && s < RP_MAX_SERVICES; s++) {
        int sv = m->serving[s], cp = m->capacity[s];
        t->serving[s][sv >= 0 && sv < 16 ? sv : 16]++;
        t->capacity[s][cp >= 0 && cp < 16 ? cp : 16]++;
    }
}

static void tally_scale(sr_buf *b, const rp_scale *sc, const int *counts)
{
    sr_buf_printf(b, "    %s:", sc->name);
    for (size_t w = 0; w < sc->nwords && w < 16; w++)
        sr_buf_printf(b, "%s %s %d", w ? "," : "", sc->words[w].id, counts[w]);
    if (counts[16])
        sr_buf_printf(b, ", insufficient evidence %d", counts[16]);
    sr_buf_putc(b, '\n');
}

static void tally_print(sr_buf *b, const tally *t)
{
    const rp_pack *p = t->pack;
    if (!p)
        return;
    sr_buf_printf(b, "\nSummary of %d council%s\n  %s:", t->rated, t->rated == 1 ? "" : "s",
                  p->rating_unit);
    for (int k = p->rating_min; k <= p->rating_max && k < 8; k++)
        sr_buf_printf(b, "%s %d: %d", k > p->rating_min ? "," : "", k, t->stars[k]);
    if (t->open)
        sr_buf_printf(b, ", not settled: %d", t->open);
    sr_buf_putc(b, '\n');
    for (size_t s = 0; s < p->nservices; s++) {
        sr_buf_printf(b, "  %s\n", p->services[s].title);
        tally_scale(b, &p->serving, t->serving[s]);
        tally_scale(b, &p->capacity, t->capacity[s]);
    }
}

/*
 * The batch. Councils are rated on up to --jobs workers at once (jobs.c), each with its own
 * session — so its own rule packs and Lua states, which cannot be shared between threads — and
 * its own rt_result. A worker renders its council into the council's own buffer; the calling
 * thread joins those buffers in file order, as soon as each is next in line, adding what
 * depends on the order (the separator, the CSV or table header, the JSON array's commas) and
 * reporting rejected files. So the output, the errors on standard error and the summary are
 * the same whatever the number of workers, and memory stays about the size of the output.
 */
typedef struct rate_item {
    atomic_int done;   /* set (release) when the fields below are final */
    int rated;         /* out and mark are filled; otherwise err says why not */
    sr_buf out;        /* the rendering, without what depends on its neighbours */
    sr_buf warnings;   /* the evidence's warnings, printed on standard error in file order */
    sr_error *err;     /* allocated only for a rejected file; NULL then means out of memory */
    rate_mark mark;
} rate_item;

typedef struct rate_worker {
    ss_session *session;
    rt_result r;
    rt_result ur;      /* the runs of --uncertainty */
    un_cache uc;       /* the admissible variants of each pack */
} rate_worker;

typedef struct rate_run {
    rate_cmd *c;
    int n;              /* files in this window */
    char **paths;       /* this window's */
    int done_before;    /* files of the windows before */
    int total;          /* files in all, or 0 when a list makes it unknown */
    int json_array;     /* JSON with several files: one array, members at depth 1 */
    rate_item *items;
    rate_worker *workers;
    /* the calling thread's alone: */
    int emitted, rated, status;
    sr_buf *b;
    cmd_sink sink;
    int sink_failed;
    js_writer w;
    tally t;
    progress pg;
    un_options uopt;
    un_shared *shared;  /* the fits, shared by the workers */
} rate_run;

/* The part of one council's output that does not depend on the councils around it. */
static void render_one(const rate_run *rr, sr_buf *b, const out_rating *o)
{
    const rate_cmd *c = rr->c;
    js_writer w;
    switch (c->o.format) {
    case FMT_TEXT:
        out_text(b, o);
        break;
    case FMT_JSON:
        if (rr->json_array)
            js_init_member(&w, b, 1, 1);
        else
            js_init(&w, b, 1);
        out_json(&w, o, c->o.trace);
        break;
    case FMT_CSV:
        out_csv_row(b, o);
        break;
    case FMT_TABLE:
        out_table_row(b, o);
        break;
    }
}

/* How sure the rating is: the whole of --uncertainty, or the one line plain text adds. */
static int rate_uncertainty(const rate_run *rr, rate_worker *wk, const ss_loaded *l, sr_buf *b,
                            sr_error *e)
{
    const rate_cmd *c = rr->c;
    int plain = !c->o.uncertainty;
    /* The plain line costs a fit of the pack (a few tenths of a second, docs/performance.md);
     * STARRATE_UNSURE=off leaves it out. */
    const char *env = getenv("STARRATE_UNSURE");
    if (plain && (c->o.format != FMT_TEXT || (env && strcmp(env, "off") == 0)))
        return SR_OK;
    un_model *m;
    un_council u;
    int rc = un_cache_get(&wk->uc, wk->session, l->pack, &m, e);
    if (rc == SR_OK) rc = un_rate(m, l->ev, &wk->ur, &u, e);
    if (rc != SR_OK)
        return rc;
    if (plain) {
        if (un_model_has_params(m))
            un_unsure_line(b, &u, l->pack);
        return SR_OK;
    }
    js_writer w;
    switch (c->o.format) {
    case FMT_TEXT:
        out_text(b, &(out_rating){l->pack, l->ev, &wk->r});
        un_text(b, m, l->pack, &u);
        break;
    case FMT_JSON:
        if (rr->json_array)
            js_init_member(&w, b, 1, 1);
        else
            js_init(&w, b, 1);
        out_json_with(&w, &(out_rating){l->pack, l->ev, &wk->r}, c->o.trace, un_json_member,
                      &(un_json_ctx){m, l->pack, &u});
        break;
    case FMT_CSV:
        un_csv_row(b, l->ev, l->pack, &u);
        break;
    case FMT_TABLE:
        un_table_row(b, l->ev, &u);
        break;
    }
    return SR_OK;
}

/* One council, on any worker: load, evaluate, render into its own item. */
static void rate_task(void *ctx, int worker, int i)
{
    rate_run *rr = ctx;
    const rate_cmd *c = rr->c;
    rate_worker *wk = &rr->workers[worker];
    rate_item *it = &rr->items[i];
    sr_error e;
    sr_error_clear(&e);
    ss_loaded l;
    int rc = ss_load(wk->session, rr->paths[i], NULL, c->o.rules, c->o.from_published, &l, &e);
    if (rc == SR_OK)
        ev_warnings_format(&it->warnings, l.ev);
    if (rc == SR_OK) rc = rt_evaluate(l.pack, l.ev, &wk->r, &e);
    if (rc != SR_OK) {
        it->err = sr_malloc(sizeof *it->err);
        if (it->err)
            *it->err = e;
    } else {
        out_rating o = {l.pack, l.ev, &wk->r};
        if (!c->o.uncertainty)
            render_one(rr, &it->out, &o);
        it->mark = mark_of(&o);
        rc = rate_uncertainty(rr, wk, &l, &it->out, &e);
        it->rated = rc == SR_OK;
        if (rc != SR_OK && (it->err = sr_malloc(sizeof *it->err)))
            *it->err = e;
    }
    ss_unload(&l);
    atomic_store_explicit(&it->done, 1, memory_order_release);
}

/* Adds one finished council to the output in its place, or reports why it was rejected. */
static void rate_emit(rate_run *rr, rate_item *it)
{
    rate_cmd *c = rr->c;
    if (it->warnings.data)
        fputs(it->warnings.data, c->err);
    sr_buf_free(&it->warnings);
    if (!it->rated) {
        sr_error oom;
        sr_error_clear(&oom);
        sr_oom(&oom);
        cmd_reject(c->err, it->err ? it->err : &oom);
        rr->status = EXIT_REJECTED;
        /* A council lost to memory, not to its evidence: -o gets no output missing it. */
        if (!it->err || it->err->code == SR_ENOMEM)
            rr->sink_failed = 1;
    } else {
        int first = rr->rated++ == 0;
        if (c->o.format == FMT_TEXT && !first)
            sr_buf_putc(rr->b, '\n');
        else if (c->o.format == FMT_CSV && first && c->o.uncertainty)
            un_csv_header(rr->b, it->mark.pack);
        else if (c->o.format == FMT_TABLE && first && c->o.uncertainty)
            un_table_header(rr->b);
        else if (c->o.format == FMT_CSV && first)
            out_csv_header(rr->b, it->mark.pack);
        else if (c->o.format == FMT_TABLE && first)
            out_table_header(rr->b, it->mark.pack);
        if (it->out.oom)
            rr->b->oom = 1;
        const char *text = it->out.data ? it->out.data : "";
        if (rr->json_array)
            js_member_text(&rr->w, text, it->out.len);
        else
            sr_buf_putn(rr->b, text, it->out.len);
        tally_add(&rr->t, &it->mark);
    }
    sr_free(it->err);
    it->err = NULL;
    sr_buf_free(&it->out);
}

/* Writes what the buffer holds to the output and empties it: the output streams, and memory
 * holds only the councils done out of order. */
static void rate_flush(rate_run *rr)
{
    if (rr->b->len && !rr->b->oom && !rr->sink_failed &&
        cmd_sink_write(&rr->sink, rr->b->data, rr->b->len, rr->c->err) != SR_OK)
        rr->sink_failed = 1;
    rr->b->len = 0;
}

/* Emits every council that is finished and next in file order. */
static void rate_drain(rate_run *rr)
{
    int any = 0;
    while (rr->emitted < rr->n &&
           atomic_load_explicit(&rr->items[rr->emitted].done, memory_order_acquire))
        rate_emit(rr, &rr->items[rr->emitted++]), any = 1;
    if (any)
        rate_flush(rr);
}

/* On the calling thread after each council it rated: progress, and the output so far. */
static void rate_between(void *ctx, int completed)
{
    rate_run *rr = ctx;
    progress_step(&rr->pg, rr->c->err, rr->done_before + completed, rr->total);
    rate_drain(rr);
}

/* A whole number of workers from --jobs or STARRATE_JOBS: 0 when it is not one. */
static int jobs_value(const char *v)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    return !*v || *end || errno || n < 1 || n > INT_MAX ? 0 : (int)n;
}

/* --jobs N, else STARRATE_JOBS, else one per processor free when the run starts. Several "-" arguments read
 * standard input in turn, so which one gets its text depends on the order: one by one then. */
static int rate_jobs(rate_cmd *c, int *jobs, int *asked)
{
    const char *env = getenv("STARRATE_JOBS");
    if (c->o.jobs) {
        if (!(*jobs = jobs_value(c->o.jobs)))
            return cmd_usage(c->err, "rate", "--jobs needs a whole number of at least 1, not '%s'", c->o.jobs);
    } else if (env && *env) {
        if (!(*jobs = jobs_value(env)))
            return cmd_usage(c->err, "rate", "STARRATE_JOBS must be a whole number of at least 1, not '%s'", env);
    } else {
        *jobs = jb_free_cpus(NULL);
    }
    *asked = *jobs; /* the fit of --uncertainty's variants runs on as many, even for one file */
    int stdin_args = 0;
    for (int i = 0; i < c->nargs; i++)
        stdin_args += strcmp(c->args[i], "-") == 0;
    if (stdin_args > 1)
        *jobs = 1;
    if (!c->o.files_from && *jobs > c->nargs)
        *jobs = c->nargs;
    if (*jobs > RATE_WINDOW)
        *jobs = RATE_WINDOW;
    return 0;
}

/* Worker 0 is the calling thread with the command's own session; every other worker gets a
 * session of its own. Returns how many workers have one: fewer than asked (at least 1) when
 * memory runs short, which only makes the batch slower. */
static int rate_workers_open(rate_run *rr, int want)
{
    int n = 0;
    for (; n < want; n++) {
        rate_worker *w = &rr->workers[n];
        w->session = n == 0 ? rr->c->session : sr_calloc(1, sizeof *w->session);
        if (!w->session)
            break;
        if (n > 0)
            ss_init(w->session);
        rt_init(&w->r);
        rt_init(&w->ur);
        w->ur.trace_off = 1;
        un_cache_init(&w->uc, &rr->uopt);
        w->uc.shared = rr->shared;
        /* Only the JSON trace reads the trace: every other rendering uses the results alone. */
        w->r.trace_off = !(rr->c->o.format == FMT_JSON && rr->c->o.trace);
    }
    return n;
}

/* After the summary is printed: the summary's pack belongs to one of these sessions. */
static void rate_workers_close(rate_run *rr, int n)
{
    for (int i = 0; i < n; i++) {
        un_cache_free(&rr->workers[i].uc);
        rt_free(&rr->workers[i].ur);
        rt_free(&rr->workers[i].r);
        if (i > 0) {
            ss_free(rr->workers[i].session);
            sr_free(rr->workers[i].session);
        }
    }
}

/* The end of the output: the JSON array's close, the table's legend and the summary. */
static void rate_finish(rate_run *rr)
{
    rate_cmd *c = rr->c;
    sr_buf *b = rr->b;
    if (rr->json_array)
        js_end_array(&rr->w);
    if (c->o.format == FMT_JSON && rr->rated)
        sr_buf_putc(b, '\n');
    if (c->o.format == FMT_TABLE && rr->rated && !c->o.uncertainty)
        sr_buf_puts(b, "(* given in the evidence, ^ capped by a key threshold, ? insufficient evidence)\n");
    if (rr->rated && (c->o.format == FMT_TABLE || (c->o.summary && c->o.format == FMT_TEXT))) {
        tally_print(b, &rr->t);
    } else if (rr->rated && c->o.summary) {
        sr_buf s;
        sr_buf_init(&s);
        tally_print(&s, &rr->t);
        fputs(s.data ? s.data + 1 : "", c->err);
        sr_buf_free(&s);
    }
}

/* Rates one window of files; its output is flushed as it comes. */
static void rate_window(rate_run *rr, int nworkers)
{
    memset(rr->items, 0, (size_t)rr->n * sizeof *rr->items);
    rr->emitted = 0;
    jb_run(rate_task, rate_between, rr, rr->n, nworkers);
    rate_drain(rr); /* whatever the other workers finished after the caller's last council */
    rr->done_before += rr->n;
}

/* The list of --files-from, opened; NULL with a message when it cannot be. */
static FILE *open_list(rate_cmd *c)
{
    if (strcmp(c->o.files_from, "-") == 0)
        return stdin;
    FILE *f = fopen(c->o.files_from, "r");
    if (!f)
        fprintf(c->err, "%s: error: cannot read the list: %s\n", c->o.files_from, strerror(errno));
    return f;
}

static int rate_batch(rate_cmd *c, rate_source *src)
{
    int jobs, asked = 1;
    if (rate_jobs(c, &jobs, &asked))
        return EXIT_USAGE;
    sr_buf b;
    sr_buf_init(&b);
    rate_run rr;
    memset(&rr, 0, sizeof rr);
    rr.c = c;
    rr.b = &b;
    rr.total = c->o.files_from ? 0 : c->nargs;
    char msg[160];
    if (un_parse_options(c->o.seed, c->o.variants, !c->o.uncertainty, &rr.uopt, msg, sizeof msg))
        return cmd_usage(c->err, "rate", "%s", msg);
    rr.uopt.threads = asked < UN_MAX_THREADS ? asked : UN_MAX_THREADS;
    rr.uopt.quick = !c->o.uncertainty; /* the line alone: clear ratings stop early */
    /* A window no longer than the files when they are all known: 512 items were 64 KB that
     * calloc zeroed, 16 page faults, to rate one council. */
    int window = c->o.files_from || c->nargs > RATE_WINDOW ? RATE_WINDOW
               : c->nargs > 0                           ? c->nargs
                                                        : 1;
    rr.items = sr_calloc((size_t)window, sizeof *rr.items);
    rr.paths = sr_calloc((size_t)window, sizeof *rr.paths);
    /* Without room for several workers, one: the batch is only slower. The one is allocated
     * too (7 KB on this frame put the whole rating 7 KB deeper in the stack: page faults),
     * and only without room for it either is it on the stack. */
    rate_worker one;
    rr.workers = sr_calloc((size_t)jobs, sizeof *rr.workers);
    if (!rr.workers && jobs > 1)
        rr.workers = sr_calloc(1, sizeof *rr.workers), jobs = 1;
    if (!rr.workers)
        rr.workers = &one, jobs = 1;
    /* The workers share the fits: a pack is fitted once, on every worker's processor. */
    if (jobs > 1 && un_shared_new(&rr.shared) != SR_OK)
        rr.shared = NULL; /* each worker fits alone: slower, the same variants */
    int nworkers = rate_workers_open(&rr, jobs);
    int n = rr.items && rr.paths ? source_take(src, rr.paths, window, c->err) : -1;
    if (n < 0 || cmd_sink_open(&rr.sink, c->o.output, c->out, c->err) != SR_OK) {
        if (n < 0) {
            sr_error e;
            sr_error_clear(&e);
            cmd_reject(c->err, (sr_oom(&e), &e));
        }
        n = -1;
    } else if (n == 0 && !src->bad) {
        n = -2;
    }
    if (n >= 0) {
        /* JSON of one council is its object; of several, one array. The first window tells. */
        rr.json_array = c->o.format == FMT_JSON && n > 1;
        js_init(&rr.w, &b, 1);
        if (rr.json_array)
            js_array(&rr.w);
        progress_start(&rr.pg, c->err);
        while (n > 0) {
            rr.n = n;
            rate_window(&rr, nworkers);
            for (int i = 0; i < n; i++)
                sr_free(rr.paths[i]), rr.paths[i] = NULL;
            n = source_take(src, rr.paths, window, c->err);
        }
        progress_end(&rr.pg, c->err);
        rate_finish(&rr);
        rate_flush(&rr);
        if (n < 0 || b.oom) {
            sr_error e;
            sr_error_clear(&e);
            cmd_reject(c->err, (sr_oom(&e), &e));
            rr.status = EXIT_REJECTED;
            rr.sink_failed = 1; /* an output with a council missing is never delivered */
        }
        if (src->bad)
            rr.status = EXIT_REJECTED;
    }
    rate_workers_close(&rr, nworkers);
    un_shared_free(rr.shared);
    if (rr.workers != &one)
        sr_free(rr.workers);
    for (int i = 0; rr.paths && i < window; i++)
        sr_free(rr.paths[i]);
    sr_free(rr.paths);
    sr_free(rr.items);
    sr_buf_free(&b);
    if (n < 0)
        cmd_sink_close(&rr.sink, 0, c->err); /* nothing rated: FILE stays as it was */
    if (n == -1)
        return EXIT_REJECTED;
    if (n == -2)
        return src->list ? cmd_usage(c->err, "rate", "the list %s names no file", src->list_name)
                         : EXIT_REJECTED;
    /* -o FILE is replaced only when some council was rated and all was written. */
    int wrc = cmd_sink_close(&rr.sink, rr.rated && !rr.sink_failed, c->err);
    if (rr.sink_failed)
        return EXIT_REJECTED;
    return rr.status != EXIT_DONE ? rr.status : wrc;
}


int cmd_rate(int argc, char **argv, FILE *out, FILE *err)
{
    rate_cmd c = {out, err, {0}, NULL, 0, NULL};
    int status;
    if ((c.nargs = cmd_parse(argc, &argv, &c.o, out, err, &status)) < 0)
        return status;
    c.args = argv;
    /* The trace is written only into JSON: asked for with another format, it would be lost. */
    if (c.o.trace && c.o.format != FMT_JSON)
        return cmd_usage(err, "rate", "--trace needs --format json");
    if (c.nargs == 0 && !c.o.files_from)
        return cmd_usage(err, "rate", "rate needs at least one evidence file (or --files-from LIST)");
    rate_source src = {.args = c.args, .nargs = c.nargs, .list_name = c.o.files_from};
    if (c.o.files_from) {
        for (int i = 0; i < c.nargs; i++)
            if (strcmp(c.args[i], "-") == 0 && strcmp(c.o.files_from, "-") == 0)
                return cmd_usage(err, "rate", "standard input cannot hold both the list and a file");
        if (!(src.list = open_list(&c)))
            return EXIT_REJECTED;
        if (src.list != stdin)
            src.list_file = src.list;
    }
    if ((c.session = cmd_session_new(err)))
        status = rate_batch(&c, &src);
    else
        status = EXIT_REJECTED;
    if (src.list_file)
        fclose(src.list_file);
    cmd_session_free(c.session);
    return status;
}
