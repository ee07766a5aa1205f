/*
 * test_sandbox_pack.c — rule packs that try to escape the sandbox or exhaust the host, seen
 * through the public pack API (rp_load, rp_stars, rt_evaluate) rather than the Lua host alone.
 *
 * Each hostile pack is written to a temporary folder: a star rule or a judgement rule calls
 * `hostile(...)`, a local function whose one line (line 2 of its file) is the attack, only for
 * a trigger input (children "no", or a finding with id "boom"). The attack must end in a
 * clean error naming that file and line, within the instruction budget and memory cap, and
 * the same loaded pack must then evaluate an ordinary input correctly.
 */
#include "cmd.h"
#include "helpers.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char dir[256];

/* CPU seconds an attack may take: the evaluation's CPU-time limit (3 s; 15 s in the sanitizer
 * build, which runs several times slower) plus a margin. */
#ifdef __SANITIZE_ADDRESS__
#define MAX_SECS 20.0
#else
#define MAX_SECS 5.0
#endif

static const char decl_lua[] = TH_DECL_LUA;

/* Line 2 of both rule files is the attack (%s). */
static const char stars_fmt[] =
    "local function hostile(j)\n"
    "  %s\n"
    "end\n"
    "star_rule { id = 'zero', stars = 0, sentence = 'z', source = 's',\n"
    "  when = function(j)\n"
    "    if j.children.serving == 'no' then hostile(j) end\n"
    "    return j.children.serving == 'no' end }\n"
    "star_rule { id = 'rest', stars = 1, sentence = 'r', reconstructed = 'r',\n"
    "  when = function(j) return true end }\n";

static const char rules_fmt[] =
    "local function hostile(input)\n"
    "  %s\n"
    "end\n"
    "rule { id = 'grade', layer = 'grade', sentence = 'g', reconstructed = 'r',\n"
    "  fn = function(input)\n"
    "    for _, f in ipairs(input.findings) do\n"
    "      if f.id == 'boom' then hostile(input) end\n"
    "    end\n"
    "    return 'good', { reason = 'fixed' } end }\n"
    "rule { id = 'serving', layer = 'serving', sentence = 's', reconstructed = 'r',\n"
    "  fn = function(input) return 'most' end }\n"
    "rule { id = 'capacity-grade', layer = 'capacity_grade', sentence = 'c', reconstructed = 'r',\n"
    "  fn = function(input) return 'good' end }\n"
    "rule { id = 'capacity', layer = 'capacity', sentence = 'c', reconstructed = 'r',\n"
    "  fn = function(input) return 'promising' end }\n";

static const char pack_lua[] =
    "pack { name = 't', version = '1', round = 2002, title = 'hostile',\n"
    "       files = { 'decl.lua', 'stars.lua', 'rules.lua' } }\n";

/* Evidence that triggers the grade rule's attack, and evidence that does not. */
static const char boom_yaml[] =
    "council: Hostile\nyear: 2002\nchildren:\n  findings:\n"
    "    - {id: boom, text: trigger, kind: strength, standards: [1]}\n"
    "    - {id: other, text: second, kind: concern, standards: [1]}\n";
static const char calm_yaml[] =
    "council: Calm\nyear: 2002\nchildren:\n  findings:\n"
    "    - {id: calm, text: ordinary, kind: strength, standards: [1]}\n";

static void write_file(const char *name, const char *text, size_t len)
{
    th_write_in(dir, name, text, len);
}

static void write_text(const char *name, const char *text) { write_file(name, text, strlen(text)); }

/* Writes the pack with `attack` as line 2 of stars.lua or of rules.lua (the other gets a
 * harmless line). */
static void write_pack(const char *star_attack, const char *rule_attack)
{
    char buf[4096];
    write_text("pack.lua", pack_lua);
    write_text("decl.lua", decl_lua);
    snprintf(buf, sizeof buf, stars_fmt, star_attack ? star_attack : "return nil");
    write_text("stars.lua", buf);
    snprintf(buf, sizeof buf, rules_fmt, rule_attack ? rule_attack : "return nil");
    write_text("rules.lua", buf);
}

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/starrate-sandbox-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(sandbox_pack, .init = make_dir, .fini = remove_dir);

/* CPU time of this thread: the machine may be shared, and the limits are about work. */
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The display name of a file of the pack, as errors give it. */
static void shown(const char *name, char *out, size_t outlen)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    sr_display_path(path, out, outlen);
}

static void expect_at(const sr_error *err, int rc, int want_rc, const char *file, int line,
                      const char *msg, const char *what)
{
    char want_file[512];
    shown(file, want_file, sizeof want_file);
    cr_assert_eq(rc, want_rc, "%s: rc %d (want %d): %s:%d: %s", what, rc, want_rc, err->file,
                 err->line, err->msg);
    cr_assert_str_eq(err->file, want_file, "%s", what);
    cr_assert_eq(err->line, line, "%s: line %d: %s", what, err->line, err->msg);
    cr_assert(strstr(err->msg, msg) != NULL, "%s: message [%s] lacks [%s]", what, err->msg, msg);
}

/* rp_stars on its own is one evaluation: like its callers (cmd/stars.c, backtest.c, seek.c), the
 * test starts a new budget first. */
static int stars(rp_pack *p, const int *serving, const int *capacity, int *row, sr_error *err)
{
    sr_error_clear(err);
    lh_budget_reset(p->host);
    return rp_stars(p, serving, capacity, row, err);
}

/* The pack still applies its star table to an ordinary input. */
static void expect_stars_work(rp_pack *p, const char *what)
{
    int serving[2] = {2, 2}, capacity[2] = {2, 2}, row = -1; /* most/promising */
    sr_error err;
    cr_assert_eq(stars(p, serving, capacity, &row, &err), SR_OK, "%s: afterwards: %s", what,
                 err.msg);
    cr_assert_eq(row, 1, "%s", what);
}

/* The pack still rates ordinary evidence: every judgement derived, 1 star. */
static void expect_evaluate_works(rp_pack *p, const char *what)
{
    ev_evidence *ev = NULL;
    sr_error err;
    cr_assert_eq(th_evidence(p, calm_yaml, &ev, &err), SR_OK, "%s", err.msg);
    rt_result r;
    rt_init(&r);
    int rc = rt_evaluate(p, ev, &r, &err);
    cr_assert_eq(rc, SR_OK, "%s: afterwards: %s:%d: %s", what, err.file, err.line, err.msg);
    cr_assert_eq(r.stars, 1, "%s", what);
    cr_assert_eq(r.svc[0].serving, 2, "%s", what);
    rt_free(&r);
    ev_free(ev);
}

typedef struct attack {
    const char *what;
    const char *code; /* line 2 of the rule file */
    int rc;
    const char *msg;
} attack;

/* Attacks that are the same whichever rule makes them (the table they receive is `j` in a
 * star rule and `input` in a judgement rule; both are called `t` here and substituted). */
static const attack attacks[] = {
    {"os.execute", "os.execute('touch /tmp/starrate-pwned')", SR_ERULES, "undefined global 'os'"},
    {"io.open", "local f = io.open('/etc/passwd')", SR_ERULES, "undefined global 'io'"},
    {"require", "local m = require('os')", SR_ERULES, "undefined global 'require'"},
    {"load of bytecode", "local f = load(string.dump(function() end))", SR_ERULES,
     "undefined global 'load'"},
    {"string.dump", "local b = string.dump(hostile)", SR_ERULES, "attempt to call a nil value"},
    {"dofile", "dofile('/etc/passwd')", SR_ERULES, "undefined global 'dofile'"},
    {"debug", "debug.sethook()", SR_ERULES, "undefined global 'debug'"},
    {"string.rep to gigabytes", "local s = string.rep('x', 2^31)", SR_ERULES,
     "string.rep result longer than 1048576 bytes"},
    {"strings to the memory cap",
     "local s, t = ('x'):rep(2^20), {} for i = 1, 1e6 do t[i] = s .. i end", SR_ELIMIT,
     "memory cap of 67108864 bytes exceeded"},
    {"a table to the memory cap", "local t = {} for i = 1, 1e9 do t[i] = i end", SR_ELIMIT,
     "memory cap of 67108864 bytes exceeded"},
    {"deep recursion", "local function f(n) return 1 + f(n + 1) end return f(1)", SR_ERULES,
     "stack overflow"},
    {"an endless loop", "while true do end", SR_ELIMIT, "instruction budget of 20000000 exceeded"},
    {"an endless loop in a gsub callback",
     "string.gsub('abc', '%w', function(c) while true do end end)", SR_ELIMIT,
     "instruction budget of 20000000 exceeded"},
    {"an endless loop caught by pcall", "while true do pcall(function() while true do end end) end",
     SR_ELIMIT, "instruction budget of 20000000 exceeded"},
    {"a catastrophic pattern", "local i = ('a'):rep(2^15):find('.-.-b')", SR_ELIMIT,
     "pattern matching budget of 20000000 steps exceeded"},
    {"a catastrophic pattern in gmatch", "for w in ('a'):rep(300):gmatch('.-.-.-.-b') do end",
     SR_ELIMIT, "pattern matching budget of 20000000 steps exceeded"},
    {"rawset on the table received", "rawset(T, 'x', 1)", SR_ERULES, "undefined global 'rawset'"},
    {"a global written during evaluation", "leaked = true", SR_ERULES,
     "assignment to global 'leaked' outside loading"},
    {"a base global overwritten during evaluation", "string = nil", SR_ERULES,
     "assignment to global 'string' outside loading"},
    {"the library tables", "string.find = nil", SR_ERULES, "attempt to modify read-only table"},
    {"the string metatable", "getmetatable('').__index = {}", SR_ERULES,
     "attempt to index a string value"},
    {"a __gc finalizer", "setmetatable({}, { __gc = function() while true do end end })",
     SR_ERULES, "__gc metamethods are not allowed"},
    /* C functions that work in a loop of their own: each is charged for that work, refused
     * past a bound, or stopped by the CPU-time limit */
    {"string.rep of nothing, maxinteger times",
     "for i = 1, math.huge do local s = string.rep('', math.maxinteger) end", SR_ELIMIT,
     "instruction budget of 20000000 exceeded"},
    {"rep of nothing with an empty separator",
     "for i = 1, math.huge do local s = (''):rep(math.maxinteger, '') end", SR_ELIMIT,
     "instruction budget of 20000000 exceeded"},
    {"table.insert at the front of a long table",
     "local t = {} for i = 1, 5e5 do t[i] = i end for i = 1, 1e9 do table.insert(t, 1, i) end",
     SR_ELIMIT, "instruction budget of 20000000 exceeded"},
    {"table.remove from the front of a long table",
     "local t = {} for i = 1, 5e5 do t[i] = i end for i = 1, 1e9 do table.remove(t, 1) t[#t + 1] = i end",
     SR_ELIMIT, "instruction budget of 20000000 exceeded"},
    {"table.sort of a long table, again and again",
     "local t = {} for i = 1, 2e5 do t[i] = -i end for i = 1, 1e9 do table.sort(t) end",
     SR_ELIMIT, "instruction budget of 20000000 exceeded"},
    {"table.move of a long table, again and again",
     "local t = {} for i = 1, 5e5 do t[i] = i end for i = 1, 1e9 do table.move(t, 1, #t, 2) end",
     SR_ELIMIT, "instruction budget of 20000000 exceeded"},
    {"table.concat of a long table, again and again",
     "local t = {} for i = 1, 5e5 do t[i] = 'x' end for i = 1, 1e9 do local s = table.concat(t) end",
     SR_ELIMIT, "instruction budget of 20000000 exceeded"},
    {"table.unpack of a long table, again and again",
     "local t = {} for i = 1, 5e5 do t[i] = i end for i = 1, 1e9 do local a = table.unpack(t) end",
     SR_ELIMIT, "instruction budget of 20000000 exceeded"},
    {"a __len that lies", "table.insert(setmetatable({}, { __len = function() return 2^40 end, __index = tostring, __newindex = rawequal }), 1, 1)",
     SR_ERULES, "table operation over more than 1048576 elements"},
    {"a __len that lies a little",
     "local t = setmetatable({}, { __len = function() return 1e6 end, __index = tostring, __newindex = rawequal }) for i = 1, 1e9 do table.insert(t, 1, 1) end",
     SR_ELIMIT, "instruction budget of 20000000 exceeded"},
    {"utf8.len of a long string, again and again",
     "local s = ('x'):rep(2^20) for i = 1, 1e9 do local n = utf8.len(s) end", SR_ELIMIT,
     "instruction budget of 20000000 exceeded"},
    {"tonumber of a long string, again and again",
     "local s = (' '):rep(2^20) for i = 1, 1e9 do local n = tonumber(s) end", SR_ELIMIT,
     "instruction budget of 20000000 exceeded"},
    {"string.byte of a long string, again and again",
     "local s = ('x'):rep(2^20) for i = 1, 1e9 do local n = s:upper():byte(-1) end", SR_ELIMIT,
     "instruction budget of 20000000 exceeded"},
    {"select over many values, again and again",
     "local function f(...) for i = 1, 1e9 do local x = select('#', ...) end end local t = {} for i = 1, 1e5 do t[i] = i end f(table.unpack(t))",
     SR_ELIMIT, "instruction budget of 20000000 exceeded"},
    {"a concatenation past the string limit", "local s = ('x'):rep(2^20) local u = s .. s",
     SR_ELIMIT, "string longer than 1048576 bytes"},
    {"string.format past the string limit",
     "local s = ('x'):rep(2^20) local u = string.format('%s%s', s, s)", SR_ELIMIT,
     "string longer than 1048576 bytes"},
    {"gsub past the string limit", "local u = ('x'):rep(2^20):gsub('x', 'yy')", SR_ELIMIT,
     "string longer than 1048576 bytes"},
    {"caught memory errors, again and again",
     "local s = ('x'):rep(2^20) while true do pcall(function() return s .. s end) end", SR_ELIMIT,
     "instruction budget of 20000000 exceeded"},
    {"== on two long strings, again and again",
     "local a, b = ('x'):rep(2^20), ('x'):rep(2^19) .. ('x'):rep(2^19) while a == b do end",
     SR_ELIMIT, "CPU time limit exceeded"},
    {"< on two long strings of NUL bytes, again and again",
     "local a, b = ('\\0'):rep(2^20), ('\\0'):rep(2^19) .. ('\\0'):rep(2^19) while not (a < b) do end",
     SR_ELIMIT, "CPU time limit exceeded"},
};

/* A star rule's table is shared by the rows of the star table, so it is read-only. (A
 * judgement rule's input is made for the one call: a_rule_changing_its_input_changes_nothing_else.) */
static const attack shared_table_attacks[] = {
    {"setmetatable on the table received", "setmetatable(T, {})", SR_ERULES,
     "cannot change a protected metatable"},
    {"getmetatable then change it", "getmetatable(T).__index = nil", SR_ERULES,
     "attempt to index a string value"},
    {"writing to the table received", "T.extra = 1", SR_ERULES,
     "attempt to modify read-only table"},
    {"table.insert into the table received", "table.insert(T, 1)", SR_ERULES,
     "attempt to modify read-only table"},
};

/* attack->code with T replaced by the name of the received table. */
static void attack_code(const attack *a, const char *table, char *out, size_t outlen)
{
    const char *t = strstr(a->code, "T");
    if (t && (t == a->code || t[-1] == '(' || t[-1] == ' ') && (t[1] == ',' || t[1] == ')' ||
                                                               t[1] == '.'))
        snprintf(out, outlen, "%.*s%s%s", (int)(t - a->code), a->code, table, t + 1);
    else
        snprintf(out, outlen, "%s", a->code);
}

/* How every attack must end: its error at line 2 of `file`, within MAX_SECS of CPU time and
 * with the state inside its memory cap. */
static void expect_attack_ended(const attack *a, rp_pack *p, const char *file, int rc,
                                const sr_error *err, double secs)
{
    if (getenv("TH_TIMES"))
        fprintf(stderr, "%5.2f s  %s\n", secs, a->what);
    expect_at(err, rc, a->rc, file, 2, a->msg, a->what);
    cr_assert_lt(secs, MAX_SECS, "%s took %.1f s", a->what, secs);
    cr_assert_leq(lh_memory_used(p->host), lh_default_limits.mem_limit, "%s", a->what);
}

static void expect_star_attack_ends_cleanly(const attack *a)
{
    char code[1024];
    attack_code(a, "j", code, sizeof code);
    write_pack(code, NULL);
    rp_pack *p = th_pack(dir);
    int serving[2] = {0, 1}, capacity[2] = {1, 1}, row = -1; /* children no: the trigger */
    sr_error err;
    double t0 = now();
    int rc = stars(p, serving, capacity, &row, &err);
    expect_attack_ended(a, p, "stars.lua", rc, &err, now() - t0);
    expect_stars_work(p, a->what);
    /* and the attack fails the same way a second time: no state was left behind */
    rc = stars(p, serving, capacity, &row, &err);
    expect_at(&err, rc, a->rc, "stars.lua", 2, a->msg, a->what);
    rp_free(p);
}

Test(sandbox_pack, star_rule_attacks_end_cleanly)
{
    for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++)
        expect_star_attack_ends_cleanly(&attacks[i]);
    for (size_t i = 0; i < sizeof shared_table_attacks / sizeof shared_table_attacks[0]; i++)
        expect_star_attack_ends_cleanly(&shared_table_attacks[i]);
}

Test(sandbox_pack, judgement_rule_attacks_end_cleanly)
{
    for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++) {
        const attack *a = &attacks[i];
        char code[1024];
        attack_code(a, "input", code, sizeof code);
        write_pack(NULL, code);
        rp_pack *p = th_pack(dir);
        ev_evidence *ev = NULL;
        sr_error err;
        cr_assert_eq(th_evidence(p, boom_yaml, &ev, &err), SR_OK, "%s", err.msg);
        rt_result r;
        rt_init(&r);
        sr_error_clear(&err);
        double t0 = now();
        int rc = rt_evaluate(p, ev, &r, &err);
        expect_attack_ended(a, p, "rules.lua", rc, &err, now() - t0);
        rt_free(&r);
        ev_free(ev);
        expect_evaluate_works(p, a->what);
        rp_free(p);
    }
}

/* A grade rule that finds its input as built says "good" and then changes it; one that finds
 * it changed says "inadequate". Both findings speak to standards 1 and 2, so a change that
 * reached the next grade input, or the next evaluation, would show as a grade. */
static const char meddling_rules_fmt[] =
    "local function meddle(input)\n"
    "  %s\n"
    "end\n"
    "local function as_built(input)\n"
    "  local f = input.findings\n"
    "  return input.service == 'children' and #f == 2 and f[1].id == 'boom'\n"
    "    and f[1].kind == 'strength' and f[2].kind == 'concern' and f[1].weight == 1\n"
    "    and getmetatable(f) == nil and getmetatable(input) == nil\n"
    "end\n"
    "rule { id = 'grade', layer = 'grade', sentence = 'g', reconstructed = 'r',\n"
    "  fn = function(input)\n"
    "    if #input.findings == 0 then return nil end -- adults: no evidence\n"
    "    local grade = as_built(input) and 'good' or 'inadequate'\n"
    "    meddle(input)\n"
    "    return grade end }\n"
    "rule { id = 'serving', layer = 'serving', sentence = 's', reconstructed = 'r',\n"
    "  fn = function(input) return 'most' end }\n"
    "rule { id = 'capacity-grade', layer = 'capacity_grade', sentence = 'c', reconstructed = 'r',\n"
    "  fn = function(input) return 'good' end }\n"
    "rule { id = 'capacity', layer = 'capacity', sentence = 'c', reconstructed = 'r',\n"
    "  fn = function(input) return 'promising' end }\n";

static const char shared_yaml[] =
    "council: Shared\nyear: 2002\nchildren:\n  findings:\n"
    "    - {id: boom, text: trigger, kind: strength, standards: [1, 2]}\n"
    "    - {id: other, text: second, kind: concern, standards: [1, 2]}\n";

/* Every rule call receives tables made for it alone (eval.c, call_rule): whatever a rule does
 * to them, the next call and the next evaluation receive their input as built. */
Test(sandbox_pack, a_rule_changing_its_input_changes_nothing_else)
{
    static const char *const changes[] = {
        "input.findings[1].kind = 'concern'",
        "input.findings[1] = nil",
        "input.findings[#input.findings + 1] = { kind = 'strength', weight = 3 }",
        "input.service = 'adults'",
        "table.remove(input.findings)",
        "table.sort(input.findings, function(a, b) return a.id > b.id end)",
        "input.findings[1].weight = 100",
        "setmetatable(input.findings, { __index = function() return 'x' end })",
        "setmetatable(input, { __newindex = function() error('no') end })",
    };
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
        write_pack(NULL, NULL);
        char buf[4096];
        snprintf(buf, sizeof buf, meddling_rules_fmt, changes[i]);
        write_text("rules.lua", buf);
        rp_pack *p = th_pack(dir);
        ev_evidence *ev = NULL;
        sr_error err;
        cr_assert_eq(th_evidence(p, shared_yaml, &ev, &err), SR_OK, "%s", err.msg);
        rt_result r;
        rt_init(&r);
        r.memo_off = 1;
        for (int run = 0; run < 4; run++) {
            r.trace_off = run % 2;
            cr_assert_eq(rt_evaluate(p, ev, &r, &err), SR_OK, "%s: run %d: %s", changes[i], run,
                         err.msg);
            for (int std = 0; std < 2; std++)
                cr_assert_eq(r.svc[0].grade[std], 2, "%s: run %d: standard %d graded %d, not good",
                             changes[i], run, std + 1, r.svc[0].grade[std]);
        }
        cr_assert_eq(r.memo_hits, 0, "%s: every rule ran", changes[i]);
        rt_free(&r);
        ev_free(ev);
        rp_free(p);
    }
}

Test(sandbox_pack, load_time_attacks_name_the_file)
{
    static const attack at_load[] = {
        {"os.execute", "os.execute('touch /tmp/starrate-pwned')", SR_ERULES,
         "undefined global 'os'"},
        {"io.open", "local f = io.open('/etc/passwd')", SR_ERULES, "undefined global 'io'"},
        {"require", "local m = require('os')", SR_ERULES, "undefined global 'require'"},
        {"an endless loop", "while true do end", SR_ELIMIT,
         "instruction budget of 20000000 exceeded"},
        {"a catastrophic pattern", "local i = ('a'):rep(300):find('.-.-.-.-b')", SR_ELIMIT,
         "pattern matching budget of 20000000 steps exceeded"},
        {"the memory cap", "local t = {} for i = 1, 1e9 do t[i] = i end", SR_ELIMIT,
         "memory cap of 67108864 bytes exceeded"},
    };
    for (size_t i = 0; i < sizeof at_load / sizeof at_load[0]; i++) {
        write_pack(NULL, NULL);
        char text[512];
        snprintf(text, sizeof text, "-- top level\n%s\n", at_load[i].code);
        write_text("rules.lua", text);
        rp_pack *p = NULL;
        sr_error err;
        sr_error_clear(&err);
        double t0 = now();
        int rc = rp_load(dir, NULL, &p, &err);
        cr_assert_null(p, "%s", at_load[i].what);
        cr_assert_lt(now() - t0, 5.0, "%s", at_load[i].what);
        expect_at(&err, rc, at_load[i].rc, "rules.lua", 2, at_load[i].msg, at_load[i].what);
    }
    /* the same process then loads a good pack */
    write_pack(NULL, NULL);
    rp_pack *p = th_pack(dir);
    expect_evaluate_works(p, "after load-time attacks");
    rp_free(p);
    cr_assert_neq(access("/tmp/starrate-pwned", F_OK), 0, "a rule ran a command");
}

Test(sandbox_pack, bytecode_rule_file_is_refused)
{
    write_pack(NULL, NULL);
    /* a precompiled chunk's header: refused before Lua sees it */
    static const char bytecode[] = "\x1bLuaT\x00\x19\x93\r\n\x1a\n\x04\x08\x08";
    write_file("rules.lua", bytecode, sizeof bytecode - 1);
    rp_pack *p = NULL;
    sr_error err;
    sr_error_clear(&err);
    int rc = rp_load(dir, NULL, &p, &err);
    cr_assert_null(p);
    char want[512];
    shown("rules.lua", want, sizeof want);
    cr_assert_eq(rc, SR_ERULES, "%s", err.msg);
    cr_assert_str_eq(err.file, want);
    cr_assert_str_eq(err.msg, "bytecode is not allowed");
}

Test(sandbox_pack, evaluations_start_from_the_same_state)
{
    /* A rule that counts its calls in a global cannot: the first evaluation fails instead of
     * leaving a count for the next. */
    write_pack(NULL, NULL);
    write_text("rules.lua",
               "calls = 0\n"
               "rule { id = 'grade', layer = 'grade', sentence = 'g', reconstructed = 'r',\n"
               "  fn = function(input) calls = calls + 1; return 'good' end }\n");
    rp_pack *p = th_pack(dir);
    ev_evidence *ev = NULL;
    sr_error err;
    cr_assert_eq(th_evidence(p, calm_yaml, &ev, &err), SR_OK, "%s", err.msg);
    rt_result r;
    rt_init(&r);
    for (int i = 0; i < 3; i++) {
        sr_error_clear(&err);
        int rc = rt_evaluate(p, ev, &r, &err);
        expect_at(&err, rc, SR_ERULES, "rules.lua", 3, "assignment to global 'calls' outside loading",
                  "counting global");
    }
    rt_free(&r);
    ev_free(ev);
    rp_free(p);
}

/* Texts a rule returns for the trace are cut to 1 KiB each and 256 KiB an evaluation: a pack
 * returning 1 MiB reasons, needs and comparisons once made a traced JSON rating gigabytes. */
Test(sandbox_pack, rule_texts_in_the_trace_are_bounded)
{
    write_pack(NULL, NULL);
    static const char flood[] =
        "local big = ('x'):rep(2^20 - 1)\n"
        "rule { id = 'grade', layer = 'grade', sentence = 'g', reconstructed = 'r',\n"
        "  fn = function(input)\n"
        "    local c = {}\n"
        "    for i = 1, 64 do c[i] = { what = big, value = i, limit = 1, word = big, met = true } end\n"
        "    return 'good', { reason = big, needs = big, compared = c } end }\n"
        "rule { id = 'serving', layer = 'serving', sentence = 's', reconstructed = 'r',\n"
        "  fn = function(input) return 'most', { reason = big } end }\n"
        "rule { id = 'capacity-grade', layer = 'capacity_grade', sentence = 'c', reconstructed = 'r',\n"
        "  fn = function(input) return 'good' end }\n"
        "rule { id = 'capacity', layer = 'capacity', sentence = 'c', reconstructed = 'r',\n"
        "  fn = function(input) return 'promising' end }\n";
    write_text("rules.lua", flood);
    write_text("ev.yaml", boom_yaml);
    char ev[512];
    snprintf(ev, sizeof ev, "%s/ev.yaml", dir);
    char *argv[] = {"starrate", "rate", "--rules", dir, "--format", "json", "--trace", ev, NULL};
    captured c = th_run(cmd_main, 8, argv);
    cr_assert_eq(c.status, 0, "%s", c.err);
    size_t len = strlen(c.out);
    cr_assert_lt(len, 2u << 20, "a traced rating of %zu bytes", len);
    cr_assert(strstr(c.out, " [...]") != NULL, "no cut text in the trace");
    captured_free(&c);
}
