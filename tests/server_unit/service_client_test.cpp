// Service request options (service_client.h) and the server's http.send allow-list (config.h).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "rego/json.h"
#include "server/config.h"
#include "server/service_client.h"

namespace trex::server {
namespace {

rego::Value J(const std::string& text) {
  auto r = rego::json::parse(text);
  EXPECT_TRUE(r.ok) << text;
  return r.value;
}

struct TempPem {
  std::string path = testing::TempDir() + "/service_client_test.pem";
  TempPem() { std::ofstream(path) << "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"; }
  ~TempPem() { std::remove(path.c_str()); }
};

TEST(ServiceClient, CaCertPinsUnlessSystemRootsAreRequired) {
  TempPem pem;
  ServiceRequestOptions o;
  std::string error;
  ASSERT_TRUE(service_request_options(J(R"({"url": "https://s/"})"), "s", o, error)) << error;
  EXPECT_TRUE(o.tls.use_system_roots);
  EXPECT_EQ(o.url, "https://s");

  o = {};
  ASSERT_TRUE(service_request_options(J(R"({"url": "https://s", "tls": {"ca_cert": ")" + pem.path + R"("}})"), "s", o, error));
  EXPECT_FALSE(o.tls.use_system_roots);
  EXPECT_NE(o.tls.ca_pem.find("BEGIN CERTIFICATE"), std::string::npos);

  o = {};
  ASSERT_TRUE(service_request_options(
      J(R"({"url": "https://s", "tls": {"ca_cert": ")" + pem.path + R"(", "system_ca_required": true}})"), "s", o, error));
  EXPECT_TRUE(o.tls.use_system_roots);

  o = {};
  ASSERT_TRUE(service_request_options(
      J(R"({"url": "https://s", "allow_insecure_tls": true, "credentials": {"bearer": {"token": "t"},
            "client_tls": {"cert": ")" + pem.path + R"(", "private_key": ")" + pem.path + R"(", "private_key_passphrase": "p"}}})"),
      "s", o, error)) << error;
  EXPECT_TRUE(o.tls.insecure_skip_verify);
  EXPECT_FALSE(o.tls.client_cert_pem.empty());
  EXPECT_EQ(o.tls.client_key_passphrase, "p");
  ASSERT_EQ(o.headers.size(), 1u);
  EXPECT_EQ(o.headers[0].second, "Bearer t");
}

TEST(ServiceClient, ErrorsNameTheKey) {
  ServiceRequestOptions o;
  std::string error;
  EXPECT_FALSE(service_request_options(J(R"({"url": "https://s", "tls": {"ca_cert": "/nonexistent.pem"}})"), "acme", o, error));
  EXPECT_EQ(error, "invalid configuration: services.acme.tls.ca_cert: cannot read /nonexistent.pem");
  EXPECT_FALSE(service_request_options(J(R"({"url": "https://s", "allow_insecure_tls": "yes"})"), "acme", o, error));
  EXPECT_EQ(error, "invalid configuration: services.acme.allow_insecure_tls must be a boolean");
  EXPECT_FALSE(service_request_options(J(R"({"url": "https://s", "credentials": {"client_tls": {"cert": "c"}}})"), "acme", o, error));
  EXPECT_EQ(error, "invalid configuration: services.acme.credentials.client_tls needs both cert and private_key");
  EXPECT_FALSE(service_request_options(J(R"({"headers": {}})"), "acme", o, error));
  EXPECT_EQ(error, "invalid configuration: services.acme has no url");
}

TEST(ServiceClient, FindsServicesInAMapOrAList) {
  rego::Value list = J(R"([{"name": "a", "url": "u1"}, {"name": "b", "url": "u2"}])");
  ASSERT_TRUE(find_service(list, "b"));
  EXPECT_EQ(*find_service(list, "b")->get("url"), rego::Value::string("u2"));
  EXPECT_FALSE(find_service(list, "c"));
  EXPECT_EQ(service_names(J(R"({"x": {}, "y": {}})")), (std::vector<std::string>{"x", "y"}));
}

TEST(ServerConfig, NoHostIsAllowedUnlessListed) {
  ServerConfig c;
  ASSERT_TRUE(c.allow_net);
  EXPECT_TRUE(c.allow_net->empty());
  std::string error;
  ASSERT_TRUE(parse_config(J(R"({"allow_net": ["a.example", "b.example"]})"), c, error)) << error;
  allow_net_hosts(c, {"b.example", "c.example"});
  EXPECT_EQ(*c.allow_net, (std::vector<std::string>{"a.example", "b.example", "c.example"}));
  allow_net_hosts(c, {"*"});
  EXPECT_FALSE(c.allow_net);  // every host
  ServerConfig bad;
  EXPECT_FALSE(parse_config(J(R"({"allow_net": [1]})"), bad, error));
  EXPECT_EQ(error, "invalid configuration: allow_net must be a list of host names");
}

}  // namespace
}  // namespace trex::server
