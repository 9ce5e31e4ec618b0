/* http/workers.c — see workers.h. A ring of jobs under one mutex: the jobs
 * are few and long (milliseconds to seconds), so contention is not a concern
 * and simplicity wins. */
#include "http/workers.h"

#include "db/pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#define MAX_THREADS 64

struct job {
	void (*fn)(void *);
	void *arg;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t ready;
	struct job ring[WORKERS_QUEUE];
	unsigned head, count;
	pthread_t threads[MAX_THREADS];
	unsigned nthreads;
	bool stopping;
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .ready = PTHREAD_COND_INITIALIZER};

/* Slow work yields the CPU to the connection threads: on Linux a thread has
 * its own nice value, so a worker busy hashing a password gets a small
 * share of a contended CPU and cheap pages keep their latency (DESIGN.md §3;
 * `make bench` measures it). Slow work still runs at full speed on an idle
 * machine. Best effort: without the permission it stays at the default. */
#define WORKER_NICE 10

static void *work(void *unused)
{
	(void)unused;
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), WORKER_NICE);
	for (;;) {
		pthread_mutex_lock(&pool.lock);
		while (pool.count == 0 && !pool.stopping)
			pthread_cond_wait(&pool.ready, &pool.lock);
		if (pool.count == 0) { /* stopping, and nothing left to do */
			pthread_mutex_unlock(&pool.lock);
			break;
		}
		struct job j = pool.ring[pool.head];
		pool.head = (pool.head + 1) % WORKERS_QUEUE;
		pool.count--;
		pthread_mutex_unlock(&pool.lock);
		j.fn(j.arg);
	}
	db_pool_release_thread();
	return NULL;
}

int workers_start(unsigned threads)
{
	if (threads == 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		threads = cores > 0 ? (unsigned)cores : 1;
	}
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	pool.stopping = false;
	for (pool.nthreads = 0; pool.nthreads < threads; pool.nthreads++) {
		int rc = pthread_create(&pool.threads[pool.nthreads], NULL, work, NULL);
		if (rc != 0) {
			workers_stop();
			return -rc;
		}
	}
	return 0;
}

int workers_submit(void (*fn)(void *arg), void *arg)
{
	int rc = 0;
	pthread_mutex_lock(&pool.lock);
	if (pool.stopping || pool.nthreads == 0)
		rc = -ESHUTDOWN;
	else if (pool.count == WORKERS_QUEUE)
		rc = -EBUSY;
	else {
		pool.ring[(pool.head + pool.count) % WORKERS_QUEUE] = (struct job){fn, arg};
		pool.count++;
		pthread_cond_signal(&pool.ready);
	}
	pthread_mutex_unlock(&pool.lock);
	return rc;
}

void workers_stop(void)
{
	pthread_mutex_lock(&pool.lock);
	pool.stopping = true;
	pthread_cond_broadcast(&pool.ready);
	pthread_mutex_unlock(&pool.lock);
	for (unsigned i = 0; i < pool.nthreads; i++)
		pthread_join(pool.threads[i], NULL);
	pool.nthreads = 0;
}
