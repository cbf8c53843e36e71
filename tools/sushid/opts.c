// SPDX-License-Identifier: MIT
/*
 * opts.c - sushid's command line: the options, their defaults and ranges,
 * the usage text, and --group as a group id.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "sushid.h"

#ifndef SUSHI_DEFAULT_SUPERNET
#define SUSHI_DEFAULT_SUPERNET "/usr/share/sushi/fmnist-supernet.safetensors"
#endif

void sushid_usage(FILE *f)
{
	fputs("usage: sushid [options]\n"
	      "Serve SUSHI inference queries from one SuperNet on SushiAccel devices\n"
	      "over a Unix socket (protocol: Documentation/sushid.rst). Runs in the\n"
	      "foreground; SIGTERM or SIGINT shut it down gracefully: no new\n"
	      "connection, every accepted query answered, exit status 0.\n\n"
	      "options:\n"
	      "  --socket PATH          listening socket (default " SUSHID_DEFAULT_SOCKET ")\n"
	      "  --group NAME|GID       give the socket this group and mode 0660\n"
	      "                         (default: mode 0600, the daemon's user only)\n"
	      "  --device PATH          an accel node to serve on (repeatable, at most 64;\n"
	      "                         default: every SushiAccel node in /dev/accel)\n"
	      "  --supernet FILE        SuperNet file (default " SUSHI_DEFAULT_SUPERNET ")\n"
	      "  --policy NAME          online policy: sushi, no-pb, static-smallest,\n"
	      "                         static-intersect, static-largest (default sushi)\n"
	      "  --select MODE          accuracy or floor (default accuracy)\n"
	      "  --q N                  SubGraph decision period in queries (default 32)\n"
	      "  --w N                  window of recent queries, 1..4096 (default 64)\n"
	      "  --router NAME          jsq or sgs (default jsq)\n"
	      "  --overload MODE        late (serve with the fastest SubNet) or shed\n"
	      "                         (default late)\n"
	      "  --max-queue N          queries one device may hold; more are shed at\n"
	      "                         admission (default 0: no limit)\n"
	      "  --max-clients N        connections at once, 1..4096 (default 64)\n"
	      "  --max-outstanding N    unanswered queries per connection, 1..4096; more\n"
	      "                         are answered shed at once (default 64)\n"
	      "  --version              the daemon's and the protocol's version\n"
	      "  -h, --help             this text\n\n"
	      "exit status: 0 success (also after a graceful shutdown), 1 usage error,\n"
	      "2 device or runtime error, 3 bad SuperNet file, 4 internal error,\n"
	      "5 the socket could not be made (path, group, permissions).\n", f);
}

#define USAGE(...) \
	do { snprintf(err, errlen, __VA_ARGS__); return SUSHID_EXIT_USAGE; } while (0)

/* a decimal number in [lo, hi]: 0 or -EINVAL */
static int number(const char *s, unsigned long lo, unsigned long hi, uint32_t *v)
{
	unsigned long x;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || *end || x < lo || x > hi)
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

static const char *const valued[] = {
	"--socket", "--group", "--device", "--supernet", "--policy", "--select",
	"--q", "--w", "--router", "--overload", "--max-queue", "--max-clients",
	"--max-outstanding",
};

static int take(void *p, const char *name, const char *v, char *err,
		size_t errlen)
{
	struct sushid_opts *o = p;
	int ret;

	if (!strcmp(name, "--socket")) {
		if (!*v)
			USAGE("--socket needs a path");
		o->socket = v;
	} else if (!strcmp(name, "--group")) {
		if (!*v)
			USAGE("--group needs a group name or number");
		o->group = v;
	} else if (!strcmp(name, "--device")) {
		if (o->n_devices >= SUSHI_FLEET_MAX_DEVICES)
			USAGE("--device: at most %u devices", SUSHI_FLEET_MAX_DEVICES);
		for (uint32_t i = 0; i < o->n_devices; i++)
			if (!strcmp(o->devices[i], v))
				USAGE("--device %s given twice", v);
		o->devices[o->n_devices++] = v;
	} else if (!strcmp(name, "--supernet")) {
		o->supernet = v;
	} else if (!strcmp(name, "--policy")) {
		ret = sushi_policy_from_name(v);
		if (ret < 0)
			USAGE("--policy: unknown policy '%s' (try --help)", v);
		if (sushi_policy_offline((enum sushi_policy)ret))
			USAGE("--policy %s needs the whole trace: not a serving policy", v);
		if (ret == SUSHI_POLICY_LRU)
			USAGE("--policy lru: the runtime pins SubGraphs; LRU's per-layer "
			      "fills are evaluated only (sushictl eval)");
		o->sched.policy = (enum sushi_policy)ret;
	} else if (!strcmp(name, "--select")) {
		ret = sushi_select_from_name(v);
		if (ret < 0)
			USAGE("--select: '%s' is not accuracy or floor", v);
		o->sched.select = (enum sushi_select)ret;
	} else if (!strcmp(name, "--q")) {
		if (number(v, 1, UINT32_MAX, &o->sched.q))
			USAGE("--q: '%s' is not a number of queries >= 1", v);
	} else if (!strcmp(name, "--w")) {
		if (number(v, 1, 4096, &o->sched.w))
			USAGE("--w: '%s' is not a window of 1..4096 queries", v);
	} else if (!strcmp(name, "--router")) {
		ret = sushi_router_from_name(v);
		if (ret < 0)
			USAGE("--router: '%s' is not jsq or sgs", v);
		o->fleet.router = (enum sushi_router)ret;
	} else if (!strcmp(name, "--overload")) {
		ret = sushi_overload_from_name(v);
		if (ret < 0)
			USAGE("--overload: '%s' is not late or shed", v);
		o->fleet.overload = (enum sushi_overload)ret;
	} else if (!strcmp(name, "--max-queue")) {
		if (number(v, 0, UINT32_MAX, &o->fleet.max_queue))
			USAGE("--max-queue: '%s' is not a number of queries", v);
	} else if (!strcmp(name, "--max-clients")) {
		if (number(v, 1, SUSHID_MAX_CLIENTS, &o->max_clients))
			USAGE("--max-clients: '%s' is not in 1..%u", v, SUSHID_MAX_CLIENTS);
	} else if (number(v, 1, SUSHID_MAX_OUTSTANDING, &o->max_outstanding)) {
		USAGE("--max-outstanding: '%s' is not in 1..%u", v, SUSHID_MAX_OUTSTANDING);
	}
	return 0;
}

int sushid_parse(int argc, char **argv, struct sushid_opts *o, int *help,
		 char *err, size_t errlen)
{
	static const char *const flags[] = { "--version" };
	bool version = false, h;
	bool *flag_set[] = { &version };
	const struct args_spec spec = {
		.valued = valued, .n_valued = sizeof(valued) / sizeof(valued[0]),
		.flags = flags, .flag_set = flag_set, .n_flags = 1,
		.take = take, .o = o, .usage = SUSHID_EXIT_USAGE,
	};
	int ret;

	memset(o, 0, sizeof(*o));
	o->socket = SUSHID_DEFAULT_SOCKET;
	o->supernet = SUSHI_DEFAULT_SUPERNET;
	o->sched.policy = SUSHI_POLICY_SUSHI;
	o->sched.q = 32;
	o->sched.w = 64;
	o->fleet.size = sizeof(o->fleet);
	o->fleet.router = SUSHI_ROUTER_JSQ;
	o->fleet.overload = SUSHI_OVERLOAD_LATE;
	o->max_clients = SUSHID_DEFAULT_CLIENTS;
	o->max_outstanding = SUSHID_DEFAULT_OUTSTANDING;
	ret = args_parse(argc, argv, &spec, &h, err, errlen);
	*help = h ? 1 : version ? 2 : 0;
	if (ret || *help)
		return ret;
	if ((uint64_t)o->max_clients * o->max_outstanding > SUSHID_MAX_PENDING)
		USAGE("--max-clients x --max-outstanding must be at most %u", SUSHID_MAX_PENDING);
	return 0;
}

int sushid_group(const char *group, gid_t *gid, char *err, size_t errlen)
{
	struct group *g = getgrnam(group);
	uint32_t n;

	if (g) {
		*gid = g->gr_gid;
		return 0;
	}
	if (!number(group, 0, INT_MAX, &n)) {
		*gid = (gid_t)n;
		return 0;
	}
	snprintf(err, errlen, "--group %s: no such group", group);
	return -ENOENT;
}
