#!/usr/bin/python3
"""host-agent.py - the host side of the guest tests that need the hypervisor:
follows the guest's console log and, for every line

    SUSHI-HOST: <HMP command>

that the guest prints (for example "device_del sushi0" to hot-unplug the
sushi-accel device, "device_add @device" to plug a new one in), sends the
command to QEMU's QMP monitor on a Unix socket (as human-monitor-command)
and appends its answer to the agent's own log.  "@device" stands for the
-device option the guest was booted with (DEVICE_SPEC), so a re-plugged
device has the same properties; a device_add first waits until QEMU has
removed the previous device of that id (the guest ejects it a little after
its driver lets go).
It exits when QEMU does.

Usage: host-agent.py CONSOLE_LOG MONITOR_SOCKET QEMU_PID AGENT_LOG DEVICE_SPEC
Started and stopped by run-guest.sh (SUSHI_GUEST_HOTPLUG=1).
"""
import json
import os
import socket
import sys
import time

MARK = "SUSHI-HOST: "


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def recv_json(s, f):
    """The next QMP message that is not an event."""
    while True:
        line = f.readline()
        if not line:
            raise OSError("monitor closed")
        msg = json.loads(line)
        if "event" not in msg:
            return msg


def qmp(path, execute, arguments):
    """One QMP command on a fresh connection: its reply, or None."""
    for _ in range(50):
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            break
        except OSError:
            time.sleep(0.1)
    else:
        return None
    s.settimeout(10)
    f = s.makefile("r")
    try:
        recv_json(s, f)                                 # the greeting
        s.sendall(b'{"execute": "qmp_capabilities"}\n')
        recv_json(s, f)
        s.sendall(json.dumps({"execute": execute,
                              "arguments": arguments}).encode() + b"\n")
        return recv_json(s, f)
    except (OSError, ValueError):
        return None
    finally:
        f.close()
        s.close()


def wait_unplugged(path, cmd, out, timeout=60):
    """Before "device_add ...,id=X": wait until the previous device X is
    gone from QEMU.  The guest sees its driver unbound before it ejects
    the slot (ACPI _EJ0), and QEMU removes the device only then."""
    ids = [o[3:] for o in cmd.split(None, 1)[-1].split(",")
           if o.startswith("id=")]
    if not cmd.startswith("device_add") or not ids:
        return
    end = time.time() + timeout
    while time.time() < end:
        reply = qmp(path, "qom-list", {"path": "/machine/peripheral"})
        names = [p.get("name") for p in (reply or {}).get("return", [])]
        if reply is not None and ids[0] not in names:
            return
        time.sleep(0.1)
    out.write("agent: %s still present after %d s\n" % (ids[0], timeout))


def hmp(path, cmd, out):
    """Run one HMP command through QMP; its output goes to @out."""
    wait_unplugged(path, cmd, out)
    reply = qmp(path, "human-monitor-command", {"command-line": cmd})
    if reply is None:
        out.write("agent: %s: no answer from %s\n" % (cmd, path))
    else:
        text = reply.get("return", reply.get("error", reply))
        out.write("agent: %s -> %s\n" % (cmd, str(text).strip() or "ok"))
    out.flush()


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    console, sock, agent_log, spec = sys.argv[1], sys.argv[2], sys.argv[4], sys.argv[5]
    pid = int(sys.argv[3])
    pos, pending = 0, ""
    with open(agent_log, "a") as out:
        while True:
            running = alive(pid)
            try:
                with open(console, "rb") as f:
                    f.seek(pos)
                    data = f.read()
                    pos += len(data)
            except OSError:
                data = b""
            pending += data.decode(errors="replace")
            lines = pending.split("\n")
            pending = lines.pop()
            for line in lines:
                line = line.rstrip("\r")
                i = line.find(MARK)
                if i >= 0:
                    cmd = line[i + len(MARK):].strip()
                    hmp(sock, cmd.replace("@device", spec), out)
            if not running:
                return
            time.sleep(0.05)


if __name__ == "__main__":
    main()
