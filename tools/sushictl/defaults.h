/* SPDX-License-Identifier: MIT */
/*
 * defaults.h - the files sushictl's commands use when none is named: the
 * shipped Fashion-MNIST SuperNet and its 1000-image test sample.  The
 * build passes their absolute paths (sushictl.mk); these are the fallbacks.
 */
#ifndef SUSHICTL_DEFAULTS_H
#define SUSHICTL_DEFAULTS_H

#ifndef SUSHI_DEFAULT_SUPERNET
#define SUSHI_DEFAULT_SUPERNET "fmnist-supernet.safetensors"
#endif
#ifndef SUSHI_DEFAULT_IMAGES
#define SUSHI_DEFAULT_IMAGES "fmnist-test-1000-images.idx"
#endif
#ifndef SUSHI_DEFAULT_LABELS
#define SUSHI_DEFAULT_LABELS "fmnist-test-1000-labels.idx"
#endif

#endif /* SUSHICTL_DEFAULTS_H */
