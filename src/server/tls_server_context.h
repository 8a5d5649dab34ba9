// The server's TLS context, built from its files (--tls-cert-file, --tls-private-key-file, --tls-ca-cert-file)
// and rebuilt when they change on disk, as OPA's certificate refresh: the transport asks `refresh()`
// periodically; a changed, valid set of files gives a new context for the connections accepted from then
// on (those already open keep theirs), while a changed but unusable set (a certificate without its key, a
// half-written file) keeps the current context and is reported once, not at every check.
//
// OpenSSL only: the transport (http_server.cpp) wraps the SSL_CTX for its streams.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

typedef struct ssl_ctx_st SSL_CTX;

namespace trex::server {

struct TlsServerFiles {
  std::string cert_file;  // certificate chain, PEM
  std::string key_file;   // its private key, PEM
  std::string ca_file;    // CAs that sign client certificates; set = clients must present one (mTLS)
  std::string min_version = "1.2";  // "1.2" or "1.3"
};

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const;
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

// A server SSL_CTX from the files: certificate and key (which must match), the minimum version and, with a
// CA file, required and verified client certificates. Null with `error` set when a file is missing or bad.
SslCtxPtr make_server_ssl_ctx(const TlsServerFiles& files, std::string& error);

class TlsServerContext {
 public:
  enum class Refresh { Unchanged, Reloaded, Failed };

  explicit TlsServerContext(TlsServerFiles files) : files_(std::move(files)) {}

  // The first load; its errors are startup errors. The context is then taken with take_new().
  bool load(std::string& error);

  // Compares the files' contents (SHA-256) with those of the current context. Reloaded: a new context waits
  // in take_new(). Failed: `message` says why, the current context stays (and this content is not retried
  // until it changes again).
  Refresh refresh(std::string& message);

  // The context built by the last successful load() or refresh(), once.
  SslCtxPtr take_new();

 private:
  using Digest = std::string;  // SHA-256 of a file's content
  struct Digests {
    std::optional<Digest> cert, key, ca;
    bool operator==(const Digests&) const = default;
  };
  bool digest_files(Digests& out, std::string& error) const;

  TlsServerFiles files_;
  Digests current_;
  // The last failed reload (the content, or the error when a file could not be read): not reported again.
  std::optional<Digests> failed_;
  std::string failed_error_;
  SslCtxPtr pending_;
  std::mutex mu_;
};

}  // namespace trex::server
