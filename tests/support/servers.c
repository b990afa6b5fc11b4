/* Starts and stops real OpenSSH sshd and vsftpd instances for transport tests. Each server gets a
 * scratch folder under /tmp (the server account must traverse it), and is killed with all its
 * session processes at stop or at exit, so a failed test never leaves a server behind. */
#include "servers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#define TEST_USER "dgtest"
#define TEST_PASSWORD "dg-Test-pw-7351"
#define KEY_PASSPHRASE "dg-key-phrase-42"

/* Servers still running, stopped by the atexit hook if the test did not. */
typedef struct running {
    pid_t pid;
    char dir[DG_TEST_PATH_MAX];
    char root[DG_TEST_PATH_MAX];
} running;
static running g_running[16];
static bool g_atexit_set;
static pid_t g_owner; /* the process that started the servers */

/* SIGTERM / SIGINT (a timeout, ^C): stop the servers, then die of the signal as before. */
static void on_fatal_signal(int sig);

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return st == -1 ? -1 : (WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void rmtree(const char *path)
{
    if (path[0] && strcmp(path, "/") && !strncmp(path, "/tmp/dg", 7))
        run("rm -rf '%s'", path);
}

/* Every descendant of pid (sshd and vsftpd fork per connection, and sessions call setsid, so a
 * process group is not enough). */
static void kill_tree(pid_t pid, int sig)
{
    pid_t pids[4096], ppids[4096];
    size_t n = 0;
    DIR *d = opendir("/proc");
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) && n < 4096) {
            char *end;
            long p = strtol(e->d_name, &end, 10);
            if (*end || p <= 0)
                continue;
            char path[64], buf[512];
            snprintf(path, sizeof path, "/proc/%ld/stat", p);
            FILE *f = fopen(path, "r");
            if (!f)
                continue;
            size_t len = fread(buf, 1, sizeof buf - 1, f);
            fclose(f);
            buf[len] = '\0';
            char *rp = strrchr(buf, ')');
            long pp = 0;
            char state;
            if (rp && sscanf(rp + 1, " %c %ld", &state, &pp) == 2) {
                pids[n] = (pid_t)p;
                ppids[n++] = (pid_t)pp;
            }
        }
        closedir(d);
    }
    /* Breadth-first over the parent links. */
    pid_t todo[4096];
    size_t head = 0, tail = 0;
    todo[tail++] = pid;
    while (head < tail) {
        pid_t cur = todo[head++];
        for (size_t i = 0; i < n && tail < 4096; i++)
            if (ppids[i] == cur)
                todo[tail++] = pids[i];
    }
    for (size_t i = tail; i-- > 0;)
        kill(todo[i], sig);
}

void dg_test_server_signal(pid_t pid, int sig)
{
    if (pid > 0)
        kill_tree(pid, sig);
}

static void reap(pid_t pid)
{
    for (int i = 0; i < 300; i++) {
        pid_t r = waitpid(pid, NULL, WNOHANG);
        if (r == pid || (r < 0 && errno == ECHILD))
            return;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

static void forget(pid_t pid)
{
    for (size_t i = 0; i < sizeof g_running / sizeof *g_running; i++)
        if (g_running[i].pid == pid)
            g_running[i].pid = 0;
}

static void stop_all(void)
{
    /* A forked child of the test that calls exit() must not stop its parent's servers. */
    if (getpid() != g_owner)
        return;
    for (size_t i = 0; i < sizeof g_running / sizeof *g_running; i++) {
        running *r = &g_running[i];
        if (r->pid > 0) {
            kill_tree(r->pid, SIGKILL);
            reap(r->pid);
        }
        if (r->dir[0])
            rmtree(r->dir);
        if (r->root[0])
            rmtree(r->root);
        memset(r, 0, sizeof *r);
    }
}

static void remember(pid_t pid, const char *dir, const char *root)
{
    if (!g_atexit_set) {
        g_owner = getpid();
        atexit(stop_all);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_fatal_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = (int)SA_RESETHAND;
        struct sigaction old;
        if (!sigaction(SIGTERM, NULL, &old) && old.sa_handler == SIG_DFL)
            sigaction(SIGTERM, &sa, NULL);
        if (!sigaction(SIGINT, NULL, &old) && old.sa_handler == SIG_DFL)
            sigaction(SIGINT, &sa, NULL);
        g_atexit_set = true;
    }
    for (size_t i = 0; i < sizeof g_running / sizeof *g_running; i++) {
        running *r = &g_running[i];
        if (r->pid == 0 && (!r->dir[0] || !strcmp(r->dir, dir))) {
            r->pid = pid;
            snprintf(r->dir, sizeof r->dir, "%s", dir);
            snprintf(r->root, sizeof r->root, "%s", root);
            return;
        }
    }
}

static void forget_dirs(const char *dir)
{
    for (size_t i = 0; i < sizeof g_running / sizeof *g_running; i++)
        if (!strcmp(g_running[i].dir, dir))
            memset(&g_running[i], 0, sizeof g_running[i]);
}

static void on_fatal_signal(int sig)
{
    /* Not async-signal-safe (opendir, system), but the process is going away anyway and a
     * server left running would hold its port and folders. */
    stop_all();
    raise(sig);
}

int dg_test_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = -1;
    if (!bind(fd, (struct sockaddr *)&a, sizeof a) && !getsockname(fd, (struct sockaddr *)&a, &len))
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static bool port_free(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

static bool can_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

static int account(dg_test_account *a, char *why, size_t why_size)
{
    memset(a, 0, sizeof *a);
    struct passwd *pw;
    if (geteuid() == 0) {
        if (!getpwnam(TEST_USER))
            run("useradd -M -d /tmp -s /bin/sh %s >/dev/null 2>&1", TEST_USER);
        pw = getpwnam(TEST_USER);
        if (!pw) {
            snprintf(why, why_size, "cannot create the test user %s (useradd)", TEST_USER);
            return -1;
        }
        if (run("echo '%s:%s' | chpasswd >/dev/null 2>&1", TEST_USER, TEST_PASSWORD)) {
            snprintf(why, why_size, "cannot set the password of %s (chpasswd)", TEST_USER);
            return -1;
        }
        snprintf(a->password, sizeof a->password, "%s", TEST_PASSWORD);
    } else {
        pw = getpwuid(geteuid());
        if (!pw) {
            snprintf(why, why_size, "no passwd entry for uid %u", (unsigned)geteuid());
            return -1;
        }
    }
    snprintf(a->user, sizeof a->user, "%s", pw->pw_name);
    a->uid = pw->pw_uid;
    a->gid = pw->pw_gid;
    return 0;
}

void dg_test_server_chown(const dg_test_account *a, const char *path)
{
    if (geteuid() == 0 && a->uid != 0)
        run("chown -R %u:%u '%s'", (unsigned)a->uid, (unsigned)a->gid, path);
}

static int make_dir(const char *tag, char *out, size_t size)
{
    snprintf(out, size, "/tmp/dg%s-XXXXXX", tag);
    if (!mkdtemp(out))
        return -1;
    chmod(out, 0755);
    return 0;
}

/* Forks cmd (argv) with stdout/stderr to log, in its own process group. */
static pid_t spawn(char *const argv[], const char *log)
{
    bool main_thread = syscall(SYS_gettid) == getpid();
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    setpgid(0, 0);
    /* If the test dies without cleaning up (SIGKILL), the server goes with it. Only when
     * started from the main thread: the signal follows the thread, not the process. */
    if (main_thread)
        prctl(PR_SET_PDEATHSIG, SIGKILL);
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
    }
    int nul = open("/dev/null", O_RDONLY);
    if (nul >= 0) {
        dup2(nul, 0);
        close(nul);
    }
    execv(argv[0], argv);
    _exit(127);
}

static void tail_log(const char *log, char *why, size_t size, const char *what)
{
    char buf[400] = "";
    FILE *f = fopen(log, "r");
    if (f) {
        fseek(f, 0, SEEK_END);
        long len = ftell(f);
        fseek(f, len > 300 ? len - 300 : 0, SEEK_SET);
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
        for (char *p = buf; *p; p++)
            if (*p == '\n')
                *p = ' ';
    }
    snprintf(why, size, "%s did not start: %s", what, buf);
}

/* Waits until the server listens; -1 when it exited or never listened. */
static int wait_ready(pid_t pid, int port)
{
    for (int i = 0; i < 500; i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return -1;
        if (can_connect(port))
            return 0;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return -1;
}

/* ---- sshd ---- */

static int sshd_spawn(dg_test_sshd *s)
{
    char conf[DG_TEST_PATH_MAX + 32];
    snprintf(conf, sizeof conf, "%s/sshd_config", s->dir);
    char *argv[] = {"/usr/sbin/sshd", "-D", "-e", "-f", conf, NULL};
    s->pid = spawn(argv, s->log_file);
    if (s->pid < 0 || wait_ready(s->pid, s->port)) {
        tail_log(s->log_file, s->why, sizeof s->why, "sshd");
        if (s->pid > 0) {
            kill(s->pid, SIGKILL);
            reap(s->pid);
        }
        s->pid = 0;
        return -1;
    }
    remember(s->pid, s->dir, s->root);
    return 0;
}

static int read_fingerprint(const char *pub, char *out, size_t size)
{
    char cmd[DG_TEST_PATH_MAX + 64];
    snprintf(cmd, sizeof cmd, "ssh-keygen -l -E sha256 -f '%s'", pub);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    char line[512] = "", fp[256] = "";
    char *got = fgets(line, sizeof line, p);
    pclose(p);
    if (!got || sscanf(line, "%*d %255s", fp) != 1 || strncmp(fp, "SHA256:", 7))
        return -1;
    snprintf(out, size, "%s", fp);
    return 0;
}

static int write_known_hosts(const char *path, int port, const char *pub)
{
    char *text = NULL;
    size_t len = 0;
    FILE *in = fopen(pub, "r");
    if (!in)
        return -1;
    char line[1024];
    if (!fgets(line, sizeof line, in)) {
        fclose(in);
        return -1;
    }
    fclose(in);
    line[strcspn(line, "\r\n")] = '\0';
    FILE *out = open_memstream(&text, &len);
    fprintf(out, "[127.0.0.1]:%d %s\n", port, line);
    fclose(out);
    FILE *f = fopen(path, "w");
    if (!f) {
        free(text);
        return -1;
    }
    fputs(text, f);
    free(text);
    return fclose(f) ? -1 : 0;
}

int dg_test_sshd_start(dg_test_sshd *s)
{
    memset(s, 0, sizeof *s);
    if (access("/usr/sbin/sshd", X_OK)) {
        snprintf(s->why, sizeof s->why, "/usr/sbin/sshd not installed (openssh-server)");
        return -1;
    }
    if (account(&s->acct, s->why, sizeof s->why))
        return -1;
    if (make_dir("sshd", s->dir, sizeof s->dir) || make_dir("sroot", s->root, sizeof s->root)) {
        snprintf(s->why, sizeof s->why, "cannot create a folder under /tmp");
        return -1;
    }
    dg_test_server_chown(&s->acct, s->root);
    if (geteuid() == 0)
        mkdir("/run/sshd", 0755); /* privilege separation folder, absent in fresh containers */
    const char *d = s->dir;
    snprintf(s->key_file, sizeof s->key_file, "%s/id_ed25519", d);
    snprintf(s->key_file_enc, sizeof s->key_file_enc, "%s/id_ed25519_enc", d);
    snprintf(s->key_passphrase, sizeof s->key_passphrase, "%s", KEY_PASSPHRASE);
    snprintf(s->known_hosts, sizeof s->known_hosts, "%s/known_hosts", d);
    snprintf(s->other_known_hosts, sizeof s->other_known_hosts, "%s/known_hosts_other", d);
    snprintf(s->empty_known_hosts, sizeof s->empty_known_hosts, "%s/known_hosts_empty", d);
    snprintf(s->log_file, sizeof s->log_file, "%s/sshd.log", d);
    /* A second host key of another type: like real servers, and libssh2 would pick it first
     * unless the client prefers the type known_hosts has. */
    if (run("ssh-keygen -q -t ed25519 -N '' -C dg-host -f '%s/host_ed25519' </dev/null", d) ||
        run("ssh-keygen -q -t ecdsa -N '' -C dg-host-ecdsa -f '%s/host_ecdsa' </dev/null", d) ||
        run("ssh-keygen -q -t ed25519 -N '' -C dg-other -f '%s/other_ed25519' </dev/null", d) ||
        run("ssh-keygen -q -t ed25519 -N '' -C dg-user -f '%s' </dev/null", s->key_file) ||
        run("ssh-keygen -q -t ed25519 -N '%s' -C dg-user-enc -f '%s' </dev/null", KEY_PASSPHRASE,
            s->key_file_enc) ||
        run("cat '%s.pub' '%s.pub' > '%s/authorized_keys' && chmod 644 '%s/authorized_keys'",
            s->key_file, s->key_file_enc, d, d)) {
        snprintf(s->why, sizeof s->why, "ssh-keygen failed");
        return -1;
    }
    char pub[DG_TEST_PATH_MAX + 32];
    snprintf(pub, sizeof pub, "%s/host_ed25519.pub", d);
    char pub_ecdsa[DG_TEST_PATH_MAX + 32];
    snprintf(pub_ecdsa, sizeof pub_ecdsa, "%s/host_ecdsa.pub", d);
    if (read_fingerprint(pub, s->host_fingerprint, sizeof s->host_fingerprint) ||
        read_fingerprint(pub_ecdsa, s->host_fingerprint_ecdsa, sizeof s->host_fingerprint_ecdsa)) {
        snprintf(s->why, sizeof s->why, "ssh-keygen -l failed");
        return -1;
    }
    s->port = dg_test_free_port();
    char other[DG_TEST_PATH_MAX + 32];
    snprintf(other, sizeof other, "%s/other_ed25519.pub", d);
    FILE *e = fopen(s->empty_known_hosts, "w");
    if (e)
        fclose(e);
    if (s->port <= 0 || !e || write_known_hosts(s->known_hosts, s->port, pub) ||
        write_known_hosts(s->other_known_hosts, s->port, other)) {
        snprintf(s->why, sizeof s->why, "cannot write known_hosts files");
        return -1;
    }
    char conf[DG_TEST_PATH_MAX + 32];
    snprintf(conf, sizeof conf, "%s/sshd_config", d);
    FILE *f = fopen(conf, "w");
    if (!f) {
        snprintf(s->why, sizeof s->why, "cannot write %s", conf);
        return -1;
    }
    fprintf(f,
            "Port %d\nListenAddress 127.0.0.1\nHostKey %s/host_ecdsa\nHostKey %s/host_ed25519\n"
            "PidFile none\n"
            "AuthorizedKeysFile %s/authorized_keys\nStrictModes no\nUsePAM no\n"
            "PasswordAuthentication yes\nKbdInteractiveAuthentication no\n"
            "PubkeyAuthentication yes\nPermitRootLogin yes\nUseDNS no\nLogLevel VERBOSE\n"
            "MaxStartups 200\nMaxSessions 50\nMaxAuthTries 20\n"
            "Subsystem sftp internal-sftp\n",
            s->port, d, d, d);
    fclose(f);
    return sshd_spawn(s);
}

void dg_test_sshd_kill(dg_test_sshd *s)
{
    if (s->pid > 0) {
        kill_tree(s->pid, SIGKILL);
        reap(s->pid);
        forget(s->pid);
        s->pid = 0;
    }
}

int dg_test_sshd_restart(dg_test_sshd *s)
{
    dg_test_sshd_kill(s);
    return sshd_spawn(s);
}

void dg_test_sshd_stop(dg_test_sshd *s)
{
    dg_test_sshd_kill(s);
    if (!getenv("DG_TEST_KEEP_SERVERS")) {
        rmtree(s->dir);
        rmtree(s->root);
    }
    forget_dirs(s->dir);
}

/* ---- vsftpd ---- */

static int ftpd_spawn(dg_test_ftpd *s)
{
    char conf[DG_TEST_PATH_MAX + 32];
    snprintf(conf, sizeof conf, "%s/vsftpd.conf", s->dir);
    char *argv[] = {"/usr/sbin/vsftpd", conf, NULL};
    s->pid = spawn(argv, s->log_file);
    if (s->pid < 0 || wait_ready(s->pid, s->port)) {
        tail_log(s->log_file, s->why, sizeof s->why, "vsftpd");
        if (s->pid > 0) {
            kill(s->pid, SIGKILL);
            reap(s->pid);
        }
        s->pid = 0;
        return -1;
    }
    remember(s->pid, s->dir, s->root);
    return 0;
}

/* Passive data ports of the test vsftpd: every small transfer takes one, and after a transfer
 * the port can sit in TIME_WAIT for a minute; 16 ports ran out (EPSV answered 500) in a
 * benchmark of ~20,000 transfers, so keep plenty. */
#define PASV_PORTS 128

static int passive_range(void)
{
    for (int tries = 0; tries < 50; tries++) {
        int base = 30000 + (int)((unsigned)rand() % 30000u);
        bool ok = true;
        for (int p = base; p < base + PASV_PORTS && ok; p++)
            ok = port_free(p);
        if (ok)
            return base;
    }
    return -1;
}

int dg_test_ftpd_start(dg_test_ftpd *s)
{
    bool force_tls = s->force_tls;
    memset(s, 0, sizeof *s);
    s->force_tls = force_tls;
    if (access("/usr/sbin/vsftpd", X_OK)) {
        snprintf(s->why, sizeof s->why, "/usr/sbin/vsftpd not installed");
        return -1;
    }
    if (geteuid() != 0) {
        snprintf(s->why, sizeof s->why, "vsftpd local logins need root (tests run as uid %u)",
                 (unsigned)geteuid());
        return -1;
    }
    if (account(&s->acct, s->why, sizeof s->why))
        return -1;
    if (make_dir("ftpd", s->dir, sizeof s->dir) || make_dir("froot", s->root, sizeof s->root)) {
        snprintf(s->why, sizeof s->why, "cannot create a folder under /tmp");
        return -1;
    }
    dg_test_server_chown(&s->acct, s->root);
    const char *d = s->dir;
    snprintf(s->cert_file, sizeof s->cert_file, "%s/cert.pem", d);
    snprintf(s->other_ca_file, sizeof s->other_ca_file, "%s/other.pem", d);
    snprintf(s->log_file, sizeof s->log_file, "%s/vsftpd.log", d);
    /* vsftpd appends a line per transfer: on a busy disk such a write can wait behind other
     * processes' fsyncs for long, so keep it in memory when /dev/shm is there. */
    struct stat shm;
    const char *base = strrchr(d, '/') + 1;
    if (!stat("/dev/shm", &shm) && S_ISDIR(shm.st_mode) && !access("/dev/shm", W_OK))
        snprintf(s->xfer_log, sizeof s->xfer_log, "/dev/shm/%s-xfer.log", base);
    else
        snprintf(s->xfer_log, sizeof s->xfer_log, "%s/xfer.log", d);
    const char *req = "openssl req -x509 -newkey rsa:2048 -nodes -days 3 -subj /CN=127.0.0.1 "
                      "-addext subjectAltName=IP:127.0.0.1";
    if (run("%s -keyout '%s/key.pem' -out '%s' >/dev/null 2>&1", req, d, s->cert_file) ||
        run("%s -keyout '%s/other.key' -out '%s' >/dev/null 2>&1", req, d, s->other_ca_file)) {
        snprintf(s->why, sizeof s->why, "openssl req failed");
        return -1;
    }
    srand((unsigned)getpid() ^ (unsigned)time(NULL));
    s->port = dg_test_free_port();
    int pasv = passive_range();
    if (s->port <= 0 || pasv <= 0) {
        snprintf(s->why, sizeof s->why, "no free ports");
        return -1;
    }
    mkdir("/var/run/vsftpd", 0755);
    mkdir("/var/run/vsftpd/empty", 0755);
    char conf[DG_TEST_PATH_MAX + 32];
    snprintf(conf, sizeof conf, "%s/vsftpd.conf", d);
    FILE *f = fopen(conf, "w");
    if (!f) {
        snprintf(s->why, sizeof s->why, "cannot write %s", conf);
        return -1;
    }
    const char *yn = s->force_tls ? "YES" : "NO";
    fprintf(f,
            "listen=YES\nlisten_ipv6=NO\nlisten_address=127.0.0.1\nlisten_port=%d\n"
            "background=NO\nanonymous_enable=NO\nlocal_enable=YES\nwrite_enable=YES\n"
            "local_umask=022\nchroot_local_user=YES\nallow_writeable_chroot=YES\n"
            "local_root=%s\npasv_enable=YES\npasv_min_port=%d\npasv_max_port=%d\n"
            "pasv_address=127.0.0.1\nport_enable=YES\nconnect_from_port_20=NO\n"
            "secure_chroot_dir=/var/run/vsftpd/empty\npam_service_name=vsftpd\n"
            "seccomp_sandbox=NO\nisolate=NO\nisolate_network=NO\n"
            "xferlog_enable=YES\nvsftpd_log_file=%s\nlog_ftp_protocol=NO\n"
            "max_clients=200\nmax_per_ip=200\nuse_localtime=NO\ndirmessage_enable=NO\n"
            "idle_session_timeout=120\ndata_connection_timeout=60\n"
            "ssl_enable=YES\nallow_anon_ssl=NO\nforce_local_logins_ssl=%s\n"
            "force_local_data_ssl=%s\nssl_tlsv1=YES\nssl_sslv2=NO\nssl_sslv3=NO\n"
            "require_ssl_reuse=NO\nssl_ciphers=HIGH\nrsa_cert_file=%s\n"
            "rsa_private_key_file=%s/key.pem\n",
            s->port, s->root, pasv, pasv + PASV_PORTS - 1, s->xfer_log, yn, yn, s->cert_file, d);
    fclose(f);
    return ftpd_spawn(s);
}

void dg_test_ftpd_kill(dg_test_ftpd *s)
{
    if (s->pid > 0) {
        kill_tree(s->pid, SIGKILL);
        reap(s->pid);
        forget(s->pid);
        s->pid = 0;
    }
}

int dg_test_ftpd_restart(dg_test_ftpd *s)
{
    dg_test_ftpd_kill(s);
    return ftpd_spawn(s);
}

void dg_test_ftpd_stop(dg_test_ftpd *s)
{
    dg_test_ftpd_kill(s);
    if (!strncmp(s->xfer_log, "/dev/shm/dg", 11))
        unlink(s->xfer_log);
    if (!getenv("DG_TEST_KEEP_SERVERS")) {
        rmtree(s->dir);
        rmtree(s->root);
    }
    forget_dirs(s->dir);
}

/* ---- small helpers for transport tests ---- */

int dg_test_make_file(const char *path, unsigned long long size, unsigned seed)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    static unsigned char buf[1 << 16];
    unsigned long long x = seed * 2654435761ull + 1;
    for (unsigned long long done = 0; done < size;) {
        size_t n = size - done < sizeof buf ? (size_t)(size - done) : sizeof buf;
        for (size_t i = 0; i < n; i += 8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            for (size_t k = 0; k < 8 && i + k < n; k++)
                buf[i + k] = (unsigned char)(x >> (8 * k));
        }
        if (fwrite(buf, 1, n, f) != n) {
            fclose(f);
            return -1;
        }
        done += n;
    }
    return fclose(f) ? -1 : 0;
}

static int g_saved_stderr = -1;
static char g_capture_path[64];

void dg_test_capture_begin(void)
{
    fflush(stderr);
    snprintf(g_capture_path, sizeof g_capture_path, "/tmp/dgcapture-XXXXXX");
    int fd = mkstemp(g_capture_path);
    if (fd < 0)
        return;
    g_saved_stderr = dup(2);
    dup2(fd, 2);
    close(fd);
}

char *dg_test_capture_end(void)
{
    fflush(stderr);
    if (g_saved_stderr >= 0) {
        dup2(g_saved_stderr, 2);
        close(g_saved_stderr);
        g_saved_stderr = -1;
    }
    char *text = NULL;
    FILE *f = fopen(g_capture_path, "r");
    if (f) {
        fseek(f, 0, SEEK_END);
        long len = ftell(f);
        rewind(f);
        text = calloc(1, (size_t)(len > 0 ? len : 0) + 1);
        if (text && len > 0 && fread(text, 1, (size_t)len, f) != (size_t)len)
            text[0] = '\0';
        fclose(f);
        unlink(g_capture_path);
    }
    if (!text)
        text = calloc(1, 1);
    /* Replay it, so the test log still shows what happened. */
    fputs(text, stderr);
    return text;
}

long dg_test_maxrss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

void *dg_test_kill_when_uploading(void *v)
{
    dg_test_upload_killer *k = v;
    for (int i = 0; i < 40000 && !k->killed && !k->stop; i++) {
        DIR *d = opendir(k->dir);
        for (struct dirent *e; d && (e = readdir(d));) {
            char path[2300];
            struct stat st;
            snprintf(path, sizeof path, "%s/%s", k->dir, e->d_name);
            if (!stat(path, &st) && S_ISREG(st.st_mode) && st.st_size > 4 * 1024 * 1024) {
                if (k->sshd)
                    dg_test_sshd_kill(k->sshd);
                if (k->ftpd)
                    dg_test_ftpd_kill(k->ftpd);
                k->killed = true;
                break;
            }
        }
        if (d)
            closedir(d);
        usleep(500);
    }
    return NULL;
}
