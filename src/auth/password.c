/* auth/password.c — see password.h.
 *
 * The common-password index is an array of {offset, length} pairs into the
 * embedded file, which stays in read-only data: 8 bytes an entry (about 5 KB
 * for the 613 entries shipped), sorted once with an ASCII case-insensitive
 * order so a lookup is a binary search (O(log n), about 10 comparisons).
 * Nothing is written after init, so lookups need no lock.
 *
 * password_burn verifies against a dummy hash made at init with the same
 * crypto_pw_hash as real accounts, rather than a string written into the
 * source: a constant would keep the m and t it was made with, and the day
 * someone raises CRYPTO_PW_* an unknown email would answer faster than a
 * known one. Made at start-up, the dummy costs exactly what a fresh account
 * hash costs. Its password is random and thrown away, so nothing matches it. */
#include "auth/password.h"

#include "auth/hasher.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/embed.h"
#include "core/log.h"
#include "core/str.h"

#define LIST_FILE "web/data/common-passwords.txt"
#define ARGON2ID_PREFIX "$argon2id$"

struct entry {
	uint32_t off;
	uint32_t len;
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_status;

/* Written only inside the once routine. */
static const char *list_base;
static struct entry *list;
static size_t list_count;
static bool list_ready;
static char dummy[CRYPTO_PW_STRBYTES];
static bool dummy_ready;

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* ASCII case-insensitive order; other bytes compare as they are. */
static int fold_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	for (size_t i = 0; i < n; i++) {
		int ca = lower((unsigned char)a[i]);
		int cb = lower((unsigned char)b[i]);
		if (ca != cb)
			return ca < cb ? -1 : 1;
	}
	return alen < blen ? -1 : alen > blen;
}

static int entry_cmp(const void *x, const void *y)
{
	const struct entry *a = x;
	const struct entry *b = y;
	return fold_cmp(list_base + a->off, a->len, list_base + b->off, b->len);
}

/* Yields each usable line: no trailing CR, not empty, not a "#!comment:"
 * line (in case the upstream file is ever dropped in unfiltered). */
static bool next_line(const char *p, size_t n, size_t *pos, struct entry *e)
{
	while (*pos < n) {
		size_t start = *pos;
		const char *nl = memchr(p + start, '\n', n - start);
		size_t end = nl ? (size_t)(nl - p) : n;
		*pos = nl ? end + 1 : n;
		size_t len = end - start;
		if (len > 0 && p[start + len - 1] == '\r')
			len--;
		if (len == 0 || str_has_prefix((struct str){p + start, len}, "#!comment:"))
			continue;
		e->off = (uint32_t)start;
		e->len = (uint32_t)len;
		return true;
	}
	return false;
}

static int load_list(void)
{
	const struct embed_file *f = embed_find(LIST_FILE);
	if (!f) {
		log_msg(LOG_ERROR, "password: %s is not in the binary", LIST_FILE);
		return -ENOENT;
	}
	const char *p = (const char *)f->data;
	size_t n = embed_len(f);
	if (n > UINT32_MAX) {
		log_msg(LOG_ERROR, "password: %s is larger than 4 GiB", LIST_FILE);
		return -E2BIG;
	}

	size_t count = 0;
	size_t pos = 0;
	struct entry e;
	while (next_line(p, n, &pos, &e))
		count++;
	struct entry *v = calloc(count ? count : 1, sizeof *v);
	if (!v) {
		log_msg(LOG_ERROR, "password: no memory for the common-password index");
		return -ENOMEM;
	}
	size_t i = 0;
	pos = 0;
	while (i < count && next_line(p, n, &pos, &v[i]))
		i++;

	list_base = p;
	qsort(v, count, sizeof *v, entry_cmp);
	list = v;
	list_count = count;
	list_ready = true;
	return 0;
}

static int make_dummy(void)
{
	unsigned char secret[32];
	crypto_random(secret, sizeof secret);
	int rc = crypto_pw_hash(dummy, (const char *)secret, sizeof secret);
	crypto_wipe(secret, sizeof secret);
	if (rc != 0) {
		log_msg(LOG_ERROR, "password: cannot compute the dummy hash (out of memory)");
		return -ENOMEM;
	}
	dummy_ready = true;
	return 0;
}

static void init_once(void)
{
	if (crypto_init() != 0) {
		init_status = -ENOMEM;
		return;
	}
	int a = load_list();
	int b = make_dummy();
	init_status = a ? a : b;
}

int password_init(void)
{
	pthread_once(&once, init_once);
	return init_status;
}

size_t password_common_count(void)
{
	pthread_once(&once, init_once);
	return list_count;
}

static bool is_common(const char *pw, size_t len)
{
	size_t lo = 0;
	size_t hi = list_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = fold_cmp(pw, len, list_base + list[mid].off, list[mid].len);
		if (c == 0)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

int password_check_policy(const char *pw, size_t len)
{
	if (!pw && len)
		return PASSWORD_INVALID;
	if (!pw)
		pw = "";
	/* A NUL is valid UTF-8 but would be cut short by any C-string path a
	 * password might take (a CLI argument, a terminal prompt). */
	if (memchr(pw, '\0', len) || !str_utf8_valid(pw, len))
		return PASSWORD_INVALID;

	size_t chars = 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)pw[i] & 0xC0) != 0x80)
			chars++;
	if (chars < PASSWORD_MIN_CHARS)
		return PASSWORD_TOO_SHORT;
	if (chars > PASSWORD_MAX_CHARS)
		return PASSWORD_TOO_LONG;

	pthread_once(&once, init_once);
	if (!list_ready)
		return PASSWORD_UNAVAILABLE;
	if (is_common(pw, len))
		return PASSWORD_COMMON;
	return PASSWORD_OK;
}

const char *password_policy_key(int code)
{
	switch (code) {
	case PASSWORD_TOO_SHORT:
		return "password.too_short";
	case PASSWORD_TOO_LONG:
		return "password.too_long";
	case PASSWORD_COMMON:
		return "password.common";
	case PASSWORD_INVALID:
		return "password.invalid";
	case PASSWORD_UNAVAILABLE:
		return "password.unavailable";
	default:
		return NULL;
	}
}

int password_hash(const char *pw, size_t len, char out[PASSWORD_HASH_BYTES])
{
	int rc = hasher_hash(pw, len, out); /* in a helper process, when serving */
	if (rc != -ENOSYS)
		return rc;
	return crypto_pw_hash(out, pw, len) == 0 ? 0 : -ENOMEM;
}

/* A check in a helper process when serving, else in place. */
static int verify(const char *stored, const char *pw, size_t len)
{
	int rc = hasher_verify(stored, pw, len);
	return rc != -ENOSYS ? rc : crypto_pw_verify(stored, pw, len);
}

int password_verify(const char *stored, const char *pw, size_t len)
{
	if (!stored || strncmp(stored, ARGON2ID_PREFIX, sizeof ARGON2ID_PREFIX - 1) != 0) {
		password_burn(pw, len);
		return -1;
	}
	return verify(stored, pw, len);
}

void password_burn(const char *pw, size_t len)
{
	pthread_once(&once, init_once);
	if (dummy_ready) {
		(void)verify(dummy, pw, len);
		return;
	}
	/* No dummy (init ran out of memory): a fresh hash costs the same. */
	char tmp[CRYPTO_PW_STRBYTES];
	(void)crypto_pw_hash(tmp, pw, len);
	crypto_wipe(tmp, sizeof tmp);
}
