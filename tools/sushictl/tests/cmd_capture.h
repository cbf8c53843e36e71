/* SPDX-License-Identifier: MIT */
/*
 * cmd_capture.h - the sushictl host tests' way to run a command function
 * (cmd_eval, cmd_run, ...) with its standard output or standard error
 * captured into a buffer or discarded, given as an argv or as one
 * printf-formatted line.
 */
#ifndef SUSHICTL_TEST_CMD_CAPTURE_H
#define SUSHICTL_TEST_CMD_CAPTURE_H

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "argv_split.h"

/*
 * cmd_capture() - @cmd(@argc, @argv) with descriptor @fd (1 or 2) read into
 * @buf (@len bytes, NUL-terminated) or, with @buf NULL, sent to /dev/null.
 * Returns the command's exit status, or -1 if the redirection failed.
 */
static inline int cmd_capture(int (*cmd)(int, char **), int argc, char **argv,
			      int fd, char *buf, size_t len)
{
	FILE *stream = fd == 1 ? stdout : stderr;
	FILE *tmp = buf ? tmpfile() : NULL;
	int target = buf ? (tmp ? fileno(tmp) : -1) : open("/dev/null", O_WRONLY);
	int saved, st = -1;

	fflush(stream);
	saved = target >= 0 ? dup(fd) : -1;
	if (saved >= 0 && dup2(target, fd) >= 0) {
		st = cmd(argc, argv);
		fflush(stream);
		dup2(saved, fd);
	}
	if (saved >= 0)
		close(saved);
	if (tmp) {
		rewind(tmp);
		buf[fread(buf, 1, len - 1, tmp)] = 0;
		fclose(tmp);
	} else if (target >= 0) {
		close(target);
	}
	return st;
}

/*
 * cmd_runf() - cmd_capture() of @cmd on a printf-formatted command line
 * (split on blanks, at most 32 words of 1024 bytes)
 */
__attribute__((format(printf, 5, 6)))
static inline int cmd_runf(int (*cmd)(int, char **), int fd, char *buf,
			   size_t len, const char *fmt, ...)
{
	static char line[1024], words[1024];
	char *argv[32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	return cmd_capture(cmd, split(line, words, argv), argv, fd, buf, len);
}

#endif /* SUSHICTL_TEST_CMD_CAPTURE_H */
