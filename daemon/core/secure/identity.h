// A daemon's X25519 identity: created on first start as <dir>/identity
// (0600; refused at start if group/world can read it) with its public half
// in <dir>/identity.pub for operators to copy into peers' configuration.
#pragma once

#include <string>

#include "base/result.h"
#include "crypto/x25519.h"

namespace nxt::secure {

struct Identity {
  crypto::X25519KeyPair keys;
  bool created = false;  // made just now
  std::string fingerprint;
  std::string public_text;  // "nxt-x25519-public <base64>"
};

Result<Identity> LoadOrCreateIdentity(const std::string& dir);
// Accepts "nxt-x25519-public <base64>" or the bare base64.
Result<crypto::X25519PublicKey> ParsePublicKey(const std::string& text);

}  // namespace nxt::secure
