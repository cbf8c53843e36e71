#!/usr/bin/env bash
# run-guest.sh - boot the cached Debian 6.12 kernel with an initramfs from
# mkinitramfs.sh under QEMU (TCG, q35) with the sushi-accel device attached,
# capture the serial console, print the guest's TAP (or info output) and a
# summary line, and judge the run.
#
# Usage: run-guest.sh INITRAMFS
# Environment:
#   SUSHI_KENV           kernel env file (default $SUSHI_CACHE/kernel/current.env,
#                        Debian's kernel); the debug kernel's
#                        ($SUSHI_CACHE/kernel-debug/current.env) sets
#                        SUSHI_KLANE=debug, which changes the defaults below
#                        (memory 2G, timeout 1800 s, kasan_multi_shot,
#                        loglevel=5) and requires a kmemleak report
#   SUSHI_QEMU           QEMU binary (default $SUSHI_CACHE/qemu-build/qemu-system-x86_64)
#   SUSHI_QEMU_DEVICE    -device argument; empty for none (default sushi-accel)
#   SUSHI_GUEST_NDEV     how many such devices (default 1; not with hotplug)
#   SUSHI_QEMU_ARGS      extra QEMU arguments (word-split)
#   SUSHI_GUEST_TIMEOUT  seconds before the guest is killed (default 600)
#   SUSHI_GUEST_MEM      guest memory (default 1G); SUSHI_GUEST_SMP (default 2)
#   SUSHI_GUEST_APPEND   extra kernel command line
#   SUSHI_GUEST_LOG      console log file (default $BUILD/guest/console.log)
#   SUSHI_GUEST_VERBOSE  1: echo the whole console while it runs
#   SUSHI_GUEST_QUIET    1: print only failing tests and the summary
#   SUSHI_GUEST_EXPECT   extended regex the console must contain (e.g. the
#                        driver's "INTx" line when testing the fallback)
#   SUSHI_GUEST_HOTPLUG  1: the device sits behind a hotplug-capable PCIe root
#                        port (id sushi-rp; the device's id is sushi0), QEMU's
#                        QMP monitor listens on a Unix socket, and
#                        host-agent.py runs every "SUSHI-HOST: <command>" line
#                        the guest prints on it (device_del sushi0, device_add
#                        @device: the same -device again); the kernel command
#                        line gets sushi_hotplug=1
#   SUSHI_GUEST_FAULT_INJECTION 1: the guest injects faults (fail-nth):
#                        kmemleak's "Cannot allocate a scan area" is expected
#   SUSHI_GUEST_KMEMLEAK 1: the run must print a kmemleak report (init.sh
#                        does on a kernel with kmemleak); default 1 on the
#                        debug lane, else 0
# Exit status: 0 only if the final marker says status=0, every TAP result is
# ok (or a skip), the guest log has no oops/BUG/WARN/lockdep/RCU/atomic-sleep/
# ODEBUG/list-corruption/refcount/UBSAN/KASAN/kmemleak/hung-task report, the
# kmemleak report (if any) is empty, lock debugging is still on and
# DMA-API debugging counted no error.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${SUSHI_CACHE:-$HOME/.cache/sushi}
build=${BUILD:-$top/build}

die() { echo "run-guest: error: $*" >&2; exit 2; }

[ $# -eq 1 ] || die "usage: $0 INITRAMFS"
initrd=$1
[ -s "$initrd" ] || die "no initramfs $initrd"
kenv=${SUSHI_KENV:-$cache/kernel/current.env}
[ -f "$kenv" ] || die "no $kenv (run tools/guest/fetch-kernel.sh first)"
unset SUSHI_KLANE
# shellcheck source=/dev/null
. "$kenv"
[ -s "$SUSHI_KIMAGE" ] || die "no kernel image $SUSHI_KIMAGE"

"$top/tools/setup/apt-deps.sh" seabios qemu-system-data

qemu=${SUSHI_QEMU:-$cache/qemu-build/qemu-system-x86_64}
[ -x "$qemu" ] || die "no QEMU at $qemu (build it: qemu-device/build-qemu.sh, or set SUSHI_QEMU)"
device=${SUSHI_QEMU_DEVICE-sushi-accel}
log=${SUSHI_GUEST_LOG:-$build/guest/console.log}
mkdir -p "$(dirname "$log")"

# iomem=relaxed: the kselftests cross-check the driver's answers against BAR0
# read through sysfs, which CONFIG_IO_STRICT_DEVMEM forbids by default.
cmdline="console=ttyS0 loglevel=4 panic=-1 iomem=relaxed"
timeout=${SUSHI_GUEST_TIMEOUT:-600}
mem=${SUSHI_GUEST_MEM:-1G}
need_kmemleak=${SUSHI_GUEST_KMEMLEAK:-0}
if [ "${SUSHI_KLANE:-}" = debug ]; then
	# KASAN's shadow (1/8 of memory), its quarantine and kmemleak's
	# metadata need room; every check makes the guest slower; every KASAN
	# report is printed (not only the first); KERN_WARNING reaches the
	# console (lockdep, RCU and WARN reports), so they show even if the
	# guest never gets to its dmesg dump.
	cmdline="console=ttyS0 loglevel=5 panic=-1 iomem=relaxed kasan_multi_shot"
	timeout=${SUSHI_GUEST_TIMEOUT:-1800}
	mem=${SUSHI_GUEST_MEM:-2G}
	need_kmemleak=${SUSHI_GUEST_KMEMLEAK:-1}
fi
hotplug=${SUSHI_GUEST_HOTPLUG:-0}
[ "$hotplug" = 1 ] && cmdline="$cmdline sushi_hotplug=1"
args=(-accel tcg -M q35 -nodefaults -no-reboot -display none -serial stdio
	-m "$mem" -smp "${SUSHI_GUEST_SMP:-2}"
	-L /usr/share/qemu -L /usr/share/seabios
	-kernel "$SUSHI_KIMAGE" -initrd "$initrd"
	-append "$cmdline ${SUSHI_GUEST_APPEND:-}"
	-nic none)
if [ "$hotplug" = 1 ]; then
	[ -n "$device" ] || die "SUSHI_GUEST_HOTPLUG needs a device"
	monitor=$(mktemp -u "${TMPDIR:-/tmp}/sushi-monitor.XXXXXX")
	args+=(-device pcie-root-port,id=sushi-rp,chassis=1,slot=1
		-qmp "unix:$monitor,server=on,wait=off")
	device="$device,id=sushi0,bus=sushi-rp"
fi
ndev=${SUSHI_GUEST_NDEV:-1}
[[ "$ndev" =~ ^[1-9][0-9]?$ ]] || die "SUSHI_GUEST_NDEV=$ndev is not 1..99"
[ "$hotplug" = 1 ] && [ "$ndev" != 1 ] && die "SUSHI_GUEST_HOTPLUG takes one device"
if [ -n "$device" ]; then
	for ((i = 0; i < ndev; i++)); do
		args+=(-device "$device")
	done
fi
# shellcheck disable=SC2206
[ -z "${SUSHI_QEMU_ARGS:-}" ] || args+=(${SUSHI_QEMU_ARGS})

start=$(date +%s.%N)
set +e
: >"$log"
if [ "$hotplug" = 1 ]; then
	# the agent follows the console log while QEMU runs
	: >"$log.agent"
	timeout -k 10 "$timeout" "$qemu" "${args[@]}" </dev/null >"$log" 2>&1 &
	qpid=$!
	/usr/bin/python3 "$here/host-agent.py" "$log" "$monitor" "$qpid" \
		"$log.agent" "$device" &
	apid=$!
	wait "$qpid"
	qrc=$?
	wait "$apid"
	rm -f "$monitor"
	[ "${SUSHI_GUEST_VERBOSE:-0}" = 1 ] && cat "$log"
elif [ "${SUSHI_GUEST_VERBOSE:-0}" = 1 ]; then
	timeout -k 10 "$timeout" "$qemu" "${args[@]}" </dev/null 2>&1 | tee "$log"
	qrc=${PIPESTATUS[0]}
else
	timeout -k 10 "$timeout" "$qemu" "${args[@]}" </dev/null >"$log" 2>&1
	qrc=$?
fi
set -e
end=$(date +%s.%N)
secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
# The console uses CRLF line ends.
sed -i 's/\r$//' "$log"

# Everything userspace printed (TAP, info), without kernel console lines;
# only the failures with SUSHI_GUEST_QUIET=1.
awk -v quiet="${SUSHI_GUEST_QUIET:-0}" '
	/^SUSHI-GUEST: kernel / { u = 1 } /^SUSHI-DMESG-BEGIN$/ { u = 0 }
	u && !/^\[ *[0-9]+\.[0-9]+\]/ && (quiet != 1 || /^not ok /) { print }' "$log"

fail=0
reasons=()
pass=$(grep -cE '^ok [0-9]+ ' "$log" || true)
skip=$(grep -cE '^ok [0-9]+ .*# SKIP' "$log" || true)
nfail=$(grep -cE '^not ok [0-9]+ ' "$log" || true)
pass=$((pass - skip))
if [ "$nfail" -gt 0 ]; then
	fail=1
	reasons+=("$nfail failed test(s)")
fi
result=$(sed -n 's/^SUSHI-GUEST-RESULT: status=\([0-9]*\)$/\1/p' "$log" | tail -n1)
if [ -z "$result" ]; then
	fail=1
	if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
		reasons+=("guest timed out after ${timeout}s")
	else
		reasons+=("no final marker (QEMU exit $qrc)")
	fi
elif [ "$result" -ne 0 ]; then
	fail=1
	reasons+=("guest status $result")
fi
if [ -n "${SUSHI_GUEST_EXPECT:-}" ] && ! grep -qE "$SUSHI_GUEST_EXPECT" "$log"; then
	fail=1
	reasons+=("console lacks /$SUSHI_GUEST_EXPECT/")
fi
# Under fault injection (SUSHI_GUEST_FAULT_INJECTION=1: the fail-nth walk)
# kmemleak's own scan-area allocations fail too; it then scans the whole
# object and says so, which is not a loss of coverage.  Its object
# allocations (and disabling itself) still fail the run.
kmemleak_fi=
[ "${SUSHI_GUEST_FAULT_INJECTION:-0}" = 1 ] && kmemleak_fi=' a kmemleak_object'
# Kernel reports, by kind (extended regexes, as 6.12 prints them: see
# Documentation/driver/guest-harness.rst).  Any of them anywhere in the
# console, the dmesg dump included, fails the run.
splat_kinds=(
	'KASAN|BUG: KASAN: |KASAN: [a-z-]+ in range'
	'UBSAN|UBSAN: '
	'lockdep|WARNING: (possible circular locking|possible recursive locking|inconsistent lock state|possible irq lock inversion|.*-safe -> .*-unsafe lock order|bad unlock balance|held lock freed|lock held when returning to user space|.* still has locks held|Nested lock was not taken|bad contention|chain_key collision)|BUG: Invalid wait context|BUG: MAX_[A-Z_]+ too low|BUG: key .* has not been registered|BUG: looking up invalid subclass'
	'RCU|WARNING: suspicious RCU usage|detected stalls? on CPU|self-detected stall on CPU'
	'atomic-sleep|BUG: sleeping function called from invalid context|BUG: scheduling while atomic'
	'ODEBUG|ODEBUG: '
	'list-corruption|list_(add|del) corruption'
	"kmemleak|unreferenced object 0x|new suspected memory leaks|kmemleak: (Kernel memory leak detector disabled|Cannot allocate${kmemleak_fi})"
	'refcount|refcount_t: '
	'hung-task|blocked for more than [0-9]+ seconds'
	'Oops|Oops|general protection fault|Kernel panic'
	'BUG|BUG: |kernel BUG at'
	'WARNING|WARNING: '
)
splat='WARNING:|BUG:|Oops|Kernel panic|general protection fault|refcount_t:|possible circular locking|possible recursive locking|UBSAN|KASAN|blocked for more than|kernel BUG'
kinds=()
for k in "${splat_kinds[@]}"; do
	splat+="|${k#*|}"
	grep -qE "${k#*|}" "$log" && kinds+=("${k%%|*}")
done
if grep -qE "$splat" "$log"; then
	fail=1
	reasons+=("kernel splat in the guest log (${kinds[*]:-other})")
	echo "run-guest: kernel log reports (${kinds[*]:-other}), first lines of each kind:" >&2
	for k in "${splat_kinds[@]}"; do
		grep -nE -m1 "${k#*|}" "$log" || true
	done | sort -t: -k1,1n -u >&2
	echo "run-guest: the first report:" >&2
	grep -nE -m1 -B2 -A40 "$splat" "$log" >&2
fi

# The kmemleak report init.sh prints after the driver's unload/reload/unload
# (kernel console lines that interleave are not part of it).
if grep -q '^SUSHI-KMEMLEAK-BEGIN$' "$log"; then
	leaks=$(awk '/^SUSHI-KMEMLEAK-BEGIN$/ { u = 1; next }
		/^SUSHI-KMEMLEAK-END$/ { u = 0 }
		u && !/^\[ *[0-9]+\.[0-9]+\]/' "$log")
	if [ -n "$leaks" ]; then
		fail=1
		reasons+=("kmemleak: $(grep -c '^unreferenced object' <<<"$leaks") unreferenced object(s)")
		echo "run-guest: kmemleak report:" >&2
		head -n 60 <<<"$leaks" >&2
	else
		echo "run-guest: kmemleak: no leaks"
	fi
elif [ "$need_kmemleak" = 1 ] && [ -n "$result" ]; then
	fail=1
	reasons+=("no kmemleak report")
fi
dma_errors=$(sed -n 's/^SUSHI-GUEST: dma-api error_count=\([0-9]*\)$/\1/p' "$log" | tail -n1)
if [ -n "$dma_errors" ] && [ "$dma_errors" -gt 0 ]; then
	fail=1
	reasons+=("DMA-API debugging counted $dma_errors error(s) (it prints only the first)")
fi
if grep -q '^SUSHI-GUEST: lockdep debug_locks=0$' "$log"; then
	fail=1
	reasons+=("lock debugging turned itself off (lockdep report, or a report that tainted the kernel)")
fi

echo "run-guest: boot to result ${secs}s, console log $log"
if [ "$fail" -ne 0 ]; then
	echo "run-guest: FAILED: ${reasons[*]}" >&2
	if [ -z "$result" ]; then
		echo "run-guest: last console lines:" >&2
		tail -n 40 "$log" >&2
	fi
fi
# The summary line counts kselftest results; an info boot has none.
if grep -q '^SUSHI-TAP-BEGIN ' "$log" || [ "$nfail" -gt 0 ] || [ "$pass" -gt 0 ]; then
	echo "guest: $pass passed, $nfail failed, $skip skipped"
fi
exit "$fail"
