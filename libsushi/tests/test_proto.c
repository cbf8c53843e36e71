// SPDX-License-Identifier: MIT
/*
 * test_proto.c - the sushid wire codec (libsushi/src/proto.c): the exact
 * bytes of each frame against hand-written vectors (little-endian,
 * explicit), a round trip of every message, every malformed-header class
 * with its specific error (and the check order), every wrong length per
 * type, reserved payload fields, encoders refusing small buffers, the
 * framer on truncated input byte by byte, and random and mutated frames
 * that must never crash and whose verdicts must be consistent.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "tap.h"

static int bytes_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
	return !memcmp(a, b, n);
}

static void test_le(void)
{
	uint8_t b[8];

	proto_put16(b, 0x1234);
	ok(b[0] == 0x34 && b[1] == 0x12, "put16 is little-endian");
	proto_put32(b, 0x89abcdefu);
	ok(b[0] == 0xef && b[1] == 0xcd && b[2] == 0xab && b[3] == 0x89,
	   "put32 is little-endian");
	proto_put64(b, 0x0102030405060708ull);
	ok(b[0] == 8 && b[7] == 1, "put64 is little-endian");
	is_u64(proto_get64(b), 0x0102030405060708ull, "get64 reads it back");
	is_u64(proto_get32(b), 0x05060708u, "get32 reads the low half");
	is_u64(proto_get16(b), 0x0708u, "get16 reads the low quarter");
}

static void test_vectors(void)
{
	static const uint8_t input[3] = { 0x80, 0x00, 0x7f };
	static const uint8_t want_query[16 + 24 + 3] = {
		'S', 'U', 'S', 'D', 1, 1, 0, 0, 27, 0, 0, 0, 0, 0, 0, 0,
		0x2a, 0, 0, 0, 0, 0, 0, 0,			/* tag 42 */
		0, 0, 0, 0, 0, 0, 0xe8, 0x3f,			/* floor 0.75 */
		0x40, 0x42, 0x0f, 0, 0, 0, 0, 0,		/* 1000000 ns */
		0x80, 0x00, 0x7f,
	};
	static const uint8_t want_result[16 + 56] = {
		'S', 'U', 'S', 'D', 1, 2, 0, 0, 56, 0, 0, 0, 0, 0, 0, 0,
		7, 0, 0, 0, 0, 0, 0, 0,				/* tag 7 */
		3, 0, 0, 0,					/* FAILED */
		0x83, 0xff, 0xff, 0xff,				/* -125 */
		9, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0,	/* pred, none, dev 1 */
		0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0xf0, 0x3f,			/* accuracy 1.0 */
		0x10, 0x27, 0, 0, 0, 0, 0, 0,			/* 10000 */
		0, 0, 0, 0, 1, 0, 0, 0,				/* 2^32 */
	};
	struct proto_query q = {
		.tag = 42, .acc_floor = 0.75, .lat_ceiling_ns = 1000000,
		.input = input, .in_len = 3,
	};
	struct proto_result r = {
		.tag = 7, .status = PROTO_FAILED, .error = -ECANCELED,
		.prediction = 9, .subnet = UINT32_MAX, .device = 1,
		.accuracy = 1.0, .queue_ns = 10000, .service_ns = 1ull << 32,
	};
	uint8_t b[128];

	is_u64(proto_enc_query(b, sizeof(b), &q), sizeof(want_query),
	       "QUERY frame: 16 + 24 + 3 bytes");
	ok(bytes_eq(b, want_query, sizeof(want_query)),
	   "QUERY frame equals the hand-written bytes");
	is_u64(proto_enc_result(b, sizeof(b), &r), sizeof(want_result),
	       "RESULT frame: 72 bytes");
	ok(bytes_eq(b, want_result, sizeof(want_result)),
	   "RESULT frame equals the hand-written bytes (negative errno as two's complement)");
	is_u64(proto_enc_raw(b, sizeof(b), PROTO_METRICS_REQ, NULL, 0), 16,
	       "METRICS_REQ is a bare header");
	ok(b[5] == PROTO_METRICS_REQ && proto_get32(b + 8) == 0,
	   "its type and zero length");
	is_u64(proto_enc_error(b, sizeof(b), PROTO_ERR_FLAGS, 0x10, "x"), 16 + 8 + 1,
	       "ERROR frame: 16 + 8 + message");
	ok(b[16] == PROTO_ERR_FLAGS && b[17] == 0 && b[18] == 0 && b[19] == 0 &&
	   proto_get32(b + 20) == 0x10 && b[24] == 'x',
	   "ERROR payload: code, zero reserved, detail, message");
}

static void test_round_trips(void)
{
	uint8_t in[784], b[1024];
	struct proto_query q = {
		.tag = UINT64_MAX, .acc_floor = 0.8715, .lat_ceiling_ns = 123456789,
		.input = in, .in_len = sizeof(in),
	}, q2;
	struct proto_result r = {
		.tag = 0x1122334455667788ull, .status = PROTO_LATE, .error = 0,
		.prediction = 3, .subnet = 19, .device = 63, .accuracy = 0.8887,
		.queue_ns = 1, .service_ns = UINT64_MAX,
	}, r2;
	struct proto_info info = {
		.version_min = 1, .version_max = 1, .n_devices = 4,
		.n_subnets = 20, .n_classes = 10, .in_h = 28, .in_w = 28,
		.in_c = 1, .in_bytes = 784, .max_outstanding = 64,
		.max_request = 808,
	}, i2;
	struct proto_error e;
	struct proto_hdr h;
	size_t n, need;

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7);
	n = proto_enc_query(b, sizeof(b), &q);
	ok(n == 16 + 24 + 784 && proto_frame(b, n, 4096, &h, &need, NULL) == PROTO_OK &&
	   need == 0 && h.type == PROTO_QUERY && h.length == 24 + 784,
	   "QUERY: whole frame, type and length");
	ok(proto_dec_query(&h, b + 16, &q2) == PROTO_OK && q2.tag == q.tag &&
	   q2.acc_floor == q.acc_floor && q2.lat_ceiling_ns == q.lat_ceiling_ns &&
	   q2.in_len == 784 && bytes_eq(q2.input, in, 784),
	   "QUERY round trip: tag, floor, ceiling, input");
	n = proto_enc_result(b, sizeof(b), &r);
	ok(proto_frame(b, n, 4096, &h, &need, NULL) == PROTO_OK && need == 0 &&
	   proto_dec_result(&h, b + 16, &r2) == PROTO_OK && r2.tag == r.tag &&
	   r2.status == r.status && r2.error == r.error &&
	   r2.prediction == r.prediction && r2.subnet == r.subnet &&
	   r2.device == r.device && r2.accuracy == r.accuracy &&
	   r2.queue_ns == r.queue_ns && r2.service_ns == r.service_ns,
	   "RESULT round trip: every field");
	n = proto_enc_info(b, sizeof(b), &info);
	ok(n == 16 + SUSHID_PROTO_INFO_LEN &&
	   proto_frame(b, n, 4096, &h, &need, NULL) == PROTO_OK &&
	   proto_dec_info(&h, b + 16, &i2) == PROTO_OK &&
	   !memcmp(&info, &i2, sizeof(info)), "INFO round trip: every field");
	n = proto_enc_error(b, sizeof(b), PROTO_ERR_TOO_LARGE, 808, "frame too large");
	ok(proto_frame(b, n, 4096, &h, &need, NULL) == PROTO_OK &&
	   proto_dec_error(&h, b + 16, &e) == PROTO_OK && e.code == PROTO_ERR_TOO_LARGE &&
	   e.detail == 808 && e.msg_len == 15 && !memcmp(e.msg, "frame too large", 15),
	   "ERROR round trip: code, detail, message");
	n = proto_enc_raw(b, sizeof(b), PROTO_METRICS, "a 1\n", 4);
	ok(proto_frame(b, n, 4096, &h, &need, NULL) == PROTO_OK && h.length == 4 &&
	   !memcmp(b + 16, "a 1\n", 4), "METRICS round trip: the text");
	q.in_len = 0;
	n = proto_enc_query(b, sizeof(b), &q);
	ok(n == 40 && proto_frame(b, n, 4096, &h, &need, NULL) == PROTO_OK &&
	   proto_dec_query(&h, b + 16, &q2) == PROTO_OK && q2.in_len == 0,
	   "a QUERY without input is well-formed (the daemon judges its size)");
	q.acc_floor = NAN;
	n = proto_enc_query(b, sizeof(b), &q);
	ok(proto_dec_query(&h, b + 16, &q2) == PROTO_OK && isnan(q2.acc_floor),
	   "a NaN floor travels as is (the daemon refuses it, not the codec)");
}

/* a valid METRICS_REQ header with one byte (or field) changed */
static enum proto_err hdr_with(size_t off, uint8_t v, uint32_t max, uint32_t *detail)
{
	uint8_t b[16];
	struct proto_hdr h;

	proto_put_hdr(b, PROTO_METRICS_REQ, 0);
	b[off] = v;
	return proto_hdr_check(b, max, &h, detail);
}

static void test_bad_headers(void)
{
	struct proto_hdr h;
	uint8_t b[16];
	uint32_t d;

	is_int(hdr_with(0, 'S', 64, NULL), PROTO_OK, "the unchanged header is fine");
	is_int(hdr_with(0, 'X', 64, NULL), PROTO_ERR_MAGIC, "magic byte 0 -> bad-magic");
	is_int(hdr_with(3, 'd', 64, NULL), PROTO_ERR_MAGIC, "magic byte 3 -> bad-magic");
	is_int(hdr_with(4, 0, 64, &d), PROTO_ERR_VERSION, "version 0 -> bad-version");
	is_u64(d, 1u << 16 | 1u, "its detail: versions 1..1");
	is_int(hdr_with(4, 2, 64, NULL), PROTO_ERR_VERSION, "version 2 -> bad-version");
	is_int(hdr_with(5, 0, 64, NULL), PROTO_ERR_TYPE, "type 0 -> bad-type");
	is_int(hdr_with(5, PROTO_TYPE_MAX + 1, 64, NULL), PROTO_ERR_TYPE, "type 8 -> bad-type");
	is_int(hdr_with(5, 255, 64, NULL), PROTO_ERR_TYPE, "type 255 -> bad-type");
	is_int(hdr_with(6, 1, 64, NULL), PROTO_ERR_FLAGS, "flag bit 0 -> bad-flags");
	is_int(hdr_with(7, 0x80, 64, NULL), PROTO_ERR_FLAGS, "flag bit 15 -> bad-flags");
	is_int(hdr_with(12, 1, 64, NULL), PROTO_ERR_RESERVED, "reserved byte 12 -> bad-reserved");
	is_int(hdr_with(15, 0x80, 64, NULL), PROTO_ERR_RESERVED, "reserved byte 15 -> bad-reserved");
	is_int(hdr_with(8, 65, 64, &d), PROTO_ERR_TOO_LARGE, "length 65 over a limit of 64 -> too-large");
	is_u64(d, 64, "its detail: the limit");
	is_int(hdr_with(8, 1, 64, NULL), PROTO_ERR_LENGTH, "METRICS_REQ with a payload -> bad-length");
	proto_put_hdr(b, PROTO_QUERY, 0xffffffffu);
	is_int(proto_hdr_check(b, UINT32_MAX, &h, &d), PROTO_ERR_TOO_LARGE,
	       "length 2^32-1 -> too-large even with no caller limit");
	is_u64(d, SUSHID_PROTO_MAX_PAYLOAD, "the protocol's maximum is the limit then");
	proto_put_hdr(b, PROTO_QUERY, SUSHID_PROTO_MAX_PAYLOAD);
	is_int(proto_hdr_check(b, UINT32_MAX, &h, NULL), PROTO_OK,
	       "a QUERY of exactly the maximum payload is accepted by the header check");
	/* check order: the first failing check wins */
	proto_put_hdr(b, PROTO_QUERY, 0xffffffffu);
	b[0] = 0;
	b[4] = 9;
	is_int(proto_hdr_check(b, 64, &h, NULL), PROTO_ERR_MAGIC, "magic is checked first");
	b[0] = 'S';
	is_int(proto_hdr_check(b, 64, &h, NULL), PROTO_ERR_VERSION, "then the version");
	b[4] = 1;
	b[5] = 0;
	b[6] = 1;
	is_int(proto_hdr_check(b, 64, &h, NULL), PROTO_ERR_TYPE, "then the type");
	b[5] = PROTO_QUERY;
	b[13] = 1;
	is_int(proto_hdr_check(b, 64, &h, NULL), PROTO_ERR_FLAGS, "then the flags");
	b[6] = 0;
	is_int(proto_hdr_check(b, 64, &h, NULL), PROTO_ERR_RESERVED, "then reserved");
	b[13] = 0;
	is_int(proto_hdr_check(b, 64, &h, NULL), PROTO_ERR_TOO_LARGE, "then the size");
	ok(!strcmp(proto_err_name(PROTO_ERR_TOO_LARGE), "too-large") &&
	   !strcmp(proto_err_name(PROTO_ERR_COUNT), "unknown"), "error names");
}

static void test_lengths(void)
{
	static const struct { unsigned int type; uint32_t len; enum proto_err want; } c[] = {
		{ PROTO_QUERY, 23, PROTO_ERR_LENGTH }, { PROTO_QUERY, 24, PROTO_OK },
		{ PROTO_RESULT, 55, PROTO_ERR_LENGTH }, { PROTO_RESULT, 57, PROTO_ERR_LENGTH },
		{ PROTO_RESULT, 56, PROTO_OK }, { PROTO_INFO, 47, PROTO_ERR_LENGTH },
		{ PROTO_INFO, 48, PROTO_OK }, { PROTO_INFO_REQ, 1, PROTO_ERR_LENGTH },
		{ PROTO_INFO_REQ, 0, PROTO_OK }, { PROTO_METRICS_REQ, 4, PROTO_ERR_LENGTH },
		{ PROTO_ERROR, 7, PROTO_ERR_LENGTH }, { PROTO_ERROR, 8, PROTO_OK },
		{ PROTO_ERROR, 8 + 240, PROTO_OK }, { PROTO_ERROR, 8 + 241, PROTO_ERR_LENGTH },
		{ PROTO_METRICS, 0, PROTO_OK }, { PROTO_METRICS, 100000, PROTO_OK },
		{ 0, 0, PROTO_ERR_TYPE }, { 8, 0, PROTO_ERR_TYPE },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		is_int(proto_len_check(c[i].type, c[i].len), c[i].want,
		       "type %u with a %u-byte payload -> %s", c[i].type, c[i].len,
		       proto_err_name(c[i].want));
	ok(proto_type_is_request(PROTO_QUERY) && proto_type_is_request(PROTO_METRICS_REQ) &&
	   proto_type_is_request(PROTO_INFO_REQ) && !proto_type_is_request(PROTO_RESULT) &&
	   !proto_type_is_request(PROTO_ERROR) && !proto_type_is_request(0),
	   "requests are QUERY, METRICS_REQ and INFO_REQ");
}

static void test_payload_checks(void)
{
	uint8_t b[128];
	struct proto_result r = { .tag = 1 };
	struct proto_info info = { .version_min = 1 };
	struct proto_error e;
	struct proto_query q;
	struct proto_hdr h;
	size_t need;

	proto_enc_result(b, sizeof(b), &r);
	b[16 + 28] = 1;
	proto_frame(b, 72, 4096, &h, &need, NULL);
	is_int(proto_dec_result(&h, b + 16, &r), PROTO_ERR_RESERVED,
	       "RESULT with its reserved word set -> bad-reserved");
	is_int(proto_dec_query(&h, b + 16, &q), PROTO_ERR_TYPE,
	       "decoding a RESULT as a QUERY -> bad-type");
	proto_enc_info(b, sizeof(b), &info);
	b[16 + 47] = 1;
	proto_frame(b, 64, 4096, &h, &need, NULL);
	is_int(proto_dec_info(&h, b + 16, &info), PROTO_ERR_RESERVED,
	       "INFO with its reserved bytes set -> bad-reserved");
	proto_enc_error(b, sizeof(b), 1, 0, NULL);
	b[16 + 3] = 1;
	proto_frame(b, 24, 4096, &h, &need, NULL);
	is_int(proto_dec_error(&h, b + 16, &e), PROTO_ERR_RESERVED,
	       "ERROR with its reserved half-word set -> bad-reserved");
	h.length = 20;
	h.type = PROTO_QUERY;
	is_int(proto_dec_query(&h, b + 16, &q), PROTO_ERR_LENGTH,
	       "a short QUERY is refused by its decoder too");
}

static void test_encoder_bounds(void)
{
	uint8_t b[300], in[8] = { 0 };
	char msg[400];
	struct proto_query q = { .input = in, .in_len = 8 };
	struct proto_result r = { 0 };
	struct proto_info info = { 0 };
	struct proto_error e;
	struct proto_hdr h;
	size_t need;

	is_u64(proto_enc_query(b, 16 + 24 + 7, &q), 0, "QUERY does not fit one byte short");
	is_u64(proto_enc_query(b, 16 + 24 + 8, &q), 48, "and fits exactly");
	is_u64(proto_enc_result(b, 71, &r), 0, "RESULT needs 72 bytes");
	is_u64(proto_enc_info(b, 63, &info), 0, "INFO needs 64 bytes");
	is_u64(proto_enc_raw(b, 19, PROTO_METRICS, "abcd", 4), 0, "METRICS needs its text");
	is_u64(proto_enc_error(b, 25, 1, 0, "ab"), 0, "ERROR needs its message");
	is_u64(proto_enc_error(b, sizeof(b), 0x10000, 0, NULL), 0,
	       "an error code beyond 16 bits cannot be encoded");
	memset(msg, 'm', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = 0;
	is_u64(proto_enc_error(b, sizeof(b), 1, 0, msg), SUSHID_PROTO_ERROR_FRAME_MAX,
	       "a long message is cut to 240 bytes");
	ok(proto_frame(b, SUSHID_PROTO_ERROR_FRAME_MAX, 4096, &h, &need, NULL) == PROTO_OK &&
	   proto_dec_error(&h, b + 16, &e) == PROTO_OK && e.msg_len == 240,
	   "and the cut frame is valid");
	q.in_len = SUSHID_PROTO_MAX_PAYLOAD;
	is_u64(proto_enc_query(b, SIZE_MAX, &q), 0,
	       "an input past the protocol maximum cannot be encoded");
}

static void test_truncated(void)
{
	uint8_t b[128], in[5] = { 1, 2, 3, 4, 5 };
	struct proto_query q = { .tag = 3, .input = in, .in_len = 5 };
	size_t n = proto_enc_query(b, sizeof(b), &q), need, bad = 0;
	struct proto_hdr h;

	for (size_t k = 0; k < n; k++) {
		enum proto_err e = proto_frame(b, k, 4096, &h, &need, NULL);

		if (e != PROTO_OK || need != (k < 16 ? 16 - k : n - k))
			bad++;
	}
	is_u64(bad, 0, "every prefix of a QUERY frame asks for exactly the missing bytes");
	ok(proto_frame(b, n, 4096, &h, &need, NULL) == PROTO_OK && need == 0,
	   "the whole frame is complete");
	ok(proto_frame(b, n + 10, 4096, &h, &need, NULL) == PROTO_OK && need == 0 &&
	   h.length == n - 16, "bytes of a next frame do not confuse it");
	proto_put_hdr(b, PROTO_QUERY, 1000);
	is_int(proto_frame(b, 16, 64, &h, &need, NULL), PROTO_ERR_TOO_LARGE,
	       "an oversized frame is refused from its header alone");
	ok(need == 0, "without asking for its payload");
}

/* Random and mutated frames: no crash; verdicts consistent. */
static void test_fuzz(void)
{
	const unsigned int rounds = tap_quick ? 20000 : 400000;
	uint64_t s = 0x5eed;
	uint8_t good[7][128], buf[512];
	size_t glen[7];
	unsigned int inconsistent = 0, accepted = 0, refused = 0;
	uint8_t in[40] = { 0 };
	struct proto_query q = { .tag = 1, .input = in, .in_len = 40 };
	struct proto_result r = { .tag = 2 };
	struct proto_info info = { .version_min = 1 };

	glen[0] = proto_enc_query(good[0], 128, &q);
	glen[1] = proto_enc_result(good[1], 128, &r);
	glen[2] = proto_enc_raw(good[2], 128, PROTO_METRICS_REQ, NULL, 0);
	glen[3] = proto_enc_raw(good[3], 128, PROTO_METRICS, "x 1\n", 4);
	glen[4] = proto_enc_raw(good[4], 128, PROTO_INFO_REQ, NULL, 0);
	glen[5] = proto_enc_info(good[5], 128, &info);
	glen[6] = proto_enc_error(good[6], 128, 3, 4, "why");
	for (unsigned int i = 0; i < rounds; i++) {
		size_t n = tap_rand(&s) % sizeof(buf), need;
		uint32_t max = (uint32_t)(tap_rand(&s) % 600), detail;
		struct proto_hdr h;
		enum proto_err e;

		if (i & 1) {	/* a valid frame with a few bytes changed */
			unsigned int k = (unsigned int)(tap_rand(&s) % 7);

			n = glen[k];
			memcpy(buf, good[k], n);
			for (int m = (int)(tap_rand(&s) % 4); m >= 0; m--)
				buf[tap_rand(&s) % n] = (uint8_t)tap_rand(&s);
			n = tap_rand(&s) % (n + 8);
		} else {
			for (size_t j = 0; j < n; j++)
				buf[j] = (uint8_t)tap_rand(&s);
		}
		e = proto_frame(buf, n, max, &h, &need, &detail);
		if (e == PROTO_OK && need == 0) {
			union {
				struct proto_query q;
				struct proto_result r;
				struct proto_info i;
				struct proto_error e;
			} u;
			enum proto_err d = PROTO_OK;

			accepted++;
			if (h.length > max || n < 16 + (size_t)h.length ||
			    h.magic != SUSHID_PROTO_MAGIC || h.flags || h.reserved)
				inconsistent++;
			switch (h.type) {
			case PROTO_QUERY: d = proto_dec_query(&h, buf + 16, &u.q); break;
			case PROTO_RESULT: d = proto_dec_result(&h, buf + 16, &u.r); break;
			case PROTO_INFO: d = proto_dec_info(&h, buf + 16, &u.i); break;
			case PROTO_ERROR: d = proto_dec_error(&h, buf + 16, &u.e); break;
			default: break;
			}
			if (d != PROTO_OK && d != PROTO_ERR_RESERVED)
				inconsistent++;
		} else if (e != PROTO_OK) {
			refused++;
			if (n < 16 || e >= PROTO_ERR_BUSY)
				inconsistent++;
		} else if (need == 0 || (n >= 16 && need > h.length)) {
			inconsistent++;
		}
	}
	is_u64(inconsistent, 0, "%u random and mutated frames: no inconsistent verdict "
	       "(%u whole and decoded, %u refused)", rounds, accepted, refused);
	ok(accepted > rounds / 100 && refused > rounds / 10,
	   "the fuzzing reached both verdicts");
}

int main(int argc, char **argv)
{
	tap_init(argc, argv);
	test_le();
	test_vectors();
	test_round_trips();
	test_bad_headers();
	test_lengths();
	test_payload_checks();
	test_encoder_bounds();
	test_truncated();
	test_fuzz();
	return tap_done();
}
