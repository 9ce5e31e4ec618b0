/* tests/unit/test_xapi.c — xAPI delivery (jobs/xapi.h): the statement
 * builder, the actor's opaque name, the backoff, the endpoint check, the
 * POST's reading of an LRS's answers (against a one-shot HTTP responder in
 * a thread of this test), and the claim/mark model with the admin's
 * queries on SQLite, always, and on PostgreSQL when CSEC_TEST_PG_URL names
 * a server (scripts/with-pg). Run everything with
 *   scripts/with-pg build/tests/test_xapi */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "db/db.h"
#include "db/migrate.h"
#include "db/settings.h"
#include "jobs/xapi.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "store_helpers.h"

#define T0 1700000000 /* 2023-11-14T22:13:20Z */
#define HOME "https://portal.example.org"

/* ------------------------------------------------------------ statements */

static struct xapi_event event(const char *verb, const char *type, const char *id, const char *name,
                               const char *result)
{
	return (struct xapi_event){
	        .id = 1,
	        .statement_id = "5e0c2a4e-8f7b-4c1d-9a3e-2b6f0d1c7a55",
	        .created_at = T0,
	        .user_id = 42,
	        .course_slug = "frontline",
	        .verb = verb,
	        .object_type = type,
	        .object_id = id,
	        .object_name = name,
	        .result_json = result,
	};
}

static const char *str_at(json_t *j, const char *path)
{
	char buf[200];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && j;
	     k = strtok_r(NULL, ".", &save))
		j = json_is_array(j) ? json_array_get(j, strtoul(k, NULL, 10))
		                     : json_object_get(j, k);
	return json_string_value(j);
}

static void test_statement_lesson(void **state)
{
	(void)state;
	struct xapi_event e = event("experienced", "lesson", "indicators", "Indicators", NULL);
	json_t *s = xapi_statement(&e, HOME, "00112233445566778899aabbccddeeff");

	assert_non_null(s);
	assert_string_equal(str_at(s, "id"), e.statement_id);
	assert_string_equal(str_at(s, "actor.objectType"), "Agent");
	assert_string_equal(str_at(s, "actor.account.homePage"), HOME);
	assert_string_equal(str_at(s, "actor.account.name"), "00112233445566778899aabbccddeeff");
	assert_int_equal(json_object_size(json_object_get(s, "actor")), 2); /* no name, no mbox */
	assert_string_equal(str_at(s, "verb.id"), "http://adlnet.gov/expapi/verbs/experienced");
	assert_string_equal(str_at(s, "verb.display.en-US"), "experienced");
	assert_string_equal(str_at(s, "object.objectType"), "Activity");
	assert_string_equal(str_at(s, "object.id"), HOME "/courses/frontline/lessons/indicators");
	assert_string_equal(str_at(s, "object.definition.type"),
	                    "http://adlnet.gov/expapi/activities/lesson");
	assert_string_equal(str_at(s, "object.definition.name.en-US"), "Indicators");
	assert_string_equal(str_at(s, "context.contextActivities.parent.0.id"),
	                    HOME "/courses/frontline");
	assert_string_equal(str_at(s, "context.contextActivities.parent.0.definition.type"),
	                    "http://adlnet.gov/expapi/activities/course");
	assert_string_equal(str_at(s, "timestamp"), "2023-11-14T22:13:20Z");
	assert_null(json_object_get(s, "result"));
	json_decref(s);
}

static void test_statement_objects(void **state)
{
	(void)state;
	static const struct {
		const char *type, *id, *iri, *activity;
	} cases[] = {
	        {"course", "frontline", HOME "/courses/frontline", "course"},
	        {"question", "q 7/é", HOME "/courses/frontline/questions/q%207%2F%C3%A9",
	         "cmi.interaction"},
	        {"scenario", "hotel", HOME "/courses/frontline/scenarios/hotel", "simulation"},
	        {"test", "final", HOME "/courses/frontline/test", "assessment"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct xapi_event e = event("answered", cases[i].type, cases[i].id, "", NULL);
		json_t *s = xapi_statement(&e, HOME, "ab");
		char type[100];
		assert_non_null(s);
		assert_string_equal(str_at(s, "object.id"), cases[i].iri);
		snprintf(type, sizeof type, "http://adlnet.gov/expapi/activities/%s",
		         cases[i].activity);
		assert_string_equal(str_at(s, "object.definition.type"), type);
		/* no name when the event has none; no parent for the course */
		assert_null(json_object_get(
		        json_object_get(json_object_get(s, "object"), "definition"), "name"));
		if (strcmp(cases[i].type, "course") == 0)
			assert_null(json_object_get(s, "context"));
		else
			assert_non_null(json_object_get(s, "context"));
		json_decref(s);
	}
	/* Unknown verbs and object types build nothing. */
	struct xapi_event bad = event("liked", "lesson", "x", "", NULL);
	assert_null(xapi_statement(&bad, HOME, "ab"));
	bad = event("passed", "module", "x", "", NULL);
	assert_null(xapi_statement(&bad, HOME, "ab"));
}

static void test_statement_result(void **state)
{
	(void)state;
	struct xapi_event e =
	        event("passed", "test", "final", "Final test",
	              "{\"score\":{\"scaled\":0.9,\"raw\":18,\"min\":0,\"max\":20,\"bogus\":1},"
	              "\"success\":true,\"completion\":true,\"duration\":\"PT3M\","
	              "\"response\":\"b\",\"learner\":\"Jane Doe\",\"extensions\":{}}");
	json_t *s = xapi_statement(&e, HOME, "ab");
	json_t *r = json_object_get(s, "result");
	json_t *want = json_loads("{\"score\":{\"scaled\":0.9,\"raw\":18,\"min\":0,\"max\":20},"
	                          "\"success\":true,\"completion\":true,\"duration\":\"PT3M\","
	                          "\"response\":\"b\",\"extensions\":{}}",
	                          0, NULL);
	assert_true(json_equal(r, want)); /* only xAPI's keys, with xAPI's types */
	json_decref(want);
	json_decref(s);

	/* Not an object, or nothing usable: no result at all. */
	const char *bad[] = {"[1,2]", "not json", "{\"learner\":\"x\"}", "{\"success\":\"yes\"}",
	                     ""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		e = event("passed", "test", "final", "", bad[i]);
		s = xapi_statement(&e, HOME, "ab");
		assert_non_null(s);
		assert_null(json_object_get(s, "result"));
		json_decref(s);
	}
}

static void test_actor_name(void **state)
{
	(void)state;
	uint8_t k1[CRYPTO_KEY_BYTES], k2[CRYPTO_KEY_BYTES];
	char a[XAPI_ACTOR_LEN + 1], b[XAPI_ACTOR_LEN + 1], c[XAPI_ACTOR_LEN + 1],
	        d[XAPI_ACTOR_LEN + 1];

	memset(k1, 1, sizeof k1);
	memset(k2, 2, sizeof k2);
	xapi_actor_name_key(k1, 42, a);
	xapi_actor_name_key(k1, 42, b);
	xapi_actor_name_key(k1, 43, c);
	xapi_actor_name_key(k2, 42, d);
	assert_int_equal(strlen(a), XAPI_ACTOR_LEN);
	assert_int_equal(strspn(a, "0123456789abcdef"), XAPI_ACTOR_LEN);
	assert_string_equal(a, b); /* stable */
	assert_string_not_equal(a, c); /* per user */
	assert_string_not_equal(a, d); /* per deployment */

	/* xapi_init derives a key of its own: not the master used raw. */
	xapi_init(k1);
	xapi_actor_name(42, b);
	assert_string_not_equal(a, b);
	xapi_actor_name(42, c);
	assert_string_equal(b, c);
}

static void test_backoff(void **state)
{
	(void)state;
	assert_int_equal(xapi_backoff(1), 30);
	assert_int_equal(xapi_backoff(2), 60);
	assert_int_equal(xapi_backoff(3), 120);
	assert_int_equal(xapi_backoff(7), 1920);
	assert_int_equal(xapi_backoff(8), XAPI_BACKOFF_MAX);
	assert_int_equal(xapi_backoff(1000), XAPI_BACKOFF_MAX);
}

static void test_endpoint_check(void **state)
{
	(void)state;
	char err[200];
	const char *good[] = {"https://lrs.example.org/xapi", "https://lrs.example.org:8443/",
	                      "http://127.0.0.1:8080/xapi", "http://localhost/lrs",
	                      "http://[::1]:9000/xapi"};
	const char *bad[] = {"",
	                     "lrs.example.org/xapi",
	                     "ftp://lrs.example.org/",
	                     "http://lrs.example.org/xapi",
	                     "http://10.0.0.5/xapi",
	                     "https://key:secret@lrs.example.org/xapi",
	                     "https://key@lrs.example.org/xapi",
	                     "https://lrs.example.org/xapi?tenant=1",
	                     "https://lrs.example.org/xapi#x",
	                     "https:///xapi"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (xapi_endpoint_check(good[i], err, sizeof err) != 0)
			fail_msg("%s refused: %s", good[i], err);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (xapi_endpoint_check(bad[i], err, sizeof err) != XAPI_ECONFIG)
			fail_msg("%s accepted", bad[i]);
		assert_true(err[0]);
		assert_null(strstr(err, "secret"));
	}
}

/* ------------------------------------------------- the POST, to a responder */

/* Accepts one connection, reads the request (headers and a body of
 * Content-Length bytes), keeps it, and answers with status and body. */
static struct {
	int fd;
	int port;
	int status;
	const char *body;
	char request[8192];
	pthread_t thread;
} R;

static void *respond(void *arg)
{
	(void)arg;
	int c = accept(R.fd, NULL, NULL);
	size_t n = 0;
	if (c < 0)
		return NULL;
	for (;;) {
		ssize_t k = read(c, R.request + n, sizeof R.request - 1 - n);
		if (k <= 0)
			break;
		n += (size_t)k;
		R.request[n] = '\0';
		char *end = strstr(R.request, "\r\n\r\n");
		const char *cl = strcasestr(R.request, "content-length:");
		if (end && cl && n >= (size_t)(end + 4 - R.request) + strtoul(cl + 15, NULL, 10))
			break;
	}
	char head[200];
	int len = snprintf(head, sizeof head,
	                   "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
	                   "Content-Length: %zu\r\nConnection: close\r\n\r\n",
	                   R.status, strlen(R.body));
	if (write(c, head, (size_t)len) < 0 || write(c, R.body, strlen(R.body)) < 0)
		fail_msg("responder write");
	close(c);
	return NULL;
}

static void responder(int status, const char *body)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	int one = 1;

	R.fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(R.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	assert_int_equal(bind(R.fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(R.fd, 1), 0);
	getsockname(R.fd, (struct sockaddr *)&a, &al);
	R.port = ntohs(a.sin_port);
	R.status = status;
	R.body = body;
	R.request[0] = '\0';
	pthread_create(&R.thread, NULL, respond, NULL);
}

static int post_to_responder(int status, const char *body, int n, char *err, size_t errlen)
{
	char url[100];
	long got = 0;
	responder(status, body);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/xapi", R.port);
	struct xapi_config cfg = {.endpoint = url,
	                          .user = "key",
	                          .password = "s3cret pw",
	                          .public_url = HOME,
	                          .timeout_seconds = 5};
	const char *statements = "[{\"id\":\"5e0c2a4e-8f7b-4c1d-9a3e-2b6f0d1c7a55\"}]";
	int rc = xapi_post(&cfg, statements, strlen(statements), n,
	                   "5e0c2a4e-8f7b-4c1d-9a3e-2b6f0d1c7a55", &got, err, errlen);
	pthread_join(R.thread, NULL);
	close(R.fd);
	assert_int_equal(got, status);
	return rc;
}

static void test_post_outcomes(void **state)
{
	(void)state;
	char err[400];

	assert_int_equal(post_to_responder(200, "[\"5e0c2a4e\"]", 1, err, sizeof err), 0);
	/* The request: POST /xapi/statements, the version, JSON, Basic auth. */
	assert_non_null(strstr(R.request, "POST /xapi/statements HTTP/1.1\r\n"));
	assert_non_null(strcasestr(R.request, "\r\nX-Experience-API-Version: 1.0.3\r\n"));
	assert_non_null(strcasestr(R.request, "\r\nContent-Type: application/json\r\n"));
	assert_non_null(strcasestr(R.request, "\r\nAuthorization: Basic a2V5OnMzY3JldCBwdw==\r\n"));
	assert_non_null(strstr(R.request, "\r\n\r\n[{\"id\":"));

	assert_int_equal(post_to_responder(409, "{}", 3, err, sizeof err), XAPI_EDUP);
	assert_int_equal(post_to_responder(400,
	                                   "{\"message\":\"Statement 5e0c2a4e-8f7b-4c1d-9a3e-"
	                                   "2b6f0d1c7a55 already exists\"}",
	                                   1, err, sizeof err),
	                 XAPI_EDUP);
	/* A 400 that names no id, or about a batch, is a refusal. */
	assert_int_equal(
	        post_to_responder(400, "{\"message\":\"already exists\"}", 1, err, sizeof err),
	        XAPI_EREJECT);
	assert_int_equal(
	        post_to_responder(400, "{\"message\":\"actor is invalid\"}", 1, err, sizeof err),
	        XAPI_EREJECT);
	assert_non_null(strstr(err, "HTTP 400: {\"message\":\"actor is invalid\"}"));
	assert_int_equal(post_to_responder(413, "{}", 50, err, sizeof err), XAPI_EREJECT);
	/* The LRS or the settings, not the statements: retried. */
	const int retry[] = {401, 403, 404, 408, 429, 500, 502, 503};
	for (size_t i = 0; i < sizeof retry / sizeof retry[0]; i++)
		assert_int_equal(post_to_responder(retry[i], "{}", 1, err, sizeof err),
		                 XAPI_ERETRY);
	assert_null(strstr(err, "s3cret"));

	/* Nothing listening. */
	struct xapi_config down = {.endpoint = "http://127.0.0.1:1/xapi", .timeout_seconds = 5};
	long got = 7;
	assert_int_equal(xapi_post(&down, "[]", 2, 0, NULL, &got, err, sizeof err), XAPI_ERETRY);
	assert_int_equal(got, 0);
	assert_true(err[0]);
}

/* ----------------------------------------------------------------- stores */

static struct {
	bool pg;
	char base[1024];
	char dir[256];
	int n;
	char url[1400];
	char path[300];
} B;

static int setup(void **state)
{
	struct db *db;

	B.n++;
	if (B.pg) {
		struct db *admin = open_url(B.base);
		if (db_exec_script(admin,
		                   "DROP SCHEMA IF EXISTS csec_unit_xapi CASCADE; "
		                   "CREATE SCHEMA csec_unit_xapi") < 0)
			fail_msg("schema reset: %s", db_errmsg(admin));
		db_close(admin);
		snprintf(B.url, sizeof(B.url), "%s%soptions=-csearch_path%%3Dcsec_unit_xapi",
		         B.base, strchr(B.base, '?') ? "&" : "?");
	} else {
		snprintf(B.path, sizeof(B.path), "%s/x%d.db", B.dir, B.n);
		snprintf(B.url, sizeof(B.url), "sqlite:%s", B.path);
	}
	db = open_url(B.url);
	CHECK(db, db_migrate(db, NULL, NULL));
	runf(db,
	     "INSERT INTO users (email, name) VALUES ('jane.doe@pd.example', 'Jane Doe'), "
	     "('sam.roe@pd.example', 'Sam Roe')");
	*state = db;
	return 0;
}

static int teardown(void **state)
{
	char p[400];
	const char *suffix[] = {"", "-wal", "-shm"};

	db_close(*state);
	if (!B.pg)
		for (size_t i = 0; i < 3; i++) {
			snprintf(p, sizeof(p), "%s%s", B.path, suffix[i]);
			unlink(p);
		}
	return 0;
}

/* Writes n events at time t (as course_event_add does). */
static void add_events(struct db *db, int n, int64_t t)
{
	for (int i = 0; i < n; i++) {
		char uuid[37];
		uint8_t r[16];
		crypto_random(r, sizeof r);
		crypto_hex(uuid, r, 16);
		uuid[32] = '\0';
		runf(db,
		     "INSERT INTO learning_events (statement_id, created_at, user_id, course_slug, "
		     "verb, object_type, object_id, object_name, status, next_attempt_at) VALUES "
		     "('%s', %lld, (SELECT MIN(id) FROM users), 'frontline', 'experienced', "
		     "'lesson', "
		     "'l%d', 'Lesson %d', 'queued', %lld)",
		     uuid, (long long)t, i, i, (long long)t);
	}
}

static int64_t count_status(struct db *db, const char *status)
{
	struct db_stmt *st;
	CHECK(db, db_prepare(db, "SELECT COUNT(*) FROM learning_events WHERE status = $1", &st));
	CHECK(db, db_bind_text(st, 1, status, (size_t)-1));
	assert_int_equal(db_step(st), DB_ROW);
	int64_t n = db_column_int64(st, 0);
	db_finalize(st);
	return n;
}

static void test_claim_and_mark(void **state)
{
	struct db *db = *state;
	struct arena *a = arena_create(0);
	struct xapi_event ev[XAPI_BATCH];
	int n = 0, done = 0;

	add_events(db, 60, T0);
	/* Not due yet: nothing. */
	CHECK(db, xapi_claim_batch(db, a, "w1:1", T0 - 1, XAPI_BATCH, ev, &n));
	assert_int_equal(n, 0);
	/* At most XAPI_BATCH, in id order, each with one attempt more. */
	CHECK(db, xapi_claim_batch(db, a, "w1:1", T0, 1000, ev, &n));
	assert_int_equal(n, XAPI_BATCH);
	for (int i = 0; i < n; i++) {
		assert_int_equal(ev[i].attempts, 1);
		assert_string_equal(ev[i].verb, "experienced");
		assert_null(ev[i].result_json);
		if (i)
			assert_true(ev[i].id > ev[i - 1].id);
	}
	/* Another claim gets the rest, never the same rows. */
	int m = 0;
	struct xapi_event ev2[XAPI_BATCH];
	CHECK(db, xapi_claim_batch(db, a, "w2:1", T0, XAPI_BATCH, ev2, &m));
	assert_int_equal(m, 10);
	assert_true(ev2[0].id > ev[n - 1].id);
	assert_int_equal(count_status(db, "sending"), 60);

	CHECK(db, xapi_mark_sent(db, "w1:1", T0 + 1, &done));
	assert_int_equal(done, XAPI_BATCH);
	assert_int_equal(count_status(db, "sent"), XAPI_BATCH);
	assert_int_equal(query_int(db,
	                           "SELECT COUNT(*) FROM learning_events WHERE status = 'sent' "
	                           "AND sent_at = 1700000001 AND claimed_by IS NULL"),
	                 XAPI_BATCH);
	/* A claim marks only its own rows, once. */
	CHECK(db, xapi_mark_sent(db, "w1:1", T0 + 1, &done));
	assert_int_equal(done, 0);

	/* A failure: queued again after the backoff, the reason kept (printable). */
	CHECK(db, xapi_mark_failed(db, "w2:1", T0 + 2, 1, false, "HTTP 503:\n down\x01"));
	assert_int_equal(count_status(db, "queued"), 10);
	assert_int_equal(query_int(db,
	                           "SELECT COUNT(*) FROM learning_events WHERE "
	                           "next_attempt_at = 1700000032 AND claimed_by IS NULL AND "
	                           "last_error = 'HTTP 503:? down?'"),
	                 10);
	CHECK(db, xapi_claim_batch(db, a, "w2:2", T0 + 31, XAPI_BATCH, ev2, &m));
	assert_int_equal(m, 0);
	CHECK(db, xapi_claim_batch(db, a, "w2:2", T0 + 32, XAPI_BATCH, ev2, &m));
	assert_int_equal(m, 10);
	assert_int_equal(ev2[0].attempts, 2);
	/* Given back untried: the attempt is not counted. */
	CHECK(db, xapi_release(db, "w2:2", T0 + 33));
	CHECK(db, xapi_claim_batch(db, a, "w2:3", T0 + 33, XAPI_BATCH, ev2, &m));
	assert_int_equal(m, 10);
	assert_int_equal(ev2[0].attempts, 2);
	/* Held: left alone by claims, at any time. */
	CHECK(db, xapi_mark_failed(db, "w2:3", T0 + 34, 3, true, "HTTP 400: bad"));
	assert_int_equal(count_status(db, "held"), 10);
	CHECK(db, xapi_claim_batch(db, a, "w2:4", T0 + 1000000, XAPI_BATCH, ev2, &m));
	assert_int_equal(m, 0);
	arena_destroy(a);
}

static void test_lease_takeover(void **state)
{
	struct db *db = *state;
	struct arena *a = arena_create(0);
	struct xapi_event ev[XAPI_BATCH];
	int n = 0, done = 0;

	add_events(db, 3, T0);
	CHECK(db, xapi_claim_batch(db, a, "dead:1", T0, XAPI_BATCH, ev, &n));
	assert_int_equal(n, 3);
	/* During the lease no one else takes them. */
	CHECK(db,
	      xapi_claim_batch(db, a, "live:1", T0 + XAPI_CLAIM_SECONDS - 1, XAPI_BATCH, ev, &n));
	assert_int_equal(n, 0);
	/* After it, another node does, with one more attempt. */
	CHECK(db, xapi_claim_batch(db, a, "live:1", T0 + XAPI_CLAIM_SECONDS, XAPI_BATCH, ev, &n));
	assert_int_equal(n, 3);
	assert_int_equal(ev[0].attempts, 2);
	/* The old claimant, back to life, can no longer record anything. */
	CHECK(db, xapi_mark_sent(db, "dead:1", T0 + 400, &done));
	assert_int_equal(done, 0);
	CHECK(db, xapi_mark_failed(db, "dead:1", T0 + 400, 1, false, "x"));
	assert_int_equal(count_status(db, "sending"), 3);
	CHECK(db, xapi_mark_sent(db, "live:1", T0 + 400, &done));
	assert_int_equal(done, 3);
	arena_destroy(a);
}

static void test_status_requeue(void **state)
{
	struct db *db = *state;
	struct arena *a = arena_create(0);
	struct xapi_event ev[XAPI_BATCH];
	struct xapi_status s;
	int n = 0;
	int64_t k = 0;

	CHECK(db, xapi_status_read(db, a, &s));
	assert_int_equal(s.queued + s.sending + s.sent + s.held, 0);
	assert_null(s.last_error);
	add_events(db, 5, T0);
	CHECK(db, xapi_claim_batch(db, a, "w:1", T0, 2, ev, &n));
	CHECK(db, xapi_mark_sent(db, "w:1", T0 + 5, NULL));
	CHECK(db, xapi_claim_batch(db, a, "w:2", T0, 1, ev, &n));
	CHECK(db, xapi_mark_failed(db, "w:2", T0 + 6, 3, true, "HTTP 400: refused"));
	CHECK(db, xapi_claim_batch(db, a, "w:3", T0, 1, ev, &n));
	CHECK(db, xapi_mark_failed(db, "w:3", T0 + 7, 4, false, "HTTP 503: down"));
	CHECK(db, xapi_status_read(db, a, &s));
	assert_int_equal(s.sent, 2);
	assert_int_equal(s.held, 1);
	assert_int_equal(s.queued, 2);
	assert_int_equal(s.last_sent_at, T0 + 5);
	assert_int_equal(s.next_attempt_at, T0); /* the two never tried */
	assert_string_equal(s.last_error, "HTTP 503: down");

	/* Send now: held ones queued with a clean count, waiting ones due now. */
	CHECK(db, db_begin_write(db));
	CHECK(db, xapi_requeue(db, T0 + 8, &k));
	CHECK(db, db_commit(db));
	assert_int_equal(k, 2); /* the held one and the one backing off */
	CHECK(db, xapi_status_read(db, a, &s));
	assert_int_equal(s.queued, 3);
	assert_int_equal(s.held, 0);
	CHECK(db, xapi_claim_batch(db, a, "w:4", T0 + 8, XAPI_BATCH, ev, &n));
	assert_int_equal(n, 3);
	assert_int_equal(ev[0].attempts, 1); /* was held: counted afresh */
	assert_int_equal(ev[1].attempts, 2); /* was backing off after one */
	assert_int_equal(ev[2].attempts, 1); /* never tried */
	arena_destroy(a);
}

static void test_export(void **state)
{
	struct db *db = *state;
	struct buf out;
	int64_t count = 0, last = 0;
	bool more = true;

	xapi_init((const uint8_t *)"0123456789abcdef0123456789abcdef");
	add_events(db, 5, T0);
	add_events(db, 3, T0 + 86400);
	buf_init(&out, NULL, 1 << 20);
	CHECK(db, xapi_export(db, HOME, 0, 0, 0, 1000, &out, &count, &last, &more));
	assert_int_equal(count, 8);
	assert_false(more);
	buf_putc(&out, '\0');
	char *arr = malloc(out.len + 3);
	snprintf(arr, out.len + 3, "[%s]", out.data);
	json_t *j = json_loads(arr, 0, NULL);
	assert_true(json_is_array(j));
	assert_int_equal(json_array_size(j), 8);
	assert_string_equal(str_at(j, "0.actor.account.homePage"), HOME);
	assert_null(strstr(arr, "Jane"));
	assert_null(strstr(arr, "jane.doe"));
	json_decref(j);
	free(arr);

	/* By date: the second day only. */
	buf_reset(&out);
	CHECK(db,
	      xapi_export(db, HOME, T0 + 86400, T0 + 2 * 86400, 0, 1000, &out, &count, &last,
	                  &more));
	assert_int_equal(count, 3);
	/* At most max, then more, continuing after last. */
	buf_reset(&out);
	CHECK(db, xapi_export(db, HOME, 0, 0, 0, 5, &out, &count, &last, &more));
	assert_int_equal(count, 5);
	assert_true(more);
	int64_t after = last;
	buf_reset(&out);
	CHECK(db, xapi_export(db, HOME, 0, 0, after, 5, &out, &count, &last, &more));
	assert_int_equal(count, 3);
	assert_false(more);
	buf_free(&out);

	/* A buffer cap stops before the statement that would not fit. */
	buf_init(&out, NULL, 1000);
	CHECK(db, xapi_export(db, HOME, 0, 0, 0, 1000, &out, &count, &last, &more));
	assert_true(count >= 1 && count < 8);
	assert_true(more);
	assert_int_equal(out.err, 0);
	buf_free(&out);
}

static int group_start(bool pg)
{
	B.pg = pg;
	B.n = 0;
	snprintf(B.dir, sizeof(B.dir), "/tmp/csec-test-xapi.XXXXXX");
	return mkdtemp(B.dir) ? 0 : -1;
}

static int group_sqlite(void **state)
{
	(void)state;
	return group_start(false);
}

static int group_pg(void **state)
{
	(void)state;
	return group_start(true);
}

static int group_done(void **state)
{
	(void)state;
	rmdir(B.dir);
	return 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest plain[] = {
	        cmocka_unit_test(test_statement_lesson), cmocka_unit_test(test_statement_objects),
	        cmocka_unit_test(test_statement_result), cmocka_unit_test(test_actor_name),
	        cmocka_unit_test(test_backoff),          cmocka_unit_test(test_endpoint_check),
	        cmocka_unit_test(test_post_outcomes),
	};
	const struct CMUnitTest common[] = {
	        T(test_claim_and_mark),
	        T(test_lease_takeover),
	        T(test_status_requeue),
	        T(test_export),
	};
	const char *pg = getenv("CSEC_TEST_PG_URL");
	int failed = 0;

	if (crypto_init() != 0)
		return 1;
	failed += cmocka_run_group_tests_name("xapi", plain, NULL, NULL);
	failed += cmocka_run_group_tests_name("xapi queue on SQLite", common, group_sqlite,
	                                      group_done);
	if (pg && *pg) {
		snprintf(B.base, sizeof(B.base), "%s", pg);
		failed += cmocka_run_group_tests_name("xapi queue on PostgreSQL", common, group_pg,
		                                      group_done);
	} else {
		printf("[  SKIPPED ] xapi queue on PostgreSQL: %zu tests skipped (set "
		       "CSEC_TEST_PG_URL, e.g. through scripts/with-pg)\n",
		       sizeof(common) / sizeof(common[0]));
	}
	return failed ? 1 : 0;
}
