#include "crypto/openssl_error.h"

#include <openssl/err.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace nxt::crypto::internal {
namespace {

// The oldest queued reason (the root cause), then clears the queue so a later
// call does not report a stale error.
std::string DrainErrorQueue() {
  unsigned long code = ERR_get_error();
  std::string reason = "unknown OpenSSL error";
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    reason = buf;
  }
  ERR_clear_error();
  return reason;
}

}  // namespace

Error OpenSslError(std::string_view what, Errc code) {
  return Error(code, std::string(what) + ": " + DrainErrorQueue());
}

void OpenSslFatal(std::string_view what) {
  std::string reason = DrainErrorQueue();
  std::fprintf(stderr, "nxt: fatal: libcrypto: %.*s: %s\n", static_cast<int>(what.size()), what.data(),
               reason.c_str());
  std::abort();
}

}  // namespace nxt::crypto::internal
