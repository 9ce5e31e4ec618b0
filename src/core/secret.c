/* core/secret.c — see secret.h. */
#include "core/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writes a new random secret beside path and links it into place, so that
 * another process starting at the same moment sees either no file or a
 * complete one, and exactly one secret wins. */
static int create_secret(const char *path, char *err, size_t errlen)
{
	uint8_t key[CRYPTO_KEY_BYTES];
	char hex[2 * CRYPTO_KEY_BYTES + 2], tmp[4200];
	crypto_random(key, sizeof key);
	crypto_hex(hex, key, sizeof key);
	crypto_wipe(key, sizeof key);
	size_t n = strlen(hex);
	hex[n++] = '\n';
	snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		crypto_wipe(hex, sizeof hex);
		snprintf(err, errlen, "cannot create secret file %s: %s", path, strerror(errno));
		return -1;
	}
	int ok = write(fd, hex, n) == (ssize_t)n && fsync(fd) == 0;
	crypto_wipe(hex, sizeof hex);
	if (close(fd) != 0 || !ok) {
		snprintf(err, errlen, "cannot write secret file %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	int rc = link(tmp, path);
	int e = errno;
	unlink(tmp);
	if (rc != 0 && e != EEXIST) { /* EEXIST: another process won; read theirs */
		snprintf(err, errlen, "cannot create secret file %s: %s", path, strerror(e));
		return -1;
	}
	return 0;
}

int secret_load(const char *path, int create, uint8_t key[CRYPTO_KEY_BYTES], char *err,
                size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT && create) {
		if (create_secret(path, err, errlen) != 0)
			return -1;
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot open secret file %s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	char hex[2 * CRYPTO_KEY_BYTES + 2];
	int rc = -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "secret file %s is not a regular file", path);
		goto out;
	}
	if (st.st_mode & 077) {
		snprintf(err, errlen,
		         "secret file %s may be read by other users (mode %03o); run: chmod 600 %s",
		         path, (unsigned)(st.st_mode & 0777), path);
		goto out;
	}
	ssize_t n = read(fd, hex, sizeof hex);
	if (n > 0 && hex[n - 1] == '\n')
		n--;
	if (n != 2 * CRYPTO_KEY_BYTES || crypto_unhex(key, CRYPTO_KEY_BYTES, hex, (size_t)n) != 0) {
		snprintf(err, errlen, "secret file %s must hold exactly 64 hex digits", path);
		goto out;
	}
	rc = 0;
out:
	crypto_wipe(hex, sizeof hex);
	close(fd);
	return rc;
}
