// The server's TLS context and its refresh (tls_server_context.h).
#include "server/tls_server_context.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "load/documents.h"
#include "rego/builtins/crypto_util.h"

namespace trex::server {

namespace {

// The reason of the last OpenSSL error ("no such file", "key values mismatch"), clearing the queue.
std::string openssl_reason() {
  unsigned long last = 0;
  while (unsigned long e = ERR_get_error()) last = e;
  if (last == 0) return "unknown error";
  const char* reason = ERR_reason_error_string(last);
  return reason ? reason : "error " + std::to_string(last);
}

}  // namespace

void SslCtxFree::operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }

SslCtxPtr make_server_ssl_ctx(const TlsServerFiles& files, std::string& error) {
  if (files.min_version != "1.2" && files.min_version != "1.3") {
    error = "invalid minimum TLS version \"" + files.min_version + "\" (1.2 or 1.3)";
    return nullptr;
  }
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) {
    error = "tls: " + openssl_reason();
    return nullptr;
  }
  SSL_CTX_set_options(ctx.get(), SSL_OP_ALL | SSL_OP_NO_COMPRESSION);
  SSL_CTX_set_min_proto_version(ctx.get(), files.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), files.cert_file.c_str()) != 1) {
    error = "tls: certificate " + files.cert_file + ": " + openssl_reason();
    return nullptr;
  }
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), files.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    error = "tls: private key " + files.key_file + ": " + openssl_reason();
    return nullptr;
  }
  // A replaced certificate whose key has not been replaced yet (or the reverse) must not become current.
  if (SSL_CTX_check_private_key(ctx.get()) != 1) {
    error = "tls: private key " + files.key_file + " does not match certificate " + files.cert_file;
    ERR_clear_error();
    return nullptr;
  }
  if (!files.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx.get(), files.ca_file.c_str(), nullptr) != 1) {
      error = "tls: CA certificates " + files.ca_file + ": " + openssl_reason();
      return nullptr;
    }
    // The CA names go into the certificate request, so clients holding several certificates pick the right one.
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.ca_file.c_str())) SSL_CTX_set_client_CA_list(ctx.get(), names);
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    // Without a session id context OpenSSL fails every resumption attempt of a verified client (curl, browsers
    // reuse sessions); with it, a resumed session keeps the verified client certificate.
    static const unsigned char kSessionContext[] = "trex";
    SSL_CTX_set_session_id_context(ctx.get(), kSessionContext, sizeof kSessionContext - 1);
  }
  ERR_clear_error();
  return ctx;
}

bool TlsServerContext::digest_files(Digests& out, std::string& error) const {
  const std::pair<const std::string*, std::optional<Digest>*> files[] = {
      {&files_.cert_file, &out.cert}, {&files_.key_file, &out.key}, {&files_.ca_file, &out.ca}};
  for (const auto& [path, digest] : files) {
    if (path->empty()) continue;
    std::string read_error;
    auto content = load::read_file(*path, read_error);
    if (!content) {
      error = "cannot read " + *path;
      return false;
    }
    *digest = rego::crypto::digest(EVP_sha256(), *content);
  }
  return true;
}

bool TlsServerContext::load(std::string& error) {
  std::lock_guard<std::mutex> lock(mu_);
  // Digests first, then the context: a file replaced in between is seen as changed at the next refresh
  // (an extra reload), never as unchanged.
  Digests digests;
  std::string ignored;
  digest_files(digests, ignored);
  pending_ = make_server_ssl_ctx(files_, error);
  if (!pending_) return false;
  current_ = digests;
  return true;
}

TlsServerContext::Refresh TlsServerContext::refresh(std::string& message) {
  std::lock_guard<std::mutex> lock(mu_);
  Digests digests;
  std::string error;
  if (!digest_files(digests, error)) {
    if (error == failed_error_) return Refresh::Unchanged;
    failed_.reset();
    failed_error_ = error;
    message = "Failed to reload TLS config, keeping the current certificate: " + error;
    return Refresh::Failed;
  }
  if (digests == current_ || (failed_ && digests == *failed_)) return Refresh::Unchanged;
  auto ctx = make_server_ssl_ctx(files_, error);
  if (!ctx) {
    failed_ = digests;
    failed_error_.clear();
    message = "Failed to reload TLS config, keeping the current certificate: " + error;
    return Refresh::Failed;
  }
  current_ = digests;
  failed_.reset();
  failed_error_.clear();
  pending_ = std::move(ctx);
  message = "TLS config reloaded";
  return Refresh::Reloaded;
}

SslCtxPtr TlsServerContext::take_new() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::move(pending_);
}

}  // namespace trex::server
