/*
 * validate.c — a small JSON Schema validator for the subset docs/rating.schema.json uses,
 * so the schema test needs nothing beyond a C compiler.
 *
 *   validate SCHEMA FILE...        validate each FILE ("-": standard input); exit status 1 when
 *                                  one is invalid, 3 when one is not JSON, 2 schema or usage error
 *   validate --get FILE POINTER... print the value at each JSON pointer, one per line
 *                                  (strings raw, null as "null"); exit 1 when one is missing
 *
 * Keywords: type, enum, required, properties, additionalProperties (false, true or a schema),
 * items, anyOf, minimum, pattern (POSIX extended regex, enough for the schema's patterns),
 * $ref to "#/$defs/NAME"; $schema, $id, $defs, title and description are annotations.
 * Any other keyword is an error in the schema, so a keyword this validator does not know can
 * never be silently ignored. Duplicate keys in a document are errors as well.
 *
 * A test tool, not part of the core: plain malloc, and a failed allocation ends the run.
 */
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jkind;

typedef struct jv jv;
struct jv {
    jkind kind;
    int b;
    double num;
    char *str;     /* J_STR (NUL-terminated; embedded NUL refused) */
    size_t n;      /* items / members */
    jv **items;    /* J_ARR items, J_OBJ values */
    char **keys;   /* J_OBJ */
    int line;
};

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("validate: out of memory\n", stderr);
        abort();
    }
    return q;
}

static void jv_free(jv *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        jv_free(v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->str);
    free(v);
}

/* ---- parser --------------------------------------------------------------------------- */

typedef struct parser {
    const char *s, *end;
    const char *name;
    int line;
    char err[512];
    int depth;
} parser;

static int perr(parser *p, const char *msg)
{
    if (!p->err[0])
        snprintf(p->err, sizeof p->err, "%s:%d: %s", p->name, p->line, msg);
    return -1;
}

static void skip_ws(parser *p)
{
    while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r')) {
        if (*p->s == '\n')
            p->line++;
        p->s++;
    }
}

static jv *new_value(parser *p, jkind k)
{
    jv *v = xrealloc(NULL, sizeof *v);
    memset(v, 0, sizeof *v);
    v->kind = k;
    v->line = p->line;
    return v;
}

static int hex4(parser *p, unsigned *out)
{
    if (p->end - p->s < 4)
        return perr(p, "short \\u escape");
    unsigned u = 0;
    for (int i = 0; i < 4; i++) {
        char c = *p->s++;
        u <<= 4;
        if (c >= '0' && c <= '9') u |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') u |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') u |= (unsigned)(c - 'A' + 10);
        else return perr(p, "bad \\u escape");
    }
    *out = u;
    return 0;
}

static void put_utf8(char **buf, size_t *len, size_t *cap, unsigned cp)
{
    char tmp[4];
    size_t n;
    if (cp < 0x80) tmp[0] = (char)cp, n = 1;
    else if (cp < 0x800) tmp[0] = (char)(0xC0 | cp >> 6), tmp[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    else if (cp < 0x10000)
        tmp[0] = (char)(0xE0 | cp >> 12), tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3F)),
        tmp[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    else
        tmp[0] = (char)(0xF0 | cp >> 18), tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
        tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), tmp[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *buf = xrealloc(*buf, *cap);
    }
    memcpy(*buf + *len, tmp, n);
    *len += n;
}

static int escape(parser *p, char **buf, size_t *len, size_t *cap)
{
    if (p->s >= p->end)
        return perr(p, "unterminated string");
    char c = *p->s++;
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *k = strchr(from, c);
    if (k && c) {
        put_utf8(buf, len, cap, (unsigned char)to[k - from]);
        return 0;
    }
    if (c != 'u')
        return perr(p, "bad escape in string");
    unsigned u, lo;
    if (hex4(p, &u))
        return -1;
    if (u >= 0xD800 && u <= 0xDBFF) {
        if (p->end - p->s < 6 || p->s[0] != '\\' || p->s[1] != 'u')
            return perr(p, "unpaired surrogate");
        p->s += 2;
        if (hex4(p, &lo) || lo < 0xDC00 || lo > 0xDFFF)
            return perr(p, "unpaired surrogate");
        u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
        return perr(p, "unpaired surrogate");
    }
    if (u == 0)
        return perr(p, "NUL in string");
    put_utf8(buf, len, cap, u);
    return 0;
}

static char *parse_string(parser *p)
{
    p->s++; /* opening quote */
    size_t len = 0, cap = 32;
    char *buf = xrealloc(NULL, cap);
    for (;;) {
        if (p->s >= p->end) {
            perr(p, "unterminated string");
            break;
        }
        unsigned char c = (unsigned char)*p->s;
        if (c == '"') {
            p->s++;
            buf[len] = 0;
            return buf;
        }
        if (c < 0x20) {
            perr(p, "control character in string");
            break;
        }
        if (c == '\\') {
            p->s++;
            if (escape(p, &buf, &len, &cap))
                break;
            continue;
        }
        put_utf8(&buf, &len, &cap, c);
        p->s++;
    }
    free(buf);
    return NULL;
}

static jv *parse_value(parser *p);

static int parse_number(parser *p, jv *v)
{
    const char *start = p->s;
    if (p->s < p->end && *p->s == '-')
        p->s++;
    if (p->s >= p->end || *p->s < '0' || *p->s > '9')
        return perr(p, "bad number");
    if (*p->s == '0' && p->s + 1 < p->end && p->s[1] >= '0' && p->s[1] <= '9')
        return perr(p, "leading zero in number");
    while (p->s < p->end && ((*p->s >= '0' && *p->s <= '9') || strchr(".eE+-", *p->s)))
        p->s++;
    char tmp[64];
    size_t n = (size_t)(p->s - start);
    if (n >= sizeof tmp)
        return perr(p, "number too long");
    memcpy(tmp, start, n);
    tmp[n] = 0;
    char *endp;
    errno = 0;
    v->num = strtod(tmp, &endp);
    if (*endp || errno)
        return perr(p, "bad number");
    return 0;
}

static int parse_members(parser *p, jv *v, int object)
{
    char close = object ? '}' : ']';
    p->s++;
    skip_ws(p);
    if (p->s < p->end && *p->s == close) {
        p->s++;
        return 0;
    }
    for (;;) {
        skip_ws(p);
        char *key = NULL;
        if (object) {
            if (p->s >= p->end || *p->s != '"')
                return perr(p, "expected a member name");
            if (!(key = parse_string(p)))
                return -1;
            for (size_t i = 0; i < v->n; i++)
                if (strcmp(v->keys[i], key) == 0) {
                    free(key);
                    return perr(p, "duplicate member name");
                }
            skip_ws(p);
            if (p->s >= p->end || *p->s != ':') {
                free(key);
                return perr(p, "expected ':'");
            }
            p->s++;
        }
        jv *item = parse_value(p);
        if (!item) {
            free(key);
            return -1;
        }
        v->items = xrealloc(v->items, (v->n + 1) * sizeof *v->items);
        if (object)
            v->keys = xrealloc(v->keys, (v->n + 1) * sizeof *v->keys), v->keys[v->n] = key;
        v->items[v->n++] = item;
        skip_ws(p);
        if (p->s < p->end && *p->s == ',') {
            p->s++;
            continue;
        }
        if (p->s < p->end && *p->s == close) {
            p->s++;
            return 0;
        }
        return perr(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int literal(parser *p, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(p->end - p->s) < n || memcmp(p->s, word, n) != 0)
        return perr(p, "unexpected character");
    p->s += n;
    return 0;
}

static jv *parse_value(parser *p)
{
    skip_ws(p);
    if (p->s >= p->end) {
        perr(p, "unexpected end of input");
        return NULL;
    }
    if (++p->depth > 256) {
        perr(p, "nesting too deep");
        return NULL;
    }
    char c = *p->s;
    jv *v = NULL;
    int rc = 0;
    if (c == '{' || c == '[') {
        v = new_value(p, c == '{' ? J_OBJ : J_ARR);
        rc = parse_members(p, v, c == '{');
    } else if (c == '"') {
        v = new_value(p, J_STR);
        rc = (v->str = parse_string(p)) ? 0 : -1;
    } else if (c == 't' || c == 'f') {
        v = new_value(p, J_BOOL);
        v->b = c == 't';
        rc = literal(p, c == 't' ? "true" : "false");
    } else if (c == 'n') {
        v = new_value(p, J_NULL);
        rc = literal(p, "null");
    } else {
        v = new_value(p, J_NUM);
        rc = parse_number(p, v);
    }
    p->depth--;
    if (rc) {
        jv_free(v);
        return NULL;
    }
    return v;
}

static jv *load_json(const char *path, char *err, size_t errlen)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t len = 0, cap = 65536;
    char *buf = xrealloc(NULL, cap);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap)
            buf = xrealloc(buf, cap *= 2);
    }
    if (f != stdin)
        fclose(f);
    parser p = {buf, buf + len, path, 1, "", 0};
    jv *v = parse_value(&p);
    if (v) {
        skip_ws(&p);
        if (p.s != p.end) {
            perr(&p, "trailing characters after the document");
            jv_free(v);
            v = NULL;
        }
    }
    if (!v)
        snprintf(err, errlen, "%s", p.err);
    free(buf);
    return v;
}

/* ---- helpers -------------------------------------------------------------------------- */

static const jv *member(const jv *obj, const char *key)
{
    if (!obj || obj->kind != J_OBJ)
        return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (strcmp(obj->keys[i], key) == 0)
            return obj->items[i];
    return NULL;
}

static int jv_equal(const jv *a, const jv *b)
{
    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case J_NULL: return 1;
    case J_BOOL: return a->b == b->b;
    case J_NUM: return a->num == b->num;
    case J_STR: return strcmp(a->str, b->str) == 0;
    case J_ARR:
        if (a->n != b->n)
            return 0;
        for (size_t i = 0; i < a->n; i++)
            if (!jv_equal(a->items[i], b->items[i]))
                return 0;
        return 1;
    case J_OBJ:
        if (a->n != b->n)
            return 0;
        for (size_t i = 0; i < a->n; i++) {
            const jv *o = member(b, a->keys[i]);
            if (!o || !jv_equal(a->items[i], o))
                return 0;
        }
        return 1;
    }
    return 0;
}

static int type_matches(const jv *v, const char *type)
{
    if (strcmp(type, "null") == 0) return v->kind == J_NULL;
    if (strcmp(type, "boolean") == 0) return v->kind == J_BOOL;
    if (strcmp(type, "string") == 0) return v->kind == J_STR;
    if (strcmp(type, "array") == 0) return v->kind == J_ARR;
    if (strcmp(type, "object") == 0) return v->kind == J_OBJ;
    if (strcmp(type, "number") == 0) return v->kind == J_NUM;
    if (strcmp(type, "integer") == 0) return v->kind == J_NUM && floor(v->num) == v->num;
    return -1;
}

/* ---- validation ----------------------------------------------------------------------- */

typedef struct vctx {
    const jv *root;       /* the schema document, for $ref */
    const char *file;
    int errors;
    int quiet;            /* inside anyOf: count, do not print */
    char schema_err[512]; /* first problem with the schema itself */
} vctx;

static void fail(vctx *c, const char *path, const char *fmt, const char *a, const char *b)
{
    c->errors++;
    if (c->quiet)
        return;
    fprintf(stderr, "%s: %s: ", c->file, path[0] ? path : "/");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
}

static void schema_problem(vctx *c, const char *msg, const char *what)
{
    c->errors++;
    if (!c->schema_err[0])
        snprintf(c->schema_err, sizeof c->schema_err, "schema: %s '%s'", msg, what);
}

static void validate(vctx *c, const jv *s, const jv *v, const char *path);

static const jv *resolve_ref(vctx *c, const jv *ref)
{
    static const char prefix[] = "#/$defs/";
    if (ref->kind != J_STR || strncmp(ref->str, prefix, sizeof prefix - 1) != 0) {
        schema_problem(c, "only #/$defs/NAME references are supported, not", ref->kind == J_STR ? ref->str : "?");
        return NULL;
    }
    const jv *target = member(member(c->root, "$defs"), ref->str + sizeof prefix - 1);
    if (!target)
        schema_problem(c, "unresolved reference", ref->str);
    return target;
}

static void check_type(vctx *c, const jv *t, const jv *v, const char *path)
{
    const jv *one = t;
    size_t n = t->kind == J_ARR ? t->n : 1;
    for (size_t i = 0; i < n; i++) {
        if (t->kind == J_ARR)
            one = t->items[i];
        if (one->kind != J_STR) {
            schema_problem(c, "type must be a string or an array of strings", "type");
            return;
        }
        int m = type_matches(v, one->str);
        if (m < 0) {
            schema_problem(c, "unknown type", one->str);
            return;
        }
        if (m)
            return;
    }
    static const char *const names[] = {"null", "boolean", "number", "string", "array", "object"};
    fail(c, path, "wrong type: %s (expected %s)", names[v->kind],
         t->kind == J_STR ? t->str : "one of the listed types");
}

static void check_enum(vctx *c, const jv *e, const jv *v, const char *path)
{
    if (e->kind != J_ARR) {
        schema_problem(c, "enum must be an array", "enum");
        return;
    }
    for (size_t i = 0; i < e->n; i++)
        if (jv_equal(e->items[i], v))
            return;
    fail(c, path, "value %s%s is not one of the enum", v->kind == J_STR ? v->str : "(non-string)", "");
}

static void check_pattern(vctx *c, const jv *pat, const jv *v, const char *path)
{
    if (v->kind != J_STR)
        return;
    regex_t re;
    if (pat->kind != J_STR || regcomp(&re, pat->str, REG_EXTENDED | REG_NOSUB) != 0) {
        schema_problem(c, "bad pattern", pat->kind == J_STR ? pat->str : "?");
        return;
    }
    if (regexec(&re, v->str, 0, NULL, 0) != 0)
        fail(c, path, "'%s' does not match %s", v->str, pat->str);
    regfree(&re);
}

static void child_path(char *out, size_t n, const char *path, const char *key)
{
    /* JSON pointer escaping of ~ and / is not needed for this schema's keys, but is cheap. */
    size_t len = (size_t)snprintf(out, n, "%s/", path);
    for (; *key && len + 3 < n; key++) {
        if (*key == '~') out[len++] = '~', out[len++] = '0';
        else if (*key == '/') out[len++] = '~', out[len++] = '1';
        else out[len++] = *key;
    }
    out[len < n ? len : n - 1] = 0;
}

static void check_object(vctx *c, const jv *s, const jv *v, const char *path)
{
    const jv *req = member(s, "required"), *props = member(s, "properties");
    const jv *extra = member(s, "additionalProperties");
    for (size_t i = 0; req && i < req->n; i++)
        if (req->items[i]->kind == J_STR && !member(v, req->items[i]->str))
            fail(c, path, "missing required member '%s'%s", req->items[i]->str, "");
    for (size_t i = 0; i < v->n; i++) {
        char sub[1024];
        child_path(sub, sizeof sub, path, v->keys[i]);
        const jv *ps = member(props, v->keys[i]);
        if (ps)
            validate(c, ps, v->items[i], sub);
        else if (extra && extra->kind == J_BOOL && !extra->b)
            fail(c, path, "member '%s' is not allowed%s", v->keys[i], "");
        else if (extra && extra->kind == J_OBJ)
            validate(c, extra, v->items[i], sub);
    }
}

static void check_any_of(vctx *c, const jv *any, const jv *v, const char *path)
{
    if (any->kind != J_ARR || any->n == 0) {
        schema_problem(c, "anyOf must be a non-empty array", "anyOf");
        return;
    }
    for (size_t i = 0; i < any->n; i++) {
        vctx sub = *c;
        sub.errors = 0;
        sub.quiet = 1;
        validate(&sub, any->items[i], v, path);
        if (sub.schema_err[0] && !c->schema_err[0])
            memcpy(c->schema_err, sub.schema_err, sizeof c->schema_err);
        if (sub.errors == 0)
            return;
    }
    /* Say why against the last alternative: for "a rating or an array of ratings" that is
     * seldom the useful one, so say it against each, numbered. */
    for (size_t i = 0; i < any->n && !c->quiet; i++) {
        fprintf(stderr, "%s: %s: alternative %zu of anyOf:\n", c->file, path[0] ? path : "/", i + 1);
        vctx sub = *c;
        sub.errors = 0;
        validate(&sub, any->items[i], v, path);
    }
    fail(c, path, "matches none of the anyOf alternatives%s%s", "", "");
}

static const char *const known_keywords[] = {
    "type", "enum", "required", "properties", "additionalProperties", "items", "anyOf",
    "minimum", "maximum", "pattern", "$ref", "$schema", "$id", "$defs", "title", "description", NULL};

static void validate(vctx *c, const jv *s, const jv *v, const char *path)
{
    if (s->kind == J_BOOL) {
        if (!s->b)
            fail(c, path, "no value is allowed here%s%s", "", "");
        return;
    }
    if (s->kind != J_OBJ) {
        schema_problem(c, "a schema must be an object or a boolean at", path);
        return;
    }
    for (size_t i = 0; i < s->n; i++) {
        size_t k = 0;
        while (known_keywords[k] && strcmp(known_keywords[k], s->keys[i]) != 0)
            k++;
        if (!known_keywords[k])
            schema_problem(c, "keyword not supported by this validator:", s->keys[i]);
    }
    const jv *x;
    if ((x = member(s, "$ref")) && (x = resolve_ref(c, x)))
        validate(c, x, v, path);
    if ((x = member(s, "type")))
        check_type(c, x, v, path);
    if ((x = member(s, "enum")))
        check_enum(c, x, v, path);
    if ((x = member(s, "anyOf")))
        check_any_of(c, x, v, path);
    if ((x = member(s, "minimum")) && x->kind == J_NUM && v->kind == J_NUM && v->num < x->num)
        fail(c, path, "number below the minimum%s%s", "", "");
    if ((x = member(s, "maximum")) && x->kind == J_NUM && v->kind == J_NUM && v->num > x->num)
        fail(c, path, "number above the maximum%s%s", "", "");
    if ((x = member(s, "pattern")))
        check_pattern(c, x, v, path);
    if (v->kind == J_OBJ)
        check_object(c, s, v, path);
    if (v->kind == J_ARR && (x = member(s, "items")))
        for (size_t i = 0; i < v->n; i++) {
            char sub[1024], idx[32];
            snprintf(idx, sizeof idx, "%zu", i);
            child_path(sub, sizeof sub, path, idx);
            validate(c, x, v->items[i], sub);
        }
}

/* ---- --get ---------------------------------------------------------------------------- */

/* Follows a JSON pointer ("/services/adults/serving/value"); NULL when absent. */
static const jv *pointer(const jv *v, const char *ptr)
{
    while (v && *ptr == '/') {
        ptr++;
        char tok[256];
        size_t n = 0;
        while (*ptr && *ptr != '/' && n + 1 < sizeof tok) {
            if (ptr[0] == '~' && (ptr[1] == '0' || ptr[1] == '1'))
                tok[n++] = ptr[1] == '0' ? '~' : '/', ptr += 2;
            else
                tok[n++] = *ptr++;
        }
        tok[n] = 0;
        if (v->kind == J_OBJ) {
            v = member(v, tok);
        } else if (v->kind == J_ARR) {
            char *end;
            unsigned long i = strtoul(tok, &end, 10);
            v = *end || !*tok || i >= v->n ? NULL : v->items[i];
        } else {
            v = NULL;
        }
    }
    return *ptr ? NULL : v;
}

static int get_main(int argc, char **argv)
{
    char err[600];
    jv *doc = load_json(argv[0], err, sizeof err);
    if (!doc) {
        fprintf(stderr, "validate: %s\n", err);
        return 1;
    }
    int status = 0;
    for (int i = 1; i < argc; i++) {
        const jv *v = pointer(doc, argv[i]);
        if (!v) {
            fprintf(stderr, "validate: %s: no value at %s\n", argv[0], argv[i]);
            status = 1;
            continue;
        }
        switch (v->kind) {
        case J_NULL: puts("null"); break;
        case J_BOOL: puts(v->b ? "true" : "false"); break;
        case J_NUM: printf("%.17g\n", v->num); break;
        case J_STR: puts(v->str); break;
        case J_ARR: printf("(array of %zu)\n", v->n); break;
        case J_OBJ: printf("(object of %zu)\n", v->n); break;
        }
    }
    jv_free(doc);
    return status;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--get") == 0)
        return get_main(argc - 2, argv + 2);
    if (argc < 3 || argv[1][0] == '-') {
        fputs("usage: validate SCHEMA FILE...\n       validate --get FILE POINTER...\n", stderr);
        return 2;
    }
    char err[600];
    jv *schema = load_json(argv[1], err, sizeof err);
    if (!schema) {
        fprintf(stderr, "validate: %s\n", err);
        return 2;
    }
    int failed = 0, unreadable = 0;
    for (int i = 2; i < argc; i++) {
        jv *doc = load_json(argv[i], err, sizeof err);
        if (!doc) {
            fprintf(stderr, "validate: %s\n", err);
            unreadable++;
            continue;
        }
        vctx c = {schema, argv[i], 0, 0, ""};
        validate(&c, schema, doc, "");
        if (c.schema_err[0]) {
            fprintf(stderr, "validate: %s\n", c.schema_err);
            jv_free(doc);
            jv_free(schema);
            return 2;
        }
        if (c.errors)
            failed++;
        printf("%s: %s\n", argv[i], c.errors ? "INVALID" : "valid");
        jv_free(doc);
    }
    jv_free(schema);
    return failed ? 1 : unreadable ? 3 : 0;
}
