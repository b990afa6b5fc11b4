/* Control characters from outside (a file name with a newline or a terminal escape) are shown
 * escaped in error messages and log lines: one event stays one line. */
#include "testutil.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/escape.h"
#include "core/log.h"

static void escapes_control_characters(void **state)
{
    (void)state;
    char out[64];
    assert_string_equal(dg_escape_ctl("plain-name_1.csv", out, sizeof out), "plain-name_1.csv");
    assert_string_equal(dg_escape_ctl("a\nb\rc\td", out, sizeof out), "a\\nb\\rc\\td");
    assert_string_equal(dg_escape_ctl("x\x1b[31my\x7f\x01", out, sizeof out),
                        "x\\x1b[31my\\x7f\\x01");
    assert_string_equal(dg_escape_ctl("caf\xc3\xa9", out, sizeof out), "caf\xc3\xa9"); /* UTF-8 */
    assert_string_equal(dg_escape_ctl(NULL, out, sizeof out), "");
    /* escaping twice changes nothing, so an escaped message can be logged again */
    char twice[64];
    dg_escape_ctl("a\nb\x1b", out, sizeof out);
    assert_string_equal(dg_escape_ctl(out, twice, sizeof twice), out);
    /* cut at an escape's boundary, never in the middle of one */
    char small[6];
    assert_string_equal(dg_escape_ctl("ab\x1b", small, sizeof small), "ab");
    assert_string_equal(dg_escape_ctl("abc\n", small, sizeof small), "abc\\n");
    assert_true(dg_has_ctl("a\nb"));
    assert_false(dg_has_ctl("a b"));
}

static void error_messages_are_escaped(void **state)
{
    (void)state;
    dg_error err = {0};
    assert_int_equal(dg_error_set(&err, DG_EPARSE, "%s: bad", "in/ev\nil\x1b[2J.csv"), DG_EPARSE);
    assert_string_equal(err.msg, "in/ev\\nil\\x1b[2J.csv: bad");
    dg_error_prefix(&err, "%s: ", "dir\r");
    assert_string_equal(err.msg, "dir\\r: in/ev\\nil\\x1b[2J.csv: bad");
}

static void log_lines_are_escaped(void **state)
{
    (void)state;
    char *dir = dg_test_tmpdir("escape");
    char path[4200];
    snprintf(path, sizeof path, "%s/log", dir);
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    assert_true(fd >= 0);
    int saved = dup(STDERR_FILENO);
    assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
    dg_log_set_level(DG_LOG_INFO);
    dg_log_info("partner=p file=%s outcome=processed",
                "a\n2026-01-01T00:00:00Z INFO forged\x1b[0m");
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(fd);
    size_t len = 0;
    char *text = dg_test_read_file(path, &len);
    assert_non_null(text);
    assert_non_null(strstr(text, "file=a\\n2026-01-01T00:00:00Z INFO forged\\x1b[0m outcome"));
    assert_null(strchr(text, '\x1b'));
    assert_ptr_equal(strchr(text, '\n'), text + len - 1); /* one line */
    free(text);
    dg_test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escapes_control_characters),
        cmocka_unit_test(error_messages_are_escaped),
        cmocka_unit_test(log_lines_are_escaped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
