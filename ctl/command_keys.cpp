// Publisher keys and signing, off the server: `nxtctl keygen --out K` makes an
// Ed25519 key pair (K, 0600, and K.pub); `nxtctl sign FILE --key K` writes a
// bundle (FILE.nxt) that any server can push and only hosts trusting K.pub
// accept. Neither talks to a daemon.
#include <fcntl.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <ctime>
#include <ostream>

#include "artifact/block_plan.h"
#include "artifact/manifest.h"
#include "artifact/release.h"
#include "base/unique_fd.h"
#include "crypto/ed25519.h"
#include "crypto/key_file.h"
#include "crypto/key_text.h"
#include "ctl/commands.h"
#include "ctl/release.h"
#include "plugin/elf.h"

namespace nxt::ctl {
namespace {

struct KeygenArgs {
  std::string out;
  bool force = false;
};

int Keygen(Context& ctx, const KeygenArgs& a) {
  auto key = crypto::Ed25519KeyPair::Generate();
  if (!key.ok()) return ctx.Fail(key.error().message());
  auto replace = a.force ? crypto::Replace::kYes : crypto::Replace::kNo;
  Status st = crypto::WritePrivateKeyFile(a.out, key->PrivateKeyBytes(), crypto::KeyType::kEd25519, replace);
  if (st.ok()) st = crypto::WritePublicKeyFile(a.out + ".pub", key->PublicKeyBytes(), crypto::KeyType::kEd25519, replace);
  if (!st.ok()) return ctx.Fail(st.error().message());
  ctx.env().out << "publisher key " << crypto::Fingerprint(crypto::KeyType::kEd25519, key->PublicKeyBytes())
                << " written to " << a.out << " (public half in " << a.out << ".pub: add it to the clients'\n"
                << "trusted_publishers, and keep " << a.out << " off the hosts)\n";
  return kExitOk;
}

struct SignArgs {
  std::string file, key, out;
  ReleaseArgs release;
};

int Sign(Context& ctx, const SignArgs& a) {
  auto raw = crypto::ReadPrivateKeyFile(a.key, crypto::KeyType::kEd25519);
  if (!raw.ok()) return ctx.Fail(raw.error().message());
  auto key = crypto::Ed25519KeyPair::FromPrivateBytes(*raw);
  if (!key.ok()) return ctx.Fail(key.error().message());
  UniqueFd fd(::open(a.file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return ctx.Fail(ErrnoError("cannot open " + a.file).message());
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
    return ctx.Fail("cannot sign " + a.file + ": not a non-empty regular file");
  auto info = DescribeRelease(a.file, a.release);
  if (!info.ok()) return ctx.Fail(info.error().message());
  std::string base = a.file.substr(a.file.find_last_of('/') + 1);
  info->set_name(base.substr(0, base.find('.')));
  if (auto platform = plugin::PlatformOf(a.file); platform.ok()) info->set_platform(*platform);
  uint64_t now = static_cast<uint64_t>(std::time(nullptr));
  auto built = artifact::BuildManifest(fd.get(), static_cast<uint64_t>(st.st_size), *info, now);
  if (!built.ok()) return ctx.Fail(built.error().message());
  wire::Manifest& m = built->manifest;
  m.set_downgrade(a.release.downgrade);
  if (a.release.expires_days) m.set_expires_unix_s(now + uint64_t{a.release.expires_days} * 86400);
  auto signed_manifest = artifact::SignManifest(m, *key);
  if (!signed_manifest.ok()) return ctx.Fail(signed_manifest.error().message());
  std::string out = a.out.empty() ? a.file + ".nxt" : a.out;
  Status w = artifact::WriteBundle(out, *signed_manifest, fd.get());
  if (!w.ok()) return ctx.Fail(w.error().message());
  ctx.env().out << "signed " << info->product() << " " << info->major() << "." << info->minor() << " ("
                << crypto::ToHex(crypto::AsBytes(m.artifact().sha256())).substr(0, 12) << ") as "
                << crypto::Fingerprint(crypto::KeyType::kEd25519, key->PublicKeyBytes()) << ": " << out << "\n";
  return kExitOk;
}

}  // namespace

void AddReleaseFlags(CLI::App& sub, ReleaseArgs& r) {
  sub.add_option("--version", r.version, "Release version MAJOR.MINOR (default: what the plug-in reports)");
  sub.add_option("--product", r.product, "Product name (default: what the plug-in reports)");
  sub.add_option("--expires-days", r.expires_days, "Hosts refuse the release after this many days (0 = never)");
  sub.add_flag("--downgrade", r.downgrade, "Sign as an explicit downgrade: hosts running newer accept it");
}

Action DefineKeygen(CLI::App& sub) {
  auto args = std::make_shared<KeygenArgs>();
  sub.add_option("--out", args->out, "Private key file to create (0600); the public key goes to FILE.pub")
      ->required();
  sub.add_flag("--force", args->force, "Replace existing key files");
  return [args](Context& ctx) { return Keygen(ctx, *args); };
}

Action DefineSign(CLI::App& sub) {
  auto args = std::make_shared<SignArgs>();
  sub.add_option("FILE", args->file, "Plug-in library (.so) to sign")->required();
  sub.add_option("--key", args->key, "Publisher private key (nxtctl keygen)")->required();
  sub.add_option("--out,-o", args->out, "Bundle to write (default FILE.nxt)");
  AddReleaseFlags(sub, args->release);
  return [args](Context& ctx) { return Sign(ctx, *args); };
}

}  // namespace nxt::ctl
