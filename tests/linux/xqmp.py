"""A QMP client for the tests: replies to commands, events collected on the way.
Used by tests/monitor/run-monitor and tests/display/run-display."""

import json
import select
import socket
import time

from xguest import Failure, check

EVENT_WAIT = 120


class Qmp:
    """A QMP client: replies to commands, events collected on the way."""

    def __init__(self, path, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(str(path))
                break
            except OSError:
                self.s.close()
                if time.monotonic() > deadline:
                    raise Failure(f"no QMP socket at {path} within {timeout} s")
                time.sleep(0.1)
        self.buf = b""
        self.events = []
        self.greeting = self.read(30)

    def read(self, timeout):
        deadline = time.monotonic() + timeout
        while b"\r\n" not in self.buf:
            left = deadline - time.monotonic()
            r, _, _ = select.select([self.s], [], [], max(0, left))
            if not r:
                raise Failure(f"no QMP message within {timeout} s")
            d = self.s.recv(65536)
            if not d:
                raise Failure("QMP connection closed")
            self.buf += d
        line, self.buf = self.buf.split(b"\r\n", 1)
        return json.loads(line)

    def cmd(self, name, timeout=60, fds=(), **args):
        """Runs command name with args; fds go with it (SCM_RIGHTS), as
        libvirt passes getfd's descriptor."""
        msg = {"execute": name, "id": f"id-{name}"}
        if args:
            msg["arguments"] = args
        data = json.dumps(msg).encode() + b"\r\n"
        if fds:
            sent = socket.send_fds(self.s, [data], list(fds))
            data = data[sent:]
        self.s.sendall(data)
        while True:
            m = self.read(timeout)
            if "event" in m:
                self.events.append(m)
                continue
            if m.get("id") != f"id-{name}":
                raise Failure(f"{name}: reply without our id: {m}")
            return m

    def ok(self, name, fds=(), **args):
        r = self.cmd(name, fds=fds, **args)
        if "return" not in r:
            raise Failure(f"{name}: {r}")
        return r["return"]

    def event(self, name, timeout=EVENT_WAIT):
        deadline = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e["event"] == name:
                    return self.events.pop(i)
            m = self.read(max(0.1, deadline - time.monotonic()))
            if "event" in m:
                check("timestamp" in m, f"event {m['event']} has a timestamp")
                self.events.append(m)
