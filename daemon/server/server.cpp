#include "server/server.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>

#include <google/protobuf/stubs/logging.h>
#include <random>

#include "control/group.h"
#include "control/unix_socket.h"
#include "artifact/release.h"
#include "crypto/digest.h"
#include "crypto/key_file.h"
#include "crypto/key_text.h"
#include "plugin/elf.h"
#include "sys/atomic_file.h"
#include "wire/codec.h"

namespace nxt::server {
namespace {
constexpr sys::MessageId kMsgStarted("2f6d1c0a8b3e4f5a9c7b6d5e4f3a2b10");
constexpr sys::MessageId kMsgRegistered("2f6d1c0a8b3e4f5a9c7b6d5e4f3a2b11");
constexpr sys::MessageId kMsgReloaded("2f6d1c0a8b3e4f5a9c7b6d5e4f3a2b13");
constexpr sys::MessageId kMsgReloadFailed("2f6d1c0a8b3e4f5a9c7b6d5e4f3a2b14");
constexpr size_t kRecvBatch = 64;

uint64_t RandomInstance() {
  std::random_device rd;
  return (uint64_t{rd()} << 32) ^ rd();
}
}  // namespace

Result<std::unique_ptr<Server>> Server::Create(ServerOptions options, sys::ConfigSource source, sys::Logger& log,
                                               sys::Notifier& notifier) {
  NXT_TRY(sys::EnsureDir(options.state_dir, 0750));
  NXT_ASSIGN(auto loop, sys::EventLoop::Create());
  NXT_ASSIGN(StateDb db, StateDb::Open(options.state_dir + "/state.db"));
  NXT_ASSIGN(secure::Identity identity, secure::LoadOrCreateIdentity(options.state_dir));
  std::optional<crypto::Ed25519KeyPair> publisher;
  if (!options.publisher_key.empty()) {
    auto raw = crypto::ReadPrivateKeyFile(options.publisher_key, crypto::KeyType::kEd25519);
    if (!raw.ok()) return std::move(raw).error().WithContext("publisher_key");
    NXT_ASSIGN(auto kp, crypto::Ed25519KeyPair::FromPrivateBytes(*raw));
    log.Info("signing releases as " + crypto::Fingerprint(crypto::KeyType::kEd25519, kp.PublicKeyBytes()));
    publisher.emplace(std::move(kp));
  }
  if (identity.created)
    log.Info("created identity " + identity.fingerprint + "; clients pin " + options.state_dir + "/identity.pub");
  std::unique_ptr<Server> s(new Server(std::move(options), std::move(source), log, notifier, std::move(loop),
                                       std::move(db), std::move(identity)));
  s->publisher_ = std::move(publisher);
  NXT_TRY(s->Start());
  return s;
}

Server::Server(ServerOptions options, sys::ConfigSource source, sys::Logger& log, sys::Notifier& notifier,
               std::unique_ptr<sys::EventLoop> loop, StateDb db, secure::Identity identity)
    : opt_(std::move(options)), source_(std::move(source)), log_(log), notifier_(notifier), loop_(std::move(loop)),
      db_(std::move(db)), fleet_db_(db_.db()), desired_(fleet_db_), identity_(std::move(identity)), peers_(identity_.keys, clock_),
      registry_(db_, clock_, opt_.lease_seconds * 1000), store_(opt_.state_dir + "/artifacts"),
      status_timer_(*loop_, [this] { UpdateStatus(); }), instance_(RandomInstance()), started_(clock_.NowUs()) {}

Server::~Server() = default;

Status Server::BindEndpoints() {
  net::EndpointOptions eo;
  eo.max_datagram_bytes = 65536;  // accept anything, the decoder enforces the configured bound
  for (const std::string& text : opt_.listen) {
    NXT_ASSIGN(net::Address addr, net::Address::Parse(text));
    auto ep = net::UdpEndpoint::Bind(addr, eo);
    if (!ep.ok()) return std::move(ep).error().WithContext("listen " + text);
    endpoints_.push_back(std::make_unique<net::UdpEndpoint>(std::move(ep).value()));
    size_t index = endpoints_.size() - 1;
    auto watch = std::make_unique<sys::IoWatch>(*loop_, endpoints_.back()->fd(), sys::Io::kRead,
                                                [this, index] { OnReadable(index); });
    NXT_TRY(watch->Start());
    watches_.push_back(std::move(watch));
  }
  return Ok();
}

Status Server::StartControl() {
  control::ControlServerOptions co;
  co.policy = control::RootSelfOrGroup(opt_.control_group);
  control_ = std::make_unique<control::ControlServer>(
      *loop_, log_, [this](control::Request req, UniqueFd fd, std::shared_ptr<control::Replier> r) {
        OnControl(std::move(req), std::move(fd), std::move(r));
      }, co);
  auto activated = control::TakeSystemdListenFd();
  if (activated.ok() && activated->valid()) return control_->Adopt(std::move(activated).value());
  return control_->Listen(opt_.control_socket, 0660, control::ControlGroupOrNone(opt_.control_group, log_));
}

Status Server::Start() {
  NXT_TRY(store_.Prepare());
  NXT_TRY(registry_.Load());
  NXT_TRY(desired_.Load());
  requests_ = std::make_unique<HostRequests>(*loop_, clock_, peers_);
  NXT_TRY(BindEndpoints());
  PushOptions po;
  po.max_datagram = opt_.max_datagram;
  po.max_rate = opt_.max_rate_mbit * 1e6 / 8;
  // A host renews at lease/3 and re-handshakes after two unanswered Hellos:
  // give it a whole lease (and then some) to come back.
  po.host_wait = (static_cast<TimeUs>(opt_.lease_seconds) + 30) * kUsPerSec;
  ApplyPolicy();
  engine_ = std::make_unique<PushEngine>(*loop_, clock_, log_, peers_, po,
                                         [this](Deployment& d, const control::TargetProgress& t) { OnTargetChanged(d, t); });
  NXT_TRY(StartControl());
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
  ResumeUnfinished();
  ResumeRollouts();
  std::string listen;
  for (const auto& ep : endpoints_) listen += (listen.empty() ? "" : " ") + ep->local_address().ToString();
  log_.Info(kMsgStarted, "nxt-serverd " NXT_VERSION " listening on " + listen + ", " +
                             std::to_string(registry_.All().size()) + " known clients",
            {{"NXT_LISTEN", listen}});
  UpdateStatus();
  notifier_.Ready();
  return Ok();
}

Status Server::Run() { return loop_->Run(); }

void Server::UpdateStatus() {
  peers_.ExpireIdle();
  size_t active = 0;
  for (const RegisteredClient* c : registry_.All()) active += registry_.IsActive(*c);
  notifier_.SetStatus(std::to_string(active) + " clients, " + std::to_string(engine_->active()) + " transfers");
  status_timer_.Arm(5 * kUsPerSec);
}

void Server::Reload() {
  notifier_.Reloading(clock_.NowUs());
  auto loaded = LoadServerOptions(source_);
  if (!loaded.ok()) {
    log_.Error(kMsgReloadFailed, "reload refused, keeping the running configuration: " + loaded.error().message(),
               {{"NXT_CONFIG", source_.path}});
    notifier_.Ready();
    return;
  }
  ServerOptions& o = *loaded;
  std::string restart;
  if (o.listen != opt_.listen) restart += " listen";
  if (o.state_dir != opt_.state_dir) restart += " state_dir";
  if (o.control_socket != opt_.control_socket || o.control_group != opt_.control_group) restart += " control_socket";
  if (o.max_datagram != opt_.max_datagram) restart += " max_datagram";
  if (!restart.empty()) log_.Notice("changed keys that take effect after a restart:" + restart);
  opt_.lease_seconds = o.lease_seconds;
  registry_.set_lease_ms(o.lease_seconds * 1000);
  opt_.max_rate_mbit = o.max_rate_mbit;
  engine_->set_max_rate(o.max_rate_mbit * 1e6 / 8);
  opt_.log_level = o.log_level;
  log_.set_threshold(sys::ParseLogLevel(o.log_level).value_or(sys::LogLevel::kInfo));
  opt_.auto_approve = o.auto_approve;
  opt_.approved_keys = o.approved_keys;
  ApplyPolicy();
  log_.Info(kMsgReloaded, "configuration reloaded from " + source_.path, {{"NXT_CONFIG", source_.path}});
  notifier_.Ready();
}

void Server::OnReadable(size_t index) {
  net::UdpEndpoint& ep = *endpoints_[index];
  std::vector<net::ReceivedDatagram> batch;
  wire::Datagram d;
  for (int rounds = 0; rounds < 16; ++rounds) {  // bounded: timers and other sockets get their turn
    batch.clear();
    auto n = ep.ReceiveBatch(batch, kRecvBatch);
    if (!n.ok() || *n == 0) break;
    for (const net::ReceivedDatagram& r : batch) {
      // Hot path (acks): the sealed header read by hand, one protobuf parse.
      auto view = r.truncated || r.data.size() > opt_.max_datagram ? std::nullopt : secure::ParseSealed(r.data);
      if (view) {
        counters_.CountReceived();
        OnSealed(ep, r.from, *view);
        continue;
      }
      wire::DropReason why{};
      if (r.truncated || !wire::DecodeDatagramInto(r.data, opt_.max_datagram, &d, &why).ok()) {
        counters_.CountDrop(r.truncated ? wire::DropReason::kTooLarge : why);
        continue;
      }
      counters_.CountReceived();
      OnDatagram(ep, r.from, d);
    }
  }
}

void Server::OnDatagram(net::UdpEndpoint& udp, const net::Address& from, const wire::Datagram& d) {
  if (d.has_handshake_init()) {
    ++handshakes_;
    Status st = peers_.OnHandshake(udp, from, d.handshake_init());
    if (!st.ok()) log_.Debug("handshake from " + from.ToString() + " refused: " + st.error().message());
    return;
  }
  // Everything else must be sealed in a session: spoofed, replayed or
  // corrupted datagrams are counted and never acted on.
  if (d.sealed().empty()) {
    ++unauthenticated_;
    return;
  }
  OnSealed(udp, from, secure::SealedView{d.session(), d.seq(), crypto::AsBytes(d.sealed())});
}

void Server::OnSealed(net::UdpEndpoint& udp, const net::Address& from, const secure::SealedView& view) {
  Peer* peer = peers_.Open(udp, from, view, &inner_);
  if (!peer) {
    ++unauthenticated_;
    return;
  }
  if (inner_.has_hello()) return OnHello(*peer, inner_.hello());
  if (peer->client_id.empty()) return;  // no Hello in this session yet: nothing it says counts
  const RegisteredClient* c = registry_.Find(peer->client_id);
  if (!c || !registry_.IsApproved(*c)) {
    ++not_approved_;
    return;
  }
  if (inner_.has_report()) return requests_->OnReport(peer->client_id, inner_.report());
  engine_->OnDatagram(*peer, inner_);
}

void Server::ApplyPolicy() {
  EnrollmentPolicy p;
  p.auto_approve = opt_.auto_approve;
  for (const std::string& k : opt_.approved_keys)
    if (auto key = secure::ParsePublicKey(k); key.ok()) p.approved_keys.emplace_back(key->Bytes().begin(), key->Bytes().end());
  registry_.set_policy(std::move(p));
}

void Server::OnHello(Peer& peer, const wire::Hello& hello) {
  std::string key(peer.client_key.begin(), peer.client_key.end());
  auto result = registry_.OnHello(hello, peer.address, key);
  if (!result.ok()) {
    log_.Warning("registration from " + peer.address.ToString() + " refused: " + result.error().message());
    return;
  }
  peers_.Bind(peer, hello.client_id());
  wire::Datagram w;
  w.set_version(wire::PROTOCOL_VERSION_CURRENT);
  w.mutable_welcome()->set_lease_ms(registry_.lease_ms());
  w.mutable_welcome()->set_server_instance(instance_);
  w.mutable_welcome()->set_enrollment(result->enrollment);
  (void)peers_.Send(peer, w);
  std::string fp = crypto::Fingerprint(crypto::KeyType::kX25519, peer.client_key);
  if (result->first_time || result->new_instance || result->new_key) {
    const wire::ArtifactInfo& run = hello.running();
    std::string running = run.product().empty() ? "no plug-in"
                                                : run.product() + " " + std::to_string(run.major()) + "." +
                                                      std::to_string(run.minor());
    log_.Info(kMsgRegistered, "client " + hello.client_id() + " registered from " + peer.address.ToString() +
                                  " running " + running + ", key " + fp,
              {{"NXT_CLIENT", hello.client_id()}, {"NXT_ADDRESS", peer.address.ToString()},
               {"NXT_PLATFORM", hello.platform()}, {"NXT_KEY", fp}});
  }
  if (result->new_key)
    log_.Warning("client " + hello.client_id() + " presented a new key " + fp + "; it is " +
                 (result->enrollment == wire::ENROLLMENT_APPROVED ? "approved by policy" : "pending approval"));
  else if (result->first_time && result->enrollment == wire::ENROLLMENT_PENDING)
    log_.Notice("client " + hello.client_id() + " is pending approval (nxtctl clients approve " + hello.client_id() + ")");
  if (result->new_instance) engine_->OnHostRestarted(hello.client_id());
  engine_->OnHostReachable(hello.client_id());
  OnHelloFleet(hello, *result);
}

int Main(int argc, char** argv) {
  // libprotobuf logs every string field with bad UTF-8 it parses; anyone can
  // send those, so they must not reach the journal. Drops are counted instead.
  google::protobuf::SetLogHandler(nullptr);
  auto args = ParseServerArgs(argc, argv);
  if (!args.ok()) {
    std::fprintf(stderr, "nxt-serverd: %s\n", args.error().message().c_str());
    return 1;
  }
  if (args->exit_code >= 0) return args->exit_code;
  ServerOptions& o = args->options;
  sys::Logger log = sys::Logger::Create("nxt-serverd", sys::ParseLogTarget(o.log_target).value_or(sys::LogTarget::kAuto),
                                        sys::ParseLogLevel(o.log_level).value_or(sys::LogLevel::kInfo));
  sys::SystemdNotifier notifier;
  auto server = Server::Create(std::move(o), std::move(args->source), log, notifier);
  if (!server.ok()) {
    log.Error("cannot start: " + server.error().message());
    return 1;
  }
  Status st = (*server)->Run();
  if (!st.ok()) {
    log.Error("event loop failed: " + st.error().message());
    return 1;
  }
  return 0;
}

}  // namespace nxt::server
