/* tests/unit/store_helpers.h — what the unit tests that run on both stores
 * (SQLite always, PostgreSQL when CSEC_TEST_PG_URL is set) share: failing on
 * a store error with its message, opening a store, and running SQL. Include
 * after cmocka.h and db/db.h. */
#ifndef CSEC_TESTS_STORE_HELPERS_H
#define CSEC_TESTS_STORE_HELPERS_H

#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* The store a test runs on: each test gets a fresh one, a new SQLite file
 * in the group's temporary directory, or a reset schema on PostgreSQL. */
__attribute__((unused)) static struct {
	bool pg;
	char base[1024]; /* PostgreSQL: the URL given */
	char dir[256]; /* SQLite: the group's temporary directory */
	int n; /* SQLite: files made so far */
	char url[1400]; /* the current test's URL */
	char path[300]; /* SQLite: the current test's file */
} F;

/* Removes a SQLite file and the files beside it. */
__attribute__((unused)) static void rm_sqlite(const char *path)
{
	char p[400];
	const char *suffix[] = {"", "-wal", "-shm", "-journal"};

	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		unlink(p);
	}
}

/* Opens a fresh store for one test, with the portal's schema when migrate. */
__attribute__((unused)) static struct db *fixture_open(bool migrate)
{
	if (F.pg) {
		struct db *admin = open_url(F.base);
		if (db_exec_script(admin,
		                   "DROP SCHEMA IF EXISTS csec_unit CASCADE; "
		                   "CREATE SCHEMA csec_unit") < 0)
			fail_msg("schema reset: %s", db_errmsg(admin));
		db_close(admin);
		snprintf(F.url, sizeof(F.url), "%s%soptions=-csearch_path%%3Dcsec_unit", F.base,
		         strchr(F.base, '?') ? "&" : "?");
	} else {
		snprintf(F.path, sizeof(F.path), "%s/t%d.db", F.dir, ++F.n);
		snprintf(F.url, sizeof(F.url), "sqlite:%s", F.path);
	}
	struct db *db = open_url(F.url);
	if (migrate)
		CHECK(db, db_migrate(db, NULL, NULL));
	return db;
}

__attribute__((unused)) static void fixture_close(struct db *db)
{
	db_close(db);
	if (!F.pg)
		rm_sqlite(F.path);
}

/* Group set-up and tear-down: SQLite in a temporary directory named after
 * the test program, or the PostgreSQL server of CSEC_TEST_PG_URL (F.base). */
__attribute__((unused)) static int fixture_group_sqlite(const char *name)
{
	F.pg = false;
	snprintf(F.dir, sizeof(F.dir), "/tmp/csec-test-%s.XXXXXX", name);
	return mkdtemp(F.dir) ? 0 : -1;
}

__attribute__((unused)) static int fixture_group_sqlite_done(void)
{
	DIR *d = opendir(F.dir);
	struct dirent *e;
	char p[600];

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", F.dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(F.dir);
	return 0;
}

#endif
