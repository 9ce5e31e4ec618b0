/* db/backend.h — internal to src/db: the table of functions each backend
 * (sqlite.c, pg.c) provides, and the common head of its connection and
 * statement structs. db.c dispatches through it. */
#ifndef CSEC_DB_BACKEND_H
#define CSEC_DB_BACKEND_H

#include "db/db.h"

struct db_ops {
	void (*close)(struct db *db);
	int (*prepare)(struct db *db, const char *sql, struct db_stmt **out);
	int (*bind_int64)(struct db_stmt *st, int idx, int64_t v);
	int (*bind_text)(struct db_stmt *st, int idx, const char *s, size_t len);
	int (*bind_blob)(struct db_stmt *st, int idx, const void *p, size_t len);
	int (*bind_null)(struct db_stmt *st, int idx);
	int (*step)(struct db_stmt *st);
	int (*column_count)(struct db_stmt *st);
	bool (*column_is_null)(struct db_stmt *st, int col);
	int64_t (*column_int64)(struct db_stmt *st, int col);
	const char *(*column_text)(struct db_stmt *st, int col, size_t *len);
	const void *(*column_blob)(struct db_stmt *st, int col, size_t *len);
	void (*finalize)(struct db_stmt *st);
	int (*exec_script)(struct db *db, const char *sql);
	int (*last_id)(struct db *db, int64_t *out);
	/* NULL where the store has no incremental BLOB reads (PostgreSQL). */
	int (*blob_read)(struct db *db, const char *table, const char *column, int64_t rowid,
	                 uint64_t offset, void *out, size_t len);
	int (*backup_to)(struct db *db, const char *path);
	int (*restore_from)(struct db *db, const char *path);
	const char *begin_write_sql; /* "BEGIN IMMEDIATE" or "BEGIN" */
};

/* First member of every backend's connection struct. */
struct db {
	const struct db_ops *ops;
	enum db_dialect dialect;
	char err[512];
};

/* First member of every backend's statement struct. */
struct db_stmt {
	struct db *db;
};

/* Records a formatted error message on db and returns code. */
int db_set_error(struct db *db, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

int db_sqlite_open(const char *path, struct db **out, char *errbuf, size_t errlen);
int db_pg_open(const char *url, struct db **out, char *errbuf, size_t errlen);

#endif
