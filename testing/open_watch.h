// OpenWatch: sees any open or read of a file after construction (inotify),
// for tests that prove a decoder never touched a file it was pointed at.
#ifndef CLEARMATCH_TESTING_OPEN_WATCH_H_
#define CLEARMATCH_TESTING_OPEN_WATCH_H_

#include <sys/inotify.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"

namespace clearmatch::testing {

class OpenWatch {
 public:
  explicit OpenWatch(const std::string& path)
      : fd_(inotify_init1(IN_NONBLOCK)) {
    EXPECT_GE(fd_, 0);
    EXPECT_GE(inotify_add_watch(fd_, path.c_str(), IN_OPEN | IN_ACCESS), 0);
  }
  ~OpenWatch() { close(fd_); }
  OpenWatch(const OpenWatch&) = delete;
  OpenWatch& operator=(const OpenWatch&) = delete;

  // True when the file was opened or read since construction.
  bool Touched() const {
    char buffer[4096];
    return read(fd_, buffer, sizeof(buffer)) > 0;
  }

 private:
  int fd_;
};

}  // namespace clearmatch::testing

#endif  // CLEARMATCH_TESTING_OPEN_WATCH_H_
