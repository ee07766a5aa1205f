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

#include <dlfcn.h>
#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <poppler.h>
#include <pthread.h>
#include <string.h>
#include <zip.h>

/* ---- the libraries opened on first use ------------------------------------------------------
 *
 * poppler-glib, libzip and libxml2 are opened when a letter first needs them, not linked:
 * with what they pull in (cairo, ICU, NSS, OpenSSL, X11 and about fifty more) their loading
 * took three quarters of every command's start-up, though only `import` of a PDF or Word
 * letter uses them
 * (docs/performance.md). The headers still give every prototype: the pointers below have the
 * libraries' own types. The names are the libraries' sonames, read by the Makefile. */
#ifndef SR_POPPLER_SO
#define SR_POPPLER_SO "libpoppler-glib.so.8"
#endif
#ifndef SR_XML2_SO
#define SR_XML2_SO "libxml2.so.2"
#endif
#ifndef SR_ZIP_SO
#define SR_ZIP_SO "libzip.so.4"
#endif

#define DL_FN(name) __typeof__(&name) name
static struct {
    int ok;
    char why[300];
    DL_FN(poppler_document_new_from_bytes);
    DL_FN(poppler_document_get_n_pages);
    DL_FN(poppler_document_get_page);
    DL_FN(poppler_page_get_text);
    DL_FN(poppler_page_get_text_layout);
    DL_FN(poppler_page_get_size);
    DL_FN(poppler_error_quark);
    DL_FN(g_bytes_new_static);
    DL_FN(g_bytes_unref);
    DL_FN(g_error_free);
    DL_FN(g_free);
    DL_FN(g_object_unref);
    DL_FN(g_utf8_strlen);
} pdf_lib;
static struct {
    int ok;
    char why[300];
    DL_FN(xmlReadMemory);
    DL_FN(xmlGetLastError);
    DL_FN(xmlDocGetRootElement);
    DL_FN(xmlFreeDoc);
} xml_lib;
static struct {
    int ok;
    char why[300];
    DL_FN(zip_error_init);
    DL_FN(zip_error_fini);
    DL_FN(zip_error_strerror);
    DL_FN(zip_source_buffer_create);
    DL_FN(zip_source_free);
    DL_FN(zip_open_from_source);
    DL_FN(zip_stat_init);
    DL_FN(zip_stat);
    DL_FN(zip_fopen);
    DL_FN(zip_fread);
    DL_FN(zip_fclose);
    DL_FN(zip_strerror);
    DL_FN(zip_name_locate);
    DL_FN(zip_close);
} zip_lib;
#undef DL_FN

/* dlsym's void * to a function pointer: POSIX guarantees it works; memcpy keeps ISO C quiet. */
static int dl_sym(void *h, const char *name, void *fn, size_t size, char *why, size_t wlen)
{
    void *sym = h ? dlsym(h, name) : NULL;
    if (!sym) {
        if (!why[0])
            snprintf(why, wlen, "%s lacks %s", h ? "the library" : "no library", name);
        return 0;
    }
    memcpy(fn, &sym, size);
    return 1;
}

#define DL_GET(lib, h, name) dl_sym(h, #name, &lib.name, sizeof lib.name, lib.why, sizeof lib.why)

static void *dl_open(const char *so, char *why, size_t wlen)
{
    void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(why, wlen, "%s", e ? e : so);
    }
    return h;
}

static void pdf_lib_open(void)
{
    void *h = dl_open(SR_POPPLER_SO, pdf_lib.why, sizeof pdf_lib.why);
    pdf_lib.ok = h && DL_GET(pdf_lib, h, poppler_document_new_from_bytes) &&
                 DL_GET(pdf_lib, h, poppler_document_get_n_pages) &&
                 DL_GET(pdf_lib, h, poppler_document_get_page) &&
                 DL_GET(pdf_lib, h, poppler_page_get_text) &&
                 DL_GET(pdf_lib, h, poppler_page_get_text_layout) &&
                 DL_GET(pdf_lib, h, poppler_page_get_size) &&
                 DL_GET(pdf_lib, h, poppler_error_quark) &&
                 DL_GET(pdf_lib, h, g_bytes_new_static) && DL_GET(pdf_lib, h, g_bytes_unref) &&
                 DL_GET(pdf_lib, h, g_error_free) && DL_GET(pdf_lib, h, g_free) &&
                 DL_GET(pdf_lib, h, g_object_unref) && DL_GET(pdf_lib, h, g_utf8_strlen);
}

static void xml_lib_open(void)
{
    void *h = dl_open(SR_XML2_SO, xml_lib.why, sizeof xml_lib.why);
    xml_lib.ok = h && DL_GET(xml_lib, h, xmlReadMemory) && DL_GET(xml_lib, h, xmlGetLastError) &&
                 DL_GET(xml_lib, h, xmlDocGetRootElement) && DL_GET(xml_lib, h, xmlFreeDoc);
}

static void zip_lib_open(void)
{
    void *h = dl_open(SR_ZIP_SO, zip_lib.why, sizeof zip_lib.why);
    zip_lib.ok = h && DL_GET(zip_lib, h, zip_error_init) && DL_GET(zip_lib, h, zip_error_fini) &&
                 DL_GET(zip_lib, h, zip_error_strerror) &&
                 DL_GET(zip_lib, h, zip_source_buffer_create) &&
                 DL_GET(zip_lib, h, zip_source_free) && DL_GET(zip_lib, h, zip_open_from_source) &&
                 DL_GET(zip_lib, h, zip_stat_init) && DL_GET(zip_lib, h, zip_stat) &&
                 DL_GET(zip_lib, h, zip_fopen) && DL_GET(zip_lib, h, zip_fread) &&
                 DL_GET(zip_lib, h, zip_fclose) && DL_GET(zip_lib, h, zip_strerror) &&
                 DL_GET(zip_lib, h, zip_name_locate) && DL_GET(zip_lib, h, zip_close);
}

/* Opens a library once per process, whichever thread asks first. */
static int lib_ready(pthread_once_t *once, void (*open)(void), const int *ok, const char *why,
                     const char *name, const char *package, sr_error *err)
{
    pthread_once(once, open);
    if (*ok)
        return SR_OK;
    return sr_fail(err, SR_EINPUT, name, 0, 0,
                   "cannot open %s (%s): install the Debian package %s, or save the letter as "
                   "plain text (UTF-8) and import that", package, why, package);
}

static pthread_once_t pdf_once = PTHREAD_ONCE_INIT, xml_once = PTHREAD_ONCE_INIT,
                      zip_once = PTHREAD_ONCE_INIT;

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
    if (lib_ready(&zip_once, zip_lib_open, &zip_lib.ok, zip_lib.why, name, "libzip4", err) != SR_OK)
        return NULL;
    zip_error_t ze;
    zip_lib.zip_error_init(&ze);
    zip_source_t *src = zip_lib.zip_source_buffer_create(data, len, 0, &ze);
    zip_t *z = src ? zip_lib.zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
    if (!z) {
        if (src)
            zip_lib.zip_source_free(src);
        sr_fail(err, SR_EINPUT, name, 0, 0, "a damaged zip archive (%s): %s",
                zip_lib.zip_error_strerror(&ze), SAVE_AS);
    }
    zip_lib.zip_error_fini(&ze);
    return z;
}

/* The named member, NUL-terminated; SR_EINPUT when absent or over DR_MAX_PART. */
static int zip_part(zip_t *z, const char *name, const char *part, char **out, size_t *outlen,
                    sr_error *err)
{
    zip_stat_t st;
    zip_lib.zip_stat_init(&st);
    if (zip_lib.zip_stat(z, part, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
        return sr_fail(err, SR_EINPUT, name, 0, 0, "the document has no %s", part);
    if (st.size > DR_MAX_PART)
        return sr_fail(err, SR_ELIMIT, name, 0, 0, "%s is larger than %u MiB", part,
                       DR_MAX_PART >> 20);
    zip_file_t *f = zip_lib.zip_fopen(z, part, 0);
    if (!f)
        return sr_fail(err, SR_EINPUT, name, 0, 0, "cannot read %s from the document: %s",
                       part, zip_lib.zip_strerror(z));
    char *buf = sr_malloc((size_t)st.size + 1);
    if (!buf) {
        zip_lib.zip_fclose(f);
        return sr_oom(err);
    }
    zip_int64_t got = zip_lib.zip_fread(f, buf, st.size);
    zip_lib.zip_fclose(f);
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
    if (zip_lib.zip_name_locate(z, "word/document.xml", 0) >= 0) {
        *kind = DR_DOCX;
    } else if (zip_lib.zip_name_locate(z, "content.xml", 0) >= 0 &&
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
    zip_lib.zip_close(z);
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
    int rc = lib_ready(&xml_once, xml_lib_open, &xml_lib.ok, xml_lib.why, name, "libxml2", err);
    if (rc != SR_OK)
        return rc;
    xmlDoc *doc = xml_lib.xmlReadMemory(xml, (int)len, NULL, NULL,
                                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        const xmlError *e = xml_lib.xmlGetLastError();
        return sr_fail(err, SR_EINPUT, name, e ? e->line : 0, 0,
                       "the document's XML is damaged: %s", SAVE_AS);
    }
    xml_out o = {b, odt, 0};
    walk(xml_lib.xmlDocGetRootElement(doc), &o, 0);
    xml_lib.xmlFreeDoc(doc);
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
    zip_lib.zip_close(z);
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

/* The next character of poppler's text (valid UTF-8): g_utf8_next_char reads a table of
 * glib's, which a library opened with dlopen does not lend to the macro. */
static const char *utf8_next(const char *q)
{
    q++;
    while ((*q & 0xC0) == 0x80)
        q++;
    return q;
}

/* Splits a page's text into lines and finds each line's left and right edge from the
 * character boxes (one box per character of the text, line ends included). */
static int pdf_page_lines(pdf_doc *d, int page, const char *text, PopplerRectangle *r, guint nr)
{
    glong nchars = pdf_lib.g_utf8_strlen(text, -1);
    int boxes = nr > 0 && (glong)nr == nchars;
    const char *p = text;
    glong ci = 0;
    while (*p) {
        const char *e = strchr(p, '\n');
        if (!e)
            e = p + strlen(p);
        pdf_line l = {p, (size_t)(e - p), 0, 0, page};
        int first = 1;
        for (const char *q = p; q < e; q = utf8_next(q), ci++) {
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
        pdf_lib.g_free(d->texts[i]);
    sr_free(d->texts);
    sr_free(d->lines);
}

static int read_pdf(const char *name, const char *data, size_t len, sr_buf *b, sr_error *err)
{
    int lrc = lib_ready(&pdf_once, pdf_lib_open, &pdf_lib.ok, pdf_lib.why, name,
                        "libpoppler-glib8", err);
    if (lrc != SR_OK)
        return lrc;
    GError *ge = NULL;
    GBytes *bytes = pdf_lib.g_bytes_new_static(data, len);
    PopplerDocument *doc = pdf_lib.poppler_document_new_from_bytes(bytes, NULL, &ge);
    pdf_lib.g_bytes_unref(bytes);
    if (!doc) {
        int enc = ge && ge->domain == pdf_lib.poppler_error_quark() &&
                  ge->code == POPPLER_ERROR_ENCRYPTED;
        sr_fail(err, SR_EINPUT, name, 0, 0, "%s: %s",
                enc ? "an encrypted PDF" : "a damaged PDF",
                enc ? "save it without a password and import that" : SAVE_AS);
        if (ge)
            pdf_lib.g_error_free(ge);
        return SR_EINPUT;
    }
    pdf_doc d;
    memset(&d, 0, sizeof d);
    d.left = 1e9;
    int npages = pdf_lib.poppler_document_get_n_pages(doc);
    int rc = SR_OK;
    d.texts = npages > 0 ? sr_calloc((size_t)npages, sizeof *d.texts) : NULL;
    if (npages > 0 && !d.texts)
        rc = sr_oom(err);
    for (int i = 0; rc == SR_OK && i < npages; i++) {
        PopplerPage *pg = pdf_lib.poppler_document_get_page(doc, i);
        if (!pg)
            continue;
        char *text = pdf_lib.poppler_page_get_text(pg);
        d.texts[d.npages++] = text;
        PopplerRectangle *r = NULL;
        guint nr = 0;
        if (text && !pdf_lib.poppler_page_get_text_layout(pg, &r, &nr))
            nr = 0;
        if (text && !pdf_page_lines(&d, i, text, r, nr))
            rc = sr_oom(err);
        pdf_lib.g_free(r);
        double w = 0, h = 0;
        pdf_lib.poppler_page_get_size(pg, &w, &h);
        pdf_lib.g_object_unref(pg);
        d.cw = d.cw_n ? d.cw_sum / (double)d.cw_n : 6;
        if (rc == SR_OK && two_columns(&d, i, w))
            rc = sr_fail(err, SR_EINPUT, name, 0, 0,
                         "page %d is set in two columns, which cannot be read in order: save "
                         "the letter in one column and import that", i + 1);
    }
    pdf_lib.g_object_unref(doc);
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
