/* core/log.h — structured logs: one JSON object per line on stderr. Callers
 * never pass bodies, cookies, tokens or passwords; the request logger takes
 * the path without its query string for the same reason. */
#ifndef CSEC_CORE_LOG_H
#define CSEC_CORE_LOG_H

#include <stdint.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* {"time":..,"level":..,"msg":..} — msg is formatted printf-style. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct log_request {
	const char *request_id;
	const char *method;
	const char *path; /* without the query string */
	int status;
	int64_t duration_us;
	const char *client;
};

void log_request(const struct log_request *r);

/* Microseconds on the monotonic clock, for durations. */
int64_t log_now_us(void);

/* Turns the per-request lines off (benchmarks of the floor only). */
void log_set_requests(int on);

#endif
