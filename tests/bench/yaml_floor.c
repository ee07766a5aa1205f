/*
 * yaml_floor.c — the floor of the batch benchmark: read each file and pull every event out
 * of libyaml's parser, keeping nothing.
 *
 *   yaml_floor FILE...
 *   yaml_floor --files-from LIST     the files named in LIST, one a line (as `rate` takes them)
 *
 * No rating can be faster than reading its input, so `starrate rate` over the same files is
 * measured against this program, started the same way, in the same run. Files are read
 * whole, as starrate reads them (sr_read_file), and parsed from memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static char *read_whole(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 16384, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *grown = realloc(buf, cap *= 2);
        if (!grown)
            free(buf);
        buf = grown;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Returns the number of events, or -1 on a parse error. */
static long parse_events(const char *buf, size_t len)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return -1;
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    long events = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            events = -1;
            break;
        }
        int done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
        events++;
        if (done)
            break;
    }
    yaml_parser_delete(&parser);
    return events;
}

/* Reads and parses one file; adds its events to *total. */
static int floor_one(const char *path, long *total)
{
    size_t len;
    char *buf = read_whole(path, &len);
    long n = buf ? parse_events(buf, len) : -1;
    free(buf);
    if (n < 0) {
        fprintf(stderr, "%s: cannot read or parse\n", path);
        return 1;
    }
    *total += n;
    return 0;
}

static int floor_list(const char *list, long *total)
{
    FILE *f = fopen(list, "r");
    if (!f) {
        perror(list);
        return 1;
    }
    char line[4096];
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0])
            rc = floor_one(line, total);
    }
    fclose(f);
    return rc;
}

int main(int argc, char **argv)
{
    long total = 0;
    if (argc == 3 && strcmp(argv[1], "--files-from") == 0) {
        if (floor_list(argv[2], &total))
            return 1;
    } else {
        for (int i = 1; i < argc; i++)
            if (floor_one(argv[i], &total))
                return 1;
    }
    /* Printed so the work cannot be optimised away and the run can be checked. */
    printf("%ld events\n", total);
    return 0;
}
