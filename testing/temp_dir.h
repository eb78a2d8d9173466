// TempDir: a fresh directory of one test (or benchmark) under $TMPDIR (else
// /tmp), removed with everything in it when the TempDir goes out of scope.
// Each instance has a directory of its own, so tests that ctest runs as
// parallel processes never share one.
//
//   TempDir dir;
//   const std::string bank = dir.Write("bank.csv", "pdq,...\n");
//   options.path = dir.File("review.sqlite");
//
// Like the helpers of testdata.h, the constructor and Write throw
// std::runtime_error naming the path when the file system refuses.
// Thread-compatible.
#ifndef CLEARMATCH_TESTING_TEMP_DIR_H_
#define CLEARMATCH_TESTING_TEMP_DIR_H_

#include <string>
#include <string_view>

namespace clearmatch::testing {

class TempDir {
 public:
  // The directory's name starts with `prefix` (it tells whose files are
  // left behind after a crash).
  explicit TempDir(std::string_view prefix = "clearmatch-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Absolute path of the directory.
  const std::string& path() const { return path_; }
  // Path of `name` (a file or a subdirectory, not created) in the directory.
  std::string File(std::string_view name) const;
  // Writes `bytes` to File(name), replacing it, and returns that path.
  std::string Write(std::string_view name, std::string_view bytes) const;

 private:
  std::string path_;
};

}  // namespace clearmatch::testing

#endif  // CLEARMATCH_TESTING_TEMP_DIR_H_
