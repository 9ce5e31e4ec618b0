/* cli/content_store.c — `csec content import|export|versions|rollback`
 * (see content_store.h). The shell is the operator's: what these do is
 * audited with the actor "cli". Problems of a pack go to standard error as
 * `file:line: message`, one a line, like `csec content validate`. */
#include "cli/content_store.h"

#include "cli/cli.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "core/str.h"
#include "db/db.h"
#include "features/library/pack.h"
#include "features/library/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ARENA_CAP (1024u << 20) /* a pack at its limits, rendered, and its rows */

#define STORE_HELP                                                                                 \
	"  --data DIR          data directory (CSEC_DATA; default ./var)\n"                        \
	"  --db URL            sqlite:PATH or postgresql://... (CSEC_DB; default\n"                \
	"                      sqlite:<data>/csec.db)\n"
#define SECRET_HELP                                                                                \
	"  --secret-file FILE  the deployment secret, for the audit record\n"                      \
	"                      (CSEC_SECRET_FILE; default <data>/secret.key)\n"

struct opts {
	struct cli_store store;
	const char *pos; /* DIR or VERSION_ID */
	const char *secret_file;
	const char *pack;
};

static const struct library_actor shell = {.name = "cli", .source = "cli"};

/* Parses the store options, --secret-file, --pack (when allowed) and one
 * positional argument. 0, 1 for --help, -1 on bad usage (printed). */
static int parse(const char *cmd, int argc, char **argv, struct opts *o, bool with_pack)
{
	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i]))
			return 1;
		int took = cli_store_option(&o->store, argc, argv, &i);
		if (took < 0)
			return -1;
		if (took)
			continue;
		const char **slot = NULL;
		if (strcmp(argv[i], "--secret-file") == 0)
			slot = &o->secret_file;
		else if (with_pack && strcmp(argv[i], "--pack") == 0)
			slot = &o->pack;
		if (slot) {
			if (i + 1 >= argc || !argv[i + 1][0]) {
				fprintf(stderr, "csec content %s: %s needs a value\n", cmd,
				        argv[i]);
				return -1;
			}
			*slot = argv[++i];
		} else if (!o->pos && argv[i][0] != '-') {
			o->pos = argv[i];
		} else {
			fprintf(stderr,
			        "csec content %s: unexpected argument \"%s\" (see csec content %s "
			        "--help)\n",
			        cmd, argv[i], cmd);
			return -1;
		}
	}
	return 0;
}

static void print_problems(const struct pack_problems *pr)
{
	for (size_t i = 0; i < pr->n; i++) {
		const struct pack_problem *p = &pr->items[i];
		if (p->line > 0)
			fprintf(stderr, "%s:%d: %s\n", p->file, p->line, p->message);
		else
			fprintf(stderr, "%s: %s\n", p->file, p->message);
	}
}

static void print_result(const char *what, const struct library_result *r)
{
	fprintf(stderr,
	        "csec: %s pack %s version %s (version id %lld): %zu added, %zu updated, %zu "
	        "unchanged, %zu waiting (edited locally, not overwritten), %zu unpublished\n",
	        what, r->pack, r->version, (long long)r->version_id, r->added, r->updated,
	        r->unchanged, r->waiting, r->unpublished);
}

/* ---------------------------------------------------------------- import */

int cli_content_import(int argc, char **argv)
{
	struct opts o = {0};
	int rc = parse("import", argc, argv, &o, false);
	if (rc == 1) {
		printf("usage: csec content import DIR [--data DIR] [--db URL] [--secret-file "
		       "FILE]\n\n"
		       "Checks the content pack in DIR like `csec content validate` and, when it "
		       "is\n"
		       "clean, imports it as a new version in one transaction: new pages are "
		       "added,\n"
		       "changed ones get a new revision, pages this version no longer holds are\n"
		       "unpublished. A page edited in the portal is never overwritten: the pack's\n"
		       "text waits for an editor. The previous version is kept (csec content\n"
		       "versions, csec content rollback). A pack with problems changes "
		       "nothing.\n\n" STORE_HELP SECRET_HELP);
		return 0;
	}
	if (rc < 0)
		return 2;
	if (!o.pos) {
		fprintf(stderr, "csec content import: name the pack's directory\n");
		return 2;
	}
	struct arena *a = arena_create(ARENA_CAP);
	if (!a) {
		fprintf(stderr, "csec content import: out of memory\n");
		return 1;
	}
	struct pack_problems pr;
	struct pack_file *files = NULL;
	struct pack p;
	size_t n = 0;
	int status = 1;
	struct db *db = NULL;
	uint8_t key[CRYPTO_KEY_BYTES];
	pack_problems_init(&pr, a);
	rc = pack_files_from_dir(a, o.pos, &files, &n, &pr);
	if (rc < 0) {
		print_problems(&pr);
		fprintf(stderr, "csec content import: cannot read %s: %s\n", o.pos, strerror(-rc));
		goto out;
	}
	if (pr.n == 0 && pack_load(a, files, n, &p, &pr) != 0) {
		fprintf(stderr, "csec content import: out of memory\n");
		goto out;
	}
	if (pr.n > 0) {
		print_problems(&pr);
		fprintf(stderr, "csec content import: %zu problem(s); nothing was imported\n",
		        pr.n);
		goto out;
	}
	db = cli_store_open_keyed(&o.store, o.secret_file, key);
	if (!db)
		goto out;
	struct library_result r;
	rc = library_import(db, a, key, &shell, &p, LIBRARY_FROM_CLI, 0, &pr, &r);
	crypto_wipe(key, sizeof key);
	if (rc == LIBRARY_EINVALID) {
		print_problems(&pr);
		fprintf(stderr, "csec content import: %zu problem(s); nothing was imported\n",
		        pr.n);
	} else if (rc != DB_OK) {
		fprintf(stderr, "csec content import: the import failed, nothing was changed: %s\n",
		        db_errmsg(db));
	} else {
		print_result("imported", &r);
		status = 0;
	}
out:
	db_close(db);
	arena_destroy(a);
	return status;
}

/* ---------------------------------------------------------------- export */

/* true when path is a relative path of plain names (no "..", no "/"
 * first, nothing odd), so an export never writes outside its directory. */
static bool safe_path(const char *path)
{
	if (!path[0] || path[0] == '/')
		return false;
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		for (size_t i = 0; i < n; i++)
			if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
			      (p[i] >= '0' && p[i] <= '9') || strchr("._-", p[i])))
				return false;
		p += n;
		if (*p == '/')
			p++;
	}
	return true;
}

/* Creates dir's missing parents of file (a path inside dir). */
static int make_parents(const char *dir, const char *file)
{
	char path[4096];
	if (snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path)
		return -ENAMETOOLONG;
	size_t skip = strlen(dir) + 1;
	for (char *p = path + skip; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

static int write_file(const char *dir, const struct pack_file *f)
{
	char path[4096];
	if (snprintf(path, sizeof path, "%s/%s", dir, f->path) >= (int)sizeof path)
		return -ENAMETOOLONG;
	int rc = make_parents(dir, f->path);
	if (rc != 0)
		return rc;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	size_t done = 0;
	while (done < f->len) {
		ssize_t w = write(fd, f->data + done, f->len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = w < 0 ? -errno : -EIO;
			close(fd);
			return rc;
		}
		done += (size_t)w;
	}
	return close(fd) == 0 ? 0 : -errno;
}

/* 0 when dir does not exist (then it is made) or is an empty directory. */
static int prepare_dir(const char *dir)
{
	if (mkdir(dir, 0755) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	DIR *d = opendir(dir);
	if (!d)
		return -errno;
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			rc = -ENOTEMPTY;
			break;
		}
	closedir(d);
	return rc;
}

int cli_content_export(int argc, char **argv)
{
	struct opts o = {0};
	int rc = parse("export", argc, argv, &o, true);
	if (rc == 1) {
		printf("usage: csec content export DIR [--pack ID] [--data DIR] [--db URL]\n"
		       "                           [--secret-file FILE]\n\n"
		       "Writes the active version of a content pack, as the portal has it now\n"
		       "(pages edited in the portal included), to DIR: pack.json and one Markdown\n"
		       "file per page with its front matter. DIR must not exist or be empty. The\n"
		       "result passes `csec content validate` and imports again.\n\n"
		       "  --pack ID           which pack, when several are active (pack.json's "
		       "id)\n" STORE_HELP SECRET_HELP);
		return 0;
	}
	if (rc < 0)
		return 2;
	if (!o.pos) {
		fprintf(stderr, "csec content export: name the directory to write to\n");
		return 2;
	}
	struct arena *a = arena_create(ARENA_CAP);
	uint8_t key[CRYPTO_KEY_BYTES];
	struct db *db = a ? cli_store_open_keyed(&o.store, o.secret_file, key) : NULL;
	int status = 1;
	if (!db)
		goto out;
	struct pack_file *files = NULL;
	size_t n = 0;
	rc = library_export(db, a, key, &shell, o.pack, &files, &n);
	crypto_wipe(key, sizeof key);
	if (rc == DB_DONE) {
		fprintf(stderr, "csec content export: %s\n",
		        o.pack ? "no active version of that pack" : "the store holds no pack");
		goto out;
	}
	if (rc == DB_EINVAL) {
		fprintf(stderr,
		        "csec content export: several packs are active, or one has too many "
		        "files; name one with --pack ID (csec content versions lists them)\n");
		goto out;
	}
	if (rc != DB_OK) {
		fprintf(stderr, "csec content export: %s\n", db_errmsg(db));
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (!safe_path(files[i].path)) {
			fprintf(stderr, "csec content export: refusing the file name \"%s\"\n",
			        files[i].path);
			goto out;
		}
	rc = prepare_dir(o.pos);
	if (rc != 0) {
		fprintf(stderr, "csec content export: %s: %s\n", o.pos,
		        rc == -ENOTEMPTY ? "the directory is not empty" : strerror(-rc));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		rc = write_file(o.pos, &files[i]);
		if (rc != 0) {
			fprintf(stderr, "csec content export: %s/%s: %s\n", o.pos, files[i].path,
			        strerror(-rc));
			goto out;
		}
	}
	fprintf(stderr, "csec: exported %zu file(s) to %s\n", n, o.pos);
	status = 0;
out:
	db_close(db);
	arena_destroy(a);
	return status;
}

/* -------------------------------------------------------------- versions */

int cli_content_versions(int argc, char **argv)
{
	struct opts o = {0};
	int rc = parse("versions", argc, argv, &o, false);
	if (rc == 1) {
		printf("usage: csec content versions [--data DIR] [--db URL]\n\n"
		       "Lists every imported version of the content packs, newest first: its id\n"
		       "(for csec content rollback), pack, version, where it came from, when it\n"
		       "was imported, its pages, its review, and which one is "
		       "active.\n\n" STORE_HELP);
		return 0;
	}
	if (rc < 0 || o.pos) {
		if (o.pos)
			fprintf(stderr, "csec content versions: unexpected argument \"%s\"\n",
			        o.pos);
		return 2;
	}
	if (cli_store_resolve(&o.store) != 0)
		return 1;
	struct arena *a = arena_create(16u << 20);
	struct db *db = a ? cli_store_open(&o.store, true) : NULL;
	struct library_version *v = NULL;
	size_t n = 0;
	int status = 1;
	if (!db)
		goto out;
	rc = library_versions(db, a, &v, &n);
	if (rc != DB_OK) {
		fprintf(stderr, "csec content versions: %s\n", db_errmsg(db));
		goto out;
	}
	if (n == 0)
		fprintf(stderr, "csec: the store holds no content pack yet\n");
	else
		printf("%-6s %-6s %-20s %-14s %-8s %-17s %5s  %s\n", "ID", "ACTIVE", "PACK",
		       "VERSION", "FROM", "IMPORTED (UTC)", "PAGES", "REVIEW");
	for (size_t i = 0; i < n; i++) {
		char when[32];
		struct tm tm;
		time_t t = (time_t)v[i].imported_at;
		gmtime_r(&t, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
		printf("%-6lld %-6s %-20s %-14s %-8s %-17s %5lld  %s%s%s%s%s\n", (long long)v[i].id,
		       v[i].active ? "*" : "", v[i].pack, v[i].version, v[i].source, when,
		       (long long)v[i].pages, v[i].review_status,
		       v[i].reviewed_on[0] ? ", reviewed " : "", v[i].reviewed_on,
		       v[i].reviewer[0] ? " by " : "", v[i].reviewer);
	}
	status = 0;
out:
	db_close(db);
	arena_destroy(a);
	return status;
}

/* -------------------------------------------------------------- rollback */

int cli_content_rollback(int argc, char **argv)
{
	struct opts o = {0};
	int rc = parse("rollback", argc, argv, &o, false);
	if (rc == 1) {
		printf("usage: csec content rollback VERSION_ID [--data DIR] [--db URL]\n"
		       "                             [--secret-file FILE]\n\n"
		       "Makes an earlier version of a content pack active again (the ids are in\n"
		       "csec content versions): its pages return to the text they had in it, and\n"
		       "pages it did not hold are unpublished. Pages edited in the portal keep\n"
		       "their text; that version's waits for an editor. Audited.\n\n" STORE_HELP
		               SECRET_HELP);
		return 0;
	}
	if (rc < 0)
		return 2;
	int64_t id = 0;
	if (!o.pos || str_to_i64(str_from(o.pos), 1, INT64_MAX, &id) != 0) {
		fprintf(stderr,
		        "csec content rollback: name a version id (a positive number; see "
		        "csec content versions)\n");
		return 2;
	}
	struct arena *a = arena_create(64u << 20);
	uint8_t key[CRYPTO_KEY_BYTES];
	struct db *db = a ? cli_store_open_keyed(&o.store, o.secret_file, key) : NULL;
	int status = 1;
	if (!db)
		goto out;
	struct library_result r;
	rc = library_rollback(db, a, key, &shell, id, &r);
	crypto_wipe(key, sizeof key);
	if (rc == DB_DONE)
		fprintf(stderr, "csec content rollback: there is no version %lld\n", (long long)id);
	else if (rc != DB_OK)
		fprintf(stderr, "csec content rollback: nothing was changed: %s\n", db_errmsg(db));
	else {
		print_result("rolled back to", &r);
		status = 0;
	}
out:
	db_close(db);
	arena_destroy(a);
	return status;
}
