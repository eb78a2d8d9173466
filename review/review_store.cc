// SQLite-backed ReviewStore.
#include "review/review_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status_macros.h"
#include "hashing/file_digests.h"
#include "review/audit_chain.h"

namespace clearmatch {
namespace {

using review_internal::SqliteConnection;
using review_internal::SqliteStatement;
using review_internal::SqliteTransaction;

constexpr int kSchemaVersion = 1;

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
-- One recorded verdict; `record` is the MatchRecord without its id and
-- decisions. `outcome` is the latest decision (0 = pending).
CREATE TABLE IF NOT EXISTS matches (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  recorded_at INTEGER NOT NULL,
  verdict INTEGER NOT NULL,
  outcome INTEGER NOT NULL DEFAULT 0,
  record BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS matches_by_time ON matches(recorded_at);
CREATE TABLE IF NOT EXISTS match_banks (
  bank TEXT NOT NULL,
  match_id INTEGER NOT NULL,
  PRIMARY KEY (bank, match_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS decisions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  match_id INTEGER NOT NULL,
  outcome INTEGER NOT NULL,
  reviewer TEXT NOT NULL,
  note TEXT NOT NULL,
  override INTEGER NOT NULL,
  decided_at INTEGER NOT NULL,
  audit_seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_by_match ON decisions(match_id, id);
CREATE TABLE IF NOT EXISTS allowlist (
  content_key TEXT NOT NULL,
  bank TEXT NOT NULL,
  entry_id TEXT NOT NULL,
  match_id INTEGER NOT NULL,
  added_by TEXT NOT NULL,
  added_at INTEGER NOT NULL,
  PRIMARY KEY (content_key, bank, entry_id)
);
CREATE TABLE IF NOT EXISTS dispute_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  bank TEXT NOT NULL,
  entry_id TEXT NOT NULL,
  source_feed TEXT NOT NULL,
  hash_type TEXT NOT NULL,
  match_id INTEGER NOT NULL,
  note TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  sent_at INTEGER
);
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  content BLOB NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS decisions_no_update BEFORE UPDATE ON decisions
  BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER IF NOT EXISTS decisions_no_delete BEFORE DELETE ON decisions
  BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
)sql";

int64_t NowMicros() { return absl::ToUnixMicros(absl::Now()); }

std::string AllowKey(absl::string_view content_key, absl::string_view bank,
                     absl::string_view entry_id) {
  return absl::StrCat(content_key, absl::string_view("\0", 1), bank,
                      absl::string_view("\0", 1), entry_id);
}

// Opaque page tokens: web-safe base64 of "<last key>:<filter fingerprint>".
// The fingerprint makes a token from a listing with other filters an error
// rather than a silently wrong page.
std::string MakePageToken(int64_t last_key, absl::string_view fingerprint) {
  return absl::WebSafeBase64Escape(absl::StrCat(last_key, ":", fingerprint));
}

// The key after which the page starts; `none` when there is no token.
absl::StatusOr<int64_t> ParsePageToken(absl::string_view token,
                                       absl::string_view fingerprint,
                                       int64_t none) {
  if (token.empty()) return none;
  std::string decoded;
  int64_t key = 0;
  if (token.size() > 200 || !absl::WebSafeBase64Unescape(token, &decoded)) {
    return absl::InvalidArgumentError("page_token: not a page token");
  }
  const std::vector<absl::string_view> parts = absl::StrSplit(decoded, ':');
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &key) || key < 0) {
    return absl::InvalidArgumentError("page_token: not a page token");
  }
  if (parts[1] != fingerprint) {
    return absl::InvalidArgumentError(
        "page_token: it belongs to a listing with other filters");
  }
  return key;
}

absl::StatusOr<int> PageSize(int32_t requested) {
  if (requested < 0 || requested > ReviewStore::kMaxPageSize) {
    return absl::InvalidArgumentError(absl::StrCat("page_size: ", requested,
                                                   " is outside 0..",
                                                   ReviewStore::kMaxPageSize));
  }
  return requested == 0 ? ReviewStore::kDefaultPageSize : requested;
}

absl::Status CheckTimeRange(int64_t start, int64_t end) {
  if (start < 0 || end < 0 || (end != 0 && end <= start)) {
    return absl::InvalidArgumentError(
        absl::StrCat("time range: [", start, ", ", end,
                     ") is not a range of unix microseconds (0 = no bound)"));
  }
  return absl::OkStatus();
}

absl::Status CheckReviewer(absl::string_view reviewer, absl::string_view note) {
  if (reviewer.empty()) {
    return absl::InvalidArgumentError("reviewer: required");
  }
  if (reviewer.size() > ReviewStore::kMaxReviewerBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("reviewer: ", reviewer.size(), " bytes; at most ",
                     ReviewStore::kMaxReviewerBytes));
  }
  if (note.size() > ReviewStore::kMaxNoteBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "note: ", note.size(), " bytes; at most ", ReviewStore::kMaxNoteBytes));
  }
  return absl::OkStatus();
}

}  // namespace

ReviewStore::ReviewStore(Options options, SqliteConnection db)
    : options_(std::move(options)), db_(std::move(db)) {}

absl::StatusOr<std::unique_ptr<ReviewStore>> ReviewStore::Create(
    Options options) {
  if (options.path.empty()) {
    return absl::InvalidArgumentError("review store: path is empty");
  }
  if (options.max_queued_records == 0 || options.max_queued_bytes == 0 ||
      options.max_batch <= 0 || options.max_page_count < 0) {
    return absl::InvalidArgumentError(
        "review store: queue bounds and max_batch must be positive, "
        "max_page_count >= 0");
  }
  CM_ASSIGN_OR_RETURN(SqliteConnection db,
                      SqliteConnection::Open(options.path, true));
  CM_RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode=WAL"));
  CM_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous=FULL"));
  if (options.max_page_count > 0) {
    CM_RETURN_IF_ERROR(
        db.Exec(absl::StrCat("PRAGMA max_page_count=", options.max_page_count)
                    .c_str()));
  }
  CM_RETURN_IF_ERROR(db.Exec(kSchema));
  CM_RETURN_IF_ERROR(db.Exec(absl::StrCat("INSERT OR IGNORE INTO meta VALUES "
                                          "('schema_version', '",
                                          kSchemaVersion, "')")
                                 .c_str()));
  CM_ASSIGN_OR_RETURN(
      SqliteStatement version,
      db.Prepare("SELECT value FROM meta WHERE key = 'schema_version'"));
  CM_ASSIGN_OR_RETURN(bool has_version, version.Step());
  if (!has_version || version.Text(0) != absl::StrCat(kSchemaVersion)) {
    return absl::FailedPreconditionError(
        absl::StrCat("review store \"", options.path, "\": schema version ",
                     has_version ? version.Text(0) : "(none)", ", expected ",
                     kSchemaVersion));
  }
  version.Reset();
  auto store = std::unique_ptr<ReviewStore>(
      new ReviewStore(std::move(options), std::move(db)));
  {
    absl::MutexLock lock(&store->db_mu_);
    CM_RETURN_IF_ERROR(store->LoadAllowlistLocked());
  }
  store->writer_ = std::thread([s = store.get()] { s->WriterLoop(); });
  return store;
}

ReviewStore::~ReviewStore() { Close(); }

void ReviewStore::Warn(absl::string_view message) const {
  if (options_.log_warning) options_.log_warning(message);
}

absl::Status ReviewStore::LoadAllowlistLocked() {
  CM_ASSIGN_OR_RETURN(
      SqliteStatement rows,
      db_.Prepare("SELECT content_key, bank, entry_id FROM allowlist"));
  absl::flat_hash_set<std::string> loaded;
  while (true) {
    CM_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    loaded.insert(AllowKey(rows.Text(0), rows.Text(1), rows.Text(2)));
  }
  absl::MutexLock lock(&allow_mu_);
  allowlist_ = std::move(loaded);
  return absl::OkStatus();
}

// ---- Recording -------------------------------------------------------------

void ReviewStore::Enqueue(v1::MatchRecord record) {
  if (record.recorded_unix_micros() == 0) {
    record.set_recorded_unix_micros(NowMicros());
  }
  const size_t bytes = record.ByteSizeLong();
  int64_t dropped = 0;
  {
    absl::MutexLock lock(&queue_mu_);
    if (closing_ || queue_.size() >= options_.max_queued_records ||
        queued_bytes_ + bytes > options_.max_queued_bytes) {
      dropped = ++stats_.dropped;
    } else {
      queued_bytes_ += bytes;
      queue_.push_back({std::move(record), bytes});
      ++enqueued_;
      queue_cv_.SignalAll();
      return;
    }
  }
  // The first drop and then one in a thousand: bounded logging.
  if (dropped % 1000 == 1) {
    Warn(absl::StrCat("review store: queue full, verdict record dropped (",
                      dropped, " dropped so far)"));
  }
}

void ReviewStore::Flush() {
  absl::MutexLock lock(&queue_mu_);
  const int64_t target = enqueued_;
  while (processed_ < target) queue_cv_.Wait(&queue_mu_);
}

void ReviewStore::Close() {
  {
    absl::MutexLock lock(&queue_mu_);
    closing_ = true;
    queue_cv_.SignalAll();
  }
  if (writer_.joinable()) writer_.join();
}

ReviewStore::Stats ReviewStore::stats() const {
  absl::MutexLock lock(&queue_mu_);
  Stats stats = stats_;
  stats.queued = static_cast<int64_t>(queue_.size());
  return stats;
}

void ReviewStore::WriterLoop() {
  while (true) {
    std::vector<Queued> batch;
    {
      absl::MutexLock lock(&queue_mu_);
      while (queue_.empty() && !closing_) queue_cv_.Wait(&queue_mu_);
      if (queue_.empty()) return;  // closing and drained
      while (!queue_.empty() &&
             batch.size() < static_cast<size_t>(options_.max_batch)) {
        queued_bytes_ -= queue_.front().bytes;
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    const absl::Status status = WriteBatch(batch);
    if (!status.ok()) {
      Warn(absl::StrCat("review store: ", batch.size(),
                        " verdict records lost: ", status.message()));
    }
    absl::MutexLock lock(&queue_mu_);
    (status.ok() ? stats_.recorded : stats_.write_errors) +=
        static_cast<int64_t>(batch.size());
    processed_ += static_cast<int64_t>(batch.size());
    queue_cv_.SignalAll();
  }
}

absl::Status ReviewStore::WriteBatch(std::vector<Queued>& batch) {
  absl::MutexLock lock(&db_mu_);
  SqliteTransaction transaction(db_);
  CM_RETURN_IF_ERROR(transaction.Begin());
  CM_ASSIGN_OR_RETURN(
      SqliteStatement insert,
      db_.Prepare("INSERT INTO matches (recorded_at, verdict, record) "
                  "VALUES (?, ?, ?)"));
  CM_ASSIGN_OR_RETURN(
      SqliteStatement bank,
      db_.Prepare("INSERT OR IGNORE INTO match_banks VALUES (?, ?)"));
  for (Queued& queued : batch) {
    v1::MatchRecord& record = queued.record;
    record.clear_match_id();
    record.clear_decisions();
    insert.BindInt(1, record.recorded_unix_micros());
    insert.BindInt(2, record.decision());
    insert.BindBlob(3, record.SerializeAsString());
    CM_RETURN_IF_ERROR(insert.Run());
    const int64_t id = db_.LastInsertRowid();
    for (const v1::Match& match : record.matches()) {
      bank.BindText(1, match.bank());
      bank.BindInt(2, id);
      CM_RETURN_IF_ERROR(bank.Run());
    }
  }
  return transaction.Commit();
}

// ---- Reading ---------------------------------------------------------------

absl::StatusOr<v1::MatchRecord> ReviewStore::GetLocked(int64_t match_id) {
  CM_ASSIGN_OR_RETURN(SqliteStatement row,
                      db_.Prepare("SELECT record FROM matches WHERE id = ?"));
  row.BindInt(1, match_id);
  CM_ASSIGN_OR_RETURN(bool found, row.Step());
  if (!found) {
    return absl::NotFoundError(absl::StrCat("match ", match_id, " not found"));
  }
  v1::MatchRecord record;
  if (!record.ParseFromString(row.Text(0))) {
    return absl::DataLossError(
        absl::StrCat("match ", match_id, ": stored record does not parse"));
  }
  row.Reset();
  record.set_match_id(match_id);
  CM_ASSIGN_OR_RETURN(
      SqliteStatement decisions,
      db_.Prepare("SELECT outcome, reviewer, note, override, decided_at "
                  "FROM decisions WHERE match_id = ? ORDER BY id"));
  decisions.BindInt(1, match_id);
  while (true) {
    CM_ASSIGN_OR_RETURN(bool more, decisions.Step());
    if (!more) break;
    v1::ReviewDecision* d = record.add_decisions();
    d->set_outcome(static_cast<v1::ReviewOutcome>(decisions.Int(0)));
    d->set_reviewer(decisions.Text(1));
    d->set_note(decisions.Text(2));
    d->set_override(decisions.Int(3) != 0);
    d->set_decided_unix_micros(decisions.Int(4));
  }
  return record;
}

absl::StatusOr<v1::MatchRecord> ReviewStore::GetMatch(int64_t match_id) {
  absl::MutexLock lock(&db_mu_);
  return GetLocked(match_id);
}

absl::StatusOr<v1::ListMatchesResponse> ReviewStore::ListMatches(
    const v1::ListMatchesRequest& request) {
  CM_ASSIGN_OR_RETURN(const int page_size, PageSize(request.page_size()));
  CM_RETURN_IF_ERROR(
      CheckTimeRange(request.start_unix_micros(), request.end_unix_micros()));
  const std::string fingerprint =
      Sha256Hex(CanonicalFields({absl::StrCat(request.status()), request.bank(),
                                 absl::StrCat(request.decision()),
                                 absl::StrCat(request.outcome()),
                                 absl::StrCat(request.start_unix_micros()),
                                 absl::StrCat(request.end_unix_micros())}))
          .substr(0, 16);
  CM_ASSIGN_OR_RETURN(
      const int64_t before,
      ParsePageToken(request.page_token(), fingerprint, INT64_MAX));

  absl::MutexLock lock(&db_mu_);
  // Keyset pagination on the id, newest first: rows inserted while a client
  // pages have larger ids and never shift later pages.
  CM_ASSIGN_OR_RETURN(
      SqliteStatement rows,
      db_.Prepare(
          "SELECT id FROM matches WHERE id < ?1"
          " AND (?2 = 0 OR recorded_at >= ?2) AND (?3 = 0 OR recorded_at < ?3)"
          " AND (?4 = 0 OR verdict = ?4) AND (?5 = 0 OR outcome = ?5)"
          " AND (?6 = 0 OR (?6 = 1 AND outcome = 0) OR (?6 = 2 AND outcome != "
          "0))"
          " AND (?7 = '' OR id IN (SELECT match_id FROM match_banks WHERE "
          "bank = ?7))"
          " ORDER BY id DESC LIMIT ?8"));
  rows.BindInt(1, before);
  rows.BindInt(2, request.start_unix_micros());
  rows.BindInt(3, request.end_unix_micros());
  rows.BindInt(4, request.decision());
  rows.BindInt(5, request.outcome());
  rows.BindInt(6, request.status());
  rows.BindText(7, request.bank());
  rows.BindInt(8, page_size + 1);
  std::vector<int64_t> ids;
  while (true) {
    CM_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    ids.push_back(rows.Int(0));
  }
  v1::ListMatchesResponse response;
  for (size_t i = 0; i < ids.size() && i < static_cast<size_t>(page_size);
       ++i) {
    CM_ASSIGN_OR_RETURN(*response.add_matches(), GetLocked(ids[i]));
  }
  if (ids.size() > static_cast<size_t>(page_size)) {
    response.set_next_page_token(
        MakePageToken(ids[page_size - 1], fingerprint));
  }
  return response;
}

absl::StatusOr<v1::ExportConfirmedResponse> ReviewStore::ExportConfirmed(
    const v1::ExportConfirmedRequest& request) {
  v1::ListMatchesRequest list;
  list.set_outcome(v1::CONFIRMED);
  list.set_start_unix_micros(request.start_unix_micros());
  list.set_end_unix_micros(request.end_unix_micros());
  list.set_page_size(request.page_size());
  list.set_page_token(request.page_token());
  CM_ASSIGN_OR_RETURN(v1::ListMatchesResponse page, ListMatches(list));
  v1::ExportConfirmedResponse response;
  response.set_next_page_token(page.next_page_token());
  for (const v1::MatchRecord& record : page.matches()) {
    v1::ConfirmedMatch* out = response.add_matches();
    out->set_match_id(record.match_id());
    out->set_content_id(record.content_id());
    out->set_context(record.context());
    out->set_decision(record.decision());
    out->set_recorded_unix_micros(record.recorded_unix_micros());
    out->set_snapshot_version(record.snapshot_version());
    if (!record.decisions().empty()) {
      const v1::ReviewDecision& last = *record.decisions().rbegin();
      out->set_confirmed_unix_micros(last.decided_unix_micros());
      out->set_reviewer(last.reviewer());
    }
    for (const v1::Match& match : record.matches()) {
      v1::ExportedEntry* entry = out->add_entries();
      entry->set_bank(match.bank());
      entry->set_entry_id(match.entry_id());
      entry->set_hash_type(match.hash_type());
      entry->set_category(match.category());
      entry->set_source_feed(match.source_feed());
      entry->set_distance(match.distance());
    }
  }
  return response;
}

// ---- Decisions and the allowlist --------------------------------------------

std::vector<std::string> ReviewStore::ContentKeys(const v1::Hashes& hashes) {
  std::vector<std::string> keys;
  if (!hashes.sha256().empty()) keys.push_back("sha256:" + hashes.sha256());
  if (!hashes.md5().empty()) keys.push_back("md5:" + hashes.md5());
  if (!hashes.sha1().empty()) keys.push_back("sha1:" + hashes.sha1());
  for (const v1::PdqHashValue& pdq : hashes.pdq()) {
    if (pdq.transform().empty() || pdq.transform() == "original") {
      keys.push_back("pdq:" + pdq.hash());
      break;
    }
  }
  return keys;
}

bool ReviewStore::IsAllowlisted(const std::vector<std::string>& content_keys,
                                absl::string_view bank,
                                absl::string_view entry_id) const {
  absl::ReaderMutexLock lock(&allow_mu_);
  if (allowlist_.empty()) return false;
  for (const std::string& key : content_keys) {
    if (allowlist_.contains(AllowKey(key, bank, entry_id))) return true;
  }
  return false;
}

absl::Status ReviewStore::AppendAuditLocked(absl::string_view kind,
                                            absl::string_view content,
                                            int64_t at_micros, int64_t* seq) {
  CM_ASSIGN_OR_RETURN(
      SqliteStatement last,
      db_.Prepare("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"));
  CM_ASSIGN_OR_RETURN(bool has_last, last.Step());
  const int64_t next = has_last ? last.Int(0) + 1 : 1;
  const std::string prev =
      has_last ? last.Text(1) : std::string(kAuditGenesisHash);
  last.Reset();
  CM_ASSIGN_OR_RETURN(
      SqliteStatement insert,
      db_.Prepare("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?)"));
  insert.BindInt(1, next);
  insert.BindInt(2, at_micros);
  insert.BindText(3, kind);
  insert.BindBlob(4, content);
  insert.BindText(5, prev);
  insert.BindText(6, AuditRowHash(prev, next, at_micros, kind, content));
  CM_RETURN_IF_ERROR(insert.Run());
  if (seq != nullptr) *seq = next;
  return absl::OkStatus();
}

absl::StatusOr<v1::MatchRecord> ReviewStore::Decide(
    const v1::DecideRequest& request) {
  const v1::ReviewOutcome outcome = request.outcome();
  if (outcome != v1::CONFIRMED && outcome != v1::FALSE_POSITIVE &&
      outcome != v1::ESCALATED) {
    return absl::InvalidArgumentError(absl::StrCat(
        "outcome: ", outcome,
        " is not CONFIRMED (1), FALSE_POSITIVE (2) or ESCALATED (3)"));
  }
  CM_RETURN_IF_ERROR(CheckReviewer(request.reviewer(), request.note()));
  const int64_t match_id = request.match_id();
  const int64_t now = NowMicros();

  absl::MutexLock lock(&db_mu_);
  SqliteTransaction transaction(db_);
  CM_RETURN_IF_ERROR(transaction.Begin());
  CM_ASSIGN_OR_RETURN(v1::MatchRecord record, GetLocked(match_id));
  const v1::ReviewOutcome previous =
      record.decisions().empty() ? v1::REVIEW_OUTCOME_UNSPECIFIED
                                 : record.decisions().rbegin()->outcome();
  if (previous != v1::REVIEW_OUTCOME_UNSPECIFIED && !request.override()) {
    return absl::FailedPreconditionError(
        absl::StrCat("match ", match_id, " is decided already (",
                     v1::ReviewOutcome_Name(previous), " by ",
                     record.decisions().rbegin()->reviewer(),
                     "); set override to replace the decision"));
  }
  int64_t audit_seq = 0;
  CM_RETURN_IF_ERROR(AppendAuditLocked(
      "decide",
      DecisionAuditContent(match_id, outcome, request.reviewer(),
                           request.note(), request.override()),
      now, &audit_seq));
  CM_ASSIGN_OR_RETURN(
      SqliteStatement insert,
      db_.Prepare("INSERT INTO decisions (match_id, outcome, reviewer, note, "
                  "override, decided_at, audit_seq) VALUES (?, ?, ?, ?, ?, ?, "
                  "?)"));
  insert.BindInt(1, match_id);
  insert.BindInt(2, outcome);
  insert.BindText(3, request.reviewer());
  insert.BindText(4, request.note());
  insert.BindInt(5, request.override() ? 1 : 0);
  insert.BindInt(6, now);
  insert.BindInt(7, audit_seq);
  CM_RETURN_IF_ERROR(insert.Run());
  CM_ASSIGN_OR_RETURN(
      SqliteStatement update,
      db_.Prepare("UPDATE matches SET outcome = ? WHERE id = ?"));
  update.BindInt(1, outcome);
  update.BindInt(2, match_id);
  CM_RETURN_IF_ERROR(update.Run());

  bool allowlist_changed = false;
  if (previous == v1::FALSE_POSITIVE && outcome != v1::FALSE_POSITIVE) {
    // The override says it is a real match after all: stop suppressing it.
    CM_ASSIGN_OR_RETURN(SqliteStatement pairs,
                        db_.Prepare("DELETE FROM allowlist WHERE match_id = ? "
                                    "RETURNING content_key, bank, entry_id"));
    pairs.BindInt(1, match_id);
    std::vector<std::string> removed;
    while (true) {
      CM_ASSIGN_OR_RETURN(bool row, pairs.Step());
      if (!row) break;
      removed.push_back(CanonicalFields(
          {pairs.Text(0), pairs.Text(1), pairs.Text(2), request.reviewer(),
           absl::StrCat("override of match ", match_id)}));
    }
    for (const std::string& content : removed) {
      CM_RETURN_IF_ERROR(
          AppendAuditLocked("allowlist_remove", content, now, nullptr));
    }
    allowlist_changed = !removed.empty();
  }
  if (outcome == v1::FALSE_POSITIVE && previous != v1::FALSE_POSITIVE) {
    CM_ASSIGN_OR_RETURN(
        SqliteStatement allow,
        db_.Prepare("INSERT OR IGNORE INTO allowlist VALUES (?, ?, ?, ?, ?, "
                    "?)"));
    CM_ASSIGN_OR_RETURN(
        SqliteStatement dispute,
        db_.Prepare("INSERT INTO dispute_outbox (bank, entry_id, source_feed, "
                    "hash_type, match_id, note, created_at) VALUES (?, ?, ?, "
                    "?, ?, ?, ?)"));
    for (const v1::Match& match : record.matches()) {
      for (const std::string& key : ContentKeys(record.query_hashes())) {
        allow.BindText(1, key);
        allow.BindText(2, match.bank());
        allow.BindText(3, match.entry_id());
        allow.BindInt(4, match_id);
        allow.BindText(5, request.reviewer());
        allow.BindInt(6, now);
        CM_RETURN_IF_ERROR(allow.Run());
        if (db_.Changes() == 0) continue;
        CM_RETURN_IF_ERROR(AppendAuditLocked(
            "allowlist_add",
            CanonicalFields({key, match.bank(), match.entry_id(),
                             request.reviewer(),
                             absl::StrCat("match ", match_id)}),
            now, nullptr));
        allowlist_changed = true;
      }
      dispute.BindText(1, match.bank());
      dispute.BindText(2, match.entry_id());
      dispute.BindText(3, match.source_feed());
      dispute.BindText(4, match.hash_type());
      dispute.BindInt(5, match_id);
      dispute.BindText(6, request.note());
      dispute.BindInt(7, now);
      CM_RETURN_IF_ERROR(dispute.Run());
    }
  }
  CM_RETURN_IF_ERROR(transaction.Commit());
  if (allowlist_changed) CM_RETURN_IF_ERROR(LoadAllowlistLocked());
  return GetLocked(match_id);
}

absl::StatusOr<v1::ListAllowlistResponse> ReviewStore::ListAllowlist(
    const v1::ListAllowlistRequest& request) {
  CM_ASSIGN_OR_RETURN(const int page_size, PageSize(request.page_size()));
  CM_ASSIGN_OR_RETURN(const int64_t after,
                      ParsePageToken(request.page_token(), "allowlist", 0));
  absl::MutexLock lock(&db_mu_);
  CM_ASSIGN_OR_RETURN(
      SqliteStatement rows,
      db_.Prepare("SELECT rowid, content_key, bank, entry_id, match_id, "
                  "added_by, added_at FROM allowlist WHERE rowid > ? "
                  "ORDER BY rowid LIMIT ?"));
  rows.BindInt(1, after);
  rows.BindInt(2, page_size + 1);
  v1::ListAllowlistResponse response;
  int64_t last = 0;
  while (true) {
    CM_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    if (response.entries_size() == page_size) {
      response.set_next_page_token(MakePageToken(last, "allowlist"));
      rows.Reset();
      break;
    }
    last = rows.Int(0);
    v1::AllowlistEntry* entry = response.add_entries();
    entry->set_content_key(rows.Text(1));
    entry->set_bank(rows.Text(2));
    entry->set_entry_id(rows.Text(3));
    entry->set_match_id(rows.Int(4));
    entry->set_added_by(rows.Text(5));
    entry->set_added_unix_micros(rows.Int(6));
  }
  return response;
}

absl::Status ReviewStore::RemoveAllowlistEntry(
    const v1::RemoveAllowlistEntryRequest& request) {
  CM_RETURN_IF_ERROR(CheckReviewer(request.reviewer(), request.note()));
  const int64_t now = NowMicros();
  absl::MutexLock lock(&db_mu_);
  SqliteTransaction transaction(db_);
  CM_RETURN_IF_ERROR(transaction.Begin());
  CM_ASSIGN_OR_RETURN(
      SqliteStatement remove,
      db_.Prepare("DELETE FROM allowlist WHERE content_key = ? AND bank = ? "
                  "AND entry_id = ?"));
  remove.BindText(1, request.content_key());
  remove.BindText(2, request.bank());
  remove.BindText(3, request.entry_id());
  CM_RETURN_IF_ERROR(remove.Run());
  if (db_.Changes() == 0) {
    return absl::NotFoundError(
        absl::StrCat("allowlist has no entry (", request.content_key(), ", ",
                     request.bank(), "/", request.entry_id(), ")"));
  }
  CM_RETURN_IF_ERROR(AppendAuditLocked(
      "allowlist_remove",
      CanonicalFields({request.content_key(), request.bank(),
                       request.entry_id(), request.reviewer(), request.note()}),
      now, nullptr));
  CM_RETURN_IF_ERROR(transaction.Commit());
  return LoadAllowlistLocked();
}

absl::StatusOr<std::vector<DisputedEntry>> ReviewStore::PendingDisputes(
    int limit) {
  if (limit <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit: ", limit, " is not positive"));
  }
  absl::MutexLock lock(&db_mu_);
  CM_ASSIGN_OR_RETURN(
      SqliteStatement rows,
      db_.Prepare("SELECT id, bank, entry_id, source_feed, hash_type, "
                  "match_id, note, created_at FROM dispute_outbox WHERE "
                  "sent_at IS NULL ORDER BY id LIMIT ?"));
  rows.BindInt(1, limit);
  std::vector<DisputedEntry> entries;
  while (true) {
    CM_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) break;
    entries.push_back({rows.Int(0), rows.Text(1), rows.Text(2), rows.Text(3),
                       rows.Text(4), rows.Int(5), rows.Text(6), rows.Int(7)});
  }
  return entries;
}

absl::Status ReviewStore::MarkDisputesSent(const std::vector<int64_t>& ids) {
  const int64_t now = NowMicros();
  absl::MutexLock lock(&db_mu_);
  SqliteTransaction transaction(db_);
  CM_RETURN_IF_ERROR(transaction.Begin());
  CM_ASSIGN_OR_RETURN(
      SqliteStatement mark,
      db_.Prepare("UPDATE dispute_outbox SET sent_at = ? WHERE id = ?"));
  for (int64_t id : ids) {
    mark.BindInt(1, now);
    mark.BindInt(2, id);
    CM_RETURN_IF_ERROR(mark.Run());
  }
  return transaction.Commit();
}

}  // namespace clearmatch
