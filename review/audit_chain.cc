// Audit chain hashing, appending and offline verification.
#include "review/audit_chain.h"

#include <filesystem>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "hashing/file_digests.h"
#include "sqlite/sqlite_statement.h"

namespace clearmatch {

std::string CanonicalFields(const std::vector<std::string>& fields) {
  std::string out;
  for (const std::string& field : fields) {
    absl::StrAppend(&out, field.size(), ":", field, ";");
  }
  return out;
}

std::optional<std::vector<std::string>> ParseCanonicalFields(
    absl::string_view encoded) {
  std::vector<std::string> fields;
  while (!encoded.empty()) {
    const size_t colon = encoded.find(':');
    size_t length = 0;
    if (colon == absl::string_view::npos ||
        !absl::SimpleAtoi(encoded.substr(0, colon), &length) ||
        length > encoded.size() - colon - 1 ||
        encoded.size() - colon - 1 - length < 1 ||
        encoded[colon + 1 + length] != ';') {
      return std::nullopt;
    }
    fields.emplace_back(encoded.substr(colon + 1, length));
    encoded.remove_prefix(colon + 2 + length);
  }
  return fields;
}

std::string AuditRowHash(absl::string_view prev_hash, int64_t seq,
                         int64_t at_micros, absl::string_view kind,
                         absl::string_view content) {
  return Sha256Hex(absl::StrCat(
      prev_hash, CanonicalFields({absl::StrCat(seq), absl::StrCat(at_micros),
                                  std::string(kind), std::string(content)})));
}

std::string DecisionAuditContent(int64_t match_id, int outcome,
                                 absl::string_view reviewer,
                                 absl::string_view note, bool override) {
  return CanonicalFields({absl::StrCat(match_id), absl::StrCat(outcome),
                          std::string(reviewer), std::string(note),
                          override ? "1" : "0"});
}

absl::StatusOr<int64_t> AppendAuditRow(SqliteConnection& db,
                                       absl::string_view kind,
                                       absl::string_view content,
                                       int64_t at_micros, int64_t match_id) {
  CM_ASSIGN_OR_RETURN(
      SqliteStatement last,
      db.Prepare("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"));
  CM_ASSIGN_OR_RETURN(const bool has_last, last.Step());
  const int64_t next = has_last ? last.Int(0) + 1 : 1;
  const std::string prev =
      has_last ? last.Text(1) : std::string(kAuditGenesisHash);
  last.Reset();
  CM_ASSIGN_OR_RETURN(
      SqliteStatement insert,
      db.Prepare("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?)"));
  insert.BindInt(1, next);
  insert.BindInt(2, at_micros);
  insert.BindText(3, kind);
  insert.BindBlob(4, content);
  insert.BindText(5, prev);
  insert.BindText(6, AuditRowHash(prev, next, at_micros, kind, content));
  CM_RETURN_IF_ERROR(insert.Run());
  if (match_id != 0) {
    CM_ASSIGN_OR_RETURN(
        SqliteStatement index,
        db.Prepare("INSERT INTO audit_matches (match_id, seq) VALUES (?, ?)"));
    index.BindInt(1, match_id);
    index.BindInt(2, next);
    CM_RETURN_IF_ERROR(index.Run());
  }
  return next;
}

namespace {

// Checks the chain of audit rows; returns how many there are.
absl::StatusOr<int64_t> VerifyAuditRows(SqliteConnection& db) {
  CM_ASSIGN_OR_RETURN(
      SqliteStatement rows,
      db.Prepare("SELECT seq, at, kind, content, prev_hash, hash FROM audit "
                 "ORDER BY seq"));
  std::string prev(kAuditGenesisHash);
  int64_t expected_seq = 1;
  CM_RETURN_IF_ERROR(rows.ForEachRow([&](const SqliteStatement& row) {
    const int64_t seq = row.Int(0);
    if (seq != expected_seq) {
      return absl::DataLossError(absl::StrCat("audit row ", expected_seq,
                                              " is missing (next row is ", seq,
                                              "): rows deleted"));
    }
    if (row.Text(4) != prev) {
      return absl::DataLossError(absl::StrCat(
          "audit row ", seq,
          ": prev_hash does not match the hash of the row before it"));
    }
    std::string hash =
        AuditRowHash(prev, seq, row.Int(1), row.Text(2), row.Text(3));
    if (hash != row.Text(5)) {
      return absl::DataLossError(absl::StrCat(
          "audit row ", seq, " (", row.Text(2),
          "): its hash does not match its content (the row was edited)"));
    }
    prev = std::move(hash);
    ++expected_seq;
    return absl::OkStatus();
  }));
  return expected_seq - 1;
}

// Checks that every decision is the one its audit row recorded.
absl::Status VerifyDecisions(SqliteConnection& db) {
  CM_ASSIGN_OR_RETURN(
      SqliteStatement decisions,
      db.Prepare("SELECT d.id, d.match_id, d.outcome, d.reviewer, d.note, "
                 "d.override, d.decided_at, a.content, a.at FROM decisions d "
                 "LEFT JOIN audit a ON a.seq = d.audit_seq ORDER BY d.id"));
  return decisions.ForEachRow([](const SqliteStatement& row) {
    const std::string content =
        DecisionAuditContent(row.Int(1), static_cast<int>(row.Int(2)),
                             row.Text(3), row.Text(4), row.Int(5) != 0);
    if (row.IsNull(7) || row.Text(7) != content || row.Int(8) != row.Int(6)) {
      return absl::DataLossError(
          absl::StrCat("decision row ", row.Int(0),
                       " does not match its audit row (the row was edited)"));
    }
    return absl::OkStatus();
  });
}

}  // namespace

absl::StatusOr<int64_t> VerifyAuditChain(const std::string& path) {
  if (!std::filesystem::exists(path)) {
    return absl::FailedPreconditionError(
        absl::StrCat("review store \"", path, "\" does not exist"));
  }
  SqliteConnection::Options options;
  options.path = path;
  options.label = "review store";
  options.read_only = true;
  CM_ASSIGN_OR_RETURN(SqliteConnection db, SqliteConnection::Open(options));
  CM_ASSIGN_OR_RETURN(const int64_t rows, VerifyAuditRows(db));
  CM_RETURN_IF_ERROR(VerifyDecisions(db));
  return rows;
}

}  // namespace clearmatch
