#include "control/connection.h"
#include "control/server.h"

namespace nxt::control {

Response MakeResponse(ResultCode code, std::string text, bool final) {
  Response r;
  r.set_code(code);
  r.set_text(std::move(text));
  r.set_final(final);
  return r;
}

Replier::Replier(std::weak_ptr<detail::Connection> connection, uint64_t request_id)
    : connection_(std::move(connection)), request_id_(request_id) {}

Replier::~Replier() {
  if (!finished_)
    (void)Finish(RESULT_ERROR, "internal error: the daemon dropped this request without a reply");
}

bool Replier::Send(Response response) {
  if (finished_) return false;
  std::shared_ptr<detail::Connection> connection = connection_.lock();
  if (!connection || connection->closed()) return false;
  response.set_id(request_id_);
  if (response.final()) finished_ = true;
  return connection->Enqueue(response);
}

bool Replier::Finish(ResultCode code, std::string text) { return Send(MakeResponse(code, std::move(text))); }

bool Replier::closed() const {
  std::shared_ptr<detail::Connection> connection = connection_.lock();
  return !connection || connection->closed();
}

}  // namespace nxt::control
