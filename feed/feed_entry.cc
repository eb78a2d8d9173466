// Hash type names and entry validation for the feed.
#include "feed/feed_entry.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/hex.h"

namespace clearmatch {
namespace feed_internal {

std::string QuoteForError(absl::string_view value) {
  constexpr size_t kMaxShown = 80;
  std::string out = "\"";
  for (size_t i = 0; i < value.size() && i < kMaxShown; ++i) {
    const unsigned char c = value[i];
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppendFormat(&out, "\\x%02x", c);
    }
  }
  if (value.size() > kMaxShown) absl::StrAppend(&out, "...");
  out.push_back('"');
  return out;
}

}  // namespace feed_internal

using feed_internal::QuoteForError;

int HashHexLength(HashType type) {
  switch (type) {
    case HashType::kPdq:
    case HashType::kSha256:
      return 64;
    case HashType::kMd5:
      return 32;
    case HashType::kSha1:
      return 40;
    case HashType::kVpdq:
      return 0;
  }
  return 0;
}

absl::Status ValidateHash(HashType type, absl::string_view hash) {
  if (HashHexLength(type) == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("hash type ", std::string(HashTypeName(type)),
                     " has no single hash (its frames carry the hashes)"));
  }
  const size_t expected = HashHexLength(type);
  if (hash.size() != expected) {
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(HashTypeName(type)), " hash ", QuoteForError(hash), " has ",
        hash.size(), " hex digits, expected ", expected));
  }
  if (!IsLowercaseHex(std::string_view(hash.data(), hash.size()))) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(HashTypeName(type)), " hash ",
                     QuoteForError(hash), " is not lowercase hex"));
  }
  return absl::OkStatus();
}

absl::Status ValidateFrames(const std::vector<FeedFrame>& frames) {
  if (frames.empty()) {
    return absl::InvalidArgumentError("vpdq entry has no frames");
  }
  if (frames.size() > kMaxFramesPerVideo) {
    return absl::InvalidArgumentError(
        absl::StrCat("vpdq entry has ", frames.size(),
                     " frames, more than the limit of ", kMaxFramesPerVideo));
  }
  for (size_t i = 0; i < frames.size(); ++i) {
    const FeedFrame& frame = frames[i];
    const auto bad = [i](absl::string_view problem) {
      return absl::InvalidArgumentError(
          absl::StrCat("vpdq frame ", i, ": ", problem));
    };
    if (absl::Status s = ValidateHash(HashType::kPdq, frame.hash); !s.ok()) {
      return bad(s.message());
    }
    if (frame.frame_number < 0) {
      return bad(
          absl::StrCat("frame_number ", frame.frame_number, " is negative"));
    }
    if (i > 0 && frame.frame_number < frames[i - 1].frame_number) {
      return bad(absl::StrCat("frame_number ", frame.frame_number,
                              " is below the previous frame's ",
                              frames[i - 1].frame_number));
    }
    if (!std::isfinite(frame.seconds) || frame.seconds < 0) {
      return bad(absl::StrCat("seconds ", frame.seconds,
                              " is not a finite number >= 0"));
    }
  }
  return absl::OkStatus();
}

namespace {

// The hash (or, for vPDQ, the frames) of `entry`, without naming the entry.
absl::Status ValidateContent(const FeedEntry& entry) {
  if (entry.hash_type != HashType::kVpdq) {
    if (!entry.frames.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(std::string(HashTypeName(entry.hash_type)),
                       " entry has frames (only vpdq entries have)"));
    }
    return ValidateHash(entry.hash_type, entry.hash);
  }
  if (!entry.hash.empty()) {
    return absl::InvalidArgumentError(
        "vpdq entry has a hash (its frames carry the hashes)");
  }
  return ValidateFrames(entry.frames);
}

}  // namespace

absl::Status ValidateEntry(const FeedEntry& entry) {
  if (entry.entry_id.empty()) {
    return absl::InvalidArgumentError("entry has an empty entry_id");
  }
  if (entry.entry_id.size() > kMaxEntryIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("entry_id ", QuoteForError(entry.entry_id),
                     " is longer than ", kMaxEntryIdBytes, " bytes"));
  }
  if (entry.bank.size() > kMaxLabelBytes ||
      entry.category.size() > kMaxLabelBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "entry ", QuoteForError(entry.entry_id),
        ": bank or category longer than ", kMaxLabelBytes, " bytes"));
  }
  absl::Status hash_status = ValidateContent(entry);
  if (!hash_status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "entry ", QuoteForError(entry.entry_id), ": ", hash_status.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<FeedEntry> FeedEntryFromHashEntry(const HashEntry& entry) {
  FeedEntry out;
  out.entry_id = entry.entry_id;
  out.hash_type = entry.type;
  out.bank = entry.bank;
  out.category = entry.category;
  out.added_at_unix_seconds = entry.added_at;
  switch (entry.type) {
    case HashType::kPdq:
      out.hash = entry.pdq.ToHex();
      break;
    case HashType::kMd5:
    case HashType::kSha1:
    case HashType::kSha256:
      out.hash = BytesToHex(entry.digest);
      break;
    case HashType::kVpdq:
      out.frames.reserve(entry.frames.size());
      for (const VpdqFrame& frame : entry.frames) {
        out.frames.push_back(
            {frame.hash.ToHex(), frame.frame_number, frame.seconds});
      }
      break;
  }
  if (absl::Status s = ValidateEntry(out); !s.ok()) return s;
  return out;
}

absl::StatusOr<HashEntry> HashEntryFromFeedEntry(const FeedEntry& entry,
                                                 absl::string_view feed_id) {
  if (absl::Status s = ValidateEntry(entry); !s.ok()) return s;
  HashEntry out;
  out.type = entry.hash_type;
  out.entry_id = entry.entry_id;
  out.bank = entry.bank;
  out.category = entry.category;
  out.source_feed = std::string(feed_id);
  out.added_at = entry.added_at_unix_seconds;
  if (entry.hash_type == HashType::kPdq) {
    absl::StatusOr<PdqHash> pdq = PdqHash::FromHex(entry.hash);
    if (!pdq.ok()) return pdq.status();
    out.pdq = *pdq;
  } else if (entry.hash_type == HashType::kVpdq) {
    out.frames.reserve(entry.frames.size());
    for (const FeedFrame& frame : entry.frames) {
      absl::StatusOr<PdqHash> pdq = PdqHash::FromHex(frame.hash);
      if (!pdq.ok()) return pdq.status();
      out.frames.push_back({*pdq, frame.frame_number, frame.seconds});
    }
  } else {
    absl::StatusOr<std::string> digest =
        ParseHexBytes(entry.hash, entry.hash.size() / 2, "digest");
    if (!digest.ok()) return digest.status();
    out.digest = *std::move(digest);
  }
  return out;
}

}  // namespace clearmatch
