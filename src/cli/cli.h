/* cli/cli.h — the `csec` commands and the options they share. Every command
 * that touches the store takes --data and --db (or CSEC_DATA / CSEC_DB).
 * Commands print secrets alone on stdout and everything else on stderr. */
#ifndef CSEC_CLI_CLI_H
#define CSEC_CLI_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

struct db;

int cli_serve(int argc, char **argv);
int cli_migrate(int argc, char **argv);
int cli_backup(int argc, char **argv);
int cli_restore(int argc, char **argv);
int cli_routes(int argc, char **argv);
int cli_version(int argc, char **argv);
int cli_org(int argc, char **argv);
int cli_user(int argc, char **argv);
int cli_admin(int argc, char **argv);
/* `csec content SUBCOMMAND` (cli/content.c; the store commands are in
 * cli/content_store.c). */
int cli_content(int argc, char **argv);

/* Where the store is: from --data/--db, else CSEC_DATA/CSEC_DB, else ./var
 * and sqlite:<data>/csec.db. */
struct cli_store {
	const char *data;
	const char *db_url;
	char default_url[4200];
};

/* Consumes --data DIR and --db URL at argv[*i] (advancing *i). Returns 1 when
 * it took an option, 0 when argv[*i] is not one of them, -1 on a missing
 * value (after printing why). */
int cli_store_option(struct cli_store *s, int argc, char **argv, int *i);

/* Fills the defaults and creates the data directory (mode 0700) when the
 * store is SQLite. 0, or -1 after printing why. */
int cli_store_resolve(struct cli_store *s);

/* Opens the store and brings its schema up to date, printing progress.
 * Returns the connection or NULL after printing why. */
struct db *cli_store_open(const struct cli_store *s, bool migrate);

/* For commands that write audit records: resolves the store, loads the
 * deployment secret into key (from secret_file, else CSEC_SECRET_FILE,
 * else <data>/secret.key, created when missing) and opens the store,
 * migrated. The connection, or NULL after printing why. */
struct db *cli_store_open_keyed(struct cli_store *s, const char *secret_file, uint8_t key[32]);

/* While the store has no site admin, makes a one-time setup URL under
 * public_url and prints it alone on standard output (with an explanation on
 * standard error). Returns 1 when printed, 0 when a site admin exists, -1
 * on failure (printed). */
int cli_print_setup_url(struct db *db, const char *public_url);

/* true when argv[i] is -h or --help. */
bool cli_is_help(const char *arg);

/* Takes the data directory's lock: shared while `serve` runs (several
 * servers may share a directory), exclusive for `restore`. Returns a file
 * descriptor, -1 when the lock is held in a conflicting mode, -2 on another
 * error (printed). */
int cli_lock_data(const char *data_dir, bool exclusive);

#endif
