#!/bin/sh
# init.sh - /init of the SUSHI guest initramfs (built by mkinitramfs.sh).
# Loads the modules listed in /etc/sushi/modules in order, then in mode
# "test" runs every binary listed in /etc/sushi/tests (kselftest TAP on the
# console between SUSHI-TAP markers), in mode "info" runs /bin/sushi-info,
# in mode "cmd" runs the shell command line in /etc/sushi/command;
# unloads, reloads and unloads the driver, dumps the kernel log, prints the
# final marker "SUSHI-GUEST-RESULT: status=N" that run-guest.sh waits for,
# and powers off.
# On a kernel with kmemleak (the debug lane) it also clears kmemleak's boot
# objects before loading anything and, after the unload/reload/unload,
# scans and prints the report between SUSHI-KMEMLEAK-BEGIN/END; with lockdep
# it prints whether lock debugging is still on (debug_locks), with
# DMA_API_DEBUG how many DMA-API errors it saw.
export PATH=/bin
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

status=0
mode=$(cat /etc/sushi/mode)
echo "SUSHI-GUEST: kernel $(uname -r), mode $mode"

# kmemleak reports an object only once it is older than 5 s (MSECS_MIN_AGE)
# and its contents did not change since the previous scan: hence a wait
# before scanning and two scans.
kmemleak=/sys/kernel/debug/kmemleak
kmemleak_scan() {
	sleep 6
	echo scan >"$kmemleak" && echo scan >"$kmemleak"
}
if [ -e "$kmemleak" ]; then
	# Forget what boot left behind: "clear" only greys objects a scan
	# already reported, so scan first.
	if kmemleak_scan && echo clear >"$kmemleak"; then
		echo "SUSHI-GUEST: kmemleak: boot objects cleared"
	else
		echo "SUSHI-GUEST: kmemleak: scan/clear failed"
		status=1
	fi
fi

while read -r mod; do
	[ -n "$mod" ] || continue
	if ! insmod "/lib/modules/$mod.ko"; then
		echo "SUSHI-GUEST: insmod $mod failed"
		status=1
		break
	fi
done </etc/sushi/modules

if [ "$status" -eq 0 ]; then
	case "$mode" in
	test)
		for t in $(cat /etc/sushi/tests); do
			echo "SUSHI-TAP-BEGIN $t"
			"/tests/$t"
			rc=$?
			echo "SUSHI-TAP-END $t exit=$rc"
			[ "$rc" -eq 0 ] || status=1
		done
		;;
	info)
		for d in /sys/bus/pci/devices/*; do
			echo "SUSHI-GUEST: pci $(basename "$d")" \
				"$(cat "$d/vendor"):$(cat "$d/device")" \
				"driver=$(basename "$(readlink "$d/driver")" 2>/dev/null)"
		done
		ls -l /dev/accel 2>/dev/null
		if [ -x /bin/sushi-info ]; then
			/bin/sushi-info || status=1
		fi
		;;
	cmd)
		sh /etc/sushi/command
		rc=$?
		echo "SUSHI-GUEST: command exit=$rc"
		[ "$rc" -eq 0 ] || status=1
		;;
	esac
fi

# Where the module's code was: kmemleak's stacks of objects a module leaked
# show only raw addresses once it is unloaded.
module_text() {
	[ -e "$kmemleak" ] && [ -r "/sys/module/$1/sections/.text" ] &&
		echo "SUSHI-GUEST: $1 .text at $(cat "/sys/module/$1/sections/.text")"
}

# Unloading (and reloading) the driver is part of every run: it must leave
# nothing behind and bind the device again.
if [ -s /etc/sushi/unload ] && [ "$status" -eq 0 ]; then
	for mod in $(cat /etc/sushi/unload); do
		if module_text "$mod"; ! rmmod "$mod"; then
			echo "SUSHI-GUEST: rmmod $mod failed"
			status=1
		elif [ -e /dev/accel/accel0 ]; then
			echo "SUSHI-GUEST: /dev/accel/accel0 left after rmmod $mod"
			status=1
		elif ! insmod "/lib/modules/$mod.ko"; then
			echo "SUSHI-GUEST: reloading $mod failed"
			status=1
		elif [ ! -e /dev/accel/accel0 ]; then
			echo "SUSHI-GUEST: no /dev/accel/accel0 after reloading $mod"
			status=1
		elif module_text "$mod"; ! rmmod "$mod"; then
			echo "SUSHI-GUEST: rmmod $mod after reload failed"
			status=1
		else
			echo "SUSHI-GUEST: $mod unloaded, reloaded, unloaded"
		fi
	done
fi

if [ -e "$kmemleak" ]; then
	if kmemleak_scan; then
		echo "SUSHI-KMEMLEAK-BEGIN"
		cat "$kmemleak"
		echo "SUSHI-KMEMLEAK-END"
	else
		echo "SUSHI-GUEST: kmemleak: scan failed"
		status=1
	fi
fi
if [ -r /proc/lockdep_stats ]; then
	echo "SUSHI-GUEST: lockdep debug_locks=$(sed -n 's/^ *debug_locks: *//p' /proc/lockdep_stats)"
fi
# DMA_API_DEBUG prints only its first error (a WARNING); this counts them all
if [ -r /sys/kernel/debug/dma-api/error_count ]; then
	echo "SUSHI-GUEST: dma-api error_count=$(cat /sys/kernel/debug/dma-api/error_count)"
fi

echo "SUSHI-DMESG-BEGIN"
dmesg
echo "SUSHI-DMESG-END"
echo "SUSHI-GUEST-RESULT: status=$status"
sync
poweroff -f
