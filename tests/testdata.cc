#include "tests/testdata.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
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
  if (!in) throw std::runtime_error("cannot read test file " + path);
  return std::vector<unsigned char>(std::istreambuf_iterator<char>(in), {});
}

std::string ReadTextFile(const std::string& path) {
  const std::vector<unsigned char> bytes = ReadFileBytes(path);
  return std::string(bytes.begin(), bytes.end());
}

std::string ReferencePdqHash(std::string_view file) {
  const std::string csv = TestdataPath("pdq/reference_hashes.csv");
  std::istringstream in(ReadTextFile(csv));
  std::string line;
  while (std::getline(in, line)) {
    // hash,quality,file
    const size_t first = line.find(','), last = line.rfind(',');
    if (first != std::string::npos && line.substr(last + 1) == file) {
      return line.substr(0, first);
    }
  }
  throw std::runtime_error(csv + " has no hash of " + std::string(file));
}

std::string Md5sumOfFile(const std::string& path) {
  FILE* pipe = popen(("md5sum '" + path + "' 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run md5sum");
  char buffer[33] = {};
  const size_t n = std::fread(buffer, 1, 32, pipe);
  const int status = pclose(pipe);
  if (n != 32 || status != 0) {
    throw std::runtime_error("md5sum cannot read " + path);
  }
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
