/* features/library/packfiles.c — gathering a pack's files (pack.h): from a
 * directory, from the starter pack built into the binary, or from a .zip
 * held in memory. Only pack.json, the *.md files directly inside guide/,
 * practices/ and resources/, and a course's files under course/SLUG/
 * (features/course/pack_course.h says which) are pack files; everything
 * else (SOURCES.md, README files, the folders of later parts of the format)
 * is passed over. A course's media files (video, captions, transcripts) may
 * be binary and up to COURSE_MEDIA_MAX_BYTES each when read from a directory
 * or the binary; a .zip upload keeps the limits below for every file. The limits of pack.h hold for
 * every source; symbolic links and any name that could leave the pack are refused. */
#include "features/library/pack.h"

#include "core/arena.h"
#include "core/embed.h"
#include "features/course/pack_course.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#define NAME_MAX_LEN 200

static const char *const page_dirs[] = {"guide", "practices", "resources"};

/* A page's file name: letters, digits, '.', '-' and '_', not starting with
 * a dot, ending in ".md". */
static bool page_name(const char *s, size_t n)
{
	if (n < 4 || n > NAME_MAX_LEN || s[0] == '.' || memcmp(s + n - 3, ".md", 3) != 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_'))
			return false;
	}
	return true;
}

/* 1 when path is a pack file (pack.json, or DIR/NAME.md with DIR a page
 * folder), 0 when it is something else, -1 when it looks like a page
 * (DIR/x.md) but its name is not allowed, -2 when it is inside a folder
 * of a page folder. */
static int pack_path(const char *path)
{
	bool media;
	if (strcmp(path, "pack.json") == 0)
		return 1;
	if (strncmp(path, "course/", 7) == 0)
		return course_pack_path(path, &media);
	for (size_t i = 0; i < 3; i++) {
		size_t dl = strlen(page_dirs[i]);
		if (strncmp(path, page_dirs[i], dl) != 0 || path[dl] != '/')
			continue;
		const char *name = path + dl + 1;
		size_t n = strlen(name);
		if (strchr(name, '/'))
			return -2;
		if (n < 3 || strcmp(name + n - 3, ".md") != 0)
			return 0;
		return page_name(name, n) ? 1 : -1;
	}
	return 0;
}

struct files {
	struct arena *a;
	struct pack_file *items;
	size_t n, cap;
	size_t total;
	size_t media_total; /* course media, counted apart */
	bool full; /* a limit was reached; nothing more is added */
	bool media_ok; /* course media have their own size limit (not in a .zip) */
	struct pack_problems *pr;
};

static int files_add(struct files *f, const char *path, const char *data, size_t len)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 32;
		struct pack_file *items = arena_calloc(f->a, cap, sizeof *items);
		if (!items)
			return -ENOMEM;
		if (f->n)
			memcpy(items, f->items, f->n * sizeof *items);
		f->items = items;
		f->cap = cap;
	}
	f->items[f->n++] = (struct pack_file){path, data, len};
	return 0;
}

/* Checks the count and size limits before a file of len bytes is read.
 * 1 to go ahead, 0 to skip it (recorded), -ENOMEM. */
static int files_admit(struct files *f, const char *path, uint64_t len)
{
	int rc = 0;
	if (f->full)
		return 0;
	bool media = false;
	if (f->media_ok && course_pack_path(path, &media) == 1 && media && f->n < PACK_MAX_FILES) {
		if (len > COURSE_MEDIA_MAX_BYTES)
			return pack_problem(f->pr, path, 0,
			                    "the file is %llu bytes; the limit for a course's "
			                    "media file is %d MiB",
			                    (unsigned long long)len,
			                    COURSE_MEDIA_MAX_BYTES / (1024 * 1024));
		if (f->media_total + len > COURSE_MEDIA_MAX_TOTAL)
			return pack_problem(f->pr, path, 0,
			                    "the pack's course media are over %d MiB in all; "
			                    "this file is not read",
			                    COURSE_MEDIA_MAX_TOTAL / (1024 * 1024));
		f->media_total += len;
		return 1;
	}
	if (f->n >= PACK_MAX_FILES) {
		f->full = true;
		rc = pack_problem(f->pr, path, 0,
		                  "the pack has over %d files; the rest is not read",
		                  PACK_MAX_FILES);
	} else if (len > PACK_MAX_FILE_BYTES) {
		rc = pack_problem(f->pr, path, 0, "the file is %llu bytes; the limit is %d KiB",
		                  (unsigned long long)len, PACK_MAX_FILE_BYTES / 1024);
		return rc ? rc : 0;
	} else if (f->total + len > PACK_MAX_TOTAL_BYTES) {
		f->full = true;
		rc = pack_problem(f->pr, path, 0,
		                  "the pack is over %d MiB in all; the rest is not read",
		                  PACK_MAX_TOTAL_BYTES / (1024 * 1024));
	} else {
		f->total += len;
		return 1;
	}
	return rc ? rc : 0;
}

static bool is_dup(const struct files *f, const char *path)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->items[i].path, path) == 0)
			return true;
	return false;
}

/* ------------------------------------------------------------ directory */

/* Reads one regular file (no symbolic link) at dirfd/name into the arena,
 * NUL-terminated. */
static int read_at(struct files *f, int dirfd, const char *name, const char *path)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return pack_problem(f->pr, path, 0, "%s",
		                    errno == ELOOP ? "is a symbolic link; links are refused"
		                                   : "cannot be opened");
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = pack_problem(f->pr, path, 0, "is not a regular file");
		goto out;
	}
	rc = files_admit(f, path, (uint64_t)st.st_size);
	if (rc <= 0)
		goto out;
	size_t len = (size_t)st.st_size, got = 0;
	char *data = arena_alloc(f->a, len + 1);
	if (!data) {
		rc = -ENOMEM;
		goto out;
	}
	while (got < len) {
		ssize_t r = read(fd, data + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got != len) {
		rc = pack_problem(f->pr, path, 0, "cannot be read completely");
		goto out;
	}
	data[len] = '\0';
	rc = files_add(f, path, data, len);
out:
	close(fd);
	return rc;
}

static int by_name(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The names in an open directory, sorted; "." and ".." left out. The
 * directory stream takes over fd. */
static int list_dir(struct arena *a, int fd, char ***names, size_t *n)
{
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	size_t cap = 0;
	*names = NULL;
	*n = 0;
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (*n >= 4 * PACK_MAX_FILES) {
			rc = -E2BIG;
			break;
		}
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			char **nn = arena_calloc(a, ncap, sizeof *nn);
			if (!nn) {
				rc = -ENOMEM;
				break;
			}
			if (*n)
				memcpy(nn, *names, *n * sizeof *nn);
			*names = nn;
			cap = ncap;
		}
		if (!((*names)[(*n)++] = arena_strdup(a, e->d_name))) {
			rc = -ENOMEM;
			break;
		}
	}
	closedir(d);
	if (*n)
		qsort(*names, *n, sizeof **names, by_name);
	return rc;
}

#define COURSE_NAME_PROBLEM                                                                        \
	"not a course file: a course's folders hold lessons/*.md, checks/*.json, "                 \
	"questions/*.json, scenarios/*.json and media/*.mp4, .webm, .vtt or .txt, named with "     \
	"letters, digits, '.', '-' and '_'"

/* The files of one folder of a course (course/SLUG/SUB), read when
 * course_pack_path takes them; a folder inside is reported. */
static int read_course_sub(struct files *f, int dirfd, const char *dirpath)
{
	int dupfd = dup(dirfd);
	char **names = NULL;
	size_t nn = 0;
	int rc = dupfd < 0 ? -errno : list_dir(f->a, dupfd, &names, &nn);
	if (rc == -E2BIG)
		return pack_problem(f->pr, dirpath, 0, "holds too many files to read");
	for (size_t k = 0; rc == 0 && k < nn && !f->full; k++) {
		char *path = arena_printf(f->a, "%s/%s", dirpath, names[k]);
		if (!path)
			return -ENOMEM;
		struct stat st;
		if (fstatat(dirfd, names[k], &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		bool media;
		if (S_ISLNK(st.st_mode))
			rc = pack_problem(f->pr, path, 0, "is a symbolic link; links are refused");
		else if (S_ISDIR(st.st_mode))
			rc = pack_problem(f->pr, path, 0,
			                  "folders inside %s/ are not read: put its files directly "
			                  "in %s/",
			                  dirpath, dirpath);
		else if (course_pack_path(path, &media) < 0)
			rc = pack_problem(f->pr, path, 0, COURSE_NAME_PROBLEM);
		else if (course_pack_path(path, &media) == 1)
			rc = read_at(f, dirfd, names[k], path);
	}
	return rc;
}

/* course/: one folder per course, each with course.json and the folders
 * lessons/, checks/, questions/, scenarios/ and media/. */
static int read_courses(struct files *f, int root)
{
	static const char *const subs[] = {"lessons", "checks", "questions", "scenarios", "media"};
	int top = openat(root, "course", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (top < 0)
		return errno == ELOOP || errno == ENOTDIR
		        ? pack_problem(f->pr, "course", 0,
		                       "is a symbolic link or not a folder; it is not read")
		        : 0;
	int dupfd = dup(top);
	char **names = NULL;
	size_t nn = 0;
	int rc = dupfd < 0 ? -errno : list_dir(f->a, dupfd, &names, &nn);
	if (rc == -E2BIG)
		rc = pack_problem(f->pr, "course", 0, "holds too many files to read");
	for (size_t k = 0; rc == 0 && k < nn && !f->full; k++) {
		char *path = arena_printf(f->a, "course/%s", names[k]);
		if (!path) {
			rc = -ENOMEM;
			break;
		}
		struct stat st;
		if (fstatat(top, names[k], &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			rc = pack_problem(f->pr, path, 0, "is a symbolic link; links are refused");
			continue;
		}
		if (!S_ISDIR(st.st_mode))
			continue; /* a README beside the courses */
		int cd = openat(top, names[k], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cd < 0)
			continue;
		char *cj = arena_printf(f->a, "%s/course.json", path);
		bool media;
		if (!cj) {
			rc = -ENOMEM;
		} else if (course_pack_path(cj, &media) != 1) {
			rc = pack_problem(f->pr, path, 0,
			                  "a course's folder name is its slug: lower-case letters, "
			                  "digits and inner hyphens");
		} else {
			int fd = openat(cd, "course.json",
			                O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
			if (fd >= 0 || errno == ELOOP) {
				if (fd >= 0)
					close(fd);
				rc = read_at(f, cd, "course.json", cj);
			}
			for (size_t i = 0; rc == 0 && i < 5 && !f->full; i++) {
				char *sp = arena_printf(f->a, "%s/%s", path, subs[i]);
				int sd = sp
				        ? openat(cd, subs[i],
				                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
				        : -1;
				if (!sp) {
					rc = -ENOMEM;
				} else if (sd < 0) {
					if (errno == ELOOP || errno == ENOTDIR)
						rc = pack_problem(f->pr, sp, 0,
						                  "is a symbolic link or not a "
						                  "folder; it is not read");
				} else {
					rc = read_course_sub(f, sd, sp);
					close(sd);
				}
			}
		}
		close(cd);
	}
	close(top);
	return rc;
}

int pack_files_from_dir(struct arena *a, const char *dir, struct pack_file **files, size_t *n,
                        struct pack_problems *pr)
{
	struct files f = {.a = a, .pr = pr, .media_ok = true};
	*files = NULL;
	*n = 0;
	int root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -errno;
	int rc = 0;
	int fd = openat(root, "pack.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd >= 0 || errno == ELOOP) {
		if (fd >= 0)
			close(fd);
		rc = read_at(&f, root, "pack.json", "pack.json");
	}
	for (size_t i = 0; i < 3 && rc == 0 && !f.full; i++) {
		int sub =
		        openat(root, page_dirs[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			if (errno == ELOOP || errno == ENOTDIR)
				rc = pack_problem(
				        pr, page_dirs[i], 0,
				        "is a symbolic link or not a folder; it is not read");
			continue;
		}
		int dupfd = dup(sub);
		char **names = NULL;
		size_t nn = 0;
		rc = dupfd < 0 ? -errno : list_dir(a, dupfd, &names, &nn);
		if (rc == -E2BIG)
			rc = pack_problem(pr, page_dirs[i], 0, "holds too many files to read");
		for (size_t k = 0; rc == 0 && k < nn && !f.full; k++) {
			char *path = arena_printf(a, "%s/%s", page_dirs[i], names[k]);
			if (!path) {
				rc = -ENOMEM;
				break;
			}
			struct stat st;
			if (fstatat(sub, names[k], &st, AT_SYMLINK_NOFOLLOW) != 0)
				continue;
			if (S_ISLNK(st.st_mode)) {
				rc = pack_problem(pr, path, 0,
				                  "is a symbolic link; links are refused");
				continue;
			}
			if (S_ISDIR(st.st_mode)) {
				rc = pack_problem(pr, path, 0,
				                  "folders inside %s/ are not read: put its pages "
				                  "directly in %s/",
				                  page_dirs[i], page_dirs[i]);
				continue;
			}
			int kind = pack_path(path);
			if (kind < 0)
				rc = pack_problem(
				        pr, path, 0,
				        "file name not allowed: use letters, digits, '.', '-' "
				        "and '_', ending in .md");
			else if (kind > 0)
				rc = read_at(&f, sub, names[k], path);
		}
		close(sub);
	}
	if (rc == 0 && !f.full)
		rc = read_courses(&f, root);
	close(root);
	*files = f.items;
	*n = f.n;
	return rc < 0 ? rc : 0;
}

/* ------------------------------------------------------------ embedded */

int pack_files_embedded(struct arena *a, struct pack_file **files, size_t *n)
{
	static const char prefix[] = "content/";
	struct files f = {.a = a, .media_ok = true};
	for (unsigned long i = 0; i < embed_count; i++) {
		const struct embed_file *e = &embed_files[i];
		if (strncmp(e->name, prefix, sizeof prefix - 1) != 0)
			continue;
		const char *path = e->name + sizeof prefix - 1;
		if (pack_path(path) == 1 &&
		    files_add(&f, path, (const char *)e->data, embed_len(e)))
			return -ENOMEM;
	}
	*files = f.items;
	*n = f.n;
	return 0;
}

/* ------------------------------------------------------------ zip */

/* A zip entry name that stays inside the pack: relative, '/' separated, no
 * empty, "." or ".." part, no backslash, drive letter or control
 * character. */
static bool zip_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 1024 || s[0] == '/' || (n >= 2 && s[1] == ':'))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || s[i] == '\\')
			return false;
	for (const char *p = s; *p;) {
		size_t l = strcspn(p, "/");
		if (l == 0 && p[l] == '/')
			return false; /* "a//b" */
		if ((l == 1 && p[0] == '.') || (l == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += l;
		if (*p == '/')
			p++;
	}
	return true;
}

/* A name safe to print in a problem: control characters as '?', cut. */
static const char *zip_shown(struct arena *a, const char *s)
{
	char *c = arena_strndup(a, s, strnlen(s, 120));
	for (char *p = c; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return c ? c : "?";
}

int pack_files_from_zip(struct arena *a, const void *zip, size_t len, struct pack_file **files,
                        size_t *n, struct pack_problems *pr)
{
	struct files f = {.a = a, .pr = pr};
	*files = NULL;
	*n = 0;
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(zip, len, 0, &ze);
	zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze) : NULL;
	if (!z) {
		if (src)
			zip_source_free(src);
		int rc = pack_problem(pr, "(zip)", 0, "not a readable .zip archive: %s",
		                      zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return rc ? rc : -EINVAL;
	}
	zip_error_fini(&ze);
	int rc = 0;
	zip_int64_t count = zip_get_num_entries(z, 0);
	if (count < 0 || count > 2 * PACK_MAX_FILES) {
		rc = pack_problem(pr, "(zip)", 0,
		                  "the archive has %lld entries; at most %d are read",
		                  (long long)count, 2 * PACK_MAX_FILES);
		zip_discard(z);
		return rc ? rc : -E2BIG;
	}

	/* First pass: every name checked; the common top folder, if any. */
	const char **names = arena_calloc(a, (size_t)count + 1, sizeof *names);
	if (!names) {
		zip_discard(z);
		return -ENOMEM;
	}
	const char *top = NULL;
	size_t top_len = 0;
	bool one_top = true;
	for (zip_uint64_t i = 0; i < (zip_uint64_t)count && !rc; i++) {
		const char *name = zip_get_name(z, i, ZIP_FL_ENC_GUESS);
		if (!name)
			continue;
		if (!zip_name_ok(name)) {
			rc = pack_problem(
			        pr, zip_shown(a, name), 0,
			        "the archive path is absolute or leaves the pack; refused");
			continue;
		}
		zip_uint8_t os;
		zip_uint32_t attr;
		if (zip_file_get_external_attributes(z, i, 0, &os, &attr) == 0 &&
		    os == ZIP_OPSYS_UNIX && ((attr >> 16) & S_IFMT) == S_IFLNK) {
			rc = pack_problem(pr, zip_shown(a, name), 0,
			                  "is a symbolic link; links are refused");
			continue;
		}
		names[i] = name;
		const char *slash = strchr(name, '/');
		if (!slash) {
			one_top = false;
		} else if (!top) {
			top = name;
			top_len = (size_t)(slash - name) + 1;
		} else if ((size_t)(slash - name) + 1 != top_len ||
		           memcmp(name, top, top_len) != 0) {
			one_top = false;
		}
	}
	/* Stripped only when it holds pack.json: a pack of only guide/ pages
	 * has one top folder too. */
	size_t strip = 0;
	for (zip_uint64_t i = 0; one_top && top && i < (zip_uint64_t)count && !strip; i++)
		if (names[i] && strcmp(names[i] + top_len, "pack.json") == 0)
			strip = top_len;

	for (zip_uint64_t i = 0; i < (zip_uint64_t)count && !rc && !f.full; i++) {
		if (!names[i])
			continue;
		const char *path = names[i] + strip;
		size_t pl = strlen(path);
		if (pl == 0 || path[pl - 1] == '/')
			continue; /* a folder */
		int kind = pack_path(path);
		if (kind == -2) {
			rc = pack_problem(
			        pr, zip_shown(a, path), 0,
			        "folders inside guide/, practices/ and resources/ are not "
			        "read: put the page directly in its folder");
			continue;
		}
		if (kind < 0) {
			rc = strncmp(path, "course/", 7) == 0
			        ? pack_problem(pr, zip_shown(a, path), 0, COURSE_NAME_PROBLEM)
			        : pack_problem(pr, zip_shown(a, path), 0,
			                       "file name not allowed: use letters, digits, '.', "
			                       "'-' and '_', ending in .md");
			continue;
		}
		if (kind == 0)
			continue;
		const char *p = arena_strdup(a, path);
		if (!p) {
			rc = -ENOMEM;
			break;
		}
		if (is_dup(&f, p)) {
			rc = pack_problem(pr, p, 0, "appears twice in the archive");
			continue;
		}
		zip_stat_t st;
		if (zip_stat_index(z, i, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
			rc = pack_problem(pr, p, 0, "cannot be read from the archive");
			continue;
		}
		rc = files_admit(&f, p, st.size);
		if (rc <= 0)
			continue;
		rc = 0;
		/* Never trust the declared size alone: read at most one byte more
		 * and compare. */
		size_t want = (size_t)st.size;
		char *data = arena_alloc(a, want + 2);
		zip_file_t *zf = data ? zip_fopen_index(z, i, 0) : NULL;
		if (!data) {
			rc = -ENOMEM;
			break;
		}
		if (!zf) {
			rc = pack_problem(pr, p, 0, "cannot be read from the archive: %s",
			                  zip_strerror(z));
			continue;
		}
		size_t got = 0;
		zip_int64_t r = 0;
		while (got < want + 1 && (r = zip_fread(zf, data + got, want + 1 - got)) > 0)
			got += (size_t)r;
		if (r < 0)
			rc = pack_problem(pr, p, 0, "cannot be read from the archive: %s",
			                  zip_error_strerror(zip_file_get_error(zf)));
		else if (got != want)
			rc = pack_problem(
			        pr, p, 0,
			        "its size in the archive (%zu bytes) is not its real size", want);
		zip_fclose(zf);
		if (r < 0 || got != want)
			continue;
		data[want] = '\0';
		rc = files_add(&f, p, data, want);
	}
	zip_discard(z);
	*files = f.items;
	*n = f.n;
	return rc < 0 ? rc : 0;
}
