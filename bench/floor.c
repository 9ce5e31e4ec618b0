/* bench/floor.c — the floor for `make bench`: a bare libmicrohttpd server,
 * set up like csec's engine (src/http/server.c: an internal thread pool of
 * one thread per core on epoll, suspend/resume allowed, the same connection
 * timeout, memory limit and connection limit), that reads one file at start
 * and answers every request with its bytes as text/html. Nothing is done per
 * request beyond what the library itself does, so what it measures is this
 * library on this machine: the fastest csec could ever serve the same bytes.
 *
 * usage: floor FILE PORT   (PORT 0 picks a free port)
 * Prints "listening on 127.0.0.1:PORT" on stderr when ready; stops on
 * SIGTERM or SIGINT. Benchmark tooling, not part of the product. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct MHD_Response *page;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	(void)upload_data;
	/* Like csec: the first call only notes the request; the answer is queued
	 * once the request (and any body, thrown away) has been read. Queued on
	 * the first call, libmicrohttpd would close the connection after it. */
	static int seen;
	if (!*con_cls) {
		*con_cls = &seen;
		return MHD_YES;
	}
	if (*upload_data_size) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	return MHD_queue_response(conn, MHD_HTTP_OK, page);
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *data = malloc(cap);
	while (data) {
		n += fread(data + n, 1, cap - n, f);
		if (n < cap)
			break;
		char *bigger = realloc(data, cap * 2);
		if (!bigger) {
			free(data);
			data = NULL;
			break;
		}
		data = bigger;
		cap *= 2;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(data);
		return NULL;
	}
	*len = n;
	return data;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: floor FILE PORT\n");
		return 2;
	}
	char *end;
	long port = strtol(argv[2], &end, 10);
	if (*end || end == argv[2] || port < 0 || port > 65535) {
		fprintf(stderr, "floor: bad port \"%s\"\n", argv[2]);
		return 2;
	}
	size_t len = 0;
	char *body = read_all(argv[1], &len);
	if (!body) {
		fprintf(stderr, "floor: cannot read %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	page = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_PERSISTENT);
	if (!page ||
	    MHD_add_response_header(page, "Content-Type", "text/html; charset=utf-8") != MHD_YES) {
		fprintf(stderr, "floor: out of memory\n");
		return 1;
	}

	/* Loopback only, like csec's default. */
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned threads = cores > 0 ? (unsigned)cores : 1;
	struct MHD_Daemon *d = MHD_start_daemon(
	        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG |
	                MHD_ALLOW_SUSPEND_RESUME,
	        0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_THREAD_POOL_SIZE,
	        threads, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
	        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
	        MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "floor: libmicrohttpd refused to start on port %ld\n", port);
		return 1;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	fprintf(stderr, "listening on 127.0.0.1:%u, %u threads, %zu bytes\n",
	        info ? (unsigned)info->port : (unsigned)port, threads, len);

	int sig = 0;
	sigwait(&stop, &sig);
	MHD_stop_daemon(d);
	MHD_destroy_response(page);
	free(body);
	return 0;
}
