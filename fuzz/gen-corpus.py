#!/usr/bin/env python3
# Writes the seed corpus of the fuzz targets (fuzz/corpus/TARGET/): valid
# requests in each target's input format (see the comment at the top of
# fuzz/TARGET.c). Run it after changing them.
import os
import struct

XS = dict(CONTROL=0, DIRECTORY=1, READ=2, GET_PERMS=3, WATCH=4, UNWATCH=5, TRANSACTION_START=6,
          TRANSACTION_END=7, INTRODUCE=8, RELEASE=9, GET_DOMAIN_PATH=10, WRITE=11, MKDIR=12,
          RM=13, SET_PERMS=14, IS_DOMAIN_INTRODUCED=17, RESUME=18, SET_TARGET=19,
          RESET_WATCHES=21, DIRECTORY_PART=22)
RING_PAGE = 1024 + 1024 + 4 * 4 + 3 * 4  # struct xenstore_domain_interface

req_id = 0


def msg(kind, body=b"", tx=0):
    global req_id
    req_id += 1
    return struct.pack("<IIII", XS[kind], req_id, tx, len(body)) + body


# Requests of a guest session: every operation, a transaction, a watch.
GUEST = [
    msg("WRITE", b"data/x\0hello"), msg("READ", b"data/x\0"), msg("MKDIR", b"data/y\0"),
    msg("DIRECTORY", b"data\0"), msg("DIRECTORY_PART", b"data\0" + b"0\0"),
    msg("GET_PERMS", b"data/x\0"), msg("SET_PERMS", b"data/x\0b1\0r2\0"),
    msg("WATCH", b"data\0tok\0"), msg("WRITE", b"/local/domain/1/data/z\0v"),
    msg("TRANSACTION_START", b"\0"), msg("WRITE", b"data/t\0in tx", tx=1),
    msg("TRANSACTION_END", b"T\0", tx=1), msg("UNWATCH", b"data\0tok\0"),
    msg("GET_DOMAIN_PATH", b"1\0"), msg("IS_DOMAIN_INTRODUCED", b"2\0"),
    msg("WATCH", b"@releaseDomain\0rel\0"), msg("RM", b"data\0"), msg("RESET_WATCHES"),
    msg("READ", b"device/vbd/0/state\0"), msg("READ", b"/local/domain/2/shared\0"),
]
# Requests only domain 0 may make.
PRIV = [
    msg("INTRODUCE", b"3\0" + b"1234\0" + b"5\0"), msg("SET_TARGET", b"3\0" + b"1\0"),
    msg("RESUME", b"3\0"), msg("RELEASE", b"3\0"), msg("CONTROL", b"print\0hi\0"),
    msg("WRITE", b"/local/domain/1/data/big\0" + b"x" * 3000),
    msg("SET_PERMS", b"/local/domain/1\0n1\0r0\0"),
]


def feed(peer, data):
    # opcode peer + 3 * 0: feed; a one-byte length, or two with bit 7 set
    n = len(data)
    hdr = bytes([peer, n]) if n < 128 else bytes([peer, 0x80 | n >> 8, n & 0xff])
    return hdr + data


def read_all(peer):
    return bytes([peer + 3 * 3])


def host(what):
    return bytes([3 * 5, what])


def wire_seeds():
    yield "guest-session", b"".join(feed(0, m) + read_all(0) for m in GUEST)
    yield "priv-session", b"".join(feed(2, m) + read_all(2) for m in PRIV)
    # Watches of two guests firing on host changes, output left unread.
    yield "watches", (feed(0, msg("WATCH", b"device\0a\0")) + feed(1, msg("WATCH", b"shared\0b\0")) +
                      host(2) + host(4) + host(3) + host(1) + host(0) + feed(0, msg("READ", b"x\0")))
    # Byte-at-a-time framing, a partial read of the output, then a hang-up.
    m = msg("WRITE", b"data/f\0frag")
    yield "fragments", b"".join(feed(1, m[i:i + 1]) for i in range(len(m))) + \
        bytes([1 + 3 * 2, 3]) + bytes([1 + 3 * 4])


def ring_seeds():
    page = bytes(RING_PAGE)
    for i in range(0, len(GUEST), 5):
        script = b""
        for m in GUEST[i:i + 5]:
            script += bytes([1, len(m)]) + m + bytes([0, 0, 2, 0])
        yield "session-%d" % (i // 5), page + script
    # A request split across the ring's end, a partial response read.
    wrap = bytearray(page)
    struct.pack_into("<IIII", wrap, 2048, 1020, 1020, 1000, 1000)
    m = msg("READ", b"device/vbd/0/state\0")
    yield "wrap", bytes(wrap) + bytes([1, len(m)]) + m + bytes([0, 0, 3, 7, 0, 0, 2, 0])


# blkif: see the comment at the top of fuzz/blkif.c.
OP_READ, OP_WRITE, OP_FLUSH, OP_DISCARD, OP_INDIRECT = 0, 1, 3, 5, 6
GTF_PERMIT, GTF_RO = 1, 4


def blk_req(op, rid, sector, segs):
    r = struct.pack("<BBHIQQ", op, len(segs), 0, 0, rid, sector)
    r += b"".join(struct.pack("<IBBH", g, first, last, 0) for g, first, last in segs)
    return r.ljust(112, b"\0")


def blk_indirect(op, rid, sector, nsegs, grefs):
    r = struct.pack("<BBHIQQHH", OP_INDIRECT, op, nsegs, 0, rid, sector, 0, 0)
    r += b"".join(struct.pack("<I", g) for g in grefs)
    return r.ljust(112, b"\0")


def blk_input(cfg, reqs, grants, pages=b"", more=0):
    head = bytes([cfg, more]) + struct.pack("<IIII", len(reqs), 1, 0, 1) + bytes([len(reqs)])
    table = b"".join(struct.pack("<HHI", f, dom, frame) for f, dom, frame in grants)
    return head + b"".join(reqs) + table.ljust(64 * 8, b"\0") + pages


def blkif_seeds():
    # grants 1..4: RAM pages 1..4 to domain 0; 5: page 5 read-only
    # grant 6: RAM page 0, which holds the indirect segments
    grants = [(0, 0, 0)] + [(GTF_PERMIT, 0, p) for p in range(1, 5)] + [(GTF_PERMIT | GTF_RO, 0, 5),
                                                                        (GTF_PERMIT | GTF_RO, 0, 0)]
    yield "rw", blk_input(6, [blk_req(OP_WRITE, 1, 8, [(1, 0, 7), (2, 2, 3)]),
                              blk_req(OP_READ, 2, 8, [(3, 0, 7)]),
                              blk_req(OP_FLUSH, 3, 0, []),
                              blk_req(OP_FLUSH, 4, 16, [(5, 0, 0)])], grants)
    yield "readonly", blk_input(1, [blk_req(OP_WRITE, 1, 0, [(1, 0, 7)]),
                                    blk_req(OP_READ, 2, 60, [(5, 0, 3)]), blk_req(OP_READ, 3, 60, [(3, 0, 3)])], grants, more=3)
    yield "discard", blk_input(2, [struct.pack("<BBHIQQQ", OP_DISCARD, 0, 0, 0, 9, 4, 8).ljust(112, b"\0")],
                               grants)
    # 12 segments over pages 1..3
    segs = b"".join(struct.pack("<IBBH", 1 + i % 3, 0, 3, 0) for i in range(12))
    yield "indirect", blk_input(6, [blk_indirect(OP_READ, 5, 0, 12, [6]),
                                    blk_indirect(OP_WRITE, 6, 8, 12, [6])], grants, segs)


# netif: see the comment at the top of fuzz/netif.c.
TXF_CSUM, TXF_MORE, TXF_EXTRA = 1, 4, 8


def tx(gref, off, flags, rid, size):
    return struct.pack("<IHHHH", gref, off, flags, rid, size)


def tx_gso(gso_type, mss):
    return struct.pack("<BBHBBH", 1, 0, mss, gso_type, 0, 0).ljust(12, b"\0")


def frame(ipv, proto, payload=b"data" * 8):
    l4 = (struct.pack(">HHIIBBHHH", 1234, 80, 1, 0, 5 << 4, 0x18, 512, 0, 0) if proto == 6
          else struct.pack(">HHHH", 1234, 53, 8 + len(payload), 0))
    if ipv == 4:
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(l4) + len(payload), 1, 0x4000, 64,
                         proto, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
        eth = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00"
    else:
        ip = struct.pack(">IHBB16s16s", 6 << 28, len(l4) + len(payload), proto, 64,
                         bytes(15) + b"\1", bytes(15) + b"\2")
        eth = b"\x02" * 6 + b"\x04" * 6 + b"\x86\xdd"
    return eth + ip + l4 + payload


def net_input(slots, page, start=0, avail=None, order=4, cs=(64, 14 + 20, 16)):
    avail = len(slots) if avail is None else avail
    head = bytes([order]) + struct.pack("<IHHHH", start, avail, *cs)
    ring = [bytes(12)] * (1 << order)
    for i, sl in enumerate(slots):
        ring[(start + i) % len(ring)] = sl
    return head + b"".join(ring) + page


def netif_seeds():
    udp4, tcp4, tcp6 = frame(4, 17), frame(4, 6), frame(6, 6, b"x" * 100)
    yield "udp4-csum", net_input([tx(1, 0, TXF_CSUM, 1, len(udp4))], udp4)
    # a TCP packet in three fragments over the ring's end, with GSO
    page = tcp4.ljust(2048, b"\0") + tcp4
    yield "tcp4-gso-frags", net_input(
        [tx(1, 2048, TXF_CSUM | TXF_MORE | TXF_EXTRA, 2, len(tcp4)), tx_gso(1, 1400),
         tx(1, 2048 + 30, TXF_MORE, 3, 20), tx(1, 2048 + 50, 0, 4, len(tcp4) - 50)],
        page, start=14)
    yield "tcp6-two-packets", net_input([tx(1, 0, TXF_CSUM, 5, len(tcp6)),
                                         tx(1, 0, 0, 6, len(tcp6))], tcp6)
    # a chain whose end is not published yet, then a runt
    yield "partial-and-runt", net_input([tx(1, 0, 0, 7, 10), tx(1, 0, TXF_MORE, 8, 60),
                                         tx(1, 0, 0, 9, 30)], tcp4, avail=2)


# fbif: see the comment at the top of fuzz/fbif.c.
FB_UPDATE, FB_RESIZE, FB_RING_LEN = 2, 3, 2048 // 40


def fb_update(x, y, w, h):
    return struct.pack("<Biiii", FB_UPDATE, x, y, w, h).ljust(40, b"\0")


def fb_resize(w, h, stride, depth, offset):
    return struct.pack("<Biiiii", FB_RESIZE, w, h, stride, depth, offset).ljust(40, b"\0")


def fb_input(geom, events, cons=0, prod=None, more=0, cons2=None):
    w, h, depth, stride, mem = geom
    prod = (cons + len(events) if prod is None else prod) & 0xffffffff
    head = struct.pack("<IIIIiiIIB", 0, 0, cons, prod, w, h, stride, mem, depth)
    head += bytes([more, cons2 is not None]) + struct.pack("<I", cons2 or 0)
    fb = bytes((i * 7 + i // 251) & 0xff for i in range(mem))
    return head + bytes([len(events)]) + b"".join(events) + fb


def fbif_seeds():
    g32 = (32, 32, 32, 128, 32 * 128)
    yield "updates-resizes", fb_input(g32, [
        fb_update(0, 0, 32, 32), fb_update(10, 20, 5, 7), fb_update(-5, -5, 20, 20),
        fb_update(30, 30, 100, 100), fb_update(1000, 0, 1, 1), fb_update(0, 0, -1, 5),
        fb_resize(32, 32, 64, 16, 1024), fb_update(1, 1, 30, 30), fb_resize(32, 32, 64, 16, 2049),
        fb_resize(100000, 64, 400000, 32, 0), bytes([9]).ljust(40, b"\0"),
        fb_resize(24, 24, 96, 32, 0), fb_resize(16, 16, 48, 24, 2048), fb_update(0, 0, 16, 16)])
    yield "depth8-wide", fb_input((2560, 6, 8, 2560, 2560 * 6), [
        fb_update(2550, 0, 20, 6), fb_resize(1, 1600, 1, 8, 0), fb_update(0, 1590, 1, 20)])
    yield "rgb565-offset", fb_input((32, 32, 16, 64, 8192 + 100), [
        fb_resize(32, 32, 64, 16, 6148), fb_update(0, 0, 32, 32), fb_resize(32, 32, 64, 16, 6149)])
    # events across the ring's end and the index's wrap, then more published
    yield "wrap", fb_input(g32, [fb_update(i, i, 8, 8) for i in range(FB_RING_LEN)],
                           cons=0xffffffe0, more=20)
    # one more event than the ring holds, and a frontend moving out_cons back
    yield "corrupt", fb_input(g32, [fb_update(0, 0, 1, 1)], prod=FB_RING_LEN + 1)
    yield "cons-back", fb_input(g32, [fb_update(0, 0, 1, 1)] * 3, more=1, cons2=0xfffffff0)


# kbdif: see the comment at the top of fuzz/kbdif.c.
def kbd_key(code, down=True):
    return bytes([4 if down else 0]) + struct.pack("<I", code)


def kbd_ptr(x, y, wheel=0):
    return bytes([1 | (wheel + 2) << 2]) + struct.pack("<I", x | y << 16)


def kbd_consume(n):
    return bytes([2]) + struct.pack("<I", n)


def kbd_input(abs_ptr, steps, cons=0, prod=0):
    return struct.pack("<IIII", cons, prod, 0, 0) + bytes([abs_ptr]) + b"".join(steps)


def kbdif_seeds():
    typing = [kbd_key(30), kbd_key(30, False), kbd_key(48), kbd_key(48, False), kbd_consume(4)]
    yield "keys-abs", kbd_input(1, typing + [kbd_ptr(0, 0), kbd_ptr(0x7fff, 0x7fff, 1),
                                             kbd_ptr(0x4000, 0x100, -1), kbd_consume(63)])
    yield "relative", kbd_input(0, [kbd_ptr(100, 100), kbd_ptr(100, 100), kbd_ptr(100, 100, 2),
                                    kbd_ptr(0, 0x7fff), kbd_consume(10), kbd_key(272)])
    # more keys than the ring holds, then the guest catches up, over the index's wrap
    yield "full-wrap", kbd_input(0, [kbd_key(i) for i in range(60)] + [kbd_consume(63)] +
                                 [kbd_key(i) for i in range(10)] + [kbd_consume(5)],
                                 cons=0xffffffe0, prod=0xffffffe0)
    # a frontend storing a garbage in_cons: the device stops at the next key
    yield "corrupt", kbd_input(1, [kbd_key(30), bytes([3]) + struct.pack("<I", 0x12345678),
                                   kbd_key(30), kbd_key(31)])


def write(target, seeds):
    d = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", target)
    os.makedirs(d, exist_ok=True)
    for name, data in seeds:
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


write("xenstore-wire", wire_seeds())
write("xenstore-ring", ring_seeds())
write("blkif", blkif_seeds())
write("netif", netif_seeds())
write("fbif", fbif_seeds())
write("kbdif", kbdif_seeds())
