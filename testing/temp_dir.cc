#include "testing/temp_dir.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

#include "testing/testdata.h"

namespace clearmatch::testing {

TempDir::TempDir(std::string_view prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = base != nullptr && *base != '\0' ? base : "/tmp";
  pattern += '/';
  pattern += prefix;
  pattern += "-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("cannot create a temporary directory " + pattern);
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::File(std::string_view name) const {
  std::string path = path_;
  path += '/';
  path += name;
  return path;
}

std::string TempDir::Write(std::string_view name,
                           std::string_view bytes) const {
  const std::string path = File(name);
  WriteFile(path, bytes);
  return path;
}

}  // namespace clearmatch::testing
