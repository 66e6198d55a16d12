// Writes the seed corpus for fuzz_wire_decode: one valid datagram of each
// body type, plus a fast-encoded Chunk. Usage: make_wire_corpus <dir>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "wire/chunk_encoder.h"
#include "wire/codec.h"

namespace {

using nxt::wire::Datagram;

Datagram Header(uint64_t seq) {
  Datagram d;
  d.set_version(nxt::wire::PROTOCOL_VERSION_CURRENT);
  d.set_session(0x0123456789abcdefULL);
  d.set_seq(seq);
  return d;
}

void Artifact(nxt::wire::ArtifactInfo* a) {
  a->set_name("libfunctional");
  a->set_major(8);
  a->set_minor(6);
  a->set_product("nxtgen");
  a->set_sha256(std::string(32, '\x5a'));
  a->set_platform("linux-amd64-gnu");
}

std::vector<std::pair<std::string, Datagram>> Samples() {
  std::vector<std::pair<std::string, Datagram>> s;
  Datagram d = Header(1);
  d.mutable_hello()->set_client_id("client-01");
  d.mutable_hello()->set_platform("linux-amd64-gnu");
  d.mutable_hello()->set_instance(42);
  Artifact(d.mutable_hello()->mutable_running());
  s.emplace_back("hello", d);
  d = Header(2);
  d.mutable_welcome()->set_lease_ms(30000);
  d.mutable_welcome()->set_server_id("server-a");
  s.emplace_back("welcome", d);
  d = Header(3);
  d.mutable_offer()->set_transfer(7);
  Artifact(d.mutable_offer()->mutable_artifact());
  d.mutable_offer()->set_size(1 << 20);
  d.mutable_offer()->set_block_size(65536);
  d.mutable_offer()->set_chunk_size(1138);
  d.mutable_offer()->set_manifest_sha256(std::string(32, '\x11'));
  s.emplace_back("offer", d);
  d = Header(4);
  d.mutable_accept()->set_transfer(7);
  d.mutable_accept()->add_have()->set_count(3);
  d.mutable_accept()->set_receive_window(256);
  s.emplace_back("accept", d);
  d = Header(5);
  d.mutable_decline()->set_reason(nxt::wire::DECLINE_BUSY);
  d.mutable_decline()->set_message("busy installing");
  s.emplace_back("decline", d);
  d = Header(6);
  d.mutable_ack()->set_transfer(7);
  d.mutable_ack()->set_largest(100);
  d.mutable_ack()->set_seen(std::string(8, '\xff'));
  s.emplace_back("ack", d);
  d = Header(7);
  auto* r = d.mutable_need()->add_missing();
  r->set_first(10);
  r->set_count(5);
  d.mutable_need()->set_chunks_total(900);
  s.emplace_back("need", d);
  d = Header(8);
  d.mutable_outcome()->set_status(nxt::wire::OUTCOME_FAILED);
  d.mutable_outcome()->set_reason("self-test failed");
  s.emplace_back("outcome", d);
  d = Header(9);
  d.mutable_query()->set_query(3);
  s.emplace_back("query", d);
  d = Header(10);
  Artifact(d.mutable_report()->mutable_running());
  s.emplace_back("report", d);
  d = Header(11);
  d.mutable_probe()->set_transfer(7);
  s.emplace_back("probe", d);
  return s;
}

bool Write(const std::string& path, const void* data, size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  return static_cast<bool>(out.flush());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  for (const auto& [name, d] : Samples()) {
    std::string bytes = d.SerializeAsString();
    if (!Write(dir + "/" + name, bytes.data(), bytes.size())) return 1;
  }
  std::vector<uint8_t> data(1138, 0xa5);
  uint8_t buf[1200];
  size_t n = nxt::wire::EncodeChunkDatagram(buf, sizeof buf, 0x0123456789abcdefULL, 12, 7, 99,
                                            1'700'000'000'000'000ULL, data);
  if (n == 0 || !Write(dir + "/chunk", buf, n)) return 1;
  return 0;
}
