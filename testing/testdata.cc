#include "testing/testdata.h"

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

void WriteFile(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw std::runtime_error("cannot write test file " + path);
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

namespace {

// The first `hex_digits` characters `tool 'path'` prints (its digest).
std::string DigestFromTool(const char* tool, const std::string& path,
                           size_t hex_digits) {
  FILE* pipe =
      popen((std::string(tool) + " '" + path + "' 2>/dev/null").c_str(), "r");
  if (pipe == nullptr)
    throw std::runtime_error(std::string("cannot run ") + tool);
  std::string output;
  char buffer[256];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    output.append(buffer, n);
  }
  if (pclose(pipe) != 0 || output.size() < hex_digits) {
    throw std::runtime_error(std::string(tool) + " cannot read " + path);
  }
  return output.substr(0, hex_digits);
}

}  // namespace

std::string Md5sumOfFile(const std::string& path) {
  return DigestFromTool("md5sum", path, 32);
}

std::string Sha1sumOfFile(const std::string& path) {
  return DigestFromTool("sha1sum", path, 40);
}

std::string Sha256sumOfFile(const std::string& path) {
  return DigestFromTool("sha256sum", path, 64);
}

std::string BinaryPath(std::string_view relative) {
  const char* root = std::getenv("CLEARMATCH_BINARY_DIR");
  std::string path = root != nullptr ? root : CLEARMATCH_BINARY_DIR_DEFAULT;
  path += '/';
  path += relative;
  return path;
}

}  // namespace clearmatch::testing
