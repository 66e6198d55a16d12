// Errors are values (STYLE.md rule 3): Result<T> holds a T or an Error; Status
// is Result<void>. An Error carries a stable code, a one-line message for the
// operator and optional context added as it travels up ("staging: pwrite: ...").
// Exceptions never cross a module boundary; nothing here throws.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace nxt {

enum class Errc {
  kOk = 0,
  kInvalidArgument,   // caller passed something malformed
  kNotFound,
  kIo,                // a syscall failed; message holds strerror
  kCorrupt,           // bytes failed a check (hash, parse, size)
  kUnsupported,
  kBusy,
  kTimeout,
  kPermission,
  kNoSpace,
  kPlugin,            // a plug-in could not be loaded or failed its self-test
  kConfig,            // bad configuration file or flag
  kClosed,            // peer or resource went away
};

std::string_view ErrcName(Errc code);

class Error {
 public:
  Error(Errc code, std::string message) : code_(code), message_(std::move(message)) {}

  Errc code() const { return code_; }
  const std::string& message() const { return message_; }

  // Prefixes context: Error(kIo, "No space").WithContext("staging") -> "staging: No space".
  Error WithContext(std::string_view context) const& {
    return Error(code_, std::string(context) + ": " + message_);
  }
  Error WithContext(std::string_view context) && {
    message_.insert(0, std::string(context) + ": ");
    return std::move(*this);
  }

 private:
  Errc code_;
  std::string message_;
};

// An Error from errno: "what: strerror(errno)".
Error ErrnoError(std::string_view what, int err);
Error ErrnoError(std::string_view what);  // reads errno

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}      // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { assert(!ok()); return std::get<1>(v_); }
  Error&& error() && { assert(!ok()); return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { assert(!ok_); return error_; }
  Error&& error() && { assert(!ok_); return std::move(error_); }

 private:
  Error error_{Errc::kOk, ""};
  bool ok_ = true;
};

using Status = Result<void>;

inline Status Ok() { return Status(); }

}  // namespace nxt

// Propagates an error: NXT_TRY(status_expr); and NXT_ASSIGN(var, result_expr);
#define NXT_TRY(expr)                                 \
  do {                                                \
    auto nxt_try_status_ = (expr);                    \
    if (!nxt_try_status_.ok())                        \
      return std::move(nxt_try_status_).error();      \
  } while (0)

#define NXT_CONCAT_INNER_(a, b) a##b
#define NXT_CONCAT_(a, b) NXT_CONCAT_INNER_(a, b)
#define NXT_ASSIGN(lhs, expr) NXT_ASSIGN_IMPL_(NXT_CONCAT_(nxt_res_, __LINE__), lhs, expr)
#define NXT_ASSIGN_IMPL_(tmp, lhs, expr)   \
  auto tmp = (expr);                       \
  if (!tmp.ok()) return std::move(tmp).error(); \
  lhs = std::move(tmp).value()
