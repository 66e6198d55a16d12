#include "plugin/abi_call.h"

#include <dlfcn.h>

#include <cstring>

#include "nxt/functional.h"

namespace nxt::plugin::detail {
namespace {

constexpr const char* kAbiSymbol = "nxt_functional_abi";
constexpr const char* kVersionSymbol = "nxt_functional_version";
constexpr const char* kSelfTestSymbol = "nxt_functional_selftest";

template <typename Fn>
Fn Resolve(void* handle, const char* name) {
  ::dlerror();  // clear: a NULL result alone does not mean "missing"
  void* symbol = ::dlsym(handle, name);
  return reinterpret_cast<Fn>(symbol);
}

// Product names end up in log lines and journal fields: keep them one token.
bool IsProductChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '+' || c == '-';
}

// Copies a C string the plug-in owns, reading at most kMaxProductLen + 1 bytes.
bool CopyProduct(const char* product, char (&out)[kMaxProductLen + 1]) {
  if (product == nullptr) return false;
  size_t n = 0;
  while (n <= kMaxProductLen && product[n] != '\0') {
    if (!IsProductChar(product[n])) return false;
    ++n;
  }
  if (n == 0 || n > kMaxProductLen) return false;
  std::memcpy(out, product, n);
  out[n] = '\0';
  return true;
}

void CallVersion(nxt_functional_version_fn fn, AbiReport& r) {
  struct nxt_functional_version v {};
  r.rc = fn(&v);
  if (r.rc != 0) {
    r.outcome = Outcome::kVersionFailed;
    return;
  }
  r.major = v.major;
  r.minor = v.minor;
  if (!CopyProduct(v.product, r.product)) r.outcome = Outcome::kBadProduct;
}

void CallAll(void* handle, bool run_selftest, const std::function<void(Stage)>& on_stage, AbiReport& r) {
  auto enter = [&](Stage s) {
    r.stage = s;
    if (on_stage) on_stage(s);
  };
  enter(Stage::kAbi);
  auto abi = Resolve<nxt_functional_abi_fn>(handle, kAbiSymbol);
  if (abi == nullptr) {
    r.outcome = Outcome::kMissingSymbol;
    return;
  }
  r.abi = abi();
  // Nothing else may be called on a plug-in built against another ABI.
  if (r.abi != NXT_FUNCTIONAL_ABI) {
    r.outcome = Outcome::kAbiMismatch;
    return;
  }

  enter(Stage::kVersion);
  auto version = Resolve<nxt_functional_version_fn>(handle, kVersionSymbol);
  if (version == nullptr) {
    r.outcome = Outcome::kMissingSymbol;
    return;
  }
  CallVersion(version, r);
  if (r.outcome != Outcome::kOk) return;

  auto selftest = Resolve<nxt_functional_selftest_fn>(handle, kSelfTestSymbol);
  r.has_selftest = selftest != nullptr;
  if (run_selftest && selftest != nullptr) {
    enter(Stage::kSelfTest);
    r.rc = selftest();
    if (r.rc != 0) {
      r.outcome = Outcome::kSelfTestFailed;
      return;
    }
  }
  enter(Stage::kDone);
}

}  // namespace

AbiReport CallPlugin(void* handle, bool run_selftest, const std::function<void(Stage)>& on_stage) {
  AbiReport report;
  try {
    CallAll(handle, run_selftest, on_stage, report);
  } catch (...) {
    // A C++ plug-in let an exception escape the C ABI; report.stage says where.
    report.outcome = Outcome::kThrew;
  }
  return report;
}

std::string_view StageSubject(Stage stage) {
  switch (stage) {
    case Stage::kLoading: return "loading";
    case Stage::kAbi: return kAbiSymbol;
    case Stage::kVersion: return kVersionSymbol;
    case Stage::kSelfTest: return "self-test";
    case Stage::kDone: return "probe";
  }
  return "probe";
}

std::string Describe(const AbiReport& r) {
  const std::string subject(StageSubject(r.stage));
  switch (r.outcome) {
    case Outcome::kOk: return "";
    case Outcome::kMissingSymbol: return "missing symbol " + subject;
    case Outcome::kAbiMismatch:
      return "ABI " + std::to_string(r.abi) + ", expected " + std::to_string(NXT_FUNCTIONAL_ABI);
    case Outcome::kVersionFailed: return subject + " failed (returned " + std::to_string(r.rc) + ")";
    case Outcome::kBadProduct:
      return "bad product name (want 1-" + std::to_string(kMaxProductLen) + " chars of [A-Za-z0-9._+-])";
    case Outcome::kSelfTestFailed: return "self-test failed (returned " + std::to_string(r.rc) + ")";
    case Outcome::kThrew: return subject + " threw a C++ exception across the C ABI";
  }
  return "unknown probe outcome";
}

PluginVersion VersionOf(const AbiReport& r) { return PluginVersion{r.major, r.minor, r.product}; }

std::string WithoutPathPrefix(const std::string& path, std::string text) {
  const std::string prefix = path + ": ";
  if (text.compare(0, prefix.size(), prefix) == 0) text.erase(0, prefix.size());
  return text;
}

}  // namespace nxt::plugin::detail
