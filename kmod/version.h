/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TORFW_VERSION_H
#define _TORFW_VERSION_H
#define TORFW_VERSION "0.1.0"
#endif
