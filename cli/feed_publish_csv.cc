// The publish CSV: bank CSV rows and vPDQ rows (see feed_publish_csv.h).
#include "cli/feed_publish_csv.h"

#include <filesystem>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "bank/bank_csv.h"
#include "cli/feed_media_entries.h"
#include "common/file_io.h"
#include "common/status_macros.h"
#include "hashing/vpdq_feature.h"

namespace clearmatch::cli {
namespace {

// Most bytes of one frames file (~80 bytes a frame, kMaxFramesPerVideo).
constexpr int64_t kMaxFramesFileBytes = int64_t{128} << 20;

// A CSV line without its comment and surrounding spaces (as ParseBankCsv
// reads it): empty for a line without an entry.
absl::string_view LineContent(absl::string_view line) {
  if (const size_t hash = line.find('#'); hash != line.npos) {
    line = line.substr(0, hash);
  }
  return absl::StripAsciiWhitespace(line);
}

bool IsVpdqLine(absl::string_view content) {
  const absl::string_view type =
      absl::StripAsciiWhitespace(content.substr(0, content.find(',')));
  return absl::AsciiStrToLower(type) == "vpdq";
}

// vpdq,FRAMES_FILE,entry_id[,bank[,category]] as an entry (frames read
// unless `op` is a removal).
absl::StatusOr<FeedEntry> ParseVpdqLine(absl::string_view content,
                                        const std::string& csv_path,
                                        FeedChange::Op op, int64_t added_at) {
  std::vector<absl::string_view> fields = absl::StrSplit(content, ',');
  if (fields.size() < 3 || fields.size() > 5) {
    return absl::InvalidArgumentError(
        absl::StrCat(fields.size(),
                     " columns, want vpdq,frames_file,entry_id,bank,category"));
  }
  for (absl::string_view& field : fields) {
    field = absl::StripAsciiWhitespace(field);
  }
  HashEntry entry;
  entry.type = HashType::kVpdq;
  entry.entry_id = std::string(fields[2]);
  if (fields.size() > 3) entry.bank = std::string(fields[3]);
  if (fields.size() > 4) entry.category = std::string(fields[4]);
  entry.added_at = added_at;
  if (entry.entry_id.empty()) {
    return absl::InvalidArgumentError("empty entry_id");
  }
  if (op == FeedChange::Op::kRemove) {
    FeedEntry removed;
    removed.entry_id = entry.entry_id;
    removed.hash_type = HashType::kVpdq;
    return removed;
  }
  std::filesystem::path frames_path{std::string(fields[1])};
  if (frames_path.is_relative()) {
    frames_path = std::filesystem::path(csv_path).parent_path() / frames_path;
  }
  const std::string frames_file = frames_path.string();
  CM_ASSIGN_OR_RETURN(std::string text,
                      ReadFileToString(frames_file, kMaxFramesFileBytes));
  absl::StatusOr<std::vector<VpdqFeature>> features = ParseVpdqFeatures(text);
  if (!features.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(frames_file, ": ", features.status().message()));
  }
  CM_ASSIGN_OR_RETURN(entry.frames, BankFrames(*features, frames_file));
  return FeedEntryFromHashEntry(entry);
}

// The bank CSV rows of `content` (vPDQ rows blanked out, so that line
// numbers stay), as feed entries.
absl::StatusOr<std::vector<FeedEntry>> ParseBankRows(absl::string_view content,
                                                     int64_t added_at) {
  BankCsvOptions options;
  options.added_at = added_at;
  CM_ASSIGN_OR_RETURN(
      std::vector<HashEntry> entries,
      ParseBankCsv(std::string_view(content.data(), content.size()), options));
  std::vector<FeedEntry> out;
  out.reserve(entries.size());
  for (const HashEntry& entry : entries) {
    CM_ASSIGN_OR_RETURN(FeedEntry feed_entry, FeedEntryFromHashEntry(entry));
    out.push_back(std::move(feed_entry));
  }
  return out;
}

absl::StatusOr<std::vector<FeedChange>> ParsePublishCsv(
    absl::string_view content, const std::string& path, FeedChange::Op op,
    int64_t added_at) {
  std::string bank_rows;  // `content` with the vPDQ rows blanked out
  bank_rows.reserve(content.size());
  std::vector<FeedEntry> videos;
  std::vector<bool> row_is_video;  // per line that holds an entry
  size_t line_number = 0;
  for (absl::string_view line : absl::StrSplit(content, '\n')) {
    ++line_number;
    const absl::string_view row = LineContent(line);
    if (row.empty() || !IsVpdqLine(row)) {
      absl::StrAppend(&bank_rows, line, "\n");
      if (!row.empty()) row_is_video.push_back(false);
      continue;
    }
    bank_rows.push_back('\n');
    absl::StatusOr<FeedEntry> video = ParseVpdqLine(row, path, op, added_at);
    if (!video.ok()) {
      return absl::Status(
          video.status().code(),
          absl::StrCat("line ", line_number, ": ", video.status().message()));
    }
    videos.push_back(*std::move(video));
    row_is_video.push_back(true);
  }
  CM_ASSIGN_OR_RETURN(std::vector<FeedEntry> others,
                      ParseBankRows(bank_rows, added_at));
  std::vector<FeedChange> changes;
  changes.reserve(row_is_video.size());
  size_t next_video = 0, next_other = 0;
  for (const bool is_video : row_is_video) {
    std::vector<FeedEntry>& from = is_video ? videos : others;
    size_t& next = is_video ? next_video : next_other;
    if (next >= from.size()) {
      return absl::InternalError("publish CSV: rows and entries disagree");
    }
    changes.push_back({op, std::move(from[next++])});
  }
  return changes;
}

}  // namespace

absl::StatusOr<std::vector<FeedChange>> ReadPublishCsv(const std::string& path,
                                                       FeedChange::Op op,
                                                       int64_t added_at) {
  absl::StatusOr<std::string> content =
      ReadFileToString(path, BankCsvOptions().max_file_bytes);
  if (!content.ok()) {
    return absl::Status(content.status().code(),
                        absl::StrCat("bank CSV: ", content.status().message()));
  }
  absl::StatusOr<std::vector<FeedChange>> changes =
      ParsePublishCsv(*content, path, op, added_at);
  if (!changes.ok()) {
    return absl::Status(changes.status().code(),
                        absl::StrCat(path, ": ", changes.status().message()));
  }
  return changes;
}

}  // namespace clearmatch::cli
