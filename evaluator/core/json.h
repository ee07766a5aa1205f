/*
 * json.h — a small JSON writer over sr_buf (module prefix js_).
 *
 * Commas are placed by the writer (it remembers whether the current container has a member),
 * so output code reads as a list of fields. Strings are escaped for JSON; bytes are passed
 * through as UTF-8. Numbers use sr_format_number: no locale, no exponent surprises.
 */
#ifndef SR_JSON_H
#define SR_JSON_H

#include "common.h"

#define JS_MAX_DEPTH 32

typedef struct js_writer {
    sr_buf *out;
    int depth;
    int has_member[JS_MAX_DEPTH];
    int pretty;
    int after_key; /* a key was written: the next value needs no comma */
} js_writer;

void js_init(js_writer *w, sr_buf *out, int pretty);
void js_object(js_writer *w);
void js_array(js_writer *w);
void js_end_object(js_writer *w);
void js_end_array(js_writer *w);
/* Member key inside an object; the value call follows. */
void js_key(js_writer *w, const char *key);
void js_string(js_writer *w, const char *s); /* NULL writes null */
void js_number(js_writer *w, double v);
void js_int(js_writer *w, long v);
void js_bool(js_writer *w, int v);
void js_null(js_writer *w);
/* Members rendered apart (on another thread, into another buffer) and joined in order: a
 * writer made with js_init_member writes one member as if a writer had the container open at
 * `depth` with nothing in it yet, so the indentation is the same; js_member_text then adds that
 * text to w's open container with the comma w would have written before it. */
void js_init_member(js_writer *w, sr_buf *out, int pretty, int depth);
void js_member_text(js_writer *w, const char *text, size_t len);
/* Escapes s into b as a JSON string literal with quotes. */
void js_quote(sr_buf *b, const char *s);

#endif
