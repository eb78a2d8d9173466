// Feed file formats: record stream codec and manifest checks.
#include "feed/feed_format.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace clearmatch {
namespace {

using feed_internal::QuoteForError;

void AppendVarint(uint64_t value, std::string& out) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

// Reads a varint at `pos`, advancing it; false if truncated or longer than
// 10 bytes.
bool ReadVarint(absl::string_view bytes, size_t& pos, uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos >= bytes.size()) return false;
    const uint8_t b = static_cast<uint8_t>(bytes[pos++]);
    value |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

v1::HashType ToProto(HashType type) {
  switch (type) {
    case HashType::kPdq:
      return v1::HASH_TYPE_PDQ;
    case HashType::kMd5:
      return v1::HASH_TYPE_MD5;
    case HashType::kSha1:
      return v1::HASH_TYPE_SHA1;
    case HashType::kSha256:
      return v1::HASH_TYPE_SHA256;
    case HashType::kVpdq:
      return v1::HASH_TYPE_VPDQ;
  }
  return v1::HASH_TYPE_UNSPECIFIED;
}

absl::StatusOr<HashType> FromProto(int type) {
  switch (type) {
    case v1::HASH_TYPE_PDQ:
      return HashType::kPdq;
    case v1::HASH_TYPE_MD5:
      return HashType::kMd5;
    case v1::HASH_TYPE_SHA1:
      return HashType::kSha1;
    case v1::HASH_TYPE_SHA256:
      return HashType::kSha256;
    case v1::HASH_TYPE_VPDQ:
      return HashType::kVpdq;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("unknown hash_type ", type));
  }
}

std::vector<FeedFrame> FramesFromProto(const v1::FeedRecord& record) {
  std::vector<FeedFrame> frames;
  frames.reserve(record.frames_size());
  for (const v1::FeedFrame& frame : record.frames()) {
    frames.push_back({frame.hash(), frame.frame_number(), frame.seconds()});
  }
  return frames;
}

void FramesToProto(const std::vector<FeedFrame>& frames,
                   v1::FeedRecord& record) {
  record.mutable_frames()->Reserve(static_cast<int>(frames.size()));
  for (const FeedFrame& frame : frames) {
    v1::FeedFrame* out = record.add_frames();
    out->set_hash(frame.hash);
    out->set_frame_number(frame.frame_number);
    out->set_seconds(frame.seconds);
  }
}

absl::StatusOr<FeedChange> FromProto(const v1::FeedRecord& record) {
  FeedChange change;
  change.entry.entry_id = record.entry_id();
  change.entry.hash = record.hash();
  change.entry.frames = FramesFromProto(record);
  change.entry.bank = record.bank();
  change.entry.category = record.category();
  change.entry.added_at_unix_seconds = record.added_at_unix_seconds();
  switch (record.op()) {
    case v1::FeedRecord::OP_ADD: {
      change.op = FeedChange::Op::kAdd;
      absl::StatusOr<HashType> type = FromProto(record.hash_type());
      if (!type.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("entry ", QuoteForError(record.entry_id()), ": ",
                         type.status().message()));
      }
      change.entry.hash_type = *type;
      if (absl::Status s = ValidateEntry(change.entry); !s.ok()) return s;
      return change;
    }
    case v1::FeedRecord::OP_REMOVE: {
      change.op = FeedChange::Op::kRemove;
      if (record.entry_id().empty() ||
          record.entry_id().size() > kMaxEntryIdBytes) {
        return absl::InvalidArgumentError(
            absl::StrCat("remove record has an empty or oversized entry_id ",
                         QuoteForError(record.entry_id())));
      }
      // The hash of a removal is informational; if given it must be valid
      // (a vPDQ removal may leave its frames out).
      if (record.hash_type() != v1::HASH_TYPE_UNSPECIFIED ||
          !record.hash().empty() || record.frames_size() > 0) {
        absl::StatusOr<HashType> type = FromProto(record.hash_type());
        if (!type.ok()) return type.status();
        change.entry.hash_type = *type;
        const bool bare_vpdq = *type == HashType::kVpdq &&
                               record.frames_size() == 0 &&
                               record.hash().empty();
        if (absl::Status s = ValidateEntry(change.entry);
            !s.ok() && !bare_vpdq) {
          return s;
        }
      }
      return change;
    }
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("unknown op ", static_cast<int>(record.op()),
                       " for entry ", QuoteForError(record.entry_id())));
  }
}

bool IsLowerHex(absl::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

absl::Status ValidateFeedFile(const v1::FeedFile& file,
                              absl::string_view what) {
  if (absl::Status s = ValidateFeedPath(file.path()); !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", file.sequence(), ": ", s.message()));
  }
  if (file.sha256().size() != 64 || !IsLowerHex(file.sha256())) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", file.sequence(), ": sha256 ",
                     QuoteForError(file.sha256()), " is not 64 hex digits"));
  }
  if (file.sequence() == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", QuoteForError(file.path()), " has sequence 0"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string EncodeFeedRecords(const std::vector<FeedChange>& changes) {
  std::string out;
  out.reserve(changes.size() * 120);
  v1::FeedRecord record;
  std::string buffer;
  for (const FeedChange& change : changes) {
    record.Clear();
    record.set_op(change.op == FeedChange::Op::kAdd
                      ? v1::FeedRecord::OP_ADD
                      : v1::FeedRecord::OP_REMOVE);
    record.set_entry_id(change.entry.entry_id);
    // A removal's hash is informational: written when it has one, and a
    // video's type also without its frames (DecodeFeedRecords reads that).
    if (change.op == FeedChange::Op::kAdd || !change.entry.hash.empty() ||
        !change.entry.frames.empty() ||
        change.entry.hash_type == HashType::kVpdq) {
      record.set_hash_type(ToProto(change.entry.hash_type));
      record.set_hash(change.entry.hash);
      FramesToProto(change.entry.frames, record);
    }
    record.set_bank(change.entry.bank);
    record.set_category(change.entry.category);
    record.set_added_at_unix_seconds(change.entry.added_at_unix_seconds);
    buffer.clear();
    record.SerializeToString(&buffer);
    AppendVarint(buffer.size(), out);
    out.append(buffer);
  }
  return out;
}

absl::StatusOr<std::vector<FeedChange>> DecodeFeedRecords(
    absl::string_view bytes) {
  std::vector<FeedChange> changes;
  // A record takes at least ~70 bytes (a 32-digit hash and framing); this
  // bounds the reservation by the input size.
  changes.reserve(bytes.size() / 70);
  v1::FeedRecord record;
  size_t pos = 0;
  while (pos < bytes.size()) {
    const size_t index = changes.size();
    uint64_t length = 0;
    if (!ReadVarint(bytes, pos, length)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "record ", index, ": truncated or invalid length prefix"));
    }
    if (length > static_cast<uint64_t>(kMaxVpdqRecordBytes)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "record ", index, ": length ", length, " exceeds the limit of ",
          kMaxVpdqRecordBytes, " bytes"));
    }
    if (length > bytes.size() - pos) {
      return absl::InvalidArgumentError(
          absl::StrCat("record ", index, ": length ", length, " but only ",
                       bytes.size() - pos, " bytes left (truncated file)"));
    }
    if (!record.ParseFromArray(bytes.data() + pos, static_cast<int>(length))) {
      return absl::InvalidArgumentError(
          absl::StrCat("record ", index, ": not a valid FeedRecord message"));
    }
    pos += length;
    // Only a video's frame list may be longer than a hash record.
    if (length > static_cast<uint64_t>(kMaxRecordBytes) &&
        record.hash_type() != v1::HASH_TYPE_VPDQ) {
      return absl::InvalidArgumentError(absl::StrCat(
          "record ", index, ": length ", length, " exceeds the limit of ",
          kMaxRecordBytes, " bytes for a record without vpdq frames"));
    }
    absl::StatusOr<FeedChange> change = FromProto(record);
    if (!change.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("record ", index, ": ", change.status().message()));
    }
    changes.push_back(*std::move(change));
  }
  return changes;
}

absl::Status ValidateFeedPath(absl::string_view path) {
  if (path.empty() || path.size() > 256 || path.front() == '/') {
    return absl::InvalidArgumentError(absl::StrCat(
        "path ", QuoteForError(path), " is empty, too long or absolute"));
  }
  for (char c : path) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                    c == '-' || c == '/';
    if (!ok) {
      return absl::InvalidArgumentError(
          absl::StrCat("path ", QuoteForError(path),
                       " has a character outside [A-Za-z0-9._/-]"));
    }
  }
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (part.empty() || part == "." || part == "..") {
      return absl::InvalidArgumentError(
          absl::StrCat("path ", QuoteForError(path),
                       " has an empty, '.' or '..' component"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateFeedId(absl::string_view feed_id) {
  bool ok = !feed_id.empty() && feed_id.size() <= kMaxFeedIdBytes;
  for (char c : feed_id) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-');
  }
  if (!ok) {
    return absl::InvalidArgumentError(
        absl::StrCat("feed id ", QuoteForError(feed_id),
                     " must be 1..128 characters of [A-Za-z0-9._-]"));
  }
  return absl::OkStatus();
}

absl::Status ValidateManifest(const v1::FeedManifest& manifest) {
  if (manifest.format_version() != kFeedFormatVersion) {
    return absl::InvalidArgumentError(
        absl::StrCat("manifest format_version ", manifest.format_version(),
                     " is not supported (expected ", kFeedFormatVersion, ")"));
  }
  if (absl::Status s = ValidateFeedId(manifest.feed_id()); !s.ok()) return s;
  if (manifest.expires_at_unix_seconds() <=
      manifest.created_at_unix_seconds()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "manifest expires (", manifest.expires_at_unix_seconds(),
        ") before it was created (", manifest.created_at_unix_seconds(), ")"));
  }
  if (manifest.deltas_size() > kMaxManifestFiles) {
    return absl::InvalidArgumentError(
        absl::StrCat("manifest lists ", manifest.deltas_size(),
                     " deltas, more than the limit of ", kMaxManifestFiles));
  }
  for (int i = 0; i < manifest.deltas_size(); ++i) {
    const v1::FeedFile& delta = manifest.deltas(i);
    if (absl::Status s = ValidateFeedFile(delta, "delta"); !s.ok()) return s;
    if (i > 0 && delta.sequence() != manifest.deltas(i - 1).sequence() + 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("manifest deltas are not contiguous: delta ",
                       manifest.deltas(i - 1).sequence(),
                       " is followed by delta ", delta.sequence()));
    }
  }
  const bool has_snapshot = manifest.has_snapshot();
  if (has_snapshot) {
    if (absl::Status s = ValidateFeedFile(manifest.snapshot(), "snapshot");
        !s.ok()) {
      return s;
    }
  }
  uint64_t newest = 0;
  if (manifest.deltas_size() > 0) {
    newest = manifest.deltas(manifest.deltas_size() - 1).sequence();
    if (has_snapshot &&
        manifest.snapshot().sequence() + 1 < manifest.deltas(0).sequence()) {
      return absl::InvalidArgumentError(
          absl::StrCat("snapshot ", manifest.snapshot().sequence(),
                       " leaves a gap before the first delta ",
                       manifest.deltas(0).sequence()));
    }
  } else if (has_snapshot) {
    newest = manifest.snapshot().sequence();
  }
  if (has_snapshot && manifest.snapshot().sequence() > manifest.sequence()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "snapshot ", manifest.snapshot().sequence(),
        " is newer than the manifest sequence ", manifest.sequence()));
  }
  if (newest != manifest.sequence()) {
    return absl::InvalidArgumentError(
        absl::StrCat("manifest sequence ", manifest.sequence(),
                     " does not match its newest file (", newest, ")"));
  }
  return absl::OkStatus();
}

}  // namespace clearmatch
