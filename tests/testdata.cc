#include "tests/testdata.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace clearmatch::testing {

std::string TestdataPath(std::string_view relative) {
  const char* root = std::getenv("CLEARMATCH_TESTDATA");
  std::string path = root != nullptr ? root : CLEARMATCH_TESTDATA_DIR;
  path += '/';
  path += relative;
  return path;
}

std::vector<unsigned char> ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read test file %s\n", path.c_str());
    std::abort();
  }
  return std::vector<unsigned char>(std::istreambuf_iterator<char>(in), {});
}

std::string BinaryPath(std::string_view relative) {
  const char* root = std::getenv("CLEARMATCH_BINARY_DIR");
  std::string path = root != nullptr ? root : CLEARMATCH_BINARY_DIR_DEFAULT;
  path += '/';
  path += relative;
  return path;
}

}  // namespace clearmatch::testing
