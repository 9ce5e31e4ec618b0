/* bench/rate.c — a fixed-rate client for `make bench`: GETs one URL at RATE
 * requests a second in all, from CONNS keep-alive connections (one thread
 * and one libcurl handle each, their sends spread evenly over the period),
 * for SECONDS, and prints each request's latency in milliseconds with
 * microsecond resolution, one a line, once the run is over. A request is
 * timed from its send to the end of its answer. A connection that falls
 * behind its schedule does not burst to catch up: it sends again at once,
 * then keeps the period. Answers other than 200 are counted on stderr and
 * make the exit status 1.
 *
 * bench/run measures a cheap page's p99 with it while sign-ins arrive
 * (DESIGN.md §3); hey, which it used before, reports to 0.1 ms, too coarse
 * for a p99 of 0.2 ms. Benchmark tooling, not part of the product.
 *
 * usage: rate URL SECONDS RATE CONNS */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct conn {
	pthread_t thread;
	const char *url;
	int64_t start_ns, end_ns, period_ns;
	int64_t *lat_ns; /* latencies, count of them */
	size_t count, cap;
	unsigned failed;
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_until(int64_t t)
{
	struct timespec ts = {.tv_sec = t / 1000000000, .tv_nsec = t % 1000000000};
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static size_t discard(char *p, size_t size, size_t n, void *unused)
{
	(void)p;
	(void)unused;
	return size * n;
}

static void *run(void *arg)
{
	struct conn *c = arg;
	CURL *h = curl_easy_init();
	if (!h) {
		c->failed++;
		return NULL;
	}
	curl_easy_setopt(h, CURLOPT_URL, c->url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	for (int64_t next = c->start_ns; next < c->end_ns && c->count < c->cap;) {
		sleep_until(next);
		int64_t sent = now_ns();
		long status = 0;
		CURLcode rc = curl_easy_perform(h);
		int64_t done = now_ns();
		if (rc == CURLE_OK)
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		if (status == 200)
			c->lat_ns[c->count++] = done - sent;
		else
			c->failed++;
		next += c->period_ns;
		if (next < done)
			next = done;
	}
	curl_easy_cleanup(h);
	return NULL;
}

int main(int argc, char **argv)
{
	long secs = argc == 5 ? strtol(argv[2], NULL, 10) : 0;
	long rate = argc == 5 ? strtol(argv[3], NULL, 10) : 0;
	long conns = argc == 5 ? strtol(argv[4], NULL, 10) : 0;
	if (secs < 1 || secs > 600 || rate < 1 || rate > 100000 || conns < 1 || conns > 64 ||
	    conns > rate) {
		fprintf(stderr, "usage: rate URL SECONDS(1-600) RATE(1-100000) CONNS(1-64, <= RATE)\n");
		return 2;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "rate: libcurl did not start\n");
		return 2;
	}
	struct conn c[64];
	int64_t period = 1000000000LL * conns / rate, start = now_ns() + 10000000;
	size_t cap = (size_t)(secs * rate / conns) + 2;
	for (long i = 0; i < conns; i++) {
		c[i] = (struct conn){
		        .url = argv[1],
		        .start_ns = start + period * i / conns,
		        .end_ns = start + secs * 1000000000LL,
		        .period_ns = period,
		        .lat_ns = calloc(cap, sizeof(int64_t)),
		        .cap = cap,
		};
		if (!c[i].lat_ns || pthread_create(&c[i].thread, NULL, run, &c[i]) != 0) {
			fprintf(stderr, "rate: cannot start connection %ld\n", i);
			return 2;
		}
	}
	unsigned failed = 0;
	for (long i = 0; i < conns; i++) {
		pthread_join(c[i].thread, NULL);
		failed += c[i].failed;
	}
	for (long i = 0; i < conns; i++) {
		for (size_t k = 0; k < c[i].count; k++)
			printf("%.3f\n", (double)c[i].lat_ns[k] / 1e6);
		free(c[i].lat_ns);
	}
	curl_global_cleanup();
	if (failed) {
		fprintf(stderr, "rate: %u requests failed or did not answer 200\n", failed);
		return 1;
	}
	return 0;
}
