/* SPDX-License-Identifier: MIT */
/*
 * rt_pb.h - a device's Persistent Buffer content as the serving runtime
 * keeps it: one netdev pin set per SuperNet weight layer, switched layer by
 * layer (rt_pb.c).  Private to libsushi.  Functions return 0 or a negative
 * errno.
 */
#ifndef SUSHI_RT_PB_H
#define SUSHI_RT_PB_H

#include <stdint.h>

#include "sushi/netdev.h"
#include "sushi/runtime.h"

/*
 * struct rt_pb - @nd's PB content: @content[l] the slice pinned for layer
 * l ({0,0}: none) by pin set @set[l]; @cfg the device's model configuration
 * (clock, invalidation cost); @enospc_waits pins that found just-unpinned
 * bytes not yet free and waited for the unpin's fence
 */
struct rt_pb {
	struct sushi_netdev *nd;
	struct sushi_model_config cfg;
	uint32_t L;
	struct sushi_slice *content;
	uint32_t *set;
	uint64_t enospc_waits;
};

int rt_pb_init(struct rt_pb *pb, struct sushi_netdev *nd, uint32_t L,
	       const struct sushi_model_config *cfg);
/*
 * rt_pb_switch() - make the PB hold @to (L slices): unpin every layer whose
 * slice differs, then pin the new slices and wait for their loads; @jobs
 * adds what the PB jobs cost.  On error the content says what is pinned.
 */
int rt_pb_switch(struct rt_pb *pb, const struct sushi_slice *to,
		 struct sushi_rt_pb_jobs *jobs);
/* rt_pb_forget() - unpin everything (after a reset: errors ignored) */
void rt_pb_forget(struct rt_pb *pb);
/* rt_pb_any_set() - a pin set of the content (for a launch), or 0 */
uint32_t rt_pb_any_set(const struct rt_pb *pb);
/* rt_pb_release() - rt_pb_forget() and free */
void rt_pb_release(struct rt_pb *pb);

#endif /* SUSHI_RT_PB_H */
