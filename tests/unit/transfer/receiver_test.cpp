#include "transfer/receiver.h"

#include <gtest/gtest.h>

namespace nxt::transfer {
namespace {

wire::Offer MakeOffer() {
  wire::Offer o;
  o.set_transfer(42);
  o.set_size(10000);
  o.set_block_size(4096);
  o.set_chunk_size(1000);
  o.set_manifest_size(1500);
  return o;
}

wire::Chunk MakeChunk(const Geometry& g, uint64_t index) {
  wire::Chunk c;
  c.set_transfer(42);
  c.set_index(index);
  c.set_data(std::string(g.Locate(index).length, 'x'));
  return c;
}

TEST(AReceiver, RefusesChunksThatDoNotFitTheGeometry) {
  auto rx = Receiver::Create(MakeOffer(), {}, 0);
  ASSERT_TRUE(rx.ok());
  wire::Chunk c = MakeChunk(rx->geometry(), 3);
  c.set_data("short");
  bool bad = false;
  EXPECT_FALSE(rx->OnChunk(1, c, 0, &bad).has_value());
  EXPECT_TRUE(bad);
  c.set_index(1 << 30);
  EXPECT_FALSE(rx->OnChunk(2, c, 0, &bad).has_value());
  EXPECT_TRUE(bad);
}

TEST(AReceiver, ReportsACompletedBlockOnceAllItsChunksAreStored) {
  auto rx = Receiver::Create(MakeOffer(), {}, 0);
  const Geometry& g = rx->geometry();
  auto [first, end] = g.BlockChunks(0);
  for (uint64_t i = first; i < end; ++i) {
    ASSERT_TRUE(rx->OnChunk(i + 1, MakeChunk(g, i), 0).has_value());
    auto done = rx->OnStored(i);
    EXPECT_EQ(done.has_value(), i + 1 == end);
  }
  EXPECT_FALSE(rx->OnChunk(99, MakeChunk(g, first), 0).has_value()) << "duplicate accepted";
  EXPECT_EQ(rx->duplicates(), 1u);
}

TEST(AReceiver, AcknowledgesBySequenceNumberWithABitmapOfWhatArrived) {
  auto rx = Receiver::Create(MakeOffer(), {}, 0);
  const Geometry& g = rx->geometry();
  for (uint64_t seq : {1, 2, 4, 5}) rx->OnChunk(seq, MakeChunk(g, seq), 100, nullptr);
  auto ack = rx->TakeAck(200, true);
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->ack().largest(), 5u);
  // bit i = seq 4 - i: 4 yes, 3 no, 2 yes, 1 yes
  ASSERT_FALSE(ack->ack().seen().empty());
  EXPECT_EQ(static_cast<uint8_t>(ack->ack().seen()[0]) & 0x0f, 0b1101);
  EXPECT_FALSE(rx->TakeAck(300, true).has_value()) << "acked twice with nothing new";
}

TEST(AReceiver, AsksAgainForABlockThatFailedVerification) {
  auto rx = Receiver::Create(MakeOffer(), {}, 0);
  const Geometry& g = rx->geometry();
  for (uint64_t i = 0; i < g.total_chunks(); ++i) {
    rx->OnChunk(i + 1, MakeChunk(g, i), 0);
    rx->OnStored(i);
  }
  ASSERT_TRUE(rx->complete());
  rx->ForgetBlock(1);
  EXPECT_FALSE(rx->complete());
  auto ctl = rx->TakeControl();
  ASSERT_EQ(ctl.size(), 1u);
  ASSERT_TRUE(ctl[0].has_need());
  auto [f, e] = g.BlockChunks(1);
  ASSERT_EQ(ctl[0].need().missing_size(), 1);
  EXPECT_EQ(ctl[0].need().missing(0).first(), f);
  EXPECT_EQ(ctl[0].need().missing(0).count(), e - f);
}

TEST(AReceiver, OffersResumeRangesFromDisk) {
  auto rx = Receiver::Create(MakeOffer(), {}, 0);
  RangeSet held;
  held.Add(0, 5);
  held.Add(7, 9);
  rx->Restore(held);
  auto accept = rx->MakeAccept();
  ASSERT_EQ(accept.accept().have_size(), 2);
  EXPECT_EQ(accept.accept().have(1).first(), 7u);
  EXPECT_EQ(accept.accept().have(1).count(), 2u);
}

}  // namespace
}  // namespace nxt::transfer
