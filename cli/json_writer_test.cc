#include "cli/json_writer.h"

#include "gtest/gtest.h"

namespace clearmatch::cli {
namespace {

TEST(JsonWriterTest, EscapesPerRfc8259) {
  EXPECT_EQ(JsonQuote("plain"), "\"plain\"");
  EXPECT_EQ(JsonQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonQuote("line\nnext\ttab"), "\"line\\nnext\\ttab\"");
  EXPECT_EQ(JsonQuote(std::string_view("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
  EXPECT_EQ(JsonQuote("caf\xc3\xa9"), "\"caf\xc3\xa9\"");  // valid UTF-8 kept
  EXPECT_EQ(JsonQuote("bad\xff"), "\"bad\\ufffd\"");       // invalid replaced
  EXPECT_EQ(JsonQuote("\xc3"), "\"\\ufffd\"");             // truncated sequence
  EXPECT_EQ(JsonQuote("\xed\xa0\x80"),
            "\"\\ufffd\\ufffd\\ufffd\"");  // surrogate
}

TEST(JsonWriterTest, BuildsOneObjectInOrder) {
  JsonObjectWriter json;
  json.Add("file", "a.jpg")
      .Add("quality", 100)
      .Add("list", std::vector<std::string>{"x", "y"});
  json.AddFixed("seconds", 1.5, 3).AddRaw("nested", "{\"k\": 1}");
  EXPECT_EQ(json.Finish(),
            "{\"file\": \"a.jpg\", \"quality\": 100, \"list\": [\"x\", \"y\"], "
            "\"seconds\": 1.500, \"nested\": {\"k\": 1}}");
  EXPECT_EQ(JsonObjectWriter().Finish(), "{}");
}

}  // namespace
}  // namespace clearmatch::cli
