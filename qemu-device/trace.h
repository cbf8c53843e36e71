/* trace.h - QEMU tracing glue: the generated header for qemu-device/trace-events */
#include "trace/trace-hw_sushi_qemu_device.h"
