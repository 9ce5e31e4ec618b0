/* tests/unit/store_helpers.h — what the unit tests that run on both stores
 * (SQLite always, PostgreSQL when CSEC_TEST_PG_URL is set) share: failing on
 * a store error with its message, opening a store, and running SQL. Include
 * after cmocka.h and db/db.h. */
#ifndef CSEC_TESTS_STORE_HELPERS_H
#define CSEC_TESTS_STORE_HELPERS_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

/* Fails the test, naming the expression and the store's message. */
#define CHECK(db, expr)                                                                            \
	do {                                                                                       \
		int rc_ = (expr);                                                                  \
		if (rc_ < 0)                                                                       \
			fail_msg("%s -> %d: %s", #expr, rc_, db_errmsg(db));                       \
	} while (0)

/* Picks the literal for the dialect (literals, so the statement cache may
 * key on them). */
#define BY(db, sq, pgsql) (db_dialect(db) == DB_SQLITE ? (sq) : (pgsql))

__attribute__((unused)) static struct db *open_url(const char *url)
{
	char err[512];
	struct db *db = NULL;
	int rc = db_open(url, &db, err, sizeof(err));

	if (rc < 0)
		fail_msg("db_open: %d: %s", rc, err);
	return db;
}

/* The single integer a query answers; fails the test otherwise. */
__attribute__((unused)) static int64_t query_int(struct db *db, const char *sql)
{
	struct db_stmt *st;
	int64_t v;

	CHECK(db, db_prepare(db, sql, &st));
	int rc = db_step(st);
	if (rc != DB_ROW)
		fail_msg("%s -> %d: %s", sql, rc, db_errmsg(db));
	v = db_column_int64(st, 0);
	db_finalize(st);
	return v;
}

/* Runs a statement to its end: DB_OK or the first error. */
__attribute__((unused)) static int run(struct db *db, const char *sql)
{
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);

	if (rc < 0)
		return rc;
	do
		rc = db_step(st);
	while (rc == DB_ROW);
	db_finalize(st);
	return rc < 0 ? rc : DB_OK;
}

/* Formats and runs a statement; fails the test on an error. */
__attribute__((unused, format(printf, 2, 3))) static void runf(struct db *db, const char *fmt, ...)
{
	char sql[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	int rc = run(db, sql);
	if (rc < 0)
		fail_msg("%s -> %d: %s", sql, rc, db_errmsg(db));
}

#endif
