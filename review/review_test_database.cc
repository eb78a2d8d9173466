// The review tests' databases on both back ends.
#include "review/review_test_database.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "postgres/postgres_connection.h"
#include "review/audit_chain.h"
#include "review/postgres_audit_chain.h"
#include "review/postgres_review_store.h"
#include "review/sqlite_review_store.h"
#include "sqlite/sqlite_connection.h"
#include "testing/postgres_server.h"
#include "testing/sqlite_query.h"

namespace clearmatch {

std::string ReviewBackendName(
    const ::testing::TestParamInfo<ReviewBackend>& info) {
  return info.param == ReviewBackend::kSqlite ? "Sqlite" : "Postgres";
}

ReviewTestDatabase::ReviewTestDatabase(ReviewBackend backend)
    : backend_(backend) {
  if (backend_ == ReviewBackend::kSqlite) {
    location_ = dir_.File("review.sqlite");
    return;
  }
  absl::StatusOr<std::string> url =
      ::clearmatch::testing::PostgresServer::Shared().CreateDatabase();
  EXPECT_TRUE(url.ok()) << url.status();
  if (url.ok()) location_ = *std::move(url);
}

absl::StatusOr<std::unique_ptr<ReviewStore>> ReviewTestDatabase::Open() const {
  if (backend_ == ReviewBackend::kSqlite) {
    SqliteReviewStore::Options options;
    options.path = location_;
    CM_ASSIGN_OR_RETURN(std::unique_ptr<SqliteReviewStore> store,
                        SqliteReviewStore::Create(options));
    return std::unique_ptr<ReviewStore>(std::move(store));
  }
  PostgresReviewStore::Options options;
  options.connection.url = location_;
  CM_ASSIGN_OR_RETURN(std::unique_ptr<PostgresReviewStore> store,
                      PostgresReviewStore::Create(options));
  return std::unique_ptr<ReviewStore>(std::move(store));
}

absl::StatusOr<int64_t> ReviewTestDatabase::VerifyAudit() const {
  if (backend_ == ReviewBackend::kSqlite) return VerifyAuditChain(location_);
  PostgresConnection::Options options;
  options.url = location_;
  return VerifyPostgresAuditChain(options);
}

absl::Status ReviewTestDatabase::Exec(const std::string& sql) const {
  if (backend_ == ReviewBackend::kSqlite) {
    SqliteConnection::Options options;
    options.path = location_;
    CM_ASSIGN_OR_RETURN(SqliteConnection db, SqliteConnection::Open(options));
    return db.Exec(sql);
  }
  PostgresConnection::Options options;
  options.url = location_;
  CM_ASSIGN_OR_RETURN(PostgresConnection db, PostgresConnection::Open(options));
  return db.Exec(sql);
}

std::vector<std::string> ReviewTestDatabase::Column(
    const std::string& sql) const {
  if (backend_ == ReviewBackend::kSqlite) {
    return ::clearmatch::testing::QueryColumn(location_, sql);
  }
  PostgresConnection::Options options;
  options.url = location_;
  absl::StatusOr<PostgresConnection> db = PostgresConnection::Open(options);
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return {};
  absl::StatusOr<PostgresResult> rows = db->Query(sql);
  EXPECT_TRUE(rows.ok()) << rows.status();
  if (!rows.ok()) return {};
  std::vector<std::string> column;
  for (int i = 0; i < rows->rows(); ++i) column.push_back(rows->Text(i, 0));
  return column;
}

std::string ReviewTestDatabase::DropAppendOnlyGuard(
    const std::string& table) const {
  if (backend_ == ReviewBackend::kPostgres) {
    return absl::StrCat("DROP TRIGGER ", table, "_append_only ON ", table, ";");
  }
  const std::string guard = table == "audit" ? "audit_no" : "decisions_no";
  return absl::StrCat("DROP TRIGGER ", guard, "_update; DROP TRIGGER ", guard,
                      "_delete;");
}

}  // namespace clearmatch
