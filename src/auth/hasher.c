/* auth/hasher.c — see hasher.h. Each helper owns one SOCK_SEQPACKET socket
 * pair (message boundaries kept, so one read is one request). A request is
 *   op (1 byte: 'H' hash, 'V' verify) | stored length (2) | password length (2)
 *   | stored | password
 * and an answer is one status byte ('0' ok/match, '1' no match, 'E' failed)
 * followed, for a hash, by the encoded hash. Passwords are wiped from every
 * buffer once used. Helpers are handed out from a free list under a mutex;
 * a caller waits for one when all are busy (the slow-work pool is no bigger
 * than the number of helpers by default, so waits are rare). */
#include "auth/hasher.h"

#include "core/log.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define MAX_HELPERS 8
#define HELPER_FD 3
#define MAX_STORED CRYPTO_PW_STRBYTES
#define MAX_REQUEST (5 + MAX_STORED + HASHER_MAX_PASSWORD)
#define MAX_ANSWER (1 + CRYPTO_PW_STRBYTES)
/* A hash takes well under a second; a helper silent for this long is stuck
 * and is replaced (the caller's sign-in then fails instead of hanging). */
#define ANSWER_TIMEOUT_SECONDS 30

struct helper {
	int fd; /* -1: not running */
	pid_t pid;
	bool busy;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	struct helper h[MAX_HELPERS];
	unsigned n;
	char exe[4096];
	bool started;
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .freed = PTHREAD_COND_INITIALIZER};

/* Starts helper i; the pool's lock is held (or no thread runs yet).
 * posix_spawn is safe in a threaded process, unlike a bare fork. */
static int spawn_one(unsigned i)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return -1;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	/* dup2 clears close-on-exec on the helper's copy only. */
	posix_spawn_file_actions_adddup2(&fa, sv[1], HELPER_FD);
	/* "csec hash-helper" in ps, whatever path started it. */
	static char name[] = "csec", helper_arg[] = "hash-helper";
	char *argv[] = {name, helper_arg, NULL};
	pid_t pid;
	int rc = posix_spawn(&pid, pool.exe, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(sv[1]);
	if (rc != 0) {
		close(sv[0]);
		log_msg(LOG_ERROR, "hasher: cannot start a helper: %s", strerror(rc));
		return -1;
	}
	struct timeval tv = {.tv_sec = ANSWER_TIMEOUT_SECONDS};
	(void)setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	pool.h[i] = (struct helper){.fd = sv[0], .pid = pid};
	return 0;
}

static void stop_one(unsigned i)
{
	if (pool.h[i].fd < 0)
		return;
	close(pool.h[i].fd);
	pool.h[i].fd = -1;
	(void)waitpid(pool.h[i].pid, NULL, 0);
}

int hasher_start(const char *exe, unsigned n)
{
	if (n == 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		n = cores > 0 ? (unsigned)cores : 1;
	}
	if (n > MAX_HELPERS)
		n = MAX_HELPERS;
	if (snprintf(pool.exe, sizeof pool.exe, "%s", exe) >= (int)sizeof pool.exe)
		return -1;
	/* A helper that dies must not kill the server with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	for (unsigned i = 0; i < n; i++) {
		if (spawn_one(i) != 0) {
			for (unsigned j = 0; j < i; j++)
				stop_one(j);
			return -1;
		}
	}
	pool.n = n;
	pool.started = true;
	return 0;
}

void hasher_stop(void)
{
	pthread_mutex_lock(&pool.lock);
	for (unsigned i = 0; i < pool.n; i++)
		stop_one(i);
	pool.n = 0;
	pool.started = false;
	pthread_mutex_unlock(&pool.lock);
}

/* Takes a free helper (starting one again if it had died); -1 when none
 * can run. */
static int acquire(void)
{
	pthread_mutex_lock(&pool.lock);
	for (;;) {
		if (!pool.started) {
			pthread_mutex_unlock(&pool.lock);
			return -1;
		}
		for (unsigned i = 0; i < pool.n; i++) {
			if (pool.h[i].busy)
				continue;
			if (pool.h[i].fd < 0 && spawn_one(i) != 0)
				continue;
			pool.h[i].busy = true;
			pthread_mutex_unlock(&pool.lock);
			return (int)i;
		}
		bool any_busy = false;
		for (unsigned i = 0; i < pool.n; i++)
			any_busy = any_busy || pool.h[i].busy;
		if (!any_busy) { /* none busy and none could start */
			pthread_mutex_unlock(&pool.lock);
			return -1;
		}
		pthread_cond_wait(&pool.freed, &pool.lock);
	}
}

static void release(int i, bool broken)
{
	pthread_mutex_lock(&pool.lock);
	if (broken) {
		log_msg(LOG_ERROR, "hasher: helper %d stopped answering; starting another", i);
		(void)kill(pool.h[i].pid, SIGKILL); /* it may be stuck, not gone */
		stop_one((unsigned)i);
	}
	pool.h[i].busy = false;
	pthread_cond_signal(&pool.freed);
	pthread_mutex_unlock(&pool.lock);
}

/* Sends one request and reads its answer into ans; the answer's length, or
 * -1 when the helper failed (it is then replaced). */
static ssize_t ask(char op, const char *stored, const char *pw, size_t len, char *ans)
{
	size_t slen = stored ? strlen(stored) : 0;
	if (slen > MAX_STORED || len > HASHER_MAX_PASSWORD)
		return -2;
	uint8_t req[MAX_REQUEST];
	req[0] = (uint8_t)op;
	req[1] = (uint8_t)(slen >> 8);
	req[2] = (uint8_t)slen;
	req[3] = (uint8_t)(len >> 8);
	req[4] = (uint8_t)len;
	memcpy(req + 5, stored ? stored : "", slen);
	memcpy(req + 5 + slen, pw, len);
	size_t total = 5 + slen + len;
	ssize_t got = -1;
	/* One retry on a fresh helper when the first one had died. */
	for (int attempt = 0; attempt < 2 && got < 0; attempt++) {
		int i = acquire();
		if (i < 0)
			break;
		int fd = pool.h[i].fd;
		bool ok = send(fd, req, total, MSG_NOSIGNAL) == (ssize_t)total;
		if (ok) {
			do
				got = recv(fd, ans, MAX_ANSWER, 0);
			while (got < 0 && errno == EINTR);
			ok = got >= 1;
		}
		if (!ok)
			got = -1;
		release(i, !ok);
	}
	crypto_wipe(req, sizeof req);
	return got;
}

int hasher_hash(const char *pw, size_t len, char out[CRYPTO_PW_STRBYTES])
{
	if (!pool.started)
		return -ENOSYS;
	char ans[MAX_ANSWER + 1];
	ssize_t n = ask('H', NULL, pw, len, ans);
	if (n == -2)
		return -E2BIG;
	if (n < 0)
		return -ENOSYS; /* no helper answered: the caller hashes in place */
	if (n < 2 || ans[0] != '0' || (size_t)(n - 1) >= CRYPTO_PW_STRBYTES)
		return -ENOMEM;
	memcpy(out, ans + 1, (size_t)(n - 1));
	out[n - 1] = '\0';
	return 0;
}

int hasher_verify(const char *stored, const char *pw, size_t len)
{
	if (!pool.started)
		return -ENOSYS;
	char ans[MAX_ANSWER + 1];
	ssize_t n = ask('V', stored, pw, len, ans);
	/* No helper answered: the caller checks in place, so a broken helper
	 * never turns a right password into a failed (and counted) sign-in. */
	if (n == -1)
		return -ENOSYS;
	return n >= 1 && ans[0] == '0' ? 0 : -1;
}

/* ------------------------------------------------------------ the helper */

int hasher_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	int type = 0;
	socklen_t tl = sizeof type;
	if (getsockopt(HELPER_FD, SOL_SOCKET, SO_TYPE, &type, &tl) != 0 || type != SOCK_SEQPACKET)
		return 2; /* not started by a server: nothing to serve */
	/* Ends with the server, even if the server is killed outright. */
	pid_t parent = getppid();
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	(void)prctl(PR_SET_NAME, "csec-hasher"); /* not "exe" in top and pgrep */
	if (getppid() != parent || crypto_init() != 0)
		return 1;
	/* Hashing runs in the idle scheduling class, so a server thread or a
	 * PostgreSQL backend that wakes takes the CPU from it at once. At
	 * nice 10 it did not: on PostgreSQL, where every cheap page wakes a
	 * backend, /healthz's p99 under 10 sign-ins a second was 3.9 times
	 * its quiet p99, and 1.3 times in this class (docs/benchmarks.md).
	 * Linux's SCHED_IDLE is a very small share, not a strict "only when
	 * idle": with every CPU busy with normal work a hash still gets its
	 * share, and a sign-in takes seconds instead of 15 ms (1 s beside two
	 * `yes` loops, 4-5 s beside two pure busy loops on two CPUs), within
	 * ANSWER_TIMEOUT_SECONDS: tests/e2e/hasher.test.mjs checks that the
	 * helper answers then. An overloaded server signs people in slowly
	 * rather than slowing every page.
	 * Where the class cannot be set, nice 10 as before. */
	struct sched_param idle = {0};
	if (sched_setscheduler(0, SCHED_IDLE, &idle) != 0)
		(void)setpriority(PRIO_PROCESS, 0, 10);
	uint8_t req[MAX_REQUEST + 1];
	char ans[MAX_ANSWER];
	for (;;) {
		ssize_t n = recv(HELPER_FD, req, sizeof req, 0);
		if (n == 0)
			return 0; /* the server closed its end */
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		size_t slen = (size_t)req[1] << 8 | req[2], plen = (size_t)req[3] << 8 | req[4];
		size_t alen = 1;
		ans[0] = 'E';
		if (n >= 5 && (size_t)n == 5 + slen + plen && slen <= MAX_STORED &&
		    plen <= HASHER_MAX_PASSWORD) {
			const char *pw = (const char *)req + 5 + slen;
			if (req[0] == 'H' && crypto_pw_hash(ans + 1, pw, plen) == 0) {
				ans[0] = '0';
				alen += strlen(ans + 1);
			} else if (req[0] == 'V') {
				char stored[MAX_STORED + 1];
				memcpy(stored, req + 5, slen);
				stored[slen] = '\0';
				ans[0] = crypto_pw_verify(stored, pw, plen) == 0 ? '0' : '1';
			}
		}
		crypto_wipe(req, sizeof req);
		if (send(HELPER_FD, ans, alen, MSG_NOSIGNAL) != (ssize_t)alen)
			return 1;
	}
}
