/* db/db.c — the backend-neutral half of the store API (db.h): picks a
 * backend by URL, checks what is the same for every backend (parameter
 * text is valid UTF-8 without NUL bytes, so a value accepted by SQLite is
 * never refused by PostgreSQL later), and dispatches the rest through the
 * backend's struct db_ops. */
#include "db/backend.h"
#include "core/str.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int db_set_error(struct db *db, int code, const char *fmt, ...)
{
	va_list ap;

	if (!db)
		return code;
	va_start(ap, fmt);
	vsnprintf(db->err, sizeof(db->err), fmt, ap);
	va_end(ap);
	return code;
}

static int open_fail(char *errbuf, size_t errlen, int code, const char *msg)
{
	if (errbuf && errlen)
		snprintf(errbuf, errlen, "%s", msg);
	return code;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n > m && memcmp(s + n - m, suffix, m) == 0;
}

int db_open(const char *url, struct db **out, char *errbuf, size_t errlen)
{
	if (errbuf && errlen)
		errbuf[0] = '\0';
	if (!out)
		return open_fail(errbuf, errlen, DB_EINVAL, "db_open: no place for the connection");
	*out = NULL;
	if (!url || !*url)
		return open_fail(errbuf, errlen, DB_EINVAL, "no database URL given");

	if (strncmp(url, "sqlite:", 7) == 0) {
		const char *path = url + 7;
		/* "sqlite://x" is read three different ways by other tools;
		 * refuse it rather than guess which file was meant. */
		if (strncmp(path, "//", 2) == 0)
			return open_fail(errbuf, errlen, DB_EINVAL,
			                 "SQLite URLs are written sqlite:PATH (e.g. "
			                 "sqlite:/var/lib/csec/csec.db or sqlite:data/csec.db), "
			                 "without //");
		if (!*path)
			return open_fail(errbuf, errlen, DB_EINVAL,
			                 "SQLite URL has no file path (sqlite:PATH)");
		return db_sqlite_open(path, out, errbuf, errlen);
	}
	if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
		return db_pg_open(url, out, errbuf, errlen);
	if (!strchr(url, ':') && has_suffix(url, ".db"))
		return db_sqlite_open(url, out, errbuf, errlen);
	/* The URL itself is not repeated: it may carry a password. */
	return open_fail(errbuf, errlen, DB_EINVAL,
	                 "unrecognised database URL: expected sqlite:PATH, a path ending in .db, "
	                 "or postgresql://...");
}

void db_close(struct db *db)
{
	if (db)
		db->ops->close(db);
}

enum db_dialect db_dialect(const struct db *db)
{
	return db->dialect;
}

const char *db_errmsg(const struct db *db)
{
	if (!db)
		return "no database connection";
	return db->err[0] ? db->err : "no error recorded";
}

int db_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
	if (!out)
		return db_set_error(db, DB_EINVAL, "db_prepare: out is NULL");
	*out = NULL;
	if (!sql)
		return db_set_error(db, DB_EINVAL, "db_prepare: sql is NULL");
	return db->ops->prepare(db, sql, out);
}

int db_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
	return st->db->ops->bind_int64(st, idx, v);
}

int db_bind_text(struct db_stmt *st, int idx, const char *s, size_t len)
{
	if (!s)
		return db_set_error(st->db, DB_EINVAL,
		                    "text parameter $%d is a NULL pointer "
		                    "(use db_bind_null)",
		                    idx);
	if (len == (size_t)-1)
		len = strlen(s);
	/* PostgreSQL text cannot hold NUL and refuses bad UTF-8; SQLite would
	 * take both. Refuse them on every backend alike. */
	if (memchr(s, '\0', len))
		return db_set_error(st->db, DB_EINVAL,
		                    "text parameter $%d contains a NUL byte (use db_bind_blob)",
		                    idx);
	if (!str_utf8_valid(s, len))
		return db_set_error(st->db, DB_EINVAL, "text parameter $%d is not valid UTF-8",
		                    idx);
	return st->db->ops->bind_text(st, idx, s, len);
}

int db_bind_blob(struct db_stmt *st, int idx, const void *p, size_t len)
{
	if (!p && len)
		return db_set_error(st->db, DB_EINVAL, "blob parameter $%d is a NULL pointer", idx);
	return st->db->ops->bind_blob(st, idx, p, len);
}

int db_bind_null(struct db_stmt *st, int idx)
{
	return st->db->ops->bind_null(st, idx);
}

int db_step(struct db_stmt *st)
{
	return st->db->ops->step(st);
}

int db_column_count(struct db_stmt *st)
{
	return st->db->ops->column_count(st);
}

bool db_column_is_null(struct db_stmt *st, int col)
{
	return st->db->ops->column_is_null(st, col);
}

int64_t db_column_int64(struct db_stmt *st, int col)
{
	return st->db->ops->column_int64(st, col);
}

const char *db_column_text(struct db_stmt *st, int col, size_t *len)
{
	size_t n = 0;
	const char *s = st->db->ops->column_text(st, col, &n);
	if (len)
		*len = n;
	/* cppcheck-suppress returnDanglingLifetime ; s points into the statement, not at n */
	return s;
}

const void *db_column_blob(struct db_stmt *st, int col, size_t *len)
{
	size_t n = 0;
	const void *p = st->db->ops->column_blob(st, col, &n);
	if (len)
		*len = n;
	/* cppcheck-suppress returnDanglingLifetime ; p points into the statement, not at n */
	return p;
}

void db_finalize(struct db_stmt *st)
{
	if (st)
		st->db->ops->finalize(st);
}

int db_exec(struct db *db, const char *sql)
{
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc < 0)
		return rc;
	/* Rows (e.g. from a PRAGMA that echoes its value) are skipped. */
	do
		rc = db_step(st);
	while (rc == DB_ROW);
	db_finalize(st);
	return rc < 0 ? rc : DB_OK;
}

int db_exec_script(struct db *db, const char *sql)
{
	if (!sql)
		return db_set_error(db, DB_EINVAL, "db_exec_script: sql is NULL");
	return db->ops->exec_script(db, sql);
}

int db_begin(struct db *db)
{
	return db_exec(db, "BEGIN");
}

int db_begin_write(struct db *db)
{
	return db_exec(db, db->ops->begin_write_sql);
}

int db_commit(struct db *db)
{
	return db_exec(db, "COMMIT");
}

int db_rollback(struct db *db)
{
	return db_exec(db, "ROLLBACK");
}

int db_last_id(struct db *db, int64_t *out)
{
	if (!out)
		return db_set_error(db, DB_EINVAL, "db_last_id: out is NULL");
	return db->ops->last_id(db, out);
}

int db_blob_read(struct db *db, const char *table, const char *column, int64_t rowid,
                 uint64_t offset, void *out, size_t len)
{
	if (!db->ops->blob_read)
		return db_set_error(db, DB_EINVAL, "db_blob_read: not on this store");
	return db->ops->blob_read(db, table, column, rowid, offset, out, len);
}

bool db_ping(struct db *db)
{
	struct db_stmt *st;
	bool ok;

	if (!db || db_prepare(db, "SELECT 1", &st) < 0)
		return false;
	ok = db_step(st) == DB_ROW && db_column_int64(st, 0) == 1;
	db_finalize(st);
	return ok;
}

int db_backup_to(struct db *db, const char *path)
{
	if (!path || !*path)
		return db_set_error(db, DB_EINVAL, "backup: no path given");
	return db->ops->backup_to(db, path);
}

int db_restore_from(struct db *db, const char *path)
{
	if (!path || !*path)
		return db_set_error(db, DB_EINVAL, "restore: no path given");
	return db->ops->restore_from(db, path);
}

int db_like_pattern(const char *s, bool contains, bool lower, char *out, size_t outlen)
{
	size_t n = 0;
	if (outlen < 2)
		return outlen ? (out[0] = '\0', -1) : -1;
	if (contains)
		out[n++] = '%';
	for (; *s; s++) {
		char c = lower && *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
		if (n + 4 > outlen) { /* an escaped character, the final '%' and the NUL */
			out[0] = '\0';
			return -1;
		}
		if (c == '\\' || c == '%' || c == '_')
			out[n++] = '\\';
		out[n++] = c;
	}
	if (n + 2 > outlen) {
		out[0] = '\0';
		return -1;
	}
	out[n++] = '%';
	out[n] = '\0';
	return 0;
}
