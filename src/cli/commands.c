/* cli/commands.c — the small commands: migrate, backup, restore, routes,
 * version. Each parses its options, does one thing, and says what it did on
 * stderr. */
#include "cli/cli.h"

#include "app/routes.h"
#include "auth/policy.h"
#include "db/db.h"
#include "db/migrate.h"
#include "version.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STORE_HELP                                                                                 \
	"  --data DIR   data directory (CSEC_DATA; default ./var)\n"                               \
	"  --db URL     sqlite:PATH or postgresql://... (CSEC_DB; default\n"                       \
	"               sqlite:<data>/csec.db)\n"

/* Parses the store options and at most one positional argument (when pos is
 * not NULL) plus --out FILE (when out is not NULL). 0, 1 for --help, or -1. */
static int parse(const char *cmd, int argc, char **argv, struct cli_store *s, const char **pos,
                 const char **out)
{
	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i]))
			return 1;
		int took = cli_store_option(s, argc, argv, &i);
		if (took < 0)
			return -1;
		if (took)
			continue;
		if (out && strcmp(argv[i], "--out") == 0 && i + 1 < argc && argv[i + 1][0]) {
			*out = argv[++i];
		} else if (pos && !*pos && argv[i][0] != '-') {
			*pos = argv[i];
		} else {
			fprintf(stderr,
			        "csec %s: unexpected argument \"%s\" (see csec %s --help)\n", cmd,
			        argv[i], cmd);
			return -1;
		}
	}
	return 0;
}

int cli_migrate(int argc, char **argv)
{
	struct cli_store s = {0};
	int rc = parse("migrate", argc, argv, &s, NULL, NULL);
	if (rc == 1) {
		printf("usage: csec migrate [--data DIR] [--db URL]\n\n"
		       "Applies the schema migrations the store does not have yet. Safe while a "
		       "server runs.\n\n" STORE_HELP);
		return 0;
	}
	if (rc < 0 || cli_store_resolve(&s) != 0)
		return rc < 0 ? 2 : 1;
	struct db *db = cli_store_open(&s, true);
	if (!db)
		return 1;
	int version = 0;
	db_schema_version(db, &version);
	fprintf(stderr, "csec: the store is at schema version %d (the newest this binary knows)\n",
	        version);
	db_close(db);
	return 0;
}

int cli_backup(int argc, char **argv)
{
	struct cli_store s = {0};
	const char *out = NULL;
	int rc = parse("backup", argc, argv, &s, NULL, &out);
	if (rc == 1) {
		printf("usage: csec backup --out FILE [--data DIR] [--db URL]\n\n"
		       "Writes a consistent copy of a SQLite store to FILE, also while a server "
		       "runs.\nFor PostgreSQL use pg_dump (docs/deploy.md).\n\n"
		       "  --out FILE   where to write the copy (must not exist)\n" STORE_HELP);
		return 0;
	}
	if (rc < 0)
		return 2;
	if (!out) {
		fprintf(stderr, "csec backup: --out FILE is required\n");
		return 2;
	}
	if (access(out, F_OK) == 0) {
		fprintf(stderr, "csec backup: %s already exists; choose a new file name\n", out);
		return 1;
	}
	if (cli_store_resolve(&s) != 0)
		return 1;
	struct db *db = cli_store_open(&s, false);
	if (!db)
		return 1;
	rc = db_backup_to(db, out);
	if (rc != DB_OK)
		fprintf(stderr, "csec backup: %s\n", db_errmsg(db));
	else
		fprintf(stderr, "csec: wrote a backup of the store to %s\n", out);
	db_close(db);
	return rc == DB_OK ? 0 : 1;
}

int cli_restore(int argc, char **argv)
{
	struct cli_store s = {0};
	const char *file = NULL;
	int rc = parse("restore", argc, argv, &s, &file, NULL);
	if (rc == 1) {
		printf("usage: csec restore FILE [--data DIR] [--db URL]\n\n"
		       "Replaces a SQLite store with the backup in FILE. Refuses while a server "
		       "runs on\nthe data directory: stop it first. For PostgreSQL use pg_restore "
		       "(docs/deploy.md).\n\n" STORE_HELP);
		return 0;
	}
	if (rc < 0)
		return 2;
	if (!file) {
		fprintf(stderr, "csec restore: name the backup file to restore\n");
		return 2;
	}
	if (access(file, R_OK) != 0) {
		fprintf(stderr, "csec restore: cannot read %s\n", file);
		return 1;
	}
	if (cli_store_resolve(&s) != 0)
		return 1;
	int lock = cli_lock_data(s.data, true);
	if (lock == -1) {
		fprintf(stderr, "csec restore: a server is running on %s; stop it first\n", s.data);
		return 1;
	}
	if (lock < 0)
		return 1;
	struct db *db = cli_store_open(&s, false);
	rc = db ? db_restore_from(db, file) : DB_ERR;
	if (db && rc != DB_OK)
		fprintf(stderr, "csec restore: %s\n", db_errmsg(db));
	else if (db)
		fprintf(stderr, "csec: restored the store from %s\n", file);
	db_close(db);
	close(lock);
	return rc == DB_OK ? 0 : 1;
}

int cli_routes(int argc, char **argv)
{
	bool json = false, diagnostics = false;
	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			printf("usage: csec routes [--json] [--diagnostics]\n\n"
			       "Prints the route table: method, path, permission, and whether the "
			       "route\nchanges state (then it needs the Origin and CSRF "
			       "checks).\n");
			return 0;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--diagnostics") == 0) {
			diagnostics = true;
		} else {
			fprintf(stderr, "csec routes: unexpected argument \"%s\"\n", argv[i]);
			return 2;
		}
	}
	struct dispatch_table t;
	app_routes(diagnostics, &t);
	if (!json) {
		for (size_t i = 0; i < t.count; i++)
			printf("%-6s %-28s %-12s %-4s %s\n", t.routes[i].method,
			       t.routes[i].pattern, t.routes[i].permission,
			       t.routes[i].csrf ? "csrf" : "-", t.routes[i].slow ? "slow" : "-");
		return 0;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < t.count; i++) {
		const struct route *r = &t.routes[i];
		/* Who holds the permission, so tests (the authorization matrix)
		 * check every route against the policy table itself. */
		struct policy_row pr;
		if (!policy_describe(r->permission, &pr))
			pr = (struct policy_row){.who = "nobody", .scope = "none"};
		json_t *roles = json_array();
		for (int k = 0; k < POLICY_ROLES; k++)
			if (pr.roles & (1u << k))
				json_array_append_new(roles, json_string(policy_role_name(k)));
		json_array_append_new(
		        arr,
		        json_pack("{s:s, s:s, s:s, s:b, s:s, s:{s:b, s:b, s:b, s:o, s:s}}",
		                  "method", r->method, "path", r->pattern, "permission",
		                  r->permission, "csrf", r->csrf, "summary",
		                  r->summary ? r->summary : "", "policy", "anyone", pr.anyone,
		                  "signed_in", pr.signed_in, "site_admin", pr.site_admin, "roles",
		                  roles, "scope", pr.scope));
	}
	char *s = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(arr);
	if (!s)
		return 1;
	puts(s);
	free(s);
	return 0;
}

int cli_version(int argc, char **argv)
{
	if (argc > 1 && cli_is_help(argv[1])) {
		printf("usage: csec version\n\nPrints the version of this binary.\n");
		return 0;
	}
	printf("csec %s\n", CSEC_VERSION);
	return 0;
}
