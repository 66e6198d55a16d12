#include "ctl/context.h"

#include <cmath>
#include <ostream>

#include "ctl/render.h"

namespace nxt::ctl {
namespace {

constexpr int kDefaultReplyTimeoutMs = 10'000;  // a status reply is instant unless the daemon hangs

int ToMs(double seconds) {
  if (seconds <= 0) return -1;  // --timeout 0: wait forever
  return static_cast<int>(std::min(std::ceil(seconds * 1000.0), 2'000'000'000.0));
}

}  // namespace

int Context::ReplyTimeoutMs() const {
  return options_.timeout_s < 0 ? kDefaultReplyTimeoutMs : ToMs(options_.timeout_s);
}

int Context::StreamTimeoutMs() const { return options_.timeout_s < 0 ? -1 : ToMs(options_.timeout_s); }

int Context::Fail(const std::string& message) const {
  env_.err << "nxtctl: " << message << "\n";
  return kExitFailure;
}

Result<std::unique_ptr<Session>> Context::Open(const control::Request& request, int pass_fd) const {
  NXT_ASSIGN(std::unique_ptr<Session> session, env_.connect(options_.socket));
  NXT_TRY(session->Send(request, pass_fd));
  return session;
}

bool Context::Show(const control::Response& response) const {
  if (options_.json) {
    Result<std::string> line = JsonLine(response);
    if (line.ok()) {
      env_.out << *line << std::flush;  // scripts read streamed lines as they come
    } else {
      Fail(line.error().message());
    }
  }
  if (response.code() == control::RESULT_OK) return true;
  std::string text = response.text().empty() ? control::ResultCode_Name(response.code()) : response.text();
  Fail(text);
  return false;
}

int Context::Call(const control::Request& request, const Render& render) const {
  Result<std::unique_ptr<Session>> session = Open(request);
  if (!session.ok()) return Fail(session.error().message());
  Result<control::Response> response = (*session)->Receive(ReplyTimeoutMs());
  if (!response.ok()) return Fail(response.error().message());
  if (!Show(*response)) return kExitFailure;
  if (!options_.json) env_.out << render(*response);
  return kExitOk;
}

}  // namespace nxt::ctl
