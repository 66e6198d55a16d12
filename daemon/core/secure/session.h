// SecureSession: seals and opens datagrams of one session.
//
// Outer datagram on the wire: Datagram{version, session, seq, sealed} with
//   sealed = AES-256-GCM(key of this direction, nonce = dir(4) || seq(8),
//            aad = "nxt1" || session(8) || seq(8), inner)
// where `inner` is the serialized Datagram carrying the body. Sequence
// numbers start at 1 and never repeat within a session, so nonces never
// repeat; a session is re-keyed (new handshake) long before 2^32 datagrams.
// Open() refuses anything outside the replay window or failing
// authentication, and only then marks the sequence number as seen.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "crypto/aead.h"
#include "crypto/digest.h"
#include "crypto/replay_window.h"
#include "secure/handshake.h"

namespace nxt::secure {

enum class Role { kClient, kServer };

// Bytes the outer framing and the tag add to an inner datagram.
inline constexpr size_t kSealOverhead = 2 + 9 + 11 + 4 + crypto::kAeadTagSize;
// Re-key before this many datagrams in either direction.
inline constexpr uint64_t kRekeyAfter = uint64_t{1} << 31;

// The header of a sealed datagram exactly as Seal() writes it (fields 1, 2,
// 3, 15 in that order), read without a protobuf parse or a copy of the
// ciphertext: the receive hot path. Anything else (handshakes, other
// encodings of the same fields) returns nullopt and takes the general path.
struct SealedView {
  uint64_t session = 0;
  uint64_t seq = 0;
  std::span<const uint8_t> sealed;
};
std::optional<SealedView> ParseSealed(std::span<const uint8_t> datagram);

class SecureSession {
 public:
  // `rekey_after`: datagrams in either direction after which NeedsRekey().
  static Result<SecureSession> Create(const SessionKeys& keys, Role role, uint64_t rekey_after = kRekeyAfter);

  uint64_t id() const { return id_; }
  // Seals `inner` (a serialized Datagram with a body) into `out`; returns the
  // outer datagram's length.
  Result<size_t> Seal(std::span<const uint8_t> inner, std::span<uint8_t> out);
  // Opens an outer datagram of this session; on success `inner` holds the
  // plaintext and *seq its sequence number.
  Status Open(const wire::Datagram& outer, std::vector<uint8_t>& inner);
  Status Open(const SealedView& view, std::vector<uint8_t>& inner);

  uint64_t sent() const { return next_seq_ - 1; }
  uint64_t received() const { return replay_.Highest(); }
  bool NeedsRekey() const { return sent() >= rekey_after_ || received() >= rekey_after_; }

 private:
  SecureSession(uint64_t id, crypto::AeadKey send, crypto::AeadKey recv, uint32_t send_dir, uint32_t recv_dir)
      : id_(id), send_(std::move(send)), recv_(std::move(recv)), send_dir_(send_dir), recv_dir_(recv_dir) {}

  uint64_t id_;
  crypto::AeadKey send_, recv_;
  uint32_t send_dir_, recv_dir_;
  uint64_t next_seq_ = 1;
  uint64_t rekey_after_ = kRekeyAfter;
  crypto::ReplayWindow replay_;
};

}  // namespace nxt::secure
