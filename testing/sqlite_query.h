// QueryColumn: what a test reads straight from a SQLite file, to check what
// a store wrote without going through the store.
//
//   EXPECT_THAT(QueryColumn(path, "SELECT key FROM allowlist"),
//               ElementsAre("pdq:..."));
#ifndef CLEARMATCH_TESTING_SQLITE_QUERY_H_
#define CLEARMATCH_TESTING_SQLITE_QUERY_H_

#include <string>
#include <vector>

namespace clearmatch::testing {

// The first column of every row `sql` returns from the file at `path`
// (NULL as "NULL"). Throws std::runtime_error naming SQLite's error.
std::vector<std::string> QueryColumn(const std::string& path,
                                     const std::string& sql);

}  // namespace clearmatch::testing

#endif  // CLEARMATCH_TESTING_SQLITE_QUERY_H_
