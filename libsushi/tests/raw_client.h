/* SPDX-License-Identifier: MIT */
/*
 * raw_client.h - what the sushid protocol's tests (libsushi's test_client.c,
 * the host test_sushid.c, the guest sushid_test.c) do below the client
 * API: connect a raw socket, read whole frames, tell end of stream, build
 * each malformed-header class, and read one sample out of the Prometheus
 * metrics text.
 */
#ifndef SUSHID_RAW_CLIENT_H
#define SUSHID_RAW_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "proto.h"

/* a socket connected to @path, reads timing out after 30 s; -1 */
static inline int raw_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct timeval tv = { .tv_sec = 30 };

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static inline int raw_read_full(int fd, uint8_t *b, size_t n)
{
	while (n) {
		ssize_t k = read(fd, b, n);

		if (k <= 0)
			return -1;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

/* the next frame into @b (@cap bytes): its type, or -1 on EOF or error */
static inline int raw_frame(int fd, uint8_t *b, size_t cap, struct proto_hdr *h)
{
	if (raw_read_full(fd, b, SUSHID_PROTO_HDR) ||
	    proto_hdr_check(b, (uint32_t)(cap - SUSHID_PROTO_HDR), h, NULL) ||
	    raw_read_full(fd, b + SUSHID_PROTO_HDR, h->length))
		return -1;
	return h->type;
}

/* the peer closed (nothing more to read) */
static inline bool raw_eof(int fd)
{
	uint8_t b;

	return read(fd, &b, 1) == 0;
}

/*
 * A METRICS_REQ header (at @b, 64 bytes of room) broken the way the error
 * @kind (enum proto_err, MAGIC..LENGTH) names; its size.
 */
static inline size_t bad_frame(uint8_t *b, unsigned int kind)
{
	size_t n = proto_enc_raw(b, 64, PROTO_METRICS_REQ, NULL, 0);

	switch (kind) {
	case PROTO_ERR_MAGIC: b[1] = 'X'; break;
	case PROTO_ERR_VERSION: b[4] = 2; break;
	case PROTO_ERR_TYPE: b[5] = PROTO_RESULT; break;	/* a reply as a request */
	case PROTO_ERR_FLAGS: b[7] = 0x40; break;
	case PROTO_ERR_RESERVED: b[14] = 1; break;
	case PROTO_ERR_TOO_LARGE: b[5] = PROTO_QUERY; proto_put32(b + 8, 0x7fffffff); break;
	case PROTO_ERR_LENGTH: proto_put32(b + 8, 4); memset(b + 16, 0, 4); n += 4; break;
	}
	return n;
}

/* the value of the sample @series (name and labels) in @text, or -1 */
static inline double metric(const char *text, const char *series)
{
	size_t n = strlen(series);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, series, n) && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	return -1;
}

#endif /* SUSHID_RAW_CLIENT_H */
