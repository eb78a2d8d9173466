// Reads a SQLite file for tests.
#include "testing/sqlite_query.h"

#include <sqlite3.h>

#include <stdexcept>

namespace clearmatch::testing {

std::vector<std::string> QueryColumn(const std::string& path,
                                     const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    const std::string message = sqlite3_errmsg(db);
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + path + ": " + message);
  }
  std::vector<std::string> rows;
  char* error = nullptr;
  const int rc = sqlite3_exec(
      db, sql.c_str(),
      [](void* out, int, char** values, char**) {
        static_cast<std::vector<std::string>*>(out)->push_back(
            values[0] == nullptr ? "NULL" : values[0]);
        return 0;
      },
      &rows, &error);
  const std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  if (rc != SQLITE_OK) throw std::runtime_error(sql + ": " + message);
  return rows;
}

}  // namespace clearmatch::testing
