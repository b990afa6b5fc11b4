/* X12 reader limits (audit M4): a set over the byte or element limit is rejected with AK5 5 and
 * a message naming the limit, memory stays bounded, and the next set is read normally. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "x12/x12.h"

typedef struct lcoll {
    int n_sets;
    int codes[8];
    char ctl[8][10];
    size_t n_segs[8];
    int n_set5;
    char msg5[256];
    int n_iea;
} lcoll;

static int l_set(void *ctx, const dg_x12_set *set)
{
    lcoll *c = ctx;
    if (c->n_sets < 8) {
        c->codes[c->n_sets] = set->envelope_code;
        snprintf(c->ctl[c->n_sets], sizeof c->ctl[0], "%s", set->control);
        c->n_segs[c->n_sets] = set->n_segs;
    }
    c->n_sets++;
    return 0;
}

static int l_problem(void *ctx, const dg_x12_problem *p)
{
    lcoll *c = ctx;
    if (p->level == DG_X12_LEVEL_SET && !strcmp(p->code, "5")) {
        c->n_set5++;
        snprintf(c->msg5, sizeof c->msg5, "%s", p->msg);
    }
    return 0;
}

static int l_iea(void *ctx, const dg_x12_interchange_end *e)
{
    lcoll *c = ctx;
    (void)e;
    c->n_iea++;
    return 0;
}

static const dg_x12_callbacks cbs = {.on_set = l_set, .on_problem = l_problem, .on_iea = l_iea};

/* ISA, GS, a set 0001 whose body is `body_segs` copies of seg, a normal set 0002, GE, IEA. */
static void build(dg_buf *b, const char *seg, long body_segs)
{
    dg_buf_puts(
        b, "ISA*00*          *00*          *ZZ*NORTHWIND      *ZZ*STOREFRONT     *260115*0930*^"
           "*00501*000000501*0*P*>~\nGS*IB*NORTHWIND*STOREFRONT*20260115*0930*501*X*005010~\n"
           "ST*846*0001~\nBIA*00*DD*INV-1*20260117~\n");
    for (long i = 0; i < body_segs; i++)
        dg_buf_puts(b, seg);
    dg_buf_printf(b, "SE*%ld*0001~\n", body_segs + 3);
    dg_buf_puts(b, "ST*846*0002~\nBIA*00*DD*INV-2*20260117~\nLIN**VN*NW-100~\nQTY*33*5*EA~\n"
                   "SE*5*0002~\nGE*2*501~\nIEA*1*000000501~\n");
}

static void check_second_set_fine(const lcoll *c)
{
    assert_int_equal(c->n_sets, 2);
    assert_string_equal(c->ctl[1], "0002");
    assert_int_equal(c->codes[1], 0);
    assert_int_equal(c->n_segs[1], 5);
    assert_int_equal(c->n_iea, 1);
}

static void set_over_byte_limit_rejected_next_set_read(void **state)
{
    (void)state;
    dg_x12_debug_set_limits(64 * 1024, 0);
    dg_buf b = {0};
    char seg[300];
    memset(seg, 'x', sizeof seg);
    memcpy(seg, "PID*F****", 9);
    memcpy(seg + sizeof seg - 3, "~\n", 3);
    build(&b, seg, 1000); /* ~300 KB in long segments */
    lcoll c = {0};
    dg_error err = {0};
    assert_int_equal(dg_x12_parse_mem(b.data, b.len, "big.edi", &cbs, &c, &err), 0);
    assert_int_equal(c.codes[0], 5);
    assert_int_equal(c.n_segs[0], 2); /* ST + SE only */
    assert_int_equal(c.n_set5, 1);
    assert_non_null(strstr(c.msg5, "set larger than 65536 bytes"));
    assert_true(dg_x12_debug_peak_set_bytes() <= 2 * 64 * 1024);
    check_second_set_fine(&c);
    dg_buf_free(&b);
    dg_x12_debug_set_limits(0, 0);
}

static void segment_with_too_many_elements_rejected(void **state)
{
    (void)state;
    dg_x12_debug_set_limits(0, 100);
    dg_buf b = {0};
    dg_buf_puts(&b, "REF*ZZ");
    for (int i = 0; i < 5000; i++)
        dg_buf_puts(&b, "*X");
    dg_buf_puts(&b, "~\n");
    char *seg = dg_buf_take(&b);
    dg_buf in = {0};
    build(&in, seg, 1);
    free(seg);
    lcoll c = {0};
    dg_error err = {0};
    assert_int_equal(dg_x12_parse_mem(in.data, in.len, "wide.edi", &cbs, &c, &err), 0);
    assert_int_equal(c.codes[0], 5);
    assert_non_null(strstr(c.msg5, "segment REF at file segment 5 has more than 100 elements"));
    check_second_set_fine(&c);
    dg_buf_free(&in);
    dg_x12_debug_set_limits(0, 0);
}

/* The default limit with a generated set over 64 MiB, streamed from a file. */
static void default_limit_with_a_huge_generated_set(void **state)
{
    (void)state;
    dg_x12_debug_set_limits(0, 0);
    FILE *f = tmpfile();
    assert_non_null(f);
    dg_buf b = {0};
    build(&b, "@", 0); /* placeholder: split around the body */
    char *at = strstr(b.data, "SE*3*0001~");
    assert_non_null(at);
    size_t head = (size_t)(at - b.data);
    assert_int_equal(fwrite(b.data, 1, head, f), head);
    static char chunk[1 << 16];
    const char *pat = "LIN**VN*NW-100*UP*012345678905~QTY*33*120*EA~"; /* 45 bytes, 2 segs */
    size_t pl = strlen(pat), per = sizeof chunk / pl;
    for (size_t i = 0; i < per; i++)
        memcpy(chunk + i * pl, pat, pl);
    long reps = (long)((((size_t)66 << 20) / (per * pl)) + 1), body = reps * (long)per * 2;
    for (long i = 0; i < reps; i++)
        assert_int_equal(fwrite(chunk, 1, per * pl, f), per * pl);
    fprintf(f, "SE*%ld*0001~\n", body + 3);
    fputs(at + strlen("SE*3*0001~\n"), f);
    rewind(f);
    dg_buf_free(&b);
    lcoll c = {0};
    dg_error err = {0};
    assert_int_equal(dg_x12_parse_stream(f, "huge.edi", &cbs, &c, &err), 0);
    fclose(f);
    assert_int_equal(c.codes[0], 5);
    assert_non_null(strstr(c.msg5, "846 0001: set rejected unread"));
    assert_true(strstr(c.msg5, "bytes") || strstr(c.msg5, "elements"));
    assert_true(dg_x12_debug_peak_set_bytes() <= ((size_t)64 << 20));
    check_second_set_fine(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(set_over_byte_limit_rejected_next_set_read),
        cmocka_unit_test(segment_with_too_many_elements_rejected),
        cmocka_unit_test(default_limit_with_a_huge_generated_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
