/* http/server.c — libmicrohttpd glue. It builds a struct req for each request
 * (arena, raw target, headers, client address), hands the body to the
 * dispatcher chunk by chunk, and turns struct resp into an engine response.
 * Nothing else in the tree includes microhttpd.h, so the engine can change
 * without touching a handler.
 *
 * Threading: an internal thread pool (one thread per core) on epoll; each
 * connection stays on one thread, and each thread has its own store
 * connection (db/pool.c). */
#include "http/server.h"

#include "core/arena.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/str.h"
#include "db/pool.h"
#include "http/workers.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* A request's memory may not exceed this, whatever its body limit says. */
#define REQ_ARENA_CAP (64u << 20)
#define MAX_HEADERS 100
/* How much of a refused body we read and discard before closing instead. */
#define DRAIN_CAP (16u << 20)
/* The most a streamed body's read is asked for at once. */
#define STREAM_BLOCK (32u << 10)

struct http_server {
	struct MHD_Daemon *daemon;
	const struct http_config *cfg;
	const struct dispatch_table *table;
	atomic_int inflight;
	unsigned port;
};

struct conn_req {
	struct req req;
	struct http_server *srv;
	bool began;
	bool queued; /* answered before the body arrived */
	size_t drained; /* bytes of a refused body thrown away */
	struct MHD_Connection *conn; /* for a slow route's worker to resume */
};

/* Runs a slow route's handler on a worker thread, then wakes the suspended
 * connection; the engine calls on_request again, which sends the answer. */
static void run_slow(void *arg)
{
	struct conn_req *c = arg;
	dispatch_end(&c->req);
	MHD_resume_connection(c->conn);
}

/* Hands the request to the worker pool. The connection is suspended first,
 * so the worker cannot resume it before it is suspended. */
static enum MHD_Result start_slow(struct MHD_Connection *conn, struct conn_req *c)
{
	c->conn = conn;
	MHD_suspend_connection(conn);
	int rc = workers_submit(run_slow, c);
	if (rc != 0) {
		http_add_header(&c->req, "Retry-After", "5");
		http_error(&c->req, 503, "error.busy");
		MHD_resume_connection(conn);
	}
	return MHD_YES;
}

static void engine_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_msg(LOG_WARN, "http engine: %s", msg);
}

/* Request ids only need to be unique and unguessable enough not to collide
 * across threads and restarts: a per-thread counter from a random start,
 * scrambled (splitmix64), costs no system call per request. */
static void next_request_id(char out[17])
{
	static _Thread_local uint64_t state;
	static _Thread_local bool seeded;
	if (!seeded) {
		crypto_random(&state, sizeof state);
		seeded = true;
	}
	uint64_t z = (state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	z ^= z >> 31;
	static const char hex[] = "0123456789abcdef";
	for (int i = 15; i >= 0; i--, z >>= 4)
		out[i] = hex[z & 0xf];
	out[16] = '\0';
}

/* Called by the engine as soon as the request line is read: the raw target,
 * before any decoding, so we see exactly what the client sent. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)conn;
	struct http_server *s = cls;
	struct arena *a = arena_create(REQ_ARENA_CAP);
	struct conn_req *c = a ? arena_calloc(a, 1, sizeof *c) : NULL;
	if (!c) {
		arena_destroy(a);
		return NULL;
	}
	atomic_fetch_add(&s->inflight, 1);
	c->srv = s;
	struct req *req = &c->req;
	req->arena = a;
	req->cfg = s->cfg;
	req->start_us = log_now_us();
	const char *q = strchr(uri, '?');
	req->raw_path = q ? arena_strndup(a, uri, (size_t)(q - uri)) : arena_strdup(a, uri);
	req->query = q ? arena_strdup(a, q + 1) : "";
	if (!req->raw_path || !req->query)
		req->raw_path = req->query = "";
	next_request_id(req->request_id);
	return c;
}

struct header_walk {
	struct req *req;
	size_t cap;
};

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
	(void)kind;
	struct header_walk *w = cls;
	struct req *req = w->req;
	if (req->nheaders >= w->cap)
		return MHD_NO;
	req->headers[req->nheaders].name = key;
	req->headers[req->nheaders].value = value ? value : "";
	req->nheaders++;
	return MHD_YES;
}

static bool sockaddr_to_addr(const struct sockaddr *sa, struct net_addr *out)
{
	memset(out, 0, sizeof *out);
	if (!sa)
		return false;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
		out->family = AF_INET;
		memcpy(out->bytes, &in->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
		char text[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
		return net_addr_parse(text, strlen(text), out) == 0;
	}
	return false;
}

/* DESIGN.md §4: X-Forwarded-For and -Proto are believed only from a trusted
 * proxy; the client is the nearest address in the chain that is not itself a
 * trusted proxy. */
static void resolve_client(struct req *req, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
	        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct net_addr peer;
	if (!ci || !sockaddr_to_addr(ci->client_addr, &peer)) {
		snprintf(req->client, sizeof req->client, "unknown");
		return;
	}
	const struct http_config *cfg = req->cfg;
	req->https = false;
	struct net_addr client = peer;
	if (cfg->ntrusted && net_in_cidrs(&peer, cfg->trusted, cfg->ntrusted)) {
		const char *xff = req_header(req, "X-Forwarded-For");
		if (xff) {
			const char *end = xff + strlen(xff);
			while (end > xff) {
				const char *start = end;
				while (start > xff && start[-1] != ',')
					start--;
				struct str item =
				        str_trim((struct str){start, (size_t)(end - start)});
				struct net_addr a;
				if (net_addr_parse(item.p, item.len, &a) != 0)
					break; /* garbage in the chain: stop believing it */
				client = a;
				if (!net_in_cidrs(&a, cfg->trusted, cfg->ntrusted))
					break;
				end = start > xff ? start - 1 : xff;
			}
		}
		const char *proto = req_header(req, "X-Forwarded-Proto");
		req->https = proto && strcmp(proto, "https") == 0;
	}
	net_addr_format(&client, req->client);
}

static void add_header(void *ctx, const char *name, const char *value)
{
	if (MHD_add_response_header(ctx, name, value) != MHD_YES)
		log_msg(LOG_WARN, "could not add response header %s", name);
}

/* The engine's side of a streamed body: http/http.h's read and done. */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	struct http_stream *s = cls;
	long n = s->read(s->ctx, buf, max);
	if (n < 0) {
		log_msg(LOG_WARN, "a streamed response failed (%ld); closing it", n);
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	return n == 0 ? MHD_CONTENT_READER_END_OF_STREAM : (ssize_t)n;
}

static void stream_done(void *cls)
{
	struct http_stream *s = cls;
	if (s->done)
		s->done(s->ctx);
	free(s);
}

/* Hands req's streamed body to the engine, which then owns it (NULL when
 * out of memory; the body is then released). */
static struct MHD_Response *stream_response(struct req *req)
{
	struct http_stream *s = malloc(sizeof *s);
	if (!s) {
		http_stream_drop(req);
		return NULL;
	}
	*s = req->resp.stream;
	memset(&req->resp.stream, 0, sizeof req->resp.stream);
	struct MHD_Response *mr = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK,
	                                                            stream_read, s, stream_done);
	if (!mr)
		stream_done(s);
	return mr;
}

static enum MHD_Result queue(struct MHD_Connection *conn, struct req *req)
{
	struct resp *r = &req->resp;
	struct MHD_Response *mr;
	if (r->stream.read)
		mr = stream_response(req);
	else if (r->fixed)
		mr = MHD_create_response_from_buffer(r->fixed_len, (void *)(uintptr_t)r->fixed,
		                                     MHD_RESPMEM_PERSISTENT);
	else
		/* The arena lives until the request completes, after sending. */
		mr = MHD_create_response_from_buffer(r->body.len, r->body.data,
		                                     MHD_RESPMEM_PERSISTENT);
	if (!mr)
		return MHD_NO;
	dispatch_headers(req, add_header, mr);
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r->status, mr);
	MHD_destroy_response(mr);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	(void)cls;
	(void)url;
	(void)version;
	struct conn_req *c = *con_cls;
	if (!c)
		return MHD_NO; /* out of memory when the request line arrived */
	struct req *req = &c->req;
	if (!c->began) {
		c->began = true;
		req->method = method;
		struct header_walk w = {req, MAX_HEADERS};
		req->headers = arena_calloc(req->arena, MAX_HEADERS, sizeof *req->headers);
		if (!req->headers)
			return MHD_NO;
		MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, &w);
		resolve_client(req, conn);
		int64_t length = -1;
		const char *cl = req_header(req, "Content-Length");
		if (cl && str_to_i64(str_from(cl), 0, INT64_MAX, &length) != 0)
			length = -1;
		dispatch_begin(req, c->srv->table, length);
		/* A declared body too large to be worth reading is refused before
		 * it is sent; the engine then discards it and closes. Smaller
		 * refused bodies are read and thrown away (see below), because a
		 * client still writing when the connection closes may never see
		 * the answer. Requests without a body are answered at the final
		 * call, which keeps the connection alive. */
		if (req->body_status && length > (int64_t)DRAIN_CAP)
			dispatch_end(req);
		bool body_coming =
		        length > 0 || (length < 0 && req_header(req, "Transfer-Encoding"));
		if (req->resp.status && body_coming) {
			c->queued = true;
			return queue(conn, req);
		}
		return MHD_YES;
	}
	if (req->resp.status) {
		/* Answered already, or to be answered at this final call. */
		if (*upload_data_size || c->queued) {
			*upload_data_size = 0;
			return MHD_YES;
		}
		return queue(conn, req);
	}
	if (*upload_data_size) {
		/* A refused body is still read to its end (and thrown away), so the
		 * client is reading when the answer comes: answering mid-upload makes
		 * the engine close a socket with unread data, and the client sees a
		 * reset instead of the 4xx. Past DRAIN_CAP we give up and close. */
		if (req->body_status) {
			c->drained += *upload_data_size;
			*upload_data_size = 0;
			return c->drained > DRAIN_CAP ? MHD_NO : MHD_YES;
		}
		dispatch_body(req, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (req->route->slow && !req->body_status)
		return start_slow(conn, c);
	dispatch_end(req);
	return queue(conn, req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	(void)conn;
	struct http_server *s = cls;
	struct conn_req *c = *con_cls;
	if (!c)
		return;
	*con_cls = NULL;
	struct req *req = &c->req;
	struct log_request line = {
	        .request_id = req->request_id,
	        .method = req->method ? req->method : "-",
	        .path = req->route && req->route->secret_path ? req->route->pattern : req->raw_path,
	        .status = req->resp.status
	                ? req->resp.status
	                : (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? 200 : 499),
	        .duration_us = log_now_us() - req->start_us,
	        .client = req->client[0] ? req->client : NULL,
	};
	log_request(&line);
	http_stream_drop(req); /* a streamed body never handed to the engine */
	arena_destroy(req->arena);
	atomic_fetch_sub(&s->inflight, 1);
}

int http_server_listen(struct http_listen *l, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	memset(&ss, 0, sizeof ss);
	if (l->addr.family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)l->port);
		memcpy(&in6->sin6_addr, l->addr.bytes, 16);
		sslen = sizeof *in6;
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)l->port);
		memcpy(&in->sin_addr, l->addr.bytes, 4);
		sslen = sizeof *in;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(fd, (struct sockaddr *)&ss, sslen) != 0 || listen(fd, 1024) != 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sslen) != 0) {
		snprintf(err, errlen, "cannot listen on port %u: %s", l->port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	l->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
	                                         : ((struct sockaddr_in *)&ss)->sin_port);
	l->fd = fd;
	return 0;
}

int http_server_start(const struct http_listen *l, const struct http_config *cfg,
                      const struct dispatch_table *table, struct http_server **out, char *err,
                      size_t errlen)
{
	struct http_server *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->cfg = cfg;
	s->table = table;
	atomic_init(&s->inflight, 0);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
	        MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	if (l->addr.family == AF_INET6)
		flags |= MHD_USE_IPv6;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned threads = l->threads ? l->threads : (cores > 0 ? (unsigned)cores : 1);

	s->daemon = MHD_start_daemon(
	        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, engine_log, s,
	        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)l->fd, MHD_OPTION_THREAD_POOL_SIZE, threads,
	        MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
	        s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	        (size_t)(64 * 1024), MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000, MHD_OPTION_END);
	if (!s->daemon) {
		snprintf(err, errlen, "the HTTP engine refused to start on port %u", l->port);
		free(s);
		return -1;
	}
	*out = s;
	return 0;
}

void http_server_stop(struct http_server *s, unsigned grace_seconds)
{
	if (!s)
		return;
	MHD_socket fd = MHD_quiesce_daemon(s->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	int64_t deadline = log_now_us() + (int64_t)grace_seconds * 1000000;
	while (atomic_load(&s->inflight) > 0 && log_now_us() < deadline) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	int left = atomic_load(&s->inflight);
	if (left > 0)
		log_msg(LOG_WARN, "stopping with %d request(s) still in flight", left);
	MHD_stop_daemon(s->daemon);
	free(s);
}
