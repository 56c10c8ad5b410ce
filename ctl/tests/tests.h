/* SPDX-License-Identifier: GPL-2.0 */
/* Each test file runs one cmocka group: returns failures, sets *count. */
#ifndef TORFWCTL_TESTS_H
#define TORFWCTL_TESTS_H

int test_config_run(unsigned int *count);
int test_include_run(unsigned int *count);
int test_print_run(unsigned int *count);
int test_encode_run(unsigned int *count);
int test_decode_run(unsigned int *count);
int test_refconf_run(unsigned int *count);
int test_errors_run(unsigned int *count);
int test_root_run(unsigned int *count);
int test_userdb_run(unsigned int *count);
int test_json_run(unsigned int *count);
int test_cgroup_run(unsigned int *count);

#define RUN_GROUP(name, tests, count)					\
	(*(count) = sizeof(tests) / sizeof((tests)[0]),			\
	 _cmocka_run_group_tests(name, tests, *(count), NULL, NULL))

#endif
