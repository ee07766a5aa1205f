/*
 * json.c — the JSON writer.
 */
#include "json.h"

#include <stdio.h>
#include <string.h>

void js_init(js_writer *w, sr_buf *out, int pretty)
{
    memset(w, 0, sizeof *w);
    w->out = out;
    w->pretty = pretty;
}

static void indent(js_writer *w)
{
    if (!w->pretty)
        return;
    sr_buf_putc(w->out, '\n');
    for (int i = 0; i < w->depth; i++)
        sr_buf_puts(w->out, "  ");
}

/* Called before every value: a comma after the previous member, and the indentation. Keys
 * call it themselves, so a value that follows a key must not. */
static void before_value(js_writer *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->depth > 0) {
        if (w->has_member[w->depth])
            sr_buf_putc(w->out, ',');
        w->has_member[w->depth] = 1;
        indent(w);
    }
}

static void container_open(js_writer *w, char c)
{
    before_value(w);
    sr_buf_putc(w->out, c);
    if (w->depth + 1 < JS_MAX_DEPTH)
        w->depth++;
    w->has_member[w->depth] = 0;
}

static void container_close(js_writer *w, char c)
{
    int had = w->has_member[w->depth];
    if (w->depth > 0)
        w->depth--;
    if (had)
        indent(w);
    sr_buf_putc(w->out, c);
}

void js_init_member(js_writer *w, sr_buf *out, int pretty, int depth)
{
    js_init(w, out, pretty);
    w->depth = depth > 0 && depth < JS_MAX_DEPTH ? depth : 0;
}

void js_member_text(js_writer *w, const char *text, size_t len)
{
    if (w->depth > 0) {
        if (w->has_member[w->depth])
            sr_buf_putc(w->out, ',');
        w->has_member[w->depth] = 1;
    }
    sr_buf_putn(w->out, text, len);
}

void js_object(js_writer *w) { container_open(w, '{'); }
void js_array(js_writer *w) { container_open(w, '['); }
void js_end_object(js_writer *w) { container_close(w, '}'); }
void js_end_array(js_writer *w) { container_close(w, ']'); }

void js_quote(sr_buf *b, const char *s)
{
    sr_buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': sr_buf_puts(b, "\\\""); break;
        case '\\': sr_buf_puts(b, "\\\\"); break;
        case '\n': sr_buf_puts(b, "\\n"); break;
        case '\r': sr_buf_puts(b, "\\r"); break;
        case '\t': sr_buf_puts(b, "\\t"); break;
        default:
            if (*p < 0x20 || *p == 0x7F) {
                sr_buf_printf(b, "\\u%04x", *p);
            } else if (*p >= 0x80) {
                /* only valid UTF-8 goes out: a stray byte becomes U+FFFD, and a C1 control
                 * (U+0080-U+009F) is escaped like the C0 ones */
                size_t n = sr_utf8_seq(p);
                if (n == 0)
                    sr_buf_puts(b, "\xEF\xBF\xBD");
                else if (n == 2 && p[0] == 0xC2 && p[1] < 0xA0)
                    sr_buf_printf(b, "\\u%04x", p[1]);
                else
                    sr_buf_putn(b, (const char *)p, n);
                p += n ? n - 1 : 0;
            } else {
                sr_buf_putc(b, (char)*p);
            }
        }
    }
    sr_buf_putc(b, '"');
}

void js_key(js_writer *w, const char *key)
{
    before_value(w);
    js_quote(w->out, key);
    sr_buf_puts(w->out, w->pretty ? ": " : ":");
    w->after_key = 1;
}

void js_string(js_writer *w, const char *s)
{
    if (!s) {
        js_null(w);
        return;
    }
    before_value(w);
    js_quote(w->out, s);
}

void js_number(js_writer *w, double v)
{
    char buf[64];
    before_value(w);
    sr_format_number(v, buf, sizeof buf);
    sr_buf_puts(w->out, buf);
}

void js_int(js_writer *w, long v)
{
    before_value(w);
    sr_buf_printf(w->out, "%ld", v);
}

void js_bool(js_writer *w, int v)
{
    before_value(w);
    sr_buf_puts(w->out, v ? "true" : "false");
}

void js_null(js_writer *w)
{
    before_value(w);
    sr_buf_puts(w->out, "null");
}
