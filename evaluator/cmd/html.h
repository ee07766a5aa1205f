/*
 * html.h — writing HTML into a buffer with the escaping done by the writer, as cgit's html.h
 * does (module prefix html_): text goes through html_txt, attribute values through html_attr,
 * and only html_raw takes markup as it is. A page built from these cannot be broken by a
 * council name or a rule's sentence.
 */
#ifndef SR_HTML_H
#define SR_HTML_H

#include "common.h"

/* Markup written as it is: the literal tags of the page, never data. */
void html_raw(sr_buf *b, const char *markup);
/* Text content: & < > " ' escaped. NULL writes nothing. */
void html_txt(sr_buf *b, const char *text);
/* An attribute with its value escaped and quoted: ` name="value"`. */
void html_attr(sr_buf *b, const char *name, const char *value);
/* Formatted text content, escaped after formatting: html_txtf(b, "%d stars", n). */
void html_txtf(sr_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Formatted markup, not escaped (cgit's htmlf): for tags with numbers and constant words
 * only; text from a council or a rule pack goes through html_txt or html_attr. */
void html_rawf(sr_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* A number as sr_format_number writes it. */
void html_num(sr_buf *b, double v);

#endif
