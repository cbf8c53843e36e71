/* SPDX-License-Identifier: MIT */
/*
 * abi_in.h - copying in a public struct that carries its own size (the
 * caller's sizeof), so that the struct can grow: a smaller struct reads as
 * zero past its end, a larger one must be zero past ours.  Private to
 * libsushi.
 */
#ifndef SUSHI_ABI_IN_H
#define SUSHI_ABI_IN_H

#include <errno.h>
#include <stddef.h>
#include <string.h>

/*
 * abi_copy_in() - @src of @src_size bytes into @dst (@dst_size bytes):
 * 0, or -EINVAL when @src is NULL, @src_size is below @min, or a byte past
 * @dst_size is non-zero
 */
static inline int abi_copy_in(void *dst, size_t dst_size, const void *src,
			      size_t src_size, size_t min)
{
	if (!src || src_size < min)
		return -EINVAL;
	for (size_t i = dst_size; i < src_size; i++)
		if (((const unsigned char *)src)[i])
			return -EINVAL;
	memset(dst, 0, dst_size);
	memcpy(dst, src, src_size < dst_size ? src_size : dst_size);
	return 0;
}

#endif /* SUSHI_ABI_IN_H */
