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

/* The server's request lines go through a writer thread from here on: each
 * request only copies its line into a batch, and the thread writes the batch
 * some milliseconds later in a few write(2)s rather than one per request.
 * Message lines are still written at once. 0, or -1 (then lines are written
 * directly, as before). Start it with the signals the server waits for
 * blocked, so that the thread does not take them. */
int log_writer_start(void);

/* Writes what is still batched and ends the thread (a no-op without one). */
void log_writer_stop(void);

/* Microseconds on the monotonic clock, for durations. */
int64_t log_now_us(void);

/* Turns the per-request lines off (benchmarks of the floor only). */
void log_set_requests(int on);

#endif
