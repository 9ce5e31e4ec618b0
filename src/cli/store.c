/* cli/store.c — the store options every command shares, and the data
 * directory's lock. */
#include "cli/cli.h"

#include "auth/accounts.h"
#include "auth/setup.h"
#include "core/crypto.h"
#include "core/secret.h"
#include "db/db.h"
#include "db/migrate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

bool cli_is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int cli_store_option(struct cli_store *s, int argc, char **argv, int *i)
{
	const char *opt = argv[*i];
	const char **slot = NULL;
	if (strcmp(opt, "--data") == 0)
		slot = &s->data;
	else if (strcmp(opt, "--db") == 0)
		slot = &s->db_url;
	else
		return 0;
	if (*i + 1 >= argc || argv[*i + 1][0] == '\0') {
		fprintf(stderr, "csec: %s needs a value\n", opt);
		return -1;
	}
	*slot = argv[++*i];
	return 1;
}

static int mkdir_p(const char *dir)
{
	char path[4096];
	if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
		return -ENAMETOOLONG;
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int cli_store_resolve(struct cli_store *s)
{
	if (!s->data)
		s->data = getenv("CSEC_DATA");
	if (!s->data || !s->data[0])
		s->data = "./var";
	if (!s->db_url)
		s->db_url = getenv("CSEC_DB");
	if (!s->db_url || !s->db_url[0]) {
		if (snprintf(s->default_url, sizeof s->default_url, "sqlite:%s/csec.db", s->data) >=
		    (int)sizeof s->default_url) {
			fprintf(stderr, "csec: the data directory path is too long\n");
			return -1;
		}
		s->db_url = s->default_url;
	}
	int rc = mkdir_p(s->data);
	if (rc != 0) {
		fprintf(stderr, "csec: cannot create the data directory %s: %s\n", s->data,
		        strerror(-rc));
		return -1;
	}
	return 0;
}

static void print_progress(void *ctx, int version, const char *name)
{
	(void)ctx;
	fprintf(stderr, "csec: applying migration %04d %s\n", version, name);
}

struct db *cli_store_open(const struct cli_store *s, bool migrate)
{
	struct db *db;
	char err[512];
	if (db_open(s->db_url, &db, err, sizeof err) != DB_OK) {
		fprintf(stderr, "csec: cannot open the store: %s\n", err);
		return NULL;
	}
	if (migrate && db_migrate(db, print_progress, NULL) != DB_OK) {
		fprintf(stderr, "csec: migration failed: %s\n", db_errmsg(db));
		db_close(db);
		return NULL;
	}
	return db;
}

int cli_lock_data(const char *data_dir, bool exclusive)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/serve.lock", data_dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "csec: cannot open %s: %s\n", path, strerror(errno));
		return -2;
	}
	if (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
		int e = errno;
		close(fd);
		if (e == EWOULDBLOCK)
			return -1;
		fprintf(stderr, "csec: cannot lock %s: %s\n", path, strerror(e));
		return -2;
	}
	return fd;
}

int cli_print_setup_url(struct db *db, const char *public_url)
{
	bool exists = false;
	char token[SETUP_TOKEN_LEN + 1];
	int rc = accounts_site_admin_exists(db, &exists);
	if (rc == DB_OK && exists)
		return 0;
	if (rc == DB_OK)
		rc = db_begin_write(db);
	if (rc == DB_OK)
		rc = setup_token_create(db, (int64_t)time(NULL), token);
	if (rc == DB_OK)
		rc = db_commit(db);
	if (rc != DB_OK) {
		db_rollback(db);
		fprintf(stderr, "csec: cannot make a setup URL: %s\n", db_errmsg(db));
		return -1;
	}
	fprintf(stderr,
	        "csec: this portal has no site administrator yet. Open the address below "
	        "within an hour to create one\n"
	        "csec: (it works once; `csec admin setup-url` makes a new one):\n");
	printf("%s/setup/%s\n", public_url, token);
	fflush(stdout);
	return 1;
}

struct db *cli_store_open_keyed(struct cli_store *s, const char *secret_file, uint8_t key[32])
{
	char err[512], path[4200];
	if (crypto_init() != 0 || cli_store_resolve(s) != 0)
		return NULL;
	if (!secret_file)
		secret_file = getenv("CSEC_SECRET_FILE");
	if (!secret_file || !secret_file[0]) {
		snprintf(path, sizeof path, "%s/secret.key", s->data);
		secret_file = path;
	}
	if (secret_load(secret_file, 1, key, err, sizeof err) != 0) {
		fprintf(stderr, "csec: %s\n", err);
		return NULL;
	}
	return cli_store_open(s, true);
}
