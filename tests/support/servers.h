/* Real servers for transport tests: an OpenSSH sshd and a vsftpd (FTP + explicit FTPS), each with
 * its own generated config, keys and certificate, on 127.0.0.1 and a free port; stopped at exit. */
#ifndef DG_TEST_SERVERS_H
#define DG_TEST_SERVERS_H

#include <stdbool.h>
#include <sys/types.h>

#define DG_TEST_PATH_MAX 1024

/* The account both servers log in. As root (CI) it is the system user `dgtest` (created on first
 * use, known password, owns the server folders), so password logins work. As another user it is
 * that user, with key logins only (password[0] == '\0'). */
typedef struct dg_test_account {
    char user[64];
    char password[64]; /* "" when password logins cannot be tested (not root) */
    uid_t uid;
    gid_t gid;
} dg_test_account;

typedef struct dg_test_sshd {
    pid_t pid;
    int port;
    dg_test_account acct;
    char dir[DG_TEST_PATH_MAX];          /* scratch: config, keys, log (removed on stop) */
    char root[DG_TEST_PATH_MAX];         /* empty folder owned by acct: remote path == local path */
    char key_file[DG_TEST_PATH_MAX];     /* user ed25519 key, no passphrase (".pub" beside it) */
    char key_file_enc[DG_TEST_PATH_MAX]; /* user ed25519 key protected by key_passphrase */
    char key_passphrase[64];
    char known_hosts[DG_TEST_PATH_MAX];       /* "[127.0.0.1]:port ssh-ed25519 ..." for this server
                                                 (its ed25519 key only, as OpenSSH clients record) */
    char other_known_hosts[DG_TEST_PATH_MAX]; /* same host, a different key: a "changed" key */
    char empty_known_hosts[DG_TEST_PATH_MAX]; /* exists, empty: an "unknown" key */
    char host_fingerprint[128];               /* "SHA256:..." of the server's ed25519 host key */
    char host_fingerprint_ecdsa[128];         /* ... of its second (ecdsa) host key */
    char log_file[DG_TEST_PATH_MAX];          /* sshd -e output */
    char why[512];                            /* why start failed (for the skip message) */
} dg_test_sshd;

typedef struct dg_test_ftpd {
    pid_t pid;
    int port;
    dg_test_account acct;
    bool force_tls;                       /* set before start: refuse plain FTP logins */
    char dir[DG_TEST_PATH_MAX];           /* scratch: config, cert, log */
    char root[DG_TEST_PATH_MAX];          /* the login's chroot: remote "/" is this folder */
    char cert_file[DG_TEST_PATH_MAX];     /* self-signed certificate (also usable as ca_file) */
    char other_ca_file[DG_TEST_PATH_MAX]; /* an unrelated self-signed cert: not a trust anchor */
    char log_file[DG_TEST_PATH_MAX];
    char xfer_log[DG_TEST_PATH_MAX]; /* vsftpd's own log (CONNECT, OK LOGIN, transfers) */
    char why[512];
} dg_test_ftpd;

/* Starts the server and waits until it accepts connections. 0 on success; -1 when it cannot
 * run here (missing binary, no permission): s->why says why, so callers skip with that text. */
int dg_test_sshd_start(dg_test_sshd *s);
void dg_test_sshd_stop(dg_test_sshd *s);
int dg_test_ftpd_start(dg_test_ftpd *s);
void dg_test_ftpd_stop(dg_test_ftpd *s);

/* Kills the server hard (SIGKILL) without cleaning up its folders, e.g. mid-transfer; then
 * dg_test_*_restart brings it back on the same port with the same keys and folders. */
void dg_test_sshd_kill(dg_test_sshd *s);
int dg_test_sshd_restart(dg_test_sshd *s);
void dg_test_ftpd_kill(dg_test_ftpd *s);
int dg_test_ftpd_restart(dg_test_ftpd *s);

/* A watcher thread (dg_test_kill_when_uploading) that kills sshd or ftpd (whichever is set)
 * once any regular file in dir (temporary or final name) holds more than 4 MiB: a server that
 * dies half way through an upload. Set stop once the upload has ended first. */
typedef struct dg_test_upload_killer {
    const char *dir;
    dg_test_sshd *sshd;
    dg_test_ftpd *ftpd;
    _Atomic bool killed, stop;
} dg_test_upload_killer;
void *dg_test_kill_when_uploading(void *killer);

/* Sends sig to a server and all its session processes (SIGSTOP: a server that hangs). */
void dg_test_server_signal(pid_t pid, int sig);

/* Gives path (recursively) to the server account, so files the test wrote as root can be
 * renamed or deleted by the server login. No-op when not root. */
void dg_test_server_chown(const dg_test_account *a, const char *path);

/* A free TCP port on 127.0.0.1 (bound then released). */
int dg_test_free_port(void);

/* Writes size bytes of pseudo-random data (seeded, so reproducible) to path; 0 on success. */
int dg_test_make_file(const char *path, unsigned long long size, unsigned seed);
/* Sends stderr (where dg_log writes) to a file until dg_test_capture_end, which returns what
 * was written (malloc'd, NUL-terminated). Used to prove secrets never reach the log. */
void dg_test_capture_begin(void);
char *dg_test_capture_end(void);
/* Peak resident set size of this process in KiB (getrusage ru_maxrss). */
long dg_test_maxrss_kb(void);

#endif
