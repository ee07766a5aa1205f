/*
 * docread.h — the text of a letter as councils receive it (module prefix dr_): PDF (read with
 * poppler in reading order, indentation kept from the position of each line), Word .docx and
 * OpenDocument .odt (paragraphs and list items from the document's XML, read with libzip and
 * libxml2), or plain text, which passes through unchanged. The type is told from the content
 * (magic bytes), never from the file name.
 *
 * The result is plain text the letter parser (import.h) reads: one line a paragraph or a line
 * of the page, list items as "- " indented two spaces a level, a form feed between PDF pages.
 */
#ifndef SR_DOCREAD_H
#define SR_DOCREAD_H

#include "common.h"

#include <stddef.h>

typedef enum { DR_TEXT, DR_PDF, DR_DOCX, DR_ODT } dr_kind;

extern const char *const dr_kind_words[4];

/* Largest document part (document.xml, content.xml) read out of a .docx/.odt: a bound against
 * decompression bombs. Documented in docs/limits.md. */
#define DR_MAX_PART (32u << 20)
/* Largest text a PDF may yield. */
#define DR_MAX_TEXT (16u << 20)

/* Tells the type from the first bytes. SR_EINPUT (with a message saying what to do) for
 * UTF-16 text, a zip that is neither .docx nor .odt, and any other binary content. */
int dr_detect(const char *name, const char *data, size_t len, dr_kind *kind, sr_error *err);

/* The letter's text: for DR_TEXT a copy of data, otherwise the document's text as described
 * above. *out is NUL-terminated and owned by the caller (sr_free). SR_EINPUT for a damaged or
 * encrypted document, a PDF without text (scanned) or one set in two columns; SR_ENOMEM. */
int dr_read(const char *name, const char *data, size_t len, dr_kind *kind, char **out,
            size_t *outlen, sr_error *err);

#endif
