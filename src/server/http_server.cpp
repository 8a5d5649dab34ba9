// The Beast transport (http_server.h). One io_context per thread; the acceptor lives on the first and hands
// each new connection to the next loop in turn, so connections spread evenly and a session never changes
// thread (no strands, no locks on the request path). A request is read header-first so that
// `Expect: 100-continue` (sent by curl for larger bodies) is answered at once instead of after a client-side
// delay.
#include "server/http_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/version.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <time.h>
#include <unordered_set>
#include <vector>

#include "server/gzip.h"
#include "server/tls_server_context.h"

namespace trex::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

class SessionBase;

// The clock of the connections' deadlines: steady_clock's clock (CLOCK_MONOTONIC) as of the kernel's last tick,
// a few milliseconds behind, read without the time counter that makes a precise read cost several times more
// (three reads per request). A deadline of seconds comes due milliseconds early at most.
std::chrono::steady_clock::time_point coarse_now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return std::chrono::steady_clock::time_point(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
}

// ASCII case folding, as HTTP field names want (std::tolower is a libc call per byte, and locale-dependent).
char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

// Boost 1.74's string_view is not std::string_view.
std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

using namespace std::string_view_literals;

// Appends "Name: value\r\n", leaving out CR and LF so that no value can start a header or a body of its own.
void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": "sv);
  auto line_break = [](char c) { return c == '\r' || c == '\n'; };
  if (std::none_of(value.begin(), value.end(), line_break)) {
    out.append(value);  // the usual case: one copy
  } else {
    for (char c : value)
      if (!line_break(c)) out.push_back(c);
  }
  out.append("\r\n"sv);
}

// The status line and headers of a response, as Beast's serializer would write them for the same message
// (its reason phrases; Content-Length except on 204 and 304; Connection where the version's default differs
// from what happens next), written straight into one reused string: the response then goes out in a single
// gather write of head and body, where Beast's serializer walked a buffer sequence of every field (about a
// tenth of a small request's instructions).
void write_response_head(std::string& head, const HttpResponse& out, unsigned version, bool keep_alive,
                         bool gzipped, bool no_body, size_t body_size) {
  head.clear();
  head.append(version == 10 ? "HTTP/1.0 "sv : "HTTP/1.1 "sv);
  head.append(std::to_string(out.status)).push_back(' ');
  head.append(sv(http::obsolete_reason(static_cast<http::status>(out.status)))).append("\r\n"sv);
  if (!out.content_type.empty() && !no_body) append_field(head, "Content-Type", out.content_type);
  for (const auto& [name, value] : out.headers) append_field(head, name, value);
  if (gzipped) {
    append_field(head, "Content-Encoding", "gzip");
    append_field(head, "Vary", "Accept-Encoding");
  }
  if (version == 10 && keep_alive) append_field(head, "Connection", "keep-alive");
  if (version != 10 && !keep_alive) append_field(head, "Connection", "close");
  if (!no_body) append_field(head, "Content-Length", std::to_string(body_size));
  head.append("\r\n"sv);
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions o, HttpHandler h, HttpErrorBody e)
      : opts(std::move(o)), handler(std::move(h)), error_body(std::move(e)) {
    int n = opts.threads > 0 ? opts.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    for (int i = 0; i < n; ++i) {
      loops.push_back(std::make_unique<net::io_context>(1));
      guards.emplace_back(net::make_work_guard(*loops.back()));
    }
  }
  // A server stopped at the end of its grace period can still have sessions, owned by handlers waiting in the
  // loops (a decision answered from the blocking pool after the loops stopped posts one), and a session
  // takes itself out of `sessions` when it goes. Members are destroyed in reverse order, which would destroy
  // `sessions` and its mutex before the loops and their handlers: so the loops go first here (after what is
  // bound to them), while everything a departing session touches is still alive.
  ~Impl() {
    acceptor.reset();
    drain_timer.reset();
    signals.reset();
    tls_timer.reset();
    guards.clear();
    loops.clear();
  }

  bool listen(std::string& error);
  bool setup_tls(std::string& error);
  void schedule_tls_refresh();
  void refresh_tls();
  std::shared_ptr<net::ssl::context> current_tls();
  void accept();
  void run();
  void shutdown(std::chrono::milliseconds grace);
  void stop_loops();
  void drain(std::chrono::steady_clock::time_point deadline);
  void on_signals(std::function<void(int)> callback);

  void add(SessionBase* s) {
    std::lock_guard<std::mutex> lock(sessions_mu);
    sessions.insert(s);
  }
  void remove(SessionBase* s) {
    std::lock_guard<std::mutex> lock(sessions_mu);
    sessions.erase(s);
  }

  HttpServerOptions opts;
  HttpHandler handler;
  HttpErrorBody error_body;
  std::vector<std::unique_ptr<net::io_context>> loops;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<net::steady_timer> drain_timer;
  std::unique_ptr<net::signal_set> signals;
  size_t next_loop = 0;
  std::atomic<size_t> connections{0};
  std::atomic<bool> stopping{false};
  uint16_t bound_port = 0;
  std::mutex sessions_mu;  // taken on connect/disconnect and at shutdown only, never per request
  std::unordered_set<SessionBase*> sessions;
  // HTTPS: the files' context, refreshed by a timer on the first loop; `tls` is what new connections get.
  std::unique_ptr<TlsServerContext> tls_files;
  std::unique_ptr<net::steady_timer> tls_timer;
  std::mutex tls_mu;
  std::shared_ptr<net::ssl::context> tls;  // set when the server speaks HTTPS only; guarded by tls_mu
  HttpLog log;
};

namespace {

// What the server needs of a connection, whatever its stream (plain TCP or TLS).
class SessionBase : public std::enable_shared_from_this<SessionBase> {
 public:
  virtual ~SessionBase() = default;
  virtual void start() = 0;
  virtual void reject(const std::string& message) = 0;
  virtual void stop_if_idle() = 0;
  virtual net::any_io_executor executor() = 0;
};

// A connection's socket, bound to its loop's executor type rather than the type-erased any_io_executor, so that
// completing an operation copies no polymorphic executor. Timeouts are the session's own (Session::arm), not
// beast::tcp_stream's, which rearmed a timer for every read and write.
using Socket = net::basic_stream_socket<tcp, net::io_context::executor_type>;
using TlsStream = beast::ssl_stream<Socket>;

std::string der_of(X509* cert) {
  unsigned char* buf = nullptr;
  int len = i2d_X509(cert, &buf);
  if (len <= 0) return {};
  std::string out(reinterpret_cast<const char*>(buf), static_cast<size_t>(len));
  OPENSSL_free(buf);
  return out;
}

// The client's certificates as it sent them, leaf first (Go's PeerCertificates), once the handshake verified
// them; null when it sent none. On the server side OpenSSL's peer chain leaves the leaf out.
std::shared_ptr<const std::vector<std::string>> peer_certificates(SSL* ssl) {
  X509* leaf = SSL_get0_peer_certificate(ssl);
  if (!leaf || SSL_get_verify_result(ssl) != X509_V_OK) return nullptr;
  auto out = std::make_shared<std::vector<std::string>>();
  out->push_back(der_of(leaf));
  if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl))
    for (int i = 0; i < sk_X509_num(chain); ++i) out->push_back(der_of(sk_X509_value(chain, i)));
  return out;
}

// Beast's HTTP parser reading straight into an HttpRequest: the request line, each field (name lower-cased)
// and the body go where the handlers read them, where http::request_parser kept the fields in Beast's own
// container (a node allocated per field) for handle() to copy out again. Limits, chunked bodies, keep-alive
// and the errors are basic_parser's, as before. The few fields the transport itself acts on are noted as they
// pass (the first of each, as basic_fields::operator[] gave it).
class RequestReader final : public http::basic_parser<true> {
 public:
  explicit RequestReader(HttpRequest& into) : r_(into) {}

  unsigned version() const { return version_; }
  bool expects_continue() const { return expect_continue_; }
  bool gzipped_body() const { return gzip_body_; }
  bool accepts_gzip_response() const { return accepts_gzip_; }

 private:
  void on_request_impl(http::verb, beast::string_view method, beast::string_view target, int version,
                       beast::error_code&) override {
    r_.method.assign(method.data(), method.size());
    r_.target.assign(target.data(), target.size());
    version_ = static_cast<unsigned>(version);
  }
  void on_response_impl(int, beast::string_view, int, beast::error_code&) override {}  // requests only
  void on_field_impl(http::field f, beast::string_view name, beast::string_view value, beast::error_code&) override {
    std::string& stored = r_.headers.emplace_back(std::string(name.data(), name.size()), sv(value)).first;
    for (char& c : stored) c = ascii_lower(c);
    const bool first = !(seen_ & bit(f));
    seen_ |= bit(f);
    if (!first) return;
    if (f == http::field::expect) expect_continue_ = iequals(sv(value), "100-continue");
    else if (f == http::field::content_encoding) gzip_body_ = iequals(sv(value), "gzip");
    else if (f == http::field::accept_encoding) accepts_gzip_ = accepts_gzip(sv(value));
  }
  void on_header_impl(beast::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, beast::error_code&) override {
    if (length) r_.body.reserve(static_cast<size_t>(*length));  // at most body_limit: the parser checked
  }
  size_t on_body_impl(beast::string_view body, beast::error_code&) override {
    r_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, beast::error_code&) override {
    r_.body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(beast::error_code&) override {}

  // One bit for each of the three fields noted above (0 for the others).
  static unsigned bit(http::field f) {
    switch (f) {
      case http::field::expect: return 1;
      case http::field::content_encoding: return 2;
      case http::field::accept_encoding: return 4;
      default: return 0;
    }
  }

  HttpRequest& r_;
  unsigned version_ = 11;
  unsigned seen_ = 0;
  bool expect_continue_ = false;
  bool gzip_body_ = false;
  bool accepts_gzip_ = false;
};

// One connection: reads requests one after another (pipelined ones wait in the buffer), answers each, and
// closes on errors, timeouts and Connection: close. Stream is Socket or TlsStream.
template <class Stream>
class Session : public SessionBase {
 public:
  Session(HttpServer::Impl& server, Socket socket)
      : server_(server), stream_(std::move(socket)), timer_(socket_executor()) {
    init();
  }
  // A TLS connection keeps the context it was accepted with, even after a certificate refresh replaced it.
  Session(HttpServer::Impl& server, Socket socket, std::shared_ptr<net::ssl::context> tls)
      : server_(server), tls_(std::move(tls)), stream_(std::move(socket), *tls_), timer_(socket_executor()) {
    init();
  }
  ~Session() override {
    server_.remove(this);
    server_.connections.fetch_sub(1, std::memory_order_relaxed);
  }

  void start() override {
    server_.add(this);
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      // A client that does not complete the handshake in time (or speaks plain HTTP) is dropped.
      arm(server_.opts.read_timeout);
      stream_.async_handshake(net::ssl::stream_base::server, [self = self()](beast::error_code ec) {
        if (ec) return self->close();
        self->request_.client_certificates = peer_certificates(self->stream_.native_handle());
        self->read();
      });
    } else {
      read();
    }
  }

  // Rejects the connection at once (connection limit): one 503 response, then close.
  void reject(const std::string& message) override {
    busy_ = true;
    HttpResponse out;
    out.status = 503;
    out.body = server_.error_body(503, message);
    out.close = true;
    send(std::move(out), 11, false);
  }

  // Shutdown: a session waiting for its next request is closed now; one handling a request answers it with
  // Connection: close and then closes.
  void stop_if_idle() override {
    if (!busy_) socket().cancel();
  }

  net::any_io_executor executor() override { return stream_.get_executor(); }

 private:
  void init() {
    server_.connections.fetch_add(1, std::memory_order_relaxed);
    beast::error_code ec;
    auto ep = socket().remote_endpoint(ec);
    if (!ec) request_.remote_addr = ep.address().to_string() + ":" + std::to_string(ep.port());
    // Beast reads at most max(512, free capacity) bytes at a time, and the parser empties the buffer as it
    // copies the body out, so an empty flat_buffer stays at 512 bytes and a 0.8 KB request took two recv calls
    // and an epoll_wait. 4 KB (Go's net/http, and so OPA, reads through a 4 KB bufio.Reader per connection)
    // takes a typical request in one.
    buffer_.reserve(kReadBufferBytes);
  }

  Socket& socket() { return beast::get_lowest_layer(stream_); }
  net::io_context::executor_type socket_executor() { return socket().get_executor(); }

  // The client has until `after` from now for the operation about to start (and those after it, until the next
  // arm or disarm); then the connection is closed. The timer is only moved when the new deadline comes before
  // the one it waits for: otherwise it finds the later deadline when it fires and waits on. So a busy
  // keep-alive connection touches its timer about once per read timeout, not for every operation.
  void arm(std::chrono::milliseconds after) {
    deadline_ = coarse_now() + after;
    if (!timer_waiting_ || timer_.expiry() > deadline_) wait_for_deadline();
  }
  // No deadline while the server, not the client, is working on the request.
  void disarm() { deadline_ = std::chrono::steady_clock::time_point::max(); }

  void wait_for_deadline() {
    timer_waiting_ = true;
    timer_.expires_at(deadline_);  // a wait already pending ends with operation_aborted
    timer_.async_wait([self = self()](beast::error_code ec) {
      if (ec) return;  // superseded by a newer wait, or the connection closed
      self->timer_waiting_ = false;
      if (self->deadline_ == std::chrono::steady_clock::time_point::max()) return;
      if (std::chrono::steady_clock::now() < self->deadline_) return self->wait_for_deadline();
      self->close();  // the pending read or write ends with operation_aborted, which closes the session
    });
  }
  std::shared_ptr<Session> self() { return std::static_pointer_cast<Session>(shared_from_this()); }

  void read() {
    if (server_.stopping.load(std::memory_order_relaxed)) return close();
    busy_ = false;
    // The request is read into the session's HttpRequest, emptied but keeping its buffers' capacity (the
    // remote address and client certificates stay: they are the connection's).
    request_.method.clear();
    request_.target.clear();
    request_.path.clear();
    request_.query.clear();
    request_.headers.clear();
    request_.body.clear();
    parser_.emplace(request_);
    parser_->body_limit(server_.opts.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(server_.opts.max_header_bytes));
    // Bytes already buffered mean a pipelined request is under way: it gets the read timeout, an idle
    // keep-alive connection the (longer) idle timeout.
    arm(buffer_.size() > 0 ? server_.opts.read_timeout : server_.opts.idle_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::on_header, self()));
  }

  void on_header(beast::error_code ec, size_t) {
    busy_ = true;
    if (ec) return on_error(ec);
    arm(server_.opts.read_timeout);
    if (parser_->expects_continue() && !parser_->is_done()) {
      static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(stream_, net::buffer(kContinue, sizeof kContinue - 1),
                       [self = self()](beast::error_code wec, size_t) {
                         if (wec) return self->close();
                         self->read_body();
                       });
      return;
    }
    read_body();
  }

  void read_body() {
    if (parser_->is_done()) return on_read({}, 0);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_read, self()));
  }

  void on_read(beast::error_code ec, size_t) {
    if (ec) return on_error(ec);
    disarm();
    handle();
  }

  void on_error(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::eof)
      return close();
    if (ec == http::error::body_limit) return reply_error(413, "request body too large");
    if (ec == http::error::header_limit) return reply_error(431, "request header fields too large");
    if (ec.category() == http::make_error_code(http::error::bad_method).category())
      return reply_error(400, "malformed HTTP request: " + ec.message());
    close();
  }

  void reply_error(int status, const std::string& message) {
    HttpResponse out;
    out.status = status;
    out.body = server_.error_body(status, message);
    out.close = true;
    send(std::move(out), 11, false);
  }

  void handle() {
    HttpRequest& r = request_;
    const bool gzip_ok = parser_->accepts_gzip_response();
    const bool keep_alive = parser_->keep_alive();
    const unsigned version = parser_->version();

    HttpResponse out;
    if (parser_->gzipped_body()) {
      const std::string compressed = std::move(r.body);
      r.body.clear();
      auto status = gzip_decompress(compressed, server_.opts.max_gzip_body_bytes, r.body);
      if (status == GunzipStatus::TooLarge) {
        out.status = 413;
        out.body = server_.error_body(413, "compressed request body too large");
      } else if (status == GunzipStatus::Corrupt) {
        out.status = 400;
        out.body = server_.error_body(400, "could not decompress the body");
      }
    }
    if (out.body.empty()) {
      if (!parse_target(r)) {
        out.status = 400;
        out.body = server_.error_body(400, "malformed request target: " + r.target);
      } else {
        try {
          server_.handler(r, out);
        } catch (const std::exception& e) {
          out = HttpResponse{};
          out.status = 500;
          out.body = server_.error_body(500, std::string("internal error: ") + e.what());
        }
      }
    }
    if (out.later) {
      auto later = std::move(out.later);
      auto self = this->self();
      later([self, version, keep_alive, gzip_ok](HttpResponse done) {
        auto executor = self->executor();
        net::post(executor, [self = std::move(self), done = std::move(done), version, keep_alive, gzip_ok]() mutable {
          self->send(std::move(done), version, keep_alive, gzip_ok, /*write_now=*/true);
        });
      });
      return;
    }
    send(std::move(out), version, keep_alive, gzip_ok);
  }

  void send(HttpResponse&& out, unsigned version, bool keep_alive, bool gzip_ok = false, bool write_now = false) {
    const bool no_body = out.status == 204 || out.status == 304;
    bool gzipped = false;
    if (no_body) {
      out.body.clear();
    } else if (gzip_ok && out.body.size() >= server_.opts.gzip_min_length) {
      out.body = gzip_compress(out.body, server_.opts.gzip_level);
      gzipped = true;
    }
    body_ = std::move(out.body);
    keep_alive_ = keep_alive && !out.close && !server_.stopping.load(std::memory_order_relaxed);
    write_response_head(head_, out, version, keep_alive_, gzipped, no_body, body_.size());
    arm(server_.opts.read_timeout);
    // Written once the handlers already queued on this loop have run: the connections that were ready together
    // are answered together. Each answer that finds its client asleep wakes it (on a VM, an interrupt to another
    // core); answers sent back to back find it awake after the first, and the loop runs evaluation, then the
    // kernel's send path, each several times in a row. bench/server_load.sh (32 connections): +10-19% requests/s,
    // system time per request 15.2 -> 11.8 us; one connection: no loss. An answer that came back later (from
    // the blocking pool, or a sync decision log's checkpoint) arrives by a post already, together with the others
    // its checkpoint covers: written now, it does not wait behind the evaluations queued meanwhile.
    if (write_now) return write();
    net::post(socket_executor(), [self = self()] { self->write(); });
  }

  void write() {
    const std::array<net::const_buffer, 2> wire{net::buffer(head_), net::buffer(body_)};
    net::async_write(stream_, wire, beast::bind_front_handler(&Session::on_write, self()));
  }

  void on_write(beast::error_code ec, size_t) {
    if (ec || !keep_alive_) return close();
    read();
  }

  void close() {
    beast::error_code ec;
    socket().shutdown(tcp::socket::shutdown_send, ec);
    socket().close(ec);
    timer_.cancel();
  }

  HttpServer::Impl& server_;
  std::shared_ptr<net::ssl::context> tls_;  // before stream_: outlives it
  Stream stream_;
  net::basic_waitable_timer<std::chrono::steady_clock, net::wait_traits<std::chrono::steady_clock>,
                            net::io_context::executor_type>
      timer_;
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
  bool timer_waiting_ = false;
  static constexpr size_t kReadBufferBytes = 4096;
  beast::flat_buffer buffer_;
  // The request being read and answered; its buffers serve every request in turn. remote_addr is set when the
  // connection is accepted, client_certificates after the TLS handshake.
  HttpRequest request_;
  std::optional<RequestReader> parser_;
  std::string head_;  // the response's status line and headers; keeps its capacity from request to request
  std::string body_;
  bool busy_ = false;
  bool keep_alive_ = false;
};

}  // namespace

bool HttpServer::Impl::listen(std::string& error) {
  beast::error_code ec;
  auto address = net::ip::make_address(opts.host == "localhost" ? "127.0.0.1" : opts.host, ec);
  if (ec) {
    error = "invalid listen address \"" + opts.host + "\": " + ec.message();
    return false;
  }
  tcp::endpoint endpoint(address, opts.port);
  if (!opts.tls_cert_file.empty() && !setup_tls(error)) return false;
  acceptor = std::make_unique<tcp::acceptor>(*loops[0]);
  if (acceptor->open(endpoint.protocol(), ec) || acceptor->set_option(net::socket_base::reuse_address(true), ec) ||
      acceptor->bind(endpoint, ec) || acceptor->listen(net::socket_base::max_listen_connections, ec)) {
    error = "listen tcp " + opts.host + ":" + std::to_string(opts.port) + ": " + ec.message();
    return false;
  }
  bound_port = acceptor->local_endpoint().port();
  accept();
  return true;
}

bool HttpServer::Impl::setup_tls(std::string& error) {
  tls_files = std::make_unique<TlsServerContext>(
      TlsServerFiles{opts.tls_cert_file, opts.tls_key_file, opts.tls_ca_file, opts.min_tls_version});
  if (!tls_files->load(error)) return false;
  tls = std::make_shared<net::ssl::context>(tls_files->take_new().release());
  tls_timer = std::make_unique<net::steady_timer>(*loops[0]);
  schedule_tls_refresh();
  return true;
}

void HttpServer::Impl::schedule_tls_refresh() {
  auto period = opts.tls_refresh_period.count() > 0 ? opts.tls_refresh_period : std::chrono::milliseconds(1000);
  tls_timer->expires_after(period);
  tls_timer->async_wait([this](beast::error_code ec) {
    if (ec || stopping) return;
    refresh_tls();
    schedule_tls_refresh();
  });
}

void HttpServer::Impl::refresh_tls() {
  std::string message;
  switch (tls_files->refresh(message)) {
    case TlsServerContext::Refresh::Unchanged:
      return;
    case TlsServerContext::Refresh::Reloaded: {
      auto fresh = std::make_shared<net::ssl::context>(tls_files->take_new().release());
      {
        std::lock_guard<std::mutex> lock(tls_mu);
        tls = std::move(fresh);
      }
      if (log) log(false, message);
      return;
    }
    case TlsServerContext::Refresh::Failed:
      if (log) log(true, message);
      return;
  }
}

std::shared_ptr<net::ssl::context> HttpServer::Impl::current_tls() {
  std::lock_guard<std::mutex> lock(tls_mu);
  return tls;
}

void HttpServer::Impl::accept() {
  auto& loop = *loops[next_loop++ % loops.size()];
  acceptor->async_accept(loop.get_executor(), [this](beast::error_code ec, Socket socket) {
    if (ec) {
      if (!stopping && acceptor->is_open()) accept();
      return;
    }
    socket.set_option(tcp::no_delay(true), ec);
    std::shared_ptr<SessionBase> session;
    if (auto tls_ctx = current_tls()) session = std::make_shared<Session<TlsStream>>(*this, std::move(socket), std::move(tls_ctx));
    else session = std::make_shared<Session<Socket>>(*this, std::move(socket));
    if (connections.load(std::memory_order_relaxed) > opts.max_connections) {
      net::post(session->executor(), [session] { session->reject("too many open connections"); });
    } else {
      net::post(session->executor(), [session] { session->start(); });
    }
    accept();
  });
}

void HttpServer::Impl::run() {
  std::vector<std::thread> threads;
  for (size_t i = 1; i < loops.size(); ++i) threads.emplace_back([this, i] { loops[i]->run(); });
  loops[0]->run();
  for (auto& t : threads) t.join();
}

void HttpServer::Impl::stop_loops() {
  for (auto& g : guards) g.reset();
  for (auto& l : loops) l->stop();
}

void HttpServer::Impl::shutdown(std::chrono::milliseconds grace) {
  net::post(*loops[0], [this, grace] {
    if (stopping.exchange(true)) return;
    beast::error_code ec;
    if (acceptor) acceptor->close(ec);
    if (tls_timer) tls_timer->cancel();
    // Collected under the lock, posted after it: one of these references can turn out to be a session's
    // last (its connection closed meanwhile on another loop), and ~Session takes sessions_mu to remove
    // itself, so releasing it while the lock is held deadlocks the shutdown.
    std::vector<std::shared_ptr<SessionBase>> open;
    {
      std::lock_guard<std::mutex> lock(sessions_mu);
      for (SessionBase* s : sessions) {
        if (auto self = s->weak_from_this().lock()) open.push_back(std::move(self));  // null: being destroyed
      }
    }
    for (auto& self : open) net::post(self->executor(), [self] { self->stop_if_idle(); });
    open.clear();
    auto deadline = std::chrono::steady_clock::now() + grace;
    drain_timer = std::make_unique<net::steady_timer>(*loops[0]);
    drain(deadline);
  });
}

// Polls until every connection has closed or the grace period is over, then stops the loops.
void HttpServer::Impl::drain(std::chrono::steady_clock::time_point deadline) {
  if (connections.load() == 0 || std::chrono::steady_clock::now() >= deadline) return stop_loops();
  drain_timer->expires_after(std::chrono::milliseconds(20));
  drain_timer->async_wait([this, deadline](beast::error_code) { drain(deadline); });
}

void HttpServer::Impl::on_signals(std::function<void(int)> callback) {
  signals = std::make_unique<net::signal_set>(*loops[0], SIGINT, SIGTERM);
  signals->async_wait([callback = std::move(callback)](beast::error_code ec, int sig) {
    if (!ec) callback(sig);
  });
}

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler, HttpErrorBody error_body)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), std::move(error_body))) {}
HttpServer::~HttpServer() = default;
bool HttpServer::listen(std::string& error) { return impl_->listen(error); }
uint16_t HttpServer::port() const { return impl_->bound_port; }
void HttpServer::run() { impl_->run(); }
void HttpServer::shutdown(std::chrono::milliseconds grace) { impl_->shutdown(grace); }
size_t HttpServer::open_connections() const { return impl_->connections.load(); }
void HttpServer::on_signals(std::function<void(int)> callback) { impl_->on_signals(std::move(callback)); }
void HttpServer::on_log(HttpLog log) { impl_->log = std::move(log); }

}  // namespace trex::server
