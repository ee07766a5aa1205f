/*
 * importer.c — the steps of `starrate import` (see importer.h).
 */
#include "importer.h"

#include "docread.h"
#include "evidence.h"
#include "import.h"
#include "paf.h"
#include "ydoc.h"

#include <limits.h>
#include <string.h>

/* An evidence file rather than a letter: YAML whose root map has a council and a year. */
static int as_evidence(const ix_input *in, yd_node **root, int *year)
{
    sr_error e;
    sr_error_clear(&e);
    *root = NULL;
    if (yd_parse(in->name, in->data, in->len, NULL, root, &e) != SR_OK)
        return 0;
    if ((*root)->kind == YD_MAP && yd_get(*root, "council") &&
        ev_peek_year(*root, in->name, year, &e) == SR_OK)
        return 1;
    yd_free(*root);
    *root = NULL;
    return 0;
}

/* The catalogue chosen with --rules (pinned), or none yet: the round's is read when known. */
static int start_catalogue(im_catalogue *cat, const char *rules, sr_error *err)
{
    memset(cat, 0, sizeof *cat);
    if (!rules)
        return SR_OK;
    char dir[PATH_MAX];
    int rc = rp_resolve(rules, dir, sizeof dir, err);
    return rc == SR_OK ? im_catalogue_pinned(cat, dir, err) : rc;
}

static int merge_into_evidence(const ix_input *in, const ix_input *paf, const char *rules,
                               yd_node *root, int year, sr_buf *yaml, sr_error *err)
{
    im_catalogue cat;
    pf_table t;
    memset(&t, 0, sizeof t);
    int rc = start_catalogue(&cat, rules, err);
    if (rc == SR_OK) rc = im_catalogue_for(&cat, year, err);
    if (rc == SR_OK) rc = pf_read(paf->name, paf->data, paf->len, &cat, &t, err);
    if (rc == SR_OK) rc = pf_merge_evidence(in->name, in->data, in->len, root, &t, yaml, err);
    pf_free(&t);
    im_catalogue_free(&cat);
    return rc;
}

static int import_letter(const ix_input *in, const ix_input *paf, const char *rules,
                         sr_buf *yaml, sr_buf *warnings, sr_error *err)
{
    char *text = NULL;
    size_t len = 0;
    dr_kind kind;
    im_letter *l = NULL;
    im_catalogue cat;
    pf_table t;
    memset(&t, 0, sizeof t);
    int rc = start_catalogue(&cat, rules, err);
    if (rc == SR_OK) rc = dr_read(in->name, in->data, in->len, &kind, &text, &len, err);
    if (rc == SR_OK) rc = im_parse(in->name, text, len, &cat, &l, err);
    if (rc == SR_OK && paf) {
        rc = pf_read(paf->name, paf->data, paf->len, &cat, &t, err);
        l->paf = &t;
    }
    if (rc == SR_OK) rc = im_write_yaml(l, in->name, yaml);
    if (rc == SR_OK) rc = im_warnings(l, in->name, warnings);
    if (rc == SR_OK) rc = im_summary(l, in->name, warnings);
    if (rc == SR_ENOMEM && err->code == SR_OK)
        sr_oom(err);
    pf_free(&t);
    im_catalogue_free(&cat);
    im_free(l);
    sr_free(text);
    return rc;
}

/* What import writes, rate must read: the YAML reader's limits are checked here. */
static int readable(const char *name, const sr_buf *yaml, sr_error *err)
{
    yd_node *doc = NULL;
    sr_error e;
    sr_error_clear(&e);
    int rc = yd_parse(name, yaml->data ? yaml->data : "", yaml->len, NULL, &doc, &e);
    yd_free(doc);
    if (rc == SR_ENOMEM)
        return sr_oom(err);
    if (rc != SR_OK)
        return sr_fail(err, rc == SR_ELIMIT ? SR_ELIMIT : SR_EINPUT, name, 0, 0,
                       "the evidence made from this letter would be refused by rate (%s); "
                       "nothing was written: split the letter or shorten the paragraph",
                       e.msg);
    return SR_OK;
}

int ix_run(const ix_input *in, const ix_input *paf, const char *rules, sr_buf *yaml,
           sr_buf *warnings, sr_error *err)
{
    yd_node *root = NULL;
    int year = 0, rc;
    dr_kind kind = DR_TEXT;
    sr_error e;
    sr_error_clear(&e);
    if (paf && dr_detect(in->name, in->data, in->len, &kind, &e) == SR_OK && kind == DR_TEXT &&
        as_evidence(in, &root, &year))
        rc = merge_into_evidence(in, paf, rules, root, year, yaml, err);
    else
        rc = import_letter(in, paf, rules, yaml, warnings, err);
    yd_free(root);
    if (rc == SR_OK && (yaml->oom || warnings->oom))
        rc = sr_oom(err);
    if (rc == SR_OK)
        rc = readable(in->name, yaml, err);
    return rc;
}
