// PostgresResult: the rows of one statement (libpq's PGresult, text
// format), owned.
//
//   for (int row = 0; row < result.rows(); ++row) {
//     ids.push_back(result.Int(row, 0));
//   }
//
// Thread-compatible; read-only once made.
#ifndef CLEARMATCH_POSTGRES_POSTGRES_RESULT_H_
#define CLEARMATCH_POSTGRES_POSTGRES_RESULT_H_

#include <cstdint>
#include <memory>
#include <string>

struct pg_result;

namespace clearmatch {

class PostgresResult {
 public:
  explicit PostgresResult(pg_result* result) : result_(result) {}

  // Whether the statement succeeded (a null result: it did not).
  bool succeeded() const;
  // The statement's SQLSTATE; nullptr when there is none (no result, or
  // a connection error).
  const char* sqlstate() const;

  int rows() const;
  // Rows an INSERT, UPDATE or DELETE changed.
  int64_t affected() const;
  bool IsNull(int row, int column) const;
  std::string Text(int row, int column) const;
  // A bigint or integer column (0 for NULL or what does not parse).
  int64_t Int(int row, int column) const;
  // A bytea column's bytes.
  std::string Bytes(int row, int column) const;

 private:
  struct Clearer {
    void operator()(pg_result* result) const;
  };
  std::unique_ptr<pg_result, Clearer> result_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_POSTGRES_POSTGRES_RESULT_H_
