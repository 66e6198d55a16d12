#include "server/registry.h"

#include <algorithm>

#include "crypto/digest.h"
#include "crypto/key_text.h"

namespace nxt::server {

Status Registry::Load() {
  NXT_ASSIGN(auto records, db_.LoadClients());
  for (ClientRecord& r : records) {
    RegisteredClient c;
    auto addr = net::Address::Parse(r.address);
    if (addr.ok()) c.address = *addr;
    c.record = std::move(r);
    std::string id = c.record.id;
    clients_[id] = std::move(c);
  }
  return Ok();
}

Result<HelloResult> Registry::OnHello(const wire::Hello& hello, const net::Address& from, const std::string& key) {
  if (hello.client_id().empty()) return Error(Errc::kInvalidArgument, "hello without a client id");
  HelloResult result;
  auto it = clients_.find(hello.client_id());
  if (it == clients_.end()) {
    result.first_time = true;
    it = clients_.emplace(hello.client_id(), RegisteredClient{}).first;
    it->second.record.id = hello.client_id();
  } else {
    result.new_instance = it->second.record.instance != hello.instance();
    result.moved = !(it->second.address == from);
    result.returned = !IsActive(it->second);
    result.was_running = it->second.record.running;
    result.running_changed = it->second.record.running.sha256() != hello.running().sha256();
  }
  RegisteredClient& c = it->second;
  bool listed = std::find(policy_.approved_keys.begin(), policy_.approved_keys.end(), key) != policy_.approved_keys.end();
  if (result.first_time || c.record.key != key) {
    // A new host, or a known id with another key (reinstalled, or someone
    // else claiming the name): approval decides, never the name alone.
    result.new_key = !result.first_time;
    c.record.key = key;
    c.record.enrollment = policy_.auto_approve || listed ? wire::ENROLLMENT_APPROVED : wire::ENROLLMENT_PENDING;
  } else if (c.record.enrollment == wire::ENROLLMENT_PENDING && (policy_.auto_approve || listed)) {
    c.record.enrollment = wire::ENROLLMENT_APPROVED;  // the policy changed since (reload)
  }
  result.enrollment = c.record.enrollment;
  uint64_t now = clock_.UnixMs();
  c.address = from;
  c.record.address = from.ToString();
  c.record.platform = hello.platform();
  c.record.running = hello.running();
  c.record.staged = hello.staged();
  c.previous = hello.previous();
  c.running_source = hello.running_source();
  c.plugin_loaded_ms = hello.plugin_loaded_unix_ms();
  c.record.instance = hello.instance();
  c.record.last_seen_ms = now;
  c.record.lease_expires_ms = now + lease_ms_;
  c.lease_deadline_us = clock_.NowUs() + TimeUs{lease_ms_} * kUsPerMs;
  // Every renewal moves the lease, so it is persisted: one small WAL write
  // per client per lease/3.
  NXT_TRY(db_.SaveClient(c.record));
  return result;
}

Status Registry::SetEnrollment(const std::string& id, wire::Enrollment e) {
  auto it = clients_.find(id);
  if (it == clients_.end()) return Error(Errc::kNotFound, "unknown client id: " + id);
  it->second.record.enrollment = e;
  return db_.SaveClient(it->second.record);
}

void Registry::RecordResult(const std::string& id, const std::string& result, const wire::ArtifactInfo* running) {
  auto it = clients_.find(id);
  if (it == clients_.end()) return;
  it->second.record.last_result = result;
  if (running && !running->product().empty()) it->second.record.running = *running;
  (void)db_.SaveClient(it->second.record);
}

void Registry::RecordReport(const std::string& id, const wire::Report& report) {
  auto it = clients_.find(id);
  if (it == clients_.end()) return;
  it->second.record.running = report.running();
  it->second.record.staged = report.staged();
  it->second.previous = report.previous();
  it->second.plugin_loaded_ms = report.plugin_loaded_unix_ms();
  (void)db_.SaveClient(it->second.record);
}

const RegisteredClient* Registry::Find(const std::string& id) const {
  auto it = clients_.find(id);
  return it == clients_.end() ? nullptr : &it->second;
}

std::vector<const RegisteredClient*> Registry::All() const {
  std::vector<const RegisteredClient*> out;
  for (const auto& [id, c] : clients_) out.push_back(&c);
  return out;
}

control::ClientInfo Registry::Describe(const RegisteredClient& c) const {
  control::ClientInfo info;
  info.set_id(c.record.id);
  info.set_address(c.record.address);
  info.set_platform(c.record.platform);
  *info.mutable_running() = c.record.running;
  *info.mutable_staged() = c.record.staged;
  info.set_last_seen_unix_ms(c.record.last_seen_ms);
  info.set_lease_expires_unix_ms(c.record.lease_expires_ms);
  // Enrollment first: a pending or revoked host gets nothing, whatever its lease says.
  static constexpr const char* kState[] = {"", "pending", "revoked"};
  info.set_state(c.record.enrollment != wire::ENROLLMENT_APPROVED ? kState[c.record.enrollment]
                 : IsActive(c)                                   ? "active"
                                                                 : "expired");
  *info.mutable_previous() = c.previous;
  info.set_plugin_loaded_unix_ms(c.plugin_loaded_ms);
  info.set_last_result(c.record.last_result);
  if (c.record.key.size() == crypto::kRawKeySize)
    info.set_key_fingerprint(crypto::Fingerprint(crypto::KeyType::kX25519, crypto::AsBytes(c.record.key)));
  static constexpr const char* kEnrollment[] = {"approved", "pending", "revoked"};
  info.set_enrollment(kEnrollment[c.record.enrollment]);
  return info;
}

}  // namespace nxt::server
