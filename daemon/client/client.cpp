#include "client/client.h"

#include <signal.h>

#include <cstdio>

#include <google/protobuf/stubs/logging.h>
#include <random>

#include "control/group.h"
#include "control/unix_socket.h"
#include "crypto/key_text.h"
#include "plugin/elf.h"
#include "sys/atomic_file.h"
#include "wire/codec.h"

namespace nxt::client {
namespace {
constexpr size_t kRecvBatch = 64;
constexpr sys::MessageId kMsgStarted("7c1e5a3b9d2f4e60a8b7c6d5e4f3a230");
constexpr sys::MessageId kMsgNoServer("7c1e5a3b9d2f4e60a8b7c6d5e4f3a231");
constexpr sys::MessageId kMsgReloaded("7c1e5a3b9d2f4e60a8b7c6d5e4f3a232");
constexpr sys::MessageId kMsgReloadFailed("7c1e5a3b9d2f4e60a8b7c6d5e4f3a233");

control::Response Reply(control::ResultCode code, std::string text) {
  control::Response r;
  r.set_code(code);
  r.set_text(std::move(text));
  r.set_final(true);
  return r;
}
}  // namespace

Result<std::unique_ptr<Client>> Client::Create(ClientOptions o, sys::ConfigSource source, sys::Logger& log,
                                               sys::Notifier& notifier) {
  for (const char* sub : {"", "/store", "/staging"}) NXT_TRY(sys::EnsureDir(o.state_dir + sub, 0750));
  NXT_ASSIGN(net::Address local, net::Address::Parse(o.listen));
  net::EndpointOptions eo;
  eo.max_datagram_bytes = 65536;
  eo.receive_buffer_bytes = 16 << 20;  // a full window in flight must fit: loss only when we fall behind
  // GRO: the kernel hands over up to 64 KiB of same-size datagrams per slot,
  // so a transfer costs one recvmmsg per ~1000 chunks instead of per 64.
  eo.gro = true;
  // [::]:0 is dual-stack and reaches IPv4 servers too; fall back to IPv4
  // only where the host has IPv6 disabled.
  auto udp = net::UdpEndpoint::Bind(local, eo);
  if (!udp.ok() && local.is_ipv6()) udp = net::UdpEndpoint::Bind(net::Address::Ipv4Any(local.port()), eo);
  if (!udp.ok()) return std::move(udp).error().WithContext("bind " + o.listen);
  NXT_ASSIGN(auto loop, sys::EventLoop::Create());
  NXT_ASSIGN(secure::Identity identity, secure::LoadOrCreateIdentity(o.state_dir));
  if (identity.created) log.Info("created identity " + identity.fingerprint + " in " + o.state_dir + "/identity");
  std::unique_ptr<Client> c(new Client(std::move(o), std::move(source), log, notifier, std::move(loop),
                                       std::move(udp).value(), std::move(identity)));
  NXT_TRY(c->Start());
  return c;
}

Client::Client(ClientOptions options, sys::ConfigSource source, sys::Logger& log, sys::Notifier& notifier,
               std::unique_ptr<sys::EventLoop> loop, net::UdpEndpoint udp, secure::Identity identity)
    : opt_(std::move(options)), source_(std::move(source)), log_(log), notifier_(notifier), loop_(std::move(loop)),
      udp_(std::move(udp)), identity_(std::move(identity)), instance_(std::random_device{}() | (uint64_t{std::random_device{}()} << 32)),
      started_(clock_.NowUs()),
      plugins_(opt_.state_dir, opt_.default_plugin,
               plugin::LoadOptions{true, static_cast<int>(opt_.selftest_timeout_ms)}, log_, clock_),
      packages_(opt_.state_dir, log_),
      activation_(*loop_, clock_, log_, opt_.state_dir, plugins_, floor_, [this] {
        if (session_) session_->HelloNow();
      }),
      transfers_(*loop_, [this](const wire::Datagram& d) {
        if (session_) session_->Send(d);
      }, clock_, log_, opt_.state_dir, plugins_, policy_, floor_, identity_.keys, activation_, [this] {
        if (session_) session_->HelloNow();
      }),
      readable_(*loop_, udp_.fd(), sys::Io::kRead, [this] { OnReadable(); }),
      status_timer_(*loop_, [this] { UpdateStatus(); }) {}

void Client::ApplyLimits(const ClientOptions& o) {
  TransferLimits l;
  l.deadline = TimeUs{o.transfer_timeout_seconds} * kUsPerSec;
  l.min_rate = o.min_transfer_rate;
  l.rate_window = TimeUs{o.rate_window_seconds} * kUsPerSec;
  l.staging_quota = uint64_t{o.staging_quota_mb} << 20;
  transfers_.set_limits(l);
  packages_.Configure(o.packages, o.package_root);
  packages_.set_keepalive([this] { notifier_.Watchdog(); });
  transfers_.set_packages(&packages_);
  activation_.set_packages(&packages_);
}

void Client::ApplyTrust(const ClientOptions& o) {
  artifact::TrustPolicy p;
  p.require_signature = o.require_signature;
  for (const std::string& text : o.trusted_publishers) {
    auto raw = crypto::ParseKey(crypto::KeyType::kEd25519, crypto::KeyPart::kPublic, text);
    if (!raw.ok()) continue;  // validated when the file was loaded
    if (auto key = crypto::Ed25519PublicKey::FromBytes(*raw); key.ok()) p.trusted.push_back(*key);
  }
  if (p.require_signature && p.trusted.empty())
    log_.Warning("require_signature is on but no trusted_publishers are configured: every release will be refused");
  policy_ = std::move(p);
}

Status Client::Start() {
  plugins_.Start();
  ApplyTrust(opt_);
  ApplyLimits(opt_);
  wire::ArtifactInfo running = plugins_.Running();
  NXT_ASSIGN(floor_, RollbackFloor::Load(opt_.state_dir, {running.major(), running.minor()}));
  NXT_ASSIGN(ActivationPolicy activation, ParseActivationPolicy(opt_.activation));
  activation_.Start(activation);
  NXT_TRY(readable_.Start());
  control::ControlServerOptions co;
  co.policy = control::RootSelfOrGroup(opt_.control_group);
  control_ = std::make_unique<control::ControlServer>(
      *loop_, log_, [this](control::Request req, UniqueFd, std::shared_ptr<control::Replier> r) {
        OnControl(std::move(req), std::move(r));
      }, co);
  NXT_TRY(control_->Listen(opt_.control_socket, 0660, control::ControlGroupOrNone(opt_.control_group, log_)));
  for (int sig : {SIGTERM, SIGINT}) {
    signals_.push_back(std::make_unique<sys::SignalWatch>(*loop_, sig, [this] {
      notifier_.Stopping();
      log_.Info("stopping");
      loop_->Stop();
    }));
    NXT_TRY(signals_.back()->Start());
  }
  signals_.push_back(std::make_unique<sys::SignalWatch>(*loop_, SIGHUP, [this] { Reload(); }));
  NXT_TRY(signals_.back()->Start());
  signal(SIGPIPE, SIG_IGN);
  watchdog_ = std::make_unique<sys::WatchdogPinger>(*loop_, notifier_);
  watchdog_->Start();
  log_.Info(kMsgStarted, "nxt-clientd " NXT_VERSION " as " + opt_.id + " on " + udp_.local_address().ToString(),
            {{"NXT_CLIENT", opt_.id}});
  NXT_TRY(UseServer(opt_.server, opt_.server_key));
  UpdateStatus();
  notifier_.Ready();
  return Ok();
}

Status Client::UseServer(const std::string& server, const std::string& server_key) {
  if (server.empty()) {
    session_.reset();
    server_ = net::Address();
    log_.Notice(kMsgNoServer, "no server configured: set 'server' in " + source_.path +
                                  " and reload (systemctl reload nxt-clientd); serving the loaded plug-in meanwhile");
    return Ok();
  }
  NXT_ASSIGN(net::Address addr, net::Address::Parse(server));
  SessionKeysConfig keys{&identity_.keys, std::nullopt, {}};
  std::string pin_path = opt_.state_dir + "/server.pub";
  if (!server_key.empty()) {
    auto key = secure::ParsePublicKey(server_key);
    if (!key.ok()) return std::move(key).error().WithContext("server_key");
    keys.pinned = *key;
  } else {
    // Trust on first use, remembered per server address.
    auto text = sys::ReadFile(pin_path, 4096);
    std::string prefix = addr.ToString() + " ";
    if (text.ok() && text->rfind(prefix, 0) == 0) {
      auto key = secure::ParsePublicKey(text->substr(prefix.size()));
      if (key.ok()) keys.pinned = *key;
    }
    keys.pin = [this, pin_path, prefix](const crypto::X25519PublicKey& k) {
      std::string line = prefix + crypto::FormatKey(crypto::KeyType::kX25519, crypto::KeyPart::kPublic, k.Bytes()) + "\n";
      Status st = sys::WriteFileAtomic(pin_path, std::string_view(line), 0644);
      if (!st.ok()) log_.Warning("cannot remember the server key: " + st.error().message());
    };
  }
  server_ = addr;
  session_ = std::make_unique<Session>(*loop_, udp_, clock_, log_, server_, std::move(keys),
                                       [this] { return MakeHello(); });
  log_.Info("server is " + server_.ToString() + (server_key.empty() ? " (key: trust on first use)" : ""),
            {{"NXT_SERVER", server_.ToString()}});
  session_->Start();
  return Ok();
}

void Client::Reload() {
  notifier_.Reloading(clock_.NowUs());
  auto loaded = LoadClientOptions(source_);
  if (!loaded.ok()) {
    log_.Error(kMsgReloadFailed, "reload refused, keeping the running configuration: " + loaded.error().message(),
               {{"NXT_CONFIG", source_.path}});
    notifier_.Ready();
    return;
  }
  ClientOptions& o = *loaded;
  std::string restart;
  if (o.id != opt_.id) restart += " id";
  if (o.listen != opt_.listen) restart += " listen";
  if (o.state_dir != opt_.state_dir) restart += " state_dir";
  if (o.control_socket != opt_.control_socket || o.control_group != opt_.control_group) restart += " control_socket";
  if (o.default_plugin != opt_.default_plugin) restart += " default_plugin";
  if (!restart.empty()) log_.Notice("changed keys that take effect after a restart:" + restart);
  if (o.server != opt_.server || o.server_key != opt_.server_key) {
    Status st = UseServer(o.server, o.server_key);
    if (!st.ok()) {
      log_.Error("cannot use server '" + o.server + "': " + st.error().message());
    } else {
      opt_.server = o.server;
      opt_.server_key = o.server_key;
    }
  }
  opt_.selftest_timeout_ms = o.selftest_timeout_ms;
  opt_.trusted_publishers = o.trusted_publishers;
  opt_.require_signature = o.require_signature;
  ApplyTrust(opt_);
  opt_.transfer_timeout_seconds = o.transfer_timeout_seconds;
  opt_.min_transfer_rate = o.min_transfer_rate;
  opt_.rate_window_seconds = o.rate_window_seconds;
  opt_.staging_quota_mb = o.staging_quota_mb;
  opt_.packages = o.packages;
  opt_.package_root = o.package_root;
  ApplyLimits(opt_);
  plugins_.set_options(plugin::LoadOptions{true, static_cast<int>(o.selftest_timeout_ms)});
  // A window that opens now activates the staged release at once.
  if (auto activation = ParseActivationPolicy(o.activation); activation.ok()) {
    opt_.activation = o.activation;
    activation_.set_policy(*activation);
  }
  opt_.log_level = o.log_level;
  log_.set_threshold(sys::ParseLogLevel(o.log_level).value_or(sys::LogLevel::kInfo));
  log_.Info(kMsgReloaded, "configuration reloaded from " + source_.path, {{"NXT_CONFIG", source_.path}});
  UpdateStatus();
  notifier_.Ready();
}

wire::Hello Client::MakeHello() const {
  wire::Hello h;
  h.set_client_id(opt_.id);
  h.set_platform(plugin::HostPlatform());
  *h.mutable_running() = plugins_.Running();
  h.set_instance(instance_);
  h.set_agent_version(NXT_VERSION);
  h.set_plugin_loaded_unix_ms(plugins_.loaded_at_unix_ms());
  *h.mutable_staged() = activation_.staged();
  *h.mutable_previous() = plugins_.Previous();
  h.set_running_source(plugins_.source());
  return h;
}

void Client::OnReadable() {
  for (int rounds = 0; rounds < 16; ++rounds) {
    auto n = udp_.ReceiveBatch(rx_batch_, kRecvBatch);
    if (!n.ok() || *n == 0) break;
    for (const net::ReceivedDatagram& r : rx_batch_) OnDatagram(r);
    transfers_.EndOfBatch();
  }
}

void Client::OnDatagram(const net::ReceivedDatagram& r) {
  if (!session_ || !(r.from == server_)) {  // only our server may talk to us
    ++foreign_;
    return;
  }
  // Hot path: a sealed datagram's header read by hand, the ciphertext opened
  // in place, one protobuf parse (the inner datagram) instead of two.
  if (auto view = r.truncated ? std::nullopt : secure::ParseSealed(r.data)) {
    if (!session_->Open(*view, &inner_)) {
      ++unauthenticated_;
      return;
    }
    counters_.CountReceived();
    Dispatch(r.from, inner_);
    return;
  }
  wire::DropReason why{};
  if (r.truncated || !wire::DecodeDatagramInto(r.data, 65000, &outer_, &why).ok()) {
    counters_.CountDrop(r.truncated ? wire::DropReason::kTooLarge : why);
    return;
  }
  if (outer_.has_handshake_response()) {
    counters_.CountReceived();
    session_->OnHandshakeResponse(outer_.handshake_response());
    return;
  }
  // Everything else must be sealed in our session: a spoofed, replayed or
  // corrupted datagram is counted and never acted on.
  if (outer_.sealed().empty() || !session_->Open(outer_, &inner_)) {
    ++unauthenticated_;
    return;
  }
  counters_.CountReceived();
  Dispatch(r.from, inner_);
}

void Client::Dispatch(const net::Address& from, const wire::Datagram& inner) {
  if (inner.has_welcome()) return session_->OnWelcome(inner.welcome());
  if (auto report = activation_.OnRequest(inner)) return session_->Send(*report);
  transfers_.OnDatagram(from, inner);
}

void Client::HandleLocalFleet(const control::Request& req, control::Replier& r) {
  auto done = req.has_activate() ? activation_.ActivateStaged("requested on this host")
                                 : activation_.Rollback("requested on this host");
  control::Response resp = Reply(done.ok() ? control::RESULT_OK
                                           : done.error().code() == Errc::kNotFound ? control::RESULT_NOT_FOUND
                                                                                      : control::RESULT_ERROR,
                                 done.ok() ? *done : done.error().message());
  control::HostReport* h = resp.mutable_fleet()->add_hosts();
  h->set_client_id(opt_.id);
  *h->mutable_running() = plugins_.Running();
  *h->mutable_staged() = activation_.staged();
  *h->mutable_previous() = plugins_.Previous();
  h->set_result(resp.text());
  h->set_ok(done.ok());
  r.Send(std::move(resp));
}

void Client::UpdateStatus() {
  wire::ArtifactInfo run = plugins_.Running();
  notifier_.SetStatus("running " + run.product() + " " + std::to_string(run.major()) + "." + std::to_string(run.minor()) +
                      ", " + (!session_ ? "no server configured" : session_->registered() ? "registered" : "not registered") +
                      ", " + transfers_.Describe());
  status_timer_.Arm(5 * kUsPerSec);
}

void Client::OnControl(control::Request req, std::shared_ptr<control::Replier> r) {
  if (req.has_commands_list()) {
    control::Response resp = Reply(control::RESULT_OK, "");
    for (const char* c : {"status-get", "activate", "rollback", "commands-list"}) resp.mutable_commands()->add_commands(c);
    r->Send(std::move(resp));
    return;
  }
  if (req.has_activate() || req.has_rollback()) return HandleLocalFleet(req, *r);
  if (!req.has_status_get()) {
    r->Send(Reply(control::RESULT_UNSUPPORTED, "nxt-clientd does not support this command"));
    return;
  }
  control::Response resp = Reply(control::RESULT_OK, "");
  control::Status* s = resp.mutable_status();
  s->set_daemon("nxt-clientd");
  s->set_version(NXT_VERSION);
  s->set_uptime_ms((clock_.NowUs() - started_) / kUsPerMs);
  s->add_listen(udp_.local_address().ToString());
  s->set_client_id(opt_.id);
  s->set_server(session_ ? server_.ToString() : "");
  s->set_registered(session_ && session_->registered());
  s->set_lease_expires_unix_ms(session_ ? session_->lease_expires_unix_ms() : 0);
  s->set_identity(identity_.fingerprint);
  s->set_identity_public(identity_.public_text);
  if (session_) {
    static constexpr const char* kEnrollment[] = {"approved", "pending", "revoked"};
    s->set_enrollment(kEnrollment[session_->enrollment()]);
  }
  *s->mutable_running() = plugins_.Running();
  s->set_running_path(plugins_.path());
  s->set_running_source(plugins_.source());
  s->set_plugin_loaded_unix_ms(plugins_.loaded_at_unix_ms());
  *s->mutable_staged() = activation_.staged();
  *s->mutable_previous() = plugins_.Previous();
  s->set_activation(activation_.policy().ToString());
  s->set_last_activation(activation_.last());
  auto counter = [&](std::string name, uint64_t v) {
    control::Counter* c = s->add_counters();
    c->set_name(std::move(name));
    c->set_value(v);
  };
  counter("datagrams_received", counters_.received);
  for (size_t i = 0; i < wire::kDropReasonCount; ++i)
    counter("dropped_" + std::string(wire::DropReasonName(static_cast<wire::DropReason>(i))), counters_.dropped[i]);
  counter("dropped_foreign_source", foreign_);
  counter("dropped_unauthenticated", unauthenticated_);
  counter("handshakes_refused", session_ ? session_->rejected() : 0);
  const TransferCounters& t = transfers_.counters();
  counter("transfers", t.transfers);
  counter("installed", t.installed);
  counter("failed", t.failed);
  counter("corrupt_blocks", t.corrupt_blocks);
  counter("malformed_chunks", t.malformed_chunks);
  r->Send(std::move(resp));
}

int Main(int argc, char** argv) {
  // libprotobuf logs every string field with bad UTF-8 it parses; anyone can
  // send those, so they must not reach the journal. Drops are counted instead.
  google::protobuf::SetLogHandler(nullptr);
  auto args = ParseClientArgs(argc, argv);
  if (!args.ok()) {
    std::fprintf(stderr, "nxt-clientd: %s\n", args.error().message().c_str());
    return 1;
  }
  if (args->exit_code >= 0) return args->exit_code;
  ClientOptions& o = args->options;
  sys::Logger log = sys::Logger::Create("nxt-clientd", sys::ParseLogTarget(o.log_target).value_or(sys::LogTarget::kAuto),
                                        sys::ParseLogLevel(o.log_level).value_or(sys::LogLevel::kInfo));
  sys::SystemdNotifier notifier;
  auto client = Client::Create(std::move(o), std::move(args->source), log, notifier);
  if (!client.ok()) {
    log.Error("cannot start: " + client.error().message());
    return 1;
  }
  Status st = (*client)->Run();
  if (!st.ok()) {
    log.Error("event loop failed: " + st.error().message());
    return 1;
  }
  return 0;
}

}  // namespace nxt::client
