/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Files of an image's root directory (check --root), opened as if chrooted
 * there: every path, symlinks and ".." included, resolves inside the root
 * (openat2 RESOLVE_IN_ROOT), so a symlink in the image to /etc/shadow
 * reads the image's file, never the build host's.
 */
#ifndef TORFWCTL_ROOTDIR_H
#define TORFWCTL_ROOTDIR_H

#include <glob.h>
#include <stddef.h>

/* An O_PATH descriptor of dir, or -errno (-ENOSYS: no openat2 here). */
int root_open_dir(const char *dir);

/* path (absolute or not) inside the root; returns a descriptor or -errno. */
int root_openat(int rootfd, const char *path, int flags);
/*
 * A regular file inside the root, opened with flags; -EINVAL for anything
 * else (device, FIFO, socket), -EISDIR for a directory, without opening it.
 */
int root_open_regular(int rootfd, const char *path, int flags);

/*
 * Reads the regular file at path inside the root, at most max bytes, into
 * a NUL-terminated malloc'd buffer. -EFBIG when larger, -EINVAL when not a
 * regular file, another -errno when it cannot be read.
 */
int root_read_file(int rootfd, const char *path, size_t max, char **buf,
		   size_t *len);

/* glob(3) of pattern (a path inside the root), listing only the root. */
int root_glob(int rootfd, const char *pattern, int flags,
	      int (*errfunc)(const char *path, int errnum), glob_t *g);

#endif
