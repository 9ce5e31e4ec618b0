/* db/pool.c — one connection per thread (see pool.h). Each thread keeps its
 * connection in thread-local storage; a pthread key destructor closes it
 * when the thread exits, and a mutex-protected list lets db_pool_shutdown
 * close the ones still open. A generation counter, bumped by shutdown, tells
 * a thread that its connection was already closed for it. */
#include "db/pool.h"
#include "db/backend.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct conn {
	struct db *db;
	struct conn *prev, *next;
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t key;
static int key_err;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct conn *head; /* under mu */
static char *pool_url; /* under mu; may hold a password */
static atomic_ulong gen = 1; /* written under mu */

static _Thread_local struct conn *tls_conn;
static _Thread_local unsigned long tls_gen;
static _Thread_local char tls_err[512];

static void forget(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* Unlinks c unless shutdown has already taken it, then closes it. */
static void drop(struct conn *c)
{
	bool mine;

	pthread_mutex_lock(&mu);
	mine = tls_gen == atomic_load(&gen);
	if (mine) {
		if (c->prev)
			c->prev->next = c->next;
		else
			head = c->next;
		if (c->next)
			c->next->prev = c->prev;
	}
	pthread_mutex_unlock(&mu);
	if (mine) {
		db_close(c->db);
		free(c);
	}
}

static void on_thread_exit(void *p)
{
	drop(p);
	tls_conn = NULL;
}

static void make_key(void)
{
	key_err = pthread_key_create(&key, on_thread_exit);
}

static struct conn *current(void)
{
	if (tls_conn && tls_gen != atomic_load(&gen))
		tls_conn = NULL; /* closed by db_pool_shutdown */
	return tls_conn;
}

static void detach(void)
{
	struct conn *c = current();

	if (!c)
		return;
	pthread_setspecific(key, NULL);
	tls_conn = NULL;
	drop(c);
}

/* Opens a connection for this thread; 0 or a DB code (message in tls_err). */
static int attach(void)
{
	struct conn *c;
	struct db *db;
	char *url;
	int rc;

	pthread_once(&once, make_key);
	if (key_err) {
		snprintf(tls_err, sizeof(tls_err), "pool: cannot create the thread key");
		return DB_ERR;
	}
	pthread_mutex_lock(&mu);
	url = pool_url ? strdup(pool_url) : NULL;
	rc = pool_url && !url ? DB_ENOMEM : pool_url ? DB_OK : DB_EINVAL;
	pthread_mutex_unlock(&mu);
	if (rc < 0) {
		snprintf(tls_err, sizeof(tls_err), "%s",
		         rc == DB_ENOMEM ? "pool: out of memory"
		                         : "pool: db_pool_init was not called");
		return rc;
	}
	/* Connecting can take a while: not under the lock. */
	rc = db_open(url, &db, tls_err, sizeof(tls_err));
	forget(url);
	if (rc < 0)
		return rc;
	c = calloc(1, sizeof(*c));
	if (!c) {
		db_close(db);
		snprintf(tls_err, sizeof(tls_err), "pool: out of memory");
		return DB_ENOMEM;
	}
	c->db = db;
	pthread_mutex_lock(&mu);
	c->next = head;
	if (head)
		head->prev = c;
	head = c;
	tls_gen = atomic_load(&gen);
	pthread_mutex_unlock(&mu);
	tls_conn = c;
	pthread_setspecific(key, c);
	tls_err[0] = '\0';
	return DB_OK;
}

int db_pool_init(const char *url)
{
	char *copy, *old;

	if (!url || !*url) {
		snprintf(tls_err, sizeof(tls_err), "pool: no database URL given");
		return DB_EINVAL;
	}
	copy = strdup(url);
	if (!copy) {
		snprintf(tls_err, sizeof(tls_err), "pool: out of memory");
		return DB_ENOMEM;
	}
	pthread_once(&once, make_key);
	detach();
	pthread_mutex_lock(&mu);
	old = pool_url;
	pool_url = copy;
	pthread_mutex_unlock(&mu);
	forget(old);
	return attach();
}

struct db *db_pool_get(void)
{
	struct conn *c = current();

	if (c) {
		if (!c->db->err[0])
			return c->db;
		/* An error since the last hand-out: still alive? (The
		 * PostgreSQL backend resets a dead link itself on the ping.) */
		if (db_ping(c->db)) {
			c->db->err[0] = '\0';
			return c->db;
		}
		detach();
	}
	return attach() == DB_OK ? tls_conn->db : NULL;
}

const char *db_pool_errmsg(void)
{
	return tls_err;
}

void db_pool_release_thread(void)
{
	pthread_once(&once, make_key);
	detach();
}

void db_pool_shutdown(void)
{
	struct conn *list, *next;
	char *url;

	pthread_once(&once, make_key);
	if (!key_err)
		pthread_setspecific(key, NULL);
	tls_conn = NULL;
	pthread_mutex_lock(&mu);
	list = head;
	head = NULL;
	url = pool_url;
	pool_url = NULL;
	atomic_fetch_add(&gen, 1);
	pthread_mutex_unlock(&mu);
	forget(url);
	for (; list; list = next) {
		next = list->next;
		db_close(list->db);
		free(list);
	}
}
