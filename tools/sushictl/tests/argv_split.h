/* SPDX-License-Identifier: MIT */
/*
 * argv_split.h - the sushictl host tests' command lines: split a line at
 * spaces into an argv (at most 31 words) in a caller's buffer.
 */
#ifndef SUSHICTL_TEST_ARGV_SPLIT_H
#define SUSHICTL_TEST_ARGV_SPLIT_H

#include <string.h>

/* @buf must hold strlen(line) + 1 bytes, @argv 32 pointers; returns argc */
static inline int split(const char *line, char *buf, char **argv)
{
	int argc = 0;

	strcpy(buf, line);
	for (char *t = strtok(buf, " "); t && argc < 31; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	return argc;
}

#endif /* SUSHICTL_TEST_ARGV_SPLIT_H */
