/* The PostgreSQL backend of the database layer (libpq): the common dialect's `?`/`?N`
 * parameters become `$N` when a statement is prepared, results come back whole in text format
 * and dg_stmt_step walks them row by row, and errors are classed by SQLSTATE. */
#include <ctype.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/db_backend.h"

/* Type OIDs (pg_type.h is server-side): what a parameter is declared as when the server cannot
 * infer it from the statement ("? IS NULL", "SELECT ?"). */
enum { OID_UNKNOWN = 0, OID_INT8 = 20, OID_TEXT = 25, OID_FLOAT8 = 701 };

/* Deallocations batched until the connection is idle (a failed transaction refuses them). */
#define PG_MAX_PENDING 64

typedef struct pg_db {
    dg_db base;
    PGconn *conn;
    unsigned long seq; /* statement names: dg1, dg2, ... unique per connection */
    unsigned long gen; /* bumped when the connection is re-established (names are gone) */
    int64_t changes;   /* rows of the last INSERT/UPDATE/DELETE */
    char errmsg[1024];
    char sqlstate[6]; /* of the last error ("" when none came from the server) */
    dg_db_errclass errclass;
    char *pending[PG_MAX_PENDING]; /* statement names to DEALLOCATE */
    int n_pending;
} pg_db;

/* One prepared form of a statement, for one set of parameter types. */
typedef struct pg_variant {
    char name[24];
    Oid *types; /* the key: the bound values' kinds */
    Oid *as;    /* what the server was told (see variant_for) */
} pg_variant;

#define PG_MAX_VARIANTS 4

typedef struct pg_stmt {
    dg_stmt base;
    char *sql; /* with $N */
    int n_params;
    char **vals; /* bound values as text, NULL for SQL NULL or unbound */
    Oid *kinds;  /* OID_INT8, OID_FLOAT8, OID_TEXT, or OID_UNKNOWN for NULL */
    pg_variant variants[PG_MAX_VARIANTS];
    int n_variants;
    unsigned long gen;
    PGresult *res;
    PGresult *desc; /* the columns before the first step (PQdescribePrepared) */
    int row;        /* current row of res; -1 before the first */
    bool done;
} pg_stmt;

#define D(db) ((pg_db *)(db))
#define S(st) ((pg_stmt *)(st))

static const db_ops pg_ops;
static char *rewrite(const char *sql, int *n_params);

/* ---- errors ------------------------------------------------------------------------------- */

/* SQLSTATE to class: 23 integrity, 40001/40P01 serialization/deadlock and 55P03 lock not
 * available are worth a retry, 53100 disk full, 08 connection exceptions and a lost connection
 * are I/O; everything else (bad SQL, auth, 42P01 ...) is fatal. */
static dg_db_errclass class_of(const char *state, bool conn_bad)
{
    if (!state || !*state)
        return conn_bad ? DG_DBE_IO : DG_DBE_FATAL;
    if (!strncmp(state, "23", 2))
        return DG_DBE_CONSTRAINT;
    if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03"))
        return DG_DBE_BUSY;
    if (!strcmp(state, "53100"))
        return DG_DBE_FULL;
    if (!strncmp(state, "08", 2) || !strcmp(state, "57P01") || !strcmp(state, "57P02") ||
        !strcmp(state, "57P03"))
        return DG_DBE_IO;
    return DG_DBE_FATAL;
}

/* Keeps the first line of a libpq message (the rest is DETAIL/HINT context). */
static void set_msg(pg_db *d, const char *msg)
{
    snprintf(d->errmsg, sizeof d->errmsg, "%s", msg && *msg ? msg : "unknown PostgreSQL error");
    size_t n = strlen(d->errmsg);
    while (n && (d->errmsg[n - 1] == '\n' || d->errmsg[n - 1] == ' '))
        d->errmsg[--n] = 0;
    if (!strncmp(d->errmsg, "ERROR:  ", 8))
        memmove(d->errmsg, d->errmsg + 8, strlen(d->errmsg + 8) + 1);
}

/* Records why res failed (NULL res: the connection's own message). */
static void note_result(pg_db *d, const PGresult *res)
{
    bool bad = PQstatus(d->conn) == CONNECTION_BAD;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    set_msg(d, primary ? primary : (res ? PQresultErrorMessage(res) : PQerrorMessage(d->conn)));
    if (!primary && res && !*PQresultErrorMessage(res))
        set_msg(d, PQerrorMessage(d->conn));
    snprintf(d->sqlstate, sizeof d->sqlstate, "%s", state ? state : "");
    d->errclass = class_of(state, bad);
}

static void clear_error(pg_db *d)
{
    d->errmsg[0] = 0;
    d->sqlstate[0] = 0;
    d->errclass = DG_DBE_NONE;
}

/* ---- the connection ----------------------------------------------------------------------- */

/* The location without its password, for messages: userinfo's ":secret" and any password=
 * query parameter are left out. */
static char *strip_password(const char *uri)
{
    char *out = malloc(strlen(uri) + 1);
    if (!out)
        return NULL;
    const char *p = uri, *scheme = strstr(uri, "://");
    char *o = out;
    if (scheme) {
        size_t n = (size_t)(scheme + 3 - uri);
        memcpy(o, uri, n);
        o += n;
        p = scheme + 3;
        const char *end = p + strcspn(p, "/?");
        const char *at = memchr(p, '@', (size_t)(end - p));
        if (at) {
            const char *colon = memchr(p, ':', (size_t)(at - p));
            const char *user_end = colon ? colon : at;
            memcpy(o, p, (size_t)(user_end - p));
            o += user_end - p;
            p = at; /* the '@' and the host follow */
        }
    }
    const char *q = strchr(p, '?');
    size_t head = q ? (size_t)(q - p) : strlen(p);
    memcpy(o, p, head);
    o += head;
    if (q) {
        /* Query parameters, minus password=... */
        const char *a = q + 1;
        char sep = '?';
        while (*a) {
            size_t len = strcspn(a, "&");
            if (strncmp(a, "password=", 9) != 0 && len) {
                *o++ = sep;
                memcpy(o, a, len);
                o += len;
                sep = '&';
            }
            a += len;
            if (*a == '&')
                a++;
        }
    }
    *o = 0;
    return out;
}

static void pg_close(dg_db *db)
{
    pg_db *d = D(db);
    if (d->conn)
        PQfinish(d->conn);
    for (int i = 0; i < d->n_pending; i++)
        free(d->pending[i]);
    free(db->name);
    free(d);
}

int db_pg_open(const char *uri, dg_db **out, dg_error *err)
{
    pg_db *d = calloc(1, sizeof *d);
    if (!d || !(d->base.name = strip_password(uri))) {
        free(d);
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    }
    d->base.ops = &pg_ops;
    d->base.kind = DG_DB_POSTGRES;
    d->conn = PQconnectdb(uri);
    if (!d->conn || PQstatus(d->conn) != CONNECTION_OK) {
        /* libpq's message names host and user, never the password. */
        if (d->conn)
            set_msg(d, PQerrorMessage(d->conn));
        dg_error_set(err, DG_ESTATE, "%s: cannot connect: %s", d->base.name,
                     d->conn ? d->errmsg : "out of memory");
        pg_close(&d->base);
        return DG_ESTATE;
    }
    /* Warnings (NOTICE: table does not exist, skipping) are not the caller's business. */
    PQsetNoticeProcessor(d->conn, NULL, NULL);
    PGresult *r = PQexec(d->conn, "SET client_min_messages = warning");
    PQclear(r);
    *out = &d->base;
    return 0;
}

/* Re-establishes a lost connection before the next statement; prepared names die with it. */
static bool ensure_conn(pg_db *d)
{
    if (PQstatus(d->conn) == CONNECTION_OK)
        return true;
    PQreset(d->conn);
    if (PQstatus(d->conn) != CONNECTION_OK)
        return false;
    d->gen++;
    for (int i = 0; i < d->n_pending; i++)
        free(d->pending[i]);
    d->n_pending = 0;
    return true;
}

/* Sends the batched DEALLOCATEs when no transaction is in error (it would refuse them). */
static void flush_pending(pg_db *d, bool force)
{
    if (!d->n_pending || (!force && d->n_pending < PG_MAX_PENDING / 2))
        return;
    if (PQtransactionStatus(d->conn) != PQTRANS_IDLE &&
        PQtransactionStatus(d->conn) != PQTRANS_INTRANS)
        return;
    char sql[PG_MAX_PENDING * 40];
    size_t n = 0;
    for (int i = 0; i < d->n_pending; i++) {
        n += (size_t)snprintf(sql + n, sizeof sql - n, "DEALLOCATE %s;", d->pending[i]);
        free(d->pending[i]);
    }
    d->n_pending = 0;
    PQclear(PQexec(d->conn, sql));
}

static bool is_change(const char *status)
{
    return !strncmp(status, "INSERT", 6) || !strncmp(status, "UPDATE", 6) ||
           !strncmp(status, "DELETE", 6) || !strncmp(status, "MERGE", 5);
}

static int pg_exec(dg_db *db, const char *sql, dg_error *err)
{
    pg_db *d = D(db);
    clear_error(d);
    if (!ensure_conn(d)) {
        note_result(d, NULL);
        return dg_error_set(err, DG_ESTATE, "%s", d->errmsg);
    }
    flush_pending(d, false);
    int n_params = 0;
    char *text = rewrite(sql, &n_params);
    if (!text)
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    PGresult *r = PQexec(d->conn, text);
    free(text);
    ExecStatusType rs = PQresultStatus(r);
    if (rs == PGRES_COMMAND_OK || rs == PGRES_TUPLES_OK || rs == PGRES_EMPTY_QUERY) {
        if (is_change(PQcmdStatus(r)))
            d->changes = strtoll(PQcmdTuples(r), NULL, 10);
        PQclear(r);
        return 0;
    }
    note_result(d, r);
    PQclear(r);
    return dg_error_set(err, DG_ESTATE, "%s", d->errmsg);
}

/* ---- statements --------------------------------------------------------------------------- */

static bool word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Whether p starts the word w (case-insensitively) standing alone. */
static bool is_word(const char *sql, const char *p, const char *w)
{
    size_t n = strlen(w);
    return (p == sql || !word_char(p[-1])) && !strncasecmp(p, w, n) && !word_char(p[n]);
}

/* The dialect as PostgreSQL reads it, outside '...' strings, "..." names and comments:
 * - `?` (numbered one more than the largest so far, as SQLite numbers them) and `?N` become `$N`;
 * - INTEGER is 64-bit as in SQLite: BIGINT, and `INTEGER PRIMARY KEY` (SQLite's rowid alias,
 *   filled when left out) an identity column; REAL is 8 bytes as in SQLite: DOUBLE PRECISION.
 * Returns the new text (malloc'd) and the number of parameters in *n_params. */
static char *rewrite(const char *sql, int *n_params)
{
    static const char ipk[] = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
    size_t len = strlen(sql);
    char *out = malloc(len * 5 + 64); /* "?" -> "$NNNNN", "REAL" -> "DOUBLE PRECISION" ... */
    if (!out)
        return NULL;
    char *o = out;
    int max = 0;
    const char *p = sql;
    while (*p) {
        char c = *p;
        if (c == '\'' || c == '"') {
            const char *q = p + 1;
            while (*q && !(*q == c && q[1] != c))
                q += (*q == c) ? 2 : 1; /* a doubled quote stays inside */
            if (*q)
                q++;
            memcpy(o, p, (size_t)(q - p));
            o += q - p;
            p = q;
        } else if (c == '-' && p[1] == '-') {
            size_t n = strcspn(p, "\n");
            memcpy(o, p, n);
            o += n;
            p += n;
        } else if (c == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            size_t n = end ? (size_t)(end + 2 - p) : strlen(p);
            memcpy(o, p, n);
            o += n;
            p += n;
        } else if (c == '?') {
            int num;
            p++;
            if (isdigit((unsigned char)*p)) {
                num = 0;
                while (isdigit((unsigned char)*p) && num < 100000)
                    num = num * 10 + (*p++ - '0');
            } else {
                num = max + 1;
            }
            if (num > max)
                max = num;
            o += sprintf(o, "$%d", num);
        } else if (is_word(sql, p, "INTEGER")) {
            const char *q = p + 7;
            while (*q == ' ')
                q++;
            if (is_word(sql, q, "PRIMARY")) {
                const char *k = q + 7;
                while (*k == ' ')
                    k++;
                if (is_word(sql, k, "KEY")) {
                    o += sprintf(o, "%s", ipk);
                    p = k + 3;
                    continue;
                }
            }
            o += sprintf(o, "BIGINT");
            p += 7;
        } else if (is_word(sql, p, "REAL")) {
            o += sprintf(o, "DOUBLE PRECISION");
            p += 4;
        } else if (word_char(c)) {
            while (word_char(*p)) /* a whole word: no match starts inside it */
                *o++ = *p++;
        } else {
            *o++ = *p++;
        }
    }
    *o = 0;
    *n_params = max;
    return out;
}

/* Prepares sql as name with the given types. Inside a transaction the attempt runs under a
 * savepoint: a failed Parse would otherwise abort the caller's transaction. */
static bool try_prepare(pg_stmt *s, const char *name, const Oid *types)
{
    pg_db *d = D(s->base.db);
    bool in_tx = PQtransactionStatus(d->conn) == PQTRANS_INTRANS;
    if (in_tx)
        PQclear(PQexec(d->conn, "SAVEPOINT dg_prepare"));
    PGresult *r = PQprepare(d->conn, name, s->sql, s->n_params, types);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        note_result(d, r);
    PQclear(r);
    if (in_tx)
        PQclear(PQexec(d->conn,
                       ok ? "RELEASE dg_prepare" : "ROLLBACK TO dg_prepare; RELEASE dg_prepare"));
    return ok;
}

/* Errors that another choice of parameter types may cure: indeterminate_datatype and
 * ambiguous_parameter ("? IS NULL"),
 * undefined_function (no operator for bigint = text), ambiguous_function ("? + ?"),
 * datatype_mismatch. */
static bool type_trouble(const char *state)
{
    return !strcmp(state, "42P18") || !strcmp(state, "42P08") || !strcmp(state, "42883") ||
           !strcmp(state, "42725") || !strcmp(state, "42804");
}

static void drop_variants(pg_stmt *s, bool deallocate)
{
    pg_db *d = D(s->base.db);
    for (int i = 0; i < s->n_variants; i++) {
        if (deallocate && s->gen == d->gen) {
            if (d->n_pending == PG_MAX_PENDING)
                flush_pending(d, true);
            if (d->n_pending < PG_MAX_PENDING)
                d->pending[d->n_pending++] = strdup(s->variants[i].name);
        }
        free(s->variants[i].types);
        free(s->variants[i].as);
    }
    s->n_variants = 0;
}

/* What a bound kind is declared as first: an integer bigint, a double float8; text and NULL
 * are left to the server to infer from the statement (so text compared with a bigint column
 * works as a literal would). This is also a prepared form's key. */
static Oid first_type(Oid kind)
{
    return kind == OID_TEXT ? OID_UNKNOWN : kind;
}

/* The prepared form for the kinds bound now, prepared at first use; NULL with the error noted.
 * Where the server cannot infer a type ("? IS NULL OR x = ?") text and NULL are declared text,
 * and then a NULL bigint. */
static pg_variant *variant_for(pg_stmt *s)
{
    size_t n = (size_t)s->n_params, bytes = sizeof(Oid) * (n ? n : 1);
    Oid key[n ? n : 1];
    for (size_t i = 0; i < n; i++)
        key[i] = first_type(s->kinds[i]);
    for (int k = 0; k < s->n_variants; k++)
        if (!memcmp(s->variants[k].types, key, sizeof(Oid) * n))
            return &s->variants[k];
    if (s->n_variants == PG_MAX_VARIANTS)
        drop_variants(s, true);
    pg_db *d = D(s->base.db);
    pg_variant *v = &s->variants[s->n_variants];
    v->types = malloc(bytes);
    v->as = malloc(bytes);
    if (!v->types || !v->as) {
        free(v->types);
        free(v->as);
        set_msg(d, "out of memory");
        d->errclass = DG_DBE_FATAL;
        return NULL;
    }
    memcpy(v->types, key, sizeof(Oid) * n);
    snprintf(v->name, sizeof v->name, "dg%lu", ++d->seq);
    char first[sizeof d->errmsg] = "";
    bool ok = false;
    for (int attempt = 0; attempt < 3 && !ok; attempt++) {
        for (size_t i = 0; i < n; i++) {
            Oid k = s->kinds[i];
            v->as[i] = attempt == 0 ? key[i] : k;
            if (attempt > 0 && k == OID_UNKNOWN)
                v->as[i] = attempt == 1 ? OID_TEXT : OID_INT8;
        }
        ok = try_prepare(s, v->name, v->as);
        if (!ok && attempt == 0)
            memcpy(first, d->errmsg, sizeof first);
        if (!ok && !type_trouble(d->sqlstate))
            break;
    }
    if (!ok) {
        if (first[0] && type_trouble(d->sqlstate))
            memcpy(d->errmsg, first, sizeof first); /* the plainest form's message */
        free(v->types);
        free(v->as);
        return NULL;
    }
    s->n_variants++;
    return v;
}

/* The server checks the statement now, as SQLite does, with every type left to it; a statement
 * whose types it cannot infer is prepared at its first step, with the kinds bound then. */
static int pg_prepare(dg_db *db, const char *sql, dg_stmt **out, dg_error *err)
{
    pg_db *d = D(db);
    clear_error(d);
    pg_stmt *s = calloc(1, sizeof *s);
    if (!s)
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    s->base.db = db;
    s->row = -1;
    s->gen = d->gen;
    if (!(s->sql = rewrite(sql, &s->n_params)))
        goto nomem;
    if (s->n_params) {
        s->vals = calloc((size_t)s->n_params, sizeof *s->vals);
        s->kinds = calloc((size_t)s->n_params, sizeof *s->kinds);
        if (!s->vals || !s->kinds)
            goto nomem;
    }
    const char *p = s->sql;
    while (isspace((unsigned char)*p))
        p++;
    if (!*p) {
        free(s->sql);
        free(s);
        return dg_error_set(err, DG_EINVAL, "preparing \"%.80s\": no statement", sql);
    }
    if (!ensure_conn(d)) {
        note_result(d, NULL);
    } else {
        flush_pending(d, false);
        for (int i = 0; i < s->n_params; i++)
            s->kinds[i] = OID_TEXT; /* the all-inferred form */
        pg_variant *v = variant_for(s);
        for (int i = 0; i < s->n_params; i++)
            s->kinds[i] = OID_UNKNOWN;
        if (v || type_trouble(d->sqlstate)) {
            clear_error(d);
            *out = &s->base;
            return 0;
        }
    }
    dg_error_set(err, DG_ESTATE, "preparing \"%.80s\": %s", sql, d->errmsg);
    drop_variants(s, false);
    free(s->vals);
    free(s->kinds);
    free(s->sql);
    free(s);
    return DG_ESTATE;
nomem:
    free(s->vals);
    free(s->kinds);
    free(s->sql);
    free(s);
    return dg_error_set(err, DG_ENOMEM, "out of memory");
}

static void clear_result(pg_stmt *s)
{
    PQclear(s->res);
    s->res = NULL;
    s->row = -1;
    s->done = false;
}

static void pg_reset(dg_stmt *st)
{
    pg_stmt *s = S(st);
    clear_result(s);
    for (int i = 0; i < s->n_params; i++) {
        free(s->vals[i]);
        s->vals[i] = NULL;
        s->kinds[i] = OID_UNKNOWN;
    }
}

static void pg_finalize(dg_stmt *st)
{
    pg_stmt *s = S(st);
    pg_reset(st);
    PQclear(s->desc);
    drop_variants(s, true);
    free(s->vals);
    free(s->kinds);
    free(s->sql);
    free(s);
}

static void bind(pg_stmt *s, int i, char *v, Oid kind)
{
    if (i < 1 || i > s->n_params) {
        free(v);
        return;
    }
    if (s->res || s->done)
        clear_result(s); /* binding after steps starts a new execution, as in SQLite */
    free(s->vals[i - 1]);
    s->vals[i - 1] = v;
    s->kinds[i - 1] = v ? kind : OID_UNKNOWN;
}

static void pg_bind_int64(dg_stmt *st, int i, int64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    bind(S(st), i, strdup(buf), OID_INT8);
}

static void pg_bind_double(dg_stmt *st, int i, double v)
{
    char buf[40];
    if (isnan(v))
        snprintf(buf, sizeof buf, "NaN");
    else if (isinf(v))
        snprintf(buf, sizeof buf, "%sInfinity", v < 0 ? "-" : "");
    else
        snprintf(buf, sizeof buf, "%.17g", v);
    bind(S(st), i, strdup(buf), OID_FLOAT8);
}

static void pg_bind_text(dg_stmt *st, int i, const char *v)
{
    bind(S(st), i, v ? strdup(v) : NULL, OID_TEXT);
}

static void pg_bind_null(dg_stmt *st, int i)
{
    bind(S(st), i, NULL, OID_UNKNOWN);
}

/* Runs the statement with its bindings and keeps the whole result. */
static int execute(pg_stmt *s)
{
    pg_db *d = D(s->base.db);
    if (!ensure_conn(d)) {
        note_result(d, NULL);
        return DG_DB_ERR;
    }
    if (s->gen != d->gen) { /* reconnected: the prepared forms are gone */
        drop_variants(s, false);
        s->gen = d->gen;
    }
    flush_pending(d, false);
    pg_variant *v = variant_for(s);
    if (!v)
        return DG_DB_ERR;
    PGresult *r =
        PQexecPrepared(d->conn, v->name, s->n_params, (const char *const *)s->vals, NULL, NULL, 0);
    ExecStatusType rs = PQresultStatus(r);
    if (rs != PGRES_TUPLES_OK && rs != PGRES_COMMAND_OK) {
        note_result(d, r);
        PQclear(r);
        return DG_DB_ERR;
    }
    if (is_change(PQcmdStatus(r)))
        d->changes = strtoll(PQcmdTuples(r), NULL, 10);
    s->res = r;
    s->row = -1;
    return 0;
}

static int pg_step(dg_stmt *st)
{
    pg_stmt *s = S(st);
    pg_db *d = D(st->db);
    clear_error(d);
    if (s->done)
        return DG_DB_DONE;
    if (!s->res && execute(s))
        return DG_DB_ERR;
    if (++s->row < PQntuples(s->res))
        return DG_DB_ROW;
    s->done = true;
    return DG_DB_DONE;
}

static bool has_row(pg_stmt *s, int i)
{
    return s->res && s->row >= 0 && s->row < PQntuples(s->res) && i >= 0 && i < PQnfields(s->res);
}

/* Before the first step the columns come from the server's description of the statement. */
static const PGresult *columns(pg_stmt *s)
{
    if (s->res)
        return s->res;
    if (s->desc)
        return s->desc;
    pg_db *d = D(s->base.db);
    if (!ensure_conn(d))
        return NULL;
    pg_variant *v = variant_for(s);
    if (!v)
        return NULL;
    PGresult *r = PQdescribePrepared(d->conn, v->name);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        note_result(d, r);
        PQclear(r);
        return NULL;
    }
    return s->desc = r;
}

static int pg_column_count(dg_stmt *st)
{
    const PGresult *r = columns(S(st));
    return r ? PQnfields(r) : 0;
}

static const char *pg_column_name(dg_stmt *st, int i)
{
    const PGresult *r = columns(S(st));
    return r && i >= 0 && i < PQnfields(r) ? PQfname(r, i) : NULL;
}

static bool pg_column_null_(pg_stmt *s, int i)
{
    return !has_row(s, i) || PQgetisnull(s->res, s->row, i);
}

static bool pg_column_null(dg_stmt *st, int i)
{
    return pg_column_null_(S(st), i);
}

static const char *pg_column_text(dg_stmt *st, int i)
{
    pg_stmt *s = S(st);
    if (pg_column_null(st, i))
        return NULL;
    return PQgetvalue(s->res, s->row, i);
}

/* Integers as text; a boolean ("t"/"f") reads as 1/0 and a numeric (sum of bigints) is cut at
 * its point, as SQLite casts. */
static int64_t pg_column_int64(dg_stmt *st, int i)
{
    const char *v = pg_column_text(st, i);
    if (!v)
        return 0;
    if (v[0] == 't' && !v[1])
        return 1;
    if (v[0] == 'f' && !v[1])
        return 0;
    return strtoll(v, NULL, 10);
}

static double pg_column_double(dg_stmt *st, int i)
{
    const char *v = pg_column_text(st, i);
    return v ? strtod(v, NULL) : 0;
}

/* Type OIDs of the results that are numbers (the rest reads as text). */
enum { OID_BOOL = 16, OID_INT2 = 21, OID_INT4 = 23, OID_FLOAT4 = 700, OID_NUMERIC = 1700 };

static dg_db_type pg_column_type(dg_stmt *st, int i)
{
    pg_stmt *s = S(st);
    if (pg_column_null_(s, i))
        return DG_DB_T_NULL;
    switch (PQftype(s->res, i)) {
    case OID_BOOL:
    case OID_INT2:
    case OID_INT4:
    case OID_INT8: return DG_DB_T_INT;
    case OID_FLOAT4:
    case OID_FLOAT8:
    case OID_NUMERIC: return DG_DB_T_REAL;
    default: return DG_DB_T_TEXT;
    }
}

static int64_t pg_changes(dg_db *db)
{
    return D(db)->changes;
}

static const char *pg_errmsg(dg_db *db)
{
    return D(db)->errmsg[0] ? D(db)->errmsg : "not an error";
}

static dg_db_errclass pg_errclass(dg_db *db)
{
    return D(db)->errclass;
}

static const db_ops pg_ops = {
    .close = pg_close,
    .exec = pg_exec,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .reset = pg_reset,
    .bind_int64 = pg_bind_int64,
    .bind_double = pg_bind_double,
    .bind_text = pg_bind_text,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .column_count = pg_column_count,
    .column_name = pg_column_name,
    .column_null = pg_column_null,
    .column_type = pg_column_type,
    .column_int64 = pg_column_int64,
    .column_double = pg_column_double,
    .column_text = pg_column_text,
    .changes = pg_changes,
    .errmsg = pg_errmsg,
    .errclass = pg_errclass,
};
