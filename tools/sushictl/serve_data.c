// SPDX-License-Identifier: MIT
/*
 * serve_data.c - the labelled image sample `sushictl serve` feeds the
 * device: an IDX image file and its IDX label file, and the network input
 * of an image (int8 = pixel - 128, as tools/supernet/int8ref.py does).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"

#define IDX_IMAGES	0x00000803u
#define IDX_LABELS	0x00000801u
#define IDX_MAX		(64u << 20)

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* The whole of @path in *@buf (*@len bytes): 0 or -errno, @err says. */
static int slurp(const char *path, uint8_t **buf, size_t *len, char *err,
		 size_t errlen)
{
	FILE *f = fopen(path, "rb");
	long n;
	int ret = 0;

	*buf = NULL;
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return ret;
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
	    (unsigned long)n > IDX_MAX) {
		snprintf(err, errlen, "cannot read %s (or it is larger than %u bytes)",
			 path, IDX_MAX);
		fclose(f);
		return -EINVAL;
	}
	*buf = malloc(n ? (size_t)n : 1);
	if (!*buf)
		ret = -ENOMEM;
	else if (fread(*buf, 1, (size_t)n, f) != (size_t)n)
		ret = -EIO;
	fclose(f);
	if (ret) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(-ret));
		free(*buf);
		*buf = NULL;
		return ret;
	}
	*len = (size_t)n;
	return 0;
}

int serve_images_load(const char *images, const char *labels, uint32_t h,
		      uint32_t w, struct serve_images *im, char *err,
		      size_t errlen)
{
	uint8_t *ib = NULL, *lb = NULL;
	size_t il = 0, ll = 0;
	uint32_t n;
	int ret;

	if (!images || !labels || !im || !h || !w)
		return -EINVAL;
	memset(im, 0, sizeof(*im));
	ret = slurp(images, &ib, &il, err, errlen);
	if (!ret)
		ret = slurp(labels, &lb, &ll, err, errlen);
	if (ret)
		goto out;
	ret = -EINVAL;
	if (il < 16 || be32(ib) != IDX_IMAGES) {
		snprintf(err, errlen, "%s is not an IDX image file (magic 0x%08x)",
			 images, IDX_IMAGES);
		goto out;
	}
	n = be32(ib + 4);
	if (be32(ib + 8) != h || be32(ib + 12) != w) {
		snprintf(err, errlen, "%s holds %ux%u images; the SuperNet takes "
			 "%ux%u", images, be32(ib + 8), be32(ib + 12), h, w);
		goto out;
	}
	if (!n || il != 16 + (uint64_t)n * h * w) {
		snprintf(err, errlen, "%s: %zu bytes do not make %u images of %ux%u",
			 images, il, n, h, w);
		goto out;
	}
	if (ll < 8 || be32(lb) != IDX_LABELS || be32(lb + 4) != n || ll != 8 + (size_t)n) {
		snprintf(err, errlen, "%s is not an IDX label file (magic 0x%08x) "
			 "of the %u images of %s", labels, IDX_LABELS, n, images);
		goto out;
	}
	im->pixels = malloc((size_t)n * h * w);
	im->labels = malloc(n);
	if (!im->pixels || !im->labels) {
		ret = -ENOMEM;
		serve_images_free(im);
		goto out;
	}
	memcpy(im->pixels, ib + 16, (size_t)n * h * w);
	memcpy(im->labels, lb + 8, n);
	im->n = n;
	im->h = h;
	im->w = w;
	ret = 0;
out:
	free(ib);
	free(lb);
	return ret;
}

void serve_images_free(struct serve_images *im)
{
	if (!im)
		return;
	free(im->pixels);
	free(im->labels);
	memset(im, 0, sizeof(*im));
}

void serve_images_input(const struct serve_images *im, uint32_t i,
			int8_t *in)
{
	const size_t px = (size_t)im->h * im->w;
	const uint8_t *p = im->pixels + (size_t)(i % im->n) * px;

	for (size_t k = 0; k < px; k++)
		in[k] = (int8_t)((int)p[k] - 128);
}
