// Locates the shared reference data (../shared/testdata beside the checkout)
// and the build tree, for tests and benchmarks.
#ifndef CLEARMATCH_TESTS_TESTDATA_H_
#define CLEARMATCH_TESTS_TESTDATA_H_

#include <string>
#include <string_view>
#include <vector>

namespace clearmatch::testing {

// Absolute path of `relative` under the test data root: $CLEARMATCH_TESTDATA
// if set, else the directory configured at build time.
std::string TestdataPath(std::string_view relative);

// Whole file as bytes; aborts the test binary with a message if unreadable.
std::vector<unsigned char> ReadFileBytes(const std::string& path);

// The reference tool's PDQ hash (64 hex digits) of pdq/<file>, from
// pdq/reference_hashes.csv; "" when the file is not listed.
std::string ReferencePdqHash(std::string_view file);

// Digests of a file as the system's md5sum, sha1sum and sha256sum print
// them (lower-case hex): oracles independent of the project's own digest
// code. "" if the tool cannot run.
std::string Md5sumOfFile(const std::string& path);
std::string Sha1sumOfFile(const std::string& path);
std::string Sha256sumOfFile(const std::string& path);

// Path of a built binary (e.g. "cli/clearmatch") under the build tree.
std::string BinaryPath(std::string_view relative);

}  // namespace clearmatch::testing

#endif  // CLEARMATCH_TESTS_TESTDATA_H_
