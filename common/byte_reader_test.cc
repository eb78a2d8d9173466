#include "common/byte_reader.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/byte_writer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearmatch {
namespace {

using ::testing::HasSubstr;

TEST(ByteReaderTest, ReadsWhatByteWriterWrote) {
  std::string out;
  ByteWriter w(&out);
  w.Put(uint32_t{0x01020304});
  w.Put(uint64_t{7});
  w.PutArray(std::vector<uint16_t>{5, 6, 7});
  w.PutBytes("tail", 4);
  ASSERT_EQ(out.size(), 4u + 8u + 6u + 4u);
  EXPECT_EQ(out.substr(0, 4), std::string("\x04\x03\x02\x01", 4));

  ByteReader r(out, "test bytes");
  uint32_t a;
  uint64_t b;
  uint16_t c[3];
  absl::string_view tail;
  ASSERT_TRUE(r.Get(&a).ok());
  ASSERT_TRUE(r.Get(&b).ok());
  ASSERT_TRUE(r.GetArray(3, c).ok());
  EXPECT_EQ(r.offset(), 18u);
  ASSERT_TRUE(r.GetBytes(4, &tail).ok());
  EXPECT_EQ(a, 0x01020304u);
  EXPECT_EQ(b, 7u);
  EXPECT_EQ(c[2], 7);
  EXPECT_EQ(tail, "tail");
  EXPECT_TRUE(r.done());
}

TEST(ByteReaderTest, ShortReadIsDataLossAndReadsNothing) {
  const std::string bytes("\x01\x02\x03", 3);
  ByteReader r(bytes, "removed set");
  uint16_t first;
  ASSERT_TRUE(r.Get(&first).ok());
  uint32_t value = 99;
  const absl::Status status = r.Get(&value);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(),
              HasSubstr("removed set: needs 4 bytes at offset 2, has 1"));
  EXPECT_EQ(value, 99u);
  EXPECT_EQ(r.remaining(), 1u);
  absl::string_view view;
  EXPECT_FALSE(r.GetBytes(2, &view).ok());
  // A count whose byte size overflows is refused, not wrapped.
  uint64_t big[1];
  EXPECT_EQ(r.GetArray(SIZE_MAX / 4, big).code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(r.GetBytes(1, &view).ok());
  EXPECT_TRUE(r.done());
}

}  // namespace
}  // namespace clearmatch
