// Tests of PostgresConnection against a real throwaway server
// (testing/postgres_server.h), and of the URL redaction.
#include "postgres/postgres_connection.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "postgres/postgres_transaction.h"
#include "testing/postgres_server.h"

namespace clearmatch {
namespace {

using ::clearmatch::testing::PostgresServer;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(RedactDatabaseUrlTest, PasswordsNeverShow) {
  EXPECT_EQ(RedactDatabaseUrl("postgresql://alice:s3cret@db:5432/review"),
            "postgresql://alice:***@db:5432/review");
  EXPECT_EQ(RedactDatabaseUrl("postgresql://alice@db/review"),
            "postgresql://alice@db/review");
  EXPECT_EQ(RedactDatabaseUrl("postgresql://db/review?password=s3cret&x=1"),
            "postgresql://db/review?password=***&x=1");
  EXPECT_EQ(RedactDatabaseUrl("host=db password=s3cret dbname=review"),
            "host=db password=*** dbname=review");
  EXPECT_EQ(RedactDatabaseUrl("postgresql://a:b@c@db/review"),
            "postgresql://a:***@db/review");
}

TEST(PostgresConnectionTest, UnreachableServerIsUnavailableWithoutPassword) {
  PostgresConnection::Options options;
  options.url = "postgresql://alice:s3cret@/review?host=/nonexistent-dir";
  options.label = "review store";
  absl::StatusOr<PostgresConnection> db = PostgresConnection::Open(options);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(db.status().message(), HasSubstr("review store"));
  EXPECT_THAT(db.status().message(), Not(HasSubstr("s3cret")));
}

TEST(PostgresConnectionTest, MalformedUrlIsInvalidArgument) {
  PostgresConnection::Options options;
  options.url = "postgresql://alice:s3cret@db/review?nonsense=1";
  absl::StatusOr<PostgresConnection> db = PostgresConnection::Open(options);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(db.status().message(), Not(HasSubstr("s3cret")));
}

TEST(PostgresConnectionTest, ParametersResultsAndErrors) {
  absl::StatusOr<std::string> url = PostgresServer::Shared().CreateDatabase();
  ASSERT_TRUE(url.ok()) << url.status();
  PostgresConnection::Options options;
  options.url = *url;
  absl::StatusOr<PostgresConnection> db = PostgresConnection::Open(options);
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE(
      db->Exec("CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT, b BYTEA)")
          .ok());
  const std::string bytes("a\0\xff\x01z", 5);
  ASSERT_TRUE(db->Query("INSERT INTO t VALUES ($1::bigint, $2, $3)",
                        {int64_t{1} << 40, "it's", PostgresParam::Bytes(bytes)})
                  .ok());
  absl::StatusOr<PostgresResult> rows =
      db->Query("SELECT id, name, b, NULL FROM t WHERE id = $1::bigint",
                {int64_t{1} << 40});
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->rows(), 1);
  EXPECT_EQ(rows->Int(0, 0), int64_t{1} << 40);
  EXPECT_EQ(rows->Text(0, 1), "it's");
  EXPECT_EQ(rows->Bytes(0, 2), bytes);
  EXPECT_TRUE(rows->IsNull(0, 3));
  absl::StatusOr<PostgresResult> duplicate = db->Query(
      "INSERT INTO t VALUES ($1::bigint, 'x', NULL)", {int64_t{1} << 40});
  EXPECT_EQ(duplicate.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(db->Exec("SELECT * FROM missing").code(),
            absl::StatusCode::kInternal);
}

TEST(PostgresConnectionTest, RollbackUnlessCommittedAndReconnectAfterRestart) {
  absl::StatusOr<std::unique_ptr<PostgresServer>> server =
      PostgresServer::Start();
  ASSERT_TRUE(server.ok()) << server.status();
  absl::StatusOr<std::string> url = (*server)->CreateDatabase();
  ASSERT_TRUE(url.ok()) << url.status();
  PostgresConnection::Options options;
  options.url = *url;
  absl::StatusOr<PostgresConnection> db = PostgresConnection::Open(options);
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE(db->Exec("CREATE TABLE t (id BIGINT)").ok());
  {
    PostgresTransaction transaction(*db);
    ASSERT_TRUE(transaction.Begin().ok());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (1)").ok());
  }  // rolled back
  {
    PostgresTransaction transaction(*db);
    ASSERT_TRUE(transaction.Begin().ok());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (2)").ok());
    ASSERT_TRUE((*server)->Kill().ok());
    EXPECT_EQ(db->Exec("INSERT INTO t VALUES (3)").code(),
              absl::StatusCode::kUnavailable);
    EXPECT_EQ(transaction.Commit().code(), absl::StatusCode::kUnavailable);
  }
  EXPECT_EQ(db->Exec("SELECT 1").code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE((*server)->Restart().ok());
  absl::StatusOr<PostgresResult> rows = db->Query("SELECT id FROM t");
  ASSERT_TRUE(rows.ok()) << rows.status();  // reconnected
  EXPECT_EQ(rows->rows(), 0);
}

}  // namespace
}  // namespace clearmatch
