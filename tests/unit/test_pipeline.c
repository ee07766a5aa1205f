/*
 * test_pipeline.c — a letter goes in, a rating comes out: the imported Harrow and Bath and
 * North East Somerset letters are evidence that `rate` accepts without edits, and the
 * indicator values read from a letter are marked as extracted in the trace.
 */
#include "helpers.h"
#include "starrate.h"
#include "cmd.h"
#include "import.h"

static rp_pack *pack;
static void setup(void) { pack = th_pack(RULES_DIR("2003")); }
static void teardown(void) { rp_free(pack); }
TestSuite(pipeline, .init = setup, .fini = teardown);

/* Imports a letter fixture and rates the YAML it writes. */
static void import_and_rate(const char *letter, rt_result *r, ev_evidence **out)
{
    char path[512];
    snprintf(path, sizeof path, "%s/tests/unit/data/letters/%s", SR_SOURCE_ROOT, letter);
    char *text = NULL;
    size_t len = 0;
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(sr_read_file(path, 1 << 22, &text, &len, &err), SR_OK, "%s", err.msg);
    im_letter *l = NULL;
    cr_assert_eq(im_parse(letter, text, len, NULL, &l, &err), SR_OK, "%s", err.msg);
    sr_buf yaml;
    sr_buf_init(&yaml);
    cr_assert_eq(im_write_yaml(l, letter, &yaml), SR_OK);
    yd_node *doc = NULL;
    cr_assert_eq(yd_parse("imported.yaml", yaml.data, yaml.len, &yd_default_limits, &doc, &err), SR_OK,
                 "%d:%d %s", err.line, err.col, err.msg);
    cr_assert_eq(ev_build(doc, "imported.yaml", pack, out, &err), SR_OK, "%d:%d %s", err.line, err.col, err.msg);
    cr_assert_eq(rt_evaluate(pack, *out, r, &err), SR_OK, "%s", err.msg);
    yd_free(doc);
    sr_buf_free(&yaml);
    im_free(l);
    sr_free(text);
}

Test(pipeline, harrow_letter_rates_without_edits)
{
    rt_result r;
    rt_init(&r);
    ev_evidence *ev = NULL;
    import_and_rate("harrow-2003.txt", &r, &ev);
    cr_assert_str_eq(ev->council, "London Borough of Harrow");
    cr_assert_eq(ev->services[0].nfindings, 14);
    cr_assert_eq(ev->services[1].nfindings, 14);
    cr_assert_eq(ev->services[0].ncapacity, 8);
    cr_assert_eq(ev->services[1].ncapacity, 11);
    /* Every judgement is derived from the letter alone: none is left open. */
    for (int s = 0; s < 2; s++) {
        cr_assert_geq(r.svc[s].serving, 0);
        cr_assert_geq(r.svc[s].capacity, 0);
    }
    cr_assert_geq(r.stars, 0);
    /* The carers' assessments figure came from the letter: the band step says so. */
    int found = 0;
    for (size_t i = 0; i < r.trace.n; i++)
        if (strcmp(r.trace.nodes[i].subject, "adults.indicator.D42") == 0) {
            cr_assert_eq(r.trace.nodes[i].inputs->source, TR_EXTRACTED);
            cr_assert_str_eq(r.trace.nodes[i].inputs->value, "8");
            cr_assert_str_eq(r.trace.nodes[i].output, "1");
            found = 1;
        }
    cr_assert(found);
    ev_free(ev);
    rt_free(&r);
}

Test(pipeline, bath_letter_rates_without_edits)
{
    rt_result r;
    rt_init(&r);
    ev_evidence *ev = NULL;
    import_and_rate("bath-ne-somerset-2003.txt", &r, &ev);
    cr_assert_str_eq(ev->council, "Bath and North East Somerset");
    cr_assert_eq(ev->services[0].nfindings, 11);
    cr_assert_eq(ev->services[1].nfindings, 11);
    cr_assert_eq(ev->services[0].ncapacity, 5);
    cr_assert_eq(ev->services[1].ncapacity, 10);
    for (int s = 0; s < 2; s++) {
        cr_assert_geq(r.svc[s].serving, 0);
        cr_assert_geq(r.svc[s].capacity, 0);
    }
    cr_assert_geq(r.stars, 0);
    ev_free(ev);
    rt_free(&r);
}

/* The sandbox limits can be set for one run; a bad setting is an error, not a default. */
Test(pipeline, sandbox_limits_from_the_environment)
{
    char *argv[] = {"starrate", "rate", COUNCIL("durham-2003.yaml")};
    setenv("STARRATE_LUA_INSTRUCTIONS", "1000", 1);
    captured c = th_run(cmd_main, 3, argv);
    cr_assert_eq(c.status, 1);
    cr_assert(strstr(c.err, "error: instruction budget of 1000 exceeded") != NULL, "%s", c.err);
    captured_free(&c);
    setenv("STARRATE_LUA_INSTRUCTIONS", "lots", 1);
    c = th_run(cmd_main, 3, argv);
    cr_assert_eq(c.status, 1);
    cr_assert_str_eq(c.err, "STARRATE_LUA_INSTRUCTIONS: error: must be a whole number from 1 to "
                            "2000000000, not 'lots'\n");
    captured_free(&c);
    unsetenv("STARRATE_LUA_INSTRUCTIONS");
    setenv("STARRATE_LUA_MEMORY_MB", "128", 1);
    c = th_run(cmd_main, 3, argv);
    cr_assert_eq(c.status, 0, "%s", c.err);
    cr_assert(strstr(c.out, "Rating: 2 stars") != NULL, "%s", c.out);
    captured_free(&c);
    unsetenv("STARRATE_LUA_MEMORY_MB");
}

/* The public header states the version on its own (it includes nothing of the engine): it
 * must be the engine's. */
Test(pipeline, public_version_is_the_engines)
{
    cr_assert_str_eq(STARRATE_VERSION, SR_VERSION);
}
