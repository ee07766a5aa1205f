/*
 * main.c — the `starrate` program: everything is in cli.c, so tests can run commands
 * in-process.
 */
#include "cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv, stdout, stderr);
}
