// SPDX-License-Identifier: MIT
/*
 * metrics.c - sushid's metrics in the Prometheus text exposition format
 * (0.0.4): the daemon's counters (answers by status, shed and rejected by
 * reason, frame errors, connections, dropped answers), the runtime's per
 * device counters (queries by status, PB loads, PB hit and weight bytes,
 * queries held), per-device latency and queueing histograms, and the
 * process's resident memory.  Names and meaning: Documentation/sushid.rst.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sushid.h"

const double srv_bucket_le[SRV_BUCKETS] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
	0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};

void srv_hist_add(struct srv_hist *h, uint64_t ns)
{
	double s = (double)ns / 1e9;

	for (unsigned int i = 0; i < SRV_BUCKETS; i++) {
		if (s <= srv_bucket_le[i]) {
			h->bucket[i]++;
			break;
		}
	}
	h->count++;
	h->sum_ns += ns;
}

/* a bounded appender: once full, stays full (and render returns 0) */
struct out {
	char *b;
	size_t cap, len;
	bool full;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->b + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len)
		o->full = true;
	else
		o->len += (size_t)n;
}

static void head(struct out *o, const char *name, const char *type,
		 const char *help)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static const char *const status_label[PROTO_STATUS_COUNT] = {
	"served", "late", "shed", "failed", "rejected",
};
static const char *const shed_label[SRV_SHED_COUNT] = {
	"admission", "overload", "connection_limit", "shutdown",
};
static const char *const reject_label[SRV_REJECT_COUNT] = {
	"input_size", "invalid",
};

static void hist(struct out *o, const char *name, uint32_t dev,
		 const struct srv_hist *h)
{
	uint64_t cum = 0;

	for (unsigned int i = 0; i < SRV_BUCKETS; i++) {
		cum += h->bucket[i];
		put(o, "%s_bucket{device=\"%u\",le=\"%g\"} %llu\n", name, dev,
		    srv_bucket_le[i], (unsigned long long)cum);
	}
	put(o, "%s_bucket{device=\"%u\",le=\"+Inf\"} %llu\n", name, dev,
	    (unsigned long long)h->count);
	put(o, "%s_sum{device=\"%u\"} %.9f\n", name, dev, (double)h->sum_ns / 1e9);
	put(o, "%s_count{device=\"%u\"} %llu\n", name, dev,
	    (unsigned long long)h->count);
}

/* a device path as a label value: \ " and newline escaped */
static void label_path(struct out *o, const char *p)
{
	for (; p && *p; p++) {
		if (*p == '\\' || *p == '"')
			put(o, "\\%c", *p);
		else if (*p == '\n')
			put(o, "\\n");
		else
			put(o, "%c", *p);
	}
}

static uint64_t rss_bytes(void)
{
	unsigned long long size = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	long page = sysconf(_SC_PAGESIZE);

	if (f) {
		if (fscanf(f, "%llu %llu", &size, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return (uint64_t)rss * (uint64_t)(page > 0 ? page : 4096);
}

/* per device text: 16 buckets x 2 histograms + counters, paths <= 4096 */
size_t srv_metrics_cap(uint32_t n_devices)
{
	return 16384 + (size_t)n_devices * (8192 + 4096);
}

/* a family: one sample per label value (@n of @values, @label=...) */
static void family(struct out *o, const char *name, const char *type,
		   const char *help, const char *label,
		   const char *const *values, const uint64_t *v, unsigned int n)
{
	head(o, name, type, help);
	for (unsigned int i = 0; i < n; i++)
		put(o, "%s{%s=\"%s\"} %llu\n", name, label, values[i],
		    (unsigned long long)v[i]);
}

/* a family without labels: one sample */
static void single(struct out *o, const char *name, const char *type,
		   const char *help, uint64_t v)
{
	head(o, name, type, help);
	put(o, "%s %llu\n", name, (unsigned long long)v);
}

/* the runtime's per-device counters that are one number per device */
static const struct {
	const char *name, *type, *help;
	size_t off;	/* of a uint64_t in struct sushi_rt_device_stats */
} dev_counters[] = {
	{ "sushid_device_pb_loads_total", "counter",
	  "Persistent Buffer load jobs (SubGraph reloads) run.",
	  offsetof(struct sushi_rt_device_stats, pb_loads) },
	{ "sushid_device_pb_hit_bytes_total", "counter",
	  "Weight bytes launches read from the Persistent Buffer.",
	  offsetof(struct sushi_rt_device_stats, pb_hit_bytes) },
	{ "sushid_device_weight_bytes_total", "counter",
	  "Weight bytes launches read (Persistent Buffer and DRAM).",
	  offsetof(struct sushi_rt_device_stats, weight_bytes) },
	{ "sushid_device_pb_resets_total", "counter",
	  "Times the runtime dropped a device's PB content after an error that "
	  "may have wiped it (a reset, a stale pin set).",
	  offsetof(struct sushi_rt_device_stats, pb_resets) },
};

static void device_families(struct out *o, const struct sushi_rt_stats *st,
			    uint32_t n)
{
	static const char *const status[4] = { "served", "late", "shed", "failed" };
	static const char *const kinds[2] = { "service", "load" };
	const uint64_t mism[2] = { st->service_mismatches, st->load_mismatches };

	head(o, "sushid_device_queries_total", "counter",
	     "Queries completed by each device, by status.");
	for (uint32_t d = 0; d < n; d++) {
		const struct sushi_rt_device_stats *ds = &st->dev[d];
		const uint64_t v[4] = { ds->served, ds->late, ds->shed, ds->failed };

		for (unsigned int k = 0; k < 4; k++)
			put(o, "sushid_device_queries_total{device=\"%u\",status=\"%s\"} %llu\n",
			    d, status[k], (unsigned long long)v[k]);
	}
	for (size_t c = 0; c < sizeof(dev_counters) / sizeof(dev_counters[0]); c++) {
		head(o, dev_counters[c].name, dev_counters[c].type, dev_counters[c].help);
		for (uint32_t d = 0; d < n; d++) {
			uint64_t v;

			memcpy(&v, (const char *)&st->dev[d] + dev_counters[c].off, sizeof(v));
			put(o, "%s{device=\"%u\"} %llu\n", dev_counters[c].name, d,
			    (unsigned long long)v);
		}
	}
	head(o, "sushid_device_held", "gauge", "Queries queued or running on each device.");
	for (uint32_t d = 0; d < n; d++)
		put(o, "sushid_device_held{device=\"%u\"} %u\n", d, st->dev[d].held);
	family(o, "sushid_runtime_mismatches_total", "counter",
	       "Launches and PB switches whose device cost differed from the prediction.",
	       "kind", kinds, mism, 2);
}

size_t srv_metrics_render(const struct srv_metrics *m,
			  const struct sushi_rt_stats *st,
			  const char *const *paths, char *buf, size_t cap)
{
	static const char *const conn_label[2] = { "accepted", "refused" };
	const char *err_label[PROTO_ERR_COUNT];
	uint64_t err_v[PROTO_ERR_COUNT], conn_v[2] = { m->conns_accepted, m->conns_refused };
	struct out o = { .b = buf, .cap = cap };
	unsigned int ne = 0;

	if (!cap)
		return 0;
	for (unsigned int e = 1; e < PROTO_ERR_COUNT; e++) {
		if (e == PROTO_ERR_BUSY || e == PROTO_ERR_TRUNCATED)
			continue;	/* not frame errors the daemon finds */
		err_label[ne] = proto_err_name(e);
		err_v[ne++] = m->frame_errors[e];
	}
	family(&o, "sushid_queries_total", "counter",
	       "Queries answered (or whose connection was gone), by status.", "status",
	       status_label, m->answered, PROTO_STATUS_COUNT);
	family(&o, "sushid_shed_total", "counter", "Queries shed, by reason.", "reason",
	       shed_label, m->shed, SRV_SHED_COUNT);
	family(&o, "sushid_rejected_total", "counter",
	       "Well-formed queries refused before submission, by reason.", "reason",
	       reject_label, m->rejected, SRV_REJECT_COUNT);
	family(&o, "sushid_frame_errors_total", "counter",
	       "Connections closed for a protocol error, by error.", "reason",
	       err_label, err_v, ne);
	family(&o, "sushid_connections_total", "counter",
	       "Connections accepted, and refused for --max-clients.", "result",
	       conn_label, conn_v, 2);
	single(&o, "sushid_connections", "gauge", "Connections open.", m->conns_open);
	single(&o, "sushid_answers_dropped_total", "counter",
	       "Answers whose connection had closed (dropped at no cost).", m->dropped);
	single(&o, "sushid_queries_outstanding", "gauge",
	       "Queries submitted to the runtime and not yet completed.", m->outstanding);
	single(&o, "process_resident_memory_bytes", "gauge",
	       "Resident memory size in bytes.", rss_bytes());
	head(&o, "sushid_device_info", "gauge", "The devices serving (value 1).");
	for (uint32_t d = 0; d < m->n_devices; d++) {
		put(&o, "sushid_device_info{device=\"%u\",path=\"", d);
		label_path(&o, paths ? paths[d] : "");
		put(&o, "\"} 1\n");
	}
	if (st)
		device_families(&o, st, st->n_devices < m->n_devices ? st->n_devices :
				m->n_devices);
	head(&o, "sushid_device_latency_seconds", "histogram",
	     "Queueing plus service time of the queries each device ran.");
	for (uint32_t d = 0; d < m->n_devices; d++)
		hist(&o, "sushid_device_latency_seconds", d, &m->latency[d]);
	head(&o, "sushid_device_queue_seconds", "histogram",
	     "Queueing time of the queries each device ran.");
	for (uint32_t d = 0; d < m->n_devices; d++)
		hist(&o, "sushid_device_queue_seconds", d, &m->queue[d]);
	return o.full ? 0 : o.len;
}
