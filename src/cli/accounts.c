/* cli/accounts.c — scripted set-up from the shell: `csec org add`,
 * `csec user add` and `csec admin create`. People made here are active with
 * a verified email (DESIGN.md §4); passwords come from standard input, never
 * from the command line where other users could see them; every change is
 * audited with the actor "cli". */
#include "cli/cli.h"

#include "audit/audit.h"
#include "auth/accounts.h"
#include "auth/password.h"
#include "core/crypto.h"
#include "core/secret.h"
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PASSWORD_BYTES 1024

struct opts {
	struct cli_store store;
	const char *name, *kind, *state, *slug, *email, *org, *role, *secret_file;
	bool password_stdin;
};

/* The message texts CLI users see are the portal's own, from the catalogue,
 * but the CLI does not load templates: these keys are explained inline. */
static const char *explain(const char *key)
{
	static const struct {
		const char *key, *text;
	} texts[] = {
	        {"account.email.missing", "--email is required"},
	        {"account.email.invalid", "--email must be an address like name@example.org"},
	        {"account.name.missing", "--name is required"},
	        {"account.name.invalid",
	         "--name must be at most 200 characters, no control characters"},
	        {"account.role.invalid",
	         "--role must be one of org_admin, leader, trainer, editor, "
	         "officer, partner, analyst"},
	        {"org.slug.invalid", "--slug must be 2-64 lower-case letters, digits and hyphens"},
	        {"org.kind.invalid",
	         "--kind must be one of law_enforcement, prosecutor, "
	         "child_welfare, victim_services, school, juvenile_justice, "
	         "probation_parole, health, community, federal, coordinator"},
	        {"org.state.invalid", "--state must be a two-letter postal code such as VA"},
	        {"password.too_short", "the password must have at least 8 characters"},
	        {"password.too_long", "the password must have at most 128 characters"},
	        {"password.common",
	         "the password is on the list of common passwords; choose "
	         "another"},
	        {"password.invalid", "the password must be UTF-8 text without NUL bytes"},
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		if (strcmp(texts[i].key, key) == 0)
			return texts[i].text;
	return key;
}

static int parse(const char *cmd, int argc, char **argv, struct opts *o)
{
	static const struct {
		const char *flag;
		size_t off;
	} flags[] = {
	        {"--name", offsetof(struct opts, name)},
	        {"--kind", offsetof(struct opts, kind)},
	        {"--state", offsetof(struct opts, state)},
	        {"--slug", offsetof(struct opts, slug)},
	        {"--email", offsetof(struct opts, email)},
	        {"--org", offsetof(struct opts, org)},
	        {"--role", offsetof(struct opts, role)},
	        {"--secret-file", offsetof(struct opts, secret_file)},
	};
	for (int i = 0; i < argc; i++) {
		int took = cli_store_option(&o->store, argc, argv, &i);
		if (took < 0)
			return -1;
		if (took)
			continue;
		if (strcmp(argv[i], "--password-stdin") == 0) {
			o->password_stdin = true;
			continue;
		}
		size_t k = 0;
		while (k < sizeof flags / sizeof flags[0] && strcmp(argv[i], flags[k].flag) != 0)
			k++;
		if (k == sizeof flags / sizeof flags[0] || i + 1 >= argc) {
			fprintf(stderr, "csec %s: %s \"%s\" (see csec %s --help)\n", cmd,
			        k == sizeof flags / sizeof flags[0] ? "unexpected argument"
			                                            : "missing value for",
			        argv[i], cmd);
			return -1;
		}
		*(const char **)(void *)((char *)o + flags[k].off) = argv[++i];
	}
	return 0;
}

/* Reads one line (the password) from standard input into buf. */
static int read_password(char *buf, size_t cap, size_t *len)
{
	if (!fgets(buf, (int)cap, stdin)) {
		fprintf(stderr, "csec: no password on standard input\n");
		return -1;
	}
	size_t n = strlen(buf);
	if (n == cap - 1 && buf[n - 1] != '\n') {
		fprintf(stderr, "csec: the password is too long\n");
		return -1;
	}
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	*len = n;
	return 0;
}

static int audit_cli(struct db *db, const uint8_t key[CRYPTO_KEY_BYTES], const char *action,
                     int64_t org_id, const char *type, const char *target)
{
	struct audit_event e = {.actor = "cli",
	                        .org_id = org_id,
	                        .action = action,
	                        .target_type = type,
	                        .target_id = target,
	                        .outcome = "success",
	                        .source = "cli"};
	return audit_append(db, key, &e);
}

/* Hashes the password from stdin after checking it against the policy. */
static int take_password(char out[PASSWORD_HASH_BYTES])
{
	char pw[MAX_PASSWORD_BYTES + 2];
	size_t len;
	if (read_password(pw, sizeof pw, &len) != 0)
		return -1;
	int rule = password_check_policy(pw, len);
	int rc = -1;
	if (rule != PASSWORD_OK)
		fprintf(stderr, "csec: %s\n", explain(password_policy_key(rule)));
	else if (password_hash(pw, len, out) != 0)
		fprintf(stderr, "csec: could not hash the password\n");
	else
		rc = 0;
	crypto_wipe(pw, sizeof pw);
	return rc;
}

static int org_add(int argc, char **argv)
{
	struct opts o = {0};
	uint8_t key[CRYPTO_KEY_BYTES];
	char slug[65];
	if (parse("org add", argc, argv, &o) != 0)
		return 2;
	const char *bad = accounts_check_name(o.name);
	if (!bad)
		bad = accounts_check_org_kind(o.kind);
	if (!bad)
		bad = accounts_check_state(o.state);
	if (!bad) {
		if (o.slug)
			snprintf(slug, sizeof slug, "%s", o.slug);
		else
			accounts_slugify(o.name, slug, sizeof slug);
		bad = accounts_check_slug(slug);
	}
	if (bad) {
		fprintf(stderr, "csec org add: %s\n", explain(bad));
		return 2;
	}
	struct db *db = cli_store_open_keyed(&o.store, o.secret_file, key);
	if (!db)
		return 1;
	int64_t id = 0;
	int rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = accounts_org_create(db, slug, o.name, o.kind, o.state, &id);
	if (rc == DB_OK)
		rc = audit_cli(db, key, "org.create", id, "organization", slug);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		fprintf(stderr, "csec org add: %s\n",
		        rc == DB_ECONSTRAINT ? "an organization with that short name already exists"
		                             : db_errmsg(db));
		db_rollback(db);
	} else {
		fprintf(stderr, "csec: created organization \"%s\" (%s)\n", o.name, slug);
	}
	crypto_wipe(key, sizeof key);
	db_close(db);
	return rc == DB_OK ? 0 : 1;
}

/* user add (with --org and --role) and admin create (site admin, no org). */
static int user_add(const char *cmd, int argc, char **argv, bool site_admin)
{
	struct opts o = {0};
	uint8_t key[CRYPTO_KEY_BYTES];
	char email[256], hash[PASSWORD_HASH_BYTES];
	if (parse(cmd, argc, argv, &o) != 0)
		return 2;
	const char *bad = accounts_check_email(o.email, email, sizeof email);
	if (!bad)
		bad = accounts_check_name(o.name);
	if (!bad && !site_admin) {
		bad = accounts_check_role(o.role);
		if (!bad && !o.org)
			bad = "org.slug.invalid";
	}
	if (bad) {
		fprintf(stderr, "csec %s: %s\n", cmd, explain(bad));
		return 2;
	}
	if (!o.password_stdin) {
		fprintf(stderr,
		        "csec %s: give the password on standard input with "
		        "--password-stdin\n",
		        cmd);
		return 2;
	}
	if (crypto_init() != 0 || password_init() != 0 || take_password(hash) != 0)
		return 1;
	struct db *db = cli_store_open_keyed(&o.store, o.secret_file, key);
	if (!db)
		return 1;
	int64_t org_id = 0, user_id = 0;
	int rc = db_begin_write(db);
	if (rc == DB_OK && !site_admin) {
		rc = accounts_org_by_slug(db, o.org, &org_id);
		if (rc == DB_DONE) {
			fprintf(stderr, "csec %s: no organization has the short name \"%s\"\n", cmd,
			        o.org);
			db_rollback(db);
			db_close(db);
			return 1;
		}
	}
	if (rc == DB_OK)
		rc = accounts_user_create(db, email, o.name, hash, site_admin, &user_id);
	if (rc == DB_OK && !site_admin)
		rc = accounts_membership_add(db, user_id, org_id, o.role);
	if (rc == DB_OK)
		rc = audit_cli(db, key, site_admin ? "admin.create" : "user.create", org_id, "user",
		               email);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		fprintf(stderr, "csec %s: %s\n", cmd,
		        rc == DB_ECONSTRAINT ? "an account with that email address already exists"
		                             : db_errmsg(db));
		db_rollback(db);
	} else {
		fprintf(stderr, "csec: created %s %s\n", site_admin ? "site admin" : "user", email);
	}
	crypto_wipe(key, sizeof key);
	crypto_wipe(hash, sizeof hash);
	db_close(db);
	return rc == DB_OK ? 0 : 1;
}

int cli_org(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0 && !(argc >= 3 && cli_is_help(argv[2])))
		return org_add(argc - 2, argv + 2);
	printf("usage: csec org add --name NAME --kind KIND [--state ST] [--slug SLUG]\n"
	       "                    [--data DIR] [--db URL] [--secret-file FILE]\n\n"
	       "Creates an organization. KIND is one of law_enforcement, prosecutor,\n"
	       "child_welfare, victim_services, school, juvenile_justice, probation_parole,\n"
	       "health, community, federal, coordinator. The short name (slug) defaults to\n"
	       "one made from the name.\n");
	return argc >= 2 && !cli_is_help(argv[1]) && strcmp(argv[1], "add") != 0 ? 2 : 0;
}

int cli_user(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0 && !(argc >= 3 && cli_is_help(argv[2])))
		return user_add("user add", argc - 2, argv + 2, false);
	printf("usage: csec user add --email EMAIL --name NAME --org SLUG --role ROLE\n"
	       "                     --password-stdin [--data DIR] [--db URL]\n\n"
	       "Creates an active user with a verified email as a member of the organization\n"
	       "with that short name. ROLE is one of org_admin, leader, trainer, editor,\n"
	       "officer, partner, analyst. The password is read from standard input.\n");
	return argc >= 2 && !cli_is_help(argv[1]) && strcmp(argv[1], "add") != 0 ? 2 : 0;
}

/* `csec admin setup-url [--public-url URL]`: a fresh one-time setup URL,
 * alone on standard output. */
static int setup_url(int argc, char **argv)
{
	struct opts o = {0};
	const char *public_url = getenv("CSEC_PUBLIC_URL");
	for (int i = 0; i < argc; i++) {
		int took = cli_store_option(&o.store, argc, argv, &i);
		if (took < 0)
			return 2;
		if (took)
			continue;
		if (strcmp(argv[i], "--public-url") == 0 && i + 1 < argc) {
			public_url = argv[++i];
			continue;
		}
		fprintf(stderr, "csec admin setup-url: unexpected argument \"%s\"\n", argv[i]);
		return 2;
	}
	if (!public_url || !public_url[0])
		public_url = "http://127.0.0.1:8080";
	size_t n = strlen(public_url);
	while (n > 0 && public_url[n - 1] == '/')
		n--;
	char base[512];
	snprintf(base, sizeof base, "%.*s", (int)n, public_url);
	if (crypto_init() != 0 || cli_store_resolve(&o.store) != 0)
		return 1;
	struct db *db = cli_store_open(&o.store, true);
	if (!db)
		return 1;
	int rc = cli_print_setup_url(db, base);
	db_close(db);
	if (rc == 0)
		fprintf(stderr,
		        "csec admin setup-url: this portal has a site administrator already; "
		        "use `csec admin create` to add another\n");
	return rc == 1 ? 0 : 1;
}

int cli_admin(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "setup-url") == 0 && !(argc >= 3 && cli_is_help(argv[2])))
		return setup_url(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "create") == 0 && !(argc >= 3 && cli_is_help(argv[2])))
		return user_add("admin create", argc - 2, argv + 2, true);
	printf("usage: csec admin create --email EMAIL --name NAME --password-stdin\n"
	       "                         [--data DIR] [--db URL]\n"
	       "       csec admin setup-url [--public-url URL] [--data DIR] [--db URL]\n\n"
	       "create: makes a site administrator (active, email verified); the password is\n"
	       "read from standard input.\n"
	       "setup-url: prints a fresh one-time setup URL (valid one hour) that creates the\n"
	       "first site administrator and organization in the browser; only while the\n"
	       "portal has no site administrator.\n");
	return argc >= 2 && !cli_is_help(argv[1]) && strcmp(argv[1], "create") != 0 &&
	                strcmp(argv[1], "setup-url") != 0
	        ? 2
	        : 0;
}
