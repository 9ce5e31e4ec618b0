/* cli/serve.c — `csec serve`: reads the configuration (flags, then
 * environment, then defaults), prepares the data directory, secret and
 * store, starts the HTTP server and waits for SIGTERM or SIGINT. Start-up is
 * short and in one place: options → store → templates → routes → listen. */
#include "cli/cli.h"

#include "app/routes.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/net.h"
#include "core/secret.h"
#include "core/str.h"
#include "db/db.h"
#include "db/pool.h"
#include "auth/hasher.h"
#include "auth/password.h"
#include "features/accounts/accounts.h"
#include "features/library/library.h"
#include "features/site/site.h"
#include "http/server.h"
#include "http/workers.h"
#include "jobs/mail.h"
#include "jobs/xapi.h"
#include "render/page.h"

#include <ctype.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define DEFAULT_LISTEN "127.0.0.1:8080"
#define GRACE_SECONDS 30

struct serve_opts {
	struct cli_store store;
	const char *listen;
	const char *public_url;
	const char *trusted;
	const char *secret_file;
	const char *dev_templates;
	bool diagnostics;
	char public_buf[512];
	char origin_buf[512];
	char secret_buf[4200];
};

static void help(void)
{
	printf("usage: csec serve [OPTIONS]\n\n"
	       "Runs the portal until SIGTERM or SIGINT, then finishes requests in flight.\n\n"
	       "  --listen HOST:PORT        address to listen on (CSEC_LISTEN; default %s)\n"
	       "  --data DIR                data directory (CSEC_DATA; default ./var)\n"
	       "  --db URL                  sqlite:PATH or postgresql://... (CSEC_DB;\n"
	       "                            default sqlite:<data>/csec.db)\n"
	       "  --public-url URL          the URL people use (CSEC_PUBLIC_URL; default\n"
	       "                            http://<listen>)\n"
	       "  --trusted-proxies CIDRS   proxies whose X-Forwarded-* headers are believed\n"
	       "                            (CSEC_TRUSTED_PROXIES; default none)\n"
	       "  --secret-file FILE        deployment secret (CSEC_SECRET_FILE; default\n"
	       "                            <data>/secret.key, created 0600 on first start)\n"
	       "  --dev-templates DIR       reload templates and messages from DIR (a web/\n"
	       "                            directory) at every page, for designers\n"
	       "  --diagnostics             add the test-only route POST /_diag/form\n",
	       DEFAULT_LISTEN);
}

/* Session and sign-in limits: DESIGN.md §6's numbers, which the
 * environment may lower (CSEC_SESSION_IDLE, CSEC_SESSION_LIFETIME, in
 * seconds) or adjust for tests and small deployments (CSEC_LOCKOUT_SECONDS,
 * CSEC_LOCKOUT_FAILURES, CSEC_SIGNIN_PER_MINUTE,
 * CSEC_TOKEN_FAILURES_PER_MINUTE). */
static int auth_limits_from_env(struct auth_limits *l, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		int64_t min;
		bool lower_only;
	} vars[] = {
	        {"CSEC_SESSION_IDLE", 1, true},       {"CSEC_SESSION_LIFETIME", 1, true},
	        {"CSEC_LOCKOUT_SECONDS", 1, false},   {"CSEC_LOCKOUT_FAILURES", 1, false},
	        {"CSEC_SIGNIN_PER_MINUTE", 1, false}, {"CSEC_TOKEN_FAILURES_PER_MINUTE", 1, false},
	};
	auth_limits_default(l);
	/* Each variable sets one of these: a 64-bit slot or an int one. */
	int64_t *slots[] = {
	        &l->idle_seconds, &l->lifetime_seconds, &l->lockout_seconds, NULL, NULL, NULL};
	int *ints[] = {NULL,
	               NULL,
	               NULL,
	               &l->lockout_failures,
	               &l->signin_per_minute,
	               &l->token_failures_per_minute};
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *v = getenv(vars[i].name);
		if (!v || !v[0])
			continue;
		int64_t cur = slots[i] ? *slots[i] : *ints[i];
		int64_t max = vars[i].lower_only ? cur : 1000000;
		int64_t n;
		if (str_to_i64(str_from(v), vars[i].min, max, &n) != 0) {
			snprintf(err, errlen, "%s must be a whole number from %lld to %lld",
			         vars[i].name, (long long)vars[i].min, (long long)max);
			return -1;
		}
		if (slots[i])
			*slots[i] = n;
		else
			*ints[i] = (int)n;
	}
	return 0;
}

static const char *env_or(const char *flag, const char *env)
{
	if (flag)
		return flag;
	const char *v = getenv(env);
	return v && v[0] ? v : NULL;
}

static int parse_args(struct serve_opts *o, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		int took = cli_store_option(&o->store, argc, argv, &i);
		if (took < 0)
			return -1;
		if (took)
			continue;
		const char *a = argv[i];
		const char **slot = NULL;
		if (strcmp(a, "--listen") == 0)
			slot = &o->listen;
		else if (strcmp(a, "--public-url") == 0)
			slot = &o->public_url;
		else if (strcmp(a, "--trusted-proxies") == 0)
			slot = &o->trusted;
		else if (strcmp(a, "--secret-file") == 0)
			slot = &o->secret_file;
		else if (strcmp(a, "--dev-templates") == 0)
			slot = &o->dev_templates;
		else if (strcmp(a, "--diagnostics") == 0) {
			o->diagnostics = true;
			continue;
		} else {
			fprintf(stderr,
			        "csec serve: unknown option \"%s\" (see csec serve --help)\n", a);
			return -1;
		}
		if (i + 1 >= argc || argv[i + 1][0] == '\0') {
			fprintf(stderr, "csec serve: %s needs a value\n", a);
			return -1;
		}
		*slot = argv[++i];
	}
	o->listen = env_or(o->listen, "CSEC_LISTEN");
	o->public_url = env_or(o->public_url, "CSEC_PUBLIC_URL");
	o->trusted = env_or(o->trusted, "CSEC_TRUSTED_PROXIES");
	o->secret_file = env_or(o->secret_file, "CSEC_SECRET_FILE");
	if (!o->listen)
		o->listen = DEFAULT_LISTEN;
	return 0;
}

/* "127.0.0.1:8080", "[::1]:8080", "localhost:8080" */
static int parse_listen(const char *s, struct http_listen *l)
{
	const char *colon = strrchr(s, ':');
	if (!colon || colon == s)
		return -1;
	size_t hostlen = (size_t)(colon - s);
	if (hostlen == 9 && strncmp(s, "localhost", 9) == 0)
		net_addr_parse("127.0.0.1", 9, &l->addr);
	else if (net_addr_parse(s, hostlen, &l->addr) != 0)
		return -1;
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port < 0 || port > 65535)
		return -1;
	l->port = (unsigned)port;
	return 0;
}

/* Checks the public URL (http or https, a host, nothing after the authority
 * but an optional "/") and derives its origin. */
static int parse_public_url(struct serve_opts *o, bool *https)
{
	const char *u = o->public_url;
	const char *rest;
	if (strncasecmp(u, "https://", 8) == 0) {
		*https = true;
		rest = u + 8;
	} else if (strncasecmp(u, "http://", 7) == 0) {
		*https = false;
		rest = u + 7;
	} else {
		return -1;
	}
	size_t auth = strcspn(rest, "/?#");
	if (auth == 0 || (rest[auth] && strcmp(rest + auth, "/") != 0) || strchr(rest, '@'))
		return -1;
	for (size_t i = 0; i < auth; i++)
		if (!isalnum((unsigned char)rest[i]) && !strchr(".-:[]", rest[i]))
			return -1;
	int n = snprintf(o->origin_buf, sizeof o->origin_buf, "%s://%.*s",
	                 *https ? "https" : "http", (int)auth, rest);
	if (n < 0 || (size_t)n >= sizeof o->origin_buf)
		return -1;
	for (char *p = o->origin_buf; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return 0;
}

int cli_serve(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (cli_is_help(argv[i])) {
			help();
			return 0;
		}
	static struct serve_opts o;
	static struct http_config cfg;
	struct http_listen l = {.fd = -1};
	char err[512];
	int status = 1, lock_fd = -1;
	struct http_server *server = NULL;
	struct db *db = NULL;

	if (parse_args(&o, argc, argv) != 0)
		return 2;
	if (parse_listen(o.listen, &l) != 0) {
		fprintf(stderr,
		        "csec serve: --listen must be HOST:PORT with an IP address or "
		        "localhost, e.g. 127.0.0.1:8080 (got \"%s\")\n",
		        o.listen);
		return 2;
	}
	if (!o.public_url) {
		/* With port 0 the real port is only known once the socket is open. */
		if (l.port == 0 && http_server_listen(&l, err, sizeof err) != 0) {
			fprintf(stderr, "csec serve: %s\n", err);
			return 1;
		}
		char host[46];
		net_addr_format(&l.addr, host);
		snprintf(o.public_buf, sizeof o.public_buf, "http://%s%s%s:%u",
		         l.addr.family == AF_INET6 ? "[" : "", host,
		         l.addr.family == AF_INET6 ? "]" : "", l.port);
		o.public_url = o.public_buf;
	}
	if (parse_public_url(&o, &cfg.public_https) != 0) {
		fprintf(stderr,
		        "csec serve: --public-url must be http(s)://HOST[:PORT] with nothing "
		        "after it (got \"%s\")\n",
		        o.public_url);
		return 2;
	}
	if (!net_is_loopback(&l.addr) && !cfg.public_https) {
		fprintf(stderr,
		        "csec serve: refusing to listen on %s with the plain-http public URL %s.\n"
		        "People would send their passwords unencrypted. Terminate TLS at a reverse "
		        "proxy (docs/deploy.md has an nginx example): listen on 127.0.0.1, and set "
		        "--public-url https://your.host and --trusted-proxies to the proxy's "
		        "address.\n",
		        o.listen, o.public_url);
		return 2;
	}
	cfg.public_url = o.origin_buf; /* normalised, without the trailing "/" */
	cfg.public_origin = o.origin_buf;
	if (o.trusted) {
		int n = net_cidrs_parse(o.trusted, cfg.trusted, HTTP_MAX_TRUSTED, err, sizeof err);
		if (n < 0) {
			fprintf(stderr, "csec serve: --trusted-proxies: %s\n", err);
			return 2;
		}
		cfg.ntrusted = (size_t)n;
	}
	form_limits_default(&cfg.limits);
	cfg.max_url = 8192;
	cfg.diagnostics = o.diagnostics;

	if (crypto_init() != 0) {
		fprintf(stderr, "csec serve: libsodium failed to start\n");
		return 1;
	}
	if (cli_store_resolve(&o.store) != 0)
		return 1;
	lock_fd = cli_lock_data(o.store.data, false);
	if (lock_fd < 0) {
		if (lock_fd == -1)
			fprintf(stderr,
			        "csec serve: a restore is running on %s; try again when it "
			        "has finished\n",
			        o.store.data);
		return 1;
	}
	if (!o.secret_file) {
		snprintf(o.secret_buf, sizeof o.secret_buf, "%s/secret.key", o.store.data);
		o.secret_file = o.secret_buf;
	}
	uint8_t key[CRYPTO_KEY_BYTES];
	if (secret_load(o.secret_file, 1, key, err, sizeof err) != 0) {
		fprintf(stderr, "csec serve: %s\n", err);
		goto out;
	}
	struct auth_limits limits;
	if (auth_limits_from_env(&limits, err, sizeof err) != 0) {
		fprintf(stderr, "csec serve: %s\n", err);
		goto out;
	}
	accounts_init(key, &limits);
	xapi_init(key); /* the key of the actors' opaque ids */
	crypto_wipe(key, sizeof key);
	if (password_init() != 0) {
		fprintf(stderr, "csec serve: the common-password list is missing from the build\n");
		goto out;
	}
	cfg.authenticate = accounts_authenticate;
	cfg.csrf_valid = accounts_csrf_valid;
	cfg.csrf_token = accounts_csrf_token;

	db = cli_store_open(&o.store, true);
	if (!db)
		goto out;
	/* The starter pack built into the binary, on first start and when this
	 * binary carries a newer version of it (never over local edits). */
	library_starter(db, accounts_audit_key());
	/* First run: print the one-time setup URL while no site admin exists. */
	int setup = cli_print_setup_url(db, cfg.public_url);
	db_close(db);
	db = NULL;
	if (setup < 0)
		goto out;
	if (db_pool_init(o.store.db_url) != 0) {
		fprintf(stderr, "csec serve: %s\n", db_pool_errmsg());
		goto out;
	}
	char note[600];
	if (mail_outbox_note(db_pool_get(), o.store.data, note, sizeof note))
		log_msg(LOG_INFO, "%s", note);
	if (mail_worker_start(o.store.data, cfg.public_url) != 0) {
		fprintf(stderr, "csec serve: cannot start the mail worker\n");
		goto out;
	}
	if (xapi_worker_start(cfg.public_url) != 0) {
		fprintf(stderr, "csec serve: cannot start the xAPI worker\n");
		goto out;
	}
	if (page_init(o.dev_templates, err, sizeof err) != 0) {
		fprintf(stderr, "csec serve: templates: %s\n", err);
		goto out;
	}
	if (site_init(&cfg, err, sizeof err) != 0) {
		fprintf(stderr, "csec serve: %s\n", err);
		goto out;
	}
	static struct dispatch_table table;
	app_routes(cfg.diagnostics, &table);
	if (app_routes_check(&table, err, sizeof err) != 0) {
		fprintf(stderr, "csec serve: %s\n", err);
		goto out;
	}

	/* Block the stop signals before the engine's threads exist, so that they
	 * inherit the mask and only sigwait below receives them. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* Password hashing in helper processes (auth/hasher.h); without them
	 * it runs on the worker threads, slower for everyone else. */
	if (hasher_start("/proc/self/exe", 0) != 0)
		log_msg(LOG_WARN,
		        "could not start the password-hashing helpers: hashing "
		        "runs in the server's own threads");
	if (workers_start(0) != 0) {
		fprintf(stderr, "csec serve: cannot start the worker threads\n");
		goto out;
	}
	if (log_writer_start() != 0)
		log_msg(LOG_WARN, "request lines are written one by one (no writer thread)");
	if ((l.fd < 0 && http_server_listen(&l, err, sizeof err) != 0) ||
	    http_server_start(&l, &cfg, &table, &server, err, sizeof err) != 0) {
		fprintf(stderr, "csec serve: %s\n", err);
		goto out;
	}
	char host[46];
	net_addr_format(&l.addr, host);
	log_msg(LOG_INFO, "listening on %s%s%s:%u, public URL %s, store %s",
	        l.addr.family == AF_INET6 ? "[" : "", host, l.addr.family == AF_INET6 ? "]" : "",
	        l.port, cfg.public_url,
	        strncmp(o.store.db_url, "sqlite:", 7) == 0 ? o.store.db_url : "postgresql");

	int sig = 0;
	sigwait(&stop, &sig);
	log_msg(LOG_INFO, "received %s: finishing requests in flight",
	        sig == SIGTERM ? "SIGTERM" : "SIGINT");
	http_server_stop(server, GRACE_SECONDS);
	server = NULL;
	status = 0;
	log_writer_stop();
	log_msg(LOG_INFO, "stopped");
out:
	http_server_stop(server, 0);
	log_writer_stop();
	workers_stop();
	hasher_stop();
	mail_worker_stop();
	xapi_worker_stop();
	site_shutdown();
	page_shutdown();
	db_pool_shutdown();
	if (lock_fd >= 0)
		close(lock_fd);
	return status;
}
