/* SPDX-License-Identifier: MIT */
/*
 * supernet_internal.h - a loaded SuperNet in memory: the file bytes, the
 * tensor table, the weight layers and the catalog's layer lists (host-order
 * descriptors whose addresses are filled in per device address map).
 */
#ifndef SUSHI_SUPERNET_INTERNAL_H
#define SUSHI_SUPERNET_INTERNAL_H

#include "sushi_model.h"
#include "sushi/supernet.h"

/* sushi_supernet_open() reads a file whole: larger ones are refused
 * (-EFBIG) before any allocation (the paper-scale OFA-ResNet50 is 52 MB) */
#define SUSHI_SUPERNET_MAX_FILE (1LL << 32)

struct sn_tensor {
	char *name;
	int dtype;		/* enum sn_dtype */
	uint32_t ndim;
	uint64_t shape[4];
	uint64_t begin, end;	/* in the data section */
};

enum sn_dtype { SN_I8, SN_U8, SN_I16, SN_I32, SN_I64, SN_F32, SN_F64 };

struct sn_wlayer {
	char *tensor;
	uint64_t offset;
	uint32_t rows_max;
	uint64_t row_stride;
	uint32_t kernel;
	uint32_t in_c_max;
	uint32_t groups;
};

struct sn_layer {
	struct sushi_hw_layer d;	/* addresses left zero */
	int32_t in[2];			/* producing layers, -1 = input */
	int32_t wl;			/* weight layer, or -1 */
	uint64_t epi_off;		/* epilogue offset in the data section */
};

struct sn_subnet {
	char *id;
	char *arch_name;
	double accuracy;
	uint64_t macs;
	uint64_t weight_bytes;
	uint32_t n_layers;
	struct sn_layer *layers;
};

struct sushi_supernet {
	uint8_t *file;
	size_t len;
	const uint8_t *data;
	uint64_t data_len;
	char *name;
	uint32_t in_h, in_w, in_c, n_classes;
	int32_t in_zp;
	double in_scale;
	uint32_t n_tensors, n_wl, n_subnets;
	struct sn_tensor *tensors;
	struct sn_wlayer *wl;
	struct sn_subnet *subnets;
};

/* parse the container, the metadata and the catalog (supernet_load.c) */
int sn_load(struct sushi_supernet *sn, char *err, size_t errlen);

/**
 * struct sn_place - where one layer's output lives (supernet_place.c)
 * @sram: in the activation SRAM at @off; else in the DRAM arena at @off
 * @off: offset in the SRAM or the arena
 * @bytes: its size
 */
struct sn_place {
	bool sram;
	uint64_t off;
	uint64_t bytes;
};

/*
 * sn_place() - plan SubNet @i's activations for an SRAM of @sram bytes
 * (0: all in DRAM): @p gets one entry per layer, @arena_bytes the DRAM
 * arena it needs (the network input at offset 0).  0 or -ENOMEM.
 */
int sn_place(const struct sushi_supernet *sn, uint32_t i, uint64_t sram,
	     struct sn_place *p, uint64_t *arena_bytes);

#endif /* SUSHI_SUPERNET_INTERNAL_H */
