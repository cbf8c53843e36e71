/* SPDX-License-Identifier: MIT */
/*
 * cmd_capture.h - the sushictl host tests' way to run a command function
 * (cmd_eval, cmd_run, ...) with its standard output or standard error
 * captured into a buffer or discarded.
 */
#ifndef SUSHICTL_TEST_CMD_CAPTURE_H
#define SUSHICTL_TEST_CMD_CAPTURE_H

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

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

#endif /* SUSHICTL_TEST_CMD_CAPTURE_H */
