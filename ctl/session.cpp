#include "ctl/session.h"

#include <utility>

#include "control/client.h"

namespace nxt::ctl {
namespace {

class ControlSession final : public Session {
 public:
  explicit ControlSession(control::ControlClient client) : client_(std::move(client)) {}

  nxt::Status Send(const control::Request& request, int pass_fd) override {
    nxt::Status sent = client_.Send(request, pass_fd);
    if (sent.ok()) return sent;
    // A daemon that refuses the peer (not root, not in group nxt) answers
    // once and hangs up, so our send can fail first: show its answer.
    auto refusal = client_.Receive(200);
    if (refusal.ok() && refusal->code() != control::RESULT_OK && !refusal->text().empty())
      return nxt::Error(Errc::kPermission, refusal->text());
    return sent;
  }
  Result<control::Response> Receive(int timeout_ms) override { return client_.Receive(timeout_ms); }

 private:
  control::ControlClient client_;
};

}  // namespace

Connector SocketConnector() {
  return [](const std::string& socket_path) -> Result<std::unique_ptr<Session>> {
    NXT_ASSIGN(control::ControlClient client, control::ControlClient::Connect(socket_path));
    return std::unique_ptr<Session>(std::make_unique<ControlSession>(std::move(client)));
  };
}

}  // namespace nxt::ctl
