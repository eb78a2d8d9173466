#include "common/byte_reader.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace clearmatch {

absl::Status ByteReader::OutOfBytes(size_t count, size_t size) const {
  const std::string needs =
      size == 1 ? absl::StrCat(count) : absl::StrCat(count, " x ", size);
  return absl::DataLossError(absl::StrCat(what_, ": needs ", needs,
                                          " bytes at offset ", pos_, ", has ",
                                          remaining()));
}

}  // namespace clearmatch
