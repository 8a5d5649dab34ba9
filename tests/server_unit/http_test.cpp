// Request-target parsing, gzip and configuration documents (http_message.h, gzip.h, config.h).
#include <gtest/gtest.h>

#include "rego/json.h"
#include "server/config.h"
#include "server/gzip.h"
#include "server/http_message.h"

namespace trex::server {
namespace {

TEST(HttpMessage, ParsesTargetAndQuery) {
  HttpRequest r;
  r.target = "/v1/data/a%2Fb?pretty=true&input=%7B%22x%22%3A1%7D&q=a+b&flag&empty=";
  ASSERT_TRUE(parse_target(r));
  EXPECT_EQ(r.path, "/v1/data/a%2Fb");  // the path stays encoded: the API decodes per segment
  EXPECT_EQ(r.params("input").at(0), "{\"x\":1}");
  EXPECT_EQ(r.params("q").at(0), "a b");
  EXPECT_TRUE(r.has_param("flag"));
  EXPECT_EQ(r.params("flag").at(0), "");
  EXPECT_FALSE(r.has_param("missing"));
  r.target = "/x?bad=%G1";
  EXPECT_FALSE(parse_target(r));
}

TEST(Gzip, RoundTripsAndBoundsOutput) {
  std::string text(100000, 'a');
  std::string packed = gzip_compress(text, 6);
  EXPECT_LT(packed.size(), 1000u);
  std::string out;
  EXPECT_EQ(gzip_decompress(packed, 1 << 20, out), GunzipStatus::Ok);
  EXPECT_EQ(out, text);
  EXPECT_EQ(gzip_decompress(packed, 5000, out), GunzipStatus::TooLarge);
  EXPECT_EQ(gzip_decompress("plain", 1000, out), GunzipStatus::Corrupt);
  EXPECT_EQ(gzip_decompress(packed.substr(0, packed.size() / 2), 1 << 20, out), GunzipStatus::Corrupt);
}

TEST(Gzip, AcceptEncoding) {
  EXPECT_TRUE(accepts_gzip("gzip"));
  EXPECT_TRUE(accepts_gzip("deflate, gzip;q=0.5"));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("deflate"));
  EXPECT_FALSE(accepts_gzip(""));
}

TEST(Config, SetOverridesAreTyped) {
  rego::Value raw = rego::Value::empty_object();
  std::string error;
  ASSERT_TRUE(apply_set(raw, "decision_logs.console=true", error)) << error;
  ASSERT_TRUE(apply_set(raw, "server.limits.max_connections=5,labels.team=payments", error)) << error;
  EXPECT_EQ(rego::json::write(raw),
            R"({"decision_logs":{"console":true},"labels":{"team":"payments"},"server":{"limits":{"max_connections":5}}})");
  EXPECT_FALSE(apply_set(raw, "novalue", error));
  ServerConfig cfg;
  ASSERT_TRUE(parse_config(raw, cfg, error)) << error;
  EXPECT_TRUE(cfg.decision_logs_console);
  EXPECT_EQ(cfg.http.max_connections, 5u);
  ASSERT_TRUE(apply_set(raw, "server.limits.max_connections=many", error));
  EXPECT_FALSE(parse_config(raw, cfg, error));
  EXPECT_EQ(error, "invalid configuration: server.limits.max_connections must be a non-negative integer");
}

TEST(Config, ActiveConfigDropsSecrets) {
  auto raw = rego::json::parse(
      R"({"services": {"s": {"url": "u", "credentials": {"bearer": {"token": "t"}}}},
          "keys": {"k": {"algorithm": "RS256", "key": "pub", "private_key": "priv"}}})").value;
  ServerConfig cfg;
  std::string error;
  ASSERT_TRUE(parse_config(raw, cfg, error));
  std::string out = rego::json::write(active_config(cfg));
  EXPECT_EQ(out.find("\"t\""), std::string::npos);
  EXPECT_EQ(out.find("priv"), std::string::npos);
  EXPECT_NE(out.find("\"url\":\"u\""), std::string::npos);
  EXPECT_NE(out.find("\"default_decision\":\"/system/main\""), std::string::npos);
}

}  // namespace
}  // namespace trex::server
