"""A libvirtd of the test's own, from Debian's packages, that leaves the host alone.

libvirtd running as root keeps its configuration, sockets and state in fixed
system paths, and its qemu driver will not load unless the user
`libvirt-qemu` exists, even when qemu.conf says to run emulators as root. So
the test runs in a private mount namespace (enter() re-executes the test
under `unshare -m`) where private directories are bind-mounted over
/etc/libvirt, /var/lib/libvirt, /var/cache/libvirt and /var/log/libvirt, a
tmpfs over /run (libvirt's sockets and pid files, and xenner's runtime
directory /run/xenner), and copies of /etc/passwd and /etc/group that know
libvirt-qemu. A libvirtd already running on the host is neither seen nor
disturbed, and nothing the test's libvirtd writes outlives the namespace
except the private directory, which the test removes. The only trace on the
host: the mount points, libvirt's standard directories, are created empty if
they do not exist yet.
"""

import ctypes
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time

MARK = "XENNER_LIBVIRT_NS"
MOUNTED = ["/etc/libvirt", "/var/lib/libvirt", "/var/cache/libvirt", "/var/log/libvirt"]

QEMU_CONF = """# The libvirt suite's qemu driver: emulators run as root, unconfined, with
# their output in /var/log/libvirt/qemu/NAME.log (no virtlogd).
user = "root"
group = "root"
security_driver = "none"
namespaces = []
cgroup_controllers = []
stdio_handler = "file"
"""

LIBVIRTD_CONF = """log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
"""


class Skip(Exception):
    pass


def missing_tools():
    return [t for t in ("libvirtd", "virsh", "unshare") if not shutil.which(t)]


def enter():
    """Re-run this program in a private mount namespace (once); returns in the
    namespace with its private directories mounted and the host's untouched."""
    if os.environ.get(MARK):
        return
    if os.geteuid() != 0:
        raise Skip("libvirt suite needs root (a system libvirtd and /dev/kvm)")
    miss = missing_tools()
    if miss:
        raise Skip(f"not installed: {', '.join(miss)} (scripts/install-deps installs them)")
    # Mount points for the private directories; libvirtd would create these
    # itself on its first run.
    for d in MOUNTED:
        os.makedirs(d, exist_ok=True)
    env = dict(os.environ, **{MARK: "1"})
    sys.stdout.flush()
    os.execvpe("unshare", ["unshare", "--mount", "--propagation", "private", "--",
                           sys.executable, *sys.argv], env)


def _mount(*args):
    subprocess.run(["mount", *args], check=True)


def _die_with_parent():
    # libvirtd goes when the test goes, however the test ends.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG


class Libvirtd:
    """The namespace's private directories and its libvirtd; use as a context
    manager: libvirtd is stopped and the directories removed however the
    block ends."""

    def __init__(self, emulator=None):
        """emulator: a program libvirtd finds as qemu-system-x86_64 on its
        PATH, the emulator of its capabilities (virsh capabilities);
        default: Debian's QEMU."""
        assert os.environ.get(MARK), "privlibvirt.enter() first"
        self.top = pathlib.Path(tempfile.mkdtemp(prefix="xenner-libvirt-"))
        self.emulator = emulator
        self.p = None

    def __enter__(self):
        try:
            self._setup()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    def _setup(self):
        _mount("-t", "tmpfs", "-o", "mode=0755", "tmpfs", "/run")
        # /var/lock is /run/lock: libvirtd locks a console's pty there.
        os.mkdir("/run/lock", 0o1777)
        os.chmod("/run/lock", 0o1777)
        for d in MOUNTED:
            mine = self.top / d.strip("/").replace("/", "-")
            mine.mkdir()
            _mount("--bind", str(mine), d)
        etc = pathlib.Path("/etc/libvirt")
        (etc / "qemu.conf").write_text(QEMU_CONF)
        (etc / "libvirtd.conf").write_text(LIBVIRTD_CONF)
        for name, line in (("passwd", "libvirt-qemu:x:64055:64055::/var/lib/libvirt:/usr/sbin/nologin\n"),
                           ("group", "libvirt-qemu:x:64055:\n")):
            text = pathlib.Path("/etc", name).read_text()
            copy = self.top / name
            if not any(l.startswith("libvirt-qemu:") for l in text.splitlines()):
                text += line
            copy.write_text(text)
            _mount("--bind", str(copy), f"/etc/{name}")
        self.log = open(self.top / "libvirtd.out", "wb")
        env = dict(os.environ)
        if self.emulator:
            bindir = self.top / "bin"
            bindir.mkdir()
            (bindir / "qemu-system-x86_64").symlink_to(self.emulator)
            env["PATH"] = f"{bindir}:{env.get('PATH', '/usr/sbin:/usr/bin:/sbin:/bin')}"
        self.p = subprocess.Popen(["libvirtd", "-f", "/etc/libvirt/libvirtd.conf"], env=env,
                                  stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
                                  preexec_fn=_die_with_parent)
        sock = pathlib.Path("/run/libvirt/libvirt-sock")
        deadline = time.monotonic() + 60
        while True:
            if self.p.poll() is not None:
                raise RuntimeError(f"libvirtd exited with status {self.p.returncode}: "
                                   + self.output())
            if sock.exists() and self.virsh("uri", check=False).returncode == 0:
                break
            if time.monotonic() > deadline:
                raise RuntimeError("libvirtd did not answer within 60 s: " + self.output())
            time.sleep(0.2)
        print(f"libvirt: private libvirtd {self.p.pid} is up", flush=True)

    def output(self):
        try:
            return (self.top / "libvirtd.out").read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def dump_logs(self):
        """Prints the tails of libvirtd's and the domains' logs (on failure)."""
        if self.p and self.p.poll() is not None:
            rc = self.p.returncode
            how = f"killed by signal {-rc}" if rc < 0 else f"exited with status {rc}"
            print(f"libvirt: libvirtd {how} during the test")
        logs = [self.top / "libvirtd.out", pathlib.Path("/var/log/libvirt/libvirtd.log")]
        logs += sorted(pathlib.Path("/var/log/libvirt/qemu").glob("*.log"))
        for f in logs:
            try:
                lines = f.read_text(errors="replace").splitlines()[-40:]
            except OSError:
                continue
            print(f"libvirt: --- {f} (last {len(lines)} lines)")
            for line in lines:
                print("    " + line)
        sys.stdout.flush()

    def virsh(self, *args, check=True, timeout=120):
        """Runs virsh on the private libvirtd; CompletedProcess with text output."""
        cmd = ["virsh", "-c", "qemu:///system", *args]
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=timeout)
        if check and r.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}): "
                               f"{r.stderr.strip() or r.stdout.strip()}")
        return r

    def _stop_domains(self):
        # Domains outlive libvirtd by design; a failed test must not leave
        # its emulators running in the abandoned namespace.
        if self.p and self.p.poll() is None:
            r = self.virsh("list", "--name", check=False, timeout=60)
            for name in r.stdout.split():
                self.virsh("destroy", name, check=False, timeout=60)
        for pidfile in pathlib.Path("/run/libvirt/qemu").glob("*.pid"):
            try:
                pid = int(pidfile.read_text().strip())
                # Only the domain's own emulator, never a reused pid.
                argv = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                if f"guest={pidfile.stem}".encode() not in b",".join(argv):
                    continue
                print(f"libvirt: killing emulator {pid} left by the test ({pidfile.name})")
                os.kill(pid, signal.SIGKILL)
            except (ValueError, OSError):
                pass

    def close(self):
        try:
            self._stop_domains()
        except (OSError, subprocess.SubprocessError) as e:
            print(f"libvirt: stopping the test's domains: {e}")
        if self.p and self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.p = None
        for d in ["/etc/passwd", "/etc/group", *MOUNTED, "/run"]:
            subprocess.run(["umount", "-l", d], stderr=subprocess.DEVNULL)
        shutil.rmtree(self.top, ignore_errors=True)
