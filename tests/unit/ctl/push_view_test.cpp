#include "ctl/push_view.h"

#include <gtest/gtest.h>

namespace nxt::ctl {
namespace {

control::PushProgress Progress(std::vector<std::pair<std::string, control::TargetState>> hosts) {
  control::PushProgress p;
  for (const auto& [id, state] : hosts) {
    control::TargetProgress* t = p.add_targets();
    t->set_client_id(id);
    t->set_state(state);
    t->set_bytes_total(100);
    t->set_bytes_done(state == control::TARGET_TRANSFERRING ? 40 : 0);
  }
  return p;
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

TEST(APushViewOnATerminal, DrawsOneClearedLinePerHost) {
  PushView view(PushView::Mode::kBars, 100);
  std::string out = view.Update(Progress({{"a", control::TARGET_OFFERED}, {"b", control::TARGET_PENDING}}));
  EXPECT_EQ(out.rfind("\r\x1b[2K", 0), 0u) << "no cursor movement before the first draw";
  EXPECT_EQ(Count(out, "\r\x1b[2K"), 2u);
  EXPECT_EQ(Count(out, "\n"), 2u);
}

TEST(APushViewOnATerminal, RedrawsInPlaceByMovingUpOverItsLines) {
  PushView view(PushView::Mode::kBars, 100);
  (void)view.Update(Progress({{"a", control::TARGET_OFFERED}, {"b", control::TARGET_PENDING}}));
  std::string out = view.Update(Progress({{"a", control::TARGET_TRANSFERRING}, {"b", control::TARGET_OFFERED}}));
  EXPECT_EQ(out.rfind("\x1b[2A", 0), 0u) << "starts by moving up two lines";
  EXPECT_NE(out.find("[############------------------]   40%"), std::string::npos) << out;
}

TEST(APushViewOnATerminal, CutsLinesShortOfTheTerminalWidthSoTheyNeverWrap) {
  PushView view(PushView::Mode::kBars, 40);
  control::PushProgress p = Progress({{"a-very-long-host-name.example.org", control::TARGET_FAILED}});
  p.mutable_targets(0)->set_reason("a long reason that would certainly wrap");
  std::string out = view.Update(p);
  std::string line = out.substr(5, out.find('\n') - 5);  // after "\r\x1b[2K"
  EXPECT_EQ(line.size(), 39u);
}

TEST(APushViewOffATerminal, PrintsALineOnlyWhenAHostChangesState) {
  PushView view(PushView::Mode::kStateChanges, 80);
  EXPECT_EQ(view.Update(Progress({{"a", control::TARGET_PENDING}, {"b", control::TARGET_OFFERED}})),
            "b: offered\n");
  EXPECT_EQ(view.Update(Progress({{"a", control::TARGET_PENDING}, {"b", control::TARGET_OFFERED}})), "");
  EXPECT_EQ(view.Update(Progress({{"a", control::TARGET_TRANSFERRING}, {"b", control::TARGET_OFFERED}})),
            "a: transferring\n");
}

TEST(AQuietPushView, PrintsNothing) {
  PushView view(PushView::Mode::kQuiet, 80);
  EXPECT_EQ(view.Update(Progress({{"a", control::TARGET_INSTALLED}})), "");
}

}  // namespace
}  // namespace nxt::ctl
