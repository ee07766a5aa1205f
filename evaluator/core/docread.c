/*
 * docread.c — PDF, .docx and .odt letters to plain text (see docread.h).
 *
 * PDF: poppler gives each page's text in reading order and the box of every character; the
 * box of a line's first character tells its indentation, which is what separates a nested
 * bullet from its parent and a hanging continuation from a new paragraph, so each line is
 * written indented by its distance from the left margin in character widths.
 *
 * .docx / .odt: the paragraphs of the document's XML in order, list items written as bullets
 * nested by their list level. Only the text is read: no entity is expanded and nothing is
 * fetched from the network (libxml2 without XML_PARSE_NOENT, with XML_PARSE_NONET).
 */
#include "docread.h"

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <poppler.h>
#include <string.h>
#include <zip.h>

const char *const dr_kind_words[4] = {"text", "PDF", "Word (.docx)", "OpenDocument (.odt)"};

static const char SAVE_AS[] = "save the letter as PDF, Word (.docx), OpenDocument (.odt) or "
                              "plain text (UTF-8) and import that";

/* ---- detection -------------------------------------------------------------------------- */

static int has_prefix(const char *d, size_t n, const char *p, size_t m)
{
    return n >= m && memcmp(d, p, m) == 0;
}

/* Zero bytes in the first 4 KiB: text never has them; UTF-16 has one every other byte. */
static int zero_bytes(const char *d, size_t n, size_t *even, size_t *odd)
{
    size_t lim = n < 4096 ? n : 4096;
    *even = *odd = 0;
    for (size_t i = 0; i < lim; i++)
        if (d[i] == '\0')
            (i % 2 ? (*odd)++ : (*even)++);
    return *even + *odd > 0;
}

/* "%PDF-" within the first KiB: readers accept junk before the header, and so do we. */
static int pdf_header(const char *d, size_t n)
{
    size_t lim = n < 1024 ? n : 1024;
    for (size_t i = 0; i + 5 <= lim; i++)
        if (memcmp(d + i, "%PDF-", 5) == 0)
            return 1;
    return 0;
}

static int zip_kind(const char *name, const char *data, size_t len, dr_kind *kind, sr_error *err);

int dr_detect(const char *name, const char *data, size_t len, dr_kind *kind, sr_error *err)
{
    if (pdf_header(data, len)) {
        *kind = DR_PDF;
        return SR_OK;
    }
    if (has_prefix(data, len, "PK\x03\x04", 4))
        return zip_kind(name, data, len, kind, err);
    if (has_prefix(data, len, "\xFF\xFE", 2) || has_prefix(data, len, "\xFE\xFF", 2))
        return sr_fail(err, SR_EINPUT, name, 0, 0,
                       "UTF-16 text: save the letter as UTF-8 text (or PDF or .docx) and "
                       "import that");
    size_t even, odd;
    if (zero_bytes(data, len, &even, &odd)) {
        if (len >= 16 && (even == 0 || odd == 0) && (even + odd) * 3 >= (len < 4096 ? len : 4096))
            return sr_fail(err, SR_EINPUT, name, 0, 0,
                           "UTF-16 text without a byte-order mark: save the letter as UTF-8 "
                           "text and import that");
        if (has_prefix(data, len, "\xD0\xCF\x11\xE0", 4))
            return sr_fail(err, SR_EINPUT, name, 0, 0,
                           "an old Word (.doc) or other OLE document: %s", SAVE_AS);
        return sr_fail(err, SR_EINPUT, name, 0, 0,
                       "a binary file, not a letter this command can read: %s", SAVE_AS);
    }
    if (has_prefix(data, len, "{\\rtf", 5))
        return sr_fail(err, SR_EINPUT, name, 0, 0, "an RTF document: %s", SAVE_AS);
    *kind = DR_TEXT;
    return SR_OK;
}

/* ---- zip containers ------------------------------------------------------------------------ */

static zip_t *zip_from(const char *name, const char *data, size_t len, sr_error *err)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
    if (!z) {
        if (src)
            zip_source_free(src);
        sr_fail(err, SR_EINPUT, name, 0, 0, "a damaged zip archive (%s): %s",
                zip_error_strerror(&ze), SAVE_AS);
    }
    zip_error_fini(&ze);
    return z;
}

/* The named member, NUL-terminated; SR_EINPUT when absent or over DR_MAX_PART. */
static int zip_part(zip_t *z, const char *name, const char *part, char **out, size_t *outlen,
                    sr_error *err)
{
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat(z, part, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
        return sr_fail(err, SR_EINPUT, name, 0, 0, "the document has no %s", part);
    if (st.size > DR_MAX_PART)
        return sr_fail(err, SR_ELIMIT, name, 0, 0, "%s is larger than %u MiB", part,
                       DR_MAX_PART >> 20);
    zip_file_t *f = zip_fopen(z, part, 0);
    if (!f)
        return sr_fail(err, SR_EINPUT, name, 0, 0, "cannot read %s from the document: %s",
                       part, zip_strerror(z));
    char *buf = sr_malloc((size_t)st.size + 1);
    if (!buf) {
        zip_fclose(f);
        return sr_oom(err);
    }
    zip_int64_t got = zip_fread(f, buf, st.size);
    zip_fclose(f);
    if (got < 0 || (zip_uint64_t)got != st.size) {
        sr_free(buf);
        return sr_fail(err, SR_EINPUT, name, 0, 0, "%s is damaged in the document", part);
    }
    buf[got] = '\0';
    *out = buf;
    *outlen = (size_t)got;
    return SR_OK;
}

static int zip_kind(const char *name, const char *data, size_t len, dr_kind *kind, sr_error *err)
{
    zip_t *z = zip_from(name, data, len, err);
    if (!z)
        return SR_EINPUT;
    int rc = SR_OK;
    char *mt = NULL;
    size_t mtlen = 0;
    if (zip_name_locate(z, "word/document.xml", 0) >= 0) {
        *kind = DR_DOCX;
    } else if (zip_name_locate(z, "content.xml", 0) >= 0 &&
               zip_part(z, name, "mimetype", &mt, &mtlen, err) == SR_OK &&
               strncmp(mt, "application/vnd.oasis.opendocument.text", 39) == 0) {
        *kind = DR_ODT;
    } else {
        sr_error_clear(err);
        rc = sr_fail(err, SR_EINPUT, name, 0, 0,
                     "a zip archive that is neither a Word (.docx) nor an OpenDocument text "
                     "(.odt) document: %s", SAVE_AS);
    }
    sr_free(mt);
    zip_close(z);
    return rc;
}

/* ---- XML documents ------------------------------------------------------------------------- */

typedef struct xml_out {
    sr_buf *b;
    int odt;
    int list_depth;  /* .odt: text:list elements open around the current node */
} xml_out;

static int is_el(const xmlNode *n, const char *local)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, local) == 0;
}

/* An attribute by local name, whatever its namespace prefix. */
static const char *attr(const xmlNode *n, const char *local)
{
    for (const xmlAttr *a = n->properties; a; a = a->next)
        if (strcmp((const char *)a->name, local) == 0 && a->children && a->children->content)
            return (const char *)a->children->content;
    return NULL;
}

/* Text runs of one paragraph: w:t / text nodes, tabs and breaks as spaces. */
static void para_text(const xmlNode *n, xml_out *o)
{
    for (const xmlNode *c = n; c; c = c->next) {
        if (c->type == XML_TEXT_NODE && c->content) {
            if (o->odt || (c->parent && is_el(c->parent, "t")))
                sr_buf_puts(o->b, (const char *)c->content);
            continue;
        }
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (is_el(c, "tab") || is_el(c, "br") || is_el(c, "line-break") || is_el(c, "cr")) {
            sr_buf_putc(o->b, ' ');
        } else if (o->odt && is_el(c, "s")) {
            const char *cnt = attr(c, "c");
            long k = cnt ? strtol(cnt, NULL, 10) : 1;
            for (long i = 0; i < k && i < 64; i++)
                sr_buf_putc(o->b, ' ');
        } else if (is_el(c, "delText") || is_el(c, "instrText") || is_el(c, "note") ||
                   is_el(c, "footnote") || is_el(c, "tracked-changes") || is_el(c, "annotation")) {
            continue;  /* deleted text, field codes, notes: not the letter's running text */
        } else {
            para_text(c->children, o);
        }
    }
}

/* .docx: the list level of a paragraph (w:pPr/w:numPr/w:ilvl), -1 when not a list item. */
static int docx_level(const xmlNode *p)
{
    for (const xmlNode *c = p->children; c; c = c->next) {
        if (!is_el(c, "pPr"))
            continue;
        for (const xmlNode *d = c->children; d; d = d->next) {
            if (!is_el(d, "numPr"))
                continue;
            for (const xmlNode *e = d->children; e; e = e->next)
                if (is_el(e, "ilvl") && attr(e, "val"))
                    return (int)strtol(attr(e, "val"), NULL, 10);
            return 0;
        }
    }
    return -1;
}

static void put_para(xml_out *o, const xmlNode *p, int level)
{
    if (level >= 0) {
        for (int i = 0; i < level && i < 8; i++)
            sr_buf_puts(o->b, "  ");
        sr_buf_puts(o->b, "- ");
    }
    para_text(p->children, o);
    sr_buf_putc(o->b, '\n');
}

static void walk(const xmlNode *n, xml_out *o, int depth)
{
    if (depth > 256)  /* libxml2 bounds depth itself; this keeps our recursion bounded too */
        return;
    for (const xmlNode *c = n; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (!o->odt && is_el(c, "p")) {
            put_para(o, c, docx_level(c));
        } else if (o->odt && (is_el(c, "p") || is_el(c, "h"))) {
            put_para(o, c, o->list_depth > 0 ? o->list_depth - 1 : -1);
        } else if (o->odt && is_el(c, "list")) {
            o->list_depth++;
            walk(c->children, o, depth + 1);
            o->list_depth--;
        } else if (is_el(c, "tracked-changes") || is_el(c, "sequence-decls")) {
            continue;
        } else {
            walk(c->children, o, depth + 1);
        }
    }
}

static int xml_text(const char *name, const char *xml, size_t len, int odt, sr_buf *b,
                    sr_error *err)
{
    if (len > (size_t)INT32_MAX)
        return sr_fail(err, SR_ELIMIT, name, 0, 0, "the document is too large");
    xmlDoc *doc = xmlReadMemory(xml, (int)len, NULL, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        const xmlError *e = xmlGetLastError();
        return sr_fail(err, SR_EINPUT, name, e ? e->line : 0, 0,
                       "the document's XML is damaged: %s", SAVE_AS);
    }
    xml_out o = {b, odt, 0};
    walk(xmlDocGetRootElement(doc), &o, 0);
    xmlFreeDoc(doc);
    return b->oom ? sr_oom(err) : SR_OK;
}

static int read_zip_doc(const char *name, const char *data, size_t len, dr_kind kind,
                        sr_buf *b, sr_error *err)
{
    zip_t *z = zip_from(name, data, len, err);
    if (!z)
        return SR_EINPUT;
    char *xml = NULL;
    size_t xlen = 0;
    int rc = zip_part(z, name, kind == DR_DOCX ? "word/document.xml" : "content.xml", &xml,
                      &xlen, err);
    zip_close(z);
    if (rc == SR_OK)
        rc = xml_text(name, xml, xlen, kind == DR_ODT, b, err);
    sr_free(xml);
    return rc;
}

/* ---- PDF ------------------------------------------------------------------------------------ */

typedef struct pdf_line {
    const char *s;    /* into the page text */
    size_t len;
    double x, xend;   /* left of the first character, right of the last */
    int page;
} pdf_line;

typedef struct pdf_doc {
    pdf_line *lines;
    size_t n, cap;
    char **texts;     /* one per page, g_free'd */
    int npages;
    double left;      /* the leftmost line start of the document */
    double cw;        /* an average character width */
    double cw_sum;
    size_t cw_n;
} pdf_doc;

static int pdf_push(pdf_doc *d, const pdf_line *l)
{
    if (d->n == d->cap) {
        size_t nc = d->cap ? d->cap * 2 : 256;
        pdf_line *p = sr_realloc(d->lines, nc * sizeof *p);
        if (!p)
            return 0;
        d->lines = p;
        d->cap = nc;
    }
    d->lines[d->n++] = *l;
    return 1;
}

/* Splits a page's text into lines and finds each line's left and right edge from the
 * character boxes (one box per character of the text, line ends included). */
static int pdf_page_lines(pdf_doc *d, int page, const char *text, PopplerRectangle *r, guint nr)
{
    glong nchars = g_utf8_strlen(text, -1);
    int boxes = nr > 0 && (glong)nr == nchars;
    const char *p = text;
    glong ci = 0;
    while (*p) {
        const char *e = strchr(p, '\n');
        if (!e)
            e = p + strlen(p);
        pdf_line l = {p, (size_t)(e - p), 0, 0, page};
        int first = 1;
        for (const char *q = p; q < e; q = g_utf8_next_char(q), ci++) {
            if (!boxes || *q == ' ')
                continue;
            if (first)
                l.x = r[ci].x1, first = 0;
            l.xend = r[ci].x2;
            double w = r[ci].x2 - r[ci].x1;
            if (w > 0.5 && w < 50) {
                d->cw_sum += w;
                d->cw_n++;
            }
        }
        if (first)
            l.x = -1;  /* blank */
        if (!pdf_push(d, &l))
            return 0;
        if (!*e)
            break;
        p = e + 1;
        ci++;  /* the line end has its own box */
    }
    return 1;
}

/* Two columns: on one page, many lines of words end left of the middle and many others start
 * right of it. Reading such a page in order mixes the columns, so it is refused. */
static int two_columns(const pdf_doc *d, int page, double width)
{
    size_t left = 0, right = 0;
    double mid = width / 2;
    for (size_t i = 0; i < d->n; i++) {
        const pdf_line *l = &d->lines[i];
        if (l->page != page || l->x < 0 || l->len < 12)
            continue;
        if (l->xend < mid + d->cw && l->x < width * 0.3)
            left++;
        else if (l->x > mid - d->cw)
            right++;
    }
    return left >= 5 && right >= 5;
}

static int pdf_emit(pdf_doc *d, sr_buf *b)
{
    for (size_t i = 0; i < d->n; i++) {
        const pdf_line *l = &d->lines[i];
        if (i > 0 && l->page != d->lines[i - 1].page)
            sr_buf_putc(b, '\f');
        if (l->x >= 0) {
            long ind = (long)((l->x - d->left) / d->cw + 0.5);
            for (long k = 0; k < ind && k < 80; k++)
                sr_buf_putc(b, ' ');
            sr_buf_putn(b, l->s, l->len);
        }
        sr_buf_putc(b, '\n');
        if (b->len > DR_MAX_TEXT)
            return SR_ELIMIT;
    }
    return b->oom ? SR_ENOMEM : SR_OK;
}

static void pdf_doc_free(pdf_doc *d)
{
    for (int i = 0; i < d->npages; i++)
        g_free(d->texts[i]);
    sr_free(d->texts);
    sr_free(d->lines);
}

static int read_pdf(const char *name, const char *data, size_t len, sr_buf *b, sr_error *err)
{
    GError *ge = NULL;
    GBytes *bytes = g_bytes_new_static(data, len);
    PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &ge);
    g_bytes_unref(bytes);
    if (!doc) {
        int enc = ge && ge->domain == POPPLER_ERROR && ge->code == POPPLER_ERROR_ENCRYPTED;
        sr_fail(err, SR_EINPUT, name, 0, 0, "%s: %s",
                enc ? "an encrypted PDF" : "a damaged PDF",
                enc ? "save it without a password and import that" : SAVE_AS);
        if (ge)
            g_error_free(ge);
        return SR_EINPUT;
    }
    pdf_doc d;
    memset(&d, 0, sizeof d);
    d.left = 1e9;
    int npages = poppler_document_get_n_pages(doc);
    int rc = SR_OK;
    d.texts = npages > 0 ? sr_calloc((size_t)npages, sizeof *d.texts) : NULL;
    if (npages > 0 && !d.texts)
        rc = sr_oom(err);
    for (int i = 0; rc == SR_OK && i < npages; i++) {
        PopplerPage *pg = poppler_document_get_page(doc, i);
        if (!pg)
            continue;
        char *text = poppler_page_get_text(pg);
        d.texts[d.npages++] = text;
        PopplerRectangle *r = NULL;
        guint nr = 0;
        if (text && !poppler_page_get_text_layout(pg, &r, &nr))
            nr = 0;
        if (text && !pdf_page_lines(&d, i, text, r, nr))
            rc = sr_oom(err);
        g_free(r);
        double w = 0, h = 0;
        poppler_page_get_size(pg, &w, &h);
        g_object_unref(pg);
        d.cw = d.cw_n ? d.cw_sum / (double)d.cw_n : 6;
        if (rc == SR_OK && two_columns(&d, i, w))
            rc = sr_fail(err, SR_EINPUT, name, 0, 0,
                         "page %d is set in two columns, which cannot be read in order: save "
                         "the letter in one column and import that", i + 1);
    }
    g_object_unref(doc);
    size_t words = 0;
    for (size_t i = 0; i < d.n; i++) {
        if (d.lines[i].x >= 0 && d.lines[i].x < d.left)
            d.left = d.lines[i].x;
        words += d.lines[i].x >= 0;
    }
    if (rc == SR_OK && words == 0)
        rc = sr_fail(err, SR_EINPUT, name, 0, 0,
                     "the PDF has no text (a scanned letter?): run it through OCR or save "
                     "the letter as text, and import that");
    if (rc == SR_OK) {
        rc = pdf_emit(&d, b);
        if (rc == SR_ELIMIT)
            sr_fail(err, rc, name, 0, 0, "the PDF's text is larger than %u MiB",
                    DR_MAX_TEXT >> 20);
        else if (rc == SR_ENOMEM)
            sr_oom(err);
    }
    pdf_doc_free(&d);
    return rc;
}

/* ---- entry -------------------------------------------------------------------------------- */

int dr_read(const char *name, const char *data, size_t len, dr_kind *kind, char **out,
            size_t *outlen, sr_error *err)
{
    *out = NULL;
    *outlen = 0;
    int rc = dr_detect(name, data, len, kind, err);
    if (rc != SR_OK)
        return rc;
    sr_buf b;
    sr_buf_init(&b);
    switch (*kind) {
    case DR_TEXT:
        sr_buf_putn(&b, data, len);
        rc = b.oom ? sr_oom(err) : SR_OK;
        break;
    case DR_PDF:
        rc = read_pdf(name, data, len, &b, err);
        break;
    default:
        rc = read_zip_doc(name, data, len, *kind, &b, err);
        break;
    }
    if (rc == SR_OK && b.oom)
        rc = sr_oom(err);
    if (rc != SR_OK) {
        sr_buf_free(&b);
        return rc;
    }
    *outlen = b.len;
    *out = sr_buf_take(&b);
    if (!*out) {
        *out = sr_strdup("");
        if (!*out)
            return sr_oom(err);
    }
    return SR_OK;
}
