/*
 * luapattern.c — Lua 5.4's pattern matcher with a step budget (see luapattern.h).
 *
 * The matcher below is the PATTERN MATCHING section of lstrlib.c of Lua 5.4.4 (MatchState,
 * match() and its helpers, str_find_aux, gmatch, gsub with add_s and add_value), kept as close
 * to the original as the project's warning flags allow, so that it can be compared with
 * upstream line by line. The changes, each marked "starrate:" where it is made:
 *
 *   - MatchState carries a step counter and the caller's meter; ms_tick() is called once per
 *     call and per tail call ("goto init") of match(), and with the number of bytes each
 *     scanning loop examines (max_expand, sets, %b, back references, plain search,
 *     replacement strings); it raises "pattern matching budget of N steps exceeded" once a
 *     call goes past the meter's limit or the meter reports its own budget exhausted;
 *   - the plain search and back references compare byte by byte (instead of memcmp) so that
 *     the bytes actually compared can be counted, not the needle's length each time;
 *   - str_find_aux prepares its MatchState before it first reads the pattern (nospecials
 *     scans all of it), so that the plain search is counted too, and gmatch takes its meter
 *     when the iterator is made;
 *   - names gained the lp_ prefix where they are exported, and the code is reformatted to
 *     the project's style (C11, -Wshadow, no implicit fall-through).
 *
 * Lua 5.4.4, lstrlib.c: Standard library for string operations and pattern-matching.
 *
 * Copyright (C) 1994-2022 Lua.org, PUC-Rio.
 *
 * Permission is hereby granted, free of charge, to any person obtaining a copy of this
 * software and associated documentation files (the "Software"), to deal in the Software
 * without restriction, including without limitation the rights to use, copy, modify, merge,
 * publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons
 * to whom the Software is furnished to do so, subject to the following conditions:
 *
 * The above copyright notice and this permission notice shall be included in all copies or
 * substantial portions of the Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED,
 * INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR
 * PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE
 * FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
 * OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
 * DEALINGS IN THE SOFTWARE.
 */
#include "luapattern.h"

#include <ctype.h>
#include <lauxlib.h>
#include <stddef.h>
#include <string.h>

/* Maximum number of captures that a pattern can do during pattern-matching. This limit is
 * arbitrary, but must fit in an unsigned char. */
#if !defined(LUA_MAXCAPTURES)
#define LUA_MAXCAPTURES 32
#endif

/* macro to 'unsign' a character */
#define uchar(c) ((unsigned char)(c))

#define CAP_UNFINISHED (-1)
#define CAP_POSITION (-2)

/* maximum recursion depth for 'match' */
#if !defined(MAXCCALLS)
#define MAXCCALLS 200
#endif

#define L_ESC '%'
#define SPECIALS "^$*+?.([%-"

/* starrate: steps are handed to the meter in batches of this many, so that the caller's
 * budget learns of them while a long call runs, at the cost of one call per batch. */
#define LP_BATCH 4096

typedef struct MatchState {
    const char *src_init; /* init of source string */
    const char *src_end;  /* end ('\0') of source string */
    const char *p_end;    /* end ('\0') of pattern */
    lua_State *L;
    int matchdepth;      /* control for recursive depth (to avoid C stack overflow) */
    unsigned char level; /* total number of captures (finished or unfinished) */
    struct {
        const char *init;
        ptrdiff_t len;
    } capture[LUA_MAXCAPTURES];
    /* starrate: the step budget of this call */
    const lp_meter *meter; /* NULL: unmetered */
    long steps;            /* steps of this call already handed to the meter */
    long pending;          /* steps not yet handed over */
} MatchState;

/* ---- starrate: the step budget ---------------------------------------------------------- */

/* Hands the pending steps to the meter and stops the call once it is past its limit or the
 * meter's own budget is exhausted. */
static void ms_settle(MatchState *ms)
{
    long n = ms->pending;
    int exhausted = 0;
    ms->pending = 0;
    if (!ms->meter)
        return;
    ms->steps += n;
    if (ms->meter->charge)
        exhausted = ms->meter->charge(ms->L, ms->meter->ud, n);
    if (exhausted || ms->steps > ms->meter->limit) {
        if (ms->meter->exceeded)
            ms->meter->exceeded(ms->L, ms->meter->ud);
        luaL_error(ms->L, "pattern matching budget of %I steps exceeded",
                   (lua_Integer)ms->meter->limit);
    }
}

/* Counts n steps. Cheap on purpose: it runs at every call of match(). */
static void ms_tick(MatchState *ms, size_t n)
{
    ms->pending += (long)n;
    if (ms->pending >= LP_BATCH)
        ms_settle(ms);
}

/* Whether the n bytes at a and b are equal, counting the bytes compared. */
static int ms_equal(MatchState *ms, const char *a, const char *b, size_t n)
{
    size_t i = 0;
    while (i < n && a[i] == b[i])
        i++;
    ms_tick(ms, i + 1);
    return i == n;
}

/* The meter of the running C function (upvalue 1, a light userdata), or NULL. */
static const lp_meter *current_meter(lua_State *L)
{
    if (lua_type(L, lua_upvalueindex(1)) != LUA_TLIGHTUSERDATA)
        return NULL;
    return (const lp_meter *)lua_touserdata(L, lua_upvalueindex(1));
}

/* ---- the matcher (lstrlib.c) ------------------------------------------------------------ */

/* recursive function */
static const char *match(MatchState *ms, const char *s, const char *p);

static int check_capture(MatchState *ms, int l)
{
    l -= '1';
    if (l < 0 || l >= ms->level || ms->capture[l].len == CAP_UNFINISHED)
        return luaL_error(ms->L, "invalid capture index %%%d", l + 1);
    return l;
}

static int capture_to_close(MatchState *ms)
{
    int level = ms->level;
    for (level--; level >= 0; level--)
        if (ms->capture[level].len == CAP_UNFINISHED)
            return level;
    return luaL_error(ms->L, "invalid pattern capture");
}

static const char *classend(MatchState *ms, const char *p)
{
    const char *start = p;
    switch (*p++) {
    case L_ESC: {
        if (p == ms->p_end)
            luaL_error(ms->L, "malformed pattern (ends with '%%')");
        return p + 1;
    }
    case '[': {
        if (*p == '^')
            p++;
        do { /* look for a ']' */
            if (p == ms->p_end)
                luaL_error(ms->L, "malformed pattern (missing ']')");
            if (*(p++) == L_ESC && p < ms->p_end)
                p++; /* skip escapes (e.g. '%]') */
        } while (*p != ']');
        ms_tick(ms, (size_t)(p - start)); /* starrate: a set is scanned at every use */
        return p + 1;
    }
    default: {
        return p;
    }
    }
}

static int match_class(int c, int cl)
{
    int res;
    switch (tolower(cl)) {
    case 'a': res = isalpha(c); break;
    case 'c': res = iscntrl(c); break;
    case 'd': res = isdigit(c); break;
    case 'g': res = isgraph(c); break;
    case 'l': res = islower(c); break;
    case 'p': res = ispunct(c); break;
    case 's': res = isspace(c); break;
    case 'u': res = isupper(c); break;
    case 'w': res = isalnum(c); break;
    case 'x': res = isxdigit(c); break;
    case 'z': res = (c == 0); break; /* deprecated option */
    default: return (cl == c);
    }
    return (islower(cl) ? res : !res);
}

/* starrate: takes ms to count the bytes of the set it examines. */
static int matchbracketclass(MatchState *ms, int c, const char *p, const char *ec)
{
    int sig = 1, found = 0;
    const char *start = p;
    if (*(p + 1) == '^') {
        sig = 0;
        p++; /* skip the '^' */
    }
    /* starrate: the loop stops on a member instead of returning, so that the bytes examined
     * can be counted; `found` says why it stopped, because p alone cannot: an escape as the
     * set's last item ("[a%]" read as "a" then "%]") leaves p on ec when ']' matches. */
    while (!found && ++p < ec) {
        if (*p == L_ESC) {
            p++;
            found = match_class(c, uchar(*p));
        } else if ((*(p + 1) == '-') && (p + 2 < ec)) {
            p += 2;
            found = uchar(*(p - 2)) <= c && c <= uchar(*p);
        } else
            found = uchar(*p) == c;
    }
    ms_tick(ms, (size_t)(p - start));
    return found ? sig : !sig;
}

static int singlematch(MatchState *ms, const char *s, const char *p, const char *ep)
{
    if (s >= ms->src_end)
        return 0;
    else {
        int c = uchar(*s);
        switch (*p) {
        case '.': return 1; /* matches any char */
        case L_ESC: return match_class(c, uchar(*(p + 1)));
        case '[': return matchbracketclass(ms, c, p, ep - 1);
        default: return (uchar(*p) == c);
        }
    }
}

static const char *matchbalance(MatchState *ms, const char *s, const char *p)
{
    if (p >= ms->p_end - 1)
        luaL_error(ms->L, "malformed pattern (missing arguments to '%%b')");
    if (*s != *p)
        return NULL;
    else {
        const char *start = s;
        int b = *p;
        int e = *(p + 1);
        int cont = 1;
        while (++s < ms->src_end) {
            if (*s == e) {
                if (--cont == 0) {
                    ms_tick(ms, (size_t)(s - start));
                    return s + 1;
                }
            } else if (*s == b)
                cont++;
        }
        ms_tick(ms, (size_t)(s - start));
    }
    return NULL; /* string ends out of balance */
}

static const char *max_expand(MatchState *ms, const char *s, const char *p, const char *ep)
{
    ptrdiff_t i = 0; /* counts maximum expand for item */
    while (singlematch(ms, s + i, p, ep))
        i++;
    ms_tick(ms, (size_t)i); /* starrate */
    /* keeps trying to match with the maximum repetitions */
    while (i >= 0) {
        const char *res = match(ms, (s + i), ep + 1);
        if (res)
            return res;
        i--; /* else didn't match; reduce 1 repetition to try again */
    }
    return NULL;
}

static const char *min_expand(MatchState *ms, const char *s, const char *p, const char *ep)
{
    for (;;) {
        const char *res = match(ms, s, ep + 1);
        if (res != NULL)
            return res;
        else if (singlematch(ms, s, p, ep))
            s++; /* try with one more repetition */
        else
            return NULL;
    }
}

static const char *start_capture(MatchState *ms, const char *s, const char *p, int what)
{
    const char *res;
    int level = ms->level;
    if (level >= LUA_MAXCAPTURES)
        luaL_error(ms->L, "too many captures");
    ms->capture[level].init = s;
    ms->capture[level].len = what;
    ms->level = (unsigned char)(level + 1);
    if ((res = match(ms, s, p)) == NULL) /* match failed? */
        ms->level--;                     /* undo capture */
    return res;
}

static const char *end_capture(MatchState *ms, const char *s, const char *p)
{
    int l = capture_to_close(ms);
    const char *res;
    ms->capture[l].len = s - ms->capture[l].init; /* close capture */
    if ((res = match(ms, s, p)) == NULL)          /* match failed? */
        ms->capture[l].len = CAP_UNFINISHED;      /* undo capture */
    return res;
}

static const char *match_capture(MatchState *ms, const char *s, int l)
{
    size_t len;
    l = check_capture(ms, l);
    len = (size_t)ms->capture[l].len;
    if ((size_t)(ms->src_end - s) >= len && ms_equal(ms, ms->capture[l].init, s, len))
        return s + len;
    else
        return NULL;
}

static const char *match(MatchState *ms, const char *s, const char *p)
{
    if (ms->matchdepth-- == 0)
        luaL_error(ms->L, "pattern too complex");
init: /* using goto's to optimize tail recursion */
    ms_tick(ms, 1); /* starrate: one step per call and per tail call */
    if (p != ms->p_end) { /* end of pattern? */
        switch (*p) {
        case '(': { /* start capture */
            if (*(p + 1) == ')') /* position capture? */
                s = start_capture(ms, s, p + 2, CAP_POSITION);
            else
                s = start_capture(ms, s, p + 1, CAP_UNFINISHED);
            break;
        }
        case ')': { /* end capture */
            s = end_capture(ms, s, p + 1);
            break;
        }
        case '$': {
            if ((p + 1) != ms->p_end) /* is the '$' the last char in pattern? */
                goto dflt;            /* no; go to default */
            s = (s == ms->src_end) ? s : NULL; /* check end of string */
            break;
        }
        case L_ESC: { /* escaped sequences not in the format class[*+?-]? */
            switch (*(p + 1)) {
            case 'b': { /* balanced string? */
                s = matchbalance(ms, s, p + 2);
                if (s != NULL) {
                    p += 4;
                    goto init; /* return match(ms, s, p + 4); */
                } /* else fail (s == NULL) */
                break;
            }
            case 'f': { /* frontier? */
                const char *ep;
                char previous;
                p += 2;
                if (*p != '[')
                    luaL_error(ms->L, "missing '[' after '%%f' in pattern");
                ep = classend(ms, p); /* points to what is next */
                previous = (s == ms->src_init) ? '\0' : *(s - 1);
                if (!matchbracketclass(ms, uchar(previous), p, ep - 1) &&
                    matchbracketclass(ms, uchar(*s), p, ep - 1)) {
                    p = ep;
                    goto init; /* return match(ms, s, ep); */
                }
                s = NULL; /* match failed */
                break;
            }
            case '0': case '1': case '2': case '3':
            case '4': case '5': case '6': case '7':
            case '8': case '9': { /* capture results (%0-%9)? */
                s = match_capture(ms, s, uchar(*(p + 1)));
                if (s != NULL) {
                    p += 2;
                    goto init; /* return match(ms, s, p + 2) */
                }
                break;
            }
            default:
                goto dflt;
            }
            break;
        }
        default:
        dflt: { /* pattern class plus optional suffix */
            const char *ep = classend(ms, p); /* points to optional suffix */
            /* does not match at least once? */
            if (!singlematch(ms, s, p, ep)) {
                if (*ep == '*' || *ep == '?' || *ep == '-') { /* accept empty? */
                    p = ep + 1;
                    goto init; /* return match(ms, s, ep + 1); */
                } else         /* '+' or no suffix */
                    s = NULL;  /* fail */
            } else {           /* matched once */
                switch (*ep) { /* handle optional suffix */
                case '?': {    /* optional */
                    const char *res;
                    if ((res = match(ms, s + 1, ep + 1)) != NULL)
                        s = res;
                    else {
                        p = ep + 1;
                        goto init; /* else return match(ms, s, ep + 1); */
                    }
                    break;
                }
                case '+': /* 1 or more repetitions */
                    s++;  /* 1 match already done */
                    s = max_expand(ms, s, p, ep); /* starrate: was a fall-through */
                    break;
                case '*': /* 0 or more repetitions */
                    s = max_expand(ms, s, p, ep);
                    break;
                case '-': /* 0 or more repetitions (minimum) */
                    s = min_expand(ms, s, p, ep);
                    break;
                default: /* no suffix */
                    s++;
                    p = ep;
                    goto init; /* return match(ms, s + 1, ep); */
                }
            }
            break;
        }
        }
    }
    ms->matchdepth++;
    return s;
}

/* starrate: counts the bytes compared (see ms_equal) instead of calling memcmp. */
static const char *lmemfind(MatchState *ms, const char *s1, size_t l1, const char *s2,
                            size_t l2)
{
    if (l2 == 0)
        return s1; /* empty strings are everywhere */
    else if (l2 > l1)
        return NULL; /* avoids a negative 'l1' */
    else {
        const char *init; /* to search for a '*s2' inside 's1' */
        l2--;             /* 1st char will be checked by 'memchr' */
        l1 = l1 - l2;     /* 's2' cannot be found after that */
        while (l1 > 0 && (init = (const char *)memchr(s1, *s2, l1)) != NULL) {
            ms_tick(ms, (size_t)(init - s1));
            init++; /* 1st char is already checked */
            if (ms_equal(ms, init, s2 + 1, l2))
                return init - 1;
            else { /* correct 'l1' and 's1' to try again */
                l1 -= (size_t)(init - s1);
                s1 = init;
            }
        }
        return NULL; /* not found */
    }
}

/*
** get information about the i-th capture. If there are no captures
** and 'i==0', return information about the whole match, which
** is the range 's'..'e'. If the capture is a string, return
** its length and put its address in '*cap'. If it is an integer
** (a position), push it on the stack and return CAP_POSITION.
*/
static ptrdiff_t get_onecapture(MatchState *ms, int i, const char *s, const char *e,
                                const char **cap)
{
    if (i >= ms->level) {
        if (i != 0)
            luaL_error(ms->L, "invalid capture index %%%d", i + 1);
        *cap = s;
        return e - s;
    } else {
        ptrdiff_t capl = ms->capture[i].len;
        *cap = ms->capture[i].init;
        if (capl == CAP_UNFINISHED)
            luaL_error(ms->L, "unfinished capture");
        else if (capl == CAP_POSITION)
            lua_pushinteger(ms->L, (ms->capture[i].init - ms->src_init) + 1);
        return capl;
    }
}

/* Push the i-th capture on the stack. */
static void push_onecapture(MatchState *ms, int i, const char *s, const char *e)
{
    const char *cap;
    ptrdiff_t l = get_onecapture(ms, i, s, e, &cap);
    if (l != CAP_POSITION)
        lua_pushlstring(ms->L, cap, (size_t)l);
    /* else position was already pushed */
}

static int push_captures(MatchState *ms, const char *s, const char *e)
{
    int i;
    int nlevels = (ms->level == 0 && s) ? 1 : ms->level;
    luaL_checkstack(ms->L, nlevels, "too many captures");
    for (i = 0; i < nlevels; i++)
        push_onecapture(ms, i, s, e);
    return nlevels; /* number of strings pushed */
}

/* check whether pattern has no special characters */
static int nospecials(const char *p, size_t l)
{
    size_t upto = 0;
    do {
        if (strpbrk(p + upto, SPECIALS))
            return 0;                 /* pattern has a special character */
        upto += strlen(p + upto) + 1; /* may have more after \0 */
    } while (upto <= l);
    return 1; /* no special chars found */
}

static void prepstate(MatchState *ms, lua_State *L, const char *s, size_t ls, const char *p,
                      size_t lp)
{
    ms->L = L;
    ms->matchdepth = MAXCCALLS;
    ms->src_init = s;
    ms->src_end = s + ls;
    ms->p_end = p + lp;
    ms->meter = current_meter(L); /* starrate */
    ms->steps = 0;
    ms->pending = 0;
}

static void reprepstate(MatchState *ms) { ms->level = 0; }

/*
** translate a relative initial string position
** (negative means back from end): clip result to [1, inf).
** The length of any string in Lua must fit in a lua_Integer,
** so there are no overflows in the casts.
** The inverted comparison avoids a possible overflow
** computing '-pos'.
*/
static size_t posrelatI(lua_Integer pos, size_t len)
{
    if (pos > 0)
        return (size_t)pos;
    else if (pos == 0)
        return 1;
    else if (pos < -(lua_Integer)len) /* inverted comparison */
        return 1;                      /* clip to 1 */
    else
        return len + (size_t)pos + 1;
}

static int str_find_aux(lua_State *L, int find)
{
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = posrelatI(luaL_optinteger(L, 3, 1), ls) - 1;
    MatchState ms;
    if (init > ls) { /* start after string's end? */
        luaL_pushfail(L); /* cannot find anything */
        return 1;
    }
    /* starrate: the state is prepared before the pattern is first read, so that reading it
     * (nospecials scans all of it) is counted; skipping the anchor below keeps p_end. */
    prepstate(&ms, L, s, ls, p, lp);
    ms_tick(&ms, lp);
    /* explicit request or no special characters? */
    if (find && (lua_toboolean(L, 4) || nospecials(p, lp))) {
        /* do a plain search */
        const char *s2 = lmemfind(&ms, s + init, ls - init, p, lp);
        ms_settle(&ms);
        if (s2) {
            lua_pushinteger(L, (s2 - s) + 1);
            lua_pushinteger(L, (lua_Integer)((size_t)(s2 - s) + lp));
            return 2;
        }
    } else {
        const char *s1 = s + init;
        int anchor = (*p == '^');
        if (anchor) {
            p++;
            lp--; /* skip anchor character */
        }
        do {
            const char *res;
            reprepstate(&ms);
            if ((res = match(&ms, s1, p)) != NULL) {
                ms_settle(&ms);
                if (find) {
                    lua_pushinteger(L, (s1 - s) + 1); /* start */
                    lua_pushinteger(L, res - s);      /* end */
                    return push_captures(&ms, NULL, 0) + 2;
                } else
                    return push_captures(&ms, s1, res);
            }
        } while (s1++ < ms.src_end && !anchor);
        ms_settle(&ms);
    }
    luaL_pushfail(L); /* not found */
    return 1;
}

int lp_find(lua_State *L) { return str_find_aux(L, 1); }

int lp_match(lua_State *L) { return str_find_aux(L, 0); }

/* state for 'gmatch' */
typedef struct GMatchState {
    const char *src;       /* current position */
    const char *p;         /* pattern */
    const char *lastmatch; /* end of last match */
    MatchState ms;         /* match state */
} GMatchState;

static int gmatch_aux(lua_State *L)
{
    GMatchState *gm = (GMatchState *)lua_touserdata(L, lua_upvalueindex(3));
    const char *src;
    gm->ms.L = L;
    gm->ms.steps = 0; /* starrate: each call of the iterator has a budget of its own */
    gm->ms.pending = 0;
    for (src = gm->src; src <= gm->ms.src_end; src++) {
        const char *e;
        reprepstate(&gm->ms);
        if ((e = match(&gm->ms, src, gm->p)) != NULL && e != gm->lastmatch) {
            ms_settle(&gm->ms);
            gm->src = gm->lastmatch = e;
            return push_captures(&gm->ms, src, e);
        }
    }
    ms_settle(&gm->ms);
    return 0; /* not found */
}

int lp_gmatch(lua_State *L)
{
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = posrelatI(luaL_optinteger(L, 3, 1), ls) - 1;
    GMatchState *gm;
    lua_settop(L, 2); /* keep strings on closure to avoid being collected */
    gm = (GMatchState *)lua_newuserdatauv(L, sizeof(GMatchState), 0);
    if (init > ls)      /* start after string's end? */
        init = ls + 1;  /* avoid overflows in 's + init' */
    prepstate(&gm->ms, L, s, ls, p, lp); /* starrate: takes this call's meter for every iteration */
    gm->src = s + init;
    gm->p = p;
    gm->lastmatch = NULL;
    lua_pushcclosure(L, gmatch_aux, 3);
    return 1;
}

static void add_s(MatchState *ms, luaL_Buffer *b, const char *s, const char *e)
{
    size_t l;
    lua_State *L = ms->L;
    const char *news = lua_tolstring(L, 3, &l);
    const char *p;
    ms_tick(ms, l); /* starrate: the replacement is scanned at every match */
    while ((p = (const char *)memchr(news, L_ESC, l)) != NULL) {
        luaL_addlstring(b, news, (size_t)(p - news));
        p++;                /* skip ESC */
        if (*p == L_ESC)    /* '%%' */
            luaL_addchar(b, *p);
        else if (*p == '0') /* '%0' */
            luaL_addlstring(b, s, (size_t)(e - s));
        else if (isdigit(uchar(*p))) { /* '%n' */
            const char *cap;
            ptrdiff_t resl = get_onecapture(ms, *p - '1', s, e, &cap);
            if (resl == CAP_POSITION)
                luaL_addvalue(b); /* add position to accumulated result */
            else
                luaL_addlstring(b, cap, (size_t)resl);
        } else
            luaL_error(L, "invalid use of '%c' in replacement string", L_ESC);
        l -= (size_t)(p + 1 - news);
        news = p + 1;
    }
    luaL_addlstring(b, news, l);
}

/*
** Add the replacement value to the string buffer 'b'.
** Return true if the original string was changed. (Function calls and
** table indexing resulting in nil or false do not change the subject.)
*/
static int add_value(MatchState *ms, luaL_Buffer *b, const char *s, const char *e, int tr)
{
    lua_State *L = ms->L;
    switch (tr) {
    case LUA_TFUNCTION: { /* call the function */
        int n;
        lua_pushvalue(L, 3);         /* push the function */
        n = push_captures(ms, s, e); /* all captures as arguments */
        lua_call(L, n, 1);           /* call it */
        break;
    }
    case LUA_TTABLE: {                /* index the table */
        push_onecapture(ms, 0, s, e); /* first capture is the index */
        lua_gettable(L, 3);
        break;
    }
    default: {              /* LUA_TNUMBER or LUA_TSTRING */
        add_s(ms, b, s, e); /* add value to the buffer */
        return 1;           /* something changed */
    }
    }
    if (!lua_toboolean(L, -1)) {        /* nil or false? */
        lua_pop(L, 1);                  /* remove value */
        luaL_addlstring(b, s, (size_t)(e - s)); /* keep original text */
        return 0;                       /* no changes */
    } else if (!lua_isstring(L, -1))
        return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    else {
        luaL_addvalue(b); /* add result to accumulator */
        return 1;         /* something changed */
    }
}

int lp_gsub(lua_State *L)
{
    size_t srcl, lp;
    const char *src = luaL_checklstring(L, 1, &srcl); /* subject */
    const char *p = luaL_checklstring(L, 2, &lp);     /* pattern */
    const char *lastmatch = NULL;                     /* end of last match */
    int tr = lua_type(L, 3);                          /* replacement type */
    lua_Integer max_s = luaL_optinteger(L, 4, (lua_Integer)srcl + 1); /* max replacements */
    int anchor = (*p == '^');
    lua_Integer n = 0; /* replacement count */
    int changed = 0;   /* change flag */
    MatchState ms;
    luaL_Buffer b;
    luaL_argexpected(L,
                     tr == LUA_TNUMBER || tr == LUA_TSTRING || tr == LUA_TFUNCTION ||
                         tr == LUA_TTABLE,
                     3, "string/function/table");
    luaL_buffinit(L, &b);
    if (anchor) {
        p++;
        lp--; /* skip anchor character */
    }
    prepstate(&ms, L, src, srcl, p, lp);
    while (n < max_s) {
        const char *e;
        reprepstate(&ms); /* (re)prepare state for new match */
        if ((e = match(&ms, src, p)) != NULL && e != lastmatch) { /* match? */
            n++;
            changed = add_value(&ms, &b, src, e, tr) | changed;
            src = lastmatch = e;
        } else if (src < ms.src_end) /* otherwise, skip one character */
            luaL_addchar(&b, *src++);
        else
            break; /* end of subject */
        if (anchor)
            break;
    }
    ms_settle(&ms);
    if (!changed) /* no changes? */
        lua_pushvalue(L, 1); /* return original string */
    else {                   /* something changed */
        luaL_addlstring(&b, src, (size_t)(ms.src_end - src));
        luaL_pushresult(&b); /* create and return new string */
    }
    lua_pushinteger(L, n); /* number of substitutions */
    return 2;
}

void lp_push(lua_State *L, lua_CFunction fn, const lp_meter *m)
{
    if (!m) {
        lua_pushcfunction(L, fn);
        return;
    }
    lua_pushlightuserdata(L, (void *)m);
    lua_pushcclosure(L, fn, 1);
}
