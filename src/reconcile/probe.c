/*
 * probe.c - the prober thread: non-blocking TCP and HTTP checks under poll().
 *
 * Slots are owned by struct prober and guarded by its mutex; the thread holds
 * the mutex only while it advances non-blocking sockets, never across poll()
 * or a callback. A slot's generation changes whenever it is reused, so that a
 * socket event seen after a prober_remove() is ignored.
 */
#include "reconcile/probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/xalloc.h"

enum phase { IDLE, CONNECTING, SENDING, READING };

struct slot {
	struct probe_target t;
	bool used;
	bool passed_once;
	uint64_t gen;
	int64_t added_ms;       /* monotonic */
	int64_t next_ms;        /* monotonic: when the next probe starts */
	enum phase phase;
	int fd;
	bool counted;
	int64_t started_ms, deadline_ms;
	char io[512];           /* request while sending, response head while reading */
	size_t len, off;
};

struct prober {
	pthread_t thread;
	pthread_mutex_t mu;
	int wake[2];
	bool stop;
	probe_cb cb;
	void *arg;
	struct slot *slots;
	size_t nslots, cap;
	uint64_t gens;
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void wake(struct prober *p)
{
	char c = 1;

	if (write(p->wake[1], &c, 1) < 0 && errno != EAGAIN) {
		/* the pipe is full: the thread is awake anyway */
	}
}

/* Ends the probe in flight on s and fills r. Called with the mutex held. */
static void finish(struct slot *s, struct probe_result *r, bool ok, int status,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void finish(struct slot *s, struct probe_result *r, bool ok, int status,
		   const char *fmt, ...)
{
	int64_t now = mono_ms();
	va_list ap;

	memset(r, 0, sizeof(*r));
	r->key = s->t.key;
	r->ok = ok;
	r->counted = s->counted || ok;
	r->http_status = status;
	r->latency_ms = now - s->started_ms;
	r->at_ms = real_ms();
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->phase = IDLE;
	if (ok)
		s->passed_once = true;
	if (s->passed_once || now - s->added_ms >= s->t.interval_ms)
		s->next_ms = s->started_ms + s->t.interval_ms;
	else
		s->next_ms = now + PROBE_FAST_MS;
	if (s->next_ms < now)
		s->next_ms = now;
}

static int sockaddr_of(const struct probe_target *t, struct sockaddr_storage *ss,
		       socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, t->addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)t->port);
		*len = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, t->addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)t->port);
		*len = sizeof(*in6);
		return 0;
	}
	return -EINVAL;
}

static void build_request(struct slot *s)
{
	int n = snprintf(s->io, sizeof(s->io),
			 "GET %s HTTP/1.0\r\nHost: %s:%d\r\nUser-Agent: orca-health\r\n"
			 "Connection: close\r\n\r\n", s->t.path, s->t.addr, s->t.port);

	s->len = n < (int)sizeof(s->io) ? (size_t)n : sizeof(s->io) - 1;
	s->off = 0;
	s->phase = SENDING;
}

/* The connection is up: a TCP check is done, an HTTP check sends. */
static bool connected(struct slot *s, struct probe_result *r)
{
	if (s->t.path[0] == '\0') {
		finish(s, r, true, 0, "tcp connect: ok");
		return true;
	}
	build_request(s);
	return false;
}

static bool start(struct slot *s, struct probe_result *r)
{
	struct sockaddr_storage ss;
	socklen_t len;

	s->started_ms = mono_ms();
	s->deadline_ms = s->started_ms + s->t.timeout_ms;
	s->counted = s->passed_once || s->started_ms - s->added_ms >= s->t.interval_ms;
	if (sockaddr_of(&s->t, &ss, &len) < 0) {
		finish(s, r, false, 0, "bad address '%s'", s->t.addr);
		return true;
	}
	s->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		finish(s, r, false, 0, "socket: %s", strerror(errno));
		return true;
	}
	if (connect(s->fd, (struct sockaddr *)&ss, len) == 0)
		return connected(s, r);
	if (errno != EINPROGRESS) {
		finish(s, r, false, 0, "connect: %s", strerror(errno));
		return true;
	}
	s->phase = CONNECTING;
	return false;
}

/* Parses "HTTP/1.x NNN ..." once a full status line is in s->io. */
static bool parse_status(struct slot *s, struct probe_result *r, bool eof)
{
	char *nl = memchr(s->io, '\n', s->len);
	int major, minor, status;

	if (nl == NULL && !eof && s->len < sizeof(s->io) - 1)
		return false;
	s->io[s->len] = '\0';
	if (sscanf(s->io, "HTTP/%d.%d %3d", &major, &minor, &status) != 3 ||
	    status < 100 || status > 999) {
		if (s->len)
			finish(s, r, false, 0, "GET %s: malformed response", s->t.path);
		else
			finish(s, r, false, 0, "GET %s: connection closed without a response",
			       s->t.path);
		return true;
	}
	if (status >= 200 && status < 400)
		finish(s, r, true, status, "GET %s: %d", s->t.path, status);
	else
		finish(s, r, false, status, "GET %s: %d", s->t.path, status);
	return true;
}

static bool advance(struct slot *s, short revents, struct probe_result *r)
{
	ssize_t n;
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	switch (s->phase) {
	case CONNECTING:
		getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
		if (soerr != 0 || ((revents & (POLLERR | POLLHUP)) && !(revents & POLLOUT))) {
			finish(s, r, false, 0, "connect: %s", strerror(soerr ? soerr : ECONNREFUSED));
			return true;
		}
		return connected(s, r);
	case SENDING:
		n = send(s->fd, s->io + s->off, s->len - s->off, MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN) {
			finish(s, r, false, 0, "send: %s", strerror(errno));
			return true;
		}
		if (n > 0 && (s->off += (size_t)n) == s->len) {
			s->phase = READING;
			s->len = 0;
		}
		return false;
	case READING:
		n = recv(s->fd, s->io + s->len, sizeof(s->io) - 1 - s->len, 0);
		if (n < 0 && errno == EAGAIN)
			return false;
		if (n < 0) {
			finish(s, r, false, 0, "recv: %s", strerror(errno));
			return true;
		}
		s->len += (size_t)n;
		return parse_status(s, r, n == 0);
	case IDLE:
		break;
	}
	return false;
}

static short events_of(const struct slot *s)
{
	return s->phase == READING ? POLLIN : POLLOUT;
}

struct pending {
	struct probe_result *items;
	size_t len, cap;
};

static void push(struct pending *pd, const struct probe_result *r)
{
	XGROW(pd->items, pd->cap, pd->len + 1);
	pd->items[pd->len++] = *r;
}

/* Starts due probes and times out late ones; returns the poll timeout. */
static int tick(struct prober *p, struct pending *pd)
{
	int64_t now = mono_ms(), next = now + 1000;
	struct probe_result r;

	for (size_t i = 0; i < p->nslots; i++) {
		struct slot *s = &p->slots[i];

		if (!s->used)
			continue;
		if (s->phase == IDLE && now >= s->next_ms && start(s, &r))
			push(pd, &r);
		if (s->phase != IDLE && now >= s->deadline_ms) {
			finish(s, &r, false, 0, "no answer within %lld ms",
			       (long long)s->t.timeout_ms);
			push(pd, &r);
		}
		if (s->phase == IDLE && s->next_ms < next)
			next = s->next_ms;
		if (s->phase != IDLE && s->deadline_ms < next)
			next = s->deadline_ms;
	}
	return next <= now ? 0 : (int)(next - now);
}

struct watch {
	size_t slot;
	uint64_t gen;
};

static void *run(void *arg)
{
	struct prober *p = arg;
	struct pending pd = { 0 };
	struct pollfd *fds = NULL;
	struct watch *w = NULL;
	size_t cap = 0, wcap = 0;

	pthread_mutex_lock(&p->mu);
	while (!p->stop) {
		int timeout = tick(p, &pd);
		size_t n = 1;

		XGROW(fds, cap, p->nslots + 1);
		XGROW(w, wcap, p->nslots + 1);
		fds[0] = (struct pollfd){ .fd = p->wake[0], .events = POLLIN };
		for (size_t i = 0; i < p->nslots; i++) {
			if (!p->slots[i].used || p->slots[i].phase == IDLE)
				continue;
			fds[n] = (struct pollfd){ .fd = p->slots[i].fd, .events = events_of(&p->slots[i]) };
			w[n++] = (struct watch){ i, p->slots[i].gen };
		}
		pthread_mutex_unlock(&p->mu);
		for (size_t i = 0; i < pd.len; i++)
			p->cb(p->arg, &pd.items[i]);
		pd.len = 0;
		if (timeout > 0 && poll(fds, n, timeout) < 0 && errno != EINTR)
			usleep(10000);
		pthread_mutex_lock(&p->mu);
		if (fds[0].revents & POLLIN) {
			char drain[64];

			while (read(p->wake[0], drain, sizeof(drain)) > 0)
				;
		}
		for (size_t i = 1; i < n; i++) {
			struct slot *s = &p->slots[w[i].slot];
			struct probe_result r;

			if (!fds[i].revents || !s->used || s->gen != w[i].gen || s->phase == IDLE)
				continue;
			if (advance(s, fds[i].revents, &r))
				push(&pd, &r);
		}
	}
	pthread_mutex_unlock(&p->mu);
	free(pd.items);
	free(fds);
	free(w);
	return NULL;
}

struct prober *prober_new(probe_cb cb, void *arg)
{
	struct prober *p = xcalloc(1, sizeof(*p));
	int err;

	p->cb = cb;
	p->arg = arg;
	pthread_mutex_init(&p->mu, NULL);
	if (pipe2(p->wake, O_NONBLOCK | O_CLOEXEC) < 0)
		goto fail;
	err = pthread_create(&p->thread, NULL, run, p);
	if (err != 0) {
		close(p->wake[0]);
		close(p->wake[1]);
		errno = err;
		goto fail;
	}
	return p;
fail:
	pthread_mutex_destroy(&p->mu);
	free(p);
	return NULL;
}

void prober_free(struct prober *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_mutex_unlock(&p->mu);
	wake(p);
	pthread_join(p->thread, NULL);
	for (size_t i = 0; i < p->nslots; i++)
		if (p->slots[i].used && p->slots[i].fd >= 0)
			close(p->slots[i].fd);
	close(p->wake[0]);
	close(p->wake[1]);
	pthread_mutex_destroy(&p->mu);
	free(p->slots);
	free(p);
}

static struct slot *find(struct prober *p, uint64_t key)
{
	for (size_t i = 0; i < p->nslots; i++)
		if (p->slots[i].used && p->slots[i].t.key == key)
			return &p->slots[i];
	return NULL;
}

static struct slot *take_free(struct prober *p)
{
	for (size_t i = 0; i < p->nslots; i++)
		if (!p->slots[i].used)
			return &p->slots[i];
	if (p->nslots == PROBE_MAX_TARGETS)
		return NULL;
	XGROW(p->slots, p->cap, p->nslots + 1);
	memset(&p->slots[p->nslots], 0, sizeof(struct slot));
	return &p->slots[p->nslots++];
}

static bool same_endpoint(const struct probe_target *a, const struct probe_target *b)
{
	return a->port == b->port && strcmp(a->addr, b->addr) == 0 &&
	       strcmp(a->path, b->path) == 0;
}

int prober_set(struct prober *p, const struct probe_target *t)
{
	struct slot *s;
	int rc = 0;

	pthread_mutex_lock(&p->mu);
	s = find(p, t->key);
	if (s != NULL && same_endpoint(&s->t, t)) {
		s->t = *t;
		goto out;
	}
	if (s == NULL && (s = take_free(p)) == NULL) {
		rc = -ENOSPC;
		goto out;
	}
	if (s->used && s->fd >= 0)
		close(s->fd);
	memset(s, 0, sizeof(*s));
	s->used = true;
	s->t = *t;
	s->t.addr[sizeof(s->t.addr) - 1] = '\0';
	s->t.path[sizeof(s->t.path) - 1] = '\0';
	s->fd = -1;
	s->gen = ++p->gens;
	s->added_ms = mono_ms();
	s->next_ms = s->added_ms;
out:
	pthread_mutex_unlock(&p->mu);
	wake(p);
	return rc;
}

void prober_remove(struct prober *p, uint64_t key)
{
	struct slot *s;

	pthread_mutex_lock(&p->mu);
	s = find(p, key);
	if (s != NULL) {
		if (s->fd >= 0)
			close(s->fd);
		s->used = false;
		s->fd = -1;
		s->gen = ++p->gens;
	}
	pthread_mutex_unlock(&p->mu);
}
