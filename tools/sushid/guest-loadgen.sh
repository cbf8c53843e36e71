#!/bin/sh
# tools/sushid/guest-loadgen.sh - the last part of `make run`, in the guest
# (driver/driver.mk guest-loadgen): sushid on every SushiAccel device,
# `sushictl loadgen ARGS...` against it (its table), then a graceful stop
# (SIGTERM: every accepted query answered, exit 0).  Fails if either fails.
sock=/tmp/sushid.sock
/bin/sushid --socket "$sock" --supernet /data/fmnist-supernet.safetensors &
pid=$!
i=0
while [ ! -S "$sock" ]; do
	if [ "$i" -ge 600 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "guest-loadgen: sushid did not start"
		exit 1
	fi
	sleep 0.2
	i=$((i + 1))
done
/bin/sushictl loadgen --socket "$sock" --images /data/fmnist-test-1000-images.idx \
	--labels /data/fmnist-test-1000-labels.idx "$@"
rc=$?
kill -TERM "$pid"
wait "$pid"
src=$?
echo "sushid: exit status $src after SIGTERM"
[ "$rc" -eq 0 ] && [ "$src" -eq 0 ]
