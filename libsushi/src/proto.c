// SPDX-License-Identifier: MIT
/*
 * proto.c - the sushid wire protocol codec (proto.h): little-endian
 * stores and loads, the header check, and the encoders and decoders of
 * every message payload.  No allocation, no I/O: the daemon and the client
 * own their buffers.
 */
#include <string.h>

#include "proto.h"

static const char *const err_names[PROTO_ERR_COUNT] = {
	[PROTO_OK] = "ok",
	[PROTO_ERR_MAGIC] = "bad-magic",
	[PROTO_ERR_VERSION] = "bad-version",
	[PROTO_ERR_TYPE] = "bad-type",
	[PROTO_ERR_FLAGS] = "bad-flags",
	[PROTO_ERR_RESERVED] = "bad-reserved",
	[PROTO_ERR_TOO_LARGE] = "too-large",
	[PROTO_ERR_LENGTH] = "bad-length",
	[PROTO_ERR_BUSY] = "busy",
	[PROTO_ERR_TRUNCATED] = "truncated",
};

const char *proto_err_name(unsigned int err)
{
	return err < PROTO_ERR_COUNT ? err_names[err] : "unknown";
}

void proto_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void proto_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void proto_put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

uint16_t proto_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t proto_get32(const uint8_t *p)
{
	uint32_t v = 0;

	for (int i = 3; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

uint64_t proto_get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* binary64 through its bit pattern (memcpy: no aliasing, no UB) */
static void put_f64(uint8_t *p, double d)
{
	uint64_t v;

	memcpy(&v, &d, sizeof(v));
	proto_put64(p, v);
}

static double get_f64(const uint8_t *p)
{
	uint64_t v = proto_get64(p);
	double d;

	memcpy(&d, &v, sizeof(d));
	return d;
}

int proto_type_is_request(unsigned int type)
{
	return type == PROTO_QUERY || type == PROTO_METRICS_REQ ||
	       type == PROTO_INFO_REQ;
}

enum proto_err proto_len_check(unsigned int type, uint32_t len)
{
	switch (type) {
	case PROTO_QUERY:
		return len >= SUSHID_PROTO_QUERY_FIXED ? PROTO_OK : PROTO_ERR_LENGTH;
	case PROTO_RESULT:
		return len == SUSHID_PROTO_RESULT_LEN ? PROTO_OK : PROTO_ERR_LENGTH;
	case PROTO_INFO:
		return len == SUSHID_PROTO_INFO_LEN ? PROTO_OK : PROTO_ERR_LENGTH;
	case PROTO_METRICS_REQ:
	case PROTO_INFO_REQ:
		return len == 0 ? PROTO_OK : PROTO_ERR_LENGTH;
	case PROTO_ERROR:
		return len >= SUSHID_PROTO_ERROR_FIXED &&
		       len - SUSHID_PROTO_ERROR_FIXED <= SUSHID_PROTO_ERROR_MSG_MAX ?
		       PROTO_OK : PROTO_ERR_LENGTH;
	case PROTO_METRICS:
		return PROTO_OK;
	default:
		return PROTO_ERR_TYPE;
	}
}

enum proto_err proto_hdr_check(const uint8_t *b, uint32_t max_payload,
			       struct proto_hdr *h, uint32_t *detail)
{
	uint32_t d = 0;
	enum proto_err e = PROTO_OK;

	h->magic = proto_get32(b);
	h->version = b[4];
	h->type = b[5];
	h->flags = proto_get16(b + 6);
	h->length = proto_get32(b + 8);
	h->reserved = proto_get32(b + 12);
	if (max_payload > SUSHID_PROTO_MAX_PAYLOAD)
		max_payload = SUSHID_PROTO_MAX_PAYLOAD;
	if (h->magic != SUSHID_PROTO_MAGIC) {
		e = PROTO_ERR_MAGIC;
	} else if (h->version != SUSHID_PROTO_VERSION) {
		e = PROTO_ERR_VERSION;
		d = SUSHID_PROTO_VERSION << 16 | SUSHID_PROTO_VERSION;
	} else if (h->type == 0 || h->type > PROTO_TYPE_MAX) {
		e = PROTO_ERR_TYPE;
	} else if (h->flags) {
		e = PROTO_ERR_FLAGS;
	} else if (h->reserved) {
		e = PROTO_ERR_RESERVED;
	} else if (h->length > max_payload) {
		e = PROTO_ERR_TOO_LARGE;
		d = max_payload;
	} else {
		e = proto_len_check(h->type, h->length);
	}
	if (detail)
		*detail = d;
	return e;
}

enum proto_err proto_frame(const uint8_t *b, size_t n, uint32_t max_payload,
			   struct proto_hdr *h, size_t *need, uint32_t *detail)
{
	enum proto_err e;

	if (detail)
		*detail = 0;
	if (n < SUSHID_PROTO_HDR) {
		memset(h, 0, sizeof(*h));
		*need = SUSHID_PROTO_HDR - n;
		return PROTO_OK;
	}
	e = proto_hdr_check(b, max_payload, h, detail);
	if (e) {
		*need = 0;
		return e;
	}
	n -= SUSHID_PROTO_HDR;
	*need = n >= h->length ? 0 : h->length - n;
	return PROTO_OK;
}

void proto_put_hdr(uint8_t *b, unsigned int type, uint32_t length)
{
	proto_put32(b, SUSHID_PROTO_MAGIC);
	b[4] = SUSHID_PROTO_VERSION;
	b[5] = (uint8_t)type;
	proto_put16(b + 6, 0);
	proto_put32(b + 8, length);
	proto_put32(b + 12, 0);
}

size_t proto_enc_raw(uint8_t *b, size_t cap, unsigned int type,
		     const void *p, uint32_t len)
{
	size_t n = SUSHID_PROTO_HDR + (size_t)len;

	if (len > SUSHID_PROTO_MAX_PAYLOAD || cap < n)
		return 0;
	proto_put_hdr(b, type, len);
	if (len)
		memcpy(b + SUSHID_PROTO_HDR, p, len);
	return n;
}

size_t proto_enc_query(uint8_t *b, size_t cap, const struct proto_query *q)
{
	uint32_t len = SUSHID_PROTO_QUERY_FIXED + q->in_len;
	uint8_t *p = b + SUSHID_PROTO_HDR;

	if (q->in_len > SUSHID_PROTO_MAX_PAYLOAD - SUSHID_PROTO_QUERY_FIXED ||
	    cap < SUSHID_PROTO_HDR + (size_t)len)
		return 0;
	proto_put_hdr(b, PROTO_QUERY, len);
	proto_put64(p, q->tag);
	put_f64(p + 8, q->acc_floor);
	proto_put64(p + 16, q->lat_ceiling_ns);
	if (q->in_len)
		memcpy(p + SUSHID_PROTO_QUERY_FIXED, q->input, q->in_len);
	return SUSHID_PROTO_HDR + (size_t)len;
}

size_t proto_enc_result(uint8_t *b, size_t cap, const struct proto_result *r)
{
	uint8_t *p = b + SUSHID_PROTO_HDR;

	if (cap < SUSHID_PROTO_RESULT_FRAME)
		return 0;
	proto_put_hdr(b, PROTO_RESULT, SUSHID_PROTO_RESULT_LEN);
	proto_put64(p, r->tag);
	proto_put32(p + 8, r->status);
	proto_put32(p + 12, (uint32_t)r->error);
	proto_put32(p + 16, r->prediction);
	proto_put32(p + 20, r->subnet);
	proto_put32(p + 24, r->device);
	proto_put32(p + 28, 0);
	put_f64(p + 32, r->accuracy);
	proto_put64(p + 40, r->queue_ns);
	proto_put64(p + 48, r->service_ns);
	return SUSHID_PROTO_RESULT_FRAME;
}

size_t proto_enc_info(uint8_t *b, size_t cap, const struct proto_info *in)
{
	uint8_t *p = b + SUSHID_PROTO_HDR;
	const uint32_t v[] = {
		in->n_devices, in->n_subnets, in->n_classes, in->in_h, in->in_w,
		in->in_c, in->in_bytes, in->max_outstanding, in->max_request,
	};

	if (cap < SUSHID_PROTO_HDR + SUSHID_PROTO_INFO_LEN)
		return 0;
	proto_put_hdr(b, PROTO_INFO, SUSHID_PROTO_INFO_LEN);
	proto_put16(p, in->version_min);
	proto_put16(p + 2, in->version_max);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		proto_put32(p + 4 + 4 * i, v[i]);
	proto_put64(p + 40, 0);
	return SUSHID_PROTO_HDR + SUSHID_PROTO_INFO_LEN;
}

size_t proto_enc_error(uint8_t *b, size_t cap, unsigned int code,
		       uint32_t detail, const char *msg)
{
	size_t ml = msg ? strlen(msg) : 0;
	uint8_t *p = b + SUSHID_PROTO_HDR;

	if (ml > SUSHID_PROTO_ERROR_MSG_MAX)
		ml = SUSHID_PROTO_ERROR_MSG_MAX;
	if (code > UINT16_MAX ||
	    cap < SUSHID_PROTO_HDR + SUSHID_PROTO_ERROR_FIXED + ml)
		return 0;
	proto_put_hdr(b, PROTO_ERROR, (uint32_t)(SUSHID_PROTO_ERROR_FIXED + ml));
	proto_put16(p, (uint16_t)code);
	proto_put16(p + 2, 0);
	proto_put32(p + 4, detail);
	if (ml)
		memcpy(p + SUSHID_PROTO_ERROR_FIXED, msg, ml);
	return SUSHID_PROTO_HDR + SUSHID_PROTO_ERROR_FIXED + ml;
}

enum proto_err proto_dec_query(const struct proto_hdr *h, const uint8_t *p,
			       struct proto_query *q)
{
	if (h->type != PROTO_QUERY)
		return PROTO_ERR_TYPE;
	if (h->length < SUSHID_PROTO_QUERY_FIXED)
		return PROTO_ERR_LENGTH;
	q->tag = proto_get64(p);
	q->acc_floor = get_f64(p + 8);
	q->lat_ceiling_ns = proto_get64(p + 16);
	q->input = p + SUSHID_PROTO_QUERY_FIXED;
	q->in_len = h->length - SUSHID_PROTO_QUERY_FIXED;
	return PROTO_OK;
}

enum proto_err proto_dec_result(const struct proto_hdr *h, const uint8_t *p,
				struct proto_result *r)
{
	if (h->type != PROTO_RESULT)
		return PROTO_ERR_TYPE;
	if (h->length != SUSHID_PROTO_RESULT_LEN)
		return PROTO_ERR_LENGTH;
	if (proto_get32(p + 28))
		return PROTO_ERR_RESERVED;
	r->tag = proto_get64(p);
	r->status = proto_get32(p + 8);
	r->error = (int32_t)proto_get32(p + 12);
	r->prediction = proto_get32(p + 16);
	r->subnet = proto_get32(p + 20);
	r->device = proto_get32(p + 24);
	r->accuracy = get_f64(p + 32);
	r->queue_ns = proto_get64(p + 40);
	r->service_ns = proto_get64(p + 48);
	return PROTO_OK;
}

enum proto_err proto_dec_info(const struct proto_hdr *h, const uint8_t *p,
			      struct proto_info *in)
{
	uint32_t *const v[] = {
		&in->n_devices, &in->n_subnets, &in->n_classes, &in->in_h,
		&in->in_w, &in->in_c, &in->in_bytes, &in->max_outstanding,
		&in->max_request,
	};

	if (h->type != PROTO_INFO)
		return PROTO_ERR_TYPE;
	if (h->length != SUSHID_PROTO_INFO_LEN)
		return PROTO_ERR_LENGTH;
	if (proto_get64(p + 40))
		return PROTO_ERR_RESERVED;
	in->version_min = proto_get16(p);
	in->version_max = proto_get16(p + 2);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		*v[i] = proto_get32(p + 4 + 4 * i);
	return PROTO_OK;
}

enum proto_err proto_dec_error(const struct proto_hdr *h, const uint8_t *p,
			       struct proto_error *e)
{
	if (h->type != PROTO_ERROR)
		return PROTO_ERR_TYPE;
	if (proto_len_check(PROTO_ERROR, h->length))
		return PROTO_ERR_LENGTH;
	if (proto_get16(p + 2))
		return PROTO_ERR_RESERVED;
	e->code = proto_get16(p);
	e->detail = proto_get32(p + 4);
	e->msg = (const char *)p + SUSHID_PROTO_ERROR_FIXED;
	e->msg_len = h->length - SUSHID_PROTO_ERROR_FIXED;
	return PROTO_OK;
}
