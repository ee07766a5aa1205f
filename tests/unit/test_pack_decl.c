/*
 * test_pack_decl.c — what a rule pack may declare: every declaration kind rejects a field it
 * does not have, at the declaration's file and line; `retire` removes what an extended round
 * declared, and naming a retired thing later is an error that says where it was retired; the
 * standards come from the pack (numbered from 1, one at most informing capacity).
 */
#include "helpers.h"

#include <stdlib.h>
#include <sys/stat.h>

static char root[256];

static void make_root(void)
{
    snprintf(root, sizeof root, "/tmp/starrate-decl-XXXXXX");
    cr_assert_not_null(mkdtemp(root));
}

static void remove_root(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(pack_decl, .init = make_root, .fini = remove_root);

/* A base round: the minimal declarations, two indicators, a requirement, two caps and a star
 * table that reads any services it is given. */
static const char base_lua[] =
    "indicator { code = 'K1', name = 'k1', service = 'children', standard = 1, unit = 'n',\n"
    "  polarity = 'higher', bands = { { band = 5, min = 10 } }, source = 's' }\n"
    "indicator { code = 'K2', name = 'k2', service = 'adults', standard = 2, unit = 'n',\n"
    "  polarity = 'lower', bands = { { band = 5, max = 10 } }, source = 's' }\n"
    "requirement { id = 'r1', text = 'r', services = { 'adults' }, source = 's' }\n"
    "cap { id = 'c1', service = 'children', judgement = 'serving', to = 'some', indicator = 'K1',\n"
    "  below = 3, sentence = 's', source = 's' }\n"
    "cap { id = 'c2', service = 'adults', judgement = 'serving', to = 'most', requirement = 'r1',\n"
    "  sentence = 's', source = 's' }\n"
    "star_rule { id = 'zero', stars = 0, sentence = 'z', source = 's', when = function(j)\n"
    "  for _, s in pairs(j) do if s.serving == 'no' then return true end end return false end }\n"
    "star_rule { id = 'rest', stars = 1, sentence = 'r', source = 's', when = function(j) return true end }\n";

static void write_round(const char *name, const char *manifest_extra, const char *decl)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", root, name);
    cr_assert_eq(mkdir(dir, 0700), 0);
    char manifest[512];
    int n = snprintf(manifest, sizeof manifest,
                     "pack { name = '%s', version = '1', round = 2002, title = 't'%s,\n"
                     "       files = { 'decl.lua' } }\n", name, manifest_extra);
    th_write_in(dir, "pack.lua", manifest, (size_t)n);
    th_write_in(dir, "decl.lua", decl, strlen(decl));
}

/* The base round (TH_DECL_LUA and base_lua, plus `extra`) under root/base. */
static void write_base(const char *extra)
{
    size_t n = strlen(TH_DECL_LUA) + strlen(base_lua) + strlen(extra) + 1;
    char *text = malloc(n);
    cr_assert_not_null(text);
    snprintf(text, n, "%s%s%s", TH_DECL_LUA, base_lua, extra);
    write_round("base", "", text);
    free(text);
}

static int load(const char *name, rp_pack **p, sr_error *err)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", root, name);
    sr_error_clear(err);
    *p = NULL;
    return rp_load(dir, NULL, p, err);
}

/* Loading round `name` fails at line `line` of its decl.lua with a message containing msg. */
static void rejected(const char *name, int line, const char *msg)
{
    rp_pack *p;
    sr_error err;
    int rc = load(name, &p, &err);
    cr_assert_eq(rc, SR_ERULES, "%s loaded (rc %d)", name, rc);
    cr_assert_null(p);
    cr_assert(strstr(err.msg, msg) != NULL, "message [%s] lacks [%s]", err.msg, msg);
    cr_assert(strstr(err.file, "decl.lua") != NULL, "file %s", err.file);
    cr_assert_eq(err.line, line, "line %d, expected %d: %s", err.line, line, err.msg);
}

/* A declaration that must be refused, and the message it must be refused with. */
typedef struct decl_case {
    const char *name, *decl, *msg;
} decl_case;

/* Each case as the one declaration (line 2) of a round extending an empty base. */
static void each_rejected(const decl_case *cases, size_t n)
{
    write_base("");
    for (size_t i = 0; i < n; i++) {
        char decl[1024];
        snprintf(decl, sizeof decl, "\n%s\n", cases[i].decl);
        write_round(cases[i].name, ", extends = 'base'", decl);
        rejected(cases[i].name, 2, cases[i].msg);
    }
}

static rp_pack *loaded(const char *name)
{
    rp_pack *p;
    sr_error err;
    cr_assert_eq(load(name, &p, &err), SR_OK, "%s:%d: %s", err.file, err.line, err.msg);
    return p;
}

/* ---- fields ------------------------------------------------------------------------------- */

/* The fields `starrate import` reads letters with (import.h): their types are checked at the
 * declaration, and a later round's declaration replaces the base's. */
Test(pack_decl, letter_fields_are_checked)
{
    static const decl_case cases[] = {
        {"headings-type", "service { id = 'x', name = 'x', title = 'X', source = 's', headings = 'x' }",
         "service needs a list 'headings'"},
        {"headings-empty", "service { id = 'x', name = 'x', title = 'X', source = 's', headings = { '' } }",
         "service: headings[1] must be text of 1 to 120 bytes"},
        {"headings-number", "service { id = 'x', name = 'x', title = 'X', source = 's', headings = { 3 } }",
         "headings[1] must be text"},
        {"prefix-chars", "service { id = 'x', name = 'x', title = 'X', source = 's', id_prefix = 'a b' }",
         "service x: id_prefix must be text of 1 to 16 letters, digits or '_'"},
        {"prefix-type", "service { id = 'x', name = 'x', title = 'X', source = 's', id_prefix = 7 }",
         "service x: id_prefix must be text"},
        {"prefix-twice", "service { id = 'x', name = 'x', title = 'X', source = 's', id_prefix = 'adults' }",
         "service x: id_prefix 'adults' is the findings' prefix of service adults"},
        {"phrases-type", "indicator { code = 'Q1', name = 'q', service = 'adults', standard = 1, unit = 'n',"
                         " polarity = 'higher', bands = { { band = 5, min = 1 } }, source = 's', phrases = 'q' }",
         "indicator Q1: 'phrases' must be a list of text or { words, near }"},
        {"phrase-words", "indicator { code = 'Q1', name = 'q', service = 'adults', standard = 1, unit = 'n',"
                         " polarity = 'higher', bands = { { band = 5, min = 1 } }, source = 's',"
                         " phrases = { { near = 'x' } } }",
         "indicator Q1: phrases[1] must be text of 1 to 120 bytes"},
        {"phrase-near", "indicator { code = 'Q1', name = 'q', service = 'adults', standard = 1, unit = 'n',"
                        " polarity = 'higher', bands = { { band = 5, min = 1 } }, source = 's',"
                        " phrases = { { words = 'q', near = 2 } } }",
         "indicator Q1: phrases[1].near must be a word"},
        {"annex-missing", "letter { area_headings = { 'x' }, source = 's' }",
         "letter needs a text field 'annex_heading'"},
        {"letter-list", "letter { annex_heading = 'R', sub_headings = { 'ok', false }, source = 's' }",
         "sub_headings[2] must be text"},
        {"letter-prov", "letter { annex_heading = 'R' }", "letter needs exactly one of 'source'"},
        {"sub-words-type", "letter { annex_heading = 'R', sub_heading_words = 'concern', source = 's' }",
         "letter: sub_heading_words must be a table of lists of text (capacity, concern, "
         "development, improvement)"},
        {"sub-words-list", "letter { annex_heading = 'R', sub_heading_words = { concern = 'x' },"
                           " source = 's' }",
         "letter needs a list 'sub_heading_words.concern'"},
        {"sub-words-item", "letter { annex_heading = 'R', sub_heading_words = { improvement = { 'a', 2 } },"
                           " source = 's' }",
         "sub_heading_words.improvement[2] must be text"},
        {"sub-words-empty", "letter { annex_heading = 'R', sub_heading_words = { capacity = { '' } },"
                            " source = 's' }",
         "letter: sub_heading_words.capacity[1] must be text of 1 to 120 bytes"},
        {"sub-words-positional", "letter { annex_heading = 'R', sub_heading_words = { { 'x' } },"
                                 " source = 's' }",
         "unknown field [1] (a value without a name) in sub_heading_words of the letter"},
        {"heading-max-text", "letter { annex_heading = 'R', improvement_heading_max = '90', source = 's' }",
         "letter needs a whole number 'improvement_heading_max' from 1 to 120"},
        {"heading-max-fraction", "letter { annex_heading = 'R', capacity_heading_max = 60.5, source = 's' }",
         "letter needs a whole number 'capacity_heading_max' from 1 to 120"},
        {"heading-max-range", "letter { annex_heading = 'R', capacity_heading_max = 121, source = 's' }",
         "letter needs a whole number 'capacity_heading_max' from 1 to 120"},
        {"heading-max-zero", "letter { annex_heading = 'R', improvement_heading_max = 0, source = 's' }",
         "letter needs a whole number 'improvement_heading_max' from 1 to 120"},
        {"annex-end-type", "letter { annex_heading = 'R', annex_end = 'yours sincerely', source = 's' }",
         "letter needs a list 'annex_end'"},
        {"annex-labels-item", "letter { annex_heading = 'R', annex_labels = { 'appendix', true }, source = 's' }",
         "annex_labels[2] must be text"},
        {"comparison-type", "letter { annex_heading = 'R', comparison_words = 'average', source = 's' }",
         "letter needs a list 'comparison_words'"},
        {"comparison-long", "letter { annex_heading = 'R', comparison_words = { string.rep('a', 32) },"
                            " source = 's' }",
         "letter: comparison_words[1] must be one word (no spaces) of 1 to 31 bytes"},
        {"comparison-phrase", "letter { annex_heading = 'R', comparison_words = { 'above', 'compared with' },"
                              " source = 's' }",
         "letter: comparison_words[2] must be one word (no spaces) of 1 to 31 bytes"},
    };
    each_rejected(cases, sizeof cases / sizeof *cases);
}

Test(pack_decl, letter_fields_are_read_and_inherited)
{
    write_base("letter { annex_heading = 'OLD', area_headings = { 'fix', 'mend ...' }, source = 's',"
               " sub_heading_words = { concern = { 'worries', 'Frets' }, improvement = { 'gains' } },"
               " improvement_heading_max = 33, annex_end = { 'signed' }, annex_labels = { 'schedule' },"
               " comparison_words = { 'shire' } }\n"
               "indicator { code = 'Q1', name = 'q', service = 'adults', standard = 1, unit = 'n',"
               " polarity = 'higher', bands = { { band = 5, min = 1 } }, source = 's',"
               " phrases = { 'q one', { words = 'q two', near = 'z' } } }\n");
    write_round("later", ", extends = 'base'",
                "service { id = 'adults', name = 'a', title = 'A', source = 's', headings = { 'grown ups' },"
                " id_prefix = 'gu' }\nletter { annex_heading = 'NEW', source = 's' }\n");
    rp_pack *p = loaded("later");
    int a = rp_service_index(p, "adults");
    cr_assert_geq(a, 0);
    cr_expect_eq(p->services[a].nheadings, 1);
    cr_expect_str_eq(p->services[a].headings[0], "grown ups");
    cr_expect_str_eq(p->services[a].id_prefix, "gu");
    cr_expect_null(p->services[rp_service_index(p, "children")].id_prefix);
    cr_expect_str_eq(p->letter.annex_heading, "NEW", "a later letter replaces the base's whole");
    cr_expect_eq(p->letter.nlists[RP_LETTER_AREAS], 0);
    for (int k = 0; k < RP_WORDS_N; k++)
        cr_expect_eq(p->letter.nwords[k], 0, "words %d are the later letter's (none)", k);
    cr_expect_eq(p->letter.improvement_heading_max, 0, "absent: no limit");
    rp_free(p);
    p = loaded("base");
    const rp_letter *l = &p->letter;
    cr_assert_eq(l->nwords[RP_WORDS_CONCERN], 2);
    cr_expect_str_eq(l->words[RP_WORDS_CONCERN][1], "Frets", "kept as written");
    cr_assert_eq(l->nwords[RP_WORDS_IMPROVEMENT], 1);
    cr_expect_str_eq(l->words[RP_WORDS_IMPROVEMENT][0], "gains");
    cr_expect_eq(l->nwords[RP_WORDS_CAPACITY], 0);
    cr_expect_eq(l->nwords[RP_WORDS_DEVELOPMENT], 0);
    cr_expect_eq(l->improvement_heading_max, 33);
    cr_expect_eq(l->capacity_heading_max, 0);
    cr_assert_eq(l->nwords[RP_WORDS_ANNEX_END], 1);
    cr_expect_str_eq(l->words[RP_WORDS_ANNEX_END][0], "signed");
    cr_assert_eq(l->nwords[RP_WORDS_ANNEX_LABELS], 1);
    cr_expect_str_eq(l->words[RP_WORDS_ANNEX_LABELS][0], "schedule");
    cr_assert_eq(l->nwords[RP_WORDS_COMPARISON], 1);
    cr_expect_str_eq(l->words[RP_WORDS_COMPARISON][0], "shire");
    const rp_indicator *q = rp_indicator_find(p, "Q1");
    cr_assert_not_null(q);
    cr_assert_eq(q->nphrases, 2);
    cr_expect_str_eq(q->phrases[0].words, "q one");
    cr_expect_null(q->phrases[0].near);
    cr_expect_str_eq(q->phrases[1].near, "z");
    rp_free(p);
}

Test(pack_decl, every_kind_rejects_a_field_it_does_not_have)
{
    static const decl_case cases[] = {
        {"service", "service { id = 'x', name = 'x', title = 'X', source = 's', nmae = 1 }",
         "unknown field 'nmae' in service (expected one of: id, name, title, headings, id_prefix, "
         "source, reconstructed)"},
        {"scale", "scale { id = 'grade', name = 'g', source = 's', colour = 'red', words = {} }",
         "unknown field 'colour' in scale"},
        {"word", "scale { id = 'grade', name = 'g', source = 's', words = { { id = 'a', txt = 'a' } } }",
         "unknown field 'txt' in words[1] of the scale (expected one of: id, text)"},
        {"rating", "rating { min = 0, max = 3, unit = 'stars', source = 's', step = 1 }",
         "unknown field 'step' in rating"},
        {"standard", "standard { number = 1, name = 'n', informs = 'serving', criteria = {}, source = 's', domian = 'A' }",
         "unknown field 'domian' in standard"},
        {"indicator", "indicator { code = 'Q1', name = 'q', service = 'adults', standard = 1, unit = 'n',"
                      " polarty = 'higher', bands = {}, source = 's' }",
         "unknown field 'polarty' in indicator"},
        {"band", "indicator { code = 'Q1', name = 'q', service = 'adults', standard = 1, unit = 'n',"
                 " polarity = 'higher', bands = { { band = 5, min = 1 }, { band = 4, mni = 1 } }, source = 's' }",
         "unknown field 'mni' in bands[2] of the indicator (expected one of: band, min, max)"},
        {"requirement", "requirement { id = 'q', text = 't', services = {}, sevrice = 'adults', source = 's' }",
         "unknown field 'sevrice' in requirement"},
        {"cap", "cap { id = 'q', service = 'adults', judgement = 'serving', to = 'some', indicator = 'K2',"
                " abvoe = 20, sentence = 's', source = 's' }",
         "unknown field 'abvoe' in cap"},
        {"star_rule", "star_rule { id = 'q', stars = 1, sentence = 's', source = 's', wen = 1 }",
         "unknown field 'wen' in star_rule"},
        {"rule", "rule { id = 'q', layer = 'grade', sentence = 's', source = 's', func = 1 }",
         "unknown field 'func' in rule"},
        {"retire", "retire { cap = 'c1', source = 's', why = 'x' }", "unknown field 'why' in retire"},
        {"phrase", "indicator { code = 'Q1', name = 'q', service = 'adults', standard = 1, unit = 'n',"
                   " polarity = 'higher', bands = { { band = 5, min = 1 } }, source = 's',"
                   " phrases = { 'q one', { words = 'q', naer = 'x' } } }",
         "unknown field 'naer' in phrases[2] of the indicator (expected one of: words, near)"},
        {"letter", "letter { annex_heading = 'R', area_heading = { 'x' }, source = 's' }",
         "unknown field 'area_heading' in letter (expected one of: annex_heading, "
         "improvement_headings, area_headings, capacity_headings, sub_headings, "
         "sub_heading_words, improvement_heading_max, capacity_heading_max, annex_end, "
         "annex_labels, comparison_words, source, reconstructed)"},
        {"sub-words", "letter { annex_heading = 'R', sub_heading_words = { concerns = { 'x' } },"
                      " source = 's' }",
         "unknown field 'concerns' in sub_heading_words of the letter (expected one of: capacity, "
         "concern, development, improvement)"},
        {"positional", "requirement { 'q', text = 't', services = {}, source = 's' }",
         "unknown field [1] (a value without a name) in requirement"},
    };
    each_rejected(cases, sizeof cases / sizeof *cases);
}

Test(pack_decl, the_manifest_rejects_a_field_it_does_not_have)
{
    write_base("");
    write_round("m", ", extends = 'base', domain = 'A'", "");
    rp_pack *p;
    sr_error err;
    cr_assert_eq(load("m", &p, &err), SR_ERULES);
    cr_assert(strstr(err.file, "m/pack.lua") != NULL, "%s", err.file);
    cr_assert_eq(err.line, 1);
    cr_assert_str_eq(err.msg, "unknown field 'domain' in pack (expected one of: name, version, "
                              "round, title, extends, files)");
}

Test(pack_decl, a_standard_keeps_its_domain)
{
    write_base("");
    write_round("d", ", extends = 'base'",
                "standard { number = 2, name = 'n', informs = 'serving', domain = 'B', criteria = {}, source = 's' }\n");
    rp_pack *p = loaded("d");
    cr_assert_str_eq(p->standards[1].domain, "B");
    cr_assert_null(p->standards[0].domain);
    rp_free(p);
}

/* ---- retire ------------------------------------------------------------------------------- */

Test(pack_decl, retire_removes_what_the_base_declared)
{
    write_base("");
    write_round("next", ", extends = 'base'",
                "retire { indicator = 'K1', reconstructed = 'no longer measured' }\n"
                "retire { cap = 'c1', reconstructed = 'went with K1' }\n"
                "retire { cap = 'c2', reconstructed = 'r' }\n"
                "retire { requirement = 'r1', reconstructed = 'r' }\n"
                "retire { star_rule = 'zero', reconstructed = 'r' }\n");
    rp_pack *base = loaded("base"), *p = loaded("next");
    cr_assert_eq(base->nindicators, 2);
    cr_assert_eq(p->nindicators, 1);
    cr_assert_str_eq(p->indicators[0].code, "K2");
    cr_assert_null(rp_indicator_find(p, "K1"));
    cr_assert_eq(p->ncaps, 0);
    cr_assert_eq(p->nrequirements, 0);
    cr_assert_eq(p->nstar_rules, 1);
    cr_assert_str_eq(p->star_rules[0].id, "rest");
    cr_assert_eq(p->nretired, 5);
    const rp_retired *r = rp_retired_find(p, RP_RETIRE_INDICATOR, "K1");
    cr_assert_not_null(r);
    cr_assert_str_eq(r->prov.text, "no longer measured");
    cr_assert(r->prov.reconstructed);
    cr_assert(strstr(r->prov.file, "next/decl.lua") != NULL);
    cr_assert_eq(r->prov.line, 1);
    cr_assert_null(rp_retired_find(p, RP_RETIRE_CAP, "K1"));
    /* The hash covers the retiring round's files too. */
    cr_assert_str_neq(p->sha256, base->sha256);
    rp_free(base);
    rp_free(p);
}

Test(pack_decl, retire_a_service_and_what_belongs_to_it)
{
    write_base("");
    write_round("next", ", extends = 'base'",
                "retire { service = 'adults', reconstructed = 'r' }\n"
                "retire { indicator = 'K2', reconstructed = 'r' }\n"
                "retire { cap = 'c2', reconstructed = 'r' }\n"
                "retire { requirement = 'r1', reconstructed = 'r' }\n");
    rp_pack *p = loaded("next");
    cr_assert_eq(p->nservices, 1);
    cr_assert_str_eq(p->services[0].id, "children");
    cr_assert_eq(rp_service_index(p, "adults"), -1);
    sr_buf rep;
    sr_buf_init(&rep);
    sr_error err;
    sr_error_clear(&err);
    cr_assert_eq(rp_check(p, &rep, &err), 0, "%s", rep.data ? rep.data : "");
    sr_buf_free(&rep);
    rp_free(p);
}

Test(pack_decl, using_a_retired_thing_says_where_it_was_retired)
{
    write_base("");
    /* The service goes but its indicator K2 stays. */
    write_round("svc", ", extends = 'base'", "retire { service = 'adults', reconstructed = 'r' }\n");
    rp_pack *p;
    sr_error err;
    cr_assert_eq(load("svc", &p, &err), SR_ERULES);
    cr_assert(strstr(err.file, "base/decl.lua") != NULL, "%s", err.file);
    cr_assert(strstr(err.msg, "service 'adults' was retired at ") != NULL, "%s", err.msg);
    cr_assert(strstr(err.msg, "svc/decl.lua:1") != NULL, "%s", err.msg);
    /* The indicator goes but its cap stays. */
    write_round("ind", ", extends = 'base'", "retire { indicator = 'K1', reconstructed = 'r' }\n");
    cr_assert_eq(load("ind", &p, &err), SR_ERULES);
    cr_assert(strstr(err.msg, "cap c1: indicator 'K1' was retired at ") != NULL, "%s", err.msg);
}

Test(pack_decl, retire_errors)
{
    write_base("");
    write_round("nothing", ", extends = 'base'", "\nretire { indicator = 'Z9', reconstructed = 'r' }\n");
    rejected("nothing", 2, "retire: there is no indicator 'Z9' to retire");
    write_round("two", ", extends = 'base'", "\nretire { indicator = 'K1', cap = 'c1', reconstructed = 'r' }\n");
    rejected("two", 2, "retire needs exactly one of 'indicator', 'cap', 'requirement', 'service' or 'star_rule'");
    write_round("none", ", extends = 'base'", "\nretire { reconstructed = 'r' }\n");
    rejected("none", 2, "retire needs exactly one of");
    write_round("noprov", ", extends = 'base'", "\nretire { star_rule = 'zero' }\n");
    rejected("noprov", 2, "retire needs exactly one of 'source' (documented fact) or 'reconstructed'");
    write_round("twice", ", extends = 'base'",
                "retire { star_rule = 'zero', reconstructed = 'r' }\n"
                "retire { star_rule = 'zero', reconstructed = 'r' }\n");
    rejected("twice", 2, "retire star_rule 'zero' is declared twice in one pack");
    write_round("used", ", extends = 'base'",
                "retire { indicator = 'K1', reconstructed = 'r' }\n"
                "retire { cap = 'c1', reconstructed = 'r' }\n"
                "cap { id = 'c3', service = 'children', judgement = 'serving', to = 'some',\n"
                "  indicator = 'K1', below = 3, sentence = 's', source = 's' }\n");
    rejected("used", 3, "cap c3: indicator 'K1' was retired at ");
}

Test(pack_decl, a_later_round_can_retire_only_once_and_bring_back)
{
    write_base("");
    write_round("r1", ", extends = 'base'", "retire { star_rule = 'zero', reconstructed = 'r' }\n");
    write_round("again", ", extends = 'r1'", "\nretire { star_rule = 'zero', reconstructed = 'r' }\n");
    rejected("again", 2, "retire: star_rule 'zero' is already retired (at ");
    write_round("back", ", extends = 'r1'",
                "star_rule { id = 'zero', stars = 0, sentence = 'back', source = 's',\n"
                "  when = function(j) return j.children.serving == 'no' end }\n");
    rp_pack *p = loaded("back");
    cr_assert_eq(p->nstar_rules, 2);
    /* Brought back: it comes after the rows that stayed. */
    cr_assert_str_eq(p->star_rules[1].id, "zero");
    cr_assert_str_eq(p->star_rules[1].sentence, "back");
    rp_free(p);
}

/* ---- standards ---------------------------------------------------------------------------- */

Test(pack_decl, standards_come_from_the_pack)
{
    write_base("");
    write_round("seven", ", extends = 'base'",
                "standard { number = 6, name = 'S6', informs = 'serving', criteria = {}, source = 's' }\n"
                "standard { number = 7, name = 'S7', informs = 'capacity', criteria = {}, source = 's' }\n");
    rp_pack *p = loaded("seven");
    cr_assert_eq(p->nstandards, 7);
    cr_assert_eq(p->capacity_standard, 7);
    cr_assert_eq(p->serving_standards, 0x3fu);
    char span[32];
    rp_serving_span(p, span, sizeof span);
    cr_assert_str_eq(span, "1-6");
    rp_free(p);
    write_round("second", ", extends = 'base'",
                "standard { number = 3, name = 'S3', informs = 'capacity', criteria = {}, source = 's' }\n"
                "standard { number = 6, name = 'S6', informs = 'serving', criteria = {}, source = 's' }\n");
    rp_pack *q = loaded("second");
    cr_assert_eq(q->capacity_standard, 3);
    cr_assert_eq(q->serving_standards, 0x3bu);
    rp_serving_span(q, span, sizeof span);
    cr_assert_str_eq(span, "1-2, 4-6");
    rp_free(q);
}

Test(pack_decl, standard_errors)
{
    write_base("");
    write_round("gap", ", extends = 'base'",
                "\nstandard { number = 8, name = 'S8', informs = 'serving', criteria = {}, source = 's' }\n");
    rejected("gap", 2, "standard 8 is declared but standard 7 is not: number the standards from 1");
    write_round("twocap", ", extends = 'base'",
                "\nstandard { number = 7, name = 'S7', informs = 'capacity', criteria = {}, source = 's' }\n");
    rejected("twocap", 2, "standard 7 informs capacity, and so does standard 6");
    write_round("indcap", ", extends = 'base'",
                "\nindicator { code = 'Q1', name = 'q', service = 'adults', standard = 6, unit = 'n',\n"
                " polarity = 'higher', bands = { { band = 5, min = 1 } }, source = 's' }\n");
    rejected("indcap", 2, "indicator Q1: standard 6 is not a standard that informs serving");
}

/* ---- a fictional round -------------------------------------------------------------------- */

Test(pack_decl, the_fictional_round_loads_with_its_retirements)
{
    rp_pack *p = th_pack(SR_SOURCE_ROOT "/tests/fictional/2031");
    cr_assert_eq(p->nservices, 3);
    cr_assert_str_eq(p->services[0].id, "housing");
    cr_assert_str_eq(p->services[2].id, "transport");
    cr_assert_eq(p->nstandards, 7);
    cr_assert_eq(p->capacity_standard, 7);
    cr_assert_null(rp_indicator_find(p, "LB1"));
    cr_assert_not_null(rp_indicator_find(p, "LB3"));
    cr_assert_not_null(rp_retired_find(p, RP_RETIRE_SERVICE, "parks"));
    cr_assert_eq(p->nretired, 6);
    rp_free(p);
}

Test(pack_decl, allocation_failures_while_retiring_are_clean)
{
    int failures = 0;
    for (long n = 1; n < 200000; n++) {
        rp_pack *p = NULL;
        sr_error err;
        sr_error_clear(&err);
        sr_alloc_fail_at(n);
        int rc = rp_load(SR_SOURCE_ROOT "/tests/fictional/2031", NULL, &p, &err);
        sr_alloc_fail_at(0);
        if (rc == SR_OK) {
            rp_free(p);
            break;
        }
        cr_assert_null(p);
        cr_assert(rc == SR_ENOMEM || rc == SR_ELIMIT || rc == SR_ERULES, "n=%ld rc=%d %s", n, rc, err.msg);
        failures++;
    }
    cr_assert_gt(failures, 100);
}

/* An indicator's plausible range is two numbers, the lower first; it is kept for the
 * evidence reader. */
Test(pack_decl, plausible_range)
{
    write_base("");
    write_round("bad", ", extends = 'base'",
                "indicator { code = 'K1', name = 'k1', service = 'children', standard = 1,\n"
                "  unit = 'n', polarity = 'higher', bands = { { band = 5, min = 10 } },\n"
                "  plausible = { 100, 1 }, source = 's' }\n");
    rejected("bad", 1, "indicator K1: 'plausible' must be a list of two numbers, the lower first");
    write_round("good", ", extends = 'base'",
                "indicator { code = 'K1', name = 'k1', service = 'children', standard = 1,\n"
                "  unit = 'n', polarity = 'higher', bands = { { band = 5, min = 10 } },\n"
                "  plausible = { 1, 100 }, source = 's' }\n");
    rp_pack *p = loaded("good");
    const rp_indicator *k1 = rp_indicator_find(p, "K1");
    cr_assert(k1->has_plausible);
    cr_assert_float_eq(k1->plausible_min, 1, 1e-12);
    cr_assert_float_eq(k1->plausible_max, 100, 1e-12);
    cr_assert(!rp_indicator_find(p, "K2")->has_plausible);
    rp_free(p);
}
