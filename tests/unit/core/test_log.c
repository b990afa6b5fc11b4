/* JSON log lines (log_format: json): the keys of the text line, values as strings with quotes,
 * backslashes, control characters and invalid UTF-8 escaped or replaced so every line parses;
 * DG_LOG_LEVEL names are parsed strictly. */
#include "testutil.h"

#include <jansson.h>
#include <string.h>

#include "core/log.h"

static json_t *parse(const char *msg)
{
    char out[4096];
    size_t n = dg_log_json_line("2026-12-03T08:00:00.000Z", "WARN", msg, out, sizeof out);
    assert_true(n > 0);
    assert_int_equal(out[n - 1], '\n');
    assert_null(memchr(out, '\n', n - 1)); /* one event, one line */
    json_error_t je;
    json_t *o = json_loadb(out, n, 0, &je);
    if (!o)
        fail_msg("not JSON (%s): %s", je.text, out);
    return o;
}

static const char *s(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void keys_of_the_text_line(void **state)
{
    (void)state;
    json_t *o = parse("partner=shopfront file=orders/a b.csv outcome=quarantined error=EMAP "
                      "reason=\"a.csv: column \"Name\" missing\" kept=var/q/x (not sent; fix it)");
    assert_string_equal(s(o, "time"), "2026-12-03T08:00:00.000Z");
    assert_string_equal(s(o, "level"), "WARN");
    assert_string_equal(s(o, "partner"), "shopfront");
    assert_string_equal(s(o, "file"), "orders/a"); /* unquoted values end at a space, as read */
    assert_string_equal(s(o, "outcome"), "quarantined");
    assert_string_equal(s(o, "reason"), "a.csv: column \"Name\" missing");
    assert_string_equal(s(o, "kept"), "var/q/x");
    assert_string_equal(s(o, "msg"), "b.csv (not sent; fix it)");
    json_decref(o);
}

static void hostile_values_escaped(void **state)
{
    (void)state;
    json_t *o =
        parse("file=a\x01\x1b[31m\\b.csv reason=\"line1\nline2\tx\" bad=\xff\xfe ok=caf\xc3\xa9");
    assert_string_equal(s(o, "file"), "a\x01\x1b[31m\\b.csv");
    assert_string_equal(s(o, "reason"), "line1\nline2\tx");
    assert_string_equal(s(o, "bad"), "??"); /* invalid UTF-8 replaced, the line still parses */
    assert_string_equal(s(o, "ok"), "caf\xc3\xa9");
    json_decref(o);
    o = parse("");
    assert_int_equal(json_object_size(o), 2);
    json_decref(o);
    o = parse("reason=\"unterminated value");
    assert_string_equal(s(o, "reason"), "unterminated value");
    json_decref(o);
}

static void level_names(void **state)
{
    (void)state;
    dg_log_level l = DG_LOG_QUIET;
    assert_int_equal(dg_log_level_parse("debug", &l), 0);
    assert_int_equal(l, DG_LOG_DEBUG);
    assert_int_equal(dg_log_level_parse("warn", &l), 0);
    assert_int_equal(l, DG_LOG_WARN);
    assert_int_equal(dg_log_level_parse("quiet", &l), 0);
    assert_int_equal(dg_log_level_parse("verbose", &l), -1);
    assert_int_equal(dg_log_level_parse("INFO", &l), -1);
    assert_int_equal(dg_log_level_parse(NULL, &l), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_of_the_text_line),
        cmocka_unit_test(hostile_values_escaped),
        cmocka_unit_test(level_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
