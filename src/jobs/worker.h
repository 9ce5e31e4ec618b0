/* jobs/worker.h — the background thread each job queue runs in (the mail
 * outbox, the xAPI events): rounds of work, and between them a wait of
 * poll_seconds that a kick or the stop cuts short. One thread per queue
 * and process; the rows it works on are claimed in the store under the
 * worker's id, so any number of processes may run the same queue. */
#ifndef CSEC_JOBS_WORKER_H
#define CSEC_JOBS_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct job_worker {
	/* Set by the queue, e.g. with JOB_WORKER_INIT: */
	const char *name; /* "mail", "xapi": starts every line it logs */
	int poll_seconds; /* the wait between rounds when nothing is due */
	bool (*round)(void); /* one round; true when more may be due at once */
	void (*cleanup)(void); /* frees what the start's setup made (NULL: none) */

	/* The worker's own. */
	pthread_mutex_t mu;
	pthread_cond_t cv; /* on CLOCK_MONOTONIC */
	pthread_t thread;
	bool running; /* under mu */
	bool kicked; /* under mu */
	atomic_bool stop; /* the rounds' work checks it between items */
	char id[128]; /* host:pid:random: this process's claims */
	char problem[400]; /* the last problem logged, to log each only once */
};

#define JOB_WORKER_INIT(NAME, POLL, ROUND, CLEANUP)                                                \
	{                                                                                          \
		.name = (NAME), .poll_seconds = (POLL), .round = (ROUND), .cleanup = (CLEANUP),    \
		.mu = PTHREAD_MUTEX_INITIALIZER                                                    \
	}

/* Starts w's thread: under w's lock, makes a new id, runs setup(arg) (NULL:
 * none; non-zero fails the start) and starts the thread with every signal
 * blocked (they are serve's to wait for). 0, or -1 when it already runs or
 * cannot start (cleanup has then run). */
int job_worker_start(struct job_worker *w, int (*setup)(void *arg), void *arg);

/* Ends w's wait now, when it runs. */
void job_worker_kick(struct job_worker *w);

/* Asks the thread to stop, waits for it, then runs cleanup. Harmless when
 * it does not run. */
void job_worker_stop(struct job_worker *w);

/* For rounds: logs "NAME: msg" as an error unless it is the problem logged
 * last; msg NULL means the work goes well again (logged once, after a
 * problem). */
void job_worker_report(struct job_worker *w, const char *msg);

#endif
