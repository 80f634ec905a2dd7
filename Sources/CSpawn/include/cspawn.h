#ifndef CSPAWN_H
#define CSPAWN_H
#include <sys/types.h>

/// Starts `path` with `argv` and `envp` (NULL: this process's environment) in `cwd` (NULL: this one's), its
/// standard input, output and error on the given descriptors (-1: inherited), every other descriptor closed and
/// the signal mask and dispositions reset. Answers 0 with the child's pid, or an errno.
int cspawn_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], const char *cwd,
                 int in_fd, int out_fd, int err_fd);

#endif
