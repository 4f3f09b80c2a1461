"""Disk images that boot a guest kit's kernel through PV GRUB, built without
root: partition tables written here, file systems by mke2fs -d (e2fsprogs).
Used by tests/boot/run-boot and the libvirt suite."""

import pathlib
import shutil
import struct
import subprocess
import sys
import uuid
import zlib

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "linux"))
import overlay  # noqa: E402

MIB = 1 << 20
SECTOR = 512
MARK = "xenner-pvgrub-test"


def grub_cfg(kpath, mark=1):
    return (f"set timeout=1\n"
            f"menuentry 'Debian from the disk' {{\n"
            f"  linux {kpath}/vmlinuz console=hvc0 {MARK}={mark}\n"
            f"  initrd {kpath}/initrd.img\n"
            f"}}\n")


def menu_lst(kpath):
    return (f"default 0\ntimeout 1\n"
            f"title Debian from the disk (menu.lst)\n"
            f"  kernel {kpath}/vmlinuz console=hvc0 {MARK}=2\n"
            f"  initrd {kpath}/initrd.img\n")


def make_root(tmp, kit, layout, script, mark, cfg=None):
    """A directory tree for mke2fs -d: kernel, initrd (with script as the
    kit's /test.sh, or none: /init starts a shell), boot configuration."""
    root = pathlib.Path(tmp) / "root"
    kdir = root / ("boot" if layout != "gpt" else "")
    (kdir / "grub").mkdir(parents=True, exist_ok=True)
    shutil.copy(kit / "vmlinuz", kdir / "vmlinuz")
    overlay.write(kit / "initrd.img", kdir / "initrd.img",
                  {"/test.sh": script} if script is not None else {})
    kpath = "/boot" if layout != "gpt" else ""
    if layout == "mbr-legacy":
        (kdir / "grub" / "menu.lst").write_text(menu_lst(kpath))
    else:
        (kdir / "grub" / "grub.cfg").write_text(cfg or grub_cfg(kpath, mark))
    return root


def mkfs(image, root, offset, size):
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-E", f"offset={offset}",
                    "-d", str(root), str(image), f"{size // 1024}k"], check=True)


def mbr(f, parts):
    """parts: (type, first sector, sectors)."""
    f.seek(446)
    for i, (ptype, first, n) in enumerate(parts):
        f.write(struct.pack("<B3sB3sII", 0x80 if i == 0 else 0, b"\0\0\0", ptype, b"\0\0\0",
                            first, n))
    f.seek(510)
    f.write(b"\x55\xaa")


def gpt(f, disk_sectors, parts):
    """A GPT (UEFI 2.x, section 5): protective MBR, primary and backup
    headers and entry arrays. parts: (first sector, last sector)."""
    linux_fs = uuid.UUID("0fc63daf-8483-4772-8e79-3d69d8477de4").bytes_le
    entries = b"".join(struct.pack("<16s16sQQQ72s", linux_fs, uuid.uuid4().bytes_le, a, b, 0,
                                   f"part{i + 1}".encode("utf-16-le"))
                       for i, (a, b) in enumerate(parts)).ljust(128 * 128, b"\0")
    last = disk_sectors - 1
    disk_guid = uuid.uuid4().bytes_le

    def header(my_lba, other_lba, entries_lba):
        h = struct.pack("<8sIIIIQQQQ16sQIII", b"EFI PART", 0x10000, 92, 0, 0, my_lba, other_lba,
                        34, last - 33, disk_guid, entries_lba, 128, 128, zlib.crc32(entries))
        h = h[:16] + struct.pack("<I", zlib.crc32(h)) + h[20:]
        return h.ljust(SECTOR, b"\0")

    mbr(f, [(0xee, 1, min(last, 0xffffffff))])
    f.seek(0x1be)  # the protective entry is not bootable
    f.write(b"\0")
    f.seek(SECTOR)
    f.write(header(1, last, 2))
    f.write(entries)
    f.seek((last - 32) * SECTOR)
    f.write(entries)
    f.write(header(last, 1, last - 32))


def build_disk(tmp, kit, layout, script=None, mark=1, cfg=None):
    """A disk image in folder tmp that boots the kit's kernel through PV
    GRUB. layout: whole-disk (ext4, /boot/grub/grub.cfg), mbr-legacy (first
    MBR partition, /boot/grub/menu.lst) or gpt (second GPT partition, laid
    out as a separate /boot: /grub/grub.cfg, /vmlinuz). The grub.cfg gives
    the kernel MARK=mark on its command line (menu.lst: MARK=2); cfg, if
    given, is the grub.cfg instead."""
    image = pathlib.Path(tmp) / f"{layout}.img"
    root = make_root(tmp, kit, layout, script, mark, cfg)
    fs_size = 200 * MIB
    with open(image, "wb") as f:
        f.truncate(fs_size + 4 * MIB)
    if layout == "whole-disk":
        mkfs(image, root, 0, fs_size)
    elif layout == "mbr-legacy":
        with open(image, "r+b") as f:
            mbr(f, [(0x83, 2048, fs_size // SECTOR)])
        mkfs(image, root, MIB, fs_size)
    else:
        # partition 1: 1 MiB, empty; partition 2: the file system
        p2 = (2 * MIB) // SECTOR
        with open(image, "r+b") as f:
            gpt(f, (fs_size + 4 * MIB) // SECTOR,
                [(2048, p2 - 1), (p2, p2 + fs_size // SECTOR - 1)])
        mkfs(image, root, 2 * MIB, fs_size)
    return image
