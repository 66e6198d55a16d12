#include "wire/codec.h"

#include <climits>
#include <string>

#include "wire/bounds.h"

namespace nxt::wire {
namespace {

Status Drop(DropReason why, DropReason* reason, Errc code, std::string message) {
  if (reason != nullptr) *reason = why;
  return Error(code, "datagram dropped (" + std::string(DropReasonName(why)) + "): " + message);
}

}  // namespace

std::string_view DropReasonName(DropReason reason) {
  switch (reason) {
    case DropReason::kEmpty: return "empty";
    case DropReason::kTooLarge: return "too_large";
    case DropReason::kMalformed: return "malformed";
    case DropReason::kWrongVersion: return "wrong_version";
    case DropReason::kNoBody: return "no_body";
    case DropReason::kInvalidField: return "invalid_field";
  }
  return "unknown";
}

Status DecodeDatagramInto(std::span<const uint8_t> bytes, size_t max_size, Datagram* out,
                          DropReason* reason) {
  if (bytes.empty()) return Drop(DropReason::kEmpty, reason, Errc::kCorrupt, "0 bytes");
  // The size bound comes before parsing: the parser's work is bounded by it.
  if (bytes.size() > max_size || bytes.size() > static_cast<size_t>(INT_MAX))
    return Drop(DropReason::kTooLarge, reason, Errc::kCorrupt,
                std::to_string(bytes.size()) + " bytes (max " + std::to_string(max_size) + ")");
  // ParseFromArray never throws; it returns false on bad wire format and on
  // invalid UTF-8 in proto3 string fields.
  if (!out->ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return Drop(DropReason::kMalformed, reason, Errc::kCorrupt, "not a parsable Datagram");
  if (out->version() != PROTOCOL_VERSION_CURRENT)
    return Drop(DropReason::kWrongVersion, reason, Errc::kUnsupported,
                "protocol version " + std::to_string(out->version()) + " (this build speaks " +
                    std::to_string(PROTOCOL_VERSION_CURRENT) + ")");
  // A sealed datagram carries its body inside `sealed`; opening it is the
  // secure layer's job, which decodes the inner datagram with this function.
  if (!out->sealed().empty()) {
    if (out->body_case() != Datagram::BODY_NOT_SET)
      return Drop(DropReason::kInvalidField, reason, Errc::kCorrupt, "invalid field: sealed datagram with a clear body");
    if (out->session() == 0)
      return Drop(DropReason::kInvalidField, reason, Errc::kCorrupt, "invalid field: sealed datagram without a session");
    return Ok();
  }
  if (out->body_case() == Datagram::BODY_NOT_SET)
    return Drop(DropReason::kNoBody, reason, Errc::kCorrupt, "no known body");
  Status bounds = CheckBounds(*out, max_size);
  if (!bounds) return Drop(DropReason::kInvalidField, reason, Errc::kCorrupt, bounds.error().message());
  return Ok();
}

Result<Datagram> DecodeDatagram(std::span<const uint8_t> bytes, size_t max_size, DropReason* reason) {
  Datagram d;
  NXT_TRY(DecodeDatagramInto(bytes, max_size, &d, reason));
  return d;
}

Status EncodeDatagram(const Datagram& d, std::string* out, size_t max_size) {
  size_t size = d.ByteSizeLong();
  if (size > max_size)
    return Error(Errc::kInvalidArgument, "datagram of " + std::to_string(size) +
                                             " bytes exceeds the maximum of " + std::to_string(max_size));
  out->resize(size);
  d.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(out->data()));
  return Ok();
}

Result<std::string> EncodeDatagram(const Datagram& d, size_t max_size) {
  std::string out;
  NXT_TRY(EncodeDatagram(d, &out, max_size));
  return out;
}

size_t EncodeDatagramInto(const Datagram& d, std::span<uint8_t> out) {
  size_t size = d.ByteSizeLong();
  if (size > out.size()) return 0;
  d.SerializeWithCachedSizesToArray(out.data());
  return size;
}

}  // namespace nxt::wire
