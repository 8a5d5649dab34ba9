// Data files: small JSON documents are read as plain Values, big ones packed (load/documents.h); both read
// the same document, and malformed text is an error either way.
#include "load/documents.h"

#include <gtest/gtest.h>

#include "rego/json.h"

namespace trex::load {
namespace {

// {"items": [{"id": 0, "name": "item-0"}, ...]} of at least `bytes` bytes.
std::string document_of_size(size_t bytes) {
  std::string text = R"({"items": [)";
  for (size_t i = 0; text.size() < bytes; ++i) {
    const std::string n = std::to_string(i);
    text += (i ? "," : "") + std::string(R"({"id": )") + n + R"(, "name": "item-)" + n + "\"}";
  }
  return text + "]}";
}

TEST(DataFiles, SmallDocumentsArePlainAndBigOnesPacked) {
  for (size_t size : {size_t{100}, kPackedDocumentBytes - 100, kPackedDocumentBytes + 100}) {
    std::string text = document_of_size(size);
    std::string error;
    auto doc = parse_data_file("data.json", text, error);
    ASSERT_TRUE(doc) << error;
    EXPECT_EQ(doc->is_packed_view(), text.size() >= kPackedDocumentBytes) << text.size() << " bytes";
    EXPECT_EQ(*doc, rego::json::parse(text).value) << text.size() << " bytes";
  }
}

TEST(DataFiles, MalformedJsonIsAnErrorAtAnySize) {
  for (size_t size : {size_t{100}, kPackedDocumentBytes + 100}) {
    std::string text = document_of_size(size);
    text.pop_back();  // the closing brace
    std::string error;
    EXPECT_FALSE(parse_data_file("data.json", text, error)) << text.size() << " bytes";
    EXPECT_FALSE(error.empty());
  }
}

}  // namespace
}  // namespace trex::load
