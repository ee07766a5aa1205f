/*
 * main.c — the `starrate` program: the commands are in cmd_main's table (help.c), so tests
 * can run them in-process.
 */
#include "cmd.h"

int main(int argc, char **argv)
{
    return cmd_main(argc, argv, stdout, stderr);
}
