// ByteReader: bounds-checked reads of values in memory order from a byte
// string, front to back (the inverse of ByteWriter).
//
//   ByteReader r(bytes, "snapshot header");
//   uint32_t version;
//   CM_RETURN_IF_ERROR(r.Get(&version));
//   absl::string_view payload;
//   CM_RETURN_IF_ERROR(r.GetBytes(size, &payload));
//   if (!r.done()) -> trailing bytes
//
// Every failure is DATA_LOSS "<what>: needs N bytes at offset P, has R" and
// reads nothing.
#ifndef CLEARMATCH_COMMON_BYTE_READER_H_
#define CLEARMATCH_COMMON_BYTE_READER_H_

#include <cstddef>
#include <cstring>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace clearmatch {

// Borrows `bytes`, which must outlive it. Not thread-safe.
class ByteReader {
 public:
  ByteReader(absl::string_view bytes, absl::string_view what)
      : bytes_(bytes), what_(what) {}

  size_t offset() const { return pos_; }
  size_t remaining() const { return bytes_.size() - pos_; }
  bool done() const { return pos_ == bytes_.size(); }

  // One value of a trivially copyable type.
  template <typename T>
  absl::Status Get(T* value) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (sizeof(T) > remaining()) return OutOfBytes(sizeof(T));
    std::memcpy(value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return absl::OkStatus();
  }
  // `count` consecutive values into out[0 .. count).
  template <typename T>
  absl::Status GetArray(size_t count, T* out) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (count > remaining() / sizeof(T)) return OutOfBytes(count, sizeof(T));
    if (count > 0) std::memcpy(out, bytes_.data() + pos_, count * sizeof(T));
    pos_ += count * sizeof(T);
    return absl::OkStatus();
  }
  // A view of the next `size` bytes (into the borrowed string).
  absl::Status GetBytes(size_t size, absl::string_view* out) {
    if (size > remaining()) return OutOfBytes(size);
    *out = bytes_.substr(pos_, size);
    pos_ += size;
    return absl::OkStatus();
  }

 private:
  // DATA_LOSS for a read of count * size bytes (the product may overflow).
  absl::Status OutOfBytes(size_t count, size_t size = 1) const;

  absl::string_view bytes_;
  absl::string_view what_;
  size_t pos_ = 0;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_COMMON_BYTE_READER_H_
