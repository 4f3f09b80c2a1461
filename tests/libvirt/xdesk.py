"""A desktop for GUI tests: Debian's Xvfb, screenshots with xwd, text found
with tesseract (OCR), clicks and keys with xdotool.

Used by run-libvirt's virt-manager case: virt-manager runs on this display
and the test reads what it shows as a user would, from the screen.
"""

import os
import pathlib
import re
import shutil
import struct
import subprocess
import time
import zlib

TOOLS = (("Xvfb", "xvfb"), ("xwd", "x11-apps"), ("xdotool", "xdotool"),
         ("tesseract", "tesseract-ocr"), ("dbus-run-session", "dbus-daemon"))


def missing_tools():
    """'tool (package)' for each tool this module needs that is not installed."""
    return [f"{t} ({pkg})" for t, pkg in TOOLS if not shutil.which(t)]


class Image:
    """An RGB picture: width, height, and rows of bytes R, G, B."""

    def __init__(self, width, height, rgb):
        self.width, self.height, self.rgb = width, height, rgb

    def pixel(self, x, y):
        i = (y * self.width + x) * 3
        return tuple(self.rgb[i:i + 3])

    def crop(self, x, y, w, h):
        x, y = max(0, x), max(0, y)
        w, h = min(w, self.width - x), min(h, self.height - y)
        rows = [self.rgb[((y + r) * self.width + x) * 3:((y + r) * self.width + x + w) * 3]
                for r in range(h)]
        return Image(w, h, b"".join(rows))

    def scaled(self, k):
        """k times larger, each pixel a k x k square (small text OCRs better)."""
        rows = []
        for r in range(self.height):
            row = self.rgb[r * self.width * 3:(r + 1) * self.width * 3]
            big = b"".join(row[i:i + 3] * k for i in range(0, len(row), 3))
            rows.extend([big] * k)
        return Image(self.width * k, self.height * k, b"".join(rows))

    def ppm(self):
        return b"P6\n%d %d\n255\n" % (self.width, self.height) + self.rgb

    def png(self):
        def chunk(kind, data):
            return (struct.pack(">I", len(data)) + kind + data
                    + struct.pack(">I", zlib.crc32(kind + data)))
        stride = self.width * 3
        raw = b"".join(b"\0" + self.rgb[r * stride:(r + 1) * stride] for r in range(self.height))
        return (b"\x89PNG\r\n\x1a\n"
                + chunk(b"IHDR", struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))

    def save(self, path):
        """As a PNG if path ends so, else as a PPM."""
        path = pathlib.Path(path)
        path.write_bytes(self.png() if path.suffix == ".png" else self.ppm())


def parse_xwd(data):
    """The Image in an XWD file (xwd -root): a 24- or 32-bit TrueColor ZPixmap."""
    (header_size, version, fmt, depth, width, height, _xoff, byte_order, _unit, _bit_order,
     _pad, bpp, bpl, _vclass, rmask, gmask, bmask, _bits_rgb, _entries,
     ncolors) = struct.unpack(">20I", data[:80])
    if version != 7 or fmt != 2 or bpp not in (24, 32):
        raise ValueError(f"xwd: version {version}, format {fmt}, {bpp} bits per pixel: "
                         "not a TrueColor ZPixmap this test reads")
    off = header_size + ncolors * 12
    shifts = [m.bit_length() - 8 for m in (rmask, gmask, bmask)]
    step = bpp // 8
    order = "<" if byte_order == 0 else ">"
    out = bytearray(width * height * 3)
    o = 0
    for y in range(height):
        row = data[off + y * bpl:off + y * bpl + width * step]
        if step == 4:
            vals = struct.unpack(f"{order}{width}I", row)
        else:
            vals = [int.from_bytes(row[i:i + 3], "little" if order == "<" else "big")
                    for i in range(0, len(row), 3)]
        for v in vals:
            out[o] = (v & rmask) >> shifts[0]
            out[o + 1] = (v & gmask) >> shifts[1]
            out[o + 2] = (v & bmask) >> shifts[2]
            o += 3
    return Image(width, height, bytes(out))


class Desktop:
    """Xvfb on a free display number; use as a context manager."""

    def __init__(self, tmp, width=1280, height=1024):
        self.tmp = pathlib.Path(tmp)
        self.size = (width, height)
        self.p = None

    def __enter__(self):
        for n in range(90, 200):
            if not os.path.exists(f"/tmp/.X11-unix/X{n}") and not os.path.exists(f"/tmp/.X{n}-lock"):
                break
        self.display = f":{n}"
        self.log = open(self.tmp / "xvfb.log", "wb")
        self.p = subprocess.Popen(["Xvfb", self.display, "-screen", "0",
                                   f"{self.size[0]}x{self.size[1]}x24", "-nolisten", "tcp"],
                                  stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 30
        while not os.path.exists(f"/tmp/.X11-unix/X{n}"):
            if self.p.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Xvfb {self.display} did not start: "
                                   + (self.tmp / "xvfb.log").read_text(errors="replace")[-500:])
            time.sleep(0.1)
        return self

    def __exit__(self, *exc):
        if self.p:
            self.p.terminate()
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.log.close()

    def env(self, **extra):
        """The environment of a program on this display."""
        return dict(os.environ, DISPLAY=self.display, **extra)

    def run(self, *argv, check=True):
        return subprocess.run(argv, env=self.env(), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=60, check=check)

    def screenshot(self):
        data = subprocess.run(["xwd", "-root", "-silent"], env=self.env(), check=True,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, timeout=60).stdout
        return parse_xwd(data)

    def window_image(self, wid):
        """The contents of window wid (menus: a root screenshot may not show them)."""
        data = subprocess.run(["xwd", "-id", str(wid), "-silent"], env=self.env(), check=True,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, timeout=60).stdout
        return parse_xwd(data)

    def windows(self, name):
        """Ids of the visible windows whose title matches the regex name."""
        r = self.run("xdotool", "search", "--onlyvisible", "--name", name, check=False)
        return [int(w) for w in r.stdout.split()]

    def geometry(self, wid):
        """(x, y, width, height) of window wid."""
        out = self.run("xdotool", "getwindowgeometry", "--shell", str(wid)).stdout
        g = dict(line.split("=", 1) for line in out.split())
        return int(g["X"]), int(g["Y"]), int(g["WIDTH"]), int(g["HEIGHT"])

    def click(self, x, y):
        self.run("xdotool", "mousemove", "--sync", str(x), str(y), "click", "1")

    def type(self, text):
        """Types text, then Return, into the window under the pointer."""
        self.run("xdotool", "type", "--delay", "60", text)
        self.run("xdotool", "key", "Return")

    def move(self, x, y):
        self.run("xdotool", "mousemove", "--sync", str(x), str(y))


def ocr_words(img, tmp, scale=2):
    """The words tesseract reads in img: [(text, x, y, w, h)] in img's pixels."""
    big = img.scaled(scale) if scale > 1 else img
    src = pathlib.Path(tmp) / "ocr.ppm"
    big.save(src)
    r = subprocess.run(["tesseract", str(src), "stdout", "--psm", "11", "tsv"],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    words = []
    for line in r.stdout.splitlines()[1:]:
        f = line.split("\t")
        if len(f) == 12 and f[11].strip():
            x, y, w, h = (int(v) // scale for v in f[6:10])
            words.append((f[11].strip(), x, y, w, h))
    return words


def ocr_text(img, tmp, scale=2):
    """All the text tesseract reads in img, line by line."""
    big = img.scaled(scale) if scale > 1 else img
    src = pathlib.Path(tmp) / "ocr.ppm"
    big.save(src)
    r = subprocess.run(["tesseract", str(src), "stdout", "--psm", "6"],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    return r.stdout


def find_word(words, pattern):
    """The first OCR word matching regex pattern, or None."""
    for w in words:
        if re.fullmatch(pattern, w[0]):
            return w
    return None
