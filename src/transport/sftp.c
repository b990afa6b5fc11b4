/* SFTP over libssh2: host key checked against an OpenSSH known_hosts file (strict by default),
 * password, keyboard-interactive or key-file login, keepalive, and a timeout on every call. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libssh2.h>
#include <libssh2_sftp.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/log.h"
#include "transport/transport_internal.h"

/* Large buffers let libssh2 1.10 keep many SFTP read/write requests in flight. */
#define SFTP_CHUNK (2u << 20)

/* libssh2's convenience macros pass strlen() as unsigned int; these keep -Wconversion quiet. */
static unsigned len32(const char *s)
{
    return (unsigned)strlen(s);
}
#define SF_OPENDIR(sf, p) libssh2_sftp_open_ex((sf), (p), len32(p), 0, 0, LIBSSH2_SFTP_OPENDIR)
#define SF_OPEN(sf, p, fl, mode)                                                                   \
    libssh2_sftp_open_ex((sf), (p), len32(p), (fl), (mode), LIBSSH2_SFTP_OPENFILE)
#define SF_STAT(sf, p, a) libssh2_sftp_stat_ex((sf), (p), len32(p), LIBSSH2_SFTP_STAT, (a))
#define SF_UNLINK(sf, p) libssh2_sftp_unlink_ex((sf), (p), len32(p))
#define SF_MKDIR(sf, p, mode) libssh2_sftp_mkdir_ex((sf), (p), len32(p), (mode))

typedef struct sftp_state {
    int sock;
    LIBSSH2_SESSION *session;
    LIBSSH2_SFTP *sftp;
    bool broken; /* the session failed: tear down without talking to the server */
    char *buf;
} sftp_state;

static pthread_once_t g_init_once = PTHREAD_ONCE_INIT;
static int g_init_rc;

static void init_libssh2(void)
{
    g_init_rc = libssh2_init(0);
}

static sftp_state *st_of(dg_transport *t)
{
    return t->impl;
}

static const char *session_msg(sftp_state *s)
{
    char *msg = NULL;
    if (!s->session)
        return "no session";
    libssh2_session_last_error(s->session, &msg, NULL, 0);
    return msg && *msg ? msg : "unknown error";
}

static const char *fx_name(unsigned long fx)
{
    switch (fx) {
    case LIBSSH2_FX_EOF: return "end of file";
    case LIBSSH2_FX_NO_SUCH_FILE: return "no such file";
    case LIBSSH2_FX_PERMISSION_DENIED: return "permission denied";
    case LIBSSH2_FX_FAILURE: return "failure";
    case LIBSSH2_FX_BAD_MESSAGE: return "bad message";
    case LIBSSH2_FX_OP_UNSUPPORTED: return "operation unsupported";
    case LIBSSH2_FX_NO_SUCH_PATH: return "no such path";
    case LIBSSH2_FX_FILE_ALREADY_EXISTS: return "file already exists";
    case LIBSSH2_FX_WRITE_PROTECT: return "write protected";
    case LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM: return "no space on file system";
    case LIBSSH2_FX_QUOTA_EXCEEDED: return "quota exceeded";
    default: return "error";
    }
}

/* Maps a libssh2 failure to a DG_E* code: SFTP status answers are about the file; anything
 * else means the session is gone (DG_ENET / DG_ETIMEOUT: reconnect and retry). */
static int fail(dg_transport *t, int rc, const char *what, const char *path, dg_error *err)
{
    sftp_state *s = st_of(t);
    if (rc == LIBSSH2_ERROR_SFTP_PROTOCOL && s->sftp) {
        unsigned long fx = libssh2_sftp_last_error(s->sftp);
        int code =
            fx == LIBSSH2_FX_NO_SUCH_FILE || fx == LIBSSH2_FX_NO_SUCH_PATH ? DG_ENOTFOUND : DG_EIO;
        return dg_error_set(err, code, "%s: %s '%s': %s (SFTP status %lu)", t->describe, what, path,
                            fx_name(fx), fx);
    }
    s->broken = true;
    if (rc == LIBSSH2_ERROR_TIMEOUT)
        return dg_error_set(err, DG_ETIMEOUT, "%s: %s '%s': no answer within %ld ms", t->describe,
                            what, path, t->cfg.timeout_ms);
    return dg_error_set(err, DG_ENET, "%s: %s '%s': connection lost: %s", t->describe, what, path,
                        session_msg(s));
}

static int last_rc(sftp_state *s)
{
    int rc = libssh2_session_last_errno(s->session);
    return rc ? rc : LIBSSH2_ERROR_SOCKET_DISCONNECT;
}

/* TCP connect with a deadline (a blocking connect could hang for minutes). */
static int tcp_connect(dg_transport *t, int *out, dg_error *err)
{
    char port[16];
    snprintf(port, sizeof port, "%d", t->cfg.port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(t->cfg.host, port, &hints, &res);
    if (gai)
        return dg_error_set(err, DG_ENET, "%s: cannot resolve host '%s': %s", t->describe,
                            t->cfg.host, gai_strerror(gai));
    int last = 0;
    bool timed_out = false;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            last = errno;
            continue;
        }
        int fl = fcntl(fd, F_GETFL);
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
        int rc = connect(fd, a->ai_addr, a->ai_addrlen);
        if (rc && errno == EINPROGRESS) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            int pr = poll(&p, 1, (int)t->cfg.timeout_ms);
            if (pr == 0) {
                timed_out = true;
                errno = ETIMEDOUT;
                rc = -1;
            } else {
                int soerr = 0;
                socklen_t len = sizeof soerr;
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
                rc = soerr ? -1 : 0;
                if (soerr)
                    errno = soerr;
            }
        }
        if (rc == 0) {
            fcntl(fd, F_SETFL, fl);
            int one = 1;
            setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
            freeaddrinfo(res);
            *out = fd;
            return 0;
        }
        last = errno;
        close(fd);
    }
    freeaddrinfo(res);
    if (timed_out)
        return dg_error_set(err, DG_ETIMEOUT, "%s: connect timed out after %ld ms", t->describe,
                            t->cfg.timeout_ms);
    return dg_error_set(err, DG_ENET, "%s: cannot connect: %s", t->describe, strerror(last));
}

static int knownhost_type(int hostkey_type)
{
    switch (hostkey_type) {
    case LIBSSH2_HOSTKEY_TYPE_RSA: return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
    case LIBSSH2_HOSTKEY_TYPE_DSS: return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
    case LIBSSH2_HOSTKEY_TYPE_ED25519: return LIBSSH2_KNOWNHOST_KEY_ED25519;
    default: return LIBSSH2_KNOWNHOST_KEY_UNKNOWN;
    }
}

static const char *hostkey_name(int type)
{
    switch (type) {
    case LIBSSH2_HOSTKEY_TYPE_RSA: return "ssh-rsa";
    case LIBSSH2_HOSTKEY_TYPE_DSS: return "ssh-dss";
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return "ecdsa-sha2-nistp256";
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return "ecdsa-sha2-nistp384";
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return "ecdsa-sha2-nistp521";
    case LIBSSH2_HOSTKEY_TYPE_ED25519: return "ssh-ed25519";
    default: return "unknown";
    }
}

/* Loads known_hosts line by line, so one line libssh2 cannot read (a marker, a key type it
 * does not know) does not hide the others. Returns the number of usable entries, -1 if
 * the file cannot be opened. */
static int load_known_hosts(LIBSSH2_KNOWNHOSTS *kh, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[16384];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        size_t len = strcspn(line, "\r\n");
        if (!len || line[0] == '#')
            continue;
        line[len] = '\0';
        if (!libssh2_knownhost_readline(kh, line, len, LIBSSH2_KNOWNHOST_FILE_OPENSSH))
            n++;
    }
    fclose(f);
    return n;
}

/* Does one known_hosts host pattern name this host? Plain names and OpenSSH's hashed form
 * ("|1|salt|HMAC-SHA1(salt, name)"); wildcards are not matched. */
static bool host_matches(const char *pat, size_t len, const char *name)
{
    if (len > 3 && !strncmp(pat, "|1|", 3)) {
        char salt64[128], hash64[128];
        const char *bar = memchr(pat + 3, '|', len - 3);
        if (!bar || (size_t)(bar - pat - 3) >= sizeof salt64 ||
            (size_t)(pat + len - bar - 1) >= sizeof hash64)
            return false;
        size_t sl = (size_t)(bar - pat - 3), hl = (size_t)(pat + len - bar - 1);
        memcpy(salt64, pat + 3, sl);
        salt64[sl] = '\0';
        memcpy(hash64, bar + 1, hl);
        hash64[hl] = '\0';
        unsigned char salt[128], want[128], got[EVP_MAX_MD_SIZE];
        int sn = EVP_DecodeBlock(salt, (const unsigned char *)salt64, (int)sl);
        int wn = EVP_DecodeBlock(want, (const unsigned char *)hash64, (int)hl);
        if (sn < 20 || wn < 20)
            return false;
        unsigned gl = 0;
        HMAC(EVP_sha1(), salt, 20, (const unsigned char *)name, strlen(name), got, &gl);
        return gl == 20 && !memcmp(got, want, 20);
    }
    return strlen(name) == len && !strncasecmp(pat, name, len);
}

/* Host key algorithms for a key type named in known_hosts. */
static const char *algs_for(const char *type)
{
    if (!strcmp(type, "ssh-rsa"))
        return "rsa-sha2-512,rsa-sha2-256,ssh-rsa";
    if (!strcmp(type, "ssh-ed25519") || !strncmp(type, "ecdsa-sha2-nistp", 16) ||
        !strcmp(type, "ssh-dss"))
        return type;
    return NULL;
}

/* libssh2 takes the first host key algorithm both sides have, whatever known_hosts holds;
 * OpenSSH asks first for the types it knows for the host. Do the same, so a server with
 * several host keys is checked against the one we have. */
static void prefer_known_types(dg_transport *t, LIBSSH2_SESSION *session)
{
    const char *path = t->cfg.known_hosts;
    FILE *f = path && *path ? fopen(path, "r") : NULL;
    if (!f)
        return;
    char name1[600], name2[600];
    snprintf(name1, sizeof name1, "[%s]:%d", t->cfg.host, t->cfg.port);
    snprintf(name2, sizeof name2, "%s", t->cfg.host);
    bool port22 = t->cfg.port == 22;
    char pref[1024] = "", line[16384];
    while (fgets(line, sizeof line, f)) {
        char hosts[8192], type[128];
        if (line[0] == '#' || line[0] == '@' || sscanf(line, "%8191s %127s", hosts, type) != 2)
            continue;
        bool match = false;
        for (const char *p = hosts; *p && !match;) {
            size_t n = strcspn(p, ",");
            match = host_matches(p, n, name1) || (port22 && host_matches(p, n, name2));
            p += n + (p[n] == ',');
        }
        const char *algs = match ? algs_for(type) : NULL;
        if (algs && !strstr(pref, algs) && strlen(pref) + strlen(algs) + 2 < sizeof pref) {
            if (*pref)
                strcat(pref, ",");
            strcat(pref, algs);
        }
    }
    fclose(f);
    if (!*pref)
        return;
    static const char *const rest[] = {"ssh-ed25519",
                                       "ecdsa-sha2-nistp256",
                                       "ecdsa-sha2-nistp384",
                                       "ecdsa-sha2-nistp521",
                                       "rsa-sha2-512",
                                       "rsa-sha2-256",
                                       "ssh-rsa"};
    for (size_t i = 0; i < sizeof rest / sizeof *rest; i++)
        if (!strstr(pref, rest[i]) && strlen(pref) + strlen(rest[i]) + 2 < sizeof pref) {
            strcat(pref, ",");
            strcat(pref, rest[i]);
        }
    /* libssh2 1.10 drops unsupported names with an overlapping memcpy (ASan flags it): hand it
     * only the names it supports. */
    const char **supported = NULL;
    int n_sup = libssh2_session_supported_algs(session, LIBSSH2_METHOD_HOSTKEY, &supported);
    char keep[1024] = "";
    for (char *save = NULL, *tok = strtok_r(pref, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save))
        for (int i = 0; i < n_sup; i++)
            if (!strcmp(tok, supported[i]) && strlen(keep) + strlen(tok) + 2 < sizeof keep) {
                if (*keep)
                    strcat(keep, ",");
                strcat(keep, tok);
                break;
            }
    if (n_sup > 0)
        libssh2_free(session, supported);
    if (!*keep)
        return;
    if (libssh2_session_method_pref(session, LIBSSH2_METHOD_HOSTKEY, keep))
        dg_log_debug("transport=%s hostkey-prefs=\"%s\" outcome=ignored", t->describe, keep);
}

static int check_host_key(dg_transport *t, dg_error *err)
{
    sftp_state *s = st_of(t);
    size_t key_len = 0;
    int type = 0;
    const char *key = libssh2_session_hostkey(s->session, &key_len, &type);
    const char *hash = libssh2_hostkey_hash(s->session, LIBSSH2_HOSTKEY_HASH_SHA256);
    if (!key || !hash)
        return dg_error_set(err, DG_EHOSTKEY, "%s: the server sent no host key", t->describe);
    char fp[80] = "SHA256:";
    tr_base64_nopad((const unsigned char *)hash, 32, fp + 7, sizeof fp - 7);
    const char *kh_path = t->cfg.known_hosts;
    int check = LIBSSH2_KNOWNHOST_CHECK_NOTFOUND;
    int loaded = -1;
    if (kh_path && *kh_path) {
        LIBSSH2_KNOWNHOSTS *kh = libssh2_knownhost_init(s->session);
        if (!kh)
            return dg_error_set(err, DG_ENOMEM, "%s: libssh2_knownhost_init failed", t->describe);
        loaded = load_known_hosts(kh, kh_path);
        if (loaded >= 0)
            check = libssh2_knownhost_checkp(
                kh, t->cfg.host, t->cfg.port, key, key_len,
                LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | knownhost_type(type),
                NULL);
        libssh2_knownhost_free(kh);
    }
    if (check == LIBSSH2_KNOWNHOST_CHECK_MATCH) {
        dg_log_debug("transport=%s hostkey=%s fingerprint=%s outcome=trusted", t->describe,
                     hostkey_name(type), fp);
        return 0;
    }
    if (check == LIBSSH2_KNOWNHOST_CHECK_MISMATCH)
        return dg_error_set(err, DG_EHOSTKEY,
                            "%s: host key %s %s does NOT match the key recorded in %s: the "
                            "server's key changed or someone is in between; refused",
                            t->describe, hostkey_name(type), fp, kh_path);
    if (t->cfg.strict_host_key) {
        if (loaded < 0)
            return dg_error_set(err, DG_EHOSTKEY,
                                "%s: host key %s %s cannot be verified: known_hosts '%s' "
                                "cannot be read (%s); refused",
                                t->describe, hostkey_name(type), fp,
                                kh_path && *kh_path ? kh_path : "(none configured)",
                                kh_path && *kh_path ? strerror(errno) : "no file");
        return dg_error_set(err, DG_EHOSTKEY,
                            "%s: host key %s %s is not in %s; refused (check the fingerprint "
                            "with the partner, then add the key, e.g. ssh-keyscan -p %d %s)",
                            t->describe, hostkey_name(type), fp, kh_path, t->cfg.port, t->cfg.host);
    }
    dg_log_warn("transport=%s hostkey=%s fingerprint=%s outcome=accepted-unknown "
                "reason=\"strict_host_key is false\"",
                t->describe, hostkey_name(type), fp);
    return 0;
}

static void kbd_callback(const char *name, int name_len, const char *instruction,
                         int instruction_len, int num_prompts,
                         const LIBSSH2_USERAUTH_KBDINT_PROMPT *prompts,
                         LIBSSH2_USERAUTH_KBDINT_RESPONSE *responses, void **abstract)
{
    (void)name;
    (void)name_len;
    (void)instruction;
    (void)instruction_len;
    (void)prompts;
    dg_transport *t = *abstract;
    for (int i = 0; i < num_prompts; i++) {
        responses[i].text = strdup(t->cfg.password ? t->cfg.password : "");
        responses[i].length = responses[i].text ? (unsigned)strlen(responses[i].text) : 0;
    }
}

static int authenticate(dg_transport *t, dg_error *err)
{
    sftp_state *s = st_of(t);
    const char *user = t->cfg.user ? t->cfg.user : "";
    unsigned ulen = (unsigned)strlen(user);
    char *methods = libssh2_userauth_list(s->session, user, ulen);
    if (!methods && libssh2_userauth_authenticated(s->session))
        return 0;
    if (!methods)
        return fail(t, last_rc(s), "login", user, err);
    const char *tried = "no usable method";
    char keymsg[1200];
    if (t->cfg.key_file && *t->cfg.key_file && strstr(methods, "publickey")) {
        char pub[2048];
        snprintf(pub, sizeof pub, "%s.pub", t->cfg.key_file);
        const char *pubp = access(pub, R_OK) ? NULL : pub;
        if (access(t->cfg.key_file, R_OK))
            return dg_error_set(err, DG_ECONFIG, "%s: cannot read key_file '%s': %s", t->describe,
                                t->cfg.key_file, strerror(errno));
        int rc = libssh2_userauth_publickey_fromfile_ex(s->session, user, ulen, pubp,
                                                        t->cfg.key_file, t->cfg.key_passphrase);
        if (!rc)
            return 0;
        if (rc == LIBSSH2_ERROR_FILE)
            return dg_error_set(err, DG_EAUTH,
                                "%s: cannot use key_file '%s': wrong or missing passphrase, or "
                                "a key format libssh2 cannot read",
                                t->describe, t->cfg.key_file);
        if (rc != LIBSSH2_ERROR_AUTHENTICATION_FAILED && rc != LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED)
            return fail(t, rc, "login", user, err);
        /* libssh2 offers the .pub first, so a wrong passphrase surfaces here too. */
        snprintf(keymsg, sizeof keymsg,
                 "public key refused: the server does not accept key_file '%s', or its "
                 "passphrase is wrong (%s)",
                 t->cfg.key_file, session_msg(s));
        tried = keymsg;
    }
    if (t->cfg.password && strstr(methods, "password")) {
        int rc = libssh2_userauth_password_ex(s->session, user, ulen, t->cfg.password,
                                              (unsigned)strlen(t->cfg.password), NULL);
        if (!rc)
            return 0;
        if (rc != LIBSSH2_ERROR_AUTHENTICATION_FAILED && rc != LIBSSH2_ERROR_PASSWORD_EXPIRED)
            return fail(t, rc, "login", user, err);
        tried = rc == LIBSSH2_ERROR_PASSWORD_EXPIRED ? "password expired" : "password refused";
    } else if (t->cfg.password && strstr(methods, "keyboard-interactive")) {
        int rc = libssh2_userauth_keyboard_interactive_ex(s->session, user, ulen, kbd_callback);
        if (!rc)
            return 0;
        if (rc != LIBSSH2_ERROR_AUTHENTICATION_FAILED)
            return fail(t, rc, "login", user, err);
        tried = "password refused (keyboard-interactive)";
    }
    return dg_error_set(err, DG_EAUTH, "%s: login refused for user '%s': %s (server offers: %s)",
                        t->describe, user, tried, methods);
}

static void sftp_disconnect(dg_transport *t)
{
    sftp_state *s = st_of(t);
    if (!s)
        return;
    if (s->session) {
        if (s->broken) { /* a dead or stalled link: nothing to say, and libssh2 must not wait
                          * on it (after a handshake timeout it would give up freeing) */
            libssh2_session_set_timeout(s->session, 500);
            if (s->sock >= 0)
                shutdown(s->sock, SHUT_RDWR);
        }
        /* Even on a dead link: shutdown and close free libssh2's memory (sends just fail). */
        if (s->sftp)
            libssh2_sftp_shutdown(s->sftp);
        if (!s->broken)
            libssh2_session_disconnect(s->session, "bye");
        libssh2_session_free(s->session);
    }
    if (s->sock >= 0)
        close(s->sock);
    free(s->buf);
    free(s);
    t->impl = NULL;
}

static int sftp_connect(dg_transport *t, dg_error *err)
{
    pthread_once(&g_init_once, init_libssh2);
    if (g_init_rc)
        return dg_error_set(err, DG_ENET, "libssh2_init failed");
    sftp_state *s = calloc(1, sizeof *s);
    if (!s)
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    s->sock = -1;
    t->impl = s;
    int rc = tcp_connect(t, &s->sock, err);
    if (rc)
        goto fail;
    s->session = libssh2_session_init_ex(NULL, NULL, NULL, t);
    if (!s->session) {
        rc = dg_error_set(err, DG_ENOMEM, "%s: libssh2_session_init failed", t->describe);
        goto fail;
    }
    libssh2_session_set_blocking(s->session, 1);
    libssh2_session_set_timeout(s->session, t->cfg.timeout_ms);
    prefer_known_types(t, s->session);
    int hr = libssh2_session_handshake(s->session, s->sock);
    if (hr) {
        rc = fail(t, hr, "handshake", t->cfg.host, err);
        goto fail;
    }
    if ((rc = check_host_key(t, err)) || (rc = authenticate(t, err)))
        goto fail;
    if (t->cfg.keepalive_s > 0)
        libssh2_keepalive_config(s->session, 1, (unsigned)t->cfg.keepalive_s);
    s->sftp = libssh2_sftp_init(s->session);
    if (!s->sftp) {
        rc = fail(t, last_rc(s), "start SFTP on", t->cfg.host, err);
        if (rc != DG_ENET && rc != DG_ETIMEOUT)
            rc = dg_error_set(err, DG_ENET, "%s: the server refused the SFTP subsystem",
                              t->describe);
        goto fail;
    }
    s->buf = malloc(SFTP_CHUNK);
    if (!s->buf) {
        rc = dg_error_set(err, DG_ENOMEM, "out of memory");
        goto fail;
    }
    return 0;
fail:
    s->broken = true;
    sftp_disconnect(t);
    return rc;
}

/* Sends a keepalive when one is due; a dead session shows here, before any real work. */
static int alive(dg_transport *t, dg_error *err)
{
    sftp_state *s = st_of(t);
    int next = 0;
    if (t->cfg.keepalive_s > 0) {
        int rc = libssh2_keepalive_send(s->session, &next);
        if (rc)
            return fail(t, rc, "keepalive", t->cfg.host, err);
    }
    return 0;
}

/* Closes a handle; on a broken session only briefly, to free libssh2's memory. */
static int close_handle(sftp_state *s, LIBSSH2_SFTP_HANDLE *h)
{
    if (s->broken)
        libssh2_session_set_timeout(s->session, 500);
    return libssh2_sftp_close_handle(h);
}

static void fill_attrs(dg_remote_file *f, const LIBSSH2_SFTP_ATTRIBUTES *a)
{
    if (a->flags & LIBSSH2_SFTP_ATTR_SIZE)
        f->size = a->filesize;
    if (a->flags & LIBSSH2_SFTP_ATTR_ACMODTIME)
        f->mtime = (int64_t)a->mtime;
    if (a->flags & LIBSSH2_SFTP_ATTR_PERMISSIONS)
        f->is_dir = LIBSSH2_SFTP_S_ISDIR(a->permissions);
}

static int sftp_list(dg_transport *t, const char *dir, dg_remote_file **files, size_t *n,
                     dg_error *err)
{
    sftp_state *s = st_of(t);
    int rc = alive(t, err);
    if (rc)
        return rc;
    LIBSSH2_SFTP_HANDLE *h = SF_OPENDIR(s->sftp, dir);
    if (!h)
        return fail(t, last_rc(s), "cannot list", dir, err);
    tr_list l = {0};
    char name[512];
    for (;;) {
        LIBSSH2_SFTP_ATTRIBUTES a;
        memset(&a, 0, sizeof a);
        int r = libssh2_sftp_readdir_ex(h, name, sizeof name, NULL, 0, &a);
        if (r == 0)
            break;
        if (r < 0) {
            rc = fail(t, r, "cannot list", dir, err);
            break;
        }
        if (!strcmp(name, ".") || !strcmp(name, "..") || (size_t)r >= sizeof l.items->name)
            continue;
        if ((a.flags & LIBSSH2_SFTP_ATTR_PERMISSIONS) && LIBSSH2_SFTP_S_ISLNK(a.permissions)) {
            /* Follow links, as a local listing would. */
            char full[2400];
            tr_join(full, sizeof full, dir, name);
            memset(&a, 0, sizeof a);
            if (SF_STAT(s->sftp, full, &a))
                continue;
        }
        if ((a.flags & LIBSSH2_SFTP_ATTR_PERMISSIONS) && !LIBSSH2_SFTP_S_ISREG(a.permissions) &&
            !LIBSSH2_SFTP_S_ISDIR(a.permissions))
            continue;
        dg_remote_file *f = tr_list_add(&l);
        snprintf(f->name, sizeof f->name, "%s", name);
        fill_attrs(f, &a);
    }
    close_handle(s, h);
    if (rc) {
        free(l.items);
        return rc;
    }
    *files = l.items;
    *n = l.n;
    return 0;
}

static int sftp_fetch(dg_transport *t, const char *path, tr_sink sink, void *ctx, dg_error *err)
{
    sftp_state *s = st_of(t);
    int rc = alive(t, err);
    if (rc)
        return rc;
    LIBSSH2_SFTP_HANDLE *h = SF_OPEN(s->sftp, path, LIBSSH2_FXF_READ, 0);
    if (!h)
        return fail(t, last_rc(s), "cannot open", path, err);
    /* libssh2 keeps about 4x the buffer size of read requests in flight: start small so a
     * 2 KB file costs a few requests, and grow while the file keeps filling the buffer. */
    size_t want = 32u << 10;
    for (;;) {
        ssize_t r = libssh2_sftp_read(h, s->buf, want);
        if (r == 0)
            break;
        if (r < 0) {
            rc = fail(t, (int)r, "cannot read", path, err);
            break;
        }
        if (sink(ctx, s->buf, (size_t)r)) {
            rc = dg_error_set(err, DG_EIO, "%s: cannot store '%s' locally", t->describe, path);
            break;
        }
        if ((size_t)r == want && want < SFTP_CHUNK)
            want *= 2;
    }
    close_handle(s, h);
    return rc;
}

static int sftp_exists(sftp_state *s, const char *path)
{
    LIBSSH2_SFTP_ATTRIBUTES a;
    return SF_STAT(s->sftp, path, &a) == 0;
}

static int sftp_rename(dg_transport *t, const char *from, const char *to, dg_error *err)
{
    sftp_state *s = st_of(t);
    int rc = alive(t, err);
    if (rc)
        return rc;
    long flags =
        LIBSSH2_SFTP_RENAME_OVERWRITE | LIBSSH2_SFTP_RENAME_ATOMIC | LIBSSH2_SFTP_RENAME_NATIVE;
    int r = libssh2_sftp_rename_ex(s->sftp, from, len32(from), to, len32(to), flags);
    if (r == LIBSSH2_ERROR_SFTP_PROTOCOL &&
        libssh2_sftp_last_error(s->sftp) != LIBSSH2_FX_NO_SUCH_FILE && sftp_exists(s, to) &&
        sftp_exists(s, from)) {
        /* SFTP v3 (OpenSSH) renames never replace: remove the old target, then rename. */
        if (!SF_UNLINK(s->sftp, to))
            r = libssh2_sftp_rename_ex(s->sftp, from, len32(from), to, len32(to), flags);
    }
    if (r) {
        char what[2400];
        snprintf(what, sizeof what, "cannot rename '%s' to", from);
        return fail(t, r, what, to, err);
    }
    return 0;
}

static int sftp_put(dg_transport *t, const char *local_path, const char *tmp_path,
                    const char *final_path, dg_error *err)
{
    sftp_state *s = st_of(t);
    int rc = alive(t, err);
    if (rc)
        return rc;
    int fd = open(local_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return dg_error_set(err, DG_EIO, "cannot open '%s': %s", local_path, strerror(errno));
    LIBSSH2_SFTP_HANDLE *h =
        SF_OPEN(s->sftp, tmp_path, LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_TRUNC, 0644);
    if (!h) {
        close(fd);
        return fail(t, last_rc(s), "cannot create", tmp_path, err);
    }
    for (;;) {
        ssize_t r = read(fd, s->buf, SFTP_CHUNK);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = dg_error_set(err, DG_EIO, "cannot read '%s': %s", local_path, strerror(errno));
            break;
        }
        if (r == 0)
            break;
        for (ssize_t off = 0; off < r && !rc;) {
            ssize_t w = libssh2_sftp_write(h, s->buf + off, (size_t)(r - off));
            if (w < 0)
                rc = fail(t, (int)w, "cannot write", tmp_path, err);
            else
                off += w;
        }
        if (rc)
            break;
    }
    close(fd);
    int closed = close_handle(s, h);
    if (closed && !rc)
        rc = fail(t, closed, "cannot finish", tmp_path, err);
    if (!rc)
        rc = sftp_rename(t, tmp_path, final_path, err);
    if (rc && !s->broken)
        SF_UNLINK(s->sftp, tmp_path);
    return rc;
}

static int sftp_remove(dg_transport *t, const char *path, dg_error *err)
{
    sftp_state *s = st_of(t);
    int rc = alive(t, err);
    if (rc)
        return rc;
    int r = SF_UNLINK(s->sftp, path);
    return r ? fail(t, r, "cannot remove", path, err) : 0;
}

static int sftp_mkdir1(dg_transport *t, const char *path, dg_error *err)
{
    sftp_state *s = st_of(t);
    int rc = alive(t, err);
    if (rc)
        return rc;
    int r = SF_MKDIR(s->sftp, path, 0755);
    if (!r)
        return 0;
    LIBSSH2_SFTP_ATTRIBUTES a;
    memset(&a, 0, sizeof a);
    if (r == LIBSSH2_ERROR_SFTP_PROTOCOL && !SF_STAT(s->sftp, path, &a) &&
        LIBSSH2_SFTP_S_ISDIR(a.permissions))
        return 0;
    return fail(t, r, "cannot create folder", path, err);
}

static int sftp_stat(dg_transport *t, const char *path, dg_remote_file *out, dg_error *err)
{
    sftp_state *s = st_of(t);
    int rc = alive(t, err);
    if (rc)
        return rc;
    LIBSSH2_SFTP_ATTRIBUTES a;
    memset(&a, 0, sizeof a);
    int r = SF_STAT(s->sftp, path, &a);
    if (r)
        return fail(t, r, "cannot stat", path, err);
    fill_attrs(out, &a);
    return 0;
}

const tr_ops dg_tr_sftp_ops = {
    .scheme = "sftp",
    .connect = sftp_connect,
    .disconnect = sftp_disconnect,
    .list = sftp_list,
    .fetch = sftp_fetch,
    .put = sftp_put,
    .rename = sftp_rename,
    .remove = sftp_remove,
    .mkdir1 = sftp_mkdir1,
    .stat = sftp_stat,
};
