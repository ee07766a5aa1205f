/*
 * test_scenario.c — scenarios: every kind of change reads and has its effect, every mistake
 * is rejected with its message, line and column pinned, rollback restores the evidence
 * exactly, base chains and cycles, plans written as YAML mean what they say, and every
 * allocation failure comes back as SR_ENOMEM without leaks.
 */
#include "helpers.h"
#include "scenario.h"

#include <stdlib.h>
#include <unistd.h>

static rp_pack *pack;

static void setup(void) { pack = th_pack(RULES_DIR("2003")); }
static void teardown(void) { rp_free(pack); }

TestSuite(scenario, .init = setup, .fini = teardown);

/* ---- helpers ------------------------------------------------------------------------------- */

static sc_scenario *scenario(const char *yaml)
{
    sc_scenario *s = NULL;
    sr_error err;
    sr_error_clear(&err);
    int rc = sc_parse("t.yaml", yaml, strlen(yaml), &s, &err);
    cr_assert_eq(rc, SR_OK, "%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    return s;
}

static void rejects(const char *yaml, int line, int col, const char *msg)
{
    sc_scenario *s = NULL;
    sr_error err;
    sr_error_clear(&err);
    int rc = sc_parse("t.yaml", yaml, strlen(yaml), &s, &err);
    cr_assert_neq(rc, SR_OK, "accepted: %s", yaml);
    cr_assert_null(s);
    cr_assert_str_eq(err.file, "t.yaml");
    cr_assert(strstr(err.msg, msg) != NULL, "message [%s] lacks [%s]", err.msg, msg);
    cr_assert_eq(err.line, line, "line %d, expected %d: %s", err.line, line, err.msg);
    cr_assert_eq(err.col, col, "col %d, expected %d: %s", err.col, col, err.msg);
}

/* "name/description/changes:" around a list of changes. */
#define HEAD "name: t\ndescription: d\nchanges:\n"

typedef struct world {
    ev_evidence *ev;
    sc_work *w;
    rt_result r;
} world;

static void world_open(world *x, const char *council)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", COUNCIL(""));
    snprintf(path + strlen(path), sizeof path - strlen(path), "%s", council);
    x->ev = th_evidence_file(pack, path);
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(sc_work_new(pack, x->ev, &x->w, &err), SR_OK, "%s", err.msg);
    rt_init(&x->r);
}

static void world_close(world *x)
{
    rt_free(&x->r);
    sc_work_free(x->w);
    ev_free(x->ev);
}

static int apply_text(world *x, const char *yaml, sr_error *err)
{
    sc_scenario *s = scenario(yaml);
    sr_error_clear(err);
    int rc = sc_apply_all(x->w, s, err);
    sc_free(s);
    return rc;
}

static void applies(world *x, const char *yaml)
{
    sr_error err;
    int rc = apply_text(x, yaml, &err);
    cr_assert_eq(rc, SR_OK, "%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
}

static void apply_rejects(const char *council, const char *yaml, int line, int col, const char *msg)
{
    world x;
    world_open(&x, council);
    sr_error err;
    size_t mark = sc_mark(x.w);
    int rc = apply_text(&x, yaml, &err);
    cr_assert_eq(rc, SR_EINPUT, "accepted: %s", yaml);
    cr_assert_str_eq(err.file, "t.yaml");
    cr_assert(strstr(err.msg, msg) != NULL, "message [%s] lacks [%s]", err.msg, msg);
    cr_assert_eq(err.line, line, "line %d, expected %d: %s", err.line, line, err.msg);
    cr_assert_eq(err.col, col, "col %d, expected %d: %s", err.col, col, err.msg);
    cr_assert_eq(sc_mark(x.w), mark, "a rejected change left undo records");
    world_close(&x);
}

static void evaluate(world *x)
{
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(rt_evaluate(pack, sc_work_evidence(x->w), &x->r, &err), SR_OK, "%s", err.msg);
}

static const tr_node *node(const rt_result *r, const char *subject)
{
    for (size_t i = 0; i < r->trace.n; i++)
        if (strcmp(r->trace.nodes[i].subject, subject) == 0)
            return &r->trace.nodes[i];
    return NULL;
}

static const char *output(const rt_result *r, const char *subject)
{
    const tr_node *nd = node(r, subject);
    cr_assert_not_null(nd, "no trace node %s", subject);
    return tr_output(nd) ? tr_output(nd) : "(null)";
}

/* ---- reading -------------------------------------------------------------------------------- */

Test(scenario, reads_every_kind_of_change)
{
    sc_scenario *s = scenario(
        "name: Every change\n"
        "description: >\n  one of each\n"
        "changes:\n"
        "  - {set: adults.indicator.D42, value: 40, band: 5, previous: 8, note: upper band}\n"
        "  - clear: adults.indicator.D39.band\n"
        "  - {set: adults.finding.ad-afi-7, kind: strength, weight: 2, standards: [4], indicators: [D42]}\n"
        "  - {add: children.capacity_finding, id: ch-new, text: New lead, kind: improvement, theme: leadership}\n"
        "  - remove: adults.finding.#3\n"
        "  - {set: adults.requirement.care_homes_inspected, met: false}\n"
        "  - {set: children.standard.2, grade: good}\n"
        "  - {set: adults.serving, judgement: most}\n"
        "  - clear: adults.capacity\n");
    cr_assert_str_eq(s->name, "Every change");
    cr_assert_str_eq(s->description, "one of each"); /* the folded block's newline dropped */
    cr_assert_null(s->evidence);
    cr_assert_eq(s->nchanges, 9);
    cr_assert_eq(s->nown, 9);
    const sc_change *c = s->changes;
    cr_assert_eq(c[0].verb, SC_SET);
    cr_assert_eq(c[0].what, SC_INDICATOR);
    cr_assert_str_eq(c[0].service, "adults");
    cr_assert_str_eq(c[0].name, "D42");
    cr_assert_eq(c[0].has, SC_HAS_VALUE | SC_HAS_BAND | SC_HAS_PREVIOUS);
    cr_assert_float_eq(c[0].value, 40, 1e-12);
    cr_assert_eq(c[0].band, 5);
    cr_assert_str_eq(c[0].note, "upper band");
    cr_assert_eq(c[0].line, 5);
    cr_assert_eq(c[0].col, 5);
    cr_assert_eq(c[1].verb, SC_CLEAR);
    cr_assert_str_eq(c[1].field, "band");
    cr_assert_str_eq(c[2].kind, "strength");
    cr_assert_eq(c[2].standards, 1u << 4);
    cr_assert_eq(c[2].ncodes, 1);
    cr_assert_eq(c[3].verb, SC_ADD);
    cr_assert_eq(c[3].what, SC_CAPACITY_FINDING);
    cr_assert_str_eq(c[3].theme, "leadership");
    cr_assert_eq(c[4].verb, SC_REMOVE);
    cr_assert_eq(c[4].position, 3);
    cr_assert_null(c[4].name);
    cr_assert_eq(c[5].met, 0);
    cr_assert(c[5].has & SC_HAS_MET);
    cr_assert_eq(c[6].what, SC_STANDARD);
    cr_assert_eq(c[6].standard, 2);
    cr_assert_str_eq(c[6].word, "good");
    cr_assert_eq(c[7].what, SC_SERVING);
    cr_assert_eq(c[8].what, SC_CAPACITY);
    cr_assert_eq(c[8].verb, SC_CLEAR);
    sc_free(s);
}

Test(scenario, rejects_shape_with_positions)
{
    rejects("name: t\nchanges: []\n", 1, 1, "missing key 'description' in scenario");
    rejects("name: t\ndescription: d\n", 1, 1, "missing key 'changes' in scenario");
    rejects("name: t\ndescription: d\nchanges: []\nbasis: x\n", 4, 1, "unknown key 'basis' in scenario");
    rejects(HEAD "  - value: 3\n", 4, 5, "a change needs a verb");
    rejects(HEAD "  - {set: adults.serving, clear: adults.serving}\n", 4, 5, "a change has one verb");
    rejects(HEAD "  - set: adults.indicators.D42\n    value: 1\n", 4, 10,
            "bad path 'adults.indicators.D42': the part after the service must be indicator");
    rejects(HEAD "  - set: adults\n", 4, 10, "bad path 'adults': expected SERVICE.WHAT");
    rejects(HEAD "  - set: adults.standard.0\n    grade: good\n", 4, 10, "standards are numbered from 1");
    rejects(HEAD "  - clear: adults.indicator.D42.colour\n", 4, 12, "an indicator's field is value, band or previous");
    rejects(HEAD "  - remove: adults.indicator.D42\n", 4, 13, "use clear to take an indicator out of the evidence");
    rejects(HEAD "  - clear: adults.finding.ad-afi-1\n", 4, 12, "use remove to take a finding out");
    rejects(HEAD "  - add: adults.indicator.D42\n", 4, 10, "only findings can be added");
    rejects(HEAD "  - set: adults.finding\n    kind: strength\n", 4, 10, "name the finding by id or by position");
    rejects(HEAD "  - remove: adults.finding.#0\n", 4, 13, "a position is '#' and a number from 1");
    rejects(HEAD "  - set: adults.indicator.D42\n", 4, 5, "set adults.indicator.D42 needs value, band or previous");
    rejects(HEAD "  - set: adults.indicator.D42\n    band: 6\n", 5, 11, "band");
    rejects(HEAD "  - set: adults.indicator.D42\n    value: \"40\"\n", 5, 12, "expected a number");
    rejects(HEAD "  - set: adults.indicator.D42\n    grade: good\n", 5, 5, "unknown key 'grade' in set indicator change");
    rejects(HEAD "  - set: adults.finding.ad-afi-1\n    weight: 4\n", 5, 13, "weight must be from 0 to 3");
    rejects(HEAD "  - set: adults.capacity_finding.ad-capcon-1\n    kind: area_for_improvement\n", 5, 11,
            "unknown kind 'area_for_improvement'");
    rejects(HEAD "  - add: adults.finding\n    text: x\n", 4, 5, "add adults.finding needs kind");
    rejects(HEAD "  - set: adults.requirement.race_equality\n", 4, 5, "needs met (true or false)");
    rejects(HEAD "  - set: adults.requirement.race_equality\n    met: maybe\n", 5, 10, "met");
    rejects(HEAD "  - set: adults.serving\n    grade: most\n", 5, 5, "unknown key 'grade' in set serving change");
}

/* ---- applying: errors name the change ------------------------------------------------------ */

Test(scenario, rejects_paths_that_do_not_exist)
{
    const char *harrow = "harrow-2003.yaml";
    apply_rejects(harrow, HEAD "  - set: adult.indicator.D42\n    value: 40\n", 4, 10,
                  "unknown service 'adult' in adult.indicator.D42 (expected one of: children, adults)");
    apply_rejects(harrow, HEAD "  - set: adults.indicator.D99\n    value: 40\n", 4, 10,
                  "unknown indicator 'D99': not in the ssi-2003 catalogue");
    apply_rejects(harrow, HEAD "  - set: adults.indicator.A1\n    value: 10\n", 4, 10,
                  "indicator A1 belongs to children's services, not adults' services");
    apply_rejects(harrow, HEAD "  - clear: adults.indicator.D40\n", 4, 12, "have no indicator D40 to clear");
    apply_rejects(harrow, HEAD "  - set: adults.indicator.D40\n    previous: 50\n", 4, 10,
                  "has no indicator D40 yet: give its value or band");
    apply_rejects(harrow, HEAD "  - set: adults.finding.ad-afi-99\n    kind: strength\n", 4, 10,
                  "no finding with id 'ad-afi-99' in the evidence");
    apply_rejects(harrow, HEAD "  - set: adults.finding.ch-afi-1\n    kind: strength\n", 4, 10,
                  "finding 'ch-afi-1' is a finding of children's services, not a finding of adults' services");
    apply_rejects(harrow, HEAD "  - set: adults.finding.ad-capcon-1\n    kind: strength\n", 4, 10,
                  "use adults.capacity_finding.ad-capcon-1");
    apply_rejects(harrow, HEAD "  - remove: adults.finding.#15\n", 4, 13,
                  "adults' services have 14 findings; there is no #15");
    apply_rejects(harrow, HEAD "  - set: adults.requirement.homes_inspected\n    met: true\n", 4, 10,
                  "unknown requirement 'homes_inspected' for adults' services (expected one of: "
                  "care_homes_inspected, race_equality)");
    apply_rejects(harrow, HEAD "  - set: adults.standard.4\n    grade: excellent\n", 4, 5,
                  "unknown standard grade 'excellent' (expected one of: inadequate, adequate, good, very_good)");
    apply_rejects(harrow, HEAD "  - set: adults.standard.7\n    grade: good\n", 4, 10,
                  "the ssi-2003 rule pack has no standard 7 (its standards are 1 to 6)");
    apply_rejects(harrow, HEAD "  - set: children.capacity\n    judgement: most\n", 4, 5,
                  "unknown capacity for improvement 'most'");
    apply_rejects(harrow, HEAD "  - {add: adults.finding, id: ch-imp-1, text: x, kind: strength}\n", 4, 5,
                  "finding id 'ch-imp-1' is already in the evidence");
    apply_rejects(harrow, HEAD "  - set: adults.finding.ad-afi-1\n    indicators: [Z9]\n", 4, 5,
                  "unknown indicator 'Z9' in finding");
    /* The second change fails: the first, applied already, is rolled back too. */
    apply_rejects(harrow, HEAD "  - {set: adults.indicator.D42, value: 40}\n  - {set: adults.indicator.D77, value: 1}\n",
                  5, 11, "unknown indicator 'D77'");
}

/* ---- applying: effects --------------------------------------------------------------------- */

Test(scenario, indicator_changes_move_bands)
{
    world x;
    world_open(&x, "harrow-2003.yaml");
    evaluate(&x);
    cr_assert_str_eq(output(&x.r, "adults.indicator.D42"), "1");
    applies(&x, HEAD "  - {set: adults.indicator.D42, value: 40}\n");
    evaluate(&x);
    cr_assert_str_eq(output(&x.r, "adults.indicator.D42"), "5");
    cr_assert_eq(node(&x.r, "adults.indicator.D42")->source, TR_DERIVED);
    applies(&x, HEAD "  - {set: adults.indicator.D42, band: 2}\n");
    evaluate(&x);
    cr_assert_str_eq(output(&x.r, "adults.indicator.D42"), "2");
    cr_assert_eq(node(&x.r, "adults.indicator.D42")->source, TR_GIVEN);
    applies(&x, HEAD "  - clear: adults.indicator.D42.band\n");
    evaluate(&x);
    cr_assert_str_eq(output(&x.r, "adults.indicator.D42"), "5");
    /* An indicator not in the evidence is added; one cleared leaves it. */
    applies(&x, HEAD "  - {set: adults.indicator.D40, value: 75}\n  - clear: adults.indicator.D39\n");
    evaluate(&x);
    cr_assert_not_null(node(&x.r, "adults.indicator.D40"));
    cr_assert_null(node(&x.r, "adults.indicator.D39"));
    /* Clearing the value of an indicator that has no band takes it out too. */
    applies(&x, HEAD "  - clear: adults.indicator.D40.value\n");
    evaluate(&x);
    cr_assert_null(node(&x.r, "adults.indicator.D40"));
    world_close(&x);
}

Test(scenario, key_threshold_follows_value_and_requirement)
{
    world x;
    world_open(&x, "demo-2-star-capped.yaml");
    evaluate(&x);
    cr_assert_str_eq(output(&x.r, "adults.serving.cap.D38-equipment"), "capped");
    cr_assert_str_eq(output(&x.r, "adults.serving"), "most");
    applies(&x, HEAD "  - {set: adults.indicator.D38, value: 80}\n");
    evaluate(&x);
    cr_assert_str_eq(output(&x.r, "adults.serving.cap.D38-equipment"), "not breached");
    cr_assert_str_eq(output(&x.r, "adults.serving"), "yes");
    applies(&x, HEAD "  - {set: adults.requirement.care_homes_inspected, met: false}\n");
    evaluate(&x);
    cr_assert_str_eq(output(&x.r, "adults.serving.cap.care-homes-inspected"), "capped");
    applies(&x, HEAD "  - clear: adults.requirement.care_homes_inspected\n");
    evaluate(&x);
    cr_assert_str_eq(output(&x.r, "adults.serving.cap.care-homes-inspected"), "not evaluated");
    world_close(&x);
}

Test(scenario, finding_changes_reach_their_standard)
{
    world x;
    world_open(&x, "harrow-2003.yaml");
    evaluate(&x);
    cr_assert_str_eq(output(&x.r, "children.standard.2"), "inadequate");
    applies(&x, HEAD "  - {set: children.finding.ch-afi-2, kind: improvement}\n");
    evaluate(&x);
    cr_assert_str_eq(output(&x.r, "children.standard.2"), "adequate");
    cr_assert_str_eq(output(&x.r, "children.serving"), "most");
    cr_assert_eq(x.r.stars, 2);
    /* Added by position-free add, removed by position: the list is what the trace reads. */
    applies(&x, HEAD "  - {add: children.finding, id: ch-new-1, text: new strength, kind: strength, standards: [4]}\n");
    evaluate(&x);
    cr_assert_str_neq(output(&x.r, "children.standard.4"), "(null)");
    const ev_service *ch = &sc_work_evidence(x.w)->services[0];
    size_t n = ch->nfindings;
    cr_assert_str_eq(ch->findings[n - 1].id, "ch-new-1");
    char yaml[256];
    snprintf(yaml, sizeof yaml, HEAD "  - remove: children.finding.#%zu\n", n);
    applies(&x, yaml);
    cr_assert_eq(ch->nfindings, n - 1);
    evaluate(&x);
    cr_assert_str_eq(output(&x.r, "children.standard.4"), "(null)");
    /* A capacity finding reaches standard 6. */
    applies(&x, HEAD "  - {set: adults.capacity_finding.ad-capcon-1, kind: strength}\n"
                "  - {set: adults.capacity_finding.ad-capcon-2, kind: strength}\n"
                "  - {set: adults.capacity_finding.ad-capcon-3, kind: strength}\n");
    evaluate(&x);
    cr_assert_str_eq(output(&x.r, "adults.standard.6"), "very_good");
    cr_assert_str_eq(output(&x.r, "adults.capacity"), "excellent");
    world_close(&x);
}

Test(scenario, given_grades_and_judgements)
{
    world x;
    world_open(&x, "harrow-2003.yaml");
    applies(&x, HEAD "  - {set: adults.standard.3, grade: very_good}\n  - {set: children.serving, judgement: yes}\n");
    evaluate(&x);
    const tr_node *g = node(&x.r, "adults.standard.3");
    cr_assert_str_eq(g->output, "very_good");
    cr_assert_eq(g->source, TR_GIVEN);
    cr_assert_str_eq(output(&x.r, "children.serving"), "yes");
    cr_assert_eq(x.r.svc[0].serving_given, 1);
    applies(&x, HEAD "  - clear: children.serving\n  - clear: adults.standard.3\n");
    evaluate(&x);
    cr_assert_str_eq(output(&x.r, "children.serving"), "some");
    cr_assert_eq(node(&x.r, "adults.standard.3")->source, TR_DERIVED);
    world_close(&x);
}

/* Every field the evaluation reads, compared between two evidence records. */
static void same_evidence(const ev_evidence *a, const ev_evidence *b)
{
    for (size_t s = 0; s < a->nservices; s++) {
        const ev_service *x = &a->services[s], *y = &b->services[s];
        cr_assert_eq(x->nindicators, y->nindicators);
        for (size_t i = 0; i < x->nindicators; i++) {
            cr_assert_str_eq(x->indicators[i].code, y->indicators[i].code);
            cr_assert_eq(x->indicators[i].has_value, y->indicators[i].has_value);
            cr_assert_eq(x->indicators[i].value, y->indicators[i].value);
            cr_assert_eq(x->indicators[i].band, y->indicators[i].band);
        }
        cr_assert_eq(x->nfindings, y->nfindings);
        for (size_t i = 0; i < x->nfindings; i++) {
            cr_assert_str_eq(x->findings[i].id, y->findings[i].id);
            cr_assert_str_eq(x->findings[i].text, y->findings[i].text);
            cr_assert_eq(x->findings[i].kind, y->findings[i].kind);
            cr_assert_eq(x->findings[i].standards, y->findings[i].standards);
        }
        cr_assert_eq(x->ncapacity, y->ncapacity);
        for (size_t i = 0; i < x->ncapacity; i++)
            cr_assert_eq(x->capacity_findings[i].kind, y->capacity_findings[i].kind);
        for (size_t q = 0; q < pack->nrequirements; q++)
            cr_assert_eq(x->requirements[q], y->requirements[q]);
        cr_assert_eq(x->given_serving, y->given_serving);
        cr_assert_eq(x->given_capacity, y->given_capacity);
        for (int k = 0; k < RP_STANDARDS; k++)
            cr_assert_eq(x->given_grade[k], y->given_grade[k]);
    }
}

Test(scenario, rollback_restores_the_evidence)
{
    world x;
    world_open(&x, "harrow-2003.yaml");
    evaluate(&x);
    int stars = x.r.stars;
    size_t mark = sc_mark(x.w);
    applies(&x, HEAD
            "  - {set: adults.indicator.D42, value: 40, band: 5}\n"
            "  - {set: adults.indicator.D40, value: 75}\n"
            "  - clear: adults.indicator.D39\n"
            "  - {set: children.finding.ch-afi-2, kind: improvement, text: changed, indicators: [B8]}\n"
            "  - {set: children.finding.ch-afi-2, text: changed again}\n"
            "  - {add: adults.finding, text: added, kind: strength, standards: [1]}\n"
            "  - {add: adults.finding, text: added too, kind: strength, standards: [2]}\n"
            "  - remove: adults.finding.#1\n"
            "  - remove: children.capacity_finding.ch-capcon-1\n"
            "  - {set: adults.requirement.race_equality, met: false}\n"
            "  - {set: adults.standard.4, grade: good}\n"
            "  - {set: children.capacity, judgement: excellent}\n");
    evaluate(&x);
    cr_assert_neq(x.r.trace.n, 0);
    cr_assert_str_eq(sc_work_evidence(x.w)->services[1].findings[sc_work_evidence(x.w)->services[1].nfindings - 1].id,
                     "adults-finding-added-2");
    sc_rollback(x.w, mark);
    same_evidence(sc_work_evidence(x.w), x.ev);
    evaluate(&x);
    cr_assert_eq(x.r.stars, stars);
    world_close(&x);
}

Test(scenario, clone_is_deep_and_repoints_declarations)
{
    ev_evidence *ev;
    sr_error err;
    int rc = th_evidence(pack, "council: X\nyear: 2003\nindicators:\n"
                         "  - {code: X1, name: Respite, service: adults, standard: 4, polarity: higher, unit: percent,\n"
                         "     bands: [{band: 5, min: 80}, {band: 4, min: 60}]}\n"
                         "adults:\n  indicators:\n    - {code: X1, value: 70}\n"
                         "  findings:\n    - {id: f1, text: one, kind: concern, standards: [4], indicators: [X1]}\n",
                         &ev, &err);
    cr_assert_eq(rc, SR_OK, "%s", err.msg);
    ev_evidence *cp = NULL;
    cr_assert_eq(ev_clone(ev, pack->nrequirements, NULL, &cp, &err), SR_OK);
    cr_assert_neq(cp->services[1].indicators, ev->services[1].indicators);
    cr_assert_eq(cp->services[1].indicators[0].def, &cp->custom[0]);
    cr_assert_neq(cp->custom[0].code, ev->custom[0].code);
    cr_assert_str_eq(cp->custom[0].code, "X1");
    cr_assert_neq(cp->services[1].findings[0].text, ev->services[1].findings[0].text);
    cp->services[1].findings[0].text[0] = 'O';
    cr_assert_str_eq(ev->services[1].findings[0].text, "one");
    ev_free(cp);
    /* A working copy evaluates like the original, custom band limits included. */
    sc_work *w;
    cr_assert_eq(sc_work_new(pack, ev, &w, &err), SR_OK);
    rt_result r;
    rt_init(&r);
    cr_assert_eq(rt_evaluate(pack, sc_work_evidence(w), &r, &err), SR_OK, "%s", err.msg);
    cr_assert_str_eq(output(&r, "adults.indicator.X1"), "4");
    rt_free(&r);
    sc_work_free(w);
    ev_free(ev);
}

/* ---- chains ------------------------------------------------------------------------------ */

static char tmpdir[64];

static void write_file(const char *name, const char *text)
{
    th_write_in(tmpdir, name, text, strlen(text));
}

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/starrate-sc-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    cr_assert_eq(system(cmd), 0);
}

Test(scenario, base_chain_puts_base_changes_first)
{
    make_tmpdir();
    char base_ev[512];
    snprintf(base_ev, sizeof base_ev,
             "name: a\ndescription: d\nbase: %s\nchanges:\n  - {set: adults.indicator.D42, value: 40}\n",
             COUNCIL("harrow-2003.yaml"));
    write_file("a.yaml", base_ev);
    write_file("b.yaml", "name: b\ndescription: d\nbase: a.yaml\nchanges:\n  - {set: adults.indicator.D39, value: 81}\n");
    char path[256];
    snprintf(path, sizeof path, "%s/b.yaml", tmpdir);
    sc_scenario *s = NULL;
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(sc_load(path, &s, &err), SR_OK, "%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    cr_assert_eq(s->nchanges, 2);
    cr_assert_eq(s->nown, 1);
    cr_assert_str_eq(s->changes[0].name, "D42");
    cr_assert(strstr(s->changes[0].file, "a.yaml") != NULL);
    cr_assert_str_eq(s->changes[1].name, "D39");
    cr_assert_str_eq(s->evidence, COUNCIL("harrow-2003.yaml"));
    cr_assert(strstr(s->evidence_file, "a.yaml") != NULL);
    cr_assert_eq(s->evidence_line, 3);
    cr_assert_eq(s->evidence_col, 7);
    sc_free(s);
    remove_tmpdir();
}

Test(scenario, base_cycle_and_missing_base_are_errors)
{
    make_tmpdir();
    write_file("a.yaml", "name: a\ndescription: d\nbase: b.yaml\nchanges: []\n");
    write_file("b.yaml", "name: b\ndescription: d\nbase: a.yaml\nchanges: []\n");
    write_file("c.yaml", "name: c\ndescription: d\nbase: nowhere.yaml\nchanges: []\n");
    char path[256];
    sc_scenario *s = NULL;
    sr_error err;
    snprintf(path, sizeof path, "%s/a.yaml", tmpdir);
    cr_assert_eq(sc_load(path, &s, &err), SR_EINPUT);
    cr_assert_null(s);
    cr_assert(strstr(err.msg, "base 'a.yaml' leads back to itself") != NULL, "%s", err.msg);
    cr_assert(strstr(err.file, "b.yaml") != NULL);
    cr_assert_eq(err.line, 3);
    cr_assert_eq(err.col, 7);
    snprintf(path, sizeof path, "%s/c.yaml", tmpdir);
    cr_assert_eq(sc_load(path, &s, &err), SR_EINPUT);
    cr_assert(strstr(err.msg, "cannot read base 'nowhere.yaml'") != NULL, "%s", err.msg);
    cr_assert_eq(err.line, 3);
    remove_tmpdir();
}

/* ---- plans written as YAML ---------------------------------------------------------------- */

Test(scenario, yaml_form_reads_back_the_same)
{
    sc_scenario *s = scenario(HEAD
        "  - {set: adults.indicator.D42, value: 12.5, band: 3, note: \"a \\\"quoted\\\" note\"}\n"
        "  - {set: adults.finding.ad-afi-7, kind: strength, text: \"carers: 40%\", standards: [4, 5], indicators: [D42]}\n"
        "  - {set: children.requirement.homes_inspected, met: true}\n"
        "  - {set: adults.standard.2, grade: good}\n"
        "  - {add: adults.capacity_finding, id: n1, kind: concern, text: t, theme: finance, weight: 2}\n");
    sr_buf b;
    sr_buf_init(&b);
    sr_buf_puts(&b, HEAD);
    for (size_t i = 0; i < s->nchanges; i++) {
        sr_buf_puts(&b, "  - ");
        sc_change_yaml(&s->changes[i], &b);
        sr_buf_putc(&b, '\n');
    }
    sc_scenario *t = scenario(b.data);
    cr_assert_eq(t->nchanges, s->nchanges);
    for (size_t i = 0; i < s->nchanges; i++) {
        const sc_change *x = &s->changes[i], *y = &t->changes[i];
        cr_assert_eq(x->verb, y->verb);
        cr_assert_str_eq(x->path, y->path);
        cr_assert_eq(x->has, y->has, "change %zu: has %x vs %x", i, x->has, y->has);
        cr_assert_eq(x->value, y->value);
        cr_assert_eq(x->band, y->band);
        cr_assert_eq(x->standards, y->standards);
        cr_assert_eq(x->met, y->met);
        cr_assert_eq(x->weight, y->weight);
        if (x->text) cr_assert_str_eq(x->text, y->text);
        if (x->note) cr_assert_str_eq(x->note, y->note);
        if (x->word) cr_assert_str_eq(x->word, y->word);
    }
    sr_buf_free(&b);
    sr_buf_init(&b);
    sc_change_describe(&s->changes[0], &b);
    cr_assert_str_eq(b.data, "set adults.indicator.D42: value 12.5, band 3");
    sr_buf_free(&b);
    sc_free(s);
    sc_free(t);
}

/* ---- allocation failures --------------------------------------------------------------------- */

Test(scenario, every_allocation_failure_is_clean)
{
    const char *yaml = HEAD
        "  - {set: adults.indicator.D42, value: 40}\n"
        "  - {set: adults.indicator.D40, value: 75}\n"
        "  - {set: adults.finding.ad-afi-7, kind: strength, text: t, indicators: [D42]}\n"
        "  - {add: adults.finding, text: added, kind: strength, standards: [1], indicators: [D42]}\n"
        "  - remove: adults.finding.#1\n"
        "  - clear: adults.indicator.D39\n"
        "  - {set: adults.standard.4, grade: good}\n";
    ev_evidence *ev = th_evidence_file(pack, COUNCIL("harrow-2003.yaml"));
    int failures = 0, done = 0;
    for (long n = 1; n < 100000 && !done; n++) {
        sr_error err;
        sr_error_clear(&err);
        sc_scenario *s = NULL;
        sc_work *w = NULL;
        sr_alloc_fail_at(n);
        int rc = sc_parse("t.yaml", yaml, strlen(yaml), &s, &err);
        if (rc == SR_OK) rc = sc_work_new(pack, ev, &w, &err);
        if (rc == SR_OK) rc = sc_apply_all(w, s, &err);
        if (w)
            sc_rollback(w, 0);
        sr_alloc_fail_at(0);
        cr_assert(rc == SR_OK || rc == SR_ENOMEM, "allocation %ld: rc %d: %s", n, rc, err.msg);
        if (rc == SR_OK)
            done = 1;
        else
            failures++;
        if (w)
            same_evidence(sc_work_evidence(w), ev);
        sc_work_free(w);
        sc_free(s);
    }
    cr_assert(done, "never succeeded");
    cr_assert_gt(failures, 20, "only %d allocations were failed", failures);
    ev_free(ev);
}

/* ---- the documented example ------------------------------------------------------------------ */

Test(scenario, documented_example_is_the_file_and_applies)
{
    char *doc = NULL, *file = NULL;
    size_t dlen, flen;
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(sr_read_file(SR_SOURCE_ROOT "/docs/scenario-format.md", 1 << 20, &doc, &dlen, &err), SR_OK);
    const char *path = SR_SOURCE_ROOT "/scenarios/whatif/demo-every-change.yaml";
    cr_assert_eq(sr_read_file(path, 1 << 20, &file, &flen, &err), SR_OK);
    const char *start = strstr(doc, "```yaml\n");
    cr_assert_not_null(start);
    start += strlen("```yaml\n");
    cr_assert_eq(strncmp(start, file, flen), 0, "the example in docs/scenario-format.md differs from %s", path);
    sc_scenario *s = NULL;
    cr_assert_eq(sc_load(path, &s, &err), SR_OK, "%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    cr_assert_eq(s->nchanges, 13);
    /* Every verb on every kind of target appears. */
    unsigned seen = 0;
    for (size_t i = 0; i < s->nchanges; i++)
        seen |= 1u << (s->changes[i].verb * 8 + s->changes[i].what);
    cr_assert(seen & (1u << (SC_SET * 8 + SC_INDICATOR)));
    cr_assert(seen & (1u << (SC_CLEAR * 8 + SC_INDICATOR)));
    cr_assert(seen & (1u << (SC_REMOVE * 8 + SC_FINDING)));
    cr_assert(seen & (1u << (SC_ADD * 8 + SC_CAPACITY_FINDING)));
    cr_assert(seen & (1u << (SC_SET * 8 + SC_REQUIREMENT)));
    cr_assert(seen & (1u << (SC_CLEAR * 8 + SC_REQUIREMENT)));
    cr_assert(seen & (1u << (SC_SET * 8 + SC_STANDARD)));
    cr_assert(seen & (1u << (SC_SET * 8 + SC_CAPACITY)));
    world x;
    world_open(&x, "demo-2-star-capped.yaml");
    cr_assert_str_eq(s->evidence, SR_SOURCE_ROOT "/scenarios/whatif/../councils/demo-2-star-capped.yaml");
    cr_assert_eq(sc_apply_all(x.w, s, &err), SR_OK, "%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    evaluate(&x);
    cr_assert_str_eq(output(&x.r, "adults.serving"), "yes");
    cr_assert_str_eq(output(&x.r, "adults.serving.cap.D38-equipment"), "not breached");
    world_close(&x);
    sc_free(s);
    sr_free(doc);
    sr_free(file);
}
