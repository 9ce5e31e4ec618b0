/* http/workers.h — the bounded pool that runs slow work (password hashing,
 * PDF and PPTX rendering, big exports) off the engine's threads, so a slow
 * request never stalls the cheap ones sharing its thread (DESIGN.md §3).
 * One thread per core and a queue of WORKERS_QUEUE jobs; past that, callers
 * are told to answer 503 with Retry-After. */
#ifndef CSEC_HTTP_WORKERS_H
#define CSEC_HTTP_WORKERS_H

#define WORKERS_QUEUE 64

/* Starts `threads` workers (0: one per core). 0, or a negative errno. */
int workers_start(unsigned threads);

/* Queues fn(arg). 0, or -EBUSY when the queue is full (fn is not called),
 * or -ESHUTDOWN once workers_stop has begun. */
int workers_submit(void (*fn)(void *arg), void *arg);

/* Runs the jobs already queued, then joins the threads. */
void workers_stop(void);

#endif
