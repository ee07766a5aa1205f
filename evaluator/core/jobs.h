/*
 * jobs.h — independent tasks run on several POSIX threads (module prefix jb_).
 *
 * Tasks are numbered 0..n-1. Every worker takes the next number from one atomic counter, so a
 * slow task holds up only the worker running it and the load balances itself. The calling
 * thread is worker 0 and works too; after each of its own tasks it runs `between` (progress,
 * output in order), so with one worker a batch is a plain loop in the caller and no thread is
 * ever created. A task publishes its result itself (e.g. a flag stored with release order).
 */
#ifndef SR_JOBS_H
#define SR_JOBS_H

/* Runs task `task` of the batch on worker `worker` (0..workers-1). */
typedef void (*jb_task_fn)(void *ctx, int worker, int task);
/* Runs on the calling thread after each task it ran; `completed` counts every worker's. */
typedef void (*jb_between_fn)(void *ctx, int completed);

/* The number of online processors (sysconf(_SC_NPROCESSORS_ONLN)), at least 1. */
int jb_online_cpus(void);
/* The processors free now: the online ones less the other tasks running at this moment (the
 * running count of loadavg, a Linux file; NULL: /proc/loadavg), at least 1. A second worker on
 * a processor another program keeps busy made a batch slower, not faster (docs/performance.md).
 * Without the file, every online processor. */
int jb_free_cpus(const char *loadavg);

/* Runs tasks 0..ntasks-1 on at most `workers` workers and never more than ntasks. A thread that
 * cannot be created (or memory for its bookkeeping) leaves fewer workers, at worst the caller
 * alone: never an error. Returns once every task has finished and every thread has been
 * joined, with the number of workers that ran. */
int jb_run(jb_task_fn task, jb_between_fn between, void *ctx, int ntasks, int workers);

#endif
