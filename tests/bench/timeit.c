// SPDX-License-Identifier: GPL-2.0
/*
 * bench-time CMD [ARG...]
 *
 * Runs CMD (stdin, stdout and stderr inherited) and prints, on stderr so
 * that CMD's own output stays apart, its elapsed guest time:
 *   secs=<guest seconds> rc=<exit status>
 * and exits with CMD's status. Under qemu -icount, elapsed guest time is
 * the instructions executed meanwhile by everyone, kernel included.
 */
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

int main(int argc, char **argv)
{
	double t0, t1;
	pid_t pid;
	int st, rc;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CMD [ARG...]\n", argv[0]);
		return 2;
	}
	t0 = now_s();
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		die("exec %s", argv[1]);
	}
	if (waitpid(pid, &st, 0) < 0)
		die("waitpid");
	t1 = now_s();
	rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	fprintf(stderr, "secs=%.6f rc=%d\n", t1 - t0, rc);
	return rc;
}
