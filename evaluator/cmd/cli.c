/*
 * cli.c — command-line parsing and the commands.
 *
 * A command collects its whole output in memory and writes it at the end (to standard output
 * or atomically to -o FILE), so a failure never leaves half a file behind.
 */
#include "cli.h"
#include "backtest.h"
#include "import.h"
#include "jobs.h"
#include "uncert.h"
#include "packtest.h"
#include "report.h"
#include "session.h"
#include "starrate.h"
#include "whatif.h"

#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef enum { FMT_TEXT, FMT_JSON, FMT_CSV, FMT_TABLE } fmt_kind;

typedef struct opts {
    fmt_kind format;
    const char *rules;   /* --rules PACK */
    const char *year;    /* --year Y */
    const char *output;  /* -o FILE */
    const char *why;     /* --why SUBJECT */
    const char *junit;   /* --junit FILE */
    const char *jobs;    /* --jobs N, -j N */
    const char *seed, *variants; /* --seed N, --variants N (with --uncertainty) */
    int uncertainty;
    int trace;
    int from_published;
    int summary;
    int help;
    const char *args[256];
    int nargs;
} opts;

typedef struct cli {
    FILE *out, *err;
    opts o;
    ss_session session;
} cli;

/* ---- help ----------------------------------------------------------------------------- */

static const char usage_main[] =
    "usage: starrate COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "Rates English councils' social services (2002-2005 star ratings) from their evidence,\n"
    "with rule packs written in Lua and a full audit trail.\n"
    "\n"
    "commands:\n"
    "  rate FILE...              rate councils (evidence YAML; - reads standard input)\n"
    "  explain FILE              the derivation of one rating, step by step\n"
    "  stars CHILDREN ADULTS     apply the star table alone, e.g. stars most/promising some/promising\n"
    "  import LETTER             turn an annual review letter (text) into evidence YAML\n"
    "  check [PACK]              validate a rule pack (default: every pack)\n"
    "  test [PACK|FILE...]       run rule packs' own test cases (TAP output)\n"
    "  report FILE... -o HTML    one self-contained HTML report: ratings, grids, league table\n"
    "  backtest OUTCOMES.csv     check the star table against published outcomes\n"
    "  whatif FILE SCENARIO...   the rating with each scenario's changes, and what moved\n"
    "  seek FILE --target N      the smallest changes that reach N stars (--margin: lose one)\n"
    "  help COMMAND              help for one command\n"
    "  version                   print the version\n"
    "\n"
    "exit status: 0 done, 1 an input or rule pack was rejected, 2 usage error\n";

static const char usage_rate[] =
    "usage: starrate rate [OPTIONS] FILE...\n"
    "\n"
    "Rates each council whose evidence FILE gives (YAML, see docs/evidence-format.md; - reads\n"
    "standard input). A file that is rejected is reported on standard error as\n"
    "FILE:LINE:COL: error: MESSAGE and the others are still rated (exit status 1).\n"
    "\n"
    "options:\n"
    "  --format text|json|csv|table   output format (default text)\n"
    "  --rules PACK          rule pack folder or round (default: the pack for the file's year)\n"
    "  --trace               with --format json: include the full derivation trace\n"
    "  --from-published      use the published judgements in the file as given (audit a\n"
    "                        published rating from its judgements alone)\n"
    "  --summary             after the ratings, how many councils reached each star rating and\n"
    "                        each judgement (always with --format table; with csv or json it\n"
    "                        goes to standard error so the data stays machine-readable)\n"
    "  -o FILE               write the output to FILE atomically instead of standard output\n"
    "  -j, --jobs N          rate up to N files at once, one thread each (default: the number\n"
    "                        of online processors, or STARRATE_JOBS when set; never more than\n"
    "                        the files); the output is the same whatever N, 1 rates one by one\n"
    "  --uncertainty         per council, the chance of each star rating and judgement over the\n"
    "                        variants of the pack that reproduce its tests, and what moves it\n"
    "                        most (docs/methodology.md); without it, text output adds one line\n"
    "                        when the most likely rating has under 80% (100 variants)\n"
    "  --seed N              the generator's seed (default 2002); the output is the same for\n"
    "                        one seed\n"
    "  --variants N          admissible variants, one run each (default 1000)\n";

static const char usage_explain[] =
    "usage: starrate explain [OPTIONS] FILE\n"
    "\n"
    "Prints how the rating of one council was derived: every band, standard grade, judgement,\n"
    "key threshold and the star rule, with the evidence each rests on, the limits compared and\n"
    "whether each rule is documented fact or reconstruction.\n"
    "\n"
    "options:\n"
    "  --why SUBJECT         only one conclusion and what it rests on, e.g. adults.serving,\n"
    "                        children.capacity, children.standard.3, stars\n"
    "  --rules PACK, --from-published, -o FILE   as for rate\n";

static const char usage_stars[] =
    "usage: starrate stars [OPTIONS] CHILDREN ADULTS\n"
    "\n"
    "Applies the rule pack's star table to four judgements, each service given as\n"
    "SERVING/CAPACITY (e.g. most/promising), and names the rule that fired.\n"
    "\n"
    "options:\n"
    "  --format text|json    output format (default text)\n"
    "  --rules PACK          rule pack folder or round\n"
    "  --year Y              the pack of round Y (default: the latest round)\n";

static const char usage_import[] =
    "usage: starrate import [OPTIONS] LETTER\n"
    "\n"
    "Reads the text of an SSI annual review letter (the annex \"Performance Review Report\"; a\n"
    "cover letter before it and text after it are fine; - reads standard input) and writes an\n"
    "evidence file that `starrate rate` accepts: every bullet as a finding with its section,\n"
    "standard tags, PAF codes and line, and figures the letter quotes proposed as indicator\n"
    "values (origin: letter) for you to confirm. Lines it cannot place are reported as\n"
    "warnings on standard error and kept in the output as notes: no text is dropped.\n"
    "\n"
    "  starrate import letter.txt | starrate rate -\n"
    "\n"
    "options:\n"
    "  -o FILE               write the evidence to FILE atomically instead of standard output\n";

static const char usage_check[] =
    "usage: starrate check [PACK...]\n"
    "\n"
    "Validates rule packs: declarations complete, ids unique, every combination of judgements\n"
    "matched by a star rule, every star rule the first match somewhere. With no PACK, checks\n"
    "every pack in the rules folder.\n";

static const char usage_test[] =
    "usage: starrate test [OPTIONS] [PACK|FILE...]\n"
    "\n"
    "Runs rule packs' test cases (YAML files in PACK/tests/): evidence in, expected judgements,\n"
    "stars and rule out. Prints TAP; every failure shows expected and actual. With no argument,\n"
    "runs the tests of every pack. Exit status 1 when any case fails.\n"
    "\n"
    "options:\n"
    "  --junit FILE          also write JUnit XML to FILE\n";

/* ---- options -------------------------------------------------------------------------- */

static int usage_error(cli *c, const char *fmt, const char *arg)
{
    fprintf(c->err, "starrate: ");
    fprintf(c->err, fmt, arg);
    fprintf(c->err, "\nTry 'starrate help' for usage.\n");
    return EXIT_USAGE;
}

static int parse_format(cli *c, const char *v)
{
    static const char *const names[] = {"text", "json", "csv", "table"};
    for (int i = 0; i < 4; i++)
        if (strcmp(v, names[i]) == 0) {
            c->o.format = (fmt_kind)i;
            return 0;
        }
    return usage_error(c, "unknown format '%s' (expected text, json, csv or table)", v);
}

/* Options that take a value, and where it goes. */
static const char **value_slot(opts *o, const char *name)
{
    if (strcmp(name, "--rules") == 0) return &o->rules;
    if (strcmp(name, "--year") == 0) return &o->year;
    if (strcmp(name, "-o") == 0 || strcmp(name, "--output") == 0) return &o->output;
    if (strcmp(name, "--why") == 0) return &o->why;
    if (strcmp(name, "--junit") == 0) return &o->junit;
    if (strcmp(name, "--jobs") == 0 || strcmp(name, "-j") == 0) return &o->jobs;
    if (strcmp(name, "--seed") == 0) return &o->seed;
    if (strcmp(name, "--variants") == 0) return &o->variants;
    return NULL;
}

static int parse_opts(cli *c, int argc, char **argv)
{
    opts *o = &c->o;
    int only_args = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        char name[64];
        const char *eq = strchr(a, '=');
        snprintf(name, sizeof name, "%.*s", eq && a[0] == '-' && a[1] == '-' ? (int)(eq - a) : 63, a);
        const char **slot;
        if (only_args || a[0] != '-' || strcmp(a, "-") == 0) {
            if (o->nargs == (int)(sizeof o->args / sizeof o->args[0]))
                return usage_error(c, "too many arguments (at most %s)", "256");
            o->args[o->nargs++] = a;
        } else if (strcmp(a, "--") == 0) {
            only_args = 1;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            o->help = 1;
        } else if (strcmp(a, "--trace") == 0) {
            o->trace = 1;
        } else if (strcmp(a, "--from-published") == 0) {
            o->from_published = 1;
        } else if (strcmp(a, "--summary") == 0) {
            o->summary = 1;
        } else if (strcmp(a, "--uncertainty") == 0) {
            o->uncertainty = 1;
        } else if (strcmp(name, "--format") == 0) {
            const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v)
                return usage_error(c, "option %s needs a value", "--format");
            if (parse_format(c, v))
                return EXIT_USAGE;
        } else if ((slot = value_slot(o, name))) {
            const char *v = eq && a[1] == '-' ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v)
                return usage_error(c, "option %s needs a value", name);
            *slot = v;
        } else {
            return usage_error(c, "unknown option '%s'", a);
        }
    }
    return 0;
}

/* ---- shared plumbing ------------------------------------------------------------------ */

static void report(cli *c, const sr_error *e) { sr_error_print(c->err, e); }

int cli_deliver(const sr_buf *b, const char *path, FILE *out, FILE *err)
{
    sr_error e;
    sr_error_clear(&e);
    if (sr_deliver(b, path, out, &e) != SR_OK) {
        sr_error_print(err, &e);
        return EXIT_REJECTED;
    }
    return EXIT_DONE;
}

static int write_output(cli *c, sr_buf *b) { return cli_deliver(b, c->o.output, c->out, c->err); }

/* ---- rate ----------------------------------------------------------------------------- */

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
    fprintf(err, "\rstarrate: rated %d of %d files", done, total);
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
    cli *c;
    int n;
    int json_array;     /* JSON with several files: one array, members at depth 1 */
    rate_item *items;
    rate_worker *workers;
    /* the calling thread's alone: */
    int emitted, rated, status;
    sr_buf *b;
    js_writer w;
    tally t;
    progress pg;
    un_options uopt;
} rate_run;

/* The part of one council's output that does not depend on the councils around it. */
static void render_one(const rate_run *rr, sr_buf *b, const out_rating *o)
{
    const cli *c = rr->c;
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
    const cli *c = rr->c;
    int plain = !c->o.uncertainty;
    /* The plain line costs a fit of the pack (a few tenths of a second, docs/performance.md);
     * STARRATE_UNSURE=off leaves it out (the allocation-failure walks, which run rate once
     * per allocation). */
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
    const cli *c = rr->c;
    rate_worker *wk = &rr->workers[worker];
    rate_item *it = &rr->items[i];
    sr_error e;
    sr_error_clear(&e);
    ss_loaded l;
    int rc = ss_load(wk->session, c->o.args[i], NULL, c->o.rules, c->o.from_published, &l, &e);
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
    cli *c = rr->c;
    if (!it->rated) {
        sr_error oom;
        sr_error_clear(&oom);
        sr_oom(&oom);
        report(c, it->err ? it->err : &oom);
        rr->status = EXIT_REJECTED;
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
            out_table_header(rr->b);
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

/* Emits every council that is finished and next in file order. */
static void rate_drain(rate_run *rr)
{
    while (rr->emitted < rr->n &&
           atomic_load_explicit(&rr->items[rr->emitted].done, memory_order_acquire))
        rate_emit(rr, &rr->items[rr->emitted++]);
}

/* On the calling thread after each council it rated: progress, and the output so far. */
static void rate_between(void *ctx, int completed)
{
    rate_run *rr = ctx;
    progress_step(&rr->pg, rr->c->err, completed, rr->n);
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

/* --jobs N, else STARRATE_JOBS, else one per online processor. Several "-" arguments read
 * standard input in turn, so which one gets its text depends on the order: one by one then. */
static int rate_jobs(cli *c, int *jobs)
{
    const char *env = getenv("STARRATE_JOBS");
    if (c->o.jobs) {
        if (!(*jobs = jobs_value(c->o.jobs)))
            return usage_error(c, "--jobs needs a whole number of at least 1, not '%s'", c->o.jobs);
    } else if (env && *env) {
        if (!(*jobs = jobs_value(env)))
            return usage_error(c, "STARRATE_JOBS must be a whole number of at least 1, not '%s'", env);
    } else {
        *jobs = jb_online_cpus();
    }
    int stdin_args = 0;
    for (int i = 0; i < c->o.nargs; i++)
        stdin_args += strcmp(c->o.args[i], "-") == 0;
    if (stdin_args > 1)
        *jobs = 1;
    if (*jobs > c->o.nargs)
        *jobs = c->o.nargs;
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
        w->session = n == 0 ? &rr->c->session : sr_calloc(1, sizeof *w->session);
        if (!w->session)
            break;
        if (n > 0)
            ss_init(w->session);
        rt_init(&w->r);
        rt_init(&w->ur);
        w->ur.trace_off = 1;
        un_cache_init(&w->uc, &rr->uopt);
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
    cli *c = rr->c;
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

static int cmd_rate(cli *c)
{
    if (c->o.help) {
        fputs(usage_rate, c->out);
        return EXIT_DONE;
    }
    if (c->o.nargs == 0)
        return usage_error(c, "rate needs at least one evidence file%s", "");
    int jobs;
    if (rate_jobs(c, &jobs))
        return EXIT_USAGE;
    sr_buf b;
    sr_buf_init(&b);
    rate_run rr;
    memset(&rr, 0, sizeof rr);
    rr.c = c;
    rr.n = c->o.nargs;
    rr.b = &b;
    rr.json_array = c->o.format == FMT_JSON && c->o.nargs > 1;
    char msg[160];
    if (un_parse_options(c->o.seed, c->o.variants, !c->o.uncertainty, &rr.uopt, msg, sizeof msg))
        return usage_error(c, "%s", msg);
    rr.items = sr_calloc((size_t)rr.n, sizeof *rr.items);
    /* Without room for several workers, one: the batch is only slower. */
    rate_worker one;
    rr.workers = jobs > 1 ? sr_calloc((size_t)jobs, sizeof *rr.workers) : NULL;
    if (!rr.workers)
        rr.workers = &one, jobs = 1;
    int nworkers = rate_workers_open(&rr, jobs);
    if (!rr.items) {
        sr_error e;
        sr_error_clear(&e);
        report(c, (sr_oom(&e), &e));
        rate_workers_close(&rr, nworkers);
        if (rr.workers != &one)
            sr_free(rr.workers);
        return EXIT_REJECTED;
    }
    js_init(&rr.w, &b, 1);
    if (rr.json_array)
        js_array(&rr.w);
    progress_start(&rr.pg, c->err);
    jb_run(rate_task, rate_between, &rr, rr.n, nworkers);
    rate_drain(&rr); /* whatever the other workers finished after the caller's last council */
    progress_end(&rr.pg, c->err);
    rate_finish(&rr);
    rate_workers_close(&rr, nworkers);
    if (rr.workers != &one)
        sr_free(rr.workers);
    sr_free(rr.items);
    int wrc = rr.rated || !c->o.output ? write_output(c, &b) : EXIT_DONE;
    sr_buf_free(&b);
    return rr.status != EXIT_DONE ? rr.status : wrc;
}

/* ---- explain -------------------------------------------------------------------------- */

/* The "How sure" section (docs/methodology.md): --seed and --variants as for rate. */
static int explain_how_sure(cli *c, const ss_loaded *l, sr_buf *b, sr_error *e)
{
    un_options uo;
    char msg[160];
    if (un_parse_options(c->o.seed, c->o.variants, 0, &uo, msg, sizeof msg))
        return sr_fail(e, SR_EUSAGE, NULL, 0, 0, "%s", msg);
    un_model *m;
    un_council u;
    rt_result r;
    rt_init(&r);
    int rc = un_fit(&c->session, l->pack, &uo, &m, e);
    if (rc == SR_OK) {
        rc = un_rate(m, l->ev, &r, &u, e);
        if (rc == SR_OK)
            un_explain(b, m, l->pack, &u);
        un_model_free(m);
    }
    rt_free(&r);
    return rc;
}

static int cmd_explain(cli *c)
{
    if (c->o.help) {
        fputs(usage_explain, c->out);
        return EXIT_DONE;
    }
    if (c->o.nargs != 1)
        return usage_error(c, "explain needs exactly one evidence file%s", "");
    sr_error e;
    sr_error_clear(&e);
    ss_loaded l;
    rt_result r;
    rt_init(&r);
    int rc = ss_load(&c->session, c->o.args[0], NULL, c->o.rules, c->o.from_published, &l, &e);
    if (rc == SR_OK) rc = rt_evaluate(l.pack, l.ev, &r, &e);
    int status = EXIT_DONE;
    sr_buf b;
    sr_buf_init(&b);
    if (rc != SR_OK) {
        report(c, &e);
        status = EXIT_REJECTED;
    } else {
        out_rating o = {l.pack, l.ev, &r};
        if (!out_explain(&b, &o, c->o.why))
            status = usage_error(c, "--why '%s' names no step of this rating (try adults.serving, "
                                    "children.capacity, children.standard.3 or stars)", c->o.why);
        else if (!c->o.why && (rc = explain_how_sure(c, &l, &b, &e)) != SR_OK)
            report(c, &e), status = EXIT_REJECTED;
        else
            status = write_output(c, &b);
    }
    sr_buf_free(&b);
    rt_free(&r);
    ss_unload(&l);
    return status;
}

/* ---- stars ---------------------------------------------------------------------------- */

static int parse_pair(cli *c, rp_pack *p, const char *arg, int *serving, int *capacity)
{
    const char *slash = strchr(arg, '/');
    char sv[64];
    if (!slash || (size_t)(slash - arg) >= sizeof sv)
        return usage_error(c, "'%s' is not SERVING/CAPACITY (e.g. most/promising)", arg);
    snprintf(sv, sizeof sv, "%.*s", (int)(slash - arg), arg);
    *serving = rp_word_index(&p->serving, sv);
    *capacity = rp_word_index(&p->capacity, slash + 1);
    if (*serving < 0 || *capacity < 0) {
        sr_buf words;
        sr_buf_init(&words);
        const rp_scale *sc = *serving < 0 ? &p->serving : &p->capacity;
        for (size_t i = 0; i < sc->nwords; i++)
            sr_buf_printf(&words, "%s%s", i ? ", " : "", sc->words[i].id);
        fprintf(c->err, "starrate: '%s' is not a %s word (expected one of: %s)\n",
                *serving < 0 ? sv : slash + 1, sc->name, words.data ? words.data : "");
        sr_buf_free(&words);
        return EXIT_USAGE;
    }
    return 0;
}

static void stars_json(sr_buf *b, rp_pack *p, const int *serving, const int *capacity, int row)
{
    js_writer w;
    js_init(&w, b, 1);
    const rp_star_rule *r = &p->star_rules[row];
    js_object(&w);
    js_key(&w, "stars"); js_int(&w, r->stars);
    js_key(&w, "rule");
    js_object(&w);
    js_key(&w, "id"); js_string(&w, r->id);
    js_key(&w, "sentence"); js_string(&w, r->sentence);
    js_key(&w, "provenance"); js_string(&w, r->prov.reconstructed ? "reconstructed" : "source");
    js_key(&w, "reference"); js_string(&w, r->prov.text);
    js_key(&w, "file"); js_string(&w, r->prov.file);
    js_key(&w, "line"); js_int(&w, r->prov.line);
    js_end_object(&w);
    js_key(&w, "services");
    js_object(&w);
    for (size_t s = 0; s < p->nservices; s++) {
        js_key(&w, p->services[s].id);
        js_object(&w);
        js_key(&w, "serving"); js_string(&w, p->serving.words[serving[s]].id);
        js_key(&w, "capacity"); js_string(&w, p->capacity.words[capacity[s]].id);
        js_end_object(&w);
    }
    js_end_object(&w);
    js_key(&w, "ruleset");
    js_object(&w);
    js_key(&w, "name"); js_string(&w, p->name);
    js_key(&w, "version"); js_string(&w, p->version);
    js_key(&w, "sha256"); js_string(&w, p->sha256);
    js_end_object(&w);
    out_json_engine(&w);
    js_end_object(&w);
    sr_buf_putc(b, '\n');
}

static void stars_text(sr_buf *b, rp_pack *p, const int *serving, const int *capacity, int row)
{
    const rp_star_rule *r = &p->star_rules[row];
    for (size_t s = 0; s < p->nservices; s++)
        sr_buf_printf(b, "%s: %s; %s\n", p->services[s].title, p->serving.words[serving[s]].text,
                      p->capacity.words[capacity[s]].text);
    sr_buf_printf(b, "%d %s, by rule %s: %s\n", r->stars, r->stars == 1 ? "star" : p->rating_unit,
                  r->id, r->sentence);
    sr_buf_printf(b, "(%s: %s; %s:%d; rules %s %s)\n",
                  r->prov.reconstructed ? "reconstructed" : "documented", r->prov.text,
                  r->prov.file, r->prov.line, p->name, p->version);
}

static int cmd_stars(cli *c)
{
    if (c->o.help) {
        fputs(usage_stars, c->out);
        return EXIT_DONE;
    }
    if (c->o.format == FMT_CSV || c->o.format == FMT_TABLE)
        return usage_error(c, "stars prints text or json, not %s",
                           c->o.format == FMT_CSV ? "csv" : "table");
    sr_error e;
    sr_error_clear(&e);
    char dir[PATH_MAX];
    const char *name = c->o.rules ? c->o.rules : c->o.year;
    if (!name) {
        if (rp_latest(dir, sizeof dir, &e) != SR_OK) {
            report(c, &e);
            return EXIT_REJECTED;
        }
        name = dir;
    }
    rp_pack *p = ss_pack(&c->session, name, &e);
    if (!p) {
        report(c, &e);
        return EXIT_REJECTED;
    }
    if ((size_t)c->o.nargs != p->nservices) {
        fprintf(c->err, "starrate: stars needs %zu judgement pairs (", p->nservices);
        for (size_t s = 0; s < p->nservices; s++)
            fprintf(c->err, "%s%s", s ? " " : "", p->services[s].id);
        fprintf(c->err, "), e.g. starrate stars most/promising some/promising\n");
        return EXIT_USAGE;
    }
    int serving[RP_MAX_SERVICES], capacity[RP_MAX_SERVICES], row;
    for (size_t s = 0; s < p->nservices; s++)
        if (parse_pair(c, p, c->o.args[s], &serving[s], &capacity[s]))
            return EXIT_USAGE;
    lh_budget_reset(p->host);
    if (rp_stars(p, serving, capacity, &row, &e) != SR_OK || row < 0) {
        if (row < 0 && e.code == SR_OK)
            sr_fail(&e, SR_ERULES, p->dir, 0, 0, "no star rule matched (run starrate check)");
        report(c, &e);
        return EXIT_REJECTED;
    }
    sr_buf b;
    sr_buf_init(&b);
    if (c->o.format == FMT_JSON)
        stars_json(&b, p, serving, capacity, row);
    else
        stars_text(&b, p, serving, capacity, row);
    int status = write_output(c, &b);
    sr_buf_free(&b);
    return status;
}

/* ---- check ---------------------------------------------------------------------------- */

/* Every round folder under the rules root, oldest first. */
static int all_packs(char dirs[][PATH_MAX], int max)
{
    int rounds[64];
    int n = rp_rounds(rounds, max < 64 ? max : 64);
    for (int i = 0; i < n; i++)
        rp_round_dir(rounds[i], dirs[i], PATH_MAX);
    return n;
}

static int check_one(cli *c, const char *name)
{
    sr_error e;
    sr_error_clear(&e);
    rp_pack *p = ss_pack(&c->session, name, &e);
    if (!p) {
        report(c, &e);
        return EXIT_REJECTED;
    }
    sr_buf rep;
    sr_buf_init(&rep);
    int problems = rp_check(p, &rep, &e);
    int status = EXIT_DONE;
    if (problems < 0) {
        report(c, &e);
        status = EXIT_REJECTED;
    } else if (problems > 0) {
        fputs(rep.data, c->err);
        fprintf(c->err, "%s: %d problem%s\n", p->name, problems, problems == 1 ? "" : "s");
        status = EXIT_REJECTED;
    } else {
        size_t combos = 1;
        for (size_t s = 0; s < p->nservices; s++)
            combos *= p->serving.nwords * p->capacity.nwords;
        size_t documented = 0;
        for (size_t i = 0; i < p->nstar_rules; i++)
            documented += !p->star_rules[i].prov.reconstructed;
        fprintf(c->out,
                "%s %s: ok (%zu files; %zu services, 6 standards, %zu indicators, %zu "
                "requirements, %zu caps, %zu star rules; all %zu judgement combinations "
                "matched)\n",
                p->name, p->version, p->nfiles, p->nservices, p->nindicators, p->nrequirements,
                p->ncaps, p->nstar_rules, combos);
        un_list_params(&rep, p);
        fputs(rep.data ? rep.data : "", c->out);
    }
    sr_buf_free(&rep);
    return status;
}

static int cmd_check(cli *c)
{
    if (c->o.help) {
        fputs(usage_check, c->out);
        return EXIT_DONE;
    }
    int status = EXIT_DONE;
    if (c->o.nargs == 0) {
        static char dirs[64][PATH_MAX];
        int n = all_packs(dirs, 64);
        if (n == 0) {
            fprintf(c->err, "starrate: no rule pack found\n");
            return EXIT_REJECTED;
        }
        for (int i = 0; i < n; i++)
            if (check_one(c, dirs[i]) != EXIT_DONE)
                status = EXIT_REJECTED;
        return status;
    }
    for (int i = 0; i < c->o.nargs; i++)
        if (check_one(c, c->o.args[i]) != EXIT_DONE)
            status = EXIT_REJECTED;
    return status;
}

/* ---- test ----------------------------------------------------------------------------- */


static int cmd_test(cli *c)
{
    if (c->o.help) {
        fputs(usage_test, c->out);
        return EXIT_DONE;
    }
    pt_options po = {c->o.junit, c->out, c->err, &c->session};
    static char dirs[64][PATH_MAX];
    const char *targets[256];
    int n = 0;
    if (c->o.nargs == 0) {
        int nd = all_packs(dirs, 64);
        for (int i = 0; i < nd; i++)
            targets[n++] = dirs[i];
    } else {
        for (int i = 0; i < c->o.nargs; i++)
            targets[n++] = c->o.args[i];
    }
    return pt_run(targets, n, &po);
}

/* ---- import ------------------------------------------------------------------------- */

static int cmd_import(cli *c)
{
    if (c->o.help) {
        fputs(usage_import, c->out);
        return EXIT_DONE;
    }
    if (c->o.nargs != 1)
        return usage_error(c, "import needs exactly one letter file%s", "");
    const char *path = c->o.args[0];
    const char *shown = strcmp(path, "-") == 0 ? "<stdin>" : path;
    sr_error e;
    sr_error_clear(&e);
    char *text = NULL;
    size_t len = 0;
    im_letter *letter = NULL;
    sr_buf yaml, warnings;
    sr_buf_init(&yaml);
    sr_buf_init(&warnings);
    int rc = sr_read_file(path, yd_default_limits.max_bytes, &text, &len, &e);
    if (rc == SR_OK) rc = im_parse(shown, text, len, &letter, &e);
    if (rc == SR_OK) rc = im_write_yaml(letter, shown, &yaml);
    if (rc == SR_OK) rc = im_warnings(letter, shown, &warnings);
    if (rc == SR_OK && (yaml.oom || warnings.oom))
        rc = sr_oom(&e);
    int status = EXIT_DONE;
    if (rc != SR_OK) {
        if (e.code == SR_OK)
            sr_fail(&e, rc, shown, 0, 0, "import failed");
        report(c, &e);
        status = EXIT_REJECTED;
    } else {
        if (warnings.len)
            fputs(warnings.data, c->err);
        status = write_output(c, &yaml);
    }
    im_free(letter);
    sr_free(text);
    sr_buf_free(&yaml);
    sr_buf_free(&warnings);
    return status;
}

/* ---- dispatch ------------------------------------------------------------------------- */

static int cmd_help(cli *c)
{
    const char *topic = c->o.nargs ? c->o.args[0] : NULL;
    if (!topic) fputs(usage_main, c->out);
    else if (strcmp(topic, "rate") == 0) fputs(usage_rate, c->out);
    else if (strcmp(topic, "explain") == 0) fputs(usage_explain, c->out);
    else if (strcmp(topic, "stars") == 0) fputs(usage_stars, c->out);
    else if (strcmp(topic, "import") == 0) fputs(usage_import, c->out);
    else if (strcmp(topic, "check") == 0) fputs(usage_check, c->out);
    else if (strcmp(topic, "test") == 0) fputs(usage_test, c->out);
    else if (strcmp(topic, "report") == 0) { char *h[] = {"--help"}; return hr_report_main(1, h, c->out, c->err); }
    else if (strcmp(topic, "backtest") == 0) { char *h[] = {"--help"}; return bt_backtest_main(1, h, c->out, c->err); }
    else if (strcmp(topic, "whatif") == 0) { char *h[] = {"--help"}; return wi_whatif_main(1, h, c->out, c->err); }
    else if (strcmp(topic, "seek") == 0) { char *h[] = {"--help"}; return wi_seek_main(1, h, c->out, c->err); }
    else return usage_error(c, "no help for '%s'", topic);
    return EXIT_DONE;
}

int cli_main(int argc, char **argv, FILE *out, FILE *err)
{
    static cli c;  /* large (pack cache); one run at a time */
    memset(&c, 0, sizeof c);
    c.out = out;
    c.err = err;
    if (argc < 2) {
        fputs(usage_main, err);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "report") == 0) return hr_report_main(argc - 2, argv + 2, out, err);
    if (strcmp(cmd, "backtest") == 0) return bt_backtest_main(argc - 2, argv + 2, out, err);
    if (strcmp(cmd, "whatif") == 0) return wi_whatif_main(argc - 2, argv + 2, out, err);
    if (strcmp(cmd, "seek") == 0) return wi_seek_main(argc - 2, argv + 2, out, err);
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        fputs(usage_main, out);
        return EXIT_DONE;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        fprintf(out, "starrate %s\n", STARRATE_VERSION);
        return EXIT_DONE;
    }
    static const struct { const char *name; int (*fn)(cli *); } cmds[] = {
        {"rate", cmd_rate},   {"explain", cmd_explain}, {"stars", cmd_stars},
        {"check", cmd_check}, {"test", cmd_test},       {"help", cmd_help},
        {"import", cmd_import},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(cmd, cmds[i].name) == 0) {
            if (parse_opts(&c, argc - 2, argv + 2))
                return EXIT_USAGE;
            int status = cmds[i].fn(&c);
            ss_free(&c.session);
            return status;
        }
    return usage_error(&c, "unknown command '%s'", cmd);
}
