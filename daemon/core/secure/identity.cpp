#include "secure/identity.h"

#include <sys/stat.h>

#include "crypto/key_file.h"
#include "crypto/key_text.h"

namespace nxt::secure {

Result<Identity> LoadOrCreateIdentity(const std::string& dir) {
  std::string path = dir + "/identity";
  struct stat st {};
  bool exists = ::stat(path.c_str(), &st) == 0;
  auto keys = [&]() -> Result<crypto::X25519KeyPair> {
    if (!exists) return crypto::X25519KeyPair::Generate();
    NXT_ASSIGN(crypto::RawKey raw, crypto::ReadPrivateKeyFile(path, crypto::KeyType::kX25519));
    return crypto::X25519KeyPair::FromPrivateBytes(raw);
  }();
  if (!keys.ok()) return std::move(keys).error().WithContext("identity");
  Identity id{std::move(keys).value(), !exists, "", ""};
  if (id.created) NXT_TRY(crypto::WritePrivateKeyFile(path, id.keys.PrivateKeyBytes(), crypto::KeyType::kX25519));
  auto pub = id.keys.PublicKeyBytes();
  NXT_TRY(crypto::WritePublicKeyFile(dir + "/identity.pub", pub, crypto::KeyType::kX25519, crypto::Replace::kYes));
  id.fingerprint = crypto::Fingerprint(crypto::KeyType::kX25519, pub);
  id.public_text = crypto::FormatKey(crypto::KeyType::kX25519, crypto::KeyPart::kPublic, pub);
  return id;
}

Result<crypto::X25519PublicKey> ParsePublicKey(const std::string& text) {
  std::string t = text;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  if (t.find(' ') == std::string::npos) t = crypto::KeyLabel(crypto::KeyType::kX25519, crypto::KeyPart::kPublic) + " " + t;
  NXT_ASSIGN(crypto::RawKey raw, crypto::ParseKey(crypto::KeyType::kX25519, crypto::KeyPart::kPublic, t));
  return crypto::X25519PublicKey::FromBytes(raw);
}

}  // namespace nxt::secure
