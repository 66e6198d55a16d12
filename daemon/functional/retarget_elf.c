/*
 * Build-time helper, used only when no cross toolchain (clang + lld) is
 * available: copies an ELF file and rewrites its e_machine field, producing a
 * well-formed ELF for another architecture (libfunctional_foreign.so). The
 * code inside stays host code; that is fine because the loader must refuse
 * the file on ELF machine grounds before it ever maps it.
 *
 * usage: retarget_elf IN OUT MACHINE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 16 B e_ident + 2 B e_type, then 2 B e_machine: same in ELF32 and ELF64. */
enum { kMachineOffset = 18, kMaxBytes = 64 * 1024 * 1024 };

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s IN OUT MACHINE\n", argv[0]);
    return 2;
  }
  FILE *in = fopen(argv[1], "rb");
  if (in == NULL) { perror(argv[1]); return 1; }
  unsigned char *buf = malloc(kMaxBytes);
  size_t n = buf ? fread(buf, 1, kMaxBytes, in) : 0;
  fclose(in);
  if (n < 20 || memcmp(buf, "\177ELF", 4) != 0) {
    fprintf(stderr, "%s: not an ELF file\n", argv[1]);
    return 1;
  }
  unsigned machine = (unsigned)strtoul(argv[3], NULL, 10);
  int big_endian = buf[5] == 2; /* EI_DATA: ELFDATA2MSB */
  buf[kMachineOffset + (big_endian ? 1 : 0)] = (unsigned char)(machine & 0xff);
  buf[kMachineOffset + (big_endian ? 0 : 1)] = (unsigned char)(machine >> 8);
  FILE *out = fopen(argv[2], "wb");
  if (out == NULL) { perror(argv[2]); return 1; }
  int ok = fwrite(buf, 1, n, out) == n;
  ok = (fclose(out) == 0) && ok;
  free(buf);
  return ok ? 0 : 1;
}
