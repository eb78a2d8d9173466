#ifndef CLEARMATCH_HTTP_LISTENING_THREAD_H_
#define CLEARMATCH_HTTP_LISTENING_THREAD_H_

// Runs a bound httplib::Server's accept loop on a thread of its own and
// returns once the loop runs (or has ended: listen failed). Until the loop
// runs, httplib's stop() does nothing, so a stop right after the start would
// leave the loop running and the join waiting forever.

#include <httplib.h>

#include <atomic>
#include <memory>
#include <thread>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace clearmatch {

inline std::thread StartListeningThread(httplib::Server& http) {
  auto ended = std::make_shared<std::atomic<bool>>(false);
  std::thread thread([&http, ended] {
    http.listen_after_bind();
    ended->store(true);
  });
  while (!http.is_running() && !ended->load()) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  return thread;
}

}  // namespace clearmatch

#endif  // CLEARMATCH_HTTP_LISTENING_THREAD_H_
