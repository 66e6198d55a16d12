// nxt_wire: the only door between untrusted UDP bytes and nxt::wire::Datagram
// (proto/nxt/wire.proto). It owns decoding (size bound, parse, version check,
// structural bounds on every field later code indexes or allocates by),
// encoding, the allocation-free Chunk encoder of the send hot path, and the
// names of drop reasons. It must never touch sockets, clocks or files, keep
// state between datagrams, log, or abort on bad input: a bad datagram is a
// DropReason the caller counts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "nxt/wire.pb.h"

namespace nxt::wire {

// Why a received datagram was dropped. Stable: names appear in operator
// counters ("dropped_malformed").
enum class DropReason : uint8_t {
  kEmpty,         // zero bytes
  kTooLarge,      // longer than the configured maximum datagram
  kMalformed,     // not a parsable Datagram (bad wire format, invalid UTF-8 in a string)
  kWrongVersion,  // version != PROTOCOL_VERSION_CURRENT
  kNoBody,        // no body, or a body type this build does not know
  kInvalidField,  // parsed, but a field breaks a structural bound (see below)
};
inline constexpr size_t kDropReasonCount = 6;

// "empty", "too_large", "malformed", "wrong_version", "no_body", "invalid_field".
std::string_view DropReasonName(DropReason reason);

// Structural bounds DecodeDatagram enforces, so later code can trust sizes.
inline constexpr size_t kMaxIdentifierBytes = 128;  // ids, names, product, platform, versions
inline constexpr size_t kMaxTextBytes = 512;        // Decline.message, Outcome.reason
inline constexpr size_t kSha256Bytes = 32;          // sha256 fields: empty or exactly this
inline constexpr size_t kMaxAckBitmapBytes = 64;    // Ack.seen: 512 seqs
inline constexpr size_t kMaxRanges = 256;           // Accept.have, Need.missing
// Ranges must have count > 0 and first + count must not overflow. Chunk.data
// must be non-empty. Enum fields must hold a value this build knows.

// Decodes one received datagram of at most `max_size` bytes. On failure the
// Error says why (Errc::kCorrupt, or kUnsupported for a wrong version) and,
// if `reason` is given, *reason is set for the caller's drop counters.
Result<Datagram> DecodeDatagram(std::span<const uint8_t> bytes, size_t max_size,
                                DropReason* reason = nullptr);
// Same, reusing `*out` (its previous contents are replaced; on failure it is
// left cleared or partially filled and must not be used).
Status DecodeDatagramInto(std::span<const uint8_t> bytes, size_t max_size, Datagram* out,
                          DropReason* reason = nullptr);

// Serializes `d` into `*out` (replacing its contents). Fails with
// kInvalidArgument when the result would exceed `max_size` bytes.
Status EncodeDatagram(const Datagram& d, std::string* out, size_t max_size = SIZE_MAX);
Result<std::string> EncodeDatagram(const Datagram& d, size_t max_size = SIZE_MAX);
// Into a caller-owned buffer (no allocation); returns bytes written, or 0 if
// it does not fit.
size_t EncodeDatagramInto(const Datagram& d, std::span<uint8_t> out);

}  // namespace nxt::wire
