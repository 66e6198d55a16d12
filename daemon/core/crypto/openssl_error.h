// Internal to nxt_crypto: turns OpenSSL's thread-local error queue into an
// nxt::Error, or into a diagnostic before aborting when libcrypto cannot
// provide an algorithm at all. Not for use outside daemon/core/crypto.
#pragma once

#include <string_view>

#include "base/result.h"

namespace nxt::crypto::internal {

// "what: <OpenSSL reason>"; drains the calling thread's error queue.
Error OpenSslError(std::string_view what, Errc code = Errc::kIo);

// libcrypto failed where it only can by running out of memory or being
// misconfigured (e.g. a provider config without SHA-256). Not caused by input.
[[noreturn]] void OpenSslFatal(std::string_view what);

}  // namespace nxt::crypto::internal
