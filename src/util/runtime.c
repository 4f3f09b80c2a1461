/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Runtime files (sockets, pid file) removed at exit; -daemonize. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/log.h"
#include "util/runtime.h"

#define MAX_FILES 16

static char *files[MAX_FILES]; /* removed at exit */
static unsigned nr_files;
static pid_t owner; /* only the process that made them removes them */
static int ready_fd = -1;

static void cleanup(void)
{
    if (getpid() != owner)
        return;
    for (unsigned i = 0; i < nr_files; i++)
        unlink(files[i]);
    nr_files = 0;
}

static void remember(const char *path)
{
    if (!nr_files && !owner) {
        owner = getpid();
        atexit(cleanup);
    }
    owner = getpid(); /* a daemon's files are its own, not its parent's */
    if (nr_files < MAX_FILES)
        files[nr_files++] = strdup(path);
}

void runtime_remember(const char *path)
{
    remember(path);
}

const char *runtime_dir(void)
{
    static char dir[4096];
    const char *base = getenv("XDG_RUNTIME_DIR");

    if (dir[0])
        return dir;
    if (geteuid() == 0 || !base || !*base)
        base = geteuid() == 0 ? "/run" : "/tmp";
    snprintf(dir, sizeof(dir), "%s/xenner", base);
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        dir[0] = 0;
        return NULL;
    }
    return dir;
}

/* A socket nobody answers on is a crashed process's: the path is free. */
static void clear_stale(const struct sockaddr_un *sa)
{
    struct stat st;
    int fd;

    if (lstat(sa->sun_path, &st) || !S_ISSOCK(st.st_mode))
        return;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 &&
        errno == ECONNREFUSED)
        unlink(sa->sun_path);
    if (fd >= 0)
        close(fd);
}

int runtime_listen_unix(const char *path, mode_t mode)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd, e;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(sa.sun_path, path);
    clear_stale(&sa);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        goto fail;
    remember(path);
    if (chmod(path, mode) < 0 || listen(fd, 16) < 0)
        goto fail;
    return fd;
fail:
    e = errno;
    close(fd);
    errno = e;
    return -1;
}

void runtime_pidfile(const char *path)
{
    struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    char buf[32];
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644), n;

    if (fd < 0)
        log_fatal("options", "-pidfile %s", path);
    /* The lock lives as long as this process: a second instance is refused,
     * a file left by a crash (no lock) is overwritten. */
    if (fcntl(fd, F_SETLK, &lk) < 0)
        log_fatalx("options", "-pidfile %s: in use by another running process", path);
    n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
    if (ftruncate(fd, 0) < 0 || write(fd, buf, n) != n)
        log_fatal("options", "-pidfile %s: cannot write", path);
    remember(path);
    /* fd stays open: it holds the lock */
}

void runtime_daemonize_start(void)
{
    int p[2];
    pid_t pid;
    char c;

    if (pipe2(p, O_CLOEXEC) < 0 || (pid = fork()) < 0)
        log_fatal("options", "-daemonize");
    if (pid > 0) {
        int st;

        close(p[1]);
        /* One byte: the daemon is ready. End of file: it failed (its message
         * went to our stderr, which it shares until ready). */
        if (read(p[0], &c, 1) == 1)
            _exit(0);
        waitpid(pid, &st, 0);
        _exit(WIFEXITED(st) && WEXITSTATUS(st) ? WEXITSTATUS(st) : 1);
    }
    close(p[0]);
    ready_fd = p[1];
    if (setsid() < 0)
        log_fatal("options", "-daemonize: setsid");
}

void runtime_daemonize_ready(void)
{
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);

    if (ready_fd < 0)
        return;
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        close(null);
    }
    if (write(ready_fd, "", 1) != 1)
        return; /* the parent is gone: nothing to release */
    close(ready_fd);
    ready_fd = -1;
}
