/* SPDX-License-Identifier: MIT */
/*
 * proto.h - the sushid wire protocol codec, shared by the daemon
 * (tools/sushid/) and libsushi's client (client.c); private to libsushi.
 * Owns the frame layout, the message payloads, their encoders and
 * checking decoders, and the error codes.  Everything on the wire is
 * little-endian, written and read byte by byte (no struct is ever copied
 * to the wire).  The specification is Documentation/sushid.rst.
 *
 * A frame is a 16-byte header and a payload of header.length bytes:
 *
 *   offset size field
 *   0      4    magic    "SUSD" (0x44535553 read little-endian)
 *   4      1    version  SUSHID_PROTO_VERSION
 *   5      1    type     enum proto_type
 *   6      2    flags    0 (no flag is defined)
 *   8      4    length   payload bytes (<= SUSHID_PROTO_MAX_PAYLOAD)
 *   12     4    reserved 0
 */
#ifndef SUSHI_PROTO_H
#define SUSHI_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define SUSHID_PROTO_MAGIC	0x44535553u	/* "SUSD" */
#define SUSHID_PROTO_VERSION	1u
#define SUSHID_PROTO_HDR	16u
/* no frame of any version is larger: a reader never buffers more */
#define SUSHID_PROTO_MAX_PAYLOAD (16u << 20)
/* fixed payload sizes */
#define SUSHID_PROTO_QUERY_FIXED	24u	/* + the input bytes */
#define SUSHID_PROTO_RESULT_LEN		56u
#define SUSHID_PROTO_INFO_LEN		48u
#define SUSHID_PROTO_ERROR_FIXED	8u	/* + the message */
#define SUSHID_PROTO_ERROR_MSG_MAX	240u
#define SUSHID_PROTO_RESULT_FRAME	(SUSHID_PROTO_HDR + SUSHID_PROTO_RESULT_LEN)
#define SUSHID_PROTO_ERROR_FRAME_MAX	(SUSHID_PROTO_HDR + SUSHID_PROTO_ERROR_FIXED + \
					 SUSHID_PROTO_ERROR_MSG_MAX)

/**
 * enum proto_type - message types; requests go from a client to the
 * daemon, replies back
 * @PROTO_QUERY: request: one inference query (struct proto_query)
 * @PROTO_RESULT: reply: how one query ended (struct proto_result)
 * @PROTO_METRICS_REQ: request (empty payload): the metrics
 * @PROTO_METRICS: reply: Prometheus text exposition format 0.0.4
 * @PROTO_INFO_REQ: request (empty payload): what the daemon serves
 * @PROTO_INFO: reply: struct proto_info
 * @PROTO_ERROR: reply: the connection broke the protocol
 *	(struct proto_error); the daemon closes the connection after it
 */
enum proto_type {
	PROTO_QUERY = 1,
	PROTO_RESULT = 2,
	PROTO_METRICS_REQ = 3,
	PROTO_METRICS = 4,
	PROTO_INFO_REQ = 5,
	PROTO_INFO = 6,
	PROTO_ERROR = 7,
	PROTO_TYPE_MAX = PROTO_ERROR
};

/**
 * enum proto_err - what is wrong with a frame (the code of an ERROR reply)
 * @PROTO_OK: nothing
 * @PROTO_ERR_MAGIC: the magic is not "SUSD"
 * @PROTO_ERR_VERSION: a version the reader does not speak (detail: the
 *	versions it speaks, lowest << 16 | highest)
 * @PROTO_ERR_TYPE: an unknown type, or a reply sent as a request (or the
 *	reverse)
 * @PROTO_ERR_FLAGS: a flag bit set
 * @PROTO_ERR_RESERVED: a reserved field (header or payload) not zero
 * @PROTO_ERR_TOO_LARGE: the length is above what the reader accepts
 *	(detail: that limit)
 * @PROTO_ERR_LENGTH: the length does not fit the type (e.g. a METRICS_REQ
 *	with a payload, a QUERY shorter than its fixed part)
 * @PROTO_ERR_BUSY: the daemon serves too many connections (detail: how
 *	many it allows); sent on accept
 * @PROTO_ERR_TRUNCATED: the peer closed in the middle of a frame (never
 *	sent: a reader's diagnosis)
 */
enum proto_err {
	PROTO_OK = 0,
	PROTO_ERR_MAGIC = 1,
	PROTO_ERR_VERSION = 2,
	PROTO_ERR_TYPE = 3,
	PROTO_ERR_FLAGS = 4,
	PROTO_ERR_RESERVED = 5,
	PROTO_ERR_TOO_LARGE = 6,
	PROTO_ERR_LENGTH = 7,
	PROTO_ERR_BUSY = 8,
	PROTO_ERR_TRUNCATED = 9,
	PROTO_ERR_COUNT
};

/** proto_err_name() - "bad-magic", ... ("unknown" out of range) */
const char *proto_err_name(unsigned int err);

/**
 * enum proto_status - RESULT.status: the runtime's enum sushi_rt_status
 * values, and REJECTED for a well-formed query the daemon refused to
 * submit (RESULT.error: -EINVAL a floor or ceiling out of range,
 * -EMSGSIZE an input of the wrong size)
 */
enum proto_status {
	PROTO_SERVED = 0,
	PROTO_LATE = 1,
	PROTO_SHED = 2,
	PROTO_FAILED = 3,
	PROTO_REJECTED = 4,
	PROTO_STATUS_COUNT
};

/** struct proto_hdr - a decoded frame header */
struct proto_hdr {
	uint32_t magic;
	uint8_t version;
	uint8_t type;
	uint16_t flags;
	uint32_t length;
	uint32_t reserved;
};

/**
 * struct proto_query - QUERY payload: tag u64, floor f64 (IEEE 754
 * binary64), ceiling_ns u64, then the input (the rest of the payload)
 */
struct proto_query {
	uint64_t tag;
	double acc_floor;
	uint64_t lat_ceiling_ns;
	const uint8_t *input;	/* decoded: points into the payload */
	uint32_t in_len;
};

/**
 * struct proto_result - RESULT payload: tag u64, status u32, error i32,
 * prediction u32, subnet u32, device u32, reserved u32 (0), accuracy f64,
 * queue_ns u64, service_ns u64 (56 bytes).  device/subnet 0xffffffff:
 * none; error: 0 or a negative Linux errno.
 */
struct proto_result {
	uint64_t tag;
	uint32_t status;
	int32_t error;
	uint32_t prediction;
	uint32_t subnet;
	uint32_t device;
	double accuracy;
	uint64_t queue_ns;
	uint64_t service_ns;
};

/**
 * struct proto_info - INFO payload: version_min u16, version_max u16, then
 * u32 each: n_devices, n_subnets, n_classes, in_h, in_w, in_c, in_bytes,
 * max_outstanding (queries one connection may have unanswered),
 * max_request (largest request payload accepted), then reserved u64 (0):
 * 48 bytes
 */
struct proto_info {
	uint16_t version_min, version_max;
	uint32_t n_devices, n_subnets, n_classes;
	uint32_t in_h, in_w, in_c, in_bytes;
	uint32_t max_outstanding, max_request;
};

/**
 * struct proto_error - ERROR payload: code u16 (enum proto_err), reserved
 * u16 (0), detail u32, then a UTF-8 message (no NUL) of at most
 * SUSHID_PROTO_ERROR_MSG_MAX bytes
 */
struct proto_error {
	uint16_t code;
	uint32_t detail;
	const char *msg;	/* decoded: points into the payload */
	uint32_t msg_len;
};

/* little-endian stores and loads */
void proto_put16(uint8_t *p, uint16_t v);
void proto_put32(uint8_t *p, uint32_t v);
void proto_put64(uint8_t *p, uint64_t v);
uint16_t proto_get16(const uint8_t *p);
uint32_t proto_get32(const uint8_t *p);
uint64_t proto_get64(const uint8_t *p);

/** proto_type_is_request() - QUERY, METRICS_REQ, INFO_REQ */
int proto_type_is_request(unsigned int type);

/**
 * proto_hdr_check() - decode the header at @b (SUSHID_PROTO_HDR bytes) and
 * check it: magic, version, type known, flags and reserved zero, length at
 * most @max_payload (itself at most SUSHID_PROTO_MAX_PAYLOAD), and the
 * length fitting the type (proto_len_check()).  The checks run in that
 * order; the first that fails is returned, with @detail (may be NULL) the
 * ERROR detail to send.  @h is filled in any case.
 */
enum proto_err proto_hdr_check(const uint8_t *b, uint32_t max_payload,
			       struct proto_hdr *h, uint32_t *detail);

/**
 * proto_frame() - how much of a frame the @n bytes at @b (a stream's
 * unread data) hold
 * Returns PROTO_OK with *@need 0 when a whole frame is there (@h its
 * header; it is SUSHID_PROTO_HDR + @h->length bytes), PROTO_OK with
 * *@need > 0 when that many more bytes are needed before anything can be
 * said, or the header's error (proto_hdr_check()) as soon as the header is
 * complete, whether its payload has arrived or not: a reader never waits
 * for (or buffers) the payload of a frame it will refuse.
 */
enum proto_err proto_frame(const uint8_t *b, size_t n, uint32_t max_payload,
			   struct proto_hdr *h, size_t *need, uint32_t *detail);

/**
 * proto_len_check() - does a payload of @len bytes fit @type: QUERY at
 * least its fixed part, RESULT and INFO exactly, METRICS_REQ and INFO_REQ
 * empty, ERROR its fixed part plus at most SUSHID_PROTO_ERROR_MSG_MAX,
 * METRICS anything.  PROTO_OK or PROTO_ERR_LENGTH.
 */
enum proto_err proto_len_check(unsigned int type, uint32_t len);

/**
 * proto_put_hdr() - a header of @type with @length at @b (16 bytes)
 */
void proto_put_hdr(uint8_t *b, unsigned int type, uint32_t length);

/*
 * Encoders: the whole frame (header and payload) at @b, which has @cap
 * bytes.  They return the frame's size, or 0 when it does not fit (or a
 * field cannot be encoded: a message is cut to SUSHID_PROTO_ERROR_MSG_MAX).
 */
size_t proto_enc_query(uint8_t *b, size_t cap, const struct proto_query *q);
size_t proto_enc_result(uint8_t *b, size_t cap, const struct proto_result *r);
size_t proto_enc_info(uint8_t *b, size_t cap, const struct proto_info *in);
size_t proto_enc_error(uint8_t *b, size_t cap, unsigned int code,
		       uint32_t detail, const char *msg);
/* a frame of @type whose payload is @len bytes of @p (METRICS, empty requests) */
size_t proto_enc_raw(uint8_t *b, size_t cap, unsigned int type,
		     const void *p, uint32_t len);

/*
 * Decoders: the payload @p of a frame whose checked header is @h (of the
 * decoder's type).  PROTO_OK, PROTO_ERR_LENGTH or PROTO_ERR_RESERVED.
 */
enum proto_err proto_dec_query(const struct proto_hdr *h, const uint8_t *p,
			       struct proto_query *q);
enum proto_err proto_dec_result(const struct proto_hdr *h, const uint8_t *p,
				struct proto_result *r);
enum proto_err proto_dec_info(const struct proto_hdr *h, const uint8_t *p,
			      struct proto_info *in);
enum proto_err proto_dec_error(const struct proto_hdr *h, const uint8_t *p,
			       struct proto_error *e);

#endif /* SUSHI_PROTO_H */
