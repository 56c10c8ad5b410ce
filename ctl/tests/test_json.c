// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON encoder: exact escapes for each kind of byte, and every printer
 * of -j fed hostile strings (a refused program's comm, namespace and user
 * names) piped through a strict parser: Python's json over a strict UTF-8
 * decode, one value per line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "event.h"
#include "fake_resolver.h"
#include "json.h"
#include "print.h"
#include "tests.h"

static char *encode(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	json_string(f, s);
	fclose(f);
	return buf;
}

/* X(name, input bytes, exact output without the quotes) */
#define STRING_CASES(X)							\
	X(ascii, "curl", "curl")					\
	X(quote_backslash, "a\"b\\c", "a\\\"b\\\\c")			\
	X(controls, "\001\t\n\033\037\177", "\\u0001\\u0009\\u000a\\u001b\\u001f\\u007f") \
	X(utf8_two, "caf\xc3\xa9", "caf\xc3\xa9")			\
	X(utf8_three, "\xe2\x82\xac\xef\xbf\xbd", "\xe2\x82\xac\xef\xbf\xbd") \
	X(utf8_four, "\xf0\x9f\x94\xa5", "\xf0\x9f\x94\xa5")		\
	X(utf8_edges, "\xc2\x80\xed\x9f\xbf\xee\x80\x80\xf4\x8f\xbf\xbf", \
	  "\xc2\x80\xed\x9f\xbf\xee\x80\x80\xf4\x8f\xbf\xbf")		\
	X(latin1, "caf\xe9!", "caf\\ufffd!")				\
	X(lone_continuation, "\x80x\xbf", "\\ufffdx\\ufffd")		\
	X(overlong_two, "\xc0\xaf\xc1\xbf", "\\ufffd\\ufffd\\ufffd\\ufffd") \
	X(overlong_three, "\xe0\x80\xaf", "\\ufffd\\ufffd\\ufffd")	\
	X(overlong_four, "\xf0\x8f\xbf\xbf", "\\ufffd\\ufffd\\ufffd\\ufffd") \
	X(surrogate, "\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd")		\
	X(beyond_10ffff, "\xf4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd") \
	X(f5_ff, "\xf5\xfe\xff", "\\ufffd\\ufffd\\ufffd")		\
	X(truncated_end, "ab\xe2\x82", "ab\\ufffd\\ufffd")		\
	X(truncated_mid, "\xe2\x82x\xf0\x9f\x94\"", "\\ufffd\\ufffdx\\ufffd\\ufffd\\ufffd\\\"") \
	X(empty, "", "")

struct string_case {
	const char *in, *out;
};

#define STRING_STRUCT(name, in, out)					\
	static const struct string_case str_##name = { in, "\"" out "\"" };
STRING_CASES(STRING_STRUCT)

static void test_string(void **state)
{
	const struct string_case *c = *state;
	char *out = encode(c->in);

	assert_string_equal(out, c->out);
	free(out);
}

/* The hostile comms: every byte alone, and mixes a program could pick. */
static size_t hostile_comms(char comms[][16], size_t max)
{
	static const char *const mixes[] = {
		"\xff\xfe\"\\\n\r\x01z",
		"\"},{\"version\":2",
		"\\u0000\\",
		"\xc3\x28\xa0\xa1\xe2\x28\xa1",
		"\xed\xa0\x80\xed\xbf\xbf",
		"\xf0\x28\x8c\xbc\xf8\xa1\xa1",
		"caf\xc3\xa9 \xe2\x82\xac",
		"\x1b[2J\x1b]0;x\x07",
	};
	size_t n = 0, i;

	for (i = 1; i < 256 && n < max; i++) {
		comms[n][0] = (char)i;
		comms[n][1] = '\0';
		n++;
	}
	for (i = 0; i < sizeof(mixes) / sizeof(mixes[0]) && n < max; i++)
		snprintf(comms[n++], 16, "%s", mixes[i]);
	return n;
}

/*
 * Python reads the lines as bytes, decodes them as strict UTF-8 and parses
 * each with json.loads; it prints how many objects have a "version" of 1.
 */
static const char strict_parser[] =
	"import json,sys\n"
	"data = sys.stdin.buffer.read().decode('utf-8', 'strict')\n"
	"lines = data.split('\\n')\n"
	"assert lines.pop() == ''\n"
	"objs = [json.loads(l) for l in lines]\n"
	"assert all(o['version'] == 1 for o in objs)\n"
	"print(len(objs))\n";

/* python3 -c strict_parser <path; its output in got. Its wait status. */
static int run_parser(const char *path, char *got, size_t size)
{
	int pfd[2], status = -1;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int in = open(path, O_RDONLY);

		if (in < 0 || dup2(in, 0) < 0 || dup2(pfd[1], 1) < 0)
			_exit(127);
		close(pfd[0]);
		execlp("python3", "python3", "-c", strict_parser, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	/* Until EOF: the answer may come in several writes. */
	while (len < size - 1 &&
	       ((n = read(pfd[0], got + len, size - 1 - len)) > 0 ||
		(n < 0 && errno == EINTR)))
		len += n > 0 ? (size_t)n : 0;
	got[len] = '\0';
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

static void test_strict_parser(void **state)
{
	char comms[300][16], *out = NULL, got[32], want[32];
	char path[] = "/tmp/torfwctl-json.XXXXXX";
	struct tf_policy *pol = parse_ok(
		"role tor debian-tor\n"
		"allow udp 127.0.0.1:53 amnesia 4000 netns n\n"
		"grant netns g\n");
	struct tf_event ev = {
		.reason = TORFW_R_INTERNET_TCP, .hook = TORFW_HOOK_OUT,
		.family = AF_INET, .proto = IPPROTO_TCP, .uid = 1000,
		.pid = 7, .daddr = { 192, 0, 2, 1 }, .dport = 80,
		.has_hook = true, .has_uid = true, .has_pid = true,
		.has_comm = true, .has_daddr = true, .has_dport = true,
	};
	size_t n = hostile_comms(comms, 300), i, len = 0;
	FILE *f = open_memstream(&out, &len);
	int status, fd;

	(void)state;
	assert_non_null(f);
	for (i = 0; i < n; i++) {
		snprintf(ev.comm, sizeof(ev.comm), "%.15s", comms[i]);
		event_print_json(f, &ev);
	}
	/* Namespace names come back from the kernel: anything but NUL. */
	for (i = 0; i < n; i++) {
		snprintf(pol->grants[0].name, sizeof(pol->grants[0].name),
			 "%.15s", comms[i]);
		snprintf(pol->services[0].netns[0].name,
			 sizeof(pol->services[0].netns[0].name), "%.15s",
			 comms[n - 1 - i]);
		policy_print_json(f, pol, &fake_resolver);
	}
	fclose(f);

	/* Through a file: the parser's answer is read back on a pipe. */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, out, len), (ssize_t)len);
	close(fd);
	status = run_parser(path, got, sizeof(got));
	unlink(path);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	snprintf(want, sizeof(want), "%zu\n", 2 * n);
	assert_string_equal(got, want);
	free(out);
	policy_free(pol);
}

#define STRING_TEST(name, in, out)					\
	{ "string_" #name, test_string, NULL, NULL, (void *)&str_##name },

int test_json_run(unsigned int *count)
{
	static const struct CMUnitTest tests[] = {
		STRING_CASES(STRING_TEST)
		cmocka_unit_test(test_strict_parser),
	};

	return RUN_GROUP("json", tests, count);
}
