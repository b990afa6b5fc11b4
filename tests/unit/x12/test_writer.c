/* X12 writer tests: exact output, counted trailers, refused delimiters, and parse -> write ->
 * parse round trips with other delimiters (generated input and real corpus files). */
#include "testutil.h"

#include <stdbool.h>
#include <string.h>

#include "core/buf.h"
#include "x12/x12.h"

static dg_x12_isa test_isa(const char *version, const char *control)
{
    dg_x12_isa isa;
    memset(&isa, 0, sizeof isa);
    snprintf(isa.sender_qual, sizeof isa.sender_qual, "ZZ");
    snprintf(isa.sender_id, sizeof isa.sender_id, "DROPGATE");
    snprintf(isa.receiver_qual, sizeof isa.receiver_qual, "01");
    snprintf(isa.receiver_id, sizeof isa.receiver_id, "123456789");
    snprintf(isa.date, sizeof isa.date, "240131");
    snprintf(isa.time, sizeof isa.time, "1100");
    snprintf(isa.version, sizeof isa.version, "%s", version);
    snprintf(isa.control, sizeof isa.control, "%s", control);
    snprintf(isa.usage, sizeof isa.usage, "T");
    return isa;
}

static dg_x12_gs test_gs(const char *control)
{
    dg_x12_gs gs;
    memset(&gs, 0, sizeof gs);
    snprintf(gs.functional_id, sizeof gs.functional_id, "PO");
    snprintf(gs.sender, sizeof gs.sender, "DROPGATE");
    snprintf(gs.receiver, sizeof gs.receiver, "SUPPLIER");
    snprintf(gs.date, sizeof gs.date, "20240131");
    snprintf(gs.time, sizeof gs.time, "1100");
    snprintf(gs.control, sizeof gs.control, "%s", control);
    snprintf(gs.version, sizeof gs.version, "004010");
    return gs;
}

static void test_exact_output(void **state)
{
    (void)state;
    dg_buf out = DG_BUF_INIT;
    dg_x12_writer *w = dg_x12_writer_new(&out, dg_x12_default_delims(), true);
    assert_non_null(w);
    dg_error err = {0};
    dg_x12_isa isa = test_isa("00401", "42");
    dg_x12_gs gs = test_gs("7");
    assert_int_equal(dg_x12_write_isa(w, &isa, &err), 0);
    assert_int_equal(dg_x12_write_gs(w, &gs, &err), 0);
    assert_int_equal(dg_x12_write_st(w, "850", "0001", NULL, &err), 0);
    const char *beg[] = {"00", "SA", "PO-1", "", "20240131", "", NULL};
    assert_int_equal(dg_x12_write_seg(w, "BEG", beg, 7, &err), 0);
    const char *sln[] = {"1", "", "I", "2", "EA:12"}; /* a component in the writer's delimiter */
    assert_int_equal(dg_x12_write_seg(w, "SLN", sln, 5, &err), 0);
    assert_int_equal(dg_x12_write_se(w, &err), 0);
    assert_int_equal(dg_x12_write_st(w, "850", "0002", NULL, &err), 0);
    assert_int_equal(dg_x12_write_se(w, &err), 0);
    assert_int_equal(dg_x12_write_ge(w, &err), 0);
    assert_int_equal(dg_x12_write_iea(w, &err), 0);
    const char *want =
        "ISA*00*          *00*          *ZZ*DROPGATE       *01*123456789      *240131*1100*U*"
        "00401*000000042*0*T*:~\n"
        "GS*PO*DROPGATE*SUPPLIER*20240131*1100*7*X*004010~\n"
        "ST*850*0001~\n"
        "BEG*00*SA*PO-1**20240131~\n"
        "SLN*1**I*2*EA:12~\n"
        "SE*4*0001~\n"
        "ST*850*0002~\n"
        "SE*2*0002~\n"
        "GE*2*7~\n"
        "IEA*1*000000042~\n";
    assert_string_equal(out.data, want);
    assert_int_equal(strchr(out.data, '\n') - out.data, 106); /* ISA is fixed width */
    dg_x12_writer_free(w);
    dg_buf_free(&out);
}

static void test_counts_and_no_newline(void **state)
{
    (void)state;
    dg_buf out = DG_BUF_INIT;
    dg_x12_delims d = {'|', '>', '^', '\n'};
    dg_x12_writer *w = dg_x12_writer_new(&out, d, false);
    assert_non_null(w);
    dg_error err = {0};
    dg_x12_isa isa = test_isa("00501", "000000001");
    assert_int_equal(dg_x12_write_isa(w, &isa, &err), 0);
    for (int g = 1; g <= 3; g++) {
        char gc[8];
        snprintf(gc, sizeof gc, "%d", g);
        dg_x12_gs gs = test_gs(gc);
        assert_int_equal(dg_x12_write_gs(w, &gs, &err), 0);
        for (int s = 1; s <= g; s++) {
            char sc[8];
            snprintf(sc, sizeof sc, "%04d", s);
            assert_int_equal(dg_x12_write_st(w, "856", sc, "005010", &err), 0);
            const char *ref[] = {"ZZ", "A^B"}; /* a repetition in 00501 */
            for (int k = 0; k < s; k++)
                assert_int_equal(dg_x12_write_seg(w, "REF", ref, 2, &err), 0);
            assert_int_equal(dg_x12_write_se(w, &err), 0);
        }
        assert_int_equal(dg_x12_write_ge(w, &err), 0);
    }
    assert_int_equal(dg_x12_write_iea(w, &err), 0);
    assert_int_equal(out.data[82], '^'); /* ISA11: repetition separator for 00501 */
    assert_int_equal(out.data[104], '>');
    assert_int_equal(out.data[105], '\n');
    assert_non_null(strstr(out.data, "\nST|856|0003|005010\nREF|ZZ|A^B\nREF|ZZ|A^B\nREF|ZZ|A^B\n"
                                     "SE|5|0003\nGE|3|3\nIEA|3|000000001\n"));
    assert_non_null(strstr(out.data, "SE|3|0001\nGE|1|1\n"));
    assert_null(strstr(out.data, "\n\n"));
    dg_x12_writer_free(w);
    dg_buf_free(&out);
}

static void test_refusals(void **state)
{
    (void)state;
    dg_buf out = DG_BUF_INIT;
    dg_x12_writer *w = dg_x12_writer_new(&out, dg_x12_default_delims(), false);
    dg_error err = {0};
    const char *one[] = {"X"};
    /* out of order */
    assert_int_equal(dg_x12_write_seg(w, "REF", one, 1, &err), DG_EINVAL);
    assert_int_equal(dg_x12_write_gs(w, &(dg_x12_gs){0}, &err), DG_EINVAL);
    assert_int_equal(dg_x12_write_iea(w, &err), DG_EINVAL);
    dg_x12_isa isa = test_isa("00401", "1");
    dg_x12_isa bad = isa;
    snprintf(bad.sender_id, sizeof bad.sender_id, "A*B");
    assert_int_equal(dg_x12_write_isa(w, &bad, &err), DG_EINVAL);
    assert_non_null(strstr(err.msg, "ISA06"));
    bad = isa;
    snprintf(bad.control, sizeof bad.control, "12A");
    assert_int_equal(dg_x12_write_isa(w, &bad, &err), DG_EINVAL);
    assert_int_equal(out.len, 0);
    assert_int_equal(dg_x12_write_isa(w, &isa, &err), 0);
    dg_x12_gs gs = test_gs("1");
    assert_int_equal(dg_x12_write_gs(w, &gs, &err), 0);
    assert_int_equal(dg_x12_write_se(w, &err), DG_EINVAL);
    assert_int_equal(dg_x12_write_st(w, "850", "0001", NULL, &err), 0);
    assert_int_equal(dg_x12_write_ge(w, &err), DG_EINVAL);
    assert_int_equal(dg_x12_write_seg(w, "SE", one, 1, &err), DG_EINVAL);
    assert_int_equal(dg_x12_write_seg(w, "B*G", one, 1, &err), DG_EINVAL);
    /* delimiters inside element text */
    size_t before = out.len;
    const char *star[] = {"00", "A*B"};
    assert_int_equal(dg_x12_write_seg(w, "BEG", star, 2, &err), DG_EINVAL);
    assert_non_null(strstr(err.msg, "BEG02"));
    const char *tilde[] = {"A~B"};
    assert_int_equal(dg_x12_write_seg(w, "MSG", tilde, 1, &err), DG_EINVAL);
    assert_int_equal(out.len, before); /* nothing half-written */
    /* 00401 has no repetition separator: '^' is plain data then */
    const char *caret[] = {"A^B"};
    assert_int_equal(dg_x12_write_seg(w, "MSG", caret, 1, &err), 0);
    /* trailing empty elements are dropped, inner ones kept */
    const char *n1[] = {"ST", "", "92", "", "", NULL};
    assert_int_equal(dg_x12_write_seg(w, "N1", n1, 6, &err), 0);
    assert_non_null(strstr(out.data, "MSG*A^B~N1*ST**92~"));
    assert_int_equal(dg_x12_write_se(w, &err), 0);
    assert_non_null(strstr(out.data, "SE*4*0001~"));
    dg_x12_writer_free(w);
    dg_buf_free(&out);
    /* unusable delimiter sets */
    dg_x12_delims same = {'*', '*', 0, '~'};
    assert_null(dg_x12_writer_new(&out, same, false));
    /* 00501 without a repetition separator */
    dg_x12_delims norep = {'*', ':', 0, '~'};
    w = dg_x12_writer_new(&out, norep, false);
    assert_non_null(w);
    isa = test_isa("00501", "1");
    assert_int_equal(dg_x12_write_isa(w, &isa, &err), DG_EINVAL);
    dg_x12_writer_free(w);
    dg_buf_free(&out);
}

/* ---- round trips ------------------------------------------------------------------------- */

typedef struct rt {
    dg_x12_writer *w; /* NULL: only render */
    dg_x12_delims d;
    dg_buf render;
    int rc;
    int sets;
    dg_error err;
    bool in_data[256]; /* bytes seen inside element values (not the file's own separators) */
} rt;

/* Segments with the delimiters replaced by fixed marks and trailing empty elements dropped. */
static void render(rt *r, const dg_x12_seg *s)
{
    int n = s->n_el;
    while (n > 0 && s->el_len[n] == 0)
        n--;
    for (int i = 0; i <= n; i++) {
        if (i)
            dg_buf_putc(&r->render, '|');
        for (uint32_t j = 0; j < s->el_len[i]; j++) {
            char c = s->el[i][j];
            if (c == r->d.comp)
                c = '#';
            else if (r->d.rep && c == r->d.rep)
                c = '@';
            else
                r->in_data[(unsigned char)c] = true;
            dg_buf_putc(&r->render, c);
        }
    }
    dg_buf_putc(&r->render, '\n');
}

static int rt_isa(void *ctx, const dg_x12_isa *isa)
{
    rt *r = ctx;
    r->d = isa->delims;
    dg_buf_printf(&r->render, "ISA %s %s %s %s\n", isa->sender_id, isa->receiver_id, isa->version,
                  isa->control);
    if (r->w && !r->rc)
        r->rc = dg_x12_write_isa(r->w, isa, &r->err);
    return 0;
}

static int rt_gs(void *ctx, const dg_x12_isa *isa, const dg_x12_gs *gs)
{
    rt *r = ctx;
    (void)isa;
    dg_buf_printf(&r->render, "GS %s %s %s %s\n", gs->functional_id, gs->control, gs->version,
                  gs->date);
    if (r->w && !r->rc)
        r->rc = dg_x12_write_gs(r->w, gs, &r->err);
    return 0;
}

static int rt_set(void *ctx, const dg_x12_set *set)
{
    rt *r = ctx;
    r->sets++;
    for (size_t k = 0; k < set->n_segs; k++) {
        render(r, &set->segs[k]);
        if (r->w && !r->rc)
            r->rc = dg_x12_write_parsed(r->w, &set->segs[k], &set->isa->delims, &r->err);
    }
    return 0;
}

static int rt_ta1(void *ctx, const dg_x12_isa *isa, const dg_x12_seg *ta1)
{
    rt *r = ctx;
    (void)isa;
    render(r, ta1);
    if (r->w && !r->rc)
        r->rc = dg_x12_write_parsed(r->w, ta1, &r->d, &r->err);
    return 0;
}

static int rt_ge(void *ctx, const dg_x12_group_end *ge)
{
    rt *r = ctx;
    dg_buf_printf(&r->render, "GE %ld\n", ge->sets_seen);
    if (r->w && !r->rc)
        r->rc = dg_x12_write_ge(r->w, &r->err);
    return 0;
}

static int rt_iea(void *ctx, const dg_x12_interchange_end *ie)
{
    rt *r = ctx;
    dg_buf_printf(&r->render, "IEA %ld\n", ie->groups_seen);
    if (r->w && !r->rc)
        r->rc = dg_x12_write_iea(r->w, &r->err);
    return 0;
}

static const dg_x12_callbacks RT = {rt_isa, rt_gs, rt_set, rt_ge, rt_iea, rt_ta1, NULL};

/* True when some element value of data holds one of d's delimiters: the writer must refuse
 * d then (a value cannot be written with its own separator in it). Found by a parse that does
 * not write, so the expectation does not come from the writer under test. */
static bool data_holds_delims(const char *data, size_t len, dg_x12_delims d)
{
    rt r;
    memset(&r, 0, sizeof r);
    assert_int_equal(dg_x12_parse_mem(data, len, "scan", &RT, &r, &r.err), 0);
    dg_buf_free(&r.render);
    return r.in_data[(unsigned char)d.elem] || r.in_data[(unsigned char)d.comp] ||
           r.in_data[(unsigned char)d.seg] || (d.rep && r.in_data[(unsigned char)d.rep]);
}

/* parse -> write with d -> parse -> compare. The writer refuses (DG_EINVAL, saying so) exactly
 * when a value holds one of d's delimiters; otherwise the two parses must render the same. */
static int round_trip(const char *data, size_t len, const char *name, dg_x12_delims d, bool nl)
{
    bool must_refuse = data_holds_delims(data, len, d);
    rt a;
    memset(&a, 0, sizeof a);
    dg_buf out = DG_BUF_INIT;
    a.w = dg_x12_writer_new(&out, d, nl);
    assert_non_null(a.w);
    assert_int_equal(dg_x12_parse_mem(data, len, name, &RT, &a, &a.err), 0);
    int rc = a.rc;
    if (must_refuse) {
        if (rc != DG_EINVAL)
            fail_msg("%s: a value holds a new delimiter, yet the writer returned %d", name, rc);
        if (!strstr(a.err.msg, "delimiter"))
            fail_msg("%s: refusal does not say why: %s", name, a.err.msg);
    } else if (rc != 0) {
        fail_msg("%s: no value holds a new delimiter, yet the writer refused: %s", name, a.err.msg);
    }
    if (rc == 0) {
        rt b;
        memset(&b, 0, sizeof b);
        dg_error err = {0};
        assert_int_equal(dg_x12_parse_mem(out.data, out.len, "rewritten", &RT, &b, &err), 0);
        assert_int_equal(b.d.elem, d.elem);
        assert_int_equal(b.d.seg, d.seg);
        assert_int_equal(b.d.comp, d.comp);
        assert_true(a.sets > 0 || strstr(a.render.data, "TA1"));
        assert_int_equal(a.sets, b.sets);
        if (strcmp(a.render.data, b.render.data) != 0)
            fail_msg("%s: round trip differs\n--- first\n%s\n--- second\n%s\n--- written\n%s", name,
                     a.render.data, b.render.data, out.data);
        dg_buf_free(&b.render);
    }
    dg_x12_writer_free(a.w);
    dg_buf_free(&a.render);
    dg_buf_free(&out);
    return rc;
}

static void test_round_trip_generated(void **state)
{
    (void)state;
    const char *text =
        "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240131*1100*^*"
        "00501*000000001*0*P*:~\n"
        "GS*PO*A*B*20240131*1100*1*X*005010~\n"
        "ST*850*0001*005010X~\nBEG*00*SA*PO-1**20240131~REF*ZZ*A:B^C:D^^E~"
        "SLN*1**I*2*EA:12:3~N1*ST*JOHN O'HARA*92*1 2~SE*6*0001~\n"
        "GE*1*1~IEA*1*000000001~\n";
    dg_x12_delims ds[] = {
        {'*', ':', '^', '~'},     {'|', '>', '\\', '\n'}, {'^', '!', '{', '}'},
        {0x1d, 0x1f, 0x1e, 0x1c}, {'~', '>', '^', '*'},
    };
    for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++) {
        assert_int_equal(round_trip(text, strlen(text), "gen", ds[i], i % 2 == 0), 0);
        assert_int_equal(round_trip(text, strlen(text), "gen", ds[i], i % 2 == 1), 0);
    }
    /* data holding the new element separator cannot be written with it */
    dg_x12_delims apos = {'\'', ':', '^', '~'};
    assert_int_equal(round_trip(text, strlen(text), "gen", apos, false), DG_EINVAL);
}

static const char *CORPUS_RT[] = {
    "x12/850/apimeister-004010_850.edi",
    "x12/856/oopfactory-Example1.edi",
    "x12/810/oopfactory-Example3_MultiInvoice.edi",
    "x12/mixed/staedi-invoice810_po850_dual.edi",
    "x12/997/staedi-simple997-multiple-interchanges.edi",
    "x12/856/node-x12-856.edi",
    "x12/850/ediengine-850.Composite.SLN.OK.edi",
    "x12/ta1/oopfactory-TechnicalAcknowledgment_Sample1.edi",
    "x12/856/silvenga-old-856-pipe.edi",
};

static void test_round_trip_corpus(void **state)
{
    (void)state;
    const char *corpus = dg_test_corpus_dir();
    if (!corpus) {
        print_message("SKIP: shared corpus not found (../shared/corpus)\n");
        skip();
    }
    int done = 0, pipe_ok = 0;
    for (size_t i = 0; i < sizeof CORPUS_RT / sizeof CORPUS_RT[0]; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", corpus, CORPUS_RT[i]);
        size_t len;
        char *data = dg_test_read_file(path, &len);
        if (!data) {
            print_message("SKIP: %s absent\n", CORPUS_RT[i]);
            continue;
        }
        dg_x12_delims ctl = {0x1d, 0x1f, 0x1e, 0x1c}; /* never in real data */
        assert_int_equal(round_trip(data, len, CORPUS_RT[i], ctl, true), 0);
        dg_x12_delims pipe = {'|', '>', '\\', '\n'};
        /* refused exactly when the data holds '|', '>', '\\' or a newline (round_trip checks) */
        pipe_ok += round_trip(data, len, CORPUS_RT[i], pipe, false) == 0;
        free(data);
        done++;
    }
    assert_true(done > 0);
    assert_true(pipe_ok > 0);
    print_message("round trips: %d files, %d also with '|' '>' and newline\n", done, pipe_ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_output),      cmocka_unit_test(test_counts_and_no_newline),
        cmocka_unit_test(test_refusals),          cmocka_unit_test(test_round_trip_generated),
        cmocka_unit_test(test_round_trip_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
