// Locates the reference data (tests/testdata, part of the repository) and the
// build tree, and reads and writes whole files, for tests and benchmarks.
//
// Every helper that reads or writes a file throws std::runtime_error naming
// the file when it is missing, unreadable or cannot be written: GoogleTest
// reports that test as failed with the message and goes on with the others; a
// benchmark stops with it.
#ifndef CLEARMATCH_TESTING_TESTDATA_H_
#define CLEARMATCH_TESTING_TESTDATA_H_

#include <string>
#include <string_view>
#include <vector>

namespace clearmatch::testing {

// Absolute path of `relative` under the test data root: $CLEARMATCH_TESTDATA
// if set, else the repository's tests/testdata.
std::string TestdataPath(std::string_view relative);

// Whole file as bytes; throws if it cannot be read.
std::vector<unsigned char> ReadFileBytes(const std::string& path);

// Whole file as text, e.g. for std::istringstream; throws if it cannot be
// read.
std::string ReadTextFile(const std::string& path);

// Creates or replaces `path` with `bytes`; throws if it cannot be written.
void WriteFile(const std::string& path, std::string_view bytes);

// The reference tool's PDQ hash (64 hex digits) of pdq/<file>, from
// pdq/reference_hashes.csv; throws if the CSV cannot be read or does not
// list the file.
std::string ReferencePdqHash(std::string_view file);

// Digests of a file as the system's md5sum, sha1sum and sha256sum print
// them (lower-case hex): oracles independent of the project's own digest
// code. Throw if the tool cannot read the file.
std::string Md5sumOfFile(const std::string& path);
std::string Sha1sumOfFile(const std::string& path);
std::string Sha256sumOfFile(const std::string& path);

// Path of a built binary (e.g. "cli/clearmatch") under the build tree.
std::string BinaryPath(std::string_view relative);

}  // namespace clearmatch::testing

#endif  // CLEARMATCH_TESTING_TESTDATA_H_
