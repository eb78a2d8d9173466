// Reading libpq results.
#include "postgres/postgres_result.h"

#include <libpq-fe.h>

#include <cstdlib>

namespace clearmatch {

void PostgresResult::Clearer::operator()(pg_result* result) const {
  PQclear(result);
}

bool PostgresResult::succeeded() const {
  if (result_ == nullptr) return false;
  const ExecStatusType status = PQresultStatus(result_.get());
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

const char* PostgresResult::sqlstate() const {
  if (result_ == nullptr) return nullptr;
  return PQresultErrorField(result_.get(), PG_DIAG_SQLSTATE);
}

int PostgresResult::rows() const {
  return result_ == nullptr ? 0 : PQntuples(result_.get());
}

int64_t PostgresResult::affected() const {
  if (result_ == nullptr) return 0;
  return std::strtoll(PQcmdTuples(result_.get()), nullptr, 10);
}

bool PostgresResult::IsNull(int row, int column) const {
  return PQgetisnull(result_.get(), row, column) != 0;
}

std::string PostgresResult::Text(int row, int column) const {
  return std::string(PQgetvalue(result_.get(), row, column),
                     PQgetlength(result_.get(), row, column));
}

int64_t PostgresResult::Int(int row, int column) const {
  return std::strtoll(PQgetvalue(result_.get(), row, column), nullptr, 10);
}

std::string PostgresResult::Bytes(int row, int column) const {
  size_t length = 0;
  unsigned char* bytes =
      PQunescapeBytea(reinterpret_cast<const unsigned char*>(
                          PQgetvalue(result_.get(), row, column)),
                      &length);
  if (bytes == nullptr) return "";
  std::string out(reinterpret_cast<const char*>(bytes), length);
  PQfreemem(bytes);
  return out;
}

}  // namespace clearmatch
