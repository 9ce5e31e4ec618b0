/* bench/hash.c — the time of one password hash as csec computes it
 * (src/auth/password.c: argon2id through libsodium, with csec's own
 * parameters), for `make bench`. Hashes a fixed password COUNT times (default
 * 5) and prints the median in milliseconds and the parameters. The hash is
 * meant to be slow: the figure is reported, not judged. */
#include "auth/password.h"
#include "core/crypto.h"
#include "core/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int64_t count = 5;
	if (argc > 1 && str_to_i64(str_from(argv[1]), 1, 50, &count) != 0) {
		fprintf(stderr, "usage: hash [COUNT 1..50]\n");
		return 2;
	}
	if (crypto_init() != 0 || password_init() != 0) {
		fprintf(stderr, "hash: cannot initialise libsodium\n");
		return 1;
	}
	static const char pw[] = "a bench password of some length";
	char out[PASSWORD_HASH_BYTES];
	double ms[50];
	for (int i = 0; i < count; i++) {
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		if (password_hash(pw, strlen(pw), out) != 0) {
			fprintf(stderr, "hash: hashing failed (out of memory?)\n");
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		ms[i] = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	}
	qsort(ms, (size_t)count, sizeof ms[0], cmp);
	/* "$argon2id$v=19$m=65536,t=3,p=1$..." names the parameters. */
	const char *params = strstr(out, "$m=");
	int plen = params ? (int)strcspn(params + 1, "$") : 0;
	printf("%.1f %.*s\n", ms[count / 2], plen, params ? params + 1 : "");
	return 0;
}
