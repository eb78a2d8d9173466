// Entry values as bytes.
#include "clearinghouse/entry_value_codec.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "common/byte_reader.h"
#include "common/byte_writer.h"
#include "common/status_macros.h"

namespace clearmatch {
namespace {

constexpr size_t kFrameBytes =
    PdqHash::kBytes + sizeof(int32_t) + sizeof(double);

absl::Status DecodeFrames(absl::string_view value, HashEntry* entry) {
  if (value.empty() || value.size() % kFrameBytes != 0 ||
      value.size() / kFrameBytes > kMaxFramesPerVideo) {
    return absl::DataLossError(
        absl::StrCat("vpdq value of ", value.size(), " bytes is not 1 to ",
                     kMaxFramesPerVideo, " frames of ", kFrameBytes, " bytes"));
  }
  ByteReader reader(value, "vpdq value");
  entry->frames.resize(value.size() / kFrameBytes);
  for (VpdqFrame& frame : entry->frames) {
    std::array<uint8_t, PdqHash::kBytes> bytes;
    CM_RETURN_IF_ERROR(reader.GetArray(bytes.size(), bytes.data()));
    frame.hash = PdqHash(bytes);
    CM_RETURN_IF_ERROR(reader.Get(&frame.frame_number));
    CM_RETURN_IF_ERROR(reader.Get(&frame.seconds));
  }
  return absl::OkStatus();
}

}  // namespace

std::string EncodeEntryValue(const HashEntry& entry) {
  switch (entry.type) {
    case HashType::kPdq:
      return std::string(reinterpret_cast<const char*>(entry.pdq.data()),
                         PdqHash::kBytes);
    case HashType::kMd5:
    case HashType::kSha1:
    case HashType::kSha256:
      return entry.digest;
    case HashType::kVpdq:
      break;
  }
  std::string value;
  value.reserve(entry.frames.size() * kFrameBytes);
  ByteWriter writer(&value);
  for (const VpdqFrame& frame : entry.frames) {
    writer.PutBytes(frame.hash.data(), PdqHash::kBytes);
    writer.Put(frame.frame_number);
    writer.Put(frame.seconds);
  }
  return value;
}

absl::Status DecodeEntryValue(absl::string_view value, HashEntry* entry) {
  switch (entry->type) {
    case HashType::kPdq: {
      if (value.size() != PdqHash::kBytes) break;
      std::array<uint8_t, PdqHash::kBytes> bytes;
      std::copy(value.begin(), value.end(), bytes.begin());
      entry->pdq = PdqHash(bytes);
      return absl::OkStatus();
    }
    case HashType::kMd5:
    case HashType::kSha1:
    case HashType::kSha256:
      if (value.size() != DigestLength(entry->type)) break;
      entry->digest = std::string(value);
      return absl::OkStatus();
    case HashType::kVpdq:
      return DecodeFrames(value, entry);
  }
  return absl::DataLossError(
      absl::StrCat(std::string(HashTypeName(entry->type)), " value has ",
                   value.size(), " bytes"));
}

std::string EncodeEntries(const std::vector<HashEntry>& entries) {
  std::string bytes;
  ByteWriter writer(&bytes);
  for (const HashEntry& entry : entries) {
    const std::string value = EncodeEntryValue(entry);
    writer.Put(static_cast<uint8_t>(entry.type));
    writer.Put(entry.added_at);
    writer.Put(static_cast<uint32_t>(entry.category.size()));
    writer.PutBytes(entry.category.data(), entry.category.size());
    writer.Put(static_cast<uint32_t>(value.size()));
    writer.PutBytes(value.data(), value.size());
  }
  return bytes;
}

absl::Status DecodeEntries(absl::string_view value, absl::string_view source,
                           absl::string_view entry_id,
                           std::vector<HashEntry>& out) {
  ByteReader reader(value, "entries");
  while (!reader.done()) {
    HashEntry& entry = out.emplace_back();
    entry.entry_id = std::string(entry_id);
    entry.bank = std::string(source);
    entry.source_feed = entry.bank;
    uint8_t type = 0;
    uint32_t size = 0;
    absl::string_view bytes;
    CM_RETURN_IF_ERROR(reader.Get(&type));
    if (type > static_cast<uint8_t>(HashType::kVpdq)) {
      return absl::DataLossError(absl::StrCat("unknown hash type ", type));
    }
    entry.type = static_cast<HashType>(type);
    CM_RETURN_IF_ERROR(reader.Get(&entry.added_at));
    CM_RETURN_IF_ERROR(reader.Get(&size));
    CM_RETURN_IF_ERROR(reader.GetBytes(size, &bytes));
    entry.category = std::string(bytes);
    CM_RETURN_IF_ERROR(reader.Get(&size));
    CM_RETURN_IF_ERROR(reader.GetBytes(size, &bytes));
    CM_RETURN_IF_ERROR(DecodeEntryValue(bytes, &entry));
  }
  return absl::OkStatus();
}

}  // namespace clearmatch
