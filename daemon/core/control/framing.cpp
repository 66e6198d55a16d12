#include "control/framing.h"

namespace nxt::control {
namespace {

// Below this many consumed bytes the buffer is not compacted: moving a few
// bytes per frame would cost more than it saves.
constexpr size_t kCompactBytes = 64 * 1024;

std::string TooLarge(uint64_t size, size_t limit) {
  return "frame of " + std::to_string(size) + " bytes exceeds the limit of " +
         std::to_string(limit) + " bytes";
}

}  // namespace

nxt::Status AppendFrame(std::string& out, std::string_view payload, size_t max_frame_bytes) {
  if (payload.size() > max_frame_bytes || payload.size() > UINT32_MAX)
    return Error(Errc::kInvalidArgument, TooLarge(payload.size(), max_frame_bytes));
  auto n = static_cast<uint32_t>(payload.size());
  const char header[kFrameHeaderBytes] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                                          static_cast<char>(n >> 8), static_cast<char>(n)};
  out.append(header, sizeof header);
  out.append(payload);
  return Ok();
}

Result<std::string> EncodeFrame(const google::protobuf::MessageLite& message,
                                size_t max_frame_bytes) {
  std::string payload;
  if (!message.SerializeToString(&payload))
    return Error(Errc::kInvalidArgument, "cannot serialize " + message.GetTypeName());
  std::string frame;
  NXT_TRY(AppendFrame(frame, payload, max_frame_bytes));
  return frame;
}

void FrameDecoder::Feed(std::string_view bytes) {
  if (failed_) return;  // nothing after a bad header can be trusted
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ >= kCompactBytes) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(bytes);
}

Result<std::optional<std::string>> FrameDecoder::Pop() {
  if (failed_) return Error(Errc::kCorrupt, TooLarge(failed_length_, max_frame_bytes_));
  if (buffered() < kFrameHeaderBytes) return std::optional<std::string>();
  const auto* h = reinterpret_cast<const uint8_t*>(buf_.data() + pos_);
  uint32_t length = (uint32_t{h[0]} << 24) | (uint32_t{h[1]} << 16) | (uint32_t{h[2]} << 8) | h[3];
  if (length > max_frame_bytes_) {
    failed_ = true;
    failed_length_ = length;
    buf_.clear();
    pos_ = 0;
    return Error(Errc::kCorrupt, TooLarge(length, max_frame_bytes_));
  }
  if (buffered() - kFrameHeaderBytes < length) return std::optional<std::string>();
  std::string payload = buf_.substr(pos_ + kFrameHeaderBytes, length);
  pos_ += kFrameHeaderBytes + length;
  consumed_ += kFrameHeaderBytes + length;
  return std::optional<std::string>(std::move(payload));
}

Result<Request> ParseRequest(std::string_view payload) {
  Request request;
  if (!request.ParseFromArray(payload.data(), static_cast<int>(payload.size())))
    return Error(Errc::kCorrupt, "malformed request (" + std::to_string(payload.size()) + " bytes)");
  return request;
}

Result<Response> ParseResponse(std::string_view payload) {
  Response response;
  if (!response.ParseFromArray(payload.data(), static_cast<int>(payload.size())))
    return Error(Errc::kCorrupt,
                 "malformed response (" + std::to_string(payload.size()) + " bytes)");
  return response;
}

}  // namespace nxt::control
