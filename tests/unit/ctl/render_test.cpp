#include "ctl/render.h"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

namespace nxt::ctl {
namespace {

constexpr uint64_t kNow = 1'700'000'000'000;  // unix ms

wire::ArtifactInfo Artifact(const std::string& product, uint32_t major, uint32_t minor) {
  wire::ArtifactInfo a;
  a.set_name("libfunctional");
  a.set_product(product);
  a.set_major(major);
  a.set_minor(minor);
  return a;
}

TEST(FormatDuration, PicksTheUnitAnOperatorReadsAtAGlance) {
  EXPECT_EQ(FormatDuration(850), "850ms");
  EXPECT_EQ(FormatDuration(4'200), "4.2s");
  EXPECT_EQ(FormatDuration(42'000), "42s");
  EXPECT_EQ(FormatDuration(185'000), "3m05s");
  EXPECT_EQ(FormatDuration((2 * 3600 + 7 * 60) * 1000ULL), "2h07m");
  EXPECT_EQ(FormatDuration((4 * 86400 + 3 * 3600) * 1000ULL), "4d03h");
}

TEST(FormatAgo, SaysHowLongAgoOrHowSoonInWholeSeconds) {
  EXPECT_EQ(FormatAgo(kNow - 3'400, kNow), "3s ago");
  EXPECT_EQ(FormatAgo(kNow - 125'000, kNow), "2m05s ago");
  EXPECT_EQ(FormatAgo(kNow + 40'000, kNow), "in 40s");
  EXPECT_EQ(FormatAgo(0, kNow), "never");
}

TEST(FormatSize, UsesBinaryUnitsWithOneDecimal) {
  EXPECT_EQ(FormatSize(512), "512 B");
  EXPECT_EQ(FormatSize(1536), "1.5 KiB");
  EXPECT_EQ(FormatSize(12'897'485), "12.3 MiB");
  EXPECT_EQ(FormatSize(2ULL << 30), "2.0 GiB");
}

TEST(FormatRate, IsMebibytesPerSecondAndDashBeforeAnyTimePassed) {
  EXPECT_EQ(FormatRate(10 << 20, 2'000), "5.0 MiB/s");
  EXPECT_EQ(FormatRate(1234, 0), "-");
}

TEST(FormatVersion, ShowsProductAndMajorMinor) {
  EXPECT_EQ(FormatVersion(Artifact("nxtgen", 8, 6)), "nxtgen 8.6");
  EXPECT_EQ(FormatVersion(Artifact("", 2, 0)), "libfunctional 2.0");
  EXPECT_EQ(FormatVersion(wire::ArtifactInfo()), "-");
}

TEST(ShortSha256, IsTheFirstTwelveHexDigits) {
  std::string digest(32, '\0');
  digest[0] = '\x1a';
  digest[1] = '\x2b';
  digest[5] = '\xff';
  EXPECT_EQ(ShortSha256(digest), "1a2b000000ff");
  EXPECT_EQ(ShortSha256(""), "");
}

TEST(ATable, AlignsColumnsToTheWidestCellWithoutTrailingSpaces) {
  Table table({"ID", "STATE", "NOTE"});
  table.AddRow({"host-a", "active", "ok"});
  table.AddRow({"b", "", "löng"});
  EXPECT_EQ(table.Render(),
            "ID      STATE   NOTE\n"
            "host-a  active  ok\n"
            "b       -       löng\n");
}

TEST(RenderClients, PrintsOneAlignedRowPerClient) {
  control::ClientList list;
  control::ClientInfo* a = list.add_clients();
  a->set_id("host-a");
  a->set_address("10.0.0.7:7601");
  a->set_platform("linux-amd64-gnu");
  *a->mutable_running() = Artifact("nxtgen", 8, 6);
  a->set_last_seen_unix_ms(kNow - 3'000);
  a->set_state("active");
  a->set_enrollment("approved");
  a->set_key_fingerprint("x25519:3f2a9c01d4b7e655");
  a->set_last_result("installed");
  a->set_lease_expires_unix_ms(kNow + 40'000);
  a->set_sync("current");
  control::ClientInfo* b = list.add_clients();
  b->set_id("db1");
  b->set_address("[fd00::2]:7601");
  b->set_platform("linux-arm64-gnu");
  *b->mutable_running() = Artifact("nxtgen", 5, 6);
  *b->mutable_staged() = Artifact("nxtgen", 8, 6);
  b->set_last_seen_unix_ms(kNow - 600'000);
  b->set_state("expired");
  b->set_enrollment("pending");  // enrollment decides what STATE says
  b->set_lease_expires_unix_ms(kNow - 540'000);
  b->set_sync("behind");
  *b->mutable_desired() = Artifact("nxtgen", 9, 0);
  EXPECT_EQ(RenderClients(list, kNow),
            "ID      ADDRESS         PLATFORM         VERSION                         DESIRED             STATE    LEASE      LAST SEEN   KEY                      LAST RESULT\n"
            "host-a  10.0.0.7:7601   linux-amd64-gnu  nxtgen 8.6                      current             active   in 40s     3s ago      x25519:3f2a9c01d4b7e655  installed\n"
            "db1     [fd00::2]:7601  linux-arm64-gnu  nxtgen 5.6 (staged nxtgen 8.6)  behind: nxtgen 9.0  pending  9m00s ago  10m00s ago  -                        -\n");
}

TEST(RenderClients, SaysSoWhenThereAreNone) {
  EXPECT_EQ(RenderClients(control::ClientList(), kNow), "no clients\n");
}

TEST(RenderStatus, ShowsServerCountsAsAlignedKeyValueLines) {
  control::Status s;
  s.set_daemon("nxt-serverd");
  s.set_version("0.1.0");
  s.set_uptime_ms(185'000);
  s.add_listen("0.0.0.0:7600");
  s.add_listen("[::]:7600");
  s.set_clients_active(3);
  s.set_clients_expired(1);
  s.set_transfers_active(2);
  control::Counter* c = s.add_counters();
  c->set_name("datagrams_in");
  c->set_value(1234);
  c = s.add_counters();
  c->set_name("malformed");
  c->set_value(0);
  EXPECT_EQ(RenderStatus(s, kNow),
            "daemon:    nxt-serverd\n"
            "version:   0.1.0\n"
            "uptime:    3m05s\n"
            "listen:    0.0.0.0:7600, [::]:7600\n"
            "clients:   3 active, 1 expired\n"
            "transfers: 2 active\n"
            "counters:\n"
            "  datagrams_in: 1234\n"
            "  malformed:    0\n");
}

TEST(RenderStatus, ShowsWhatAClientRunsWhereFromAndWhatIsStaged) {
  control::Status s;
  s.set_daemon("nxt-clientd");
  s.set_version("0.1.0");
  s.set_uptime_ms(42'000);
  s.set_client_id("host-a");
  s.set_server("10.0.0.1:7600");
  s.set_registered(true);
  s.set_lease_expires_unix_ms(kNow + 40'000);
  *s.mutable_running() = Artifact("nxtgen", 8, 6);
  s.mutable_running()->set_sha256(std::string(32, '\xab'));
  s.set_running_path("/var/lib/nxt/client/store/abab.so");
  s.set_running_source("current");
  EXPECT_EQ(RenderStatus(s, kNow),
            "daemon:        nxt-clientd\n"
            "version:       0.1.0\n"
            "uptime:        42s\n"
            "listen:        -\n"
            "client id:     host-a\n"
            "server:        10.0.0.1:7600\n"
            "registered:    yes\n"
            "lease expires: in 40s\n"
            "running:       nxtgen 8.6  sha256 abababababab  /var/lib/nxt/client/store/abab.so  (current)\n"
            "staged:        none\n");
}

TEST(RenderCommands, ListsOneCommandPerLine) {
  control::CommandList list;
  list.add_commands("status-get");
  list.add_commands("clients-list");
  EXPECT_EQ(RenderCommands(list), "status-get\nclients-list\n");
}

TEST(JsonLine, IsOneSnakeCaseObjectWithDefaultsThatParsesBack) {
  control::Response response;
  response.set_id(7);
  response.set_final(true);
  response.mutable_status()->set_daemon("nxt-serverd");
  response.mutable_status()->set_uptime_ms(5);
  Result<std::string> line = JsonLine(response);
  ASSERT_TRUE(line.ok());
  ASSERT_FALSE(line->empty());
  EXPECT_EQ(line->back(), '\n');
  EXPECT_EQ(line->find('\n'), line->size() - 1) << "exactly one line";
  EXPECT_NE(line->find("\"code\":\"RESULT_OK\""), std::string::npos) << *line;
  EXPECT_NE(line->find("\"uptime_ms\":\"5\""), std::string::npos) << *line;
  control::Response parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(*line, &parsed).ok());
  EXPECT_EQ(parsed.SerializeAsString(), response.SerializeAsString());
}

}  // namespace
}  // namespace nxt::ctl
