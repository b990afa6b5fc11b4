/* CSV reader and writer: quoting, embedded newlines, other delimiters, BOM, Latin-1 input,
 * stopping from the callback, fields written back so that they read the same, and the fast
 * paths giving what libcsv gives on every CSV file of the tree and on generated lines. */
#include "testutil.h"

#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"

#include "csv/csv.h"

typedef struct {
    char rows[16][8][64];
    size_t n_fields[16];
    long recno[16];
    size_t n;
    int stop_at;
} rows;

static int collect(void *ctx, char **f, const size_t *lens, size_t n, long record, dg_error *err)
{
    rows *r = ctx;
    if (r->stop_at && (int)r->n + 1 == r->stop_at)
        return dg_error_set(err, -6, "stopped at record %ld", record);
    for (size_t i = 0; i < n && i < 8; i++) {
        assert_int_equal(strlen(f[i]), lens[i]);
        snprintf(r->rows[r->n][i], 64, "%s", f[i]);
    }
    r->n_fields[r->n] = n;
    r->recno[r->n] = record;
    r->n++;
    return 0;
}

static void quoting_and_newlines(void **state)
{
    (void)state;
    const char *in = "\xEF\xBB\xBFName,Note\r\n#1,\"Leave at door, thanks\"\r\n#2,\"two\nlines "
                     "\"\"quoted\"\"\"\r\n\r\n#3,\r\n";
    rows r = {0};
    dg_error err = {0};
    assert_int_equal(dg_csv_read_buf(in, strlen(in), "t.csv", NULL, collect, &r, &err), 0);
    assert_int_equal(r.n, 4);
    assert_string_equal(r.rows[0][0], "Name"); /* BOM skipped */
    assert_string_equal(r.rows[1][1], "Leave at door, thanks");
    assert_string_equal(r.rows[2][1], "two\nlines \"quoted\"");
    assert_int_equal(r.n_fields[3], 2);
    assert_string_equal(r.rows[3][1], "");
    assert_int_equal(r.recno[3], 4); /* the blank line is no record */
}

/* Lines without quotes take a fast path past libcsv: same results as libcsv gives (checked
 * against it): unquoted fields trimmed of spaces and tabs, blank lines no record. */
static void unquoted_lines_like_libcsv(void **state)
{
    (void)state;
    const char *in = "  a , b\t,c  \n,\na,,b\n   \nx, \r\n\"q\",  z \n";
    rows r = {0};
    dg_error err = {0};
    assert_int_equal(dg_csv_read_buf(in, strlen(in), "t.csv", NULL, collect, &r, &err), 0);
    assert_int_equal(r.n, 5);
    assert_string_equal(r.rows[0][0], "a");
    assert_string_equal(r.rows[0][1], "b");
    assert_string_equal(r.rows[0][2], "c");
    assert_int_equal(r.n_fields[1], 2);
    assert_int_equal(r.n_fields[2], 3);
    assert_string_equal(r.rows[2][1], "");
    assert_int_equal(r.n_fields[3], 2);
    assert_string_equal(r.rows[3][0], "x");
    assert_string_equal(r.rows[4][0], "q"); /* libcsv's path, same trimming */
    assert_string_equal(r.rows[4][1], "z");
    assert_int_equal(r.recno[4], 5);
}

static void delimiter_and_latin1(void **state)
{
    (void)state;
    const char *in = "sku;city;price\nA-1;Montr\xE9"
                     "al;\x80 5 \x96 \x93ok\x94\n";
    dg_csv_opts o = {';', '"', true};
    rows r = {0};
    dg_error err = {0};
    assert_int_equal(dg_csv_read_buf(in, strlen(in), "t.csv", &o, collect, &r, &err), 0);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.rows[1][0], "A-1");
    assert_string_equal(r.rows[1][1], "Montr\xC3\xA9"
                                      "al");
    assert_string_equal(r.rows[1][2], "\xE2\x82\xAC 5 \xE2\x80\x93 \xE2\x80\x9Cok\xE2\x80\x9D");
}

static void callback_stops_reading(void **state)
{
    (void)state;
    const char *in = "a\nb\nc\nd\n";
    rows r = {.stop_at = 3};
    dg_error err = {0};
    assert_int_equal(dg_csv_read_buf(in, strlen(in), "t.csv", NULL, collect, &r, &err), -6);
    assert_int_equal(r.n, 2);
    assert_non_null(strstr(err.msg, "stopped at record 3"));
}

static void missing_file(void **state)
{
    (void)state;
    rows r = {0};
    dg_error err = {0};
    assert_int_equal(dg_csv_read_file("/nonexistent/x.csv", NULL, collect, &r, &err), DG_EIO);
    assert_non_null(strstr(err.msg, "/nonexistent/x.csv"));
}

static void writer_round_trip(void **state)
{
    (void)state;
    const char *vals[] = {"plain", "a,b", "say \"hi\"", "two\nlines", " edge ", ""};
    dg_buf b = DG_BUF_INIT;
    for (size_t i = 0; i < 6; i++) {
        if (i)
            dg_buf_putc(&b, ',');
        dg_csv_put_field(&b, vals[i], strlen(vals[i]), ',', '"');
    }
    dg_buf_putc(&b, '\n');
    assert_string_equal(b.data, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" edge \",\n");
    rows r = {0};
    dg_error err = {0};
    assert_int_equal(dg_csv_read_buf(b.data, b.len, "w.csv", NULL, collect, &r, &err), 0);
    assert_int_equal(r.n, 1);
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(r.rows[0][i], vals[i]);
    dg_buf_free(&b);
}

/* ---- fast paths vs libcsv ------------------------------------------------------------------ */

static int transcribe(void *ctx, char **f, const size_t *lens, size_t n, long record, dg_error *err)
{
    (void)err;
    dg_buf *b = ctx;
    dg_buf_printf(b, "%ld %zu", record, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(strlen(f[i]), lens[i]);
        dg_buf_printf(b, "|%zu:", lens[i]);
        dg_buf_append(b, f[i], lens[i]);
    }
    dg_buf_puts(b, "\n");
    return 0;
}

/* Reads data three ways (fast paths with the SSE2 line scan, with the plain scan, every line
 * through libcsv) and compares. */
static void same_as_libcsv(const char *data, size_t len, const dg_csv_opts *o, const char *what)
{
    dg_buf ref = DG_BUF_INIT;
    dg_error e2 = {0};
    dg_csv_debug_only_libcsv(true);
    int r2 = dg_csv_read_buf(data, len, what, o, transcribe, &ref, &e2);
    dg_csv_debug_only_libcsv(false);
    for (int plain = 0; plain < 2; plain++) {
        dg_buf fast = DG_BUF_INIT;
        dg_error e1 = {0};
        dg_csv_debug_plain_scan(plain);
        int r1 = dg_csv_read_buf(data, len, what, o, transcribe, &fast, &e1);
        dg_csv_debug_plain_scan(false);
        assert_int_equal(r1, r2);
        if (fast.len != ref.len || memcmp(fast.data, ref.data, fast.len))
            fail_msg("%s: fast path (%s scan) and libcsv differ:\n%.*s---\n%.*s", what,
                     plain ? "plain" : "SSE2", (int)fast.len, fast.data, (int)ref.len, ref.data);
        dg_buf_free(&fast);
    }
    dg_buf_free(&ref);
}

static int csv_files;

static void walk_csv(const char *dir)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return;
    struct dirent *de;
    while ((de = readdir(dp))) {
        if (de->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        size_t nl = strlen(de->d_name);
        if (S_ISDIR(st.st_mode)) {
            walk_csv(path);
        } else if (nl > 4 && !strcmp(de->d_name + nl - 4, ".csv")) {
            size_t len;
            char *data = dg_test_read_file(path, &len);
            assert_non_null(data);
            same_as_libcsv(data, len, NULL, path);
            dg_csv_opts semi = {.delim = ';'}, latin = {.latin1 = true};
            same_as_libcsv(data, len, &semi, path);
            same_as_libcsv(data, len, &latin, path);
            free(data);
            csv_files++;
        }
    }
    closedir(dp);
}

static void fast_paths_like_libcsv_on_every_file(void **state)
{
    (void)state;
    csv_files = 0;
    walk_csv(dg_test_path("samples"));
    walk_csv(dg_test_path("tests/data"));
    walk_csv(dg_test_path("etc"));
    walk_csv(dg_test_path("mappings"));
    if (dg_test_corpus_dir())
        walk_csv(dg_test_corpus_dir());
    print_message("%d CSV files read both ways\n", csv_files);
    assert_true(csv_files >= 10);
}

/* Lines built from pieces that sit on either side of the fast paths' limits: quotes at and away
 * from field edges, doubled quotes (several in one field, beside delimiters), blanks around
 * quotes, CR, empty fields, trailing delimiters, quoted fields running over line ends, and
 * fields long enough that their delimiters and quotes fall in different 16-byte blocks of the
 * line scan. */
static void fast_paths_like_libcsv_on_generated_lines(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "a",
        "\"b\"",
        "\"c,d\"",
        "\"e\"\"f\"",
        "\"\"",
        " \"g\"",
        "\"h\" ",
        "i\"j",
        "\"k\"l",
        " m ",
        "",
        "\t",
        "\"n\nn\"",
        "\"o\r\"",
        "p\r",
        "\"\"\"\"",
        "\"q\"\"",
        "\"r",
        "\xe9t\xe9",
        "\"s;t\"",
        "\"u\"\"v\"\"w\"",
        "\"x,\"\",y\"\"\"",
        "long field, fifteen",
        "\"a quoted field, over 16\"",
        "\"long \"\"quoted\"\" field; 2\"",
        "  blanks around a long field\t",
    };
    const size_t np = sizeof pieces / sizeof pieces[0];
    dg_buf in = DG_BUF_INIT;
    unsigned seed = 14;
    for (int line = 0; line < 4000; line++) {
        int nf = 1 + (int)(seed % 5);
        for (int f = 0; f < nf; f++) {
            seed = seed * 1103515245u + 12345u;
            if (f)
                dg_buf_putc(&in, (seed >> 20) % 7 ? ',' : ';');
            dg_buf_puts(&in, pieces[(seed >> 8) % np]);
        }
        seed = seed * 1103515245u + 12345u;
        dg_buf_puts(&in, (seed >> 16) % 3 ? "\n" : "\r\n");
        if (line % 200 == 199) { /* in pieces: an unclosed quote must not swallow the rest */
            same_as_libcsv(in.data, in.len, NULL, "generated");
            dg_csv_opts semi = {.delim = ';'};
            same_as_libcsv(in.data, in.len, &semi, "generated (;)");
            dg_buf_clear(&in);
        }
    }
    dg_buf_free(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quoting_and_newlines),
        cmocka_unit_test(unquoted_lines_like_libcsv),
        cmocka_unit_test(delimiter_and_latin1),
        cmocka_unit_test(callback_stops_reading),
        cmocka_unit_test(missing_file),
        cmocka_unit_test(writer_round_trip),
        cmocka_unit_test(fast_paths_like_libcsv_on_every_file),
        cmocka_unit_test(fast_paths_like_libcsv_on_generated_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
