// SPDX-License-Identifier: GPL-2.0
/* Runs every cmocka group and sums them up in one last line. */
#include <stdio.h>

#include "tests.h"

static const struct {
	int (*run)(unsigned int *count);
} groups[] = {
	{ test_config_run },
	{ test_include_run },
	{ test_print_run },
	{ test_encode_run },
	{ test_decode_run },
	{ test_refconf_run },
	{ test_errors_run },
	{ test_root_run },
	{ test_userdb_run },
	{ test_json_run },
	{ test_cgroup_run },
};

int main(void)
{
	unsigned int total = 0, failed = 0, n;
	size_t i;

	/* cmocka mixes stdout and stderr: keep lines in order in a log. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		n = 0;
		failed += (unsigned int)groups[i].run(&n);
		total += n;
	}
	printf("torfwctl unit tests: %u passed, %u failed, %u total\n",
	       total - failed, failed, total);
	return failed ? 1 : 0;
}
