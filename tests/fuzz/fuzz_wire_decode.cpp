// libFuzzer target for nxt::wire::DecodeDatagram, the door for every UDP
// datagram. Beyond "never crashes": whatever it accepts must keep the
// structural promises, survive a re-encode/decode round trip, and for Chunk
// datagrams the hand-written encoder must agree with libprotobuf.
#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "wire/chunk_encoder.h"
#include "wire/codec.h"

namespace {

constexpr size_t kMax = 1200;  // the protocol's default maximum datagram

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

void CheckChunkEncoder(const nxt::wire::Datagram& d) {
  const nxt::wire::Chunk& c = d.chunk();
  nxt::wire::Datagram canonical;  // the same fields without unknown ones
  canonical.set_version(d.version());
  canonical.set_session(d.session());
  canonical.set_seq(d.seq());
  canonical.mutable_chunk()->set_transfer(c.transfer());
  canonical.mutable_chunk()->set_index(c.index());
  canonical.mutable_chunk()->set_sent_us(c.sent_us());
  canonical.mutable_chunk()->set_data(c.data());
  std::string want = canonical.SerializeAsString();
  uint8_t buf[kMax + nxt::wire::kChunkDatagramMaxOverhead];
  auto data = std::span(reinterpret_cast<const uint8_t*>(c.data().data()), c.data().size());
  size_t n = nxt::wire::EncodeChunkDatagram(buf, sizeof buf, d.session(), d.seq(), c.transfer(),
                                            c.index(), c.sent_us(), data);
  Check(n == want.size() && std::memcmp(buf, want.data(), n) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // libprotobuf logs invalid UTF-8 at ERROR: noise here, not a finding.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  nxt::wire::DropReason reason{};
  auto d = nxt::wire::DecodeDatagram({bytes, size}, kMax, &reason);
  if (!d.ok()) {
    Check(static_cast<size_t>(reason) < nxt::wire::kDropReasonCount);
    return 0;
  }
  Check(d->version() == nxt::wire::PROTOCOL_VERSION_CURRENT);
  // A body, or a sealed datagram (the body inside, for the session to open).
  Check(d->body_case() != nxt::wire::Datagram::BODY_NOT_SET || (!d->sealed().empty() && d->session() != 0));
  Check(d->sealed().empty() || d->body_case() == nxt::wire::Datagram::BODY_NOT_SET);
  std::string again;
  Check(nxt::wire::EncodeDatagram(*d, &again).ok());
  auto back = nxt::wire::DecodeDatagram(
      {reinterpret_cast<const uint8_t*>(again.data()), again.size()}, 65535);
  Check(back.ok() && back->SerializeAsString() == again);
  if (d->has_chunk()) CheckChunkEncoder(*d);
  return 0;
}
