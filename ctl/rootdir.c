// SPDX-License-Identifier: GPL-2.0
/*
 * An image's root directory. glibc 2.36 has no openat2 wrapper: the
 * system call is made directly (Linux 5.6 and later).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rootdir.h"

static int openat2_fd(int dirfd, const char *path, int flags,
		      uint64_t resolve)
{
	struct open_how how = {
		.flags = (uint64_t)flags,
		.resolve = resolve,
	};
	long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));

	return fd < 0 ? -errno : (int)fd;
}

int root_open_dir(const char *dir)
{
	return openat2_fd(AT_FDCWD, dir, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
}

int root_openat(int rootfd, const char *path, int flags)
{
	/*
	 * RESOLVE_IN_ROOT already refuses magic links (/proc/self/root...)
	 * today; the man page asks to say so in case that changes.
	 */
	return openat2_fd(rootfd, path, flags | O_CLOEXEC,
			  RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

int root_open_regular(int rootfd, const char *path, int flags)
{
	char proc[32];
	struct stat st;
	int pfd, fd;

	/*
	 * The image's creator chooses what its paths name: opening a device
	 * node (a watchdog arms itself on open) or a FIFO must not happen
	 * on the build host. Look first (O_PATH opens nothing), then open
	 * that same inode through the descriptor.
	 */
	pfd = root_openat(rootfd, path, O_PATH);
	if (pfd < 0)
		return pfd;
	if (fstat(pfd, &st)) {
		fd = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		fd = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		goto out;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	fd = open(proc, flags | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		fd = -errno;
out:
	close(pfd);
	return fd;
}

int root_read_file(int rootfd, const char *path, size_t max, char **buf,
		   size_t *len)
{
	struct stat st;
	size_t n = 0;
	char *b = NULL;
	ssize_t r;
	int fd, ret;

	*buf = NULL;
	*len = 0;
	/* A regular file: root_open_regular() looked before opening. */
	fd = root_open_regular(rootfd, path, O_RDONLY);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		ret = -EFBIG;
		goto out;
	}
	b = malloc(max + 1);
	if (!b) {
		ret = -ENOMEM;
		goto out;
	}
	/* One byte more than max tells a file that is too large. */
	while (n <= max) {
		r = read(fd, b + n, max + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			goto out;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		ret = -EFBIG;
		goto out;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	b = NULL;
	ret = 0;
out:
	free(b);
	close(fd);
	return ret;
}

/*
 * glob(3)'s directory callbacks take no context: the root of the one
 * glob() call in progress (torfwctl is single-threaded).
 */
static int glob_rootfd = -1;

static void *glob_opendir(const char *path)
{
	int fd = root_openat(glob_rootfd, path, O_RDONLY | O_DIRECTORY);
	DIR *d;

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	d = fdopendir(fd);
	if (!d) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return d;
}

static struct dirent *glob_readdir(void *d)
{
	return readdir(d);
}

static void glob_closedir(void *d)
{
	closedir(d);
}

static int stat_in_root(const char *path, struct stat *st, int flags)
{
	int fd = root_openat(glob_rootfd, path, O_PATH | flags), ret = 0;

	if (fd < 0) {
		errno = -fd;
		return -1;
	}
	if (fstat(fd, st))
		ret = -1;
	close(fd);
	return ret;
}

static int glob_stat(const char *path, struct stat *st)
{
	return stat_in_root(path, st, 0);
}

static int glob_lstat(const char *path, struct stat *st)
{
	return stat_in_root(path, st, O_NOFOLLOW);
}

int root_glob(int rootfd, const char *pattern, int flags,
	      int (*errfunc)(const char *path, int errnum), glob_t *g)
{
	int ret;

	memset(g, 0, sizeof(*g));
	g->gl_opendir = glob_opendir;
	g->gl_readdir = glob_readdir;
	g->gl_closedir = glob_closedir;
	g->gl_stat = glob_stat;
	g->gl_lstat = glob_lstat;
	glob_rootfd = rootfd;
	ret = glob(pattern, flags | GLOB_ALTDIRFUNC, errfunc, g);
	glob_rootfd = -1;
	return ret;
}
