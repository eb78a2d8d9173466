// Names, digest lengths and validation of HashEntry.
#include "bank/hash_entry.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace clearmatch {
std::string_view HashTypeName(HashType type) {
  switch (type) {
    case HashType::kPdq:
      return "pdq";
    case HashType::kMd5:
      return "md5";
    case HashType::kSha1:
      return "sha1";
    case HashType::kSha256:
      return "sha256";
    case HashType::kVpdq:
      return "vpdq";
  }
  return "unknown";
}

absl::StatusOr<HashType> ParseHashType(std::string_view name) {
  const std::string lower = absl::AsciiStrToLower(std::string(name));
  for (HashType type : {HashType::kPdq, HashType::kMd5, HashType::kSha1,
                        HashType::kSha256, HashType::kVpdq}) {
    if (lower == HashTypeName(type)) return type;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown hash type '", std::string(name),
                   "' (want pdq, md5, sha1, sha256 or vpdq)"));
}

size_t DigestLength(HashType type) {
  switch (type) {
    case HashType::kMd5:
      return 16;
    case HashType::kSha1:
      return 20;
    case HashType::kSha256:
      return 32;
    case HashType::kPdq:
    case HashType::kVpdq:
      return 0;
  }
  return 0;
}

HashEntry EntryView::ToHashEntry() const {
  HashEntry entry;
  entry.type = type;
  entry.entry_id = std::string(entry_id);
  entry.bank = std::string(bank);
  entry.category = std::string(category);
  entry.source_feed = std::string(source_feed);
  entry.added_at = added_at;
  entry.pdq = pdq;
  entry.digest = std::string(digest);
  entry.frames.assign(frames.begin(), frames.end());
  return entry;
}

absl::Status ValidateHashEntry(const HashEntry& entry) {
  const auto bad = [&](const std::string& problem) {
    return absl::InvalidArgumentError(
        absl::StrCat("entry '", entry.entry_id.substr(0, 64), "' (",
                     std::string(HashTypeName(entry.type)), "): ", problem));
  };
  if (entry.entry_id.empty()) return bad("empty entry id");
  for (const std::string* field :
       {&entry.entry_id, &entry.bank, &entry.category, &entry.source_feed}) {
    if (field->size() > kMaxEntryFieldBytes) {
      return bad(absl::StrCat("a text field has ", field->size(),
                              " bytes (limit ", kMaxEntryFieldBytes, ")"));
    }
  }
  switch (entry.type) {
    case HashType::kPdq:
      return absl::OkStatus();
    case HashType::kMd5:
    case HashType::kSha1:
    case HashType::kSha256:
      if (entry.digest.size() != DigestLength(entry.type)) {
        return bad(absl::StrCat("digest has ", entry.digest.size(),
                                " bytes, want ", DigestLength(entry.type)));
      }
      return absl::OkStatus();
    case HashType::kVpdq:
      if (entry.frames.empty()) return bad("video entry without frames");
      if (entry.frames.size() > kMaxFramesPerVideo) {
        return bad(absl::StrCat(entry.frames.size(), " frames (limit ",
                                kMaxFramesPerVideo, ")"));
      }
      return absl::OkStatus();
  }
  return bad(absl::StrCat("unknown type value ", static_cast<int>(entry.type)));
}

}  // namespace clearmatch
