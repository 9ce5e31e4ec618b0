/* cli/audit.c — `csec audit verify`: reads the deployment secret (never
 * creating it: a new secret could only say that every checkpoint is wrong),
 * opens the store without migrating it (verifying writes nothing) and walks
 * the audit log with audit_verify. Safe while a server runs. */
#include "cli/audit.h"
#include "cli/cli.h"

#include "audit/audit.h"
#include "core/crypto.h"
#include "core/secret.h"
#include "db/db.h"
#include "db/migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The schema version that creates audit_log (0002_audit.sql). */
#define AUDIT_SCHEMA_VERSION 2

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: csec audit verify [--data DIR] [--db URL] [--secret-file FILE]\n\n"
	        "Checks the audit log: every record's hash, every link of the chain, and the\n"
	        "checkpoint kept under the deployment secret. See csec audit verify --help.\n");
}

static void verify_help(void)
{
	printf("usage: csec audit verify [--data DIR] [--db URL] [--secret-file FILE]\n\n"
	       "Walks the whole audit log and checks that no record was changed, deleted,\n"
	       "reordered or cut off the end. Exits 0 and prints \"audit log intact: N records\"\n"
	       "when it holds; exits 1 naming the first bad record when it does not, or when\n"
	       "it cannot check (no secret file, store not reachable or not migrated).\n"
	       "Writes nothing; safe while a server runs.\n\n"
	       "  --data DIR           data directory (CSEC_DATA; default ./var)\n"
	       "  --db URL             sqlite:PATH or postgresql://... (CSEC_DB; default\n"
	       "                       sqlite:<data>/csec.db)\n"
	       "  --secret-file FILE   the deployment secret the servers use (CSEC_SECRET_FILE;\n"
	       "                       default <data>/secret.key; never created here)\n");
}

/* 0 to go on, 1 after --help, -1 on bad usage (printed). */
static int parse(int argc, char **argv, struct cli_store *s, const char **secret_file)
{
	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			verify_help();
			return 1;
		}
		int took = cli_store_option(s, argc, argv, &i);
		if (took < 0)
			return -1;
		if (took)
			continue;
		if (strcmp(argv[i], "--secret-file") == 0) {
			if (i + 1 >= argc || argv[i + 1][0] == '\0') {
				fprintf(stderr, "csec audit verify: --secret-file needs a value\n");
				return -1;
			}
			*secret_file = argv[++i];
			continue;
		}
		fprintf(stderr,
		        "csec audit verify: unexpected argument \"%s\" (see csec audit verify "
		        "--help)\n",
		        argv[i]);
		return -1;
	}
	if (!*secret_file) {
		const char *env = getenv("CSEC_SECRET_FILE");
		*secret_file = env && env[0] ? env : NULL;
	}
	return 0;
}

static int verify(int argc, char **argv)
{
	struct cli_store s = {0};
	const char *secret_file = NULL;
	char path[4200], err[512], msg[512];
	uint8_t key[CRYPTO_KEY_BYTES];
	struct db *db = NULL;
	int64_t bad = 0;
	int version = 0, status = 1, rc;

	rc = parse(argc, argv, &s, &secret_file);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	if (crypto_init() != 0) {
		fprintf(stderr, "csec audit verify: libsodium cannot start\n");
		return 1;
	}
	if (cli_store_resolve(&s) != 0)
		return 1;
	if (!secret_file) {
		snprintf(path, sizeof(path), "%s/secret.key", s.data);
		secret_file = path;
	}
	if (secret_load(secret_file, 0, key, err, sizeof(err)) != 0) {
		fprintf(stderr,
		        "csec audit verify: %s\n(the checkpoint is checked with the deployment's "
		        "secret: give the file the servers use with --secret-file)\n",
		        err);
		return 1;
	}
	db = cli_store_open(&s, false);
	if (!db)
		goto out;
	if (db_schema_version(db, &version) != DB_OK) {
		fprintf(stderr, "csec audit verify: cannot read the schema version: %s\n",
		        db_errmsg(db));
		goto out;
	}
	if (version < AUDIT_SCHEMA_VERSION) {
		fprintf(stderr,
		        "csec audit verify: the store has no audit log yet (schema version %d): "
		        "run csec migrate\n",
		        version);
		goto out;
	}
	rc = audit_verify(db, key, &bad, msg, sizeof(msg));
	if (rc == 0) {
		fprintf(stderr, "%s\n", msg);
		status = 0;
	} else if (rc == AUDIT_EBROKEN) {
		fprintf(stderr, "csec audit verify: the audit log is NOT intact: %s\n", msg);
	} else {
		fprintf(stderr, "csec audit verify: cannot read the audit log: %s\n", msg);
	}
out:
	crypto_wipe(key, sizeof(key));
	db_close(db);
	return status;
}

int cli_audit(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (cli_is_help(argv[1])) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "verify") == 0)
		return verify(argc - 1, argv + 1);
	fprintf(stderr, "csec audit: unknown subcommand \"%s\"\n\n", argv[1]);
	usage(stderr);
	return 2;
}
