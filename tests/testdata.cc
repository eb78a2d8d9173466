#include "tests/testdata.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

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

std::string ReferencePdqHash(std::string_view file) {
  std::ifstream in(TestdataPath("pdq/reference_hashes.csv"));
  std::string line;
  while (std::getline(in, line)) {
    // hash,quality,file
    const size_t first = line.find(','), last = line.rfind(',');
    if (first != std::string::npos && line.substr(last + 1) == file) {
      return line.substr(0, first);
    }
  }
  return "";
}

std::string Md5sumOfFile(const std::string& path) {
  FILE* pipe = popen(("md5sum '" + path + "'").c_str(), "r");
  if (pipe == nullptr) return "";
  char buffer[33] = {};
  const size_t n = std::fread(buffer, 1, 32, pipe);
  pclose(pipe);
  return std::string(buffer, n);
}

std::string BinaryPath(std::string_view relative) {
  const char* root = std::getenv("CLEARMATCH_BINARY_DIR");
  std::string path = root != nullptr ? root : CLEARMATCH_BINARY_DIR_DEFAULT;
  path += '/';
  path += relative;
  return path;
}

}  // namespace clearmatch::testing
