/* auth/hasher.h — argon2id in helper processes (DESIGN.md §3: slow work
 * never stalls other connections). An argon2id hash maps, fills and unmaps
 * tens of MiB; done inside the server, that memory traffic on the shared
 * address space stalled the threads answering cheap pages (make bench
 * measured a tenfold p99 under 10 sign-ins a second; the same hashing in
 * another process barely shows). So `csec serve` starts a few helpers — this
 * binary again, as `csec hash-helper`, each with one end of a socket pair as
 * file descriptor 3 — and the slow-work threads send each hash or check to
 * a free helper and wait for its answer. The server's memory stays small,
 * too. A helper that dies is started again; when none can run, hashing
 * falls back to the calling thread, so sign-in keeps working.
 *
 * Commands other than serve never start helpers: their hashing runs in
 * place, as before. The protocol is private to this file and the helper. */
#ifndef CSEC_AUTH_HASHER_H
#define CSEC_AUTH_HASHER_H

#include <stddef.h>

#include "core/crypto.h"

#define HASHER_MAX_PASSWORD 1024 /* bytes; longer is refused before hashing */

/* Starts n helper processes (n = 0: one per CPU, at most 8) from exe (the
 * path of this binary, e.g. "/proc/self/exe"). 0, or -1 with nothing
 * started (hashing then stays in process). */
int hasher_start(const char *exe, unsigned n);

/* Closes the helpers' sockets (they exit at end of file) and reaps them. */
void hasher_stop(void);

/* With helpers started: the hash of pw into out (0; -ENOMEM, -E2BIG), or
 * the check of pw against stored (0 when it matches, -1 when not). Without
 * helpers, or when none could answer, both return -ENOSYS and the caller
 * hashes in place. */
int hasher_hash(const char *pw, size_t len, char out[CRYPTO_PW_STRBYTES]);
int hasher_verify(const char *stored, const char *pw, size_t len);

/* `csec hash-helper`: serves requests on file descriptor 3 until its peer
 * closes it (or the parent dies). Returns the exit status. */
int hasher_main(int argc, char **argv);

#endif
