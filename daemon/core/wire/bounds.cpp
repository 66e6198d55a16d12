#include "wire/bounds.h"

#include <string>

#include "wire/codec.h"

namespace nxt::wire {
namespace {

Error Invalid(std::string what) { return Error(Errc::kCorrupt, "invalid field: " + what); }

Status CheckSize(const std::string& value, size_t max, const char* field) {
  if (value.size() <= max) return Ok();
  return Invalid(std::string(field) + " is " + std::to_string(value.size()) + " bytes (max " +
                 std::to_string(max) + ")");
}

Status CheckSha256(const std::string& value, const char* field) {
  if (value.empty() || value.size() == kSha256Bytes) return Ok();
  return Invalid(std::string(field) + " is " + std::to_string(value.size()) +
                 " bytes (want 0 or 32)");
}

Status CheckArtifact(const ArtifactInfo& a, const char* field) {
  const std::string f(field);
  NXT_TRY(CheckSize(a.name(), kMaxIdentifierBytes, (f + ".name").c_str()));
  NXT_TRY(CheckSize(a.product(), kMaxIdentifierBytes, (f + ".product").c_str()));
  NXT_TRY(CheckSize(a.platform(), kMaxIdentifierBytes, (f + ".platform").c_str()));
  return CheckSha256(a.sha256(), (f + ".sha256").c_str());
}

template <typename Ranges>
Status CheckRanges(const Ranges& ranges, const char* field) {
  if (static_cast<size_t>(ranges.size()) > kMaxRanges)
    return Invalid(std::string(field) + " has " + std::to_string(ranges.size()) +
                   " ranges (max " + std::to_string(kMaxRanges) + ")");
  for (const Range& r : ranges) {
    // count > 0 and no wrap-around, so [first, first + count) is a real interval.
    if (r.count() == 0 || r.first() + r.count() < r.first())
      return Invalid(std::string(field) + " has range first=" + std::to_string(r.first()) +
                     " count=" + std::to_string(r.count()));
  }
  return Ok();
}

template <typename IsValid>
Status CheckEnum(int value, IsValid is_valid, const char* field) {
  if (is_valid(value)) return Ok();
  return Invalid(std::string(field) + " has unknown value " + std::to_string(value));
}

Status CheckHello(const Hello& m) {
  NXT_TRY(CheckSize(m.client_id(), kMaxIdentifierBytes, "hello.client_id"));
  NXT_TRY(CheckSize(m.platform(), kMaxIdentifierBytes, "hello.platform"));
  NXT_TRY(CheckSize(m.agent_version(), kMaxIdentifierBytes, "hello.agent_version"));
  NXT_TRY(CheckArtifact(m.running(), "hello.running"));
  NXT_TRY(CheckArtifact(m.previous(), "hello.previous"));
  NXT_TRY(CheckSize(m.running_source(), kMaxIdentifierBytes, "hello.running_source"));
  return CheckArtifact(m.staged(), "hello.staged");
}

Status CheckOffer(const Offer& m) {
  NXT_TRY(CheckArtifact(m.artifact(), "offer.artifact"));
  NXT_TRY(CheckSha256(m.manifest_sha256(), "offer.manifest_sha256"));
  NXT_TRY(CheckSize(m.wrapped_key(), 80, "offer.wrapped_key"));
  return CheckEnum(m.activation(), Activation_IsValid, "offer.activation");
}

Status CheckChunk(const Chunk& m, size_t max_size) {
  if (m.data().empty()) return Invalid("chunk.data is empty");
  return CheckSize(m.data(), max_size, "chunk.data");
}

Status CheckExact(const std::string& value, size_t size, const char* field) {
  if (value.size() == size) return Ok();
  return Invalid(std::string(field) + " is " + std::to_string(value.size()) + " bytes (want " +
                 std::to_string(size) + ")");
}

Status CheckHandshakeInit(const HandshakeInit& m) {
  NXT_TRY(CheckExact(m.client_static(), 32, "handshake_init.client_static"));
  NXT_TRY(CheckExact(m.client_ephemeral(), 32, "handshake_init.client_ephemeral"));
  return CheckExact(m.nonce(), 16, "handshake_init.nonce");
}

Status CheckHandshakeResponse(const HandshakeResponse& m) {
  NXT_TRY(CheckExact(m.server_static(), 32, "handshake_response.server_static"));
  NXT_TRY(CheckExact(m.server_ephemeral(), 32, "handshake_response.server_ephemeral"));
  NXT_TRY(CheckExact(m.nonce(), 16, "handshake_response.nonce"));
  return CheckSize(m.confirm(), 64, "handshake_response.confirm");
}

Status CheckOutcome(const Outcome& m) {
  NXT_TRY(CheckEnum(m.status(), OutcomeStatus_IsValid, "outcome.status"));
  NXT_TRY(CheckSize(m.reason(), kMaxTextBytes, "outcome.reason"));
  return CheckArtifact(m.running(), "outcome.running");
}

}  // namespace

Status CheckBounds(const Datagram& d, size_t max_size) {
  switch (d.body_case()) {
    case Datagram::kHello: return CheckHello(d.hello());
    case Datagram::kWelcome:
      NXT_TRY(CheckEnum(d.welcome().enrollment(), Enrollment_IsValid, "welcome.enrollment"));
      return CheckSize(d.welcome().server_id(), kMaxIdentifierBytes, "welcome.server_id");
    case Datagram::kHandshakeInit: return CheckHandshakeInit(d.handshake_init());
    case Datagram::kHandshakeResponse: return CheckHandshakeResponse(d.handshake_response());
    case Datagram::kOffer: return CheckOffer(d.offer());
    case Datagram::kAccept: return CheckRanges(d.accept().have(), "accept.have");
    case Datagram::kDecline:
      NXT_TRY(CheckEnum(d.decline().reason(), DeclineReason_IsValid, "decline.reason"));
      return CheckSize(d.decline().message(), kMaxTextBytes, "decline.message");
    case Datagram::kChunk: return CheckChunk(d.chunk(), max_size);
    case Datagram::kAck: return CheckSize(d.ack().seen(), kMaxAckBitmapBytes, "ack.seen");
    case Datagram::kNeed: return CheckRanges(d.need().missing(), "need.missing");
    case Datagram::kOutcome: return CheckOutcome(d.outcome());
    case Datagram::kReport:
      NXT_TRY(CheckArtifact(d.report().running(), "report.running"));
      NXT_TRY(CheckArtifact(d.report().previous(), "report.previous"));
      NXT_TRY(CheckSize(d.report().result(), kMaxTextBytes, "report.result"));
      return CheckArtifact(d.report().staged(), "report.staged");
    case Datagram::kProbe:
    case Datagram::kOutcomeAck:
    case Datagram::kQuery:
    case Datagram::kActivate:
    case Datagram::kRollback:
      return Ok();  // fixed-size fields only
    case Datagram::BODY_NOT_SET: break;
  }
  return Error(Errc::kCorrupt, "no body");
}

}  // namespace nxt::wire
