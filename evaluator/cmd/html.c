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

void html_attr(sr_buf *b, const char *value) { html_txt(b, value); }

void html_txtf(sr_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        html_txt(b, small);
        return;
    }
    char *big = sr_malloc((size_t)n + 1);
    if (!big) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    html_txt(b, big);
    sr_free(big);
}

void html_num(sr_buf *b, double v)
{
    char s[40];
    sr_format_number(v, s, sizeof s);
    html_txt(b, s);
}
