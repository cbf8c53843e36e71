// SPDX-License-Identifier: MIT
/*
 * supernet.c - a loaded SuperNet's queries: the catalog, each SubNet's
 * layer list as descriptors at a device address map, nested slices,
 * intersections, a SubGraph's PB ranges, and the scheduling space.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "supernet_internal.h"


int sushi_supernet_parse(const void *buf, size_t len,
			 struct sushi_supernet **out, char *err, size_t errlen)
{
	struct sushi_supernet *sn;
	int ret;

	if (err && errlen)
		err[0] = 0;
	if (!buf || !out)
		return -EINVAL;
	*out = NULL;
	sn = calloc(1, sizeof(*sn));
	if (!sn)
		return -ENOMEM;
	sn->file = malloc(len ? len : 1);
	if (!sn->file) {
		free(sn);
		return -ENOMEM;
	}
	memcpy(sn->file, buf, len);
	sn->len = len;
	ret = sn_load(sn, err, errlen);
	if (ret) {
		if (ret == -ENOMEM && err && errlen)
			snprintf(err, errlen, "out of memory");
		sushi_supernet_close(sn);
		return ret;
	}
	*out = sn;
	return 0;
}

int sushi_supernet_open(const char *path, struct sushi_supernet **out,
			char *err, size_t errlen)
{
	FILE *f = path ? fopen(path, "rb") : NULL;
	uint8_t *buf = NULL;
	struct stat st;
	long len;
	int ret;

	if (!f) {
		ret = path ? -errno : -EINVAL;
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path ? path : "(null)",
				 strerror(-ret));
		return ret;
	}
	if (fstat(fileno(f), &st)) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {	/* a directory, a FIFO, a device */
		ret = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path, S_ISDIR(st.st_mode) ?
				 "is a directory, not a SuperNet file" :
				 "not a regular file");
		goto out;
	}
	if (st.st_size > SUSHI_SUPERNET_MAX_FILE) {
		ret = -EFBIG;
		if (err && errlen)
			snprintf(err, errlen, "%s: %lld bytes, larger than any SuperNet file (%lld)",
				 path, (long long)st.st_size,
				 (long long)SUSHI_SUPERNET_MAX_FILE);
		goto out;
	}
	len = (long)st.st_size;
	buf = malloc(len ? (size_t)len : 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
		ret = -EIO;
		goto out;
	}
	ret = sushi_supernet_parse(buf, (size_t)len, out, err, errlen);
out:
	if (ret && ret != -EINVAL && err && errlen && !err[0])
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
	free(buf);
	fclose(f);
	return ret;
}

void sushi_supernet_close(struct sushi_supernet *sn)
{
	if (!sn)
		return;
	for (uint32_t i = 0; sn->tensors && i < sn->n_tensors; i++)
		free(sn->tensors[i].name);
	for (uint32_t i = 0; sn->wl && i < sn->n_wl; i++)
		free(sn->wl[i].tensor);
	for (uint32_t i = 0; sn->subnets && i < sn->n_subnets; i++) {
		free(sn->subnets[i].id);
		free(sn->subnets[i].arch_name);
		free(sn->subnets[i].layers);
	}
	free(sn->tensors);
	free(sn->wl);
	free(sn->subnets);
	free(sn->name);
	free(sn->file);
	free(sn);
}

int sushi_supernet_info(const struct sushi_supernet *sn,
			struct sushi_supernet_info *info)
{
	if (!sn || !info)
		return -EINVAL;
	*info = (struct sushi_supernet_info){
		.name = sn->name, .in_h = sn->in_h, .in_w = sn->in_w,
		.in_c = sn->in_c, .in_zp = sn->in_zp, .in_scale = sn->in_scale,
		.n_classes = sn->n_classes, .n_subnets = sn->n_subnets,
		.n_weight_layers = sn->n_wl, .data_bytes = sn->data_len,
	};
	return 0;
}

const uint8_t *sushi_supernet_data(const struct sushi_supernet *sn)
{
	return sn ? sn->data : NULL;
}

int sushi_supernet_subnet(const struct sushi_supernet *sn, uint32_t i,
			  struct sushi_subnet_info *info)
{
	const struct sn_subnet *s;

	if (!sn || !info)
		return -EINVAL;
	if (i >= sn->n_subnets)
		return -ENOENT;
	s = &sn->subnets[i];
	*info = (struct sushi_subnet_info){
		.id = s->id, .arch_name = s->arch_name, .accuracy = s->accuracy,
		.macs = s->macs, .weight_bytes = s->weight_bytes,
		.n_layers = s->n_layers,
	};
	return 0;
}

int sushi_supernet_weight_layer(const struct sushi_supernet *sn, uint32_t i,
				struct sushi_weight_layer_info *info)
{
	if (!sn || !info)
		return -EINVAL;
	if (i >= sn->n_wl)
		return -ENOENT;
	*info = (struct sushi_weight_layer_info){
		.tensor = sn->wl[i].tensor, .offset = sn->wl[i].offset,
		.rows_max = sn->wl[i].rows_max,
		.row_stride = sn->wl[i].row_stride,
		.kernel = sn->wl[i].kernel,
	};
	return 0;
}

int sushi_supernet_layers(const struct sushi_supernet *sn, uint32_t i,
			  const struct sushi_supernet_map *map,
			  struct sushi_hw_layer *out,
			  struct sushi_subnet_io *io)
{
	const struct sn_subnet *s;
	struct sn_place *p;
	uint64_t arena, end;
	int ret;

	if (!sn || !map || !io)
		return -EINVAL;
	if (i >= sn->n_subnets)
		return -ENOENT;
	s = &sn->subnets[i];
	p = calloc(s->n_layers, sizeof(*p));
	if (!p)
		return -ENOMEM;
	ret = sn_place(sn, i, map->act_sram_bytes, p, &arena);
	if (ret) {
		free(p);
		return ret;
	}
	*io = (struct sushi_subnet_io){
		.arena_bytes = arena, .in_off = 0,
		.in_bytes = (uint64_t)sn->in_h * sn->in_w * sn->in_c,
		.out_off = p[s->n_layers - 1].off,
		.out_bytes = p[s->n_layers - 1].bytes,
	};
	if (__builtin_add_overflow(map->act_base, arena, &end) ||
	    __builtin_add_overflow(map->data_base, sn->data_len, &end)) {
		free(p);
		return -EOVERFLOW;
	}
	for (uint32_t j = 0; out && j < s->n_layers; j++) {
		const struct sn_layer *L = &s->layers[j];
		struct sushi_hw_layer *d = &out[j];
		const struct sn_place *src = L->in[0] < 0 ? NULL : &p[L->in[0]];

		*d = L->d;
		d->flags = 0;
		/* the network input: arena offset 0 */
		d->in_addr = src ? src->off : 0;
		if (src && src->sram)
			d->flags |= SUSHI_LAYER_F_IN_SRAM;
		else
			d->in_addr += map->act_base;
		if (d->op == SUSHI_OP_ADD) {
			src = L->in[1] < 0 ? NULL : &p[L->in[1]];
			d->in2_addr = src ? src->off : 0;
			if (src && src->sram)
				d->flags |= SUSHI_LAYER_F_IN2_SRAM;
			else
				d->in2_addr += map->act_base;
		}
		d->out_addr = p[j].off;
		if (p[j].sram)
			d->flags |= SUSHI_LAYER_F_OUT_SRAM;
		else
			d->out_addr += map->act_base;
		if (L->wl >= 0) {
			d->w_addr = map->data_base + sn->wl[L->wl].offset;
			d->w_stride = sn->wl[L->wl].row_stride;
			d->epi_addr = map->data_base + L->epi_off;
		}
	}
	free(p);
	return 0;
}

int sushi_supernet_slices(const struct sushi_supernet *sn, uint32_t i,
			  struct sushi_slice *out)
{
	const struct sn_subnet *s;

	if (!sn || !out)
		return -EINVAL;
	if (i >= sn->n_subnets)
		return -ENOENT;
	s = &sn->subnets[i];
	memset(out, 0, sn->n_wl * sizeof(*out));
	for (uint32_t j = 0; j < s->n_layers; j++) {
		const struct sn_layer *L = &s->layers[j];

		if (L->wl < 0)
			continue;
		out[L->wl].rows = L->d.out_c;
		out[L->wl].row_bytes = L->d.in_c / L->d.groups * L->d.kernel *
				       L->d.kernel;
	}
	return 0;
}

int sushi_supernet_intersection(const struct sushi_supernet *sn,
				const uint32_t *subnets, uint32_t n,
				struct sushi_slice *out)
{
	struct sushi_slice *tmp;
	int ret = 0;

	if (!sn || !subnets || !n || !out)
		return -EINVAL;
	tmp = calloc(sn->n_wl, sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	for (uint32_t k = 0; k < n && !ret; k++) {
		ret = sushi_supernet_slices(sn, subnets[k], k ? tmp : out);
		for (uint32_t l = 0; k && !ret && l < sn->n_wl; l++) {
			if (tmp[l].rows < out[l].rows)
				out[l].rows = tmp[l].rows;
			if (tmp[l].row_bytes < out[l].row_bytes)
				out[l].row_bytes = tmp[l].row_bytes;
			if (!out[l].rows || !out[l].row_bytes)
				out[l].rows = out[l].row_bytes = 0;
		}
	}
	free(tmp);
	return ret;
}

int sushi_supernet_subgraph_ranges(const struct sushi_supernet *sn,
				   const struct sushi_slice *sg,
				   const struct sushi_supernet_map *map,
				   struct sushi_pb_range *out, uint32_t *n,
				   uint64_t *bytes)
{
	uint64_t off = 0;
	uint32_t k = 0;

	if (!sn || !sg || !map || !out || !n || !bytes)
		return -EINVAL;
	for (uint32_t l = 0; l < sn->n_wl; l++) {
		if (!sg[l].rows)
			continue;
		if (sg[l].rows > sn->wl[l].rows_max ||
		    sg[l].row_bytes > sn->wl[l].row_stride)
			return -EINVAL;
		out[k] = (struct sushi_pb_range){
			.dva = map->data_base + sn->wl[l].offset,
			.row_stride = sn->wl[l].row_stride,
			.row_bytes = sg[l].row_bytes,
			.rows = sg[l].rows,
			.pb_offset = off,
		};
		off += (uint64_t)sg[l].rows * sg[l].row_bytes;
		k++;
	}
	*n = k;
	*bytes = off;
	return 0;
}

int sushi_supernet_sched_space(const struct sushi_supernet *sn,
			       const struct sushi_model_config *cfg,
			       const struct sushi_supernet_map *map,
			       struct sushi_sched_space **out)
{
	struct sushi_supernet_map placed;
	struct sushi_sched_wlayer *wl;
	struct sushi_sched_net *nets;
	struct sushi_hw_layer **ls;
	int ret = -ENOMEM;

	if (!sn || !cfg || !map || !out)
		return -EINVAL;
	/* the layers placed for the SRAM the model prices them with */
	placed = *map;
	placed.act_sram_bytes = cfg->act_sram_bytes;
	wl = calloc(sn->n_wl, sizeof(*wl));
	nets = calloc(sn->n_subnets, sizeof(*nets));
	ls = calloc(sn->n_subnets, sizeof(*ls));
	if (!wl || !nets || !ls)
		goto out;
	for (uint32_t l = 0; l < sn->n_wl; l++) {
		wl[l].w_addr = map->data_base + sn->wl[l].offset;
		wl[l].w_stride = sn->wl[l].row_stride;
	}
	for (uint32_t i = 0; i < sn->n_subnets; i++) {
		struct sushi_subnet_io io;

		ls[i] = calloc(sn->subnets[i].n_layers, sizeof(**ls));
		if (!ls[i])
			goto out;
		ret = sushi_supernet_layers(sn, i, &placed, ls[i], &io);
		if (ret)
			goto out;
		nets[i].accuracy = sn->subnets[i].accuracy;
		nets[i].layers = ls[i];
		nets[i].n_layers = sn->subnets[i].n_layers;
	}
	ret = sushi_sched_space_from_model(cfg, wl, sn->n_wl, nets,
					   sn->n_subnets, out);
out:
	for (uint32_t i = 0; ls && i < sn->n_subnets; i++)
		free(ls[i]);
	free(ls);
	free(nets);
	free(wl);
	return ret;
}
