/* db/pool.h — one store connection per server thread (DESIGN.md §5): a
 * thread gets its own connection on first use and keeps it; connections of
 * exiting threads are closed by a thread-exit destructor. */
#ifndef CSEC_DB_POOL_H
#define CSEC_DB_POOL_H

struct db;

/* Remembers url for later connections, then opens one now (it becomes the
 * calling thread's connection) so a wrong URL or an unreachable store shows
 * at start-up. Calling it again replaces the URL and the calling thread's
 * connection. Returns 0, or a negative DB_E* code with the reason in
 * db_pool_errmsg() (passwords redacted). */
int db_pool_init(const char *url);

/* This thread's connection, opened on first use. A connection that has
 * recorded an error since it was last handed out is pinged first and, when
 * it no longer answers, reopened once. Returns NULL on failure (the reason
 * is in db_pool_errmsg(); nothing is logged, the caller reports). The
 * connection belongs to the pool: do not db_close it. */
struct db *db_pool_get(void);

/* The calling thread's last pool error ("" when none). */
const char *db_pool_errmsg(void);

/* Closes the calling thread's connection now (a no-op when it has none). */
void db_pool_release_thread(void);

/* Closes every connection still open and forgets the URL. Call it once the
 * server threads have stopped; db_pool_init may be called again after. */
void db_pool_shutdown(void);

#endif
