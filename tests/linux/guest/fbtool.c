/* SPDX-License-Identifier: GPL-2.0-or-later */
/* In a test guest: the framebuffer's geometry, a test pattern, a resize.
 *
 *   fbtool info            prints "fb XRESxYRES BPP LINE_LENGTH"
 *   fbtool fill            left half of the screen (0x20,0xc0,0x40),
 *                          right half (0xe0,0x30,0x90), as R,G,B
 *   fbtool resize W H      FBIOPUT_VSCREENINFO to W x H, then prints info
 *   fbtool flood SECONDS   redraws the whole screen through mmap, each frame
 *                          in a colour of its own, for SECONDS; prints "fbtool: flood N frames in
 *                          S s: F frames/s" (bench/vnc)
 */
#include <fcntl.h>
#include <linux/fb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static int info(int fd)
{
    struct fb_var_screeninfo v;
    struct fb_fix_screeninfo f;

    if (ioctl(fd, FBIOGET_VSCREENINFO, &v) || ioctl(fd, FBIOGET_FSCREENINFO, &f)) {
        perror("fbtool: FBIOGET");
        return 1;
    }
    printf("fb %ux%u %u %u\n", v.xres, v.yres, v.bits_per_pixel, f.line_length);
    return 0;
}

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* Full frames as fast as the guest can write them: every pixel of frame n
 * differs from every earlier frame's (n's low 24 bits in R, G, B), so a
 * server comparing pixels sees the whole screen change whenever it looks. */
static int flood(int fd, const struct fb_var_screeninfo *v, const struct fb_fix_screeninfo *f,
                 double seconds)
{
    size_t len = (size_t)f->line_length * v->yres;
    uint8_t *fb = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    double t0 = now(), t = t0;
    unsigned long n = 0;

    if (fb == MAP_FAILED) {
        perror("fbtool: mmap /dev/fb0");
        return 1;
    }
    if (v->bits_per_pixel != 32) {
        fprintf(stderr, "fbtool: flood wants 32 bits per pixel, not %u\n", v->bits_per_pixel);
        return 1;
    }
    while (t - t0 < seconds) {
        uint32_t px = (uint32_t)(n + 1) & 0xffffff;

        for (unsigned y = 0; y < v->yres; y++) {
            uint32_t *row = (uint32_t *)(fb + (size_t)y * f->line_length);

            for (unsigned x = 0; x < v->xres; x++)
                row[x] = px;
        }
        n++;
        t = now();
    }
    printf("fbtool: flood %lu frames in %.2f s: %.1f frames/s\n", n, t - t0, n / (t - t0));
    munmap(fb, len);
    return 0;
}

int main(int argc, char **argv)
{
    int fd = open("/dev/fb0", O_RDWR);
    struct fb_var_screeninfo v;
    struct fb_fix_screeninfo f;

    if (fd < 0 || argc < 2) {
        perror("fbtool: /dev/fb0");
        return 1;
    }
    if (!strcmp(argv[1], "info"))
        return info(fd);
    if (ioctl(fd, FBIOGET_VSCREENINFO, &v) || ioctl(fd, FBIOGET_FSCREENINFO, &f)) {
        perror("fbtool: FBIOGET");
        return 1;
    }
    if (!strcmp(argv[1], "fill")) {
        /* write(), not mmap: each write is one update to the backend */
        size_t len = (size_t)f.line_length * v.yres;
        uint8_t *buf = malloc(len);

        for (unsigned y = 0; y < v.yres; y++)
            for (unsigned x = 0; x < v.xres; x++) {
                uint8_t *p = buf + (size_t)y * f.line_length + x * 4;
                int left = x < v.xres / 2;

                p[0] = left ? 0x40 : 0x90; /* B, G, R, x: xen-fbfront's 32 bits */
                p[1] = left ? 0xc0 : 0x30;
                p[2] = left ? 0x20 : 0xe0;
                p[3] = 0;
            }
        if (pwrite(fd, buf, len, 0) != (ssize_t)len) {
            perror("fbtool: write");
            return 1;
        }
        printf("fbtool: filled %ux%u\n", v.xres, v.yres);
        return 0;
    }
    if (!strcmp(argv[1], "resize") && argc == 4) {
        v.xres = v.xres_virtual = atoi(argv[2]);
        v.yres = v.yres_virtual = atoi(argv[3]);
        if (ioctl(fd, FBIOPUT_VSCREENINFO, &v)) {
            perror("fbtool: FBIOPUT_VSCREENINFO");
            return 1;
        }
        return info(fd);
    }
    if (!strcmp(argv[1], "flood") && argc == 3)
        return flood(fd, &v, &f, atof(argv[2]));
    fprintf(stderr, "usage: fbtool info|fill|resize W H|flood SECONDS\n");
    return 2;
}
