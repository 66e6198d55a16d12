#include "wire/chunk_encoder.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "wire/codec.h"

namespace nxt::wire {
namespace {

struct ChunkFields {
  uint64_t session, seq, transfer, index, sent_us;
  size_t data_size;
};

std::vector<uint8_t> Data(size_t n) {
  std::vector<uint8_t> d(n);
  for (size_t i = 0; i < n; ++i) d[i] = static_cast<uint8_t>(i * 31 + 7);
  return d;
}

std::string Libprotobuf(const ChunkFields& f, const std::vector<uint8_t>& data) {
  Datagram d;
  d.set_version(PROTOCOL_VERSION_CURRENT);
  d.set_session(f.session);
  d.set_seq(f.seq);
  Chunk* c = d.mutable_chunk();
  c->set_transfer(f.transfer);
  c->set_index(f.index);
  c->set_sent_us(f.sent_us);
  c->set_data(data.data(), data.size());
  return d.SerializeAsString();
}

std::string Fast(const ChunkFields& f, const std::vector<uint8_t>& data) {
  std::vector<uint8_t> buf(data.size() + kChunkDatagramMaxOverhead);
  size_t n = EncodeChunkDatagram(buf.data(), buf.size(), f.session, f.seq, f.transfer, f.index,
                                 f.sent_us, data);
  EXPECT_EQ(n, ChunkDatagramSize(f.session, f.seq, f.transfer, f.index, f.sent_us, data.size()));
  return std::string(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
}

TEST(EncodeChunkDatagram, WritesExactlyTheBytesLibprotobufWrites) {
  const ChunkFields cases[] = {
      {0, 0, 0, 0, 0, 1},  // every optional field omitted
      {1, 1, 1, 1, 1, 127},
      {0x1122334455667788ULL, 127, 128, 16383, 16384, 128},
      {UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, 1138},
      {5, 300, 9, 0, 1'700'000'000'000'000ULL, 16383},
      {5, 300, 9, 2, 3, 16384},
      {5, 300, 9, 2, 3, kMaxChunkData},
  };
  for (const auto& f : cases) {
    SCOPED_TRACE(testing::Message() << "seq=" << f.seq << " data=" << f.data_size);
    auto data = Data(f.data_size);
    EXPECT_EQ(Fast(f, data), Libprotobuf(f, data));
  }
}

TEST(EncodeChunkDatagram, MatchesLibprotobufForRandomHeaders) {
  std::mt19937_64 rng(99);
  for (int i = 0; i < 2000; ++i) {
    // Random bit widths so every varint length from 1 to 10 bytes shows up.
    auto value = [&] { return rng() >> (rng() % 65 == 64 ? 63 : rng() % 64); };
    ChunkFields f{value(), value(), value(), value(), value(), 1 + rng() % 2000};
    auto data = Data(f.data_size);
    ASSERT_EQ(Fast(f, data), Libprotobuf(f, data)) << i;
  }
}

TEST(EncodeChunkDatagram, IsReadBackByDecodeDatagramWithEveryField) {
  ChunkFields f{0xabcdef, 42, 7, 1000, 123456, 1138};
  auto data = Data(f.data_size);
  std::string bytes = Fast(f, data);
  auto d = DecodeDatagram({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}, 1200);
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->session(), f.session);
  EXPECT_EQ(d->seq(), f.seq);
  EXPECT_EQ(d->chunk().transfer(), f.transfer);
  EXPECT_EQ(d->chunk().index(), f.index);
  EXPECT_EQ(d->chunk().sent_us(), f.sent_us);
  EXPECT_EQ(d->chunk().data(), std::string(data.begin(), data.end()));
}

TEST(EncodeChunkDatagram, NeverAddsMoreThanTheAdvertisedOverhead) {
  // The worst case: every header field at its longest encoding.
  EXPECT_EQ(ChunkDatagramSize(UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, kMaxChunkData) -
                kMaxChunkData,
            kChunkDatagramMaxOverhead);
  // So a sender sizing chunks as max_datagram - overhead always fits 1200 B.
  size_t chunk = 1200 - kChunkDatagramMaxOverhead;
  EXPECT_LE(ChunkDatagramSize(UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, chunk), 1200u);
}

TEST(EncodeChunkDatagram, RefusesASmallBufferEmptyDataAndOversizeData) {
  auto data = Data(100);
  size_t need = ChunkDatagramSize(1, 1, 1, 1, 1, data.size());
  std::vector<uint8_t> buf(need);
  EXPECT_EQ(EncodeChunkDatagram(buf.data(), need - 1, 1, 1, 1, 1, 1, data), 0u);
  EXPECT_EQ(EncodeChunkDatagram(buf.data(), need, 1, 1, 1, 1, 1, data), need);
  EXPECT_EQ(EncodeChunkDatagram(buf.data(), need, 1, 1, 1, 1, 1, {}), 0u);
  auto huge = Data(kMaxChunkData + 1);
  std::vector<uint8_t> big(huge.size() + kChunkDatagramMaxOverhead + 8);
  EXPECT_EQ(EncodeChunkDatagram(big.data(), big.size(), 1, 1, 1, 1, 1, huge), 0u);
}

}  // namespace
}  // namespace nxt::wire
