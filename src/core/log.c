/* core/log.c — see log.h. Each line is built in memory and written whole,
 * so lines from different threads never interleave: a message line with one
 * write(2) at once; a request line the same way, or, once log_writer_start
 * has run, into a batch that a writer thread writes in writes of whole lines
 * of at most PIPE_BUF bytes (atomic on a pipe, like a single line). */
#include "core/log.h"

#include "core/buf.h"
#include "core/str.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int requests_on = 1;

#define LOG_MAX_STRING 1024

int64_t log_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void log_set_requests(int on)
{
	requests_on = on;
}

/* "2026-11-29T01:02:03.456Z". The part up to the seconds is formatted once a
 * second per thread: gmtime_r takes glibc's time-zone lock, which the worker
 * threads would otherwise contend on for every request line. */
static void timestamp(char out[48])
{
	static _Thread_local time_t cached_sec = -1;
	static _Thread_local char cached[32];
	static _Thread_local size_t cached_len;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != cached_sec) {
		struct tm tm;
		gmtime_r(&ts.tv_sec, &tm);
		cached_len = strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm);
		cached_sec = ts.tv_sec;
	}
	unsigned ms = (unsigned)(ts.tv_nsec / 1000000) % 1000;
	memcpy(out, cached, cached_len);
	out[cached_len] = '.';
	out[cached_len + 1] = (char)('0' + ms / 100);
	out[cached_len + 2] = (char)('0' + ms / 10 % 10);
	out[cached_len + 3] = (char)('0' + ms % 10);
	out[cached_len + 4] = 'Z';
	out[cached_len + 5] = '\0';
}

static const char *level_name(enum log_level l)
{
	switch (l) {
	case LOG_DEBUG:
		return "debug";
	case LOG_INFO:
		return "info";
	case LOG_WARN:
		return "warn";
	case LOG_ERROR:
		return "error";
	}
	return "info";
}

static void emit(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!s)
		return;
	struct buf b;
	buf_init(&b, NULL, 0);
	buf_puts(&b, s);
	buf_putc(&b, '\n');
	free(s);
	if (!b.err) {
		ssize_t n = write(STDERR_FILENO, b.data, b.len);
		(void)n;
	}
	buf_free(&b);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char ts[48], msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	timestamp(ts);
	emit(json_pack("{s:s, s:s, s:s}", "time", ts, "level", level_name(level), "msg", msg));
}

/* Appends s as the body of a JSON string: quotes, backslashes and control
 * characters escaped, invalid UTF-8 replaced as a whole (a raw request path
 * may hold anything). The request line is built by hand rather than through
 * jansson because it is written once per request: see docs/benchmarks.md. */
static void put_json_string(struct buf *b, const char *s)
{
	if (!s) {
		buf_puts(b, "null");
		return;
	}
	size_t n = strlen(s);
	if (n > LOG_MAX_STRING) { /* a log line needs the start of a long path only */
		n = LOG_MAX_STRING;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	if (!str_utf8_valid(s, n)) {
		s = "(invalid utf-8)";
		n = strlen(s);
	}
	buf_putc(b, '"');
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_append(b, s + run, i - run);
		if (c == '"' || c == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (char)c);
		} else {
			buf_printf(b, "\\u%04x", c);
		}
		run = i + 1;
	}
	buf_append(b, s + run, n - run);
	buf_putc(b, '"');
}

/* Decimal, without printf's machinery (this runs once per request). */
static void put_int(struct buf *b, int64_t v)
{
	char digits[24], *p = digits + sizeof digits;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	buf_append(b, p, (size_t)(digits + sizeof digits - p));
}

static bool batch_line(const char *line, size_t n);
static void write_all(const char *p, size_t n);

void log_request(const struct log_request *r)
{
	if (!requests_on)
		return;
	/* Every field is capped (LOG_MAX_STRING, escaped at most 6 bytes per byte),
	 * so the line always fits this buffer and the buffer never grows. */
	char ts[48], mem[4 * 6 * LOG_MAX_STRING + 512];
	timestamp(ts);
	struct buf b = {.data = mem, .cap = sizeof mem, .max = sizeof mem - 1};
	mem[0] = '\0';
	buf_puts(&b, "{\"time\":\"");
	buf_puts(&b, ts);
	buf_puts(&b,
	         r->status >= 500 ? "\",\"level\":\"error\",\"request_id\":"
	                          : "\",\"level\":\"info\",\"request_id\":");
	put_json_string(&b, r->request_id);
	buf_puts(&b, ",\"method\":");
	put_json_string(&b, r->method);
	buf_puts(&b, ",\"path\":");
	put_json_string(&b, r->path);
	buf_puts(&b, ",\"status\":");
	put_int(&b, r->status);
	buf_puts(&b, ",\"duration_us\":");
	put_int(&b, r->duration_us);
	buf_puts(&b, ",\"client\":");
	put_json_string(&b, r->client);
	buf_puts(&b, "}\n");
	if (!b.err && !batch_line(b.data, b.len))
		write_all(b.data, b.len);
}

/* ---- the request lines' writer ---- */

/* The writer gathers lines for this long after the first of a batch: under
 * load a write(2) then carries some twenty lines rather than one. */
#define BATCH_WINDOW_NS 5000000L
#define BATCH_CAP (128u * 1024u) /* beyond this, callers write their own */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	char *buf, *spare; /* lines waiting; the writer's buffer */
	size_t len;
	bool running, stopping;
} batch = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static void write_all(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* nowhere to log to: nothing better to do */
		p += w;
		n -= (size_t)w;
	}
}

/* Queues a line for the writer; false when there is no writer or no room. */
static bool batch_line(const char *line, size_t n)
{
	bool queued = false;
	pthread_mutex_lock(&batch.lock);
	if (batch.running && batch.len + n <= BATCH_CAP) {
		if (batch.len == 0)
			pthread_cond_signal(&batch.wake);
		memcpy(batch.buf + batch.len, line, n);
		batch.len += n;
		queued = true;
	}
	pthread_mutex_unlock(&batch.lock);
	return queued;
}

/* Writes p[0..n) in pieces of whole lines, each at most PIPE_BUF bytes, or
 * one line alone when it is longer (written whole, as without the writer). */
static void write_lines(const char *p, size_t n)
{
	while (n > 0) {
		size_t k = n;
		if (k > PIPE_BUF) {
			const char *nl = memrchr(p, '\n', PIPE_BUF);
			if (!nl)
				nl = memchr(p + PIPE_BUF, '\n', n - PIPE_BUF);
			k = nl ? (size_t)(nl - p) + 1 : n;
		}
		write_all(p, k);
		p += k;
		n -= k;
	}
}

static void *writer(void *unused)
{
	(void)unused;
	pthread_mutex_lock(&batch.lock);
	for (;;) {
		while (batch.len == 0 && !batch.stopping)
			pthread_cond_wait(&batch.wake, &batch.lock);
		if (batch.len == 0) { /* stopping, and everything written: */
			batch.running = false; /* lines from now on are written at once */
			break;
		}
		if (!batch.stopping) {
			pthread_mutex_unlock(&batch.lock);
			struct timespec window = {0, BATCH_WINDOW_NS};
			nanosleep(&window, NULL);
			pthread_mutex_lock(&batch.lock);
		}
		char *full = batch.buf;
		size_t n = batch.len;
		batch.buf = batch.spare;
		batch.spare = full;
		batch.len = 0;
		pthread_mutex_unlock(&batch.lock);
		write_lines(full, n);
		pthread_mutex_lock(&batch.lock);
	}
	pthread_mutex_unlock(&batch.lock);
	return NULL;
}

int log_writer_start(void)
{
	char *a = malloc(BATCH_CAP), *b = malloc(BATCH_CAP);
	int rc = -1;
	pthread_mutex_lock(&batch.lock);
	if (a && b && !batch.running) {
		batch.buf = a;
		batch.spare = b;
		batch.len = 0;
		batch.stopping = false;
		if (pthread_create(&batch.thread, NULL, writer, NULL) == 0) {
			batch.running = true;
			a = b = NULL; /* the writer's now */
			rc = 0;
		} else {
			batch.buf = batch.spare = NULL;
		}
	}
	pthread_mutex_unlock(&batch.lock);
	free(a);
	free(b);
	return rc;
}

void log_writer_stop(void)
{
	pthread_mutex_lock(&batch.lock);
	bool was = batch.running;
	batch.stopping = true;
	pthread_cond_signal(&batch.wake);
	pthread_mutex_unlock(&batch.lock);
	if (!was)
		return;
	pthread_join(batch.thread, NULL);
	pthread_mutex_lock(&batch.lock);
	free(batch.buf);
	free(batch.spare);
	batch.buf = batch.spare = NULL;
	pthread_mutex_unlock(&batch.lock);
}
