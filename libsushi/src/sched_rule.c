// SPDX-License-Identifier: MIT
/*
 * sched_rule.c - the per-query SubNet rule every policy and the offline
 * evaluator share: given what each SubNet costs with the current PB
 * content, the time budget left under the ceiling and the select mode,
 * which SubNet to serve (Documentation/sushisched.rst, "The per-query
 * rule").  Table look-ups only.
 */
#include "sched_internal.h"

static uint32_t fastest(const struct sushi_sched_space *sp,
			const struct sched_cells *cs)
{
	uint32_t best = 0;

	for (uint32_t s = 1; s < sp->S; s++)
		if (sched_cells_get(cs, s)->ns < sched_cells_get(cs, best)->ns)
			best = s;
	return best;
}

/* a cheaper than b: fewer off-chip bytes, then faster, then more accurate */
static bool cheaper(const struct sushi_sched_space *sp,
		    const struct sched_cells *cs, uint32_t a, uint32_t b)
{
	const struct sushi_sched_cell *x = sched_cells_get(cs, a);
	const struct sushi_sched_cell *y = sched_cells_get(cs, b);

	if (x->dram != y->dram)
		return x->dram < y->dram;
	if (x->ns != y->ns)
		return x->ns < y->ns;
	return sp->acc[a] > sp->acc[b];
}

uint32_t sched_rule(const struct sushi_sched_space *sp,
		    const struct sched_cells *cs, uint64_t budget, bool late,
		    enum sushi_select sel, double floor, bool *fallback)
{
	uint32_t pick = UINT32_MAX, best;

	*fallback = false;
	/* the most accurate within the budget (order: most accurate first) */
	for (uint32_t i = 0; !late && i < sp->S; i++) {
		uint32_t sn = sp->order[i];

		if (sched_cells_get(cs, sn)->ns <= budget) {
			pick = sn;
			break;
		}
	}
	if (pick == UINT32_MAX) {
		*fallback = true;
		return fastest(sp, cs);
	}
	if (sel != SUSHI_SELECT_FLOOR || sp->acc[pick] < floor)
		return pick;
	/* the cheapest meeting both floor and ceiling (pick does) */
	best = pick;
	for (uint32_t s = 0; s < sp->S; s++)
		if (sp->acc[s] >= floor && sched_cells_get(cs, s)->ns <= budget &&
		    cheaper(sp, cs, s, best))
			best = s;
	return best;
}
