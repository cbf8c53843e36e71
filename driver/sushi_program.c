// SPDX-License-Identifier: GPL-2.0-only
/*
 * sushi_program.c - programs: DRM_IOCTL_SUSHI_PROGRAM_CREATE validates a
 * user layer list once (sushi_layer.c with the device's own checks, then
 * every read and write range inside its BO) and keeps a kernel-owned,
 * device-address patched little-endian copy in a kernel BO for launches;
 * DRM_IOCTL_SUSHI_PROGRAM_DESTROY drops a handle.
 */

#include <linux/iosys-map.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>

#include "sushi_drv.h"

/* The program's descriptors fit in one device LAUNCH. */
#define SUSHI_PROGRAM_MAX_LAYERS	65536

static void sushi_program_free(struct kref *ref)
{
	struct sushi_program *prog = container_of(ref, struct sushi_program,
						  refcount);
	u32 i;

	for (i = 0; i < prog->n_bos; i++)
		drm_gem_object_put(prog->bos[i]);
	if (prog->desc)
		drm_gem_object_put(&prog->desc->base.base);
	kvfree(prog->bos);
	kvfree(prog->bo_write);
	kfree(prog);
}

void sushi_program_put(struct sushi_program *prog)
{
	kref_put(&prog->refcount, sushi_program_free);
}

/*
 * The program's BO of GEM handle @handle, looked up once per program and
 * indexed by handle in @seen (O(log n) per reference, not a scan of the BOs
 * found so far).  Returns the object (the program holds the reference) or
 * an ERR_PTR: -ENOENT, -ENOMEM.
 */
static struct drm_gem_object *sushi_program_bo(struct drm_file *file,
					       struct sushi_program *prog,
					       struct xarray *seen,
					       u32 handle, u32 *index)
{
	struct drm_gem_object *obj;
	void *entry = xa_load(seen, handle);
	int ret;

	if (entry) {
		*index = xa_to_value(entry);
		return prog->bos[*index];
	}
	obj = drm_gem_object_lookup(file, handle);
	if (!obj)
		return ERR_PTR(-ENOENT);
	ret = xa_err(xa_store(seen, handle, xa_mk_value(prog->n_bos),
			      GFP_KERNEL));
	if (ret) {
		drm_gem_object_put(obj);
		return ERR_PTR(ret);
	}
	*index = prog->n_bos;
	prog->bos[prog->n_bos++] = obj;
	return obj;
}

/*
 * Check the buffer references of one layer and resolve them to device
 * addresses (an SRAM tensor keeps its SRAM offset).  Errors: -EINVAL,
 * -ENOENT, -ERANGE, -EACCES, -ENOSPC, -ENOMEM.
 */
static int sushi_program_resolve(struct sushi_device *sdev,
				 struct drm_file *file,
				 struct sushi_program *prog,
				 struct xarray *seen, u32 layer,
				 const struct drm_sushi_layer *u,
				 const u64 len[SUSHI_REF_COUNT],
				 u64 dva[SUSHI_REF_COUNT])
{
	const struct drm_sushi_bo_ref *refs[SUSHI_REF_COUNT] = {
		&u->in, &u->in2, &u->out, &u->w, &u->epi,
	};
	struct drm_device *drm = &sdev->drm;
	u64 sram = sdev->caps.act_sram_bytes;
	int i, ret;

	for (i = 0; i < SUSHI_REF_COUNT; i++) {
		const struct drm_sushi_bo_ref *r = refs[i];
		bool write = i == SUSHI_REF_OUT;
		struct drm_gem_object *obj;
		struct sushi_bo *bo;
		u32 index;

		dva[i] = 0;
		if (!sushi_layer_uses(u->op, i))
			continue;
		if (sushi_layer_in_sram(u, i)) {
			/* offset + len cannot wrap: validated */
			if (r->offset > sram || len[i] > sram - r->offset)
				return sushi_reject(drm, -ERANGE,
						    "layer %u ref %d: [%llu, +%llu) outside the %llu-byte SRAM\n",
						    layer, i, r->offset, len[i],
						    sram);
			dva[i] = r->offset;
			continue;
		}
		obj = sushi_program_bo(file, prog, seen, r->handle, &index);
		if (IS_ERR(obj))
			return sushi_reject(drm, PTR_ERR(obj),
					    "layer %u ref %d: handle %u: %ld\n",
					    layer, i, r->handle, PTR_ERR(obj));
		bo = to_sushi_bo(obj);
		/* offset + len cannot wrap: sushi_layer_validate() checked */
		if (r->offset > obj->size || len[i] > obj->size - r->offset)
			return sushi_reject(drm, -ERANGE,
					    "layer %u ref %d: [%llu, +%llu) outside a %zu-byte BO\n",
					    layer, i, r->offset, len[i],
					    obj->size);
		if (write && (bo->flags & DRM_SUSHI_BO_DEVICE_READ_ONLY))
			return sushi_reject(drm, -EACCES,
					    "layer %u writes a read-only BO\n",
					    layer);
		ret = sushi_mmu_map_bo(sdev, bo);
		if (ret)
			return ret;
		prog->bo_write[index] |= write;
		dva[i] = sushi_bo_dva(bo) + r->offset;
	}
	return 0;
}

/*
 * Field-level checks that do not need the BOs: a used BO reference names a
 * handle, an SRAM one (and an unused one) none.
 */
static int sushi_program_check_refs(const struct drm_sushi_layer *u)
{
	const struct drm_sushi_bo_ref *refs[SUSHI_REF_COUNT] = {
		&u->in, &u->in2, &u->out, &u->w, &u->epi,
	};
	int i;

	for (i = 0; i < SUSHI_REF_COUNT; i++) {
		bool used = sushi_layer_uses(u->op, i);

		if (refs[i]->pad)
			return -EINVAL;
		if (!used && (refs[i]->handle || refs[i]->offset))
			return -EINVAL;
		if (used && !sushi_layer_in_sram(u, i) != !!refs[i]->handle)
			return -EINVAL;
	}
	return 0;
}

static int sushi_program_build(struct sushi_device *sdev,
			       struct drm_file *file,
			       struct sushi_program *prog,
			       const struct drm_sushi_layer *ul)
{
	const struct drm_sushi_caps *caps = &sdev->caps;
	struct sushi_host_cost job;
	struct iosys_map map;
	struct sushi_hw_layer *le;
	struct xarray seen;
	u64 desc_mem;
	u32 i;
	int ret;

	prog->desc = sushi_bo_create_kernel(sdev, (size_t)prog->n_layers *
					    sizeof(*le));
	if (IS_ERR(prog->desc)) {
		ret = PTR_ERR(prog->desc);
		prog->desc = NULL;
		return ret;
	}
	ret = sushi_mmu_map_bo(sdev, prog->desc);
	if (ret)
		return ret;
	prog->desc_dva = sushi_bo_dva(prog->desc);
	ret = drm_gem_vmap_unlocked(&prog->desc->base.base, &map);
	if (ret)
		return ret;
	le = map.vaddr;
	xa_init(&seen);
	sushi_job_host_cost_init(prog->n_layers, &job);
	desc_mem = job.mem;
	for (i = 0; i < prog->n_layers; i++) {
		u64 len[SUSHI_REF_COUNT], dva[SUSHI_REF_COUNT];
		struct sushi_host_cost hc;

		ret = sushi_program_check_refs(&ul[i]);
		if (ret) {
			sushi_reject(&sdev->drm, 0,
				     "layer %u: bad buffer reference fields\n",
				     i);
			break;
		}
		ret = sushi_layer_validate(&ul[i], caps->pb_entries, len, &hc);
		if (ret) {
			sushi_reject(&sdev->drm, 0,
				     "layer %u (op %u) is not valid: %d\n", i,
				     ul[i].op, ret);
			break;
		}
		ret = sushi_program_resolve(sdev, file, prog, &seen, i, &ul[i],
					    len, dva);
		if (ret)
			break;
		/* a valid program the device would refuse with OVER_BUDGET */
		sushi_job_host_cost_add(&job, desc_mem, &hc);
		if (sushi_host_cost_over(&job, caps->job_work_budget,
					 caps->job_mem_budget)) {
			ret = sushi_reject(&sdev->drm, -E2BIG,
					   "layer %u: past the host budgets (work %llu of %llu, memory %llu of %llu)\n",
					   i, job.work, caps->job_work_budget,
					   job.mem, caps->job_mem_budget);
			break;
		}
		sushi_layer_encode(&ul[i], dva, &le[i]);
		cond_resched();
	}
	xa_destroy(&seen);
	drm_gem_vunmap_unlocked(&prog->desc->base.base, &map);
	return ret;
}

int sushi_ioctl_program_create(struct drm_device *drm, void *data,
			       struct drm_file *file)
{
	struct sushi_device *sdev = to_sushi_device(drm);
	struct sushi_file *sfile = to_sushi_file(file);
	struct drm_sushi_program_create *args = data;
	struct drm_sushi_layer *ul;
	struct sushi_program *prog;
	u32 id, max_bos;
	int ret;

	if (args->flags || !args->n_layers)
		return sushi_reject(drm, -EINVAL, "flags %#x n_layers %u\n",
				    args->flags, args->n_layers);
	if (args->n_layers > sdev->caps.max_layers ||
	    args->n_layers > SUSHI_PROGRAM_MAX_LAYERS)
		return sushi_reject(drm, -E2BIG, "%u layers\n",
				    args->n_layers);
	ul = sushi_array_from_user(drm, args->layers, args->n_layers,
				   args->layer_size, sizeof(*ul));
	if (IS_ERR(ul))
		return PTR_ERR(ul);

	ret = -ENOMEM;
	prog = kzalloc(sizeof(*prog), GFP_KERNEL);
	if (!prog)
		goto out_free;
	kref_init(&prog->refcount);
	prog->n_layers = args->n_layers;
	max_bos = args->n_layers * SUSHI_REF_COUNT;
	prog->bos = kvcalloc(max_bos, sizeof(*prog->bos), GFP_KERNEL);
	prog->bo_write = kvcalloc(max_bos, sizeof(*prog->bo_write),
				  GFP_KERNEL);
	if (!prog->bos || !prog->bo_write)
		goto out_put;

	ret = sushi_program_build(sdev, file, prog, ul);
	if (ret)
		goto out_put;
	ret = xa_alloc(&sfile->programs, &id, prog, xa_limit_32b, GFP_KERNEL);
	if (ret)
		goto out_put;
	args->handle = id;
	kvfree(ul);
	return 0;

out_put:
	sushi_program_put(prog);
out_free:
	kvfree(ul);
	return ret;
}

int sushi_ioctl_program_destroy(struct drm_device *drm, void *data,
				struct drm_file *file)
{
	struct sushi_file *sfile = to_sushi_file(file);
	struct drm_sushi_program_destroy *args = data;
	struct sushi_program *prog;

	if (args->pad)
		return sushi_reject(drm, -EINVAL, "pad %#x\n", args->pad);
	/*
	 * Never 0: erasing index 0 of an ALLOC1 xarray would free it for
	 * the next PROGRAM_CREATE, which documents handles as never 0.
	 */
	prog = args->handle ? xa_erase(&sfile->programs, args->handle) : NULL;
	if (!prog)
		return sushi_reject(drm, -ENOENT, "no program %u\n",
				    args->handle);
	sushi_program_put(prog);
	return 0;
}

void sushi_programs_release(struct sushi_file *sfile)
{
	struct sushi_program *prog;
	unsigned long id;

	xa_for_each(&sfile->programs, id, prog)
		sushi_program_put(prog);
	xa_destroy(&sfile->programs);
}
