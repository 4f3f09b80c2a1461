#!/usr/bin/env python3
"""Add files to a guest kit initramfs without rebuilding it.

Linux unpacks every cpio archive it finds back to back in the initrd, each
either compressed or not, so a test adds its files (a /test.sh for the kit's
/init to run, extra binaries such as /bin/xbench) by appending a small
uncompressed newc archive to the base initrd (scripts/guest-kit's
cache/linux/FLAVOUR/initrd.img, gzip-compressed). Files in the overlay
replace files of the same name in the base.

The kernel only looks for an uncompressed archive's "070701" magic at offsets
that are a multiple of 4 from the start of the initrd, and skips zero bytes
between archives, so the base is padded with zeros to a multiple of 4 first.

CLI:
    overlay.py BASE_INITRD OUT --file /test.sh=LOCALPATH [--file /bin/x=LOCALPATH ...]
               [--text /PATH=CONTENT ...]

A --file keeps the local file's permission bits; --text files are 0755.
Parent directories are added as 0755 directories.

Module:
    import overlay
    overlay.write(base, out, {"/test.sh": "echo hi\\n", "/bin/xbench": pathlib.Path(p)})
    data = overlay.newc({"/test.sh": b"..."})       # just the archive
"""

import argparse
import os
import pathlib
import stat
import sys

__all__ = ["newc", "write"]

_MAGIC = b"070701"


def _pad4(n):
    return (4 - n % 4) % 4


def _entry(ino, name, mode, data=b"", mtime=0, nlink=1):
    """One newc header + name + data, each padded to 4 bytes (relative to
    the start of the archive, which must itself be 4-byte aligned)."""
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, nlink, mtime, len(data), 0, 0, 0, 0, len(name_b), 0]
    hdr = _MAGIC + b"".join(b"%08X" % f for f in fields)
    out = hdr + name_b + b"\0" * _pad4(len(hdr) + len(name_b))
    out += data + b"\0" * _pad4(len(data))
    return out


def _normalize(path):
    p = pathlib.PurePosixPath("/" + path.lstrip("/"))
    parts = [x for x in p.parts[1:] if x not in ("", ".")]
    if not parts or ".." in parts:
        raise ValueError(f"bad path in the guest: {path!r}")
    return "/".join(parts)


def _content(spec):
    """(data, mode) of a file spec: bytes/str content (mode 0755), a
    pathlib.Path (local file, its permission bits), or (content, mode)."""
    if isinstance(spec, tuple):
        data, mode = spec
        data, _ = _content(data)
        return data, mode
    if isinstance(spec, pathlib.Path):
        st = spec.stat()
        return spec.read_bytes(), stat.S_IMODE(st.st_mode)
    if isinstance(spec, str):
        return spec.encode(), 0o755
    if isinstance(spec, (bytes, bytearray)):
        return bytes(spec), 0o755
    raise TypeError(f"unsupported file spec {type(spec).__name__}")


def newc(files, mtime=0):
    """An uncompressed newc cpio archive (with trailer) holding `files`, a
    mapping of guest path -> spec (see _content), plus their parent dirs."""
    entries = {}
    for path, spec in files.items():
        name = _normalize(path)
        data, mode = _content(spec)
        parts = name.split("/")
        for i in range(1, len(parts)):
            d = "/".join(parts[:i])
            entries.setdefault(d, (None, stat.S_IFDIR | 0o755))
        entries[name] = (data, stat.S_IFREG | mode)
    out = bytearray()
    # Parents sort before their children.
    for ino, name in enumerate(sorted(entries), start=1):
        data, mode = entries[name]
        if data is None:
            out += _entry(ino, name, mode, mtime=mtime, nlink=2)
        else:
            out += _entry(ino, name, mode, data, mtime=mtime)
    out += _entry(0, "TRAILER!!!", 0)
    return bytes(out)


def write(base, out, files):
    """Write base initrd (any format the kernel takes) + zero padding to 4
    bytes + an overlay archive of `files` to `out`."""
    data = pathlib.Path(base).read_bytes()
    if not data:
        raise ValueError(f"{base}: empty initrd")
    archive = newc(files)
    tmp = pathlib.Path(str(out) + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.write(b"\0" * _pad4(len(data)))
        f.write(archive)
    os.replace(tmp, out)


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Append an overlay cpio with extra files to an initrd.")
    ap.add_argument("base", metavar="BASE_INITRD")
    ap.add_argument("out", metavar="OUT")
    ap.add_argument("--file", action="append", default=[], metavar="/GUEST=LOCAL",
                    help="add local file LOCAL as /GUEST (keeps its mode)")
    ap.add_argument("--text", action="append", default=[], metavar="/GUEST=CONTENT",
                    help="add a file with CONTENT as /GUEST (mode 0755)")
    args = ap.parse_args(argv)
    files = {}
    try:
        for spec in args.file:
            guest, sep, local = spec.partition("=")
            if not sep or not guest or not local:
                ap.error(f"--file wants /GUEST=LOCALPATH, got {spec!r}")
            files[guest] = pathlib.Path(local)
        for spec in args.text:
            guest, sep, content = spec.partition("=")
            if not sep or not guest:
                ap.error(f"--text wants /GUEST=CONTENT, got {spec!r}")
            files[guest] = content
        if not files:
            ap.error("nothing to add: give --file or --text")
        write(args.base, args.out, files)
    except (OSError, ValueError) as e:
        print(f"overlay.py: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
