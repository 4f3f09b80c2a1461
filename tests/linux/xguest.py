"""Shared pieces of xenner's Linux guest tests: the guest kit, one running
guest with its console on a pipe, checks and the kernel-log allowlist.
Used by tests/linux/run-linux and the device, monitor and libvirt suites."""

import atexit
import ctypes
import os
import pathlib
import re
import select
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import overlay  # noqa: E402

SKIP = 77
BOOT_TIMEOUT = 240
CLONE_NEWNET = 0x40000000


def no_accelerator():
    """None if xenner can run a guest here, on KVM (a usable /dev/kvm) or on
    QEMU's software CPU (qemu-system-x86_64, or $XENNER_QEMU); else why not."""
    if os.access("/dev/kvm", os.R_OK | os.W_OK) and os.environ.get("XENNER_ACCEL") != "tcg":
        return None
    import shutil
    if shutil.which(os.environ.get("XENNER_QEMU") or "qemu-system-x86_64"):
        return None
    return "no accelerator: /dev/kvm is not usable and qemu-system-x86_64 is not installed"


def on_kvm():
    """Whether the tests' xenner runs its guests on KVM: as $XENNER_ACCEL says
    (scripts/test's passes), else where /dev/kvm is usable."""
    accel = os.environ.get("XENNER_ACCEL")
    return accel == "kvm" if accel else os.access("/dev/kvm", os.R_OK | os.W_OK)


def kit_dir(flavour):
    base = os.environ.get("XENNER_CACHE") or str(HERE.parent.parent / "cache")
    d = pathlib.Path(base) / "linux" / flavour
    if not (d / "vmlinuz").is_file() or not (d / "initrd.img").is_file():
        print(f"xguest: SKIP: no guest kit in {d}: run scripts/guest-kit {flavour}")
        sys.exit(SKIP)
    return d


class Guest:
    """One xenner process with the guest console on a pipe; lines are
    timestamped with the host's monotonic clock as they arrive."""

    def __init__(self, xenner, kit, script, extra_args=(), append="", stdin_pipe=False,
                 files=None, pass_fds=(), boot=None):
        """boot: the options that say what to boot, instead of the kit's
        kernel and an initrd with script and files added (then unused)."""
        self.tmp = tempfile.TemporaryDirectory(prefix="xenner-linux-")
        if boot is None:
            initrd = pathlib.Path(self.tmp.name) / "initrd.img"
            files = dict(files or {})
            if script is not None:
                files["/test.sh"] = script
            overlay.write(kit / "initrd.img", initrd, files)
            boot = ["-kernel", str(kit / "vmlinuz"), "-initrd", str(initrd),
                    "-append", ("console=hvc0 " + append).strip()]
        self.cmd = [xenner, "-m", "512", *boot, "-nographic", *extra_args]
        print("xguest:", " ".join(self.cmd), flush=True)
        self.p = subprocess.Popen(self.cmd, stdin=subprocess.PIPE if stdin_pipe else subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  pass_fds=pass_fds)
        self.lines = []   # (host time, text)
        self.buf = b""
        self.pos = 0      # lines before this one were searched by wait_for
        self.start = time.monotonic()

    def poll_lines(self, timeout):
        """Read what is there within timeout seconds; False at end of output."""
        r, _, _ = select.select([self.p.stdout], [], [], timeout)
        if not r:
            return True
        data = os.read(self.p.stdout.fileno(), 65536)
        if not data:
            return False
        now = time.monotonic()
        self.buf += data
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            text = line.decode(errors="replace").rstrip("\r")
            self.lines.append((now, text))
            print(text, flush=True)
        return True

    def wait_for(self, pattern, timeout=BOOT_TIMEOUT):
        """(host time, match) of the next line matching pattern, after the
        line the previous wait_for matched."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            while self.pos < len(self.lines):
                t, text = self.lines[self.pos]
                self.pos += 1
                m = rx.search(text)
                if m:
                    return t, m
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure(f"no line matching {pattern!r} within {timeout} s")
            if not self.poll_lines(min(left, 1.0)):
                raise Failure(f"xenner's output ended before a line matching {pattern!r}")

    def wait_prompt(self, text, timeout=BOOT_TIMEOUT):
        """Wait until the output not yet ended by a newline ends with text
        (a prompt such as "login: "); lines before it are kept as usual."""
        self.wait_partial(re.escape(text) + r"\Z", timeout)
        self.pos = len(self.lines)

    def wait_partial(self, pattern, timeout=BOOT_TIMEOUT):
        """Wait until the output not yet ended by a newline matches pattern
        (a full-screen program such as GRUB's menu redraws without newlines);
        the match."""
        deadline = time.monotonic() + timeout
        while True:
            m = re.search(pattern, self.buf.decode(errors="replace"))
            if m:
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure(f"no output matching {pattern!r} within {timeout} s")
            if not self.poll_lines(min(left, 1.0)):
                raise Failure(f"xenner's output ended before {pattern!r}")

    def send(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def finish(self, timeout=BOOT_TIMEOUT):
        """Read to the end; xenner's exit status."""
        deadline = time.monotonic() + timeout
        while self.poll_lines(max(0.0, min(1.0, deadline - time.monotonic()))):
            if time.monotonic() > deadline:
                self.p.kill()
                raise Failure(f"xenner still running after {timeout} s")
        rc = self.p.wait(timeout=30)
        print(f"xguest: xenner exited with status {rc} after "
              f"{time.monotonic() - self.start:.1f} s", flush=True)
        return rc

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()

    def cpu_seconds(self):
        """CPU time used so far by xenner and its running children (the
        software CPU's QEMU, qemu-nbd): what the guest costs the host."""
        total, todo = 0, [self.p.pid]
        while todo:
            pid = todo.pop()
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children") as f:
                        todo += [int(c) for c in f.read().split()]
            except FileNotFoundError:
                pass  # a child that just exited
        return total / os.sysconf("SC_CLK_TCK")


class Netns:
    """A network namespace this process enters, with tap xt0 at 10.0.0.1/24;
    deleted at the end whatever happened."""

    def __enter__(self):
        self.name = f"xnr-{os.getpid()}"
        self.old = os.open("/proc/self/ns/net", os.O_RDONLY)
        subprocess.run(["ip", "netns", "add", self.name], check=True)
        fd = os.open(f"/run/netns/{self.name}", os.O_RDONLY)
        try:
            if ctypes.CDLL(None, use_errno=True).setns(fd, CLONE_NEWNET):
                raise OSError(ctypes.get_errno(), "setns")
        finally:
            os.close(fd)
        for cmd in (["ip", "link", "set", "lo", "up"],
                    ["ip", "tuntap", "add", "dev", "xt0", "mode", "tap"],
                    ["ip", "addr", "add", "10.0.0.1/24", "dev", "xt0"],
                    ["ip", "-6", "addr", "add", "fd00::1/64", "dev", "xt0", "nodad"],
                    ["ip", "link", "set", "xt0", "up"]):
            subprocess.run(cmd, check=True)
        return self

    def __exit__(self, *exc):
        ctypes.CDLL(None, use_errno=True).setns(self.old, CLONE_NEWNET)
        os.close(self.old)
        subprocess.run(["ip", "netns", "del", self.name])
        return False


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)
    print(f"ok: {what}", flush=True)


def load_dmesg_allowlist():
    """(regex, reason) pairs from dmesg-expected: lines 'REGEX  # reason'."""
    out = []
    for line in (HERE / "dmesg-expected").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        rx, _, why = line.partition("  # ")
        if not why.strip():
            raise SystemExit(f"dmesg-expected: no reason given for {rx!r}")
        out.append((re.compile(rx.strip()), why.strip()))
    return out


def check_dmesg(g):
    """Every kernel line at warning level or worse must be expected."""
    allow = load_dmesg_allowlist()
    bad = []
    n = 0
    for _, text in g.lines:
        m = re.match(r"^dmesg: <(\d+)>(?:\[[ \d.]+\] )?(.*)$", text)
        if not m or int(m.group(1)) & 7 > 4:
            continue
        n += 1
        msg = m.group(2)
        if not any(rx.search(msg) for rx, _ in allow):
            bad.append(f"<{int(m.group(1)) & 7}> {msg}")
    for b in bad:
        print(f"xguest: unexpected kernel log line: {b}")
    check(not bad, f"no unexpected warning-or-worse kernel line ({n} seen, all expected)")
    lines = [t for _, t in g.lines]
    check(any(t.startswith("dmesg-end") for t in lines), "the kernel log was read in full")


def guest_program(name):
    """tests/linux/guest/NAME.c built as a static binary for the guest; removed
    when the test exits."""
    out = pathlib.Path(tempfile.gettempdir()) / f"xenner-{name}-{os.getpid()}"
    atexit.register(out.unlink, missing_ok=True)
    subprocess.run(["gcc", "-static", "-O2", "-o", str(out), str(HERE / "guest" / f"{name}.c")],
                   check=True)
    return out
