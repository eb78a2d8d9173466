// ByteWriter: appends values to a byte string in memory order (the
// little-endian files of index/ are written with it; see ByteReader).
//
//   std::string out;
//   ByteWriter w(&out);
//   w.Put(uint32_t{2});
//   w.PutArray(offsets);   // std::vector<uint32_t>, as it is in memory
#ifndef CLEARMATCH_COMMON_BYTE_WRITER_H_
#define CLEARMATCH_COMMON_BYTE_WRITER_H_

#include <cstddef>
#include <string>
#include <type_traits>
#include <vector>

namespace clearmatch {

// Borrows `out`, which must outlive it. Not thread-safe.
class ByteWriter {
 public:
  explicit ByteWriter(std::string* out) : out_(out) {}

  // The bytes of `value` (a trivially copyable type without padding).
  template <typename T>
  void Put(T value) {
    static_assert(std::is_trivially_copyable_v<T>);
    PutBytes(&value, sizeof(value));
  }
  // Every element's bytes, in order (size() * sizeof(T) bytes).
  template <typename T>
  void PutArray(const std::vector<T>& values) {
    static_assert(std::is_trivially_copyable_v<T>);
    PutBytes(values.data(), values.size() * sizeof(T));
  }
  void PutBytes(const void* data, size_t size) {
    out_->append(static_cast<const char*>(data), size);
  }

 private:
  std::string* out_;
};

}  // namespace clearmatch

#endif  // CLEARMATCH_COMMON_BYTE_WRITER_H_
