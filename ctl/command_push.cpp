// nxtctl push FILE: open the build here (so the daemon never needs to read
// the operator's paths), pass the fd with the Push request, follow the
// streamed progress and end with a per-host result table. The exit status
// says whether every host got the build.
#include <fcntl.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <memory>
#include <ostream>

#include "base/unique_fd.h"
#include "artifact/release.h"
#include "ctl/commands.h"
#include "ctl/release.h"
#include "ctl/release_parts.h"
#include "ctl/deb_push.h"
#include "ctl/push_view.h"
#include "ctl/render.h"

namespace nxt::ctl {
namespace {

struct PushArgs {
  std::vector<std::string> files;  // one FILE, or FILE[@PLATFORM]... with --release
  std::string release;             // NAME[:MAJOR.MINOR] of a multi-platform release
  std::vector<std::string> to;
  bool later = false;
  bool no_progress = false;
  bool encrypt = false;
  std::string group, wave, max_failures;
  ReleaseArgs release_args;
};

struct OpenedFile {
  UniqueFd fd;
  std::string absolute_path;
};

// Fails with one line naming the file, before anything is sent.
Result<OpenedFile> OpenArtifact(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return ErrnoError("cannot open " + path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoError("cannot stat " + path);
  if (!S_ISREG(st.st_mode)) return Error(Errc::kInvalidArgument, "cannot push " + path + ": not a regular file");
  if (st.st_size == 0) return Error(Errc::kInvalidArgument, "cannot push " + path + ": file is empty");
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  if (ec) return Error(Errc::kIo, "cannot resolve " + path + ": " + ec.message());
  return OpenedFile{std::move(fd), absolute.lexically_normal().string()};
}

control::Request PushRequest(const PushArgs& args, const std::string& absolute_path) {
  control::Request request;
  request.set_id(1);
  control::Push* push = request.mutable_push();
  push->set_path(absolute_path);
  for (const auto& id : args.to) push->add_to(id);
  push->set_activation(args.later ? wire::ACTIVATION_LATER : wire::ACTIVATION_IMMEDIATE);
  push->set_encrypt(args.encrypt);
  push->set_group(args.group);
  push->set_wave(args.wave);
  push->set_max_failures(args.max_failures);
  return request;
}

// A bundle carries its signed manifest; a plain file says what it is so the
// server can sign it with its publisher key.
Status DescribePush(const PushArgs& args, const OpenedFile& file, control::Push* push, std::ostream& err) {
  NXT_ASSIGN(auto bundle, artifact::ReadBundleHeader(file.fd.get()));
  if (bundle) {
    push->set_signed_manifest(bundle->signed_manifest);
    push->set_payload_offset(bundle->payload_offset);
    return Ok();
  }
  NXT_ASSIGN(bool deb, DescribeDebPush(file.fd.get(), file.absolute_path, push));
  if (deb) return Ok();
  auto described = DescribeRelease(file.absolute_path, args.release_args);
  if (!described.ok()) {
    // Still pushed: the hosts run the same checks and refuse it with a reason
    // each, which is what an operator testing a build wants to see.
    err << "nxtctl: warning: " << described.error().message() << "; pushing it without a version\n";
    return Ok();
  }
  const wire::ArtifactInfo& info = *described;
  push->set_product(info.product());
  push->set_major(info.major());
  push->set_minor(info.minor());
  push->set_downgrade(args.release_args.downgrade);
  push->set_expires_days(args.release_args.expires_days);
  return Ok();
}

PushView::Mode ViewMode(const Context& ctx, const PushArgs& args) {
  if (ctx.options().json || args.no_progress) return PushView::Mode::kQuiet;
  return ctx.env().out_is_tty ? PushView::Mode::kBars : PushView::Mode::kStateChanges;
}

// The request and the descriptor that goes with it: the file itself, or the
// parts of a multi-platform release back to back (ctl/release_parts.h).
Result<std::pair<control::Request, UniqueFd>> PreparePush(const PushArgs& args, std::ostream& err) {
  if (IsPlatformRelease(args.files, args.release)) {
    control::Request request = PushRequest(args, "");
    NXT_ASSIGN(UniqueFd parts, BuildReleaseParts(args.files, args.release, args.release_args, request.mutable_push()));
    return std::pair{std::move(request), std::move(parts)};
  }
  NXT_ASSIGN(OpenedFile file, OpenArtifact(args.files.at(0)));
  control::Request request = PushRequest(args, file.absolute_path);
  NXT_TRY(DescribePush(args, file, request.mutable_push(), err));
  return std::pair{std::move(request), std::move(file.fd)};
}

int Push(Context& ctx, const PushArgs& args) {
  auto prepared = PreparePush(args, ctx.env().err);
  if (!prepared.ok()) return ctx.Fail(prepared.error().message());
  auto& [request, fd] = *prepared;
  Result<std::unique_ptr<Session>> session = ctx.Open(request, fd.get());
  if (!session.ok()) return ctx.Fail(session.error().message());

  std::ostream& out = ctx.env().out;
  PushView view(ViewMode(ctx, args), ctx.env().columns);
  control::PushProgress last;
  for (bool final = false; !final;) {
    Result<control::Response> response = (*session)->Receive(ctx.StreamTimeoutMs());
    if (!response.ok()) return ctx.Fail("push interrupted: " + response.error().message());
    // A final reply that carries progress is the push's verdict, even when
    // some hosts failed: show the per-host table rather than only the error.
    bool verdict_reply = response->final() && response->has_progress();
    if (!verdict_reply && !ctx.Show(*response)) return kExitFailure;
    if (verdict_reply && ctx.options().json) (void)ctx.Show(*response);
    if (response->final() && response->has_rollouts()) {  // --wave: the rollout goes on in the server
      if (!ctx.options().json) out << response->text() << "\n" << RenderRollouts(response->rollouts(), ctx.env().now_unix_ms());
      return kExitOk;
    }
    if (response->has_progress()) {
      last = response->progress();
      out << view.Update(last) << std::flush;
    }
    final = response->final();
  }
  PushVerdict verdict = JudgePush(last, args.later);
  if (!ctx.options().json) {
    out << RenderPushSummary(last, args.later);
  } else if (verdict.exit_code != kExitOk) {
    ctx.Fail(VerdictLine(verdict, args.later));
  }
  return verdict.exit_code;
}

}  // namespace

Action DefinePush(CLI::App& sub) {
  auto args = std::make_shared<PushArgs>();
  // No CLI11 ExistingFile check: a missing file is a failure (exit 1) with
  // our own wording, not a usage error.
  sub.add_option("FILE", args->files,
                 "Plug-in library (.so), or a bundle from nxtctl sign, to push; with --release, one FILE[@PLATFORM] "
                 "per platform")
      ->required()
      ->type_name("");
  sub.add_option("--release", args->release,
                 "Push FILEs as one release NAME[:MAJOR.MINOR] with one artifact per platform; each host gets its "
                 "own, hosts of other platforms are skipped")
      ->type_name("NAME:VERSION");
  sub.add_option("--to", args->to, "Client id to push to; repeat or comma-separate (default: every registered client)")
      ->type_name("ID")
      ->allow_extra_args(false)
      ->delimiter(',');
  sub.add_option("--group", args->group, "Push to this group's hosts (nxtctl groups)")->type_name("NAME");
  sub.add_option("--wave", args->wave,
                 "Roll out wave by wave: hosts per wave as a count or a share (\"10%\"); returns at once, "
                 "follow with nxtctl rollout status")
      ->type_name("N|P%");
  sub.add_option("--max-failures", args->max_failures,
                 "Failures per wave (count or share of the wave) that halt a --wave rollout (default 0)")
      ->type_name("N|P%");
  sub.add_flag("--later", args->later, "Stage only; hosts activate on command (success = staged)");
  sub.add_flag("--no-progress", args->no_progress, "Print only the final result table");
  sub.add_flag("--encrypt", args->encrypt,
               "Encrypt the payload once and wrap its key to each target host's identity: only they can read it");
  AddReleaseFlags(sub, args->release_args);
  return [args](Context& ctx) { return Push(ctx, *args); };
}

}  // namespace nxt::ctl
