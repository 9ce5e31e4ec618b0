/* db/sqlite.c — the SQLite backend of db.h. One connection per thread
 * (opened NOMUTEX), WAL mode, synchronous=FULL, foreign keys on, a busy
 * timeout. Parameters are written $1..$N and bound by name, so their order
 * in the SQL does not matter. Prepared statements are kept in a small
 * per-connection cache keyed by the SQL pointer (the API asks for SQL that
 * outlives the statement), so a hot query is compiled once per connection.
 * Online backup and restore use SQLite's backup API. */
#include "db/backend.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_SLOTS 64
#define BUSY_TIMEOUT_MS 5000

struct sq_stmt {
	struct db_stmt base;
	sqlite3_stmt *stmt;
	const char *key; /* the caller's SQL pointer (cache key) */
	char *text; /* our copy, to catch a key pointer reused for other SQL */
	int rc; /* sticky result once DONE or failed, else 0 */
	bool row; /* positioned on a row */
	bool in_use; /* handed out and not yet finalized */
	bool cached; /* lives in a cache slot; finalize resets it */
	unsigned long used; /* tick of the last hand-out, for eviction */
	short index[17]; /* SQLite's index of $1..$16, once looked up (0: not yet) */
};

struct sq_db {
	struct db base;
	sqlite3 *conn;
	struct sq_stmt *cache[CACHE_SLOTS];
	unsigned long tick;
};

static const struct db_ops sq_ops;

static struct sq_db *sq(struct db *db)
{
	return (struct sq_db *)db;
}

static struct sq_stmt *sqs(struct db_stmt *st)
{
	return (struct sq_stmt *)st;
}

/* SQLite result code → DB_E*; extended codes keep the primary in the low
 * byte (SQLITE_BUSY_SNAPSHOT, SQLITE_CONSTRAINT_UNIQUE, ...). */
static int map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return DB_ERETRY;
	case SQLITE_CONSTRAINT:
		return DB_ECONSTRAINT;
	case SQLITE_NOMEM:
		return DB_ENOMEM;
	case SQLITE_RANGE:
	case SQLITE_MISUSE:
		return DB_EINVAL;
	default:
		return DB_ERR;
	}
}

static int fail(struct db *db, int rc, const char *what)
{
	return db_set_error(db, map_rc(rc), "sqlite: %s: %s", what, sqlite3_errmsg(sq(db)->conn));
}

static void stmt_destroy(struct sq_stmt *s)
{
	sqlite3_finalize(s->stmt);
	free(s->text);
	free(s);
}

static void sq_close(struct db *db)
{
	struct sq_db *d = sq(db);

	/* Statements still handed out are the caller's bug; they are freed
	 * here so the connection can close. */
	for (int i = 0; i < CACHE_SLOTS; i++)
		if (d->cache[i])
			stmt_destroy(d->cache[i]);
	sqlite3_close_v2(d->conn);
	free(d);
}

/* true when only blanks, semicolons and -- comments follow the statement. */
static bool tail_empty(const char *p)
{
	while (*p) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ';') {
			p++;
		} else if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
		} else {
			return false;
		}
	}
	return true;
}

static struct sq_stmt *cache_lookup(struct sq_db *d, const char *sql)
{
	for (int i = 0; i < CACHE_SLOTS; i++) {
		struct sq_stmt *s = d->cache[i];
		if (!s || s->key != sql || s->in_use)
			continue;
		if (strcmp(s->text, sql) != 0) {
			/* Same pointer, other text: the caller broke the
			 * lifetime rule; drop the stale entry. */
			stmt_destroy(s);
			d->cache[i] = NULL;
			continue;
		}
		return s;
	}
	return NULL;
}

/* A free slot, or the least recently used idle one (emptied); -1 if every
 * slot holds a statement in use. */
static int cache_slot(struct sq_db *d)
{
	int victim = -1;

	for (int i = 0; i < CACHE_SLOTS; i++) {
		if (!d->cache[i])
			return i;
		if (!d->cache[i]->in_use &&
		    (victim < 0 || d->cache[i]->used < d->cache[victim]->used))
			victim = i;
	}
	if (victim >= 0) {
		stmt_destroy(d->cache[victim]);
		d->cache[victim] = NULL;
	}
	return victim;
}

static int sq_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
	struct sq_db *d = sq(db);
	struct sq_stmt *s = cache_lookup(d, sql);
	const char *tail = NULL;
	int rc, slot;

	if (s)
		goto out;

	s = calloc(1, sizeof(*s));
	if (!s)
		return db_set_error(db, DB_ENOMEM, "sqlite: out of memory");
	s->base.db = db;
	s->key = sql;
	rc = sqlite3_prepare_v3(d->conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->stmt, &tail);
	if (rc != SQLITE_OK) {
		rc = db_set_error(db, map_rc(rc), "sqlite: prepare: %s (in: %.80s)",
		                  sqlite3_errmsg(d->conn), sql);
		goto out_free;
	}
	if (!s->stmt) {
		rc = db_set_error(db, DB_EINVAL, "sqlite: prepare: no statement in SQL");
		goto out_free;
	}
	if (tail && !tail_empty(tail)) {
		rc = db_set_error(db, DB_EINVAL,
		                  "sqlite: prepare: more than one statement (use db_exec_script): "
		                  "%.80s",
		                  sql);
		goto out_free;
	}
	s->text = strdup(sql);
	slot = s->text ? cache_slot(d) : -1;
	if (slot >= 0) {
		s->cached = true;
		d->cache[slot] = s;
	}
out:
	s->in_use = true;
	s->used = ++d->tick;
	s->rc = 0;
	s->row = false;
	*out = &s->base;
	return DB_OK;
out_free:
	stmt_destroy(s);
	return rc;
}

/* The statement's index for $idx, or 0 after recording an error. */
static int param_index(struct sq_stmt *s, int idx)
{
	char name[16];
	int i = 0;

	if (idx >= 1 && idx <= 16 && s->index[idx])
		return s->index[idx]; /* the statement is cached: looked up once */
	if (idx >= 1 && idx <= 999) {
		snprintf(name, sizeof(name), "$%d", idx);
		i = sqlite3_bind_parameter_index(s->stmt, name);
		if (idx <= 16 && i > 0 && i <= SHRT_MAX)
			s->index[idx] = (short)i;
	}
	if (i == 0)
		db_set_error(s->base.db, DB_EINVAL, "sqlite: bind: the statement has no $%d", idx);
	return i;
}

static int bind_done(struct sq_stmt *s, int rc)
{
	return rc == SQLITE_OK ? DB_OK : fail(s->base.db, rc, "bind");
}

static int sq_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
	struct sq_stmt *s = sqs(st);
	int i = param_index(s, idx);
	return i ? bind_done(s, sqlite3_bind_int64(s->stmt, i, v)) : DB_EINVAL;
}

static int sq_bind_text(struct db_stmt *st, int idx, const char *p, size_t len)
{
	struct sq_stmt *s = sqs(st);
	int i = param_index(s, idx);
	if (!i)
		return DB_EINVAL;
	return bind_done(s, sqlite3_bind_text64(s->stmt, i, p, len, SQLITE_TRANSIENT, SQLITE_UTF8));
}

static int sq_bind_blob(struct db_stmt *st, int idx, const void *p, size_t len)
{
	struct sq_stmt *s = sqs(st);
	int i = param_index(s, idx);
	if (!i)
		return DB_EINVAL;
	/* A NULL pointer would bind SQL NULL; an empty blob stays a blob. */
	if (len == 0)
		return bind_done(s, sqlite3_bind_zeroblob(s->stmt, i, 0));
	return bind_done(s, sqlite3_bind_blob64(s->stmt, i, p, len, SQLITE_TRANSIENT));
}

static int sq_bind_null(struct db_stmt *st, int idx)
{
	struct sq_stmt *s = sqs(st);
	int i = param_index(s, idx);
	return i ? bind_done(s, sqlite3_bind_null(s->stmt, i)) : DB_EINVAL;
}

static int sq_step(struct db_stmt *st)
{
	struct sq_stmt *s = sqs(st);
	int rc;

	/* SQLite would silently rerun a finished statement; the API says a
	 * finished statement stays finished. */
	if (s->rc)
		return s->rc;
	rc = sqlite3_step(s->stmt);
	if (rc == SQLITE_ROW) {
		s->row = true;
		return DB_ROW;
	}
	s->row = false;
	s->rc = rc == SQLITE_DONE ? DB_DONE : fail(st->db, rc, "step");
	return s->rc;
}

static int sq_column_count(struct db_stmt *st)
{
	return sqlite3_column_count(sqs(st)->stmt);
}

/* true when col can be read: on a row and in range. */
static bool readable(struct sq_stmt *s, int col)
{
	return s->row && col >= 0 && col < sqlite3_column_count(s->stmt);
}

static bool sq_column_is_null(struct db_stmt *st, int col)
{
	struct sq_stmt *s = sqs(st);
	return !readable(s, col) || sqlite3_column_type(s->stmt, col) == SQLITE_NULL;
}

static int64_t sq_column_int64(struct db_stmt *st, int col)
{
	struct sq_stmt *s = sqs(st);
	return readable(s, col) ? sqlite3_column_int64(s->stmt, col) : 0;
}

static const char *sq_column_text(struct db_stmt *st, int col, size_t *len)
{
	struct sq_stmt *s = sqs(st);
	const unsigned char *p;

	*len = 0;
	if (!readable(s, col))
		return "";
	p = sqlite3_column_text(s->stmt, col); /* text first, then bytes */
	if (!p)
		return "";
	*len = (size_t)sqlite3_column_bytes(s->stmt, col);
	return (const char *)p;
}

static const void *sq_column_blob(struct db_stmt *st, int col, size_t *len)
{
	struct sq_stmt *s = sqs(st);
	const void *p;

	*len = 0;
	if (!readable(s, col))
		return "";
	p = sqlite3_column_blob(s->stmt, col);
	if (!p)
		return "";
	*len = (size_t)sqlite3_column_bytes(s->stmt, col);
	return p;
}

static void sq_finalize(struct db_stmt *st)
{
	struct sq_stmt *s = sqs(st);

	if (!s->cached) {
		stmt_destroy(s);
		return;
	}
	/* Back to the cache: reset ends the read (releases the snapshot),
	 * and old bindings must not leak into the next use. */
	sqlite3_reset(s->stmt);
	sqlite3_clear_bindings(s->stmt);
	s->in_use = false;
	s->row = false;
	s->rc = 0;
}

static int sq_exec_script(struct db *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(sq(db)->conn, sql, NULL, NULL, &msg);

	if (rc == SQLITE_OK)
		return DB_OK;
	rc = db_set_error(db, map_rc(rc), "sqlite: script: %s",
	                  msg ? msg : sqlite3_errmsg(sq(db)->conn));
	sqlite3_free(msg);
	return rc;
}

static int sq_last_id(struct db *db, int64_t *out)
{
	*out = sqlite3_last_insert_rowid(sq(db)->conn);
	return DB_OK;
}

/* fsync a file or directory by path; 0 or -errno. */
static int sync_path(const char *path, bool dir)
{
	int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

static void dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

/* true when path names the file this connection has open. */
static bool is_own_file(struct sq_db *d, const char *path)
{
	const char *mine = sqlite3_db_filename(d->conn, "main");
	struct stat a, b;

	return mine && *mine && stat(mine, &a) == 0 && stat(path, &b) == 0 &&
	        a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Copies every page of from's main database into to's in one step, which
 * reads from a single snapshot: the copy is consistent even while other
 * connections write (WAL readers do not block writers). */
static int copy_db(sqlite3 *to, sqlite3 *from, char *msg, size_t len)
{
	sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
	int rc, frc;

	if (!b) {
		snprintf(msg, len, "%s", sqlite3_errmsg(to));
		return sqlite3_extended_errcode(to);
	}
	rc = sqlite3_backup_step(b, -1);
	frc = sqlite3_backup_finish(b); /* leaves the error on "to" */
	if (rc == SQLITE_DONE && frc == SQLITE_OK)
		return SQLITE_OK;
	if (rc == SQLITE_DONE)
		rc = frc;
	snprintf(msg, len, "%s", frc != SQLITE_OK ? sqlite3_errmsg(to) : sqlite3_errstr(rc));
	return rc;
}

static int sq_backup_to(struct db *db, const char *path)
{
	struct sq_db *d = sq(db);
	char tmp[PATH_MAX], dir[PATH_MAX], msg[256];
	sqlite3 *dst = NULL;
	int fd, rc;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return db_set_error(db, DB_EINVAL, "backup: path too long");
	if (is_own_file(d, path))
		return db_set_error(db, DB_EINVAL, "backup: %s is the open database itself", path);
	/* The copy holds what the store holds: readable by the owner only. */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return db_set_error(db, DB_ERR, "backup: cannot create %s: %s", tmp,
		                    strerror(errno));
	close(fd);

	rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		snprintf(msg, sizeof(msg), "%s", dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
		goto out_fail;
	}
	rc = copy_db(dst, d->conn, msg, sizeof(msg));
	if (rc != SQLITE_OK)
		goto out_fail;
	/* A backup is one self-contained file: no -wal beside it. */
	rc = sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		snprintf(msg, sizeof(msg), "%s", sqlite3_errmsg(dst));
		goto out_fail;
	}
	rc = sqlite3_close(dst);
	dst = NULL;
	if (rc != SQLITE_OK) {
		snprintf(msg, sizeof(msg), "%s", sqlite3_errstr(rc));
		goto out_fail;
	}
	if ((rc = sync_path(tmp, false)) < 0 || (rename(tmp, path) < 0 && (rc = -errno))) {
		unlink(tmp);
		return db_set_error(db, DB_ERR, "backup: cannot write %s: %s", path, strerror(-rc));
	}
	dir_of(path, dir, sizeof(dir));
	sync_path(dir, true);
	return DB_OK;

out_fail:
	sqlite3_close(dst);
	unlink(tmp);
	return db_set_error(db, map_rc(rc), "backup to %s failed: %s", path, msg);
}

/* The first column of the first row of sql on conn, copied to out. */
static int query_text(sqlite3 *conn, const char *sql, char *out, size_t len)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(conn, sql, -1, &st, NULL);

	out[0] = '\0';
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		snprintf(out, len, "%s", t ? (const char *)t : "");
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

static int sq_restore_from(struct db *db, const char *path)
{
	struct sq_db *d = sq(db);
	sqlite3 *src = NULL;
	char val[128], msg[256];
	int rc;

	if (!sqlite3_get_autocommit(d->conn))
		return db_set_error(db, DB_EINVAL, "restore: not allowed inside a transaction");
	if (is_own_file(d, path))
		return db_set_error(db, DB_EINVAL, "restore: %s is the open database itself", path);
	if (access(path, R_OK) < 0)
		return db_set_error(db, DB_EINVAL, "restore: cannot read %s: %s", path,
		                    strerror(errno));
	rc = sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK) {
		snprintf(msg, sizeof(msg), "%s", src ? sqlite3_errmsg(src) : sqlite3_errstr(rc));
		goto out_fail;
	}
	rc = query_text(src, "PRAGMA integrity_check", val, sizeof(val));
	if (rc != SQLITE_OK) {
		snprintf(msg, sizeof(msg), "%s", sqlite3_errmsg(src));
		goto out_fail;
	}
	if (strcmp(val, "ok") != 0) {
		sqlite3_close(src);
		return db_set_error(db, DB_EINVAL, "restore: %s fails the integrity check: %s",
		                    path, val);
	}
	rc = query_text(src,
	                "SELECT count(*) FROM sqlite_master "
	                "WHERE type = 'table' AND name = 'schema_migrations'",
	                val, sizeof(val));
	if (rc != SQLITE_OK) {
		snprintf(msg, sizeof(msg), "%s", sqlite3_errmsg(src));
		goto out_fail;
	}
	if (strcmp(val, "1") != 0) {
		sqlite3_close(src);
		return db_set_error(db, DB_EINVAL,
		                    "restore: %s is not a CSEC store (no schema_migrations table)",
		                    path);
	}
	rc = copy_db(d->conn, src, msg, sizeof(msg));
	if (rc != SQLITE_OK)
		goto out_fail;
	sqlite3_close(src);
	return DB_OK;

out_fail:
	sqlite3_close(src);
	return db_set_error(db, map_rc(rc), "restore from %s failed: %s", path, msg);
}

static int sq_blob_read(struct db *db, const char *table, const char *column, int64_t rowid,
                        uint64_t offset, void *out, size_t len)
{
	sqlite3_blob *blob = NULL;
	int rc = sqlite3_blob_open(sq(db)->conn, "main", table, column, rowid, 0, &blob);
	if (rc != SQLITE_OK) {
		sqlite3_blob_close(blob);
		/* "no such rowid" is SQLITE_ERROR: ask whether the row exists */
		if (rc == SQLITE_ERROR && strstr(sqlite3_errmsg(sq(db)->conn), "no such rowid"))
			return DB_DONE;
		return db_set_error(db, map_rc(rc), "blob open %s.%s: %s", table, column,
		                    sqlite3_errmsg(sq(db)->conn));
	}
	int size = sqlite3_blob_bytes(blob);
	if (offset > (uint64_t)size || len > (uint64_t)size - offset || len > INT_MAX) {
		sqlite3_blob_close(blob);
		return DB_DONE;
	}
	rc = sqlite3_blob_read(blob, out, (int)len, (int)offset);
	sqlite3_blob_close(blob);
	if (rc != SQLITE_OK)
		return db_set_error(db, map_rc(rc), "blob read %s.%s: %s", table, column,
		                    sqlite3_errstr(rc));
	return DB_OK;
}

static const struct db_ops sq_ops = {
        .close = sq_close,
        .prepare = sq_prepare,
        .bind_int64 = sq_bind_int64,
        .bind_text = sq_bind_text,
        .bind_blob = sq_bind_blob,
        .bind_null = sq_bind_null,
        .step = sq_step,
        .column_count = sq_column_count,
        .column_is_null = sq_column_is_null,
        .column_int64 = sq_column_int64,
        .column_text = sq_column_text,
        .column_blob = sq_column_blob,
        .finalize = sq_finalize,
        .exec_script = sq_exec_script,
        .last_id = sq_last_id,
        .blob_read = sq_blob_read,
        .backup_to = sq_backup_to,
        .restore_from = sq_restore_from,
        .begin_write_sql = "BEGIN IMMEDIATE",
};

/* A new database file is created owner-only before SQLite sees it; SQLite
 * gives its -wal and -shm files the same mode. */
static void precreate(const char *path)
{
	int fd;

	if (strcmp(path, ":memory:") == 0)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
}

/* Before SQLite's first use in the process: no memory statistics. Keeping
 * them takes a process-wide mutex around every allocation SQLite makes, which
 * the worker threads' connections then contend on; nothing here reads them.
 * (Too late, after another caller initialized SQLite, it is a no-op.) */
static pthread_once_t configured = PTHREAD_ONCE_INIT;

static void configure_sqlite(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int db_sqlite_open(const char *path, struct db **out, char *errbuf, size_t errlen)
{
	struct sq_db *d;
	char mode[32];
	int rc;

	d = calloc(1, sizeof(*d));
	if (!d) {
		if (errbuf && errlen)
			snprintf(errbuf, errlen, "sqlite: out of memory");
		return DB_ENOMEM;
	}
	d->base.ops = &sq_ops;
	d->base.dialect = DB_SQLITE;

	pthread_once(&configured, configure_sqlite);
	precreate(path);
	rc = sqlite3_open_v2(path, &d->conn,
	                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	                     NULL);
	if (rc != SQLITE_OK)
		goto out_fail;
	sqlite3_extended_result_codes(d->conn, 1);
	sqlite3_busy_timeout(d->conn, BUSY_TIMEOUT_MS);
	rc = query_text(d->conn, "PRAGMA journal_mode=WAL", mode, sizeof(mode));
	if (rc != SQLITE_OK)
		goto out_fail;
	if (strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0) {
		if (errbuf && errlen)
			snprintf(errbuf, errlen, "sqlite: %s: cannot use WAL mode (got %s)", path,
			         mode);
		rc = DB_ERR;
		goto out_close;
	}
	rc = sqlite3_exec(d->conn, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON", NULL, NULL,
	                  NULL);
	if (rc != SQLITE_OK)
		goto out_fail;
	*out = &d->base;
	return DB_OK;

out_fail:
	if (errbuf && errlen)
		snprintf(errbuf, errlen, "sqlite: cannot open %s: %s", path,
		         d->conn ? sqlite3_errmsg(d->conn) : sqlite3_errstr(rc));
	rc = map_rc(rc);
out_close:
	sqlite3_close_v2(d->conn);
	free(d);
	return rc;
}
