/* jobs/xapi.c — see xapi.h. In order: the actor's opaque name, the
 * statement builder, the settings, the claim/mark model, the POST (libcurl),
 * one round, the admin's queries (status, requeue, export), and the worker
 * thread. */
#include "jobs/xapi.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/net.h"
#include "core/str.h"
#include "db/db.h"
#include "db/pool.h"
#include "db/settings.h"
#include "jobs/worker.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define CONNECT_TIMEOUT 10L
#define REPLY_MAX 2048 /* bytes of the LRS's answer kept for last_error */
#define ERROR_MAX 300 /* bytes of last_error */
#define EXPORT_PAGE 500 /* events read per statement while exporting */

const char *xapi_strerror(int rc)
{
	switch (rc) {
	case 0:
		return "ok";
	case XAPI_ELOST:
		return "the claim on the batch was lost";
	case XAPI_ERETRY:
		return "the LRS could not be reached or is not working";
	case XAPI_EREJECT:
		return "the LRS refused the statements";
	case XAPI_EDUP:
		return "the LRS already has the statements";
	case XAPI_ECONFIG:
		return "the LRS settings are unusable";
	case XAPI_ECANCELED:
		return "stopped";
	case DB_ERETRY:
		return "store conflict (retry)";
	case DB_ENOMEM:
		return "out of memory";
	default:
		return rc < 0 ? "store error" : "error";
	}
}

/* ------------------------------------------------------------- the actor */

static uint8_t actor_key[CRYPTO_KEY_BYTES];

void xapi_init(const uint8_t master[CRYPTO_KEY_BYTES])
{
	crypto_derive_key(actor_key, master, "csec-xapi-actor-v1");
}

void xapi_actor_name_key(const uint8_t key[CRYPTO_KEY_BYTES], int64_t user_id,
                         char out[XAPI_ACTOR_LEN + 1])
{
	uint8_t mac[CRYPTO_HMAC_BYTES];
	char msg[40];
	int n = snprintf(msg, sizeof msg, "csec-user:%lld", (long long)user_id);

	crypto_hmac(mac, key, msg, (size_t)n);
	crypto_hex(out, mac, XAPI_ACTOR_LEN / 2);
}

void xapi_actor_name(int64_t user_id, char out[XAPI_ACTOR_LEN + 1])
{
	xapi_actor_name_key(actor_key, user_id, out);
}

/* --------------------------------------------------------- the statement */

static const char ADL_VERB[] = "http://adlnet.gov/expapi/verbs/";
static const char ADL_ACTIVITY[] = "http://adlnet.gov/expapi/activities/";

static const char *const verbs[] = {"launched", "experienced", "answered",
                                    "passed",   "failed",      "completed"};

/* object_type → the path under /courses/SLUG and the ADL activity type. */
static const struct {
	const char *type, *path, *activity;
} objects[] = {
        {"course", NULL, "course"},
        {"lesson", "/lessons/", "lesson"},
        {"question", "/questions/", "cmi.interaction"},
        {"scenario", "/scenarios/", "simulation"},
        {"test", "/test", "assessment"},
};

/* Appends s percent-encoded as one path segment (RFC 3986 unreserved
 * characters as they are). */
static void segment(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p))
			buf_putc(b, (char)*p);
		else
			buf_printf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
	}
}

/* {"objectType":"Activity","id":…,"definition":{"name":…,"type":…}};
 * name may be NULL or "" (then no name). */
static json_t *activity(const char *public_url, const char *slug, const char *path, const char *id,
                        const char *type, const char *name)
{
	struct buf b;
	char iri[64];
	json_t *def, *act;

	buf_init(&b, NULL, 4096);
	buf_printf(&b, "%s/courses/", public_url);
	segment(&b, slug);
	if (path) {
		buf_puts(&b, path);
		if (strcmp(path, "/test") != 0)
			segment(&b, id);
	}
	snprintf(iri, sizeof iri, "%s%s", ADL_ACTIVITY, type);
	def = json_pack("{s:s}", "type", iri);
	if (def && name && *name)
		json_object_set_new(def, "name", json_pack("{s:s}", "en-US", name));
	act = b.err || !def ? NULL
	                    : json_pack("{s:s, s:s%, s:o}", "objectType", "Activity", "id", b.data,
	                                b.len, "definition", def);
	if (!act)
		json_decref(def);
	buf_free(&b);
	return act;
}

/* The keys of result_json xAPI knows, with the right JSON types; NULL when
 * nothing usable is left. */
static json_t *result(const char *result_json)
{
	json_t *in, *out;

	if (!result_json || !*result_json)
		return NULL;
	in = json_loads(result_json, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(in)) {
		json_decref(in);
		return NULL;
	}
	out = json_object();
	json_t *v = json_object_get(in, "score");
	if (json_is_object(v)) {
		json_t *score = json_object();
		static const char *const parts[] = {"scaled", "raw", "min", "max"};
		for (size_t i = 0; i < 4; i++) {
			json_t *x = json_object_get(v, parts[i]);
			if (json_is_number(x))
				json_object_set(score, parts[i], x);
		}
		if (json_object_size(score))
			json_object_set_new(out, "score", score);
		else
			json_decref(score);
	}
	if (json_is_boolean(v = json_object_get(in, "success")))
		json_object_set(out, "success", v);
	if (json_is_boolean(v = json_object_get(in, "completion")))
		json_object_set(out, "completion", v);
	if (json_is_string(v = json_object_get(in, "response")))
		json_object_set(out, "response", v);
	if (json_is_string(v = json_object_get(in, "duration")))
		json_object_set(out, "duration", v);
	if (json_is_object(v = json_object_get(in, "extensions")))
		json_object_set(out, "extensions", v);
	json_decref(in);
	if (out && json_object_size(out) == 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}

json_t *xapi_statement(const struct xapi_event *ev, const char *public_url, const char *actor_name)
{
	const char *verb = NULL;
	size_t o;
	char verb_iri[64], stamp[32];
	struct tm tm;
	time_t t = (time_t)ev->created_at;

	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (strcmp(ev->verb, verbs[i]) == 0)
			verb = verbs[i];
	for (o = 0; o < sizeof objects / sizeof objects[0]; o++)
		if (strcmp(ev->object_type, objects[o].type) == 0)
			break;
	if (!verb || o == sizeof objects / sizeof objects[0] || !gmtime_r(&t, &tm))
		return NULL;
	snprintf(verb_iri, sizeof verb_iri, "%s%s", ADL_VERB, verb);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);

	json_t *object = activity(public_url, ev->course_slug, objects[o].path, ev->object_id,
	                          objects[o].activity, ev->object_name);
	json_t *st = json_pack("{s:s, s:{s:s, s:{s:s, s:s}}, s:{s:s, s:{s:s}}, s:o?, s:s}", "id",
	                       ev->statement_id, "actor", "objectType", "Agent", "account",
	                       "homePage", public_url, "name", actor_name, "verb", "id", verb_iri,
	                       "display", "en-US", verb, "object", object, "timestamp", stamp);
	if (!st || !object)
		goto fail;
	json_t *res = result(ev->result_json);
	if (res)
		json_object_set_new(st, "result", res);
	if (objects[o].path) { /* a part of the course: the course is its parent */
		json_t *course = activity(public_url, ev->course_slug, NULL, NULL, "course", NULL);
		json_t *ctx = course
		        ? json_pack("{s:{s:[o]}}", "contextActivities", "parent", course)
		        : NULL;
		if (!ctx || json_object_set_new(st, "context", ctx) != 0)
			goto fail;
	}
	return st;
fail:
	json_decref(st);
	return NULL;
}

/* -------------------------------------------------------------- settings */

int xapi_endpoint_check(const char *url, char *err, size_t errlen)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *user = NULL, *pass = NULL, *query = NULL, *frag = NULL;
	int rc = XAPI_ECONFIG;

	snprintf(err, errlen, "%s", "");
	if (!url || !*url || strlen(url) > XAPI_MAX_URL) {
		snprintf(err, errlen, "lrs.endpoint is empty or too long");
		return XAPI_ECONFIG;
	}
	u = curl_url();
	if (!u)
		return DB_ENOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		snprintf(err, errlen, "lrs.endpoint is not a URL");
		goto out;
	}
	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(u, CURLUPART_HOST, &host, 0);
	curl_url_get(u, CURLUPART_USER, &user, 0);
	curl_url_get(u, CURLUPART_PASSWORD, &pass, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0);
	bool https = scheme && strcasecmp(scheme, "https") == 0;
	if (!scheme || (!https && strcasecmp(scheme, "http") != 0)) {
		snprintf(err, errlen, "lrs.endpoint must start with https://");
		goto out;
	}
	const char *sep = strstr(url, "://");
	if (!host || !*host || !sep || sep[3] == '/') { /* curl reads https:///x as host x */
		snprintf(err, errlen, "lrs.endpoint has no host");
		goto out;
	}
	if (user || pass) {
		snprintf(err, errlen, "lrs.endpoint must not hold a user name or password");
		goto out;
	}
	if (query || frag) {
		snprintf(err, errlen, "lrs.endpoint must not hold a query or a fragment");
		goto out;
	}
	if (!https) {
		struct net_addr a;
		const char *h = host;
		size_t hl = strlen(h);
		if (hl > 2 && h[0] == '[') /* [::1] */
			h++, hl -= 2;
		bool loopback = strcasecmp(host, "localhost") == 0 ||
		        (net_addr_parse(h, hl, &a) == 0 && net_is_loopback(&a));
		if (!loopback) {
			snprintf(
			        err, errlen,
			        "lrs.endpoint must use https:// (plain http only to this machine)");
			goto out;
		}
	}
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(query);
	curl_free(frag);
	if (user)
		curl_free(user);
	if (pass) {
		crypto_wipe(pass, strlen(pass));
		curl_free(pass);
	}
	curl_url_cleanup(u);
	return rc;
}

int xapi_config_load(struct db *db, struct arena *a, const char *public_url,
                     struct xapi_config *cfg, char *err, size_t errlen)
{
	const char *endpoint, *user, *password;
	int rc;

	memset(cfg, 0, sizeof *cfg);
	if ((rc = db_setting_get(db, a, "lrs.endpoint", &endpoint)) != DB_OK ||
	    (rc = db_setting_get(db, a, "lrs.user", &user)) != DB_OK ||
	    (rc = db_setting_get(db, a, "lrs.password", &password)) != DB_OK)
		return rc;
	struct str e = str_trim(str_from(endpoint ? endpoint : ""));
	while (e.len && e.p[e.len - 1] == '/')
		e.len--;
	cfg->endpoint = arena_strndup(a, e.p, e.len);
	cfg->user = user ? user : "";
	cfg->password = password ? password : "";
	cfg->public_url = public_url ? public_url : "";
	cfg->timeout_seconds = XAPI_TIMEOUT;
	if (!cfg->endpoint)
		return DB_ENOMEM;
	if (*cfg->endpoint)
		return xapi_endpoint_check(cfg->endpoint, err, errlen);
	return 0;
}

/* ----------------------------------------------------------------- model */

int64_t xapi_backoff(int attempts)
{
	int64_t s = XAPI_BACKOFF_FIRST;

	for (int i = 1; i < attempts && s < XAPI_BACKOFF_MAX; i++)
		s *= 2;
	return s < XAPI_BACKOFF_MAX ? s : XAPI_BACKOFF_MAX;
}

/* Candidates: due queued events, and sending ones whose lease
 * (next_attempt_at = claimed_until) ran out. */
#define CLAIM_SET                                                                                  \
	"UPDATE learning_events SET status = 'sending', attempts = attempts + 1, "                 \
	"claimed_by = $2, claimed_until = $3, next_attempt_at = $3 "                               \
	"WHERE id IN (SELECT id FROM learning_events WHERE status IN ('queued', 'sending') AND "   \
	"next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $4"
#define CLAIM_RETURNING                                                                            \
	") RETURNING id, attempts, statement_id, created_at, user_id, course_slug, verb, "         \
	"object_type, object_id, object_name, result_json"

static const char claim_sqlite[] = CLAIM_SET CLAIM_RETURNING;
static const char claim_pg[] = CLAIM_SET " FOR UPDATE SKIP LOCKED" CLAIM_RETURNING;

static const char *col_dup(struct arena *a, struct db_stmt *st, int col)
{
	size_t n;
	const char *v = db_column_text(st, col, &n);
	return arena_strndup(a, v ? v : "", v ? n : 0);
}

/* Reads the event columns from col on (as CLAIM_RETURNING and the export
 * select them, after id and attempts). */
static int read_event(struct arena *a, struct db_stmt *st, int col, struct xapi_event *e)
{
	e->statement_id = col_dup(a, st, col);
	e->created_at = db_column_int64(st, col + 1);
	e->user_id = db_column_int64(st, col + 2);
	e->course_slug = col_dup(a, st, col + 3);
	e->verb = col_dup(a, st, col + 4);
	e->object_type = col_dup(a, st, col + 5);
	e->object_id = col_dup(a, st, col + 6);
	e->object_name = col_dup(a, st, col + 7);
	e->result_json = db_column_is_null(st, col + 8) ? NULL : col_dup(a, st, col + 8);
	bool oom = !e->statement_id || !e->course_slug || !e->verb || !e->object_type ||
	        !e->object_id || !e->object_name ||
	        (!db_column_is_null(st, col + 8) && !e->result_json);
	return oom ? DB_ENOMEM : DB_OK;
}

static int by_id(const void *x, const void *y)
{
	const struct xapi_event *a = x, *b = y;
	return a->id < b->id ? -1 : a->id > b->id;
}

int xapi_claim_batch(struct db *db, struct arena *a, const char *claim, int64_t now, int max,
                     struct xapi_event *out, int *n)
{
	struct db_stmt *st = NULL;
	int rc;

	*n = 0;
	if (max <= 0)
		return DB_OK;
	if (max > XAPI_BATCH)
		max = XAPI_BATCH;
	rc = db_begin_write(db);
	if (rc != DB_OK)
		return rc;
	rc = db_prepare(db, db_dialect(db) == DB_POSTGRES ? claim_pg : claim_sqlite, &st);
	if (rc == DB_OK && (rc = db_bind_int64(st, 1, now)) == DB_OK &&
	    (rc = db_bind_text(st, 2, claim, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 3, now + XAPI_CLAIM_SECONDS)) == DB_OK)
		rc = db_bind_int64(st, 4, max);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		if (*n >= max) { /* NEVER: the LIMIT holds */
			rc = DB_ERR;
			break;
		}
		struct xapi_event *e = &out[(*n)++];
		e->id = db_column_int64(st, 0);
		e->attempts = (int)db_column_int64(st, 1);
		rc = read_event(a, st, 2, e);
	}
	db_finalize(st);
	if (rc == DB_DONE)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		*n = 0;
		return rc;
	}
	qsort(out, (size_t)*n, sizeof *out, by_id);
	return DB_OK;
}

/* Steps an UPDATE ... RETURNING id to its end: *n rows changed. */
static int count_rows(struct db_stmt *st, int rc, int *n)
{
	int k = 0;
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		k++;
		rc = DB_OK;
	}
	db_finalize(st);
	if (n)
		*n = k;
	return rc == DB_DONE ? DB_OK : rc;
}

int xapi_mark_sent(struct db *db, const char *claim, int64_t now, int *n)
{
	static const char sql[] =
	        "UPDATE learning_events SET status = 'sent', sent_at = $2, claimed_by = NULL, "
	        "claimed_until = NULL, last_error = NULL "
	        "WHERE claimed_by = $1 AND status = 'sending' RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);

	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, claim, (size_t)-1)) == DB_OK)
		rc = db_bind_int64(st, 2, now);
	return count_rows(st, rc, n);
}

int xapi_mark_failed(struct db *db, const char *claim, int64_t now, int attempts, bool hold,
                     const char *error)
{
	static const char sql[] =
	        "UPDATE learning_events SET status = $2, next_attempt_at = $3, last_error = $4, "
	        "claimed_by = NULL, claimed_until = NULL "
	        "WHERE claimed_by = $1 AND status = 'sending' RETURNING id";
	char why[ERROR_MAX + 1];
	size_t n = 0;
	struct db_stmt *st;

	/* The LRS's answer is untrusted text: printable ASCII only. */
	for (const char *p = error ? error : ""; *p && n < ERROR_MAX; p++)
		why[n++] = *p >= 0x20 && *p < 0x7f ? *p : '?';
	why[n] = '\0';
	int rc = db_prepare(db, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, claim, (size_t)-1)) == DB_OK &&
	    (rc = db_bind_text(st, 2, hold ? "held" : "queued", (size_t)-1)) == DB_OK &&
	    (rc = db_bind_int64(st, 3, hold ? now : now + xapi_backoff(attempts))) == DB_OK)
		rc = db_bind_text(st, 4, why, n);
	return count_rows(st, rc, NULL);
}

int xapi_release(struct db *db, const char *claim, int64_t now)
{
	static const char sql[] =
	        "UPDATE learning_events SET status = 'queued', attempts = attempts - 1, "
	        "next_attempt_at = $2, claimed_by = NULL, claimed_until = NULL "
	        "WHERE claimed_by = $1 AND status = 'sending' RETURNING id";
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);

	if (rc != DB_OK)
		return rc;
	if ((rc = db_bind_text(st, 1, claim, (size_t)-1)) == DB_OK)
		rc = db_bind_int64(st, 2, now);
	return count_rows(st, rc, NULL);
}

/* ------------------------------------------------------------------ POST */

static pthread_once_t once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct sink {
	char data[REPLY_MAX + 1];
	size_t len;
};

static size_t write_cb(char *p, size_t size, size_t nmemb, void *ud)
{
	struct sink *s = ud;
	size_t n = size * nmemb, room = REPLY_MAX - s->len;

	memcpy(s->data + s->len, p, n < room ? n : room);
	s->len += n < room ? n : room;
	s->data[s->len] = '\0';
	return n; /* the rest is read and dropped */
}

static int progress_cb(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
	const atomic_bool *stop = ud;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return stop && atomic_load(stop) ? 1 : 0;
}

/* true when the LRS's answer says it already has a statement: it names the
 * id (when given) and says so in words LRSs use. */
static bool says_duplicate(const char *reply, const char *id)
{
	if (id && !strcasestr(reply, id))
		return false;
	return strcasestr(reply, "exist") || strcasestr(reply, "already") ||
	        strcasestr(reply, "duplicate") || strcasestr(reply, "conflict");
}

int xapi_post(const struct xapi_config *cfg, const char *body, size_t len, int n,
              const char *first_id, long *status, char *err, size_t errlen)
{
	struct sink reply = {.len = 0};
	struct curl_slist *hdr = NULL;
	char cerr[CURL_ERROR_SIZE] = "";
	CURL *c = NULL;
	CURLcode cc;
	long code = 0;
	int rc = xapi_endpoint_check(cfg->endpoint, err, errlen);

	*status = 0;
	if (rc != 0)
		return rc;
	pthread_once(&once, global_init);
	if (global_rc != CURLE_OK) {
		snprintf(err, errlen, "libcurl failed to start");
		return XAPI_ERETRY;
	}
	size_t url_len = strlen(cfg->endpoint) + sizeof "/statements";
	char *url = malloc(url_len);
	c = curl_easy_init();
	hdr = curl_slist_append(NULL, "Content-Type: application/json");
	if (hdr)
		hdr = curl_slist_append(hdr, "X-Experience-API-Version: 1.0.3");
	if (hdr)
		hdr = curl_slist_append(hdr, "Expect:"); /* no 100-continue round trip */
	if (!url || !c || !hdr) {
		snprintf(err, errlen, "out of memory");
		rc = XAPI_ERETRY;
		goto out;
	}
	snprintf(url, url_len, "%s/statements", cfg->endpoint);
	long timeout = cfg->timeout_seconds > 0 ? cfg->timeout_seconds : XAPI_TIMEOUT;
	cc = curl_easy_setopt(c, CURLOPT_URL, url);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	if (cc == CURLE_OK) /* a redirect must not carry the password elsewhere */
		cc = curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	if (cc == CURLE_OK) /* libcurl's defaults, said aloud: TLS is verified */
		cc = curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_USERNAME, cfg->user ? cfg->user : "");
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->password ? cfg->password : "");
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply);
	if (cc == CURLE_OK) /* threads: no SIGALRM for DNS timeouts */
		cc = curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
		                      timeout < CONNECT_TIMEOUT ? timeout : CONNECT_TIMEOUT);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)(uintptr_t)cfg->stop);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	if (cc != CURLE_OK) {
		snprintf(err, errlen, "libcurl refused an option: %s", curl_easy_strerror(cc));
		rc = XAPI_ECONFIG;
		goto out;
	}
	cc = curl_easy_perform(c);
	if (cc == CURLE_ABORTED_BY_CALLBACK) {
		snprintf(err, errlen, "stopped: the server is shutting down");
		rc = XAPI_ECANCELED;
		goto out;
	}
	if (cc != CURLE_OK) {
		snprintf(err, errlen, "%s", cerr[0] ? cerr : curl_easy_strerror(cc));
		rc = XAPI_ERETRY;
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	*status = code;
	if (code >= 200 && code < 300) {
		rc = 0;
		goto out;
	}
	snprintf(err, errlen, "HTTP %ld: %.200s", code, reply.data);
	if (code == 409 || (code == 400 && says_duplicate(reply.data, n == 1 ? first_id : NULL)))
		rc = XAPI_EDUP;
	else if (code >= 400 && code < 500 && code != 401 && code != 403 && code != 404 &&
	         code != 407 && code != 408 && code != 429)
		rc = XAPI_EREJECT;
	else
		rc = XAPI_ERETRY;
out:
	crypto_wipe(reply.data, reply.len);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	free(url);
	return rc;
}

/* ------------------------------------------------------------- one round */

int xapi_process_due(struct db *db, const struct xapi_config *cfg, const char *claim, int64_t now,
                     int max, int *singles, bool *down)
{
	struct xapi_event evs[XAPI_BATCH];
	struct arena *a = arena_create(0);
	char err[400] = "", actor[XAPI_ACTOR_LEN + 1];
	int n = 0, rc, attempts = 0;
	long status = 0;

	if (down)
		*down = false;
	if (!a)
		return DB_ENOMEM;
	if (*singles > 0)
		max = 1;
	rc = xapi_claim_batch(db, a, claim, now, max, evs, &n);
	if (rc != DB_OK || n == 0) {
		arena_destroy(a);
		return rc != DB_OK ? rc : 0;
	}
	json_t *batch = json_array();
	for (int i = 0; batch && i < n; i++) {
		xapi_actor_name(evs[i].user_id, actor);
		json_t *st = xapi_statement(&evs[i], cfg->public_url, actor);
		if (!st || json_array_append_new(batch, st) != 0) {
			json_decref(batch);
			batch = NULL;
		}
		if (evs[i].attempts > attempts)
			attempts = evs[i].attempts;
	}
	char *body = batch ? json_dumps(batch, JSON_COMPACT) : NULL;
	json_decref(batch);
	if (!body) {
		rc = XAPI_ERETRY;
		snprintf(err, sizeof err, "cannot build the statements (out of memory)");
	} else if (cfg->stop && atomic_load(cfg->stop)) {
		rc = XAPI_ECANCELED;
	} else {
		rc = xapi_post(cfg, body, strlen(body), n, evs[0].statement_id, &status, err,
		               sizeof err);
	}
	free(body);

	int64_t first = evs[0].id, last = evs[n - 1].id;
	int done = 0, db_rc = DB_OK;
	if (rc == 0 || (rc == XAPI_EDUP && n == 1)) {
		db_rc = xapi_mark_sent(db, claim, now, &done);
		log_msg(LOG_INFO, "xapi: events %lld-%lld sent (%d statements, attempt %d)%s%s",
		        (long long)first, (long long)last, n, attempts,
		        rc == XAPI_EDUP ? ", the LRS already had it" : "",
		        done < n ? ", but a claim had been lost" : "");
	} else if (rc == XAPI_ECANCELED) {
		db_rc = xapi_release(db, claim, now);
	} else if ((rc == XAPI_EDUP || rc == XAPI_EREJECT) && n > 1) {
		/* Which one? Back untried, then one statement per POST. */
		db_rc = xapi_release(db, claim, now);
		*singles = n;
		log_msg(LOG_WARN, "xapi: events %lld-%lld: HTTP %ld (%s); sending them one by one",
		        (long long)first, (long long)last, status, xapi_strerror(rc));
	} else {
		bool hold = rc == XAPI_EREJECT && attempts >= XAPI_REJECT_TRIES;
		if (down && rc != XAPI_EREJECT)
			*down = true;
		db_rc = xapi_mark_failed(db, claim, now, attempts, hold, err);
		if (hold)
			log_msg(LOG_ERROR,
			        "xapi: event %lld (statement %s) refused by the LRS (HTTP %ld), "
			        "attempt %d: held until a site admin queues it again",
			        (long long)first, evs[0].statement_id, status, attempts);
		else if (status) /* an LRS's answer might echo a statement: not logged */
			log_msg(LOG_WARN,
			        "xapi: events %lld-%lld: attempt %d failed (%s, HTTP %ld); next in "
			        "%lld s",
			        (long long)first, (long long)last, attempts, xapi_strerror(rc),
			        status, (long long)xapi_backoff(attempts));
		else /* curl's reason: the host, never a statement or the password */
			log_msg(LOG_WARN,
			        "xapi: events %lld-%lld: attempt %d failed (%s: %s); next in %lld "
			        "s",
			        (long long)first, (long long)last, attempts, xapi_strerror(rc), err,
			        (long long)xapi_backoff(attempts));
	}
	if (db_rc != DB_OK)
		log_msg(LOG_ERROR, "xapi: events %lld-%lld: cannot record the outcome: %s",
		        (long long)first, (long long)last, db_errmsg(db));
	if (*singles > 0 && n == 1 && rc != XAPI_ECANCELED)
		(*singles)--;
	arena_destroy(a);
	return n;
}

/* ------------------------------------------------------ the admin's view */

int xapi_status_read(struct db *db, struct arena *a, struct xapi_status *s)
{
	static const char counts[] =
	        "SELECT status, COUNT(*), MAX(sent_at), MIN(next_attempt_at) FROM learning_events "
	        "GROUP BY status";
	static const char error[] =
	        "SELECT last_error FROM learning_events WHERE status IN ('queued', 'held') AND "
	        "last_error IS NOT NULL ORDER BY id DESC LIMIT 1";
	struct db_stmt *st;
	int rc;

	memset(s, 0, sizeof *s);
	if ((rc = db_prepare(db, counts, &st)) != DB_OK)
		return rc;
	while ((rc = db_step(st)) == DB_ROW) {
		size_t len;
		const char *k = db_column_text(st, 0, &len);
		int64_t c = db_column_int64(st, 1);
		if (strcmp(k, "queued") == 0) {
			s->queued = c;
			s->next_attempt_at = db_column_int64(st, 3);
		} else if (strcmp(k, "sending") == 0) {
			s->sending = c;
		} else if (strcmp(k, "sent") == 0) {
			s->sent = c;
			s->last_sent_at = db_column_int64(st, 2);
		} else if (strcmp(k, "held") == 0) {
			s->held = c;
		}
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return rc;
	if ((rc = db_prepare(db, error, &st)) != DB_OK)
		return rc;
	rc = db_step(st);
	if (rc == DB_ROW) {
		s->last_error = col_dup(a, st, 0);
		rc = s->last_error ? DB_DONE : DB_ENOMEM;
	}
	db_finalize(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int xapi_requeue(struct db *db, int64_t now, int64_t *n)
{
	static const char sql[] =
	        "UPDATE learning_events SET next_attempt_at = $1, "
	        "attempts = CASE WHEN status = 'held' THEN 0 ELSE attempts END, "
	        "status = 'queued' WHERE status = 'held' OR (status = 'queued' AND "
	        "next_attempt_at > $1) RETURNING id";
	struct db_stmt *st;
	int k = 0, rc = db_prepare(db, sql, &st);

	if (rc != DB_OK)
		return rc;
	rc = count_rows(st, db_bind_int64(st, 1, now), &k);
	if (n)
		*n = k;
	return rc;
}

int xapi_export(struct db *db, const char *public_url, int64_t from, int64_t to, int64_t after,
                int64_t max, struct buf *out, int64_t *count, int64_t *last, bool *more)
{
	static const char sql[] =
	        "SELECT id, statement_id, created_at, user_id, course_slug, verb, object_type, "
	        "object_id, object_name, result_json FROM learning_events "
	        "WHERE id > $1 AND created_at >= $2 AND created_at < $3 ORDER BY id LIMIT $4";
	char actor[XAPI_ACTOR_LEN + 1];
	int rc = DB_OK;

	*count = 0;
	*last = after;
	*more = false;
	if (to <= 0)
		to = INT64_MAX;
	while (rc == DB_OK && *count < max) {
		struct arena *a = arena_create(0);
		struct db_stmt *st = NULL;
		int64_t page = max - *count < EXPORT_PAGE ? max - *count : EXPORT_PAGE, got = 0;
		if (!a)
			return DB_ENOMEM;
		rc = db_prepare(db, sql, &st);
		if (rc == DB_OK && (rc = db_bind_int64(st, 1, *last)) == DB_OK &&
		    (rc = db_bind_int64(st, 2, from)) == DB_OK &&
		    (rc = db_bind_int64(st, 3, to)) == DB_OK)
			rc = db_bind_int64(st, 4, page + 1); /* one more: are there more? */
		while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
			struct xapi_event e = {.id = db_column_int64(st, 0)};
			rc = DB_OK;
			if (got == page || *count >= max) {
				*more = true;
				break;
			}
			if ((rc = read_event(a, st, 1, &e)) != DB_OK)
				break;
			xapi_actor_name(e.user_id, actor);
			json_t *j = xapi_statement(&e, public_url, actor);
			char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
			json_decref(j);
			if (!s) {
				rc = DB_ENOMEM;
				break;
			}
			size_t before = out->len;
			if (*count)
				buf_putc(out, ',');
			buf_puts(out, s);
			free(s);
			if (out->err) { /* the cap: stop before this one */
				out->len = before;
				out->err = 0;
				*more = true;
				break;
			}
			*last = e.id;
			(*count)++;
			got++;
		}
		db_finalize(st);
		arena_destroy(a);
		if (rc == DB_DONE)
			rc = DB_OK;
		if (rc != DB_OK || *more || got < page)
			break;
	}
	if (rc == DB_OK && !*more && *count >= max) {
		/* Stopped at max: say whether anything is left. */
		struct db_stmt *st;
		if ((rc = db_prepare(db, sql, &st)) == DB_OK) {
			if ((rc = db_bind_int64(st, 1, *last)) == DB_OK &&
			    (rc = db_bind_int64(st, 2, from)) == DB_OK &&
			    (rc = db_bind_int64(st, 3, to)) == DB_OK)
				rc = db_bind_int64(st, 4, 1);
			if (rc == DB_OK)
				rc = db_step(st);
			*more = rc == DB_ROW;
			rc = rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
			db_finalize(st);
		}
	}
	return rc;
}

/* ---------------------------------------------------------------- worker */

static bool round_once(void);
static void forget_url(void);

static struct job_worker W = JOB_WORKER_INIT("xapi", XAPI_POLL_SECONDS, round_once, forget_url);
static char *public_url_kept; /* under W.mu while it starts or stops */
static uint64_t seq; /* claims made: the claim id's last part (the worker's thread only) */
static int singles; /* rounds left sending one statement per POST (likewise) */

/* One round; true when more may be due at once. */
static bool round_once(void)
{
	struct db *db = db_pool_get();
	struct xapi_config cfg;
	char err[300] = "", msg[400], claim[160];
	bool more = false;

	if (!db) {
		snprintf(msg, sizeof msg, "cannot reach the store: %s", db_pool_errmsg());
		job_worker_report(&W, msg);
		return false;
	}
	struct arena *a = arena_create(0);
	if (!a)
		return false;
	int rc = xapi_config_load(db, a, public_url_kept, &cfg, err, sizeof err);
	if (rc == XAPI_ECONFIG) {
		snprintf(msg, sizeof msg, "statements are not being sent: %s", err);
		job_worker_report(&W, msg);
	} else if (rc != 0) {
		snprintf(msg, sizeof msg, "cannot read the settings: %s", db_errmsg(db));
		job_worker_report(&W, msg);
	} else if (*cfg.endpoint) { /* no LRS: the events wait */
		cfg.stop = &W.stop;
		snprintf(claim, sizeof claim, "%s:%llu", W.id, (unsigned long long)++seq);
		int max = singles > 0 ? 1 : XAPI_BATCH;
		bool down = false;
		int n = xapi_process_due(db, &cfg, claim, (int64_t)time(NULL), max, &singles,
		                         &down);
		if (n < 0 && n != DB_ERETRY) {
			snprintf(msg, sizeof msg, "cannot claim events: %s", db_errmsg(db));
			job_worker_report(&W, msg);
		} else {
			job_worker_report(&W, NULL);
			/* A full batch, or a split one: more may be due now. Not
			 * when the LRS is down: the next batch would fail too. */
			more = !down && (n >= max || (n > 0 && singles > 0));
		}
	}
	arena_destroy(a);
	return more;
}

static void forget_url(void)
{
	free(public_url_kept);
	public_url_kept = NULL;
}

static int keep_url(void *arg)
{
	const char *public_url = *(const char **)arg;
	seq = 0;
	singles = 0;
	public_url_kept = strdup(public_url ? public_url : "");
	return public_url_kept ? 0 : -1;
}

int xapi_worker_start(const char *public_url)
{
	return job_worker_start(&W, keep_url, &public_url);
}

void xapi_kick(void)
{
	job_worker_kick(&W);
}

void xapi_worker_stop(void)
{
	job_worker_stop(&W);
}
