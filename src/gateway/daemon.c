/* Daemon support: one instance per state store (an flock on "<db>.lock") and a stop flag set
 * by SIGTERM/SIGINT that the poll checks between files, so the current file always finishes. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include "core/fs.h"
#include "gateway/gateway.h"

volatile sig_atomic_t dg_gw_stop_requested = 0;
volatile sig_atomic_t dg_gw_reload_requested = 0;
volatile sig_atomic_t dg_gw_wake_requested = 0;

static void on_stop(int sig)
{
    (void)sig;
    dg_gw_stop_requested = 1;
}

static void on_reload(int sig)
{
    (void)sig;
    dg_gw_reload_requested = 1;
}

static void on_wake(int sig)
{
    (void)sig;
    dg_gw_wake_requested = 1;
}

void dg_gw_install_daemon_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART; /* as for SIGTERM: work in progress goes on, the loop acts later */
    sa.sa_handler = on_reload;
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = on_wake;
    sigaction(SIGUSR1, &sa, NULL);
}

void dg_gw_install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    /* SA_RESTART: a read or write in progress (SQLite, a transfer, the spool) is retried, not
     * failed with EINTR, so the file in progress finishes. The daemon's sleep is dg_gw_nap,
     * which wakes at once anyway (pselect is never restarted). */
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* a dropped connection is an error code, not a dead daemon */
}

bool dg_gw_nap(long ms)
{
    sigset_t stop, old;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGHUP);
    sigaddset(&stop, SIGUSR1);
    /* Blocked between the check of the flag and the sleep, and unblocked by pselect itself
     * (atomically): a SIGTERM that lands in between cannot be slept through. A SIGHUP (reload)
     * or SIGUSR1 (a poll request) wakes the daemon's sleep the same way. */
    sigprocmask(SIG_BLOCK, &stop, &old);
    if (!dg_gw_stop_requested && !dg_gw_reload_requested && !dg_gw_wake_requested && ms > 0) {
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        pselect(0, NULL, NULL, NULL, &ts, &old);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    return !dg_gw_stop_requested;
}

int dg_gw_lock(const char *base, int *fd, dg_error *err)
{
    char path[1100], dir[1100];
    snprintf(path, sizeof path, "%s.lock", base);
    snprintf(dir, sizeof dir, "%s", base);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        int rc = dg_fs_mkdirs(dir, err); /* a fresh state_dir: the lock comes first */
        if (rc)
            return rc;
    }
    int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (f < 0)
        return dg_error_set(err, DG_EIO, "%s: cannot open lock file: %s", path, strerror(errno));
    if (flock(f, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(f);
        if (e == EWOULDBLOCK)
            return dg_error_set(err, DG_ELOCKED,
                                "%s: another dropgate instance is using this state store", path);
        return dg_error_set(err, DG_EIO, "%s: cannot lock: %s", path, strerror(e));
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(f, 0) == 0 && write(f, pid, (size_t)n) < 0) {
        /* the pid is only informative */
    }
    *fd = f;
    return 0;
}

void dg_gw_unlock(int fd)
{
    if (fd >= 0) {
        flock(fd, LOCK_UN);
        close(fd);
    }
}
