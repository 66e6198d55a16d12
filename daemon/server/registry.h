// The client registry: who is registered, from where, running what, and
// whether their lease is current. In memory for the hot path, written
// through to StateDb so a restart forgets no one.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "net/address.h"
#include "nxt/control.pb.h"
#include "server/state_db.h"

namespace nxt::server {

struct RegisteredClient {
  ClientRecord record;
  net::Address address;
  // From the latest Hello only (not persisted: every renewal brings them again).
  wire::ArtifactInfo previous;
  std::string running_source;
  uint64_t plugin_loaded_ms = 0;
  // When the lease ends on the monotonic clock (Clock::NowUs); 0 until the
  // client renews with this server process. The wall-clock lease in the
  // record is for display and restarts: a clock set back or forth by a day
  // must not make every host look expired, or a dead one look alive.
  TimeUs lease_deadline_us = 0;
};

struct HelloResult {
  bool first_time = false;    // never seen before
  bool new_instance = false;  // seen before, but the daemon restarted since
  bool moved = false;         // source address changed
  bool new_key = false;       // known id, different identity key: approval needed again
  bool returned = false;      // its lease had expired: it was away
  bool running_changed = false;  // runs another build than it last said
  wire::ArtifactInfo was_running;
  wire::Enrollment enrollment = wire::ENROLLMENT_PENDING;
};

// Who is approved without an operator: everyone (auto_approve) or the keys
// listed in the configuration.
struct EnrollmentPolicy {
  bool auto_approve = false;
  std::vector<std::string> approved_keys;  // raw 32-byte keys
};

class Registry {
 public:
  Registry(StateDb& db, const Clock& clock, uint32_t lease_ms) : db_(db), clock_(clock), lease_ms_(lease_ms) {}

  Status Load();
  // A Hello arrived from `from`: register or renew.
  // `key` is the client's static key, proven by the session the Hello came in.
  Result<HelloResult> OnHello(const wire::Hello& hello, const net::Address& from, const std::string& key);
  Status SetEnrollment(const std::string& id, wire::Enrollment e);
  void set_policy(EnrollmentPolicy p) { policy_ = std::move(p); }
  void RecordResult(const std::string& id, const std::string& result, const wire::ArtifactInfo* running);
  // A host answered a live request (query, activate, rollback) with what it now runs and holds.
  void RecordReport(const std::string& id, const wire::Report& report);

  const RegisteredClient* Find(const std::string& id) const;
  std::vector<const RegisteredClient*> All() const;
  bool IsActive(const RegisteredClient& c) const {
    return c.lease_deadline_us ? clock_.NowUs() < c.lease_deadline_us : clock_.UnixMs() < c.record.lease_expires_ms;
  }
  bool IsApproved(const RegisteredClient& c) const { return c.record.enrollment == wire::ENROLLMENT_APPROVED; }
  control::ClientInfo Describe(const RegisteredClient& c) const;
  uint32_t lease_ms() const { return lease_ms_; }
  void set_lease_ms(uint32_t ms) { lease_ms_ = ms; }

 private:
  StateDb& db_;
  const Clock& clock_;
  uint32_t lease_ms_;
  EnrollmentPolicy policy_;
  std::map<std::string, RegisteredClient> clients_;
};

}  // namespace nxt::server
