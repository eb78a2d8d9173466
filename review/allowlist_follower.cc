// The allowlist follower's thread: LISTEN, reload, poll, reconnect.
#include "review/allowlist_follower.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "review/postgres_review_schema.h"

namespace clearmatch {

AllowlistFollower::AllowlistFollower(Options options,
                                     PostgresAllowlist& allowlist)
    : options_(std::move(options)),
      allowlist_(allowlist),
      stop_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      thread_([this] { Loop(); }) {}

AllowlistFollower::~AllowlistFollower() {
  Stop();
  if (stop_fd_ >= 0) close(stop_fd_);
}

void AllowlistFollower::Stop() {
  if (stopping_.exchange(true)) {
    if (thread_.joinable()) thread_.join();
    return;
  }
  const uint64_t one = 1;
  if (stop_fd_ >= 0 && write(stop_fd_, &one, sizeof(one)) < 0) {
    // The eventfd cannot be full: the thread sees stopping_ at its next wake.
  }
  if (thread_.joinable()) thread_.join();
}

void AllowlistFollower::Warn(absl::string_view message) const {
  if (options_.log_warning) options_.log_warning(message);
}

bool AllowlistFollower::Wait(int fd, absl::Duration timeout) {
  pollfd fds[2] = {{stop_fd_, POLLIN, 0}, {fd, POLLIN, 0}};
  const int count = fd >= 0 ? 2 : 1;
  const int millis = static_cast<int>(absl::ToInt64Milliseconds(timeout));
  if (poll(fds, count, millis) <= 0) return false;
  return count == 2 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

void AllowlistFollower::Loop() {
  bool was_down = false;
  while (!stopping_.load()) {
    absl::StatusOr<PostgresConnection> db =
        PostgresConnection::Open(options_.connection);
    absl::Status status = db.ok() ? Follow(*db) : db.status();
    if (stopping_.load()) return;
    if (!was_down) {
      Warn(
          absl::StrCat("review store: allowlist updates from the other "
                       "replicas paused, reconnecting: ",
                       status.message()));
    }
    was_down = true;
    Wait(-1, options_.retry_interval);
  }
}

absl::Status AllowlistFollower::Follow(PostgresConnection& db) {
  CM_RETURN_IF_ERROR(
      db.Exec(absl::StrCat("LISTEN ", review_internal::kAllowlistChannel)));
  // Changes made while we were not listening.
  CM_RETURN_IF_ERROR(allowlist_.Load(db));
  reloads_.fetch_add(1);
  absl::Time next_poll = absl::Now() + options_.poll_interval;
  while (!stopping_.load()) {
    const bool readable = Wait(
        db.socket(), std::max(absl::ZeroDuration(), next_poll - absl::Now()));
    if (stopping_.load()) break;
    bool reload = false;
    if (readable) {
      CM_ASSIGN_OR_RETURN(const std::vector<std::string> channels,
                          db.TakeNotifications());
      reload = !channels.empty();
    }
    if (absl::Now() >= next_poll) {
      next_poll = absl::Now() + options_.poll_interval;
      CM_ASSIGN_OR_RETURN(const int64_t version,
                          PostgresAllowlist::ReadVersion(db));
      reload = reload || version != allowlist_.version();
    }
    if (reload) {
      CM_RETURN_IF_ERROR(allowlist_.Load(db));
      reloads_.fetch_add(1);
    }
  }
  return absl::OkStatus();
}

}  // namespace clearmatch
