/* core/log.c — see log.h. Each line is built in memory and written with one
 * write(2), so lines from different threads never interleave. */
#include "core/log.h"

#include "core/buf.h"
#include "core/str.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int requests_on = 1;

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

static void timestamp(char out[48])
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(out, 48, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 48 - n, ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
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

/* jansson refuses invalid UTF-8, and a raw request path may hold anything. */
static const char *printable(const char *s)
{
	if (!s)
		return NULL;
	return str_utf8_valid(s, strlen(s)) ? s : "(invalid utf-8)";
}

void log_request(const struct log_request *r)
{
	if (!requests_on)
		return;
	char ts[48];
	timestamp(ts);
	json_t *o = json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:i, s:I, s:s?}", "time", ts, "level",
	                      r->status >= 500 ? "error" : "info", "request_id", r->request_id,
	                      "method", printable(r->method), "path", printable(r->path), "status",
	                      r->status, "duration_us", (json_int_t)r->duration_us, "client",
	                      r->client);
	if (o)
		emit(o);
}
