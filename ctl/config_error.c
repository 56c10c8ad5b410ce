// SPDX-License-Identifier: GPL-2.0
/* Error reporting of the config parser: file:line:col: message. */
#include <stdarg.h>
#include <stdio.h>

#include "config_int.h"

void set_error(struct tf_cfg_error *err, unsigned int col, const char *fmt,
	       ...)
{
	va_list ap;

	err->col = col;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

void config_error_format(const struct tf_cfg_error *err, char *buf,
			 size_t size)
{
	if (err->line)
		snprintf(buf, size, "%s:%u:%u: %s", err->file, err->line,
			 err->col, err->msg);
	else
		snprintf(buf, size, "%s: %s", err->file, err->msg);
}
