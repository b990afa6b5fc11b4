/* X12 reader tests: delimiters taken from the ISA, envelopes and their TA1/AK9/AK5 codes,
 * streaming with bounded memory, element access, and the real files of the shared corpus. */
#include "testutil.h"

#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "x12/x12.h"

/* ---- a collector of everything the reader reports ---------------------------------------- */

typedef struct prob {
    int level;
    char code[4];
    bool warning;
    long file_seg;
} prob;

typedef struct coll {
    int n_isa, n_gs, n_ge, n_iea, n_sets, n_ta1, n_prob;
    prob probs[256];
    int codes[64]; /* envelope_code per set */
    bool complete[64];
    long seg_count[64]; /* n_segs per set */
    bool gs_null[64];
    char ids[64][4], ctl[64][10];
    dg_buf segs; /* every set segment as "ID|e1|e2\n", delimiters normalised */
    long ge_sets[16], ge01[16];
    long iea01[16], iea_groups[16];
    dg_x12_isa isa[8];
    dg_x12_gs gs[8];
    int stop_after_sets; /* >0: on_set returns 99 after this many */
} coll;

static void render_seg(dg_buf *b, const dg_x12_seg *s)
{
    for (int i = 0; i <= s->n_el; i++) {
        if (i)
            dg_buf_putc(b, '|');
        assert_int_equal(strlen(s->el[i]), s->el_len[i]);
        dg_buf_append(b, s->el[i], s->el_len[i]);
    }
    dg_buf_putc(b, '\n');
}

static int c_isa(void *ctx, const dg_x12_isa *isa)
{
    coll *c = ctx;
    if (c->n_isa < 8)
        c->isa[c->n_isa] = *isa;
    c->n_isa++;
    return 0;
}

static int c_gs(void *ctx, const dg_x12_isa *isa, const dg_x12_gs *gs)
{
    coll *c = ctx;
    (void)isa;
    if (c->n_gs < 8)
        c->gs[c->n_gs] = *gs;
    c->n_gs++;
    return 0;
}

static int c_set(void *ctx, const dg_x12_set *set)
{
    coll *c = ctx;
    int i = c->n_sets++;
    if (i < 64) {
        c->codes[i] = set->envelope_code;
        c->complete[i] = set->complete;
        c->seg_count[i] = (long)set->n_segs;
        c->gs_null[i] = set->gs == NULL;
        snprintf(c->ids[i], sizeof c->ids[i], "%s", set->id);
        snprintf(c->ctl[i], sizeof c->ctl[i], "%s", set->control);
    }
    assert_non_null(set->isa);
    for (size_t k = 0; k < set->n_segs; k++) {
        assert_int_equal(set->segs[k].set_seg, (long)k + 1);
        render_seg(&c->segs, &set->segs[k]);
    }
    if (c->stop_after_sets && c->n_sets >= c->stop_after_sets)
        return 99;
    return 0;
}

static int c_ge(void *ctx, const dg_x12_group_end *ge)
{
    coll *c = ctx;
    if (c->n_ge < 16) {
        c->ge_sets[c->n_ge] = ge->sets_seen;
        c->ge01[c->n_ge] = ge->ge01;
    }
    c->n_ge++;
    return 0;
}

static int c_iea(void *ctx, const dg_x12_interchange_end *ie)
{
    coll *c = ctx;
    if (c->n_iea < 16) {
        c->iea01[c->n_iea] = ie->iea01;
        c->iea_groups[c->n_iea] = ie->groups_seen;
    }
    c->n_iea++;
    return 0;
}

static int c_ta1(void *ctx, const dg_x12_isa *isa, const dg_x12_seg *ta1)
{
    coll *c = ctx;
    (void)isa;
    assert_string_equal(dg_x12_seg_id(ta1), "TA1");
    c->n_ta1++;
    return 0;
}

static int c_problem(void *ctx, const dg_x12_problem *p)
{
    coll *c = ctx;
    assert_true(p->msg[0] != '\0');
    if (c->n_prob < 256) {
        prob *q = &c->probs[c->n_prob];
        q->level = (int)p->level;
        snprintf(q->code, sizeof q->code, "%s", p->code);
        q->warning = p->warning;
        q->file_seg = p->file_seg;
    }
    c->n_prob++;
    return 0;
}

static const dg_x12_callbacks CB = {c_isa, c_gs, c_set, c_ge, c_iea, c_ta1, c_problem};

static int parse(coll *c, const char *text)
{
    memset(c, 0, sizeof *c);
    dg_error err = {0};
    return dg_x12_parse_mem(text, strlen(text), "test.edi", &CB, c, &err);
}

static void coll_free(coll *c)
{
    dg_buf_free(&c->segs);
}

static bool has(const coll *c, dg_x12_level level, const char *code)
{
    for (int i = 0; i < c->n_prob && i < 256; i++)
        if (c->probs[i].level == (int)level && !strcmp(c->probs[i].code, code))
            return true;
    return false;
}

static bool has_warning(const coll *c, const char *code)
{
    for (int i = 0; i < c->n_prob && i < 256; i++)
        if (!strcmp(c->probs[i].code, code) && c->probs[i].warning)
            return true;
    return false;
}

static int errors(const coll *c)
{
    int n = 0;
    for (int i = 0; i < c->n_prob && i < 256; i++)
        n += !c->probs[i].warning;
    return n;
}

/* ---- building test interchanges ---------------------------------------------------------- */

/* A fixed-width ISA with the given delimiters, version and control number. */
static void isa(dg_buf *b, char e, char comp, char seg, const char *version, const char *ctl)
{
    char rep = strcmp(version, "00402") >= 0 ? '^' : 'U';
    dg_buf_printf(b,
                  "ISA%c00%c          %c00%c          %cZZ%cSENDER         %cZZ%cRECEIVER       "
                  "%c240131%c1100%c%c%c%s%c%s%c0%cP%c%c%c",
                  e, e, e, e, e, e, e, e, e, e, e, rep, e, version, e, ctl, e, e, e, comp, seg);
}

/* Appends template text written with '*' ':' '~' using other delimiters (and a line end). */
static void put(dg_buf *b, const char *tmpl, char e, char comp, char seg, const char *eol)
{
    for (const char *p = tmpl; *p; p++) {
        if (*p == '*')
            dg_buf_putc(b, e);
        else if (*p == ':')
            dg_buf_putc(b, comp);
        else if (*p == '~') {
            dg_buf_putc(b, seg);
            dg_buf_puts(b, eol);
        } else
            dg_buf_putc(b, *p);
    }
}

static const char *PO_GROUP =
    "GS*PO*SENDERAPP*RECEIVERAPP*20240131*1100*1*X*004010~"
    "ST*850*0001~BEG*00*SA*PO-1**20240131~PO1*1*2*EA*9.5**VP*SKU-1~"
    "SLN*1**I*2*EA:12:3~CTT*1~SE*6*0001~"
    "ST*850*0002~BEG*00*SA*PO-2**20240131~PO1*1*1*EA*20**VP*SKU-2~CTT*1~SE*5*0002~"
    "GE*2*1~";

static char *make(char e, char comp, char seg, const char *eol, const char *body, const char *ctl,
                  const char *iea)
{
    dg_buf b = DG_BUF_INIT;
    isa(&b, e, comp, seg, "00401", ctl);
    dg_buf_puts(&b, eol);
    put(&b, body, e, comp, seg, eol);
    put(&b, iea, e, comp, seg, eol);
    return dg_buf_take(&b);
}

/* ---- tests ------------------------------------------------------------------------------- */

static const char *EXPECTED_SEGS = "ST|850|0001\n"
                                   "BEG|00|SA|PO-1||20240131\n"
                                   "PO1|1|2|EA|9.5||VP|SKU-1\n"
                                   "SLN|1||I|2|EA#12#3\n"
                                   "CTT|1\n"
                                   "SE|6|0001\n"
                                   "ST|850|0002\n"
                                   "BEG|00|SA|PO-2||20240131\n"
                                   "PO1|1|1|EA|20||VP|SKU-2\n"
                                   "CTT|1\n"
                                   "SE|5|0002\n";

/* The rendering keeps component separators as read; normalise them to '#' for comparison. */
static void expect_segs(coll *c, char comp)
{
    for (size_t i = 0; i < c->segs.len; i++)
        if (c->segs.data[i] == comp)
            c->segs.data[i] = '#';
    assert_string_equal(c->segs.data, EXPECTED_SEGS);
}

static void test_delimiter_variants(void **state)
{
    (void)state;
    struct {
        char e, comp, seg;
        const char *eol;
    } v[] = {
        {'*', ':', '~', ""},      {'*', ':', '~', "\n"},  {'*', ':', '~', "\r\n"},
        {'|', '^', '~', ""},      {'|', '>', '~', "\n"},  {'^', '>', '~', "\r\n"},
        {'^', ':', '\n', ""},     {'*', '>', '\r', "\n"}, {'~', '>', '*', "\r\n  "},
        {'|', '!', '\'', "\n\t"}, {0x1d, 0x1f, 0x1c, ""},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char *text =
            make(v[i].e, v[i].comp, v[i].seg, v[i].eol, PO_GROUP, "000000905", "IEA*1*000000905~");
        coll c;
        assert_int_equal(parse(&c, text), 0);
        assert_int_equal(c.n_prob, 0);
        assert_int_equal(c.n_isa, 1);
        assert_int_equal(c.isa[0].delims.elem, v[i].e);
        assert_int_equal(c.isa[0].delims.comp, v[i].comp);
        assert_int_equal(c.isa[0].delims.seg, v[i].seg);
        assert_int_equal(c.isa[0].delims.rep, 0);
        assert_string_equal(c.isa[0].sender_id, "SENDER");
        assert_string_equal(c.isa[0].receiver_id, "RECEIVER");
        assert_string_equal(c.isa[0].control, "000000905");
        assert_string_equal(c.isa[0].version, "00401");
        assert_string_equal(c.gs[0].control, "1");
        assert_string_equal(c.gs[0].functional_id, "PO");
        assert_string_equal(c.gs[0].version, "004010");
        assert_int_equal(c.n_sets, 2);
        assert_int_equal(c.n_ge, 1);
        assert_int_equal(c.n_iea, 1);
        assert_int_equal(c.ge01[0], 2);
        assert_int_equal(c.iea01[0], 1);
        assert_true(c.complete[0] && c.complete[1]);
        assert_int_equal(c.seg_count[0], 6);
        assert_string_equal(c.ids[1], "850");
        assert_string_equal(c.ctl[1], "0002");
        expect_segs(&c, v[i].comp);
        coll_free(&c);
        free(text);
    }
}

static void test_bom_and_leading_whitespace(void **state)
{
    (void)state;
    char *text = make('*', ':', '~', "\r\n", PO_GROUP, "000000001", "IEA*1*000000001~");
    dg_buf b = DG_BUF_INIT;
    dg_buf_puts(&b, "\xef\xbb\xbf \r\n\t");
    dg_buf_puts(&b, text);
    coll c;
    assert_int_equal(parse(&c, b.data), 0);
    assert_int_equal(errors(&c), 0);
    assert_int_equal(c.n_sets, 2);
    expect_segs(&c, ':');
    coll_free(&c);
    dg_buf_free(&b);
    free(text);
}

static void test_multiple_interchanges_groups_sets(void **state)
{
    (void)state;
    dg_buf b = DG_BUF_INIT;
    isa(&b, '*', ':', '~', "00401", "000000001");
    dg_buf_puts(&b, "\n");
    dg_buf_puts(&b, PO_GROUP);
    dg_buf_puts(&b, "GS*IN*A*B*20240131*1100*2*X*004010~ST*810*0001~BIG*20240131*INV1~SE*3*0001~"
                    "GE*1*2~IEA*2*000000001~\n");
    isa(&b, '|', '>', '\n', "00501", "000000002");
    dg_buf_puts(&b, "GS|SH|A|B|20240131|1100|7|X|005010\nST|856|0001\nBSN|00|1|20240131|1100\n"
                    "SE|3|0001\nGE|1|7\nIEA|1|000000002\n");
    coll c;
    assert_int_equal(parse(&c, b.data), 0);
    assert_int_equal(c.n_prob, 0);
    assert_int_equal(c.n_isa, 2);
    assert_int_equal(c.n_gs, 3);
    assert_int_equal(c.n_ge, 3);
    assert_int_equal(c.n_iea, 2);
    assert_int_equal(c.n_sets, 4);
    assert_string_equal(c.ids[2], "810");
    assert_string_equal(c.ids[3], "856");
    assert_int_equal(c.iea_groups[0], 2);
    assert_int_equal(c.isa[1].delims.elem, '|');
    assert_int_equal(c.isa[1].delims.seg, '\n');
    assert_int_equal(c.isa[1].delims.rep, '^'); /* 00501: ISA11 is the repetition separator */
    assert_string_equal(c.gs[2].control, "7");
    coll_free(&c);
    dg_buf_free(&b);
}

static void test_callback_stops(void **state)
{
    (void)state;
    char *text = make('*', ':', '~', "\n", PO_GROUP, "000000001", "IEA*1*000000001~");
    coll c;
    memset(&c, 0, sizeof c);
    c.stop_after_sets = 1;
    dg_error err = {0};
    assert_int_equal(dg_x12_parse_mem(text, strlen(text), "t", &CB, &c, &err), 99);
    assert_int_equal(c.n_sets, 1);
    coll_free(&c);
    free(text);
}

/* Parses body in a standard ISA/IEA and checks that code (at level) is reported. */
static void expect_code(const char *body, const char *iea, dg_x12_level level, const char *code)
{
    char *text = make('*', ':', '~', "\n", body, "000000001", iea);
    coll c;
    assert_int_equal(parse(&c, text), 0);
    if (!has(&c, level, code))
        fail_msg("expected level %d code %s for:\n%s", (int)level, code, text);
    coll_free(&c);
    free(text);
}

static const char *IEA_OK = "IEA*1*000000001~";
#define SET1 "ST*850*0001~BEG*00*SA*1**20240131~SE*3*0001~"
#define GS1 "GS*PO*A*B*20240131*1100*1*X*004010~"

static void test_interchange_codes(void **state)
{
    (void)state;
    expect_code(GS1 SET1 "GE*1*1~", "IEA*1*000000002~", DG_X12_LEVEL_INTERCHANGE, "001");
    expect_code(GS1 SET1 "GE*1*1~", "IEA*2*000000001~", DG_X12_LEVEL_INTERCHANGE, "021");
    expect_code(GS1 SET1 "GE*1*1~", "", DG_X12_LEVEL_INTERCHANGE, "023");
    expect_code("REF*ZZ*1~" GS1 SET1 "GE*1*1~", IEA_OK, DG_X12_LEVEL_INTERCHANGE, "024");
    expect_code(GS1 SET1 "GE*1*1~GE*1*1~", IEA_OK, DG_X12_LEVEL_INTERCHANGE, "022");
    expect_code(GS1 SET1 "GE*1*1~", "IEA*1*000000001~IEA*1*000000001~", DG_X12_LEVEL_INTERCHANGE,
                "022");
    /* a run of out-of-place segments is reported once */
    char *run =
        make('*', ':', '~', "\n", "REF*ZZ*1~N1*ST*X~N3*Y~" GS1 SET1 "GE*1*1~", "000000001", IEA_OK);
    coll r;
    assert_int_equal(parse(&r, run), 0);
    assert_int_equal(r.n_prob, 1);
    assert_true(has(&r, DG_X12_LEVEL_INTERCHANGE, "024"));
    assert_int_equal(r.probs[0].file_seg, 2);
    coll_free(&r);
    free(run);
    /* an ST with no GS before it: interchange content, and the set comes with gs == NULL */
    char *text = make('*', ':', '~', "", SET1, "000000001", "IEA*0*000000001~");
    coll c;
    assert_int_equal(parse(&c, text), 0);
    assert_true(has(&c, DG_X12_LEVEL_INTERCHANGE, "024"));
    assert_int_equal(c.n_sets, 1);
    assert_true(c.gs_null[0]);
    coll_free(&c);
    free(text);
}

/* An ISA with one field replaced; fixed width is kept so only that field is wrong. */
static void expect_isa_code(int field, const char *value, const char *code, bool warning)
{
    static const int width[17] = {3, 2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1};
    char text[1024];
    dg_buf b = DG_BUF_INIT;
    isa(&b, '*', ':', '~', "00401", "000000001");
    size_t at = 0;
    for (int i = 0; i < field; i++)
        at += (size_t)width[i] + 1;
    assert_int_equal(strlen(value), (size_t)width[field]);
    memcpy(b.data + at, value, strlen(value));
    snprintf(text, sizeof text, "%s\n" GS1 SET1 "GE*1*1~IEA*1*%s~", b.data,
             field == 13 ? value : "000000001");
    coll c;
    assert_int_equal(parse(&c, text), 0);
    if (!has(&c, DG_X12_LEVEL_INTERCHANGE, code))
        fail_msg("ISA%02d '%s': expected TA1 %s", field, value, code);
    assert_int_equal(errors(&c), warning ? 0 : 1);
    assert_int_equal(c.n_sets, 1);
    coll_free(&c);
    dg_buf_free(&b);
}

static void test_isa_field_codes(void **state)
{
    (void)state;
    expect_isa_code(1, "0A", "010", false);
    expect_isa_code(3, "X ", "012", false);
    expect_isa_code(5, "  ", "005", false);
    expect_isa_code(6, "               ", "006", false);
    expect_isa_code(7, "  ", "007", false);
    expect_isa_code(8, "               ", "008", false);
    expect_isa_code(9, "241301", "014", false);
    expect_isa_code(10, "2561", "015", false);
    expect_isa_code(11, "X", "016", false);
    expect_isa_code(11, "^", "016", true); /* a repetition separator sent early: tolerated */
    expect_isa_code(12, "0040A", "017", false);
    expect_isa_code(12, "00100", "017", true); /* well formed, unknown release: warned */
    expect_isa_code(13, "00000001A", "018", false);
    expect_isa_code(14, "2", "019", false);
    expect_isa_code(15, "X", "020", false);
}

static void test_duplicate_interchange(void **state)
{
    (void)state;
    dg_buf b = DG_BUF_INIT;
    for (int i = 0; i < 2; i++) {
        isa(&b, '*', ':', '~', "00401", "000000042");
        dg_buf_puts(&b, GS1 SET1 "GE*1*1~IEA*1*000000042~\n");
    }
    coll c;
    assert_int_equal(parse(&c, b.data), 0);
    assert_true(has(&c, DG_X12_LEVEL_INTERCHANGE, "025"));
    assert_int_equal(errors(&c), 1);
    assert_int_equal(c.n_sets, 2);
    coll_free(&c);
    dg_buf_free(&b);
}

static void test_group_codes(void **state)
{
    (void)state;
    expect_code(GS1 SET1, IEA_OK, DG_X12_LEVEL_GROUP, "3");
    expect_code(GS1 SET1 "GE*1*2~", IEA_OK, DG_X12_LEVEL_GROUP, "4");
    expect_code(GS1 SET1 "GE*2*1~", IEA_OK, DG_X12_LEVEL_GROUP, "5");
    expect_code("GS*PO*A*B*20240131*1100*X1*X*004010~" SET1 "GE*1*X1~", IEA_OK, DG_X12_LEVEL_GROUP,
                "6");
    /* GE02 with other zero padding: tolerated with a warning */
    char *text = make('*', ':', '~', "", GS1 SET1 "GE*1*0001~", "000000001", IEA_OK);
    coll c;
    assert_int_equal(parse(&c, text), 0);
    assert_int_equal(errors(&c), 0);
    assert_true(has_warning(&c, "4"));
    coll_free(&c);
    free(text);
}

/* One set in a good group; checks the set's envelope_code and that the problem was reported. */
static void expect_set_code(const char *sets, int set_index, int code)
{
    char body[2048];
    snprintf(body, sizeof body, GS1 "%sGE*%d*1~", sets, set_index + 1);
    char *text = make('*', ':', '~', "\n", body, "000000001", IEA_OK);
    coll c;
    assert_int_equal(parse(&c, text), 0);
    assert_true(c.n_sets > set_index);
    if (c.codes[set_index] != code)
        fail_msg("set %d: envelope_code %d, expected %d\n%s", set_index, c.codes[set_index], code,
                 text);
    char cs[4];
    snprintf(cs, sizeof cs, "%d", code);
    assert_true(has(&c, DG_X12_LEVEL_SET, cs));
    coll_free(&c);
    free(text);
}

static void test_set_codes(void **state)
{
    (void)state;
    expect_set_code("ST*850*0001~BEG*00~SE*3*0002~", 0, 3);
    expect_set_code("ST*850*0001~BEG*00~SE*9*0001~", 0, 4);
    expect_set_code("ST*850*0001~BEG*00~SE*X*0001~", 0, 4);
    expect_set_code("ST*85*0001~BEG*00~SE*3*0001~", 0, 6);
    expect_set_code("ST**0001~BEG*00~SE*3*0001~", 0, 6);
    expect_set_code("ST*850*12~BEG*00~SE*3*12~", 0, 7);
    expect_set_code("ST*850~BEG*00~SE*3~", 0, 7);
    expect_set_code("ST*850*0001~SE*2*0001~ST*850*0001~SE*2*0001~", 1, 23);
    /* SE missing before GE: code 2, the set is handed over incomplete without the GE */
    char *text = make('*', ':', '~', "", GS1 "ST*850*0001~BEG*00~GE*1*1~", "000000001", IEA_OK);
    coll c;
    assert_int_equal(parse(&c, text), 0);
    assert_int_equal(c.n_sets, 1);
    assert_int_equal(c.codes[0], 2);
    assert_false(c.complete[0]);
    assert_int_equal(c.seg_count[0], 2);
    assert_true(has(&c, DG_X12_LEVEL_SET, "2"));
    assert_false(has(&c, DG_X12_LEVEL_GROUP, "5"));
    coll_free(&c);
    free(text);
    /* SE and GE missing before IEA: the set stops before the IEA, the interchange is whole */
    text = make('*', ':', '~', "\n", GS1 "ST*850*0001~BEG*00~", "000000001", IEA_OK);
    assert_int_equal(parse(&c, text), 0);
    assert_int_equal(c.n_sets, 1);
    assert_int_equal(c.seg_count[0], 2);
    assert_string_equal(c.segs.data, "ST|850|0001\nBEG|00\n");
    assert_true(has(&c, DG_X12_LEVEL_SET, "2"));
    assert_true(has(&c, DG_X12_LEVEL_GROUP, "3"));
    assert_false(has(&c, DG_X12_LEVEL_INTERCHANGE, "023"));
    assert_int_equal(c.n_ge, 1);
    assert_int_equal(c.n_iea, 1);
    assert_int_equal(c.iea01[0], 1);
    coll_free(&c);
    free(text);
    /* SE missing before the next ST: both sets are delivered, the second one complete */
    text = make('*', ':', '~', "\n", GS1 "ST*850*0001~BEG*00~ST*850*0002~BEG*00~SE*3*0002~GE*2*1~",
                "000000001", IEA_OK);
    assert_int_equal(parse(&c, text), 0);
    assert_int_equal(c.n_sets, 2);
    assert_int_equal(c.codes[0], 2);
    assert_int_equal(c.codes[1], 0);
    assert_true(c.complete[1]);
    assert_string_equal(c.segs.data, "ST|850|0001\nBEG|00\nST|850|0002\nBEG|00\nSE|3|0002\n");
    assert_int_equal(errors(&c), 1);
    coll_free(&c);
    free(text);
}

static void test_truncated_mid_set(void **state)
{
    (void)state;
    char *text =
        make('*', ':', '~', "\n", GS1 "ST*850*0001~BEG*00*SA*1~PO1*1*2*E", "000000001", "");
    coll c;
    assert_int_equal(parse(&c, text), 0);
    assert_int_equal(c.n_sets, 1);
    assert_false(c.complete[0]);
    assert_int_equal(c.codes[0], 2);
    assert_true(has(&c, DG_X12_LEVEL_SET, "2"));
    assert_true(has(&c, DG_X12_LEVEL_GROUP, "3"));
    assert_true(has(&c, DG_X12_LEVEL_INTERCHANGE, "023"));
    assert_int_equal(c.n_iea, 1);
    assert_int_equal(c.iea01[0], -1);
    assert_int_equal(c.ge01[0], -1);
    coll_free(&c);
    free(text);
}

static void test_not_x12(void **state)
{
    (void)state;
    dg_error err = {0};
    coll c;
    memset(&c, 0, sizeof c);
    const char *bad[] = {"", "   \n", "hello world, this is not EDI",
                         "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIV"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err.code = 0;
        assert_int_equal(dg_x12_parse_mem(bad[i], strlen(bad[i]), "bad.edi", &CB, &c, &err),
                         DG_EPARSE);
        assert_int_equal(err.code, DG_EPARSE);
        assert_non_null(strstr(err.msg, "bad.edi"));
    }
    /* a 105-byte ISA cut just before its terminator */
    dg_buf b = DG_BUF_INIT;
    isa(&b, '*', ':', '~', "00401", "000000001");
    assert_int_equal(b.len, 106);
    assert_int_equal(dg_x12_parse_mem(b.data, 105, "cut.edi", &CB, &c, &err), DG_EPARSE);
    dg_buf_free(&b);
    assert_int_equal(dg_x12_parse_file("/nonexistent/x.edi", &CB, &c, &err), DG_EIO);
}

static void test_lenient_isa(void **state)
{
    (void)state;
    const char *text = "ISA*00**00**ZZ*SENDER*ZZ*RECEIVER*240131*1100*U*00401*000000007*0*P*>~\n"
                       "GS*PO*A*B*20240131*1100*1*X*004010~ST*850*0001~BEG*00~SE*3*0001~"
                       "GE*1*1~IEA*1*000000007~";
    coll c;
    assert_int_equal(parse(&c, text), 0);
    assert_true(has_warning(&c, "024"));
    assert_int_equal(errors(&c), 0);
    assert_string_equal(c.isa[0].sender_id, "SENDER");
    assert_string_equal(c.isa[0].control, "000000007");
    assert_int_equal(c.isa[0].delims.comp, '>');
    assert_int_equal(c.n_sets, 1);
    coll_free(&c);
    /* padding with UTF-8 no-break spaces and an ISA broken over two lines */
    text = "ISA*00*\xc2\xa0\xc2\xa0*00*  *ZZ*SENDER\xc2\xa0 *ZZ*RECEIVER\n*240131*11\n00*U*00401*"
           "000000007*0*P*>~GS*PO*A*B*20240131*1100*1*X*004010~ST*850*0001~SE*2*0001~GE*1*1~"
           "IEA*1*000000007~";
    assert_int_equal(parse(&c, text), 0);
    assert_int_equal(errors(&c), 0);
    assert_string_equal(c.isa[0].sender_id, "SENDER");
    assert_string_equal(c.isa[0].receiver_id, "RECEIVER");
    assert_string_equal(c.isa[0].time, "1100");
    assert_int_equal(c.n_sets, 1);
    coll_free(&c);
    /* "> \r\n": blank before the line break; lines are the segments */
    text = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240131*1100*U*"
           "00401*000000007*0*P*> \r\nGS*PO*A*B*20240131*1100*1*X*004010 \r\nST*850*0001 \r\n"
           "N1*ST*JOHN Q SMITH \r\nSE*3*0001 \r\nGE*1*1 \r\nIEA*1*000000007 \r\n";
    assert_int_equal(parse(&c, text), 0);
    assert_int_equal(errors(&c), 0);
    assert_string_equal(c.segs.data, "ST|850|0001\nN1|ST|JOHN Q SMITH\nSE|3|0001\n");
    coll_free(&c);
    /* ISA16 missing: not guessed from the GS after it */
    text = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240131*1100*U*"
           "00401*000000007*0*P~\nGS*PO*A*B*20240131*1100*1*X*004010~ST*850*0001~SE*2*0001~"
           "GE*1*1~IEA*1*000000007~";
    assert_int_equal(parse(&c, text), 0);
    assert_true(has(&c, DG_X12_LEVEL_INTERCHANGE, "022"));
    assert_int_equal(c.n_sets, 0);
    coll_free(&c);
    /* an unusable element separator: TA1 026, nothing else read */
    text = "ISA 00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240131*1100*U*"
           "00401*000000007*0*P*>~";
    assert_int_equal(parse(&c, text), 0);
    assert_true(has(&c, DG_X12_LEVEL_INTERCHANGE, "026"));
    assert_int_equal(c.n_sets, 0);
    coll_free(&c);
}

static void test_ta1_and_service_segments(void **state)
{
    (void)state;
    char *text =
        make('*', ':', '~', "\n", "TA1*000000009*240131*1100*A*000~ISB*1~ISE*1~" GS1 SET1 "GE*1*1~",
             "000000001", IEA_OK);
    coll c;
    assert_int_equal(parse(&c, text), 0);
    assert_int_equal(c.n_prob, 0);
    assert_int_equal(c.n_ta1, 1);
    assert_int_equal(c.n_sets, 1);
    coll_free(&c);
    free(text);
}

static void test_bare_sets(void **state)
{
    (void)state;
    const char *text = "\xef\xbb\xbfST*850*0001~\nBEG*00*SA*1~\nSE*3*0001~\nST*850*0002~\n"
                       "SE*2*0002~\n";
    coll c;
    assert_int_equal(parse(&c, text), 0);
    assert_int_equal(errors(&c), 0);
    assert_true(has_warning(&c, "024"));
    assert_int_equal(c.n_sets, 2);
    assert_int_equal(c.codes[0], 0);
    coll_free(&c);
}

/* ---- element access ---------------------------------------------------------------------- */

typedef struct get_ctx {
    dg_x12_delims d;
    int checked;
} get_ctx;

static void expect_get(const dg_x12_seg *s, const dg_x12_delims *d, int el, int comp, int rep,
                       const char *want)
{
    size_t n = 99;
    const char *v = dg_x12_get(s, d, el, comp, rep, &n);
    assert_non_null(v);
    if (n != strlen(want) || memcmp(v, want, n) != 0)
        fail_msg("get(%d,%d,%d) = '%.*s', expected '%s'", el, comp, rep, (int)n, v, want);
}

static int get_isa(void *ctx, const dg_x12_isa *isa)
{
    ((get_ctx *)ctx)->d = isa->delims;
    return 0;
}

static int get_set(void *ctx, const dg_x12_set *set)
{
    get_ctx *g = ctx;
    const dg_x12_delims *d = &g->d;
    const dg_x12_seg *s = &set->segs[1]; /* REF*ZZ*A:B:C^D:E^^F*last */
    assert_string_equal(dg_x12_seg_id(s), "REF");
    assert_int_equal(s->n_el, 3);
    expect_get(s, d, 1, 0, 0, "ZZ");
    expect_get(s, d, 1, 1, 0, "ZZ");
    expect_get(s, d, 1, 2, 0, "");
    expect_get(s, d, 2, 0, 0, "A:B:C");
    expect_get(s, d, 2, 1, 0, "A");
    expect_get(s, d, 2, 3, 0, "C");
    expect_get(s, d, 2, 4, 0, "");
    expect_get(s, d, 2, 0, 1, "D:E");
    expect_get(s, d, 2, 2, 1, "E");
    expect_get(s, d, 2, 0, 2, "");
    expect_get(s, d, 2, 1, 3, "F");
    expect_get(s, d, 2, 0, 4, "");
    expect_get(s, d, 3, 0, 0, "last");
    expect_get(s, d, 4, 0, 0, "");
    expect_get(s, d, 0, 0, 0, "");
    expect_get(s, d, -1, 0, 0, "");
    /* without a repetition separator (before 00402) '^' is data */
    dg_x12_delims d4 = *d;
    d4.rep = 0;
    expect_get(s, &d4, 2, 3, 0, "C^D");
    expect_get(s, &d4, 2, 0, 1, "");
    size_t n;
    const char *whole = dg_x12_get(s, &d4, 3, 0, 0, &n);
    assert_int_equal(whole[n], '\0'); /* comp 0 without repetitions: NUL-terminated */
    g->checked++;
    return 0;
}

static void test_get_components_repetitions(void **state)
{
    (void)state;
    dg_buf b = DG_BUF_INIT;
    isa(&b, '*', ':', '~', "00501", "000000001");
    dg_buf_puts(&b, "GS*PO*A*B*20240131*1100*1*X*005010~ST*850*0001~REF*ZZ*A:B:C^D:E^^F*last~"
                    "SE*3*0001~GE*1*1~IEA*1*000000001~");
    get_ctx g = {{0}, 0};
    dg_x12_callbacks cb = {0};
    cb.on_isa = get_isa;
    cb.on_set = get_set;
    dg_error err = {0};
    assert_int_equal(dg_x12_parse_mem(b.data, b.len, "get.edi", &cb, &g, &err), 0);
    assert_int_equal(g.checked, 1);
    assert_int_equal(g.d.rep, '^');
    dg_buf_free(&b);
}

/* ---- streaming --------------------------------------------------------------------------- */

typedef struct sum_ctx {
    long sets, segs;
    uint64_t h;
} sum_ctx;

static int sum_set(void *ctx, const dg_x12_set *set)
{
    sum_ctx *s = ctx;
    s->sets++;
    for (size_t k = 0; k < set->n_segs; k++) {
        const dg_x12_seg *g = &set->segs[k];
        s->segs++;
        for (int i = 0; i <= g->n_el; i++) {
            for (uint32_t j = 0; j < g->el_len[i]; j++)
                s->h = (s->h ^ (unsigned char)g->el[i][j]) * 1099511628211ull;
            s->h = (s->h ^ 0xff) * 1099511628211ull;
        }
    }
    return 0;
}

static int sum_problem(void *ctx, const dg_x12_problem *p)
{
    (void)ctx;
    fail_msg("unexpected problem %s: %s", p->code, p->msg);
    return 0;
}

/* Many sets (about 24 MB): the set buffer must stay small; file and memory parses agree (so the
 * refilled read buffer splits segments correctly at its boundaries). */
static void test_large_input_bounded_memory(void **state)
{
    (void)state;
    char *dir = dg_test_tmpdir("x12big");
    char path[4200];
    snprintf(path, sizeof path, "%s/big.edi", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    dg_buf b = DG_BUF_INIT;
    isa(&b, '*', ':', '~', "00401", "000000001");
    dg_buf_puts(&b, "\r\nGS*PO*A*B*20240131*1100*1*X*004010~\r\n");
    const long n_sets = 25000;
    for (long i = 1; i <= n_sets; i++) {
        dg_buf_printf(&b, "ST*850*%ld~\r\nBEG*00*SA*PO%ld**20240131~\r\n", 10000 + i, i);
        int lines = 5 + (int)(i % 23);
        for (int l = 1; l <= lines; l++)
            dg_buf_printf(&b, "PO1*%d*%d*EA*%d.25**VP*SKU-%ld-%d*UP*0001234%05d~\r\n", l, l * 3,
                          l + 7, i, l, l);
        dg_buf_printf(&b, "CTT*%d~\r\nSE*%d*%ld~\r\n", lines, lines + 4, 10000 + i);
        if (b.len > 1 << 20) {
            assert_int_equal(fwrite(b.data, 1, b.len, f), b.len);
            dg_buf_clear(&b);
        }
    }
    dg_buf_printf(&b, "GE*%ld*1~\r\nIEA*1*000000001~\r\n", n_sets);
    assert_int_equal(fwrite(b.data, 1, b.len, f), b.len);
    dg_buf_free(&b);
    long size = ftell(f);
    fclose(f);
    assert_true(size > 20 * 1000 * 1000);

    dg_x12_callbacks cb = {0};
    cb.on_set = sum_set;
    cb.on_problem = sum_problem;
    sum_ctx a = {0, 0, 1469598103934665603ull}, m = a;
    dg_error err = {0};
    assert_int_equal(dg_x12_parse_file(path, &cb, &a, &err), 0);
    assert_int_equal(a.sets, n_sets);
    size_t peak = dg_x12_debug_peak_set_bytes();
    assert_true(peak > 0);
    assert_true(peak <= 16 * 1024); /* largest set is ~2 KB; the file is 20+ MB */

    size_t len;
    char *all = dg_test_read_file(path, &len);
    assert_non_null(all);
    assert_int_equal(dg_x12_parse_mem(all, len, "big.edi", &cb, &m, &err), 0);
    assert_int_equal(m.sets, a.sets);
    assert_int_equal(m.segs, a.segs);
    assert_true(m.h == a.h);
    free(all);

    /* and the hook does see a big set: one set of ~3 MB */
    f = fopen(path, "wb");
    assert_non_null(f);
    b = (dg_buf)DG_BUF_INIT;
    isa(&b, '*', ':', '~', "00401", "000000001");
    dg_buf_puts(&b, "GS*PO*A*B*20240131*1100*1*X*004010~ST*850*0001~");
    for (int l = 1; l <= 60000; l++)
        dg_buf_printf(&b, "PO1*%d*1*EA*1**VP*SKU-%08d~\n", l, l);
    dg_buf_puts(&b, "SE*60002*0001~GE*1*1~IEA*1*000000001~");
    assert_int_equal(fwrite(b.data, 1, b.len, f), b.len);
    fclose(f);
    dg_buf_free(&b);
    a = (sum_ctx){0, 0, 0};
    assert_int_equal(dg_x12_parse_file(path, &cb, &a, &err), 0);
    assert_int_equal(a.segs, 60002);
    assert_true(dg_x12_debug_peak_set_bytes() >= 2 * 1000 * 1000);
    dg_test_rmtree(dir);
    free(dir);
}

/* Thousands of small interchanges with changing delimiters: ISAs fall on read-buffer boundaries. */
static void test_many_interchanges_stream(void **state)
{
    (void)state;
    char *dir = dg_test_tmpdir("x12many");
    char path[4200];
    snprintf(path, sizeof path, "%s/many.edi", dir);
    dg_buf b = DG_BUF_INIT;
    const char seps[][3] = {{'*', ':', '~'}, {'|', '>', '\n'}, {'^', '!', '\''}};
    const int n = 3000;
    for (int i = 1; i <= n; i++) {
        const char *d = seps[i % 3];
        char ctl[10];
        snprintf(ctl, sizeof ctl, "%09d", i);
        isa(&b, d[0], d[1], d[2], "00401", ctl);
        dg_buf_puts(&b, i % 2 ? "\r\n" : "");
        put(&b, PO_GROUP, d[0], d[1], d[2], i % 2 ? "\r\n" : "");
        char iea[40];
        snprintf(iea, sizeof iea, "IEA*1*%s~", ctl);
        put(&b, iea, d[0], d[1], d[2], "\n");
    }
    dg_test_write_file(path, b.data);
    assert_true(b.len > 3 * 256 * 1024);
    coll f, m;
    memset(&f, 0, sizeof f);
    dg_error err = {0};
    assert_int_equal(dg_x12_parse_file(path, &CB, &f, &err), 0);
    memset(&m, 0, sizeof m);
    assert_int_equal(dg_x12_parse_mem(b.data, b.len, path, &CB, &m, &err), 0);
    assert_int_equal(f.n_prob, 0);
    assert_int_equal(f.n_isa, n);
    assert_int_equal(f.n_iea, n);
    assert_int_equal(f.n_sets, 2 * n);
    assert_string_equal(f.segs.data, m.segs.data);
    coll_free(&f);
    coll_free(&m);
    dg_buf_free(&b);
    dg_test_rmtree(dir);
    free(dir);
}

/* ---- the shared corpus ------------------------------------------------------------------- */

typedef struct corpus_case {
    const char *file;
    int rc;
    struct {
        dg_x12_level level;
        const char *code;
    } want[3];
} corpus_case;

static const corpus_case MALFORMED[] = {
    {"x12/malformed/gtlogistics-empty-edi.edi", DG_EPARSE, {{0, NULL}}},
    {"x12/other/ediengine-NonEdi-MALFORMED.edi", DG_EPARSE, {{0, NULL}}},
    {"x12/malformed/gtlogistics-no-ge-trailer.edi", 0, {{DG_X12_LEVEL_GROUP, "3"}}},
    {"x12/malformed/gtlogistics-no-gs-heading.edi", 0, {{DG_X12_LEVEL_INTERCHANGE, "022"}}},
    {"x12/malformed/gtlogistics-no-iea-trailer.edi", 0, {{DG_X12_LEVEL_INTERCHANGE, "023"}}},
    {"x12/malformed/gtlogistics-no-isa-heading.edi", 0, {{DG_X12_LEVEL_INTERCHANGE, "022"}}},
    {"x12/malformed/gtlogistics-no-matching-gs-count.edi", 0, {{DG_X12_LEVEL_INTERCHANGE, "021"}}},
    {"x12/malformed/gtlogistics-no-matching-segment-count.edi", 0, {{DG_X12_LEVEL_SET, "4"}}},
    {"x12/malformed/gtlogistics-no-matching-st-count.edi", 0, {{DG_X12_LEVEL_GROUP, "5"}}},
    {"x12/malformed/gtlogistics-no-se-trailer.edi", 0, {{DG_X12_LEVEL_SET, "2"}}},
    {"x12/malformed/gtlogistics-no-st-heading.edi", 0, {{DG_X12_LEVEL_INTERCHANGE, "024"}}},
    {"x12/malformed/gtlogistics-release-not-exist.edi", 0, {{DG_X12_LEVEL_INTERCHANGE, "023"}}},
    {"x12/malformed/gtlogistics-trimmed-isa-heading.edi", 0, {{DG_X12_LEVEL_INTERCHANGE, "023"}}},
    {"x12/malformed/gtlogistics-inconsistent-element-separator-isa-heading.edi",
     0,
     {{DG_X12_LEVEL_INTERCHANGE, "026"}}},
    {"x12/malformed/silvenga-bad-header-837.edi", 0, {{DG_X12_LEVEL_INTERCHANGE, "018"}}},
    {"x12/malformed/edifabric-DuplicateInterchange-850.edi",
     0,
     {{DG_X12_LEVEL_INTERCHANGE, "025"}}},
    {"x12/malformed/edifabric-DuplicateMessage-850.edi", 0, {{DG_X12_LEVEL_SET, "23"}}},
    {"x12/malformed/edifabric-DuplicateGroup-850.edi", 0, {{DG_X12_LEVEL_GROUP, "19"}}},
    {"x12/other/ediengine-940-ControlNumbersMismatch-MALFORMED.edi",
     0,
     {{DG_X12_LEVEL_SET, "3"}, {DG_X12_LEVEL_GROUP, "4"}, {DG_X12_LEVEL_INTERCHANGE, "001"}}},
    {"x12/other/ediengine-940-WrongGroupsAndTranCount-MALFORMED.edi",
     0,
     {{DG_X12_LEVEL_GROUP, "5"}, {DG_X12_LEVEL_INTERCHANGE, "021"}}},
};

static void test_corpus_malformed(void **state)
{
    (void)state;
    const char *corpus = dg_test_corpus_dir();
    if (!corpus) {
        print_message("SKIP: shared corpus not found (../shared/corpus)\n");
        skip();
    }
    int checked = 0;
    for (size_t i = 0; i < sizeof MALFORMED / sizeof MALFORMED[0]; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", corpus, MALFORMED[i].file);
        if (access(path, R_OK) != 0) {
            print_message("SKIP: %s absent\n", MALFORMED[i].file);
            continue;
        }
        coll c;
        memset(&c, 0, sizeof c);
        dg_error err = {0};
        int rc = dg_x12_parse_file(path, &CB, &c, &err);
        if (rc != MALFORMED[i].rc)
            fail_msg("%s: rc %d, expected %d (%s)", MALFORMED[i].file, rc, MALFORMED[i].rc,
                     err.msg);
        for (int k = 0; k < 3 && MALFORMED[i].want[k].code; k++)
            if (!has(&c, MALFORMED[i].want[k].level, MALFORMED[i].want[k].code))
                fail_msg("%s: expected level %d code %s", MALFORMED[i].file,
                         (int)MALFORMED[i].want[k].level, MALFORMED[i].want[k].code);
        if (rc == 0)
            assert_true(errors(&c) > 0);
        coll_free(&c);
        checked++;
    }
    print_message("checked %d malformed corpus files\n", checked);
    assert_true(checked > 0);
}

/* Valid files of several kinds: read without error-level envelope problems, the same whether read
 * from a file or from memory. */
static const char *VALID[] = {
    "x12/810/oopfactory-Example3_MultiInvoice.edi", /* BOM, CRLF + indentation, 00403 */
    "x12/846/oopfactory-Example1.edi",              /* '~' elements, '}' terminator */
    "x12/856/oopfactory-Example1.edi",              /* '~' elements, '*' terminator */
    "x12/850/oopfactory-Example1_PGWGlass.edi",     /* '|' terminator, '~' components */
    "x12/856/oopfactory-Example3.edi",              /* UTF-8 ellipsis as terminator */
    "x12/850/node-x12-850_2.edi",                   /* newline as terminator */
    "x12/856/silvenga-old-856-pipe.edi",            /* '|' elements, one line */
    "x12/997/staedi-simple997-multiple-interchanges.edi",
    "x12/mixed/staedi-invoice810_po850_dual.edi",
    "x12/997/staedi-optionalInterchangeServices.edi", /* ISB/ISE */
    "x12/ta1/oopfactory-TechnicalAcknowledgment_Sample1.edi",
    "x12/other/edinet-214-ISA-split-across-lines.edi",
    "x12/810/edinet-810a.edi", /* ISA padding collapsed */
    "x12/850/oopfactory-Example4_Adobe_ShrinkWrapped.edi",
    "x12/mixed/edifabric-MixedTransactionsNoEnvelopes.edi",
    "x12/other/ediengine-940-MultipleInterchangesAndGroups.edi",
};

static void test_corpus_valid(void **state)
{
    (void)state;
    const char *corpus = dg_test_corpus_dir();
    if (!corpus) {
        print_message("SKIP: shared corpus not found (../shared/corpus)\n");
        skip();
    }
    int checked = 0;
    for (size_t i = 0; i < sizeof VALID / sizeof VALID[0]; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", corpus, VALID[i]);
        size_t len;
        char *data = dg_test_read_file(path, &len);
        if (!data) {
            print_message("SKIP: %s absent\n", VALID[i]);
            continue;
        }
        coll c, m;
        memset(&c, 0, sizeof c);
        dg_error err = {0};
        assert_int_equal(dg_x12_parse_file(path, &CB, &c, &err), 0);
        memset(&m, 0, sizeof m);
        assert_int_equal(dg_x12_parse_mem(data, len, path, &CB, &m, &err), 0);
        if (errors(&c) != 0)
            fail_msg("%s: %d envelope errors, first code %s", VALID[i], errors(&c),
                     c.probs[0].code);
        bool ta1_only = strstr(VALID[i], "/ta1/") != NULL;
        assert_true(ta1_only ? c.n_ta1 > 0 : c.n_sets > 0);
        assert_int_equal(c.n_sets, m.n_sets);
        assert_int_equal(c.n_prob, m.n_prob);
        assert_string_equal(c.segs.data ? c.segs.data : "", m.segs.data ? m.segs.data : "");
        coll_free(&c);
        coll_free(&m);
        free(data);
        checked++;
    }
    assert_true(checked > 0);
}

/* ---- ST02 duplicates in large groups ----------------------------------------------------- */

typedef struct dupes {
    int sets;
    int flagged[8]; /* indexes of the sets with code 23 */
    int n_flagged;
} dupes;

static int d_set(void *ctx, const dg_x12_set *set)
{
    dupes *d = ctx;
    if (set->envelope_code == 23 && d->n_flagged < 8)
        d->flagged[d->n_flagged++] = d->sets;
    d->sets++;
    return 0;
}

/* One group of n sets with the control numbers ctl(i), then the sets named by again[] repeated;
 * returns the indexes code 23 was given to. */
static dupes group_of(int n, void (*ctl)(int i, char out[16]), const int *again, int n_again)
{
    dg_buf body = DG_BUF_INIT;
    dg_buf_puts(&body, GS1);
    char c[16];
    for (int i = 0; i < n + n_again; i++) {
        ctl(i < n ? i : again[i - n], c);
        dg_buf_printf(&body, "ST*850*%s~BEG*00~SE*3*%s~", c, c);
    }
    dg_buf_printf(&body, "GE*%d*1~", n + n_again);
    char *text = make('*', ':', '~', "", body.data, "000000001", IEA_OK);
    dupes d = {0};
    dg_x12_callbacks cb = {.on_set = d_set};
    dg_error err = {0};
    assert_int_equal(dg_x12_parse_mem(text, strlen(text), "t.edi", &cb, &d, &err), 0);
    assert_int_equal(d.sets, n + n_again);
    free(text);
    dg_buf_free(&body);
    return d;
}

static void counter(int i, char out[16])
{
    snprintf(out, 16, "%04d", i + 1);
}
/* counters, then multiples of 2^17 (the same slot of any table up to 131,072 slots: crafted to
 * collide) in the same table, after its last growth */
static void colliding(int i, char out[16])
{
    if (i < 1500)
        snprintf(out, 16, "%04d", i + 1);
    else
        snprintf(out, 16, "%09ld", (long)(i - 1499) << 17);
}
/* the same numbers crafted to collide, counting down: each is below the last run, so they all
 * go into the hash table */
static void colliding_down(int i, char out[16])
{
    snprintf(out, 16, "%09ld", (long)(6000 - i) << 17);
}
/* counters with a jump every 100, and every 1000th number out of order (counting down, 7
 * digits where the others have 5 or 6): runs that start, grow, and sit below the last */
static void gappy(int i, char out[16])
{
    if (i % 1000 == 999)
        snprintf(out, 16, "%07d", 1000000 - i);
    else
        snprintf(out, 16, "%05d", i + i / 100 * 7);
}
/* one number written with 4, 5, ... 9 digits, then letters: equal values, different numbers */
static void same_value(int i, char out[16])
{
    if (i < 6)
        snprintf(out, 16, "%0*d", 4 + i, 7);
    else
        snprintf(out, 16, "A%04d", i);
}

/* The set of a group's ST02s finds every repeat and only repeats: counters (each number has its
 * own slot), numbers crafted to collide (the set switches to a mixed hash after a long run of
 * probes), and equal values in different spellings ("0007" is not "00007"). */
static void test_duplicate_set_controls(void **state)
{
    (void)state;
    int again[] = {0, 1500, 2999};
    dupes d = group_of(3000, counter, again, 3);
    assert_int_equal(d.n_flagged, 3);
    for (int k = 0; k < 3; k++)
        assert_int_equal(d.flagged[k], 3000 + k);
    int again1[] = {0, 1499, 1500, 1999};
    d = group_of(2000, colliding, again1, 4);
    assert_int_equal(d.n_flagged, 4);
    for (int k = 0; k < 4; k++)
        assert_int_equal(d.flagged[k], 2000 + k);
    int again2[] = {5, 0, 40};
    d = group_of(50, same_value, again2, 3);
    assert_int_equal(d.n_flagged, 3);
    for (int k = 0; k < 3; k++)
        assert_int_equal(d.flagged[k], 50 + k);
    int again3[] = {0, 1999, 700};
    d = group_of(2000, colliding_down, again3, 3);
    assert_int_equal(d.n_flagged, 3);
    for (int k = 0; k < 3; k++)
        assert_int_equal(d.flagged[k], 2000 + k);
    int again4[] = {0, 99, 100, 109, 1999, 1998, 1501};
    d = group_of(2000, gappy, again4, 7);
    assert_int_equal(d.n_flagged, 7);
    for (int k = 0; k < 7; k++)
        assert_int_equal(d.flagged[k], 2000 + k);
}

/* Counters keep the control-number sets flat: one group of 200,000 sets numbered 0001, 0002,
 * ... (then 5 digits), and 20,000 interchanges numbered 000000001, ..., hold a few runs instead
 * of a slot per number (16 bytes each, twice over: megabytes), and numbers out of order still
 * take the table. */
static void ctl_counted(int i, char out[16])
{
    snprintf(out, 16, "%04d", i + 1);
}

static void test_control_numbers_flat(void **state)
{
    (void)state;
    dupes d = group_of(200000, ctl_counted, NULL, 0);
    assert_int_equal(d.n_flagged, 0);
    assert_true(dg_x12_debug_peak_ctl_bytes() <= 1024);
    d = group_of(200000, gappy, NULL, 0); /* 2,200 runs */
    assert_int_equal(d.n_flagged, 0);
    assert_true(dg_x12_debug_peak_ctl_bytes() <= 65 * 1024); /* the runs' bound + GS, ISA */
    d = group_of(5000, colliding_down, NULL, 0); /* no order at all: runs of one, then the table */
    assert_int_equal(d.n_flagged, 0);
    assert_true(dg_x12_debug_peak_ctl_bytes() >= 5000 * 16);

    dg_buf b = DG_BUF_INIT;
    char ctl[16];
    for (int i = 1; i <= 20000; i++) {
        snprintf(ctl, sizeof ctl, "%09d", i);
        char iea[32];
        snprintf(iea, sizeof iea, "IEA*1*%s~", ctl);
        char *one = make('*', ':', '~', "", GS1 "ST*850*0001~BEG*00~SE*3*0001~GE*1*1~", ctl, iea);
        dg_buf_puts(&b, one);
        free(one);
    }
    dupes m = {0};
    dg_x12_callbacks cb = {.on_set = d_set};
    dg_error err = {0};
    assert_int_equal(dg_x12_parse_mem(b.data, b.len, "many.edi", &cb, &m, &err), 0);
    assert_int_equal(m.sets, 20000);
    assert_int_equal(m.n_flagged, 0);
    assert_true(dg_x12_debug_peak_ctl_bytes() <= 1024);
    dg_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delimiter_variants),
        cmocka_unit_test(test_bom_and_leading_whitespace),
        cmocka_unit_test(test_multiple_interchanges_groups_sets),
        cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_interchange_codes),
        cmocka_unit_test(test_isa_field_codes),
        cmocka_unit_test(test_duplicate_interchange),
        cmocka_unit_test(test_group_codes),
        cmocka_unit_test(test_set_codes),
        cmocka_unit_test(test_duplicate_set_controls),
        cmocka_unit_test(test_control_numbers_flat),
        cmocka_unit_test(test_truncated_mid_set),
        cmocka_unit_test(test_not_x12),
        cmocka_unit_test(test_lenient_isa),
        cmocka_unit_test(test_ta1_and_service_segments),
        cmocka_unit_test(test_bare_sets),
        cmocka_unit_test(test_get_components_repetitions),
        cmocka_unit_test(test_large_input_bounded_memory),
        cmocka_unit_test(test_many_interchanges_stream),
        cmocka_unit_test(test_corpus_malformed),
        cmocka_unit_test(test_corpus_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
