/* libnxt_unsynced.so: an LD_PRELOAD shim for the power-cut test
 * (tests/faults/test_crash.py). It records, for every regular file a daemon
 * writes, which byte ranges it wrote and when it made them durable, so the
 * test can copy a frozen daemon's state directory as a power cut would leave
 * it: ranges written since the file's last fsync/fdatasync zeroed, a file
 * cut back to its size at that sync (to nothing if it never was synced).
 *
 * Log ($NXT_UNSYNCED_LOG), one event per line, "<dev> <ino>" naming the file:
 *   w DEV INO OFFSET LENGTH   bytes written
 *   t DEV INO SIZE            ftruncate
 *   s DEV INO SIZE            fsync/fdatasync returned 0; the file's size then
 * Directory entries are not modelled: the daemons fsync the directory after
 * every rename that matters (sys/atomic_file.h). fds 0-2 (the daemon's log)
 * are ignored. Test-only: built with NXT_CRASH_POINTS, never shipped. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static int log_fd = -2;

static void emit(const char *line, size_t len) {
  if (log_fd == -2) {
    const char *path = getenv("NXT_UNSYNCED_LOG");
    log_fd = path ? (int)syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644) : -1;
  }
  if (log_fd >= 0) (void)!syscall(SYS_write, log_fd, line, len);
}

static int regular(int fd, struct stat *st) {
  return fd > 2 && fd != log_fd && fstat(fd, st) == 0 && S_ISREG(st->st_mode);
}

static void record(char kind, int fd, long long a, long long b, int with_b) {
  struct stat st;
  if (!regular(fd, &st)) return;
  char line[128];
  int n = with_b ? snprintf(line, sizeof line, "%c %llu %llu %lld %lld\n", kind, (unsigned long long)st.st_dev,
                            (unsigned long long)st.st_ino, a, b)
                 : snprintf(line, sizeof line, "%c %llu %llu %lld\n", kind, (unsigned long long)st.st_dev,
                            (unsigned long long)st.st_ino, kind == 's' ? (long long)st.st_size : a);
  if (n > 0) emit(line, (size_t)n);
}

#define REAL(name)                 \
  static __typeof__(&name) real_##name; \
  if (!real_##name) real_##name = (__typeof__(&name))dlsym(RTLD_NEXT, #name)

ssize_t write(int fd, const void *buf, size_t count) {
  REAL(write);
  off_t at = fd > 2 ? lseek(fd, 0, SEEK_CUR) : -1;
  ssize_t n = real_write(fd, buf, count);
  if (n > 0 && at >= 0) record('w', fd, at, n, 1);
  return n;
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset) {
  REAL(pwrite);
  ssize_t n = real_pwrite(fd, buf, count, offset);
  if (n > 0) record('w', fd, offset, n, 1);
  return n;
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off_t offset) {
  REAL(pwrite64);
  ssize_t n = real_pwrite64(fd, buf, count, offset);
  if (n > 0) record('w', fd, offset, n, 1);
  return n;
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt) {
  REAL(writev);
  off_t at = fd > 2 ? lseek(fd, 0, SEEK_CUR) : -1;
  ssize_t n = real_writev(fd, iov, iovcnt);
  if (n > 0 && at >= 0) record('w', fd, at, n, 1);
  return n;
}

int ftruncate(int fd, off_t length) {
  REAL(ftruncate);
  int r = real_ftruncate(fd, length);
  if (r == 0) record('t', fd, length, 0, 0);
  return r;
}

int ftruncate64(int fd, off_t length) {
  REAL(ftruncate64);
  int r = real_ftruncate64(fd, length);
  if (r == 0) record('t', fd, length, 0, 0);
  return r;
}

int fsync(int fd) {
  REAL(fsync);
  int r = real_fsync(fd);
  if (r == 0) record('s', fd, 0, 0, 0);
  return r;
}

int fdatasync(int fd) {
  REAL(fdatasync);
  int r = real_fdatasync(fd);
  if (r == 0) record('s', fd, 0, 0, 0);
  return r;
}
