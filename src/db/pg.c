/* db/pg.c — the PostgreSQL backend of db.h (libpq). Parameters are copied
 * at bind time and the statement runs at the first db_step, whose later
 * calls walk the rows of the result. A query (SELECT, INSERT, UPDATE,
 * DELETE, WITH) is prepared on the server once per connection, named, and
 * then executed by name, so the server plans it once rather than at every
 * run (DESIGN.md §5); the names live in a per-connection cache keyed by the
 * SQL pointer, as on SQLite. Behind pgbouncer in transaction pooling a
 * prepared statement would belong to whichever server connection made it,
 * so CSEC_PG_STATEMENTS=unnamed sends every statement unnamed with
 * PQexecParams instead (docs/deploy.md).
 * Parameters go as text (int64, text) or binary (bytea); results come back
 * as text. A lost connection is reset once on the next statement, but never
 * silently inside a transaction: after a loss there, every statement fails
 * until the caller rolls back. Error messages never contain the password of
 * the connection URL. */
#include "db/backend.h"
#include "core/str.h"

#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_PARAMS 64
#define BYTEAOID 17 /* pg_type.oid of bytea, stable since forever */
/* More than the portal's distinct queries; past it, statements go unnamed. */
#define CACHE_SLOTS 512
/* Open-addressing index of the cache by SQL pointer: a power of two, twice
 * CACHE_SLOTS, so a probe ends at an empty slot quickly. */
#define INDEX_SLOTS 1024

/* A statement prepared on this connection's server session. */
struct prepared {
	const char *key; /* the caller's SQL pointer */
	char *text; /* our copy, to catch a key pointer reused for other SQL */
	char name[16];
	int nparams;
	Oid types[MAX_PARAMS]; /* as prepared; a run with others goes unnamed */
};

struct pg_db {
	struct db base;
	PGconn *conn;
	bool lost_in_tx; /* the connection died inside a transaction */
	bool unnamed; /* CSEC_PG_STATEMENTS=unnamed: never prepare */
	struct prepared *cache; /* CACHE_SLOTS, filled from the front */
	uint16_t *index; /* INDEX_SLOTS: 1 + a cache position, 0 empty */
	int ncached;
};

struct blob {
	unsigned char *p; /* from PQunescapeBytea */
	size_t n;
};

struct pg_stmt {
	struct db_stmt base;
	const char *sql;
	int nparams; /* highest $N in the SQL */
	char *vals[MAX_PARAMS];
	int lens[MAX_PARAMS];
	int fmts[MAX_PARAMS];
	Oid types[MAX_PARAMS];
	PGresult *res;
	int row; /* current row, -1 before the first */
	int rc; /* sticky result once DONE or failed, else 0 */
	bool executed;
	bool noop; /* a ROLLBACK of a transaction the server already lost */
	struct blob *blobs; /* decoded bytea of the current row, per column */
	int nblobs;
};

static struct pg_db *pg(struct db *db)
{
	return (struct pg_db *)db;
}

static struct pg_stmt *pgs(struct db_stmt *st)
{
	return (struct pg_stmt *)st;
}

/* Copies a libpq message into dst on one line: libpq ends messages with a
 * newline and continues hints on tab-indented lines. */
static void copy_msg(char *dst, size_t len, const char *msg)
{
	size_t i = 0, j = 0;

	if (!len)
		return;
	for (msg = msg ? msg : ""; msg[i] && j + 1 < len; i++) {
		if (msg[i] == '\n' || msg[i] == '\r' || msg[i] == '\t') {
			if (j && dst[j - 1] != ' ')
				dst[j++] = ' ';
		} else {
			dst[j++] = msg[i];
		}
	}
	while (j && dst[j - 1] == ' ')
		j--;
	dst[j] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes s[0..n) into out (at most len-1 bytes). */
static void pct_decode(const char *s, size_t n, char *out, size_t len)
{
	size_t j = 0;

	for (size_t i = 0; i < n && j + 1 < len; i++) {
		if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			out[j++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			out[j++] = s[i];
		}
	}
	out[j] = '\0';
}

/* Replaces every occurrence of secret (n bytes) in msg by "***". */
static void mask(char *msg, size_t len, const char *secret, size_t n)
{
	char out[512];
	size_t i = 0, j = 0, m = strlen(msg);

	if (n == 0)
		return;
	while (i < m && j + 1 < sizeof(out)) {
		if (i + n <= m && memcmp(msg + i, secret, n) == 0) {
			for (int k = 0; k < 3 && j + 1 < sizeof(out); k++)
				out[j++] = '*';
			i += n;
		} else {
			out[j++] = msg[i++];
		}
	}
	out[j] = '\0';
	if (j >= len)
		j = len - 1;
	memcpy(msg, out, j);
	msg[j] = '\0';
	explicit_bzero(out, sizeof(out));
}

/* Masks, in msg, the password of url as written there and as decoded: in
 * the userinfo ("postgresql://user:PASSWORD@host") and in the query
 * ("?password=PASSWORD"). libpq's messages rarely echo the URL, but an
 * "invalid URI" message can, and logs outlive passwords. */
static void redact(char *msg, size_t len, const char *url)
{
	const char *p = strstr(url, "://");
	char dec[256];

	if (!p)
		return;
	p += 3;
	size_t auth = strcspn(p, "@/?");
	if (p[auth] == '@') {
		const char *colon = memchr(p, ':', auth);
		if (colon) {
			size_t n = auth - (size_t)(colon + 1 - p);
			mask(msg, len, colon + 1, n);
			pct_decode(colon + 1, n, dec, sizeof(dec));
			mask(msg, len, dec, strlen(dec));
		}
	}
	for (const char *q = strstr(url, "password="); q; q = strstr(q + 1, "password=")) {
		const char *v = q + 9;
		size_t n = strcspn(v, "&");
		mask(msg, len, v, n);
		pct_decode(v, n, dec, sizeof(dec));
		mask(msg, len, dec, strlen(dec));
	}
	explicit_bzero(dec, sizeof(dec));
}

/* Records the error of a failed result (or of the connection when res is
 * NULL) and returns its DB code. */
static int fail_result(struct db *db, const PGresult *res, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char text[400];
	int code = DB_ERR;

	if (!msg)
		msg = res ? PQresultErrorMessage(res) : PQerrorMessage(pg(db)->conn);
	if (!msg || !*msg)
		msg = "unknown error";
	if (state) {
		if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
			code = DB_ERETRY;
		else if (strncmp(state, "23", 2) == 0)
			code = DB_ECONSTRAINT;
		else if (strcmp(state, "53200") == 0)
			code = DB_ENOMEM;
	}
	copy_msg(text, sizeof(text), msg);
	return db_set_error(db, code, "postgresql: %s: %s%s%s%s", what, text, state ? " [" : "",
	                    state ? state : "", state ? "]" : "");
}

static void forget_prepared(struct pg_db *d)
{
	for (int i = 0; i < d->ncached; i++)
		free(d->cache[i].text);
	d->ncached = 0;
	if (d->index)
		memset(d->index, 0, INDEX_SLOTS * sizeof *d->index);
}

static unsigned index_slot(const char *sql)
{
	/* Fibonacci hashing of the pointer; its low bits are alignment. */
	uint64_t h = (uint64_t)(uintptr_t)sql * 0x9e3779b97f4a7c15u;
	return (unsigned)(h >> 54) & (INDEX_SLOTS - 1);
}

/* The cache entry prepared from sql (the same pointer and still the same
 * text), or NULL. A pointer reused for other SQL (an arena string, say)
 * gets an entry of its own further along the probe. */
static struct prepared *find_prepared(struct pg_db *d, const char *sql)
{
	if (!d->index)
		return NULL;
	for (unsigned i = index_slot(sql);; i = (i + 1) & (INDEX_SLOTS - 1)) {
		unsigned at = d->index[i];
		if (at == 0)
			return NULL;
		struct prepared *p = &d->cache[at - 1];
		if (p->key == sql && strcmp(p->text, sql) == 0)
			return p;
	}
}

/* Makes the connection usable before a statement: a dead one is reset once
 * per call. Fails while a transaction lost with the connection has not been
 * rolled back, so "BEGIN; A; <loss>; B; COMMIT" cannot commit B alone. */
static int ready(struct db *db, bool is_rollback)
{
	struct pg_db *d = pg(db);

	if (PQstatus(d->conn) == CONNECTION_BAD) {
		forget_prepared(d); /* they died with the server session */
		PQreset(d->conn);
		if (PQstatus(d->conn) != CONNECTION_OK) {
			char text[400];
			copy_msg(text, sizeof(text), PQerrorMessage(d->conn));
			return db_set_error(db, DB_ERR, "postgresql: connection lost: %s", text);
		}
		/* The reset connection starts with the server defaults. */
		PGresult *r = PQexec(d->conn, "SET TIME ZONE 'UTC'; SET bytea_output = 'hex'");
		bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
		if (!ok || PQsetClientEncoding(d->conn, "UTF8") != 0)
			return db_set_error(db, DB_ERR,
			                    "postgresql: cannot set up the reset "
			                    "connection");
	}
	if (d->lost_in_tx && !is_rollback)
		return db_set_error(db, DB_ERR,
		                    "postgresql: the connection was lost inside a "
		                    "transaction; roll back before going on");
	return DB_OK;
}

/* After a failed command: remembers whether the connection died while a
 * transaction was open (status taken before the command). */
static void note_loss(struct pg_db *d, PGTransactionStatusType before)
{
	if (PQstatus(d->conn) == CONNECTION_BAD &&
	    (before == PQTRANS_INTRANS || before == PQTRANS_INERROR || before == PQTRANS_ACTIVE))
		d->lost_in_tx = true;
}

static void pg_close(struct db *db)
{
	struct pg_db *d = pg(db);
	PQfinish(d->conn);
	forget_prepared(d);
	free(d->cache);
	free(d->index);
	free(d);
}

static bool is_rollback(const char *sql)
{
	struct str s = str_trim(str_from(sql));
	return str_ieq_cstr(s, "ROLLBACK");
}

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	        c == '_' || (unsigned char)c >= 0x80;
}

/* Whether sql is a query worth preparing: SELECT, INSERT, UPDATE, DELETE or
 * WITH. Transaction control, DDL and session settings go unnamed. */
static bool preparable(const char *sql)
{
	static const char *const verbs[] = {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"};
	while (*sql == ' ' || *sql == '\t' || *sql == '\n' || *sql == '\r' || *sql == '(')
		sql++;
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
		size_t n = strlen(verbs[i]);
		if (strncasecmp(sql, verbs[i], n) == 0 && !ident_char(sql[n]))
			return true;
	}
	return false;
}

/* The highest $N in sql outside quotes and comments (0 when none, -1 when
 * past MAX_PARAMS). Knowing it lets unbound parameters go as NULL and a
 * bind to a $N the SQL lacks fail, as on SQLite. */
static int highest_param(const char *sql)
{
	const char *p = sql;
	int max = 0;

	while (*p) {
		if (*p == '\'' || *p == '"') {
			/* 'it''s', "a""b", and E'\'' escapes */
			char q = *p;
			bool esc = q == '\'' && p > sql && (p[-1] == 'E' || p[-1] == 'e');
			for (p++; *p; p++) {
				if (esc && *p == '\\' && p[1]) {
					p++;
				} else if (*p == q) {
					if (p[1] != q)
						break;
					p++;
				}
			}
			if (*p)
				p++;
		} else if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			p = e ? e + 2 : p + strlen(p);
		} else if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
			int n = 0;
			for (p++; *p >= '0' && *p <= '9'; p++)
				if (n <= MAX_PARAMS)
					n = n * 10 + (*p - '0');
			if (n > MAX_PARAMS)
				return -1;
			if (n > max)
				max = n;
		} else if (*p == '$') {
			/* $tag$ ... $tag$ (dollar quoting) */
			const char *t = p + 1;
			while (ident_char(*t))
				t++;
			if (*t != '$') {
				p++;
				continue;
			}
			size_t taglen = (size_t)(t + 1 - p);
			const char *e = t + 1;
			while ((e = strchr(e, '$')) && strncmp(e, p, taglen) != 0)
				e++;
			p = e ? e + taglen : p + strlen(p);
		} else {
			/* identifiers may hold $ (foo$1 is not a parameter) */
			if (ident_char(*p))
				while (ident_char(*p) || *p == '$')
					p++;
			else
				p++;
		}
	}
	return max;
}

static int pg_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
	bool rb = is_rollback(sql);
	struct pg_stmt *s;
	int n, rc = ready(db, rb);

	if (rc < 0)
		return rc;
	/* A statement run before has its parameters counted already. */
	const struct prepared *known = find_prepared(pg(db), sql);
	n = known ? known->nparams : highest_param(sql);
	if (n < 0)
		return db_set_error(db, DB_EINVAL, "postgresql: more than %d parameters in: %.80s",
		                    MAX_PARAMS, sql);
	s = calloc(1, sizeof(*s));
	if (!s)
		return db_set_error(db, DB_ENOMEM, "postgresql: out of memory");
	s->base.db = db;
	s->sql = sql;
	s->nparams = n;
	s->row = -1;
	if (rb && pg(db)->lost_in_tx) {
		/* The server ended that transaction with the connection. */
		pg(db)->lost_in_tx = false;
		s->noop = true;
	}
	*out = &s->base;
	return DB_OK;
}

/* Stores a copy of n bytes as parameter idx; 0 or a DB error. */
static int set_param(struct pg_stmt *s, int idx, const void *p, size_t n, bool binary, Oid type)
{
	struct db *db = s->base.db;
	char *v = NULL;

	if (idx < 1 || idx > s->nparams)
		return db_set_error(db, DB_EINVAL, "postgresql: bind: the statement has no $%d",
		                    idx);
	if (s->executed)
		return db_set_error(db, DB_EINVAL, "postgresql: bind: $%d after db_step", idx);
	if (n > 0x3fffffff)
		return db_set_error(db, DB_EINVAL, "postgresql: bind: $%d too large", idx);
	if (p) {
		v = malloc(n + 1);
		if (!v)
			return db_set_error(db, DB_ENOMEM, "postgresql: out of memory");
		if (n)
			memcpy(v, p, n);
		v[n] = '\0';
	}
	free(s->vals[idx - 1]);
	s->vals[idx - 1] = v;
	s->lens[idx - 1] = (int)n;
	s->fmts[idx - 1] = binary;
	s->types[idx - 1] = type;
	return DB_OK;
}

static int pg_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%lld", (long long)v);
	/* Type left to the server (0): "$1" then fits int, bigint or numeric
	 * contexts alike. */
	return set_param(pgs(st), idx, num, (size_t)n, false, 0);
}

static int pg_bind_text(struct db_stmt *st, int idx, const char *p, size_t len)
{
	return set_param(pgs(st), idx, p, len, false, 0);
}

static int pg_bind_blob(struct db_stmt *st, int idx, const void *p, size_t len)
{
	return set_param(pgs(st), idx, p ? p : "", len, true, BYTEAOID);
}

static int pg_bind_null(struct db_stmt *st, int idx)
{
	return set_param(pgs(st), idx, NULL, 0, false, 0);
}

static void free_blobs(struct pg_stmt *s)
{
	for (int i = 0; i < s->nblobs; i++)
		if (s->blobs[i].p)
			PQfreemem(s->blobs[i].p);
	free(s->blobs);
	s->blobs = NULL;
	s->nblobs = 0;
}

/* The prepared statement to run s with, preparing it on first use: *out
 * stays NULL when s goes unnamed (not a query, the cache is full or off, a
 * failed transaction, parameter types other than those prepared). A query
 * the server refuses to prepare fails here with the server's message. */
static int prepared_for(struct pg_stmt *s, PGTransactionStatusType before,
                        const struct prepared **out)
{
	struct pg_db *d = pg(s->base.db);
	*out = NULL;
	if (d->unnamed || before == PQTRANS_INERROR || !preparable(s->sql))
		return DB_OK;
	struct prepared *known = find_prepared(d, s->sql);
	if (known) {
		if (known->nparams == s->nparams &&
		    memcmp(known->types, s->types, (size_t)s->nparams * sizeof(Oid)) == 0)
			*out = known;
		return DB_OK;
	}
	if (d->ncached == CACHE_SLOTS)
		return DB_OK;
	if (!d->cache && !(d->cache = calloc(CACHE_SLOTS, sizeof *d->cache)))
		return DB_OK; /* no memory for the cache: unnamed still works */
	if (!d->index && !(d->index = calloc(INDEX_SLOTS, sizeof *d->index)))
		return DB_OK;
	struct prepared *p = &d->cache[d->ncached];
	p->text = strdup(s->sql);
	if (!p->text)
		return DB_OK;
	snprintf(p->name, sizeof p->name, "csec_%d", d->ncached);
	PGresult *r = PQprepare(d->conn, p->name, s->sql, s->nparams, s->types);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		free(p->text);
		p->text = NULL;
		note_loss(d, before);
		int rc = fail_result(s->base.db, r, "query");
		PQclear(r);
		return rc;
	}
	PQclear(r);
	p->key = s->sql;
	p->nparams = s->nparams;
	memcpy(p->types, s->types, (size_t)s->nparams * sizeof(Oid));
	d->ncached++;
	unsigned i = index_slot(s->sql);
	while (d->index[i] != 0)
		i = (i + 1) & (INDEX_SLOTS - 1);
	d->index[i] = (uint16_t)d->ncached;
	*out = p;
	return DB_OK;
}

static int execute(struct pg_stmt *s)
{
	struct db *db = s->base.db;
	struct pg_db *d = pg(db);
	PGTransactionStatusType before = PQtransactionStatus(d->conn);
	const char *vals[MAX_PARAMS];

	s->executed = true;
	if (s->noop)
		return DB_DONE;
	for (int i = 0; i < s->nparams; i++)
		vals[i] = s->vals[i];
	const struct prepared *p = NULL;
	int rc = prepared_for(s, before, &p);
	if (rc != DB_OK)
		return rc;
	if (p)
		s->res = PQexecPrepared(d->conn, p->name, s->nparams, vals, s->lens, s->fmts, 0);
	else
		s->res = PQexecParams(d->conn, s->sql, s->nparams, s->types, vals, s->lens, s->fmts,
		                      0);
	switch (PQresultStatus(s->res)) {
	case PGRES_TUPLES_OK:
		return DB_ROW; /* the caller moves to row 0 */
	case PGRES_COMMAND_OK:
	case PGRES_EMPTY_QUERY:
		return DB_DONE;
	default:
		break;
	}
	note_loss(d, before);
	return fail_result(db, s->res, "query");
}

static int pg_step(struct db_stmt *st)
{
	struct pg_stmt *s = pgs(st);
	int rc;

	if (s->rc)
		return s->rc;
	free_blobs(s);
	if (!s->executed) {
		rc = execute(s);
		if (rc != DB_ROW) {
			s->rc = rc;
			return rc;
		}
	}
	if (++s->row < PQntuples(s->res))
		return DB_ROW;
	s->rc = DB_DONE;
	return DB_DONE;
}

static int pg_column_count(struct db_stmt *st)
{
	struct pg_stmt *s = pgs(st);
	return s->res ? PQnfields(s->res) : 0;
}

static bool readable(struct pg_stmt *s, int col)
{
	return s->res && s->row >= 0 && s->row < PQntuples(s->res) && col >= 0 &&
	        col < PQnfields(s->res);
}

static bool pg_column_is_null(struct db_stmt *st, int col)
{
	struct pg_stmt *s = pgs(st);
	return !readable(s, col) || PQgetisnull(s->res, s->row, col);
}

static int64_t pg_column_int64(struct db_stmt *st, int col)
{
	struct pg_stmt *s = pgs(st);
	const char *v;
	int64_t n;

	if (pg_column_is_null(st, col))
		return 0;
	v = PQgetvalue(s->res, s->row, col);
	if (strcmp(v, "t") == 0) /* boolean */
		return 1;
	if (str_to_i64(str_from(v), INT64_MIN, INT64_MAX, &n) == 0)
		return n;
	return strtoll(v, NULL, 10); /* numeric "3.0" and the like */
}

static const char *pg_column_text(struct db_stmt *st, int col, size_t *len)
{
	struct pg_stmt *s = pgs(st);

	*len = 0;
	if (pg_column_is_null(st, col))
		return "";
	*len = (size_t)PQgetlength(s->res, s->row, col);
	return PQgetvalue(s->res, s->row, col);
}

static const void *pg_column_blob(struct db_stmt *st, int col, size_t *len)
{
	struct pg_stmt *s = pgs(st);

	*len = 0;
	if (pg_column_is_null(st, col))
		return "";
	if (PQftype(s->res, col) != BYTEAOID)
		return pg_column_text(st, col, len);
	if (!s->blobs) {
		s->blobs = calloc((size_t)PQnfields(s->res), sizeof(*s->blobs));
		if (!s->blobs)
			return "";
		s->nblobs = PQnfields(s->res);
	}
	if (!s->blobs[col].p) {
		/* Decoded once per row and column; the pointer must stay
		 * valid until the next step, even beside other columns. */
		const unsigned char *v = (const unsigned char *)PQgetvalue(s->res, s->row, col);
		s->blobs[col].p = PQunescapeBytea(v, &s->blobs[col].n);
		if (!s->blobs[col].p)
			return "";
	}
	*len = s->blobs[col].n;
	return s->blobs[col].p;
}

static void pg_finalize(struct db_stmt *st)
{
	struct pg_stmt *s = pgs(st);

	for (int i = 0; i < s->nparams; i++)
		free(s->vals[i]);
	free_blobs(s);
	PQclear(s->res);
	free(s);
}

static int pg_exec_script(struct db *db, const char *sql)
{
	PGTransactionStatusType before;
	PGresult *res;
	int rc = ready(db, false);

	if (rc < 0)
		return rc;
	before = PQtransactionStatus(pg(db)->conn);
	res = PQexec(pg(db)->conn, sql);
	switch (PQresultStatus(res)) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
	case PGRES_EMPTY_QUERY:
		rc = DB_OK;
		break;
	default:
		note_loss(pg(db), before);
		rc = fail_result(db, res, "script");
	}
	PQclear(res);
	return rc;
}

static int pg_last_id(struct db *db, int64_t *out)
{
	struct db_stmt *st;
	int rc = db_prepare(db, "SELECT lastval()", &st);

	if (rc < 0)
		return rc;
	rc = db_step(st);
	if (rc == DB_ROW) {
		*out = db_column_int64(st, 0);
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = db_set_error(db, DB_ERR, "postgresql: lastval() returned no row");
	}
	db_finalize(st);
	return rc;
}

static int pg_backup_to(struct db *db, const char *path)
{
	(void)path;
	return db_set_error(db, DB_EINVAL,
	                    "backup: not available on PostgreSQL; use pg_dump (and pg_restore)");
}

static int pg_restore_from(struct db *db, const char *path)
{
	(void)path;
	return db_set_error(db, DB_EINVAL,
	                    "restore: not available on PostgreSQL; use pg_restore (or psql)");
}

static const struct db_ops pg_ops = {
        .close = pg_close,
        .prepare = pg_prepare,
        .bind_int64 = pg_bind_int64,
        .bind_text = pg_bind_text,
        .bind_blob = pg_bind_blob,
        .bind_null = pg_bind_null,
        .step = pg_step,
        .column_count = pg_column_count,
        .column_is_null = pg_column_is_null,
        .column_int64 = pg_column_int64,
        .column_text = pg_column_text,
        .column_blob = pg_column_blob,
        .finalize = pg_finalize,
        .exec_script = pg_exec_script,
        .last_id = pg_last_id,
        .backup_to = pg_backup_to,
        .restore_from = pg_restore_from,
        .begin_write_sql = "BEGIN",
};

/* Server notices ("relation already exists, skipping", "there is no
 * transaction in progress") are expected chatter; libpq would print them
 * on stderr behind the logger's back. */
static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

int db_pg_open(const char *url, struct db **out, char *errbuf, size_t errlen)
{
	static const char *const keys[] = {"dbname", "fallback_application_name", NULL};
	const char *vals[] = {url, "csec", NULL};
	struct pg_db *d;
	char msg[512];
	PGresult *r;
	int rc = DB_ERR;

	d = calloc(1, sizeof(*d));
	if (!d) {
		if (errbuf && errlen)
			snprintf(errbuf, errlen, "postgresql: out of memory");
		return DB_ENOMEM;
	}
	d->base.ops = &pg_ops;
	d->base.dialect = DB_POSTGRES;
	const char *mode = getenv("CSEC_PG_STATEMENTS");
	if (mode && *mode && strcmp(mode, "prepared") != 0 && strcmp(mode, "unnamed") != 0) {
		if (errbuf && errlen)
			snprintf(errbuf, errlen,
			         "postgresql: CSEC_PG_STATEMENTS must be \"prepared\" or "
			         "\"unnamed\" (pgbouncer in transaction pooling)");
		free(d);
		return DB_EINVAL;
	}
	d->unnamed = mode && strcmp(mode, "unnamed") == 0;
	d->conn = PQconnectdbParams(keys, vals, 1);
	if (!d->conn) {
		rc = DB_ENOMEM;
		snprintf(msg, sizeof(msg), "postgresql: out of memory");
		goto out_fail;
	}
	if (PQstatus(d->conn) != CONNECTION_OK) {
		char text[400];
		copy_msg(text, sizeof(text), PQerrorMessage(d->conn));
		redact(text, sizeof(text), url);
		snprintf(msg, sizeof(msg), "postgresql: cannot connect: %s", text);
		goto out_fail;
	}
	PQsetNoticeProcessor(d->conn, quiet, NULL);
	if (PQsetClientEncoding(d->conn, "UTF8") != 0) {
		snprintf(msg, sizeof(msg), "postgresql: cannot set client_encoding to UTF8");
		goto out_fail;
	}
	r = PQexec(d->conn, "SET TIME ZONE 'UTC'; SET bytea_output = 'hex'");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		char text[400];
		copy_msg(text, sizeof(text), PQresultErrorMessage(r));
		redact(text, sizeof(text), url);
		snprintf(msg, sizeof(msg), "postgresql: session setup failed: %s", text);
		PQclear(r);
		goto out_fail;
	}
	PQclear(r);
	*out = &d->base;
	return DB_OK;

out_fail:
	if (errbuf && errlen)
		snprintf(errbuf, errlen, "%s", msg);
	PQfinish(d->conn);
	free(d);
	return rc;
}
