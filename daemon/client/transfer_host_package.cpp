// TransferHost's end of a Debian package release: instead of loading a
// plug-in, hand the verified .deb to the PackageHost — kept for later
// (--later), or dry-run, installed and reported now. The installed package
// and version travel in the Outcome's reason; the plug-in keeps running.
#include "client/transfer_host.h"

namespace nxt::client {

Status TransferHost::AcceptsKind(const wire::Manifest& m) const {
  if (m.kind() != package::kKindDeb) return Ok();
  if (!packages_) return Error(Errc::kUnsupported, "this host does not take package payloads");
  return packages_->Accepts();
}

void TransferHost::FinishPackage(const std::string& store_path) {
  Active& a = *active_;
  const uint64_t transfer = a.offer.transfer();
  if (Status ok = AcceptsKind(a.staging.manifest()); !ok.ok()) return Fail(ok.error().message());
  if (activation_.ShouldStage(a.offer.activation())) {
    // Checked and kept now; installed by `nxtctl activate` or the host's window (ActivationHost).
    auto staged = packages_->Stage(store_path);
    if (!staged.ok()) return Fail(staged.error().message());
    if (Status st = activation_.Stage(store_path, a.staging.manifest()); !st.ok())
      return Fail("cannot stage: " + st.error().message());
    const std::string what = staged->info.package + " " + staged->info.version;
    log_.Info("staged package " + what + " for later activation", {{"NXT_PACKAGE", staged->info.package}});
    Report(a.peer, transfer, wire::OUTCOME_STAGED, "staged package " + what, 0);
    active_.reset();
    on_running_changed_();
    return;
  }
  auto installed = packages_->Install(store_path);
  if (!installed.ok()) return Fail(installed.error().message());
  ++counters_.installed;
  const auto reload = static_cast<uint32_t>(clock_.NowUs() - a.last_byte);
  Report(a.peer, transfer, wire::OUTCOME_INSTALLED, "installed package " + DescribeInstall(*installed), reload);
  active_.reset();
}

}  // namespace nxt::client
