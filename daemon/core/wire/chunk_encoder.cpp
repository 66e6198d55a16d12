#include "wire/chunk_encoder.h"

#include <cstring>

#include "nxt/wire.pb.h"

namespace nxt::wire {
namespace {

// Protobuf wire types.
constexpr uint32_t kVarint = 0;
constexpr uint32_t kFixed64 = 1;
constexpr uint32_t kLengthDelimited = 2;

constexpr uint32_t Tag(uint32_t field, uint32_t wire_type) { return (field << 3) | wire_type; }

// Field numbers from proto/nxt/wire.proto; pinned to the generated code so a
// renumbering breaks the build instead of the wire.
static_assert(Datagram::kVersionFieldNumber == 1 && Datagram::kSessionFieldNumber == 2 &&
              Datagram::kSeqFieldNumber == 3 && Datagram::kChunkFieldNumber == 21);
static_assert(Chunk::kTransferFieldNumber == 1 && Chunk::kIndexFieldNumber == 2 &&
              Chunk::kSentUsFieldNumber == 3 && Chunk::kDataFieldNumber == 4);

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

uint8_t* PutVarint(uint8_t* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<uint8_t>(v);
  return p;
}

uint8_t* PutFixed64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) *p++ = static_cast<uint8_t>(v >> (8 * i));  // little-endian
  return p;
}

// Proto3 omits fields equal to zero.
size_t VarintFieldSize(uint32_t tag, uint64_t v) { return v == 0 ? 0 : VarintSize(tag) + VarintSize(v); }
size_t Fixed64FieldSize(uint32_t tag, uint64_t v) { return v == 0 ? 0 : VarintSize(tag) + 8; }

size_t ChunkBodySize(uint64_t transfer, uint64_t index, uint64_t sent_us, size_t data_size) {
  size_t n = Fixed64FieldSize(Tag(1, kFixed64), transfer) + VarintFieldSize(Tag(2, kVarint), index) +
             VarintFieldSize(Tag(3, kVarint), sent_us);
  if (data_size > 0) n += VarintSize(Tag(4, kLengthDelimited)) + VarintSize(data_size) + data_size;
  return n;
}

}  // namespace

size_t ChunkDatagramSize(uint64_t session, uint64_t seq, uint64_t transfer, uint64_t index,
                         uint64_t sent_us, size_t data_size) {
  size_t body = ChunkBodySize(transfer, index, sent_us, data_size);
  return VarintFieldSize(Tag(1, kVarint), PROTOCOL_VERSION_CURRENT) +
         Fixed64FieldSize(Tag(2, kFixed64), session) + VarintFieldSize(Tag(3, kVarint), seq) +
         VarintSize(Tag(21, kLengthDelimited)) + VarintSize(body) + body;
}

size_t EncodeChunkDatagram(uint8_t* out, size_t cap, uint64_t session, uint64_t seq,
                           uint64_t transfer, uint64_t index, uint64_t sent_us,
                           std::span<const uint8_t> data) {
  if (data.empty() || data.size() > kMaxChunkData) return 0;
  size_t total = ChunkDatagramSize(session, seq, transfer, index, sent_us, data.size());
  if (out == nullptr || total > cap) return 0;
  uint8_t* p = out;
  p = PutVarint(p, Tag(1, kVarint));
  p = PutVarint(p, PROTOCOL_VERSION_CURRENT);
  if (session != 0) p = PutFixed64(PutVarint(p, Tag(2, kFixed64)), session);
  if (seq != 0) p = PutVarint(PutVarint(p, Tag(3, kVarint)), seq);
  p = PutVarint(p, Tag(21, kLengthDelimited));
  p = PutVarint(p, ChunkBodySize(transfer, index, sent_us, data.size()));
  if (transfer != 0) p = PutFixed64(PutVarint(p, Tag(1, kFixed64)), transfer);
  if (index != 0) p = PutVarint(PutVarint(p, Tag(2, kVarint)), index);
  if (sent_us != 0) p = PutVarint(PutVarint(p, Tag(3, kVarint)), sent_us);
  p = PutVarint(p, Tag(4, kLengthDelimited));
  p = PutVarint(p, data.size());
  std::memcpy(p, data.data(), data.size());
  p += data.size();
  return static_cast<size_t>(p - out);
}

}  // namespace nxt::wire
