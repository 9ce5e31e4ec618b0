/* cli/tokens.c — `csec token create`: issues a personal access token to a
 * person from the shell, with the same rules as the account page
 * (auth/tokens.h): never to a site admin, never to someone who must set up
 * two-step sign-in and has not, 90 days unless --expires says otherwise.
 * The token goes alone to standard output, so `TOKEN=$(csec token create
 * ...)` works; what it is and until when goes to standard error. Made and
 * refused tokens are audited with the actor "cli". */
#include "cli/tokens.h"

#include "audit/audit.h"
#include "auth/accounts.h"
#include "auth/tokens.h"
#include "cli/cli.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "core/secret.h"
#include "db/db.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct opts {
	struct cli_store store;
	const char *user, *name, *expires, *scope, *secret_file;
};

/* The catalogue's keys, explained for the shell (the CLI loads no
 * catalogue). */
static const char *explain(const char *key)
{
	static const struct {
		const char *key, *text;
	} texts[] = {
	        {"account.email.missing", "--user EMAIL is required"},
	        {"account.email.invalid", "--user must be an address like name@example.org"},
	        {"api.token.name.missing", "--name must not be blank"},
	        {"api.token.name.invalid",
	         "--name must be at most 100 characters, without control characters"},
	        {"api.token.scope.invalid", "--scope must be read or write"},
	        {"api.token.days.invalid",
	         "--expires must be a whole number of days from 1 to 365"},
	        {"api.token.refused.no_user", "no account has that email address"},
	        {"api.token.refused.inactive",
	         "that account is not active (invited, pending, locked or disabled)"},
	        {"api.token.refused.site_admin",
	         "site administrators cannot have API tokens; create the token for a "
	         "person's own account instead"},
	        {"api.token.refused.mfa",
	         "that person must set up two-step sign-in before they can have an API token"},
	        {"api.token.refused.too_many",
	         "that person has 50 live tokens already; revoke one first"},
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		if (strcmp(texts[i].key, key) == 0)
			return texts[i].text;
	return key;
}

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: csec token create --user EMAIL [--name NAME] [--expires DAYS]\n"
	        "                         [--scope read|write] [--data DIR] [--db URL]\n"
	        "                         [--secret-file FILE]\n\n"
	        "Creates a personal access token for the API (/api/v1/) for the person with\n"
	        "that email address and prints it alone on standard output. It is shown only\n"
	        "now: the portal keeps just its hash. The person revokes it on their account\n"
	        "page (/account/tokens).\n\n"
	        "  --user EMAIL   whose token it is (an active person, not a site admin)\n"
	        "  --name NAME    what it is for, as the person's token list shows it\n"
	        "                 (default \"cli\")\n"
	        "  --expires DAYS days until it stops working, 1 to 365 (default 90)\n"
	        "  --scope SCOPE  read (GET only, the default) or write\n"
	        "  --data DIR     data directory (CSEC_DATA; default ./var)\n"
	        "  --db URL       sqlite:PATH or postgresql://... (CSEC_DB; default\n"
	        "                 sqlite:<data>/csec.db)\n"
	        "  --secret-file FILE  the deployment secret, for the audit record\n"
	        "                 (CSEC_SECRET_FILE; default <data>/secret.key)\n");
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct {
		const char *flag;
		size_t off;
	} flags[] = {
	        {"--user", offsetof(struct opts, user)},
	        {"--name", offsetof(struct opts, name)},
	        {"--expires", offsetof(struct opts, expires)},
	        {"--scope", offsetof(struct opts, scope)},
	        {"--secret-file", offsetof(struct opts, secret_file)},
	};
	for (int i = 0; i < argc; i++) {
		int took = cli_store_option(&o->store, argc, argv, &i);
		if (took < 0)
			return -1;
		if (took)
			continue;
		size_t k = 0;
		while (k < sizeof flags / sizeof flags[0] && strcmp(argv[i], flags[k].flag) != 0)
			k++;
		if (k == sizeof flags / sizeof flags[0] || i + 1 >= argc) {
			fprintf(stderr, "csec token create: %s \"%s\" (see csec token --help)\n",
			        k == sizeof flags / sizeof flags[0] ? "unexpected argument"
			                                            : "missing value for",
			        argv[i]);
			return -1;
		}
		*(const char **)(void *)((char *)o + flags[k].off) = argv[++i];
	}
	return 0;
}

static int audit_cli(struct db *db, const uint8_t key[CRYPTO_KEY_BYTES], const char *type,
                     const char *target, const char *outcome, json_t *detail)
{
	char *text = detail ? json_dumps(detail, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(detail);
	if (!text)
		return DB_ENOMEM;
	struct audit_event e = {.actor = "cli",
	                        .action = "token.create",
	                        .target_type = type,
	                        .target_id = target,
	                        .outcome = outcome,
	                        .source = "cli",
	                        .detail_json = text};
	int rc = audit_append(db, key, &e);
	free(text);
	return rc;
}

static const char *reason(enum apitoken_refusal why)
{
	switch (why) {
	case APITOKEN_SITE_ADMIN:
		return "site_admin";
	case APITOKEN_NEEDS_MFA:
		return "mfa_required";
	case APITOKEN_TOO_MANY:
		return "too_many";
	case APITOKEN_NO_USER:
	case APITOKEN_INACTIVE:
	case APITOKEN_ALLOWED:
		break;
	}
	return "inactive";
}

static int create(int argc, char **argv)
{
	struct opts o = {0};
	uint8_t key[CRYPTO_KEY_BYTES];
	char email[256], token[APITOKEN_LEN + 1], until[64];
	int64_t days = 0, id = 0, now = (int64_t)time(NULL);
	if (parse(argc, argv, &o) != 0)
		return 2;
	if (!o.name)
		o.name = "cli";
	if (!o.scope)
		o.scope = "read";
	const char *bad = accounts_check_email(o.user, email, sizeof email);
	if (!bad)
		bad = apitoken_check_name(o.name);
	if (!bad)
		bad = apitoken_check_scope(o.scope);
	if (!bad)
		bad = apitoken_check_days(o.expires, &days);
	if (bad) {
		fprintf(stderr, "csec token create: %s\n", explain(bad));
		return 2;
	}
	struct arena *a = arena_create(64 * 1024);
	struct db *db = a ? cli_store_open_keyed(&o.store, o.secret_file, key) : NULL;
	if (!db) {
		arena_destroy(a);
		return 1;
	}
	struct account_user user = {0};
	enum apitoken_refusal why = APITOKEN_ALLOWED;
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = accounts_user_by_email(db, a, email, &user);
	if (rc == DB_DONE)
		why = APITOKEN_NO_USER;
	else if (rc == DB_OK)
		rc = apitoken_create(db, user.id, o.name, o.scope, days, now, token, &id, &why);
	if (rc == DB_DONE && why != APITOKEN_NO_USER)
		rc = audit_cli(db, key, "user", email, "denied",
		               json_pack("{s:s, s:s}", "user", email, "reason", reason(why)));
	else if (rc == DB_OK) {
		char target[24];
		snprintf(target, sizeof target, "%lld", (long long)id);
		rc = audit_cli(db, key, "api_token", target, "success",
		               json_pack("{s:s, s:s, s:s, s:I}", "user", email, "name", o.name,
		                         "scope", o.scope, "expires_at",
		                         (json_int_t)(now + days * 86400)));
	}
	if (rc == DB_OK || rc == DB_DONE)
		rc = db_commit(db) == DB_OK ? rc : DB_ERR;
	if (rc != DB_OK && rc != DB_DONE) {
		fprintf(stderr, "csec token create: %s\n", db_errmsg(db));
		db_rollback(db);
	}
	int status = 1;
	if (why != APITOKEN_ALLOWED) {
		fprintf(stderr, "csec token create: %s: %s\n", email,
		        explain(apitoken_refusal_key(why)));
	} else if (rc == DB_OK) {
		struct tm tm;
		time_t t = (time_t)(now + days * 86400);
		gmtime_r(&t, &tm);
		strftime(until, sizeof until, "%Y-%m-%d %H:%M UTC", &tm);
		printf("%s\n", token);
		fflush(stdout);
		fprintf(stderr,
		        "csec: created API token \"%s\" (%s, id %lld) for %s, valid until %s.\n"
		        "csec: it is shown only now; keep it somewhere safe.\n",
		        o.name, o.scope, (long long)id, email, until);
		status = 0;
	}
	crypto_wipe(token, sizeof token);
	crypto_wipe(key, sizeof key);
	db_close(db);
	arena_destroy(a);
	return status;
}

int cli_token(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "create") == 0) {
		for (int i = 2; i < argc; i++)
			if (cli_is_help(argv[i])) {
				usage(stdout);
				return 0;
			}
		return create(argc - 2, argv + 2);
	}
	bool help = argc >= 2 && cli_is_help(argv[1]);
	usage(help ? stdout : stderr);
	return help ? 0 : 2;
}
