/* The daemon's SIGTERM/SIGINT handling: SA_RESTART, so a read or write in progress is retried
 * rather than failed with EINTR, and dg_gw_nap still wakes at once on the signal. */
#include "testutil.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gateway/gateway.h"

static void ms_sleep(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A child that sends sig to us after ms, then (pipe_fd >= 0) writes one byte after 200 ms more. */
static pid_t signal_later(int sig, long ms, int pipe_fd)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        ms_sleep(ms);
        kill(parent, sig);
        if (pipe_fd >= 0) {
            ms_sleep(200);
            if (write(pipe_fd, "x", 1) != 1)
                _exit(1);
        }
        _exit(0);
    }
    return pid;
}

static void reap(pid_t pid)
{
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_handlers_restart(void **state)
{
    (void)state;
    dg_gw_install_signals();
    for (int i = 0; i < 2; i++) {
        struct sigaction sa;
        assert_int_equal(sigaction(i ? SIGINT : SIGTERM, NULL, &sa), 0);
        assert_true(sa.sa_flags & SA_RESTART);
        assert_true(sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN);
    }
}

/* A blocking read interrupted by SIGTERM goes on and returns the data; the flag is set. */
static void test_read_survives_sigterm(void **state)
{
    (void)state;
    dg_gw_install_signals();
    dg_gw_stop_requested = 0;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = signal_later(SIGTERM, 100, fds[1]);
    char c = 0;
    ssize_t n = read(fds[0], &c, 1);
    int e = errno;
    reap(pid);
    close(fds[0]);
    close(fds[1]);
    if (n != 1)
        fail_msg("read returned %zd (%s): interrupted instead of restarted", n, strerror(e));
    assert_int_equal(c, 'x');
    assert_int_equal(dg_gw_stop_requested, 1);
    dg_gw_stop_requested = 0;
}

/* The daemon's sleep still ends at once on SIGTERM, and does not start once it was asked. */
static void test_nap_wakes_on_sigterm(void **state)
{
    (void)state;
    dg_gw_install_signals();
    dg_gw_stop_requested = 0;
    double t0 = now_s();
    assert_true(dg_gw_nap(50)); /* a full short nap */
    assert_true(now_s() - t0 >= 0.045);

    pid_t pid = signal_later(SIGTERM, 200, -1);
    t0 = now_s();
    assert_false(dg_gw_nap(20000));
    double took = now_s() - t0;
    reap(pid);
    if (took > 3.0)
        fail_msg("dg_gw_nap(20 s) took %.1f s after SIGTERM at 0.2 s", took);
    assert_int_equal(dg_gw_stop_requested, 1);

    t0 = now_s();
    assert_false(dg_gw_nap(20000)); /* already requested: no sleep at all */
    assert_true(now_s() - t0 < 1.0);
    dg_gw_stop_requested = 0;

    pid = signal_later(SIGINT, 100, -1);
    assert_false(dg_gw_nap(20000));
    reap(pid);
    dg_gw_stop_requested = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handlers_restart),
        cmocka_unit_test(test_read_survives_sigterm),
        cmocka_unit_test(test_nap_wakes_on_sigterm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
