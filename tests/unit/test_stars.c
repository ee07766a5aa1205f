/*
 * test_stars.c — the star table of every pack against the table of docs/methodology.md
 * ("4. Stars"), written here independently of the Lua rules, over all 256 combinations of
 * judgements.
 */
#include "helpers.h"

/* Word indexes: serving no=0 some=1 most=2 yes=3; capacity poor=0 uncertain=1 promising=2
 * excellent=3. The table of docs/methodology.md, first match wins. */
static int expected_stars(int cs, int cc, int as, int ac)
{
    if (cs == 0 || as == 0 || cc == 0 || ac == 0)
        return 0;
    if (cs >= 2 && as >= 2 && cc == 3 && ac == 3)
        return 3;
    if (cs == 3 && as == 3 && cc >= 2 && ac >= 2)
        return 3;
    if ((cs >= 2 || as >= 2) && cc >= 2 && ac >= 2)
        return 2;
    return 1;
}

static void check_pack(const char *dir)
{
    rp_pack *p = th_pack(dir);
    cr_assert_eq(p->nservices, 2);
    cr_assert_str_eq(p->services[0].id, "children");
    cr_assert_str_eq(p->services[1].id, "adults");
    static const char *const serving[] = {"no", "some", "most", "yes"};
    static const char *const capacity[] = {"poor", "uncertain", "promising", "excellent"};
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(rp_word_index(&p->serving, serving[i]), i);
        cr_assert_eq(rp_word_index(&p->capacity, capacity[i]), i);
    }
    int combos = 0;
    for (int cs = 0; cs < 4; cs++)
        for (int cc = 0; cc < 4; cc++)
            for (int as = 0; as < 4; as++)
                for (int ac = 0; ac < 4; ac++) {
                    int sv[2] = {cs, as}, cp[2] = {cc, ac}, row = -1;
                    sr_error err;
                    sr_error_clear(&err);
                    lh_budget_reset(p->host);
                    cr_assert_eq(rp_stars(p, sv, cp, &row, &err), SR_OK, "%s", err.msg);
                    cr_assert_geq(row, 0);
                    cr_assert_eq(p->star_rules[row].stars, expected_stars(cs, cc, as, ac),
                                 "%s: children %s/%s adults %s/%s gave %d by %s", dir,
                                 serving[cs], capacity[cc], serving[as], capacity[ac],
                                 p->star_rules[row].stars, p->star_rules[row].id);
                    combos++;
                }
    cr_assert_eq(combos, 256);
    rp_free(p);
}

Test(stars, table_2002) { check_pack(RULES_DIR("2002")); }
Test(stars, table_2003) { check_pack(RULES_DIR("2003")); }
Test(stars, table_2004) { check_pack(RULES_DIR("2004")); }
Test(stars, table_2005) { check_pack(RULES_DIR("2005")); }

Test(stars, rows_name_their_provenance)
{
    rp_pack *p = th_pack(RULES_DIR("2003"));
    cr_assert_eq(p->nstar_rules, 5);
    static const char *const ids[] = {"failure", "excellent-both", "all-served", "most-served", "otherwise"};
    for (size_t i = 0; i < p->nstar_rules; i++) {
        cr_assert_str_eq(p->star_rules[i].id, ids[i]);
        /* The official table has not been found: every row must say it is reconstructed. */
        cr_assert(p->star_rules[i].prov.reconstructed, "%s", ids[i]);
        cr_assert(strstr(p->star_rules[i].prov.file, "rules/2002/stars.lua") != NULL);
        cr_assert_gt(p->star_rules[i].prov.line, 0);
    }
    rp_free(p);
}

Test(stars, check_finds_no_problem_in_shipped_packs)
{
    static const char *const rounds[] = {RULES_DIR("2002"), RULES_DIR("2003"), RULES_DIR("2004"), RULES_DIR("2005")};
    for (size_t i = 0; i < 4; i++) {
        rp_pack *p = th_pack(rounds[i]);
        sr_buf rep;
        sr_buf_init(&rep);
        sr_error err;
        sr_error_clear(&err);
        cr_assert_eq(rp_check(p, &rep, &err), 0, "%s", rep.data ? rep.data : err.msg);
        sr_buf_free(&rep);
        rp_free(p);
    }
}
