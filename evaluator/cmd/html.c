/*
 * html.c — HTML with structural escaping (see html.h).
 */
#include "html.h"

#include <stdarg.h>

void html_raw(sr_buf *b, const char *markup) { sr_buf_puts(b, markup); }


void html_txt(sr_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': sr_buf_puts(b, "&amp;"); break;
        case '<': sr_buf_puts(b, "&lt;"); break;
        case '>': sr_buf_puts(b, "&gt;"); break;
        case '"': sr_buf_puts(b, "&quot;"); break;
        case '\'': sr_buf_puts(b, "&#39;"); break;
        default: sr_buf_putc(b, *s);
        }
    }
}

/* Formats, then writes the text with `put`: formatting happens before escaping, so a %s
 * argument is escaped like any other text when put is html_txt. */
static void put_formatted(sr_buf *b, void (*put)(sr_buf *, const char *), const char *fmt, va_list ap)
{
    char small[256];
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n >= 0 && (size_t)n < sizeof small) {
        put(b, small);
    } else if (n >= 0) {
        char *big = sr_malloc((size_t)n + 1);
        if (big) {
            vsnprintf(big, (size_t)n + 1, fmt, again);
            put(b, big);
        } else {
            b->oom = 1;
        }
        sr_free(big);
    }
    va_end(again);
}

void html_txtf(sr_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    put_formatted(b, html_txt, fmt, ap);
    va_end(ap);
}

void html_rawf(sr_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    put_formatted(b, html_raw, fmt, ap);
    va_end(ap);
}

void html_attr(sr_buf *b, const char *name, const char *value)
{
    html_rawf(b, " %s=\"", name);
    html_txt(b, value);
    html_raw(b, "\"");
}

void html_num(sr_buf *b, double v)
{
    char s[40];
    sr_format_number(v, s, sizeof s);
    html_txt(b, s);
}
