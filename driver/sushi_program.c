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

/* Index of @obj in the program's BO list, adding it (with a reference). */
static u32 sushi_program_add_bo(struct sushi_program *prog,
				struct drm_gem_object *obj, bool write)
{
	u32 i;

	for (i = 0; i < prog->n_bos; i++)
		if (prog->bos[i] == obj)
			break;
	if (i == prog->n_bos) {
		drm_gem_object_get(obj);
		prog->bos[prog->n_bos++] = obj;
	}
	prog->bo_write[i] |= write;
	return i;
}

/*
 * Check the buffer references of one layer and resolve them to device
 * addresses.  Errors: -EINVAL, -ENOENT, -ERANGE, -EACCES, -ENOSPC.
 */
static int sushi_program_resolve(struct sushi_device *sdev,
				 struct drm_file *file,
				 struct sushi_program *prog,
				 const struct drm_sushi_layer *u,
				 const u64 len[SUSHI_REF_COUNT],
				 u64 dva[SUSHI_REF_COUNT])
{
	const struct drm_sushi_bo_ref *refs[SUSHI_REF_COUNT] = {
		&u->in, &u->in2, &u->out, &u->w, &u->epi,
	};
	int i, ret = 0;

	for (i = 0; i < SUSHI_REF_COUNT; i++) {
		const struct drm_sushi_bo_ref *r = refs[i];
		bool write = i == SUSHI_REF_OUT;
		struct drm_gem_object *obj;
		struct sushi_bo *bo;

		dva[i] = 0;
		if (!sushi_layer_uses(u->op, i))
			continue;
		obj = drm_gem_object_lookup(file, r->handle);
		if (!obj)
			return -ENOENT;
		bo = to_sushi_bo(obj);
		/* offset + len cannot wrap: sushi_layer_validate() checked */
		if (r->offset > obj->size || len[i] > obj->size - r->offset)
			ret = -ERANGE;
		else if (write && (bo->flags & DRM_SUSHI_BO_DEVICE_READ_ONLY))
			ret = -EACCES;
		else
			ret = sushi_mmu_map_bo(sdev, bo);
		if (!ret) {
			sushi_program_add_bo(prog, obj, write);
			dva[i] = sushi_bo_dva(bo) + r->offset;
		}
		drm_gem_object_put(obj);
		if (ret)
			return ret;
	}
	return 0;
}

/* Field-level checks that do not need the BOs. */
static int sushi_program_check_refs(const struct drm_sushi_layer *u)
{
	const struct drm_sushi_bo_ref *refs[SUSHI_REF_COUNT] = {
		&u->in, &u->in2, &u->out, &u->w, &u->epi,
	};
	int i;

	for (i = 0; i < SUSHI_REF_COUNT; i++) {
		if (refs[i]->pad)
			return -EINVAL;
		if (sushi_layer_uses(u->op, i) ? !refs[i]->handle :
		    refs[i]->handle || refs[i]->offset)
			return -EINVAL;
	}
	return 0;
}

static int sushi_program_build(struct sushi_device *sdev,
			       struct drm_file *file,
			       struct sushi_program *prog,
			       const struct drm_sushi_layer *ul)
{
	struct iosys_map map;
	struct sushi_hw_layer *le;
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
	for (i = 0; i < prog->n_layers; i++) {
		u64 len[SUSHI_REF_COUNT], dva[SUSHI_REF_COUNT];

		ret = sushi_program_check_refs(&ul[i]);
		if (!ret)
			ret = sushi_layer_validate(&ul[i], len);
		if (!ret)
			ret = sushi_program_resolve(sdev, file, prog, &ul[i],
						    len, dva);
		if (ret)
			break;
		sushi_layer_encode(&ul[i], dva, &le[i]);
	}
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
	size_t bytes;
	u32 id, max_bos;
	int ret;

	if (args->flags || args->layer_size != sizeof(*ul) || !args->n_layers)
		return -EINVAL;
	if (args->n_layers > sdev->caps.max_layers ||
	    args->n_layers > SUSHI_PROGRAM_MAX_LAYERS)
		return -E2BIG;
	bytes = array_size(args->n_layers, sizeof(*ul));
	ul = vmemdup_user(u64_to_user_ptr(args->layers), bytes);
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
		return -EINVAL;
	prog = xa_erase(&sfile->programs, args->handle);
	if (!prog)
		return -ENOENT;
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
