/* jobs/worker.c — see worker.h. */
#include "jobs/worker.h"

#include "core/crypto.h"
#include "core/log.h"
#include "db/pool.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void *worker_main(void *arg)
{
	struct job_worker *w = arg;
	while (!atomic_load(&w->stop)) {
		if (w->round())
			continue; /* more may be due */
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += w->poll_seconds;
		pthread_mutex_lock(&w->mu);
		while (!w->kicked && !atomic_load(&w->stop))
			if (pthread_cond_timedwait(&w->cv, &w->mu, &until) == ETIMEDOUT)
				break;
		w->kicked = false;
		pthread_mutex_unlock(&w->mu);
	}
	db_pool_release_thread();
	return NULL;
}

int job_worker_start(struct job_worker *w, int (*setup)(void *arg), void *arg)
{
	pthread_condattr_t ca;
	sigset_t all, old;
	char host[64] = "host", rnd[9];
	uint8_t raw[4];
	int rc = -1;

	pthread_mutex_lock(&w->mu);
	if (w->running) {
		pthread_mutex_unlock(&w->mu);
		return -1;
	}
	gethostname(host, sizeof host - 1);
	host[sizeof host - 1] = '\0';
	crypto_random(raw, sizeof raw);
	crypto_hex(rnd, raw, sizeof raw);
	snprintf(w->id, sizeof w->id, "%s:%ld:%s", host, (long)getpid(), rnd);
	w->problem[0] = '\0';
	w->kicked = false;
	atomic_store(&w->stop, false);
	if ((setup && setup(arg) != 0) || pthread_condattr_init(&ca) != 0)
		goto fail;
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	int cv_rc = pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (cv_rc != 0)
		goto fail;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&w->thread, NULL, worker_main, w) == 0 ? 0 : -1;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_cond_destroy(&w->cv);
		goto fail;
	}
	w->running = true;
	pthread_mutex_unlock(&w->mu);
	return 0;
fail:
	if (w->cleanup)
		w->cleanup();
	pthread_mutex_unlock(&w->mu);
	return -1;
}

void job_worker_kick(struct job_worker *w)
{
	pthread_mutex_lock(&w->mu);
	if (w->running) {
		w->kicked = true;
		pthread_cond_signal(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
}

void job_worker_stop(struct job_worker *w)
{
	pthread_mutex_lock(&w->mu);
	if (!w->running) {
		pthread_mutex_unlock(&w->mu);
		return;
	}
	atomic_store(&w->stop, true);
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_mutex_lock(&w->mu);
	w->running = false;
	pthread_cond_destroy(&w->cv);
	if (w->cleanup)
		w->cleanup();
	pthread_mutex_unlock(&w->mu);
}

void job_worker_report(struct job_worker *w, const char *msg)
{
	if (!msg) {
		if (w->problem[0])
			log_msg(LOG_INFO, "%s: working again", w->name);
		w->problem[0] = '\0';
		return;
	}
	if (strcmp(msg, w->problem) == 0)
		return;
	snprintf(w->problem, sizeof w->problem, "%s", msg);
	log_msg(LOG_ERROR, "%s: %s", w->name, msg);
}
