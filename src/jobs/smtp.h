/* jobs/smtp.h — hands one finished message to an SMTP server with libcurl.
 * The only file that includes curl/curl.h for mail (docs/mail.md). It knows
 * nothing of the outbox: mail.c formats, claims and retries; this sends. */
#ifndef CSEC_JOBS_SMTP_H
#define CSEC_JOBS_SMTP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

enum {
	SMTP_EFAIL = -1, /* the server refused, or could not be reached */
	SMTP_ECANCELED = -2, /* *stop became true during the transfer */
	SMTP_ECONFIG = -3, /* the URL or the credentials are unusable */
	SMTP_ENOMEM = -4,
};

struct smtp_target {
	const char *url; /* smtp://HOST[:PORT][/EHLO-NAME] or smtps://... */
	const char *user; /* NULL or "": no AUTH */
	const char *password;
	int timeout_seconds; /* for the whole transaction; connecting gets at most 20 */
	const atomic_bool *stop; /* may be NULL; checked while the transfer runs */
};

/* Checks an smtp.url setting: scheme smtp or smtps, a host, no user name or
 * password in it (those go in smtp.user and smtp.password, which are never
 * printed). 0, or SMTP_ECONFIG with the reason in err (which never repeats
 * the URL's userinfo). */
int smtp_url_check(const char *url, char *err, size_t errlen);

/* Sends msg (len bytes: a complete RFC 5322 message with CRLF line ends)
 * from the envelope sender from to the single recipient to. Dot-stuffing
 * and the final "." are libcurl's. TLS: always for smtps://; for smtp://
 * STARTTLS when offered, and required when a user name is set and the host
 * is not a loopback address, so a password never crosses a network in
 * clear. Certificates are verified. Returns 0 once the server accepted the
 * message, or a negative SMTP_E* code with a one-line reason in err (curl's
 * error and the server's reply code, never the password or the message). */
int smtp_send(const struct smtp_target *t, const char *from, const char *to, const char *msg,
              size_t len, char *err, size_t errlen);

#endif
