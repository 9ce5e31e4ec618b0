/* jobs/smtp.c — see smtp.h. One easy handle per message: mail is rare
 * (invitations, resets), so reusing connections is not worth the state. */
#include "jobs/smtp.h"

#include "core/net.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define CONNECT_TIMEOUT 20L

static pthread_once_t once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

/* curl_global_init is not thread-safe in every libcurl we may meet. */
static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void say(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
}

struct url_parts {
	bool smtps;
	bool loopback;
};

static int parse_url(const char *url, struct url_parts *out, char *err, size_t errlen)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *user = NULL, *pass = NULL;
	int rc = SMTP_ECONFIG;

	pthread_once(&once, global_init);
	if (!url || !*url) {
		say(err, errlen, "smtp.url is empty");
		return SMTP_ECONFIG;
	}
	u = curl_url();
	if (!u) {
		say(err, errlen, "out of memory");
		return SMTP_ENOMEM;
	}
	/* No CURLU_GUESS_SCHEME: "mail.example" alone is refused, not guessed. */
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		say(err, errlen,
		    "smtp.url is not a URL (expected smtp://HOST:PORT or smtps://HOST)");
		goto out;
	}
	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(u, CURLUPART_HOST, &host, 0);
	curl_url_get(u, CURLUPART_USER, &user, 0);
	curl_url_get(u, CURLUPART_PASSWORD, &pass, 0);
	if (!scheme || (strcasecmp(scheme, "smtp") != 0 && strcasecmp(scheme, "smtps") != 0)) {
		say(err, errlen, "smtp.url must start with smtp:// or smtps://");
		goto out;
	}
	if (!host || !*host) {
		say(err, errlen, "smtp.url has no host");
		goto out;
	}
	if (user || pass) {
		say(err, errlen,
		    "smtp.url must not hold a user name or password: put them in smtp.user and "
		    "smtp.password");
		goto out;
	}
	if (out) {
		struct net_addr a;
		out->smtps = strcasecmp(scheme, "smtps") == 0;
		out->loopback = strcasecmp(host, "localhost") == 0 ||
		        (net_addr_parse(host, strlen(host), &a) == 0 && net_is_loopback(&a));
	}
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	if (user)
		curl_free(user);
	if (pass) {
		memset(pass, 0, strlen(pass));
		curl_free(pass);
	}
	curl_url_cleanup(u);
	return rc;
}

int smtp_url_check(const char *url, char *err, size_t errlen)
{
	return parse_url(url, NULL, err, errlen);
}

struct reader {
	const char *p;
	size_t left;
};

static size_t read_cb(char *dst, size_t size, size_t nmemb, void *ud)
{
	struct reader *r = ud;
	size_t room = size * nmemb; /* curl promises this does not overflow */
	size_t n = r->left < room ? r->left : room;

	memcpy(dst, r->p, n);
	r->p += n;
	r->left -= n;
	return n;
}

struct progress {
	const atomic_bool *stop;
};

/* Called about once a second and at every chunk: a non-zero return aborts
 * the transfer, so a stopping server does not wait for a slow relay. */
static int progress_cb(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
	const struct progress *pr = ud;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return pr->stop && atomic_load(pr->stop) ? 1 : 0;
}

int smtp_send(const struct smtp_target *t, const char *from, const char *to, const char *msg,
              size_t len, char *err, size_t errlen)
{
	struct url_parts parts;
	struct reader rd = {msg, len};
	struct progress pr = {t->stop};
	struct curl_slist *rcpt = NULL;
	char cerr[CURL_ERROR_SIZE] = "";
	char addr[400];
	CURL *c = NULL;
	CURLcode cc;
	long code = 0;
	int rc = parse_url(t->url, &parts, err, errlen);

	if (rc < 0)
		return rc;
	if (global_rc != CURLE_OK) {
		say(err, errlen, "libcurl failed to start");
		return SMTP_EFAIL;
	}
	c = curl_easy_init();
	snprintf(addr, sizeof addr, "<%s>", to);
	rcpt = curl_slist_append(NULL, addr);
	if (!c || !rcpt) {
		say(err, errlen, "out of memory");
		rc = SMTP_ENOMEM;
		goto out;
	}
	snprintf(addr, sizeof addr, "<%s>", from);
	bool auth = t->user && *t->user;
	long timeout = t->timeout_seconds > 0 ? t->timeout_seconds : 60;
	/* Credentials cross the network only under TLS; a relay on this very
	 * machine (the common "localhost:25" setup) may speak plain SMTP. */
	long use_ssl = parts.smtps || (auth && !parts.loopback) ? (long)CURLUSESSL_ALL
	                                                        : (long)CURLUSESSL_TRY;
	cc = curl_easy_setopt(c, CURLOPT_URL, t->url);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_MAIL_FROM, addr);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_USE_SSL, use_ssl);
	if (cc == CURLE_OK && auth)
		cc = curl_easy_setopt(c, CURLOPT_USERNAME, t->user);
	if (cc == CURLE_OK && auth)
		cc = curl_easy_setopt(c, CURLOPT_PASSWORD, t->password ? t->password : "");
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_READDATA, &rd);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	if (cc == CURLE_OK) /* threads: no SIGALRM for DNS timeouts */
		cc = curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
		                      timeout < CONNECT_TIMEOUT ? timeout : CONNECT_TIMEOUT);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_XFERINFODATA, &pr);
	if (cc == CURLE_OK)
		cc = curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	if (cc != CURLE_OK) {
		snprintf(err, errlen, "libcurl refused an option: %s", curl_easy_strerror(cc));
		rc = SMTP_ECONFIG;
		goto out;
	}
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (cc == CURLE_OK) {
		rc = 0;
	} else if (cc == CURLE_ABORTED_BY_CALLBACK) {
		say(err, errlen, "stopped: the server is shutting down");
		rc = SMTP_ECANCELED;
	} else {
		if (code)
			snprintf(err, errlen, "%s (SMTP %ld)",
			         cerr[0] ? cerr : curl_easy_strerror(cc), code);
		else
			say(err, errlen, cerr[0] ? cerr : curl_easy_strerror(cc));
		rc = SMTP_EFAIL;
	}
out:
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	return rc;
}
