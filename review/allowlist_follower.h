// AllowlistFollower: keeps a replica's in-memory allowlist (a
// PostgresAllowlist) in step with the shared PostgreSQL database: a thread
// with a connection of its own LISTENs on kAllowlistChannel and reloads the
// set when another replica's change is notified (within milliseconds of
// its commit), and polls allowlist_version every `poll_interval` as a
// fallback (a notification is lost when the connection drops). While the
// database is unreachable the set stays as it was (Checks keep their
// allowlist) and the thread reconnects every `retry_interval`, reloading
// once it is back.
//
//   AllowlistFollower follower(options, allowlist);  // starts the thread
//   ...
//   follower.Stop();  // or the destructor
//
// Thread-safe. The allowlist must outlive the follower.
#ifndef CLEARMATCH_REVIEW_ALLOWLIST_FOLLOWER_H_
#define CLEARMATCH_REVIEW_ALLOWLIST_FOLLOWER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "postgres/postgres_connection.h"
#include "review/postgres_allowlist.h"

namespace clearmatch {

class AllowlistFollower {
 public:
  struct Options {
    PostgresConnection::Options connection;
    absl::Duration poll_interval = absl::Seconds(5);
    absl::Duration retry_interval = absl::Seconds(1);
    // Lost and regained connections; default: none.
    std::function<void(absl::string_view)> log_warning;
  };

  AllowlistFollower(Options options, PostgresAllowlist& allowlist);
  ~AllowlistFollower();  // Stop()
  AllowlistFollower(const AllowlistFollower&) = delete;
  AllowlistFollower& operator=(const AllowlistFollower&) = delete;

  // Ends the thread (at once, also while it waits for the database).
  void Stop();
  // Reloads the set from the database: how often (for tests and metrics).
  int64_t reloads() const { return reloads_.load(); }

 private:
  void Loop();
  // LISTENs and reloads on `db` until the connection fails or Stop.
  absl::Status Follow(PostgresConnection& db);
  // Waits until `fd` (-1: none) is readable, `timeout` passes or Stop;
  // true if `fd` is readable.
  bool Wait(int fd, absl::Duration timeout);
  void Warn(absl::string_view message) const;

  const Options options_;
  PostgresAllowlist& allowlist_;
  const int stop_fd_;  // an eventfd, written by Stop
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> reloads_{0};
  std::thread thread_;  // last: starts once the rest exists
};

}  // namespace clearmatch

#endif  // CLEARMATCH_REVIEW_ALLOWLIST_FOLLOWER_H_
