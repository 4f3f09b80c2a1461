/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading a kernel file from disk: read it whole, unpack a bzImage, parse the ELF. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader/loader-priv.h"

#define MAX_FILE_SIZE (2ull << 30) /* an unstripped vmlinux with debug info stays below */
#define READ_STEP     (1u << 20)

/* Grow *buf so at least one byte is free past len; 0, or -1 with err. */
static int grow(const char *path, uint8_t **buf, size_t *cap, size_t len, char err[KERNEL_ERR_LEN])
{
    size_t ncap = *cap ? *cap * 2 : READ_STEP;
    uint8_t *p;

    if (len < *cap)
        return 0;
    if (len >= MAX_FILE_SIZE)
        return loader_fail(err, "%s: file is larger than %llu MiB", path, MAX_FILE_SIZE >> 20);
    if (ncap > MAX_FILE_SIZE)
        ncap = MAX_FILE_SIZE;
    p = realloc(*buf, ncap);
    if (!p)
        return loader_fail(err, "%s: out of memory reading %zu bytes", path, ncap);
    *buf = p;
    *cap = ncap;
    return 0;
}

/* Read fd to its end; regular files and pipes alike. The size hint is st_size. */
static int read_all(const char *path, int fd, size_t hint, uint8_t **out, size_t *out_len,
                    char err[KERNEL_ERR_LEN])
{
    size_t len = 0, cap = 0;
    uint8_t *buf = NULL;

    if (hint && hint < MAX_FILE_SIZE && (buf = malloc(hint + 1)))
        cap = hint + 1; /* one spare byte, so the end of a regular file costs no realloc */
    for (;;) {
        ssize_t n;

        if (grow(path, &buf, &cap, len, err))
            break;
        n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            loader_fail(err, "%s: %s", path, strerror(errno));
            break;
        }
        if (n == 0) {
            *out = buf;
            *out_len = len;
            return 0;
        }
        len += (size_t)n;
    }
    free(buf);
    return -1;
}

/* Open path and read it whole; directories and empty files are refused by name. */
static int read_file(const char *path, uint8_t **buf, size_t *len, char err[KERNEL_ERR_LEN])
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int r;

    if (fd < 0)
        return loader_fail(err, "%s: %s", path, strerror(errno));
    if (fstat(fd, &st) < 0) {
        r = loader_fail(err, "%s: %s", path, strerror(errno));
    } else if (S_ISDIR(st.st_mode)) {
        r = loader_fail(err, "%s: %s", path, strerror(EISDIR));
    } else {
        r = read_all(path, fd, S_ISREG(st.st_mode) ? (size_t)st.st_size : 0, buf, len, err);
    }
    close(fd);
    if (r == 0 && *len == 0) {
        free(*buf);
        return loader_fail(err, "%s: file is empty", path);
    }
    return r;
}

/* Prefix a parse error with the file name, keeping the reason. */
static int name_error(const char *path, char err[KERNEL_ERR_LEN])
{
    char why[KERNEL_ERR_LEN];

    memcpy(why, err, KERNEL_ERR_LEN);
    return loader_fail(err, "%s: %s", path, why);
}

int kernel_read_file(const char *path, void **image, size_t *image_len, struct kernel_info *info,
                     char err[KERNEL_ERR_LEN])
{
    uint8_t *raw = NULL;
    void *elf;
    size_t raw_len = 0, elf_len;
    int r;

    if (read_file(path, &raw, &raw_len, err))
        return -1;
    r = kernel_unpack_bzimage(raw, raw_len, &elf, &elf_len, err);
    if (r < 0) {
        free(raw);
        return name_error(path, err);
    }
    if (r == 0) {
        elf = raw;
        elf_len = raw_len;
    } else {
        free(raw);
    }
    if (kernel_parse_elf(elf, elf_len, info, err)) {
        free(elf);
        return name_error(path, err);
    }
    *image = elf;
    *image_len = elf_len;
    return 0;
}
