/*
 * test_pack_files.c — where rule packs come from and what their files may be: a round is never
 * taken from the working directory, a pack that fails to load says why at its own file and
 * line, and a rule file must be a regular file inside its pack's folder (a FIFO would block
 * the load, a link to a secret would be quoted by the syntax error).
 */
#include "cmd.h"
#include "helpers.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char dir[256];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/starrate-packfiles-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(pack_files, .init = setup, .fini = teardown);

/* A copy of the hardening suite's minimal pack at dir/name. */
static void base_pack(const char *name)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp -R '%s/tests/hardening/inputs/packs/base' '%s/%s'",
             SR_SOURCE_ROOT, dir, name);
    cr_assert_eq(system(cmd), 0);
}

static const char *evidence = SR_SOURCE_ROOT "/tests/hardening/inputs/packs/evidence.yaml";

Test(pack_files, a_round_folder_in_the_working_directory_is_not_used)
{
    /* a "2003" pack in the working directory that would fail (or worse) if it were loaded */
    base_pack("2003");
    char sub[512];
    snprintf(sub, sizeof sub, "%s/2003", dir);
    th_write_in(sub, "rules.lua", "error('the working directory pack ran')\n", 40);
    cr_assert_eq(chdir(dir), 0);
    char *argv[] = {"starrate", "rate", SR_SOURCE_ROOT "/scenarios/councils/harrow-2003.yaml",
                    NULL};
    captured c = th_run(cmd_main, 3, argv);
    cr_assert_eq(c.status, 0, "%s", c.err);
    cr_assert(strstr(c.out, "ssi-2003") != NULL, "%s", c.out);
    captured_free(&c);
    /* asked for by a path, it is used */
    char *asked[] = {"starrate", "rate", "--rules", "./2003",
                     SR_SOURCE_ROOT "/scenarios/councils/harrow-2003.yaml", NULL};
    c = th_run(cmd_main, 5, asked);
    cr_assert_eq(c.status, 1);
    cr_assert(strstr(c.err, "the working directory pack ran") != NULL, "%s", c.err);
    captured_free(&c);
}

Test(pack_files, a_pack_that_fails_to_load_says_why)
{
    char rules[512], round[600];
    snprintf(rules, sizeof rules, "%s/rules", dir);
    cr_assert_eq(mkdir(rules, 0700), 0);
    snprintf(round, sizeof round, "%s/rules/2002", dir);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cp -R '%s/tests/hardening/inputs/packs/base' '%s'",
             SR_SOURCE_ROOT, round);
    cr_assert_eq(system(cmd), 0);
    th_write_in(round, "stars.lua", "star_rule {\n", 12);
    cr_assert_eq(setenv("STARRATE_RULES", rules, 1), 0);
    char *argv[] = {"starrate", "rate", (char *)evidence, NULL};
    FILE *out = fopen("/dev/null", "w"), *err = tmpfile();
    cr_assert(out && err);
    int status = cmd_main(3, argv, out, err);
    cr_assert_eq(status, 1);
    rewind(err);
    char msg[2048] = "";
    size_t n = fread(msg, 1, sizeof msg - 1, err);
    msg[n] = '\0';
    fclose(out);
    fclose(err);
    cr_assert(strstr(msg, "no rule pack") == NULL, "%s", msg);
    cr_assert(strstr(msg, "2002/stars.lua:2: error: ") != NULL, "%s", msg);
}

static void expect_refused(const char *pack, const char *want)
{
    rp_pack *p = NULL;
    sr_error err;
    sr_error_clear(&err);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = rp_load(pack, NULL, &p, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    cr_assert_null(p);
    cr_assert_eq(rc, SR_ERULES, "%s: %s", err.file, err.msg);
    cr_assert(strstr(err.file, "rules.lua") != NULL, "%s", err.file);
    cr_assert_str_eq(err.msg, want);
    cr_assert_lt(t1.tv_sec - t0.tv_sec, 2, "the load waited");
}

Test(pack_files, a_fifo_is_not_a_rule_file)
{
    base_pack("p");
    char pack[512], f[600];
    snprintf(pack, sizeof pack, "%s/p", dir);
    snprintf(f, sizeof f, "%s/rules.lua", pack);
    cr_assert_eq(unlink(f), 0);
    cr_assert_eq(mkfifo(f, 0600), 0);
    expect_refused(pack, "not a regular file");
}

Test(pack_files, a_link_out_of_the_pack_is_refused)
{
    base_pack("p");
    char pack[512], f[600], secret[600];
    snprintf(pack, sizeof pack, "%s/p", dir);
    snprintf(f, sizeof f, "%s/rules.lua", pack);
    snprintf(secret, sizeof secret, "%s/secret", dir);
    th_write_in(dir, "secret", "password = hunter2 ???\n", 23);
    cr_assert_eq(unlink(f), 0);
    cr_assert_eq(symlink(secret, f), 0);
    expect_refused(pack, "a symbolic link that leads out of the pack's folder");
    /* a link that stays inside the pack is followed */
    cr_assert_eq(unlink(f), 0);
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "cp '%s/tests/hardening/inputs/packs/base/rules.lua' '%s/real.lua'",
             SR_SOURCE_ROOT, pack);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(symlink("real.lua", f), 0);
    rp_pack *p = th_pack(pack);
    rp_free(p);
}
