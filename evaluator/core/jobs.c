/*
 * jobs.c — a batch of tasks over POSIX threads, the caller working as worker 0.
 */
#include "jobs.h"
#include "common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

typedef struct jb_batch {
    jb_task_fn task;
    jb_between_fn between;
    void *ctx;
    int ntasks;
    atomic_int next;      /* the next task to take */
    atomic_int completed; /* tasks finished, by every worker */
} jb_batch;

typedef struct jb_worker {
    jb_batch *batch;
    int index;
    pthread_t thread;
} jb_worker;

int jb_online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 4096 ? 4096 : (int)n;
}

int jb_free_cpus(const char *loadavg)
{
    int online = jb_online_cpus();
    FILE *f = fopen(loadavg ? loadavg : "/proc/loadavg", "r");
    if (!f)
        return online;
    double l1, l5, l15;
    int running = 0, total = 0;
    int got = fscanf(f, "%lf %lf %lf %d/%d", &l1, &l5, &l15, &running, &total);
    fclose(f);
    if (got != 5 || running < 1)
        return online;
    int others = running - 1; /* this process is running as it reads */
    return others >= online ? 1 : online - others;
}

/* Takes tasks until none is left. Only the caller (worker 0) runs `between`: the callback
 * owns the caller's state (output, progress), which no other thread may touch. */
static void work(jb_batch *b, int worker)
{
    for (;;) {
        /* relaxed: the counter only hands out numbers; results are published by the task */
        int t = atomic_fetch_add_explicit(&b->next, 1, memory_order_relaxed);
        if (t >= b->ntasks)
            return;
        b->task(b->ctx, worker, t);
        int done = atomic_fetch_add_explicit(&b->completed, 1, memory_order_relaxed) + 1;
        if (worker == 0 && b->between)
            b->between(b->ctx, done);
    }
}

static void *thread_main(void *arg)
{
    jb_worker *w = arg;
    work(w->batch, w->index);
    return NULL;
}

int jb_run(jb_task_fn task, jb_between_fn between, void *ctx, int ntasks, int workers)
{
    jb_batch b = {task, between, ctx, ntasks, 0, 0};
    if (workers > ntasks)
        workers = ntasks;
    if (workers < 1)
        workers = 1;
    /* Worker 0 is this thread; the others need a slot each. Without memory for the slots the
     * batch still runs, on this thread alone. */
    jb_worker *w = workers > 1 ? sr_calloc((size_t)workers, sizeof *w) : NULL;
    int started = 1;
    for (int i = 1; w && i < workers; i++, started++) {
        w[i].batch = &b;
        w[i].index = i;
        if (pthread_create(&w[i].thread, NULL, thread_main, &w[i]) != 0)
            break; /* out of threads: the workers already started share the rest */
    }
    work(&b, 0);
    for (int i = 1; i < started; i++)
        pthread_join(w[i].thread, NULL);
    sr_free(w);
    return started;
}
