// SPDX-License-Identifier: MIT
/*
 * main.c - sushid, the SUSHI serving daemon: parses its options, opens the
 * devices (every SushiAccel node unless named), loads the SuperNet,
 * creates the serving runtime (LIVE clock, completions reaped through its
 * file descriptor), makes the socket, tells systemd it is ready, and runs
 * the server (server.c) until SIGTERM or SIGINT.  The runtime is the
 * server's backend through the sushi_rt_* wrappers below.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sushi/device.h"
#include "sushi/runtime.h"
#include "sushi/supernet.h"
#include "sushid.h"

#define SUSHID_VERSION "0.1.0"

static int rt_submit(void *ctx, const struct sushi_rt_request *req)
{
	return sushi_rt_submit(ctx, req);
}

static int rt_reap(void *ctx, struct sushi_rt_completion *out, size_t max)
{
	return sushi_rt_reap(ctx, out, max, sizeof(*out));
}

static int rt_fd(void *ctx)
{
	return sushi_rt_fd(ctx);
}

static int rt_stats(void *ctx, struct sushi_rt_stats *st)
{
	return sushi_rt_stats(ctx, st);
}

static int rt_drain(void *ctx, int64_t timeout_ns)
{
	return sushi_rt_drain(ctx, timeout_ns);
}

/* the named devices, or every SushiAccel node: 0 or an exit status */
static int open_devices(const struct sushid_opts *o, struct sushi_device **devs,
			uint32_t *n)
{
	int ret;

	*n = 0;
	if (!o->n_devices) {
		ret = sushi_device_open_all(devs, SUSHI_FLEET_MAX_DEVICES, n);
		if (ret == -ENODEV)
			fprintf(stderr, "sushid: no SushiAccel device in /dev/accel: load "
				"the sushi driver or name a node with --device\n");
		else if (ret)
			fprintf(stderr, "sushid: cannot open the SushiAccel devices: %s\n",
				sushi_strerror_in(SUSHI_CALL_OPEN, ret));
		return ret ? SUSHID_EXIT_DEVICE : 0;
	}
	for (uint32_t i = 0; i < o->n_devices; i++) {
		ret = sushi_device_open(o->devices[i], &devs[i]);
		if (ret) {
			fprintf(stderr, "sushid: cannot open %s: %s\n", o->devices[i],
				ret == -ENODEV ? "not a SushiAccel node" :
				sushi_strerror_in(SUSHI_CALL_OPEN, ret));
			return SUSHID_EXIT_DEVICE;
		}
		(*n)++;
	}
	return 0;
}

/* systemd's readiness notification (Type=notify), without libsystemd */
static void notify_ready(void)
{
	const char *p = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;

	if (!p || (p[0] != '/' && p[0] != '@') || strlen(p) >= sizeof(sa.sun_path))
		return;
	strcpy(sa.sun_path, p);
	if (p[0] == '@')
		sa.sun_path[0] = '\0';	/* abstract namespace */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(p));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, "READY=1", 7, MSG_NOSIGNAL, (struct sockaddr *)&sa, len) < 0)
		fprintf(stderr, "sushid: cannot notify systemd: %s\n", strerror(errno));
	close(fd);
}

/*
 * SIGTERM and SIGINT blocked (in every thread: called before the runtime
 * starts its workers, which inherit the mask) and read as a descriptor;
 * SIGPIPE ignored.  The descriptor or -errno.
 */
static int stop_signals(void)
{
	sigset_t set;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -EINVAL;
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

static int serve(const struct sushid_opts *o, struct sushi_device **devs,
		 uint32_t n, struct sushi_supernet *sn, int stop_fd)
{
	const char *paths[SUSHI_FLEET_MAX_DEVICES];
	struct sushi_supernet_info si;
	struct sushi_rt_config rc = { .size = sizeof(rc), .clock = SUSHI_RT_LIVE };
	struct srv_backend be = {
		.submit = rt_submit, .reap = rt_reap, .fd = rt_fd,
		.stats = rt_stats, .drain = rt_drain,
	};
	struct srv_config cfg = {
		.max_clients = o->max_clients, .max_outstanding = o->max_outstanding,
		.device_paths = paths, .flush_ms = 5000, .socket_path = o->socket,
	};
	struct srv_summary sum;
	struct sushi_rt *rt = NULL;
	bool has_gid = false;
	gid_t gid = 0;
	char err[256];
	int ret;

	if (o->group) {
		if (sushid_group(o->group, &gid, err, sizeof(err))) {
			fprintf(stderr, "sushid: %s\n", err);
			return SUSHID_EXIT_DENIED;
		}
		has_gid = true;
	}
	sushi_supernet_info(sn, &si);
	rc.sn = sn;
	rc.devices = devs;
	rc.sched = o->sched;
	rc.fleet = o->fleet;
	rc.fleet.n_devices = n;
	ret = sushi_rt_create(&rc, &rt);
	if (ret) {
		fprintf(stderr, "sushid: cannot start the serving runtime on %u "
			"device(s): %s\n", n, sushi_strerror(ret));
		return SUSHID_EXIT_DEVICE;
	}
	for (uint32_t i = 0; i < n; i++)
		paths[i] = sushi_device_path(devs[i]);
	be.ctx = rt;
	cfg.info = (struct proto_info){
		.n_devices = n, .n_subnets = si.n_subnets, .n_classes = si.n_classes,
		.in_h = si.in_h, .in_w = si.in_w, .in_c = si.in_c,
		.in_bytes = (uint32_t)sushi_rt_input_bytes(rt),
	};
	cfg.stop_fd = stop_fd;
	cfg.listen_fd = srv_listen(o->socket, has_gid, gid, err, sizeof(err));
	if (cfg.listen_fd < 0) {
		fprintf(stderr, "sushid: %s\n", err);
		sushi_rt_destroy(rt);
		return SUSHID_EXIT_DENIED;
	}
	fprintf(stderr, "sushid: serving %s (%u SubNets, input %ux%ux%u) on %u "
		"device(s) at %s; policy %s, router %s, overload %s, max-queue %u\n",
		si.name, si.n_subnets, si.in_h, si.in_w, si.in_c, n, o->socket,
		sushi_policy_name(o->sched.policy), sushi_router_name(o->fleet.router),
		sushi_overload_name(o->fleet.overload), o->fleet.max_queue);
	notify_ready();
	ret = srv_run(&cfg, &be, &sum);
	sushi_rt_destroy(rt);
	if (ret) {
		fprintf(stderr, "sushid: the event loop failed: %s\n", strerror(-ret));
		return SUSHID_EXIT_INTERNAL;
	}
	fprintf(stderr, "sushid: stopped after %llu connection(s): %llu served, "
		"%llu late, %llu shed, %llu failed, %llu rejected (%llu answers "
		"dropped for closed connections)\n",
		(unsigned long long)sum.connections,
		(unsigned long long)sum.answered[PROTO_SERVED],
		(unsigned long long)sum.answered[PROTO_LATE],
		(unsigned long long)sum.answered[PROTO_SHED],
		(unsigned long long)sum.answered[PROTO_FAILED],
		(unsigned long long)sum.answered[PROTO_REJECTED],
		(unsigned long long)sum.dropped);
	return SUSHID_EXIT_OK;
}

int main(int argc, char **argv)
{
	struct sushi_device *devs[SUSHI_FLEET_MAX_DEVICES];
	struct sushi_supernet *sn = NULL;
	struct sushid_opts o;
	char err[512];
	uint32_t n = 0;
	int help, rc, stop_fd;

	err[0] = '\0';
	rc = sushid_parse(argc, argv, &o, &help, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "sushid: %s\n", err);
		return rc;
	}
	if (help == 1) {
		sushid_usage(stdout);
		return SUSHID_EXIT_OK;
	}
	if (help == 2) {
		printf("sushid %s, protocol version %u\n", SUSHID_VERSION,
		       SUSHID_PROTO_VERSION);
		return SUSHID_EXIT_OK;
	}
	stop_fd = stop_signals();
	if (stop_fd < 0) {
		fprintf(stderr, "sushid: signalfd: %s\n", strerror(-stop_fd));
		return SUSHID_EXIT_INTERNAL;
	}
	err[0] = '\0';
	rc = sushi_supernet_open(o.supernet, &sn, err, sizeof(err));
	if (rc) {
		if (err[0])	/* it names the file */
			fprintf(stderr, "sushid: %s\n", err);
		else
			fprintf(stderr, "sushid: %s: %s\n", o.supernet,
				sushi_strerror_in(SUSHI_CALL_FILE, rc));
		close(stop_fd);
		return SUSHID_EXIT_INPUT;
	}
	rc = open_devices(&o, devs, &n);
	if (!rc)
		rc = serve(&o, devs, n, sn, stop_fd);
	for (uint32_t i = 0; i < n; i++)
		sushi_device_close(devs[i]);
	sushi_supernet_close(sn);
	close(stop_fd);
	return rc;
}
