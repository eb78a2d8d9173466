// MultiHashIndex::Serialize and Deserialize: the codes and tables as bytes.
#include <bit>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/byte_reader.h"
#include "common/byte_writer.h"
#include "common/status_macros.h"
#include "index/multi_hash_index.h"
#include "index/multi_hash_tables.h"

namespace clearmatch {
namespace {

using index_internal::MultiHashTable;

static_assert(std::endian::native == std::endian::little,
              "Serialize() writes the host's little-endian integers");

constexpr char kMagic[8] = {'C', 'M', 'M', 'I', 'H', '0', '0', '1'};

struct Header {
  uint32_t num_substrings = 0;
  uint64_t count = 0;
};

// The header: INVALID_ARGUMENT for another format, DATA_LOSS if truncated
// or out of range.
absl::StatusOr<Header> ReadHeader(ByteReader& reader) {
  char magic[sizeof(kMagic)];
  if (!reader.GetArray(sizeof(magic), magic).ok() ||
      std::memcmp(magic, kMagic, sizeof(kMagic)) != 0) {
    return absl::InvalidArgumentError(
        "bytes are not a serialized MultiHashIndex (bad header)");
  }
  uint32_t words[2] = {0, 0};
  Header header;
  if (!reader.GetArray(2, words).ok() || !reader.Get(&header.count).ok()) {
    return absl::DataLossError("MultiHashIndex header is truncated");
  }
  header.num_substrings = words[0];
  if (words[0] < MultiHashIndex::kMinSubstrings ||
      words[0] > MultiHashIndex::kMaxSubstrings || words[1] != 0) {
    return absl::DataLossError(
        absl::StrCat("MultiHashIndex header has an invalid substring count ",
                     words[0], " or reserved word ", words[1]));
  }
  return header;
}

}  // namespace

// Layout: magic[8], uint32 num_substrings, uint32 zero, uint64 ntotal,
// codes[ntotal * 32], then per table offsets[2^bits + 1] and ids[ntotal] as
// uint32.
std::string MultiHashIndex::Serialize() const {
  std::string out;
  ByteWriter w(&out);
  w.PutBytes(kMagic, sizeof(kMagic));
  w.Put(static_cast<uint32_t>(num_substrings()));
  w.Put(uint32_t{0});
  w.Put(static_cast<uint64_t>(ntotal));
  w.PutArray(codes_);
  for (const MultiHashTable& table : tables_) {
    w.PutArray(table.offsets);
    w.PutArray(table.ids);
  }
  return out;
}

absl::StatusOr<std::unique_ptr<MultiHashIndex>> MultiHashIndex::Deserialize(
    absl::Span<const uint8_t> bytes) {
  ByteReader reader(
      absl::string_view(reinterpret_cast<const char*>(bytes.data()),
                        bytes.size()),
      "MultiHashIndex");
  CM_ASSIGN_OR_RETURN(const Header header, ReadHeader(reader));
  const uint32_t m = header.num_substrings;
  const uint64_t count = header.count;
  std::vector<MultiHashTable> tables =
      index_internal::MakeTables(static_cast<int>(m));
  // The exact size, computed without overflow: count is bounded first.
  if (count > std::numeric_limits<uint32_t>::max() ||
      count > reader.remaining() / kCodeBytes) {
    return absl::DataLossError(absl::StrCat("MultiHashIndex declares ", count,
                                            " codes but holds ",
                                            reader.remaining(), " bytes"));
  }
  size_t expected = count * kCodeBytes;
  for (const MultiHashTable& table : tables) {
    expected += ((size_t{1} << table.bits) + 1 + count) * sizeof(uint32_t);
  }
  if (reader.remaining() != expected) {
    return absl::DataLossError(absl::StrCat(
        "MultiHashIndex with ", count, " codes and ", m, " substrings needs ",
        expected, " bytes after the header, got ", reader.remaining()));
  }
  auto index = std::unique_ptr<MultiHashIndex>(
      new MultiHashIndex(kDimension, static_cast<int>(m)));
  index->codes_.resize(count * kCodeBytes);
  CM_RETURN_IF_ERROR(
      reader.GetArray(index->codes_.size(), index->codes_.data()));
  for (MultiHashTable& table : tables) {
    table.offsets.resize((size_t{1} << table.bits) + 1);
    table.ids.resize(count);
    CM_RETURN_IF_ERROR(
        reader.GetArray(table.offsets.size(), table.offsets.data()));
    CM_RETURN_IF_ERROR(reader.GetArray(table.ids.size(), table.ids.data()));
  }
  CM_RETURN_IF_ERROR(
      index_internal::ValidateTables(index->codes_.data(), count, tables));
  index->tables_ = std::move(tables);
  index->ntotal = static_cast<idx_t>(count);
  return index;
}

}  // namespace clearmatch
