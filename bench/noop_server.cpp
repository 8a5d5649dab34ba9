// noop_server: the baseline of the server load benchmark (bench/server_load.sh): the no-op Beast handler of
// issue 4. An HTTP/1.1 server laid out like trex's transport (src/server/http_server.cpp: Boost.Beast, one
// io_context per thread, connections handed round-robin to the loops, keep-alive, TCP_NODELAY, the whole
// request read into a string body) that answers every request with a fixed `{"result":true}`, the idiomatic
// Beast way: a beast::tcp_stream with a timeout per operation, http::async_write of a response message.
// trex's transport is leaner (its own head string and one gather write, about 14k instructions a request
// less than Beast's serializer; a timer it moves about once per timeout rather than for every operation, and
// sockets bound to the loop's executor type, about 10k less; a 4 KB read buffer, where this server's stays at
// 512 bytes and reads the benchmark's request in two recv calls), so trex's throughput divided by this one's
// is the cost of routing, JSON parsing and evaluation net of those savings.
//
//   noop_server [--addr HOST:PORT] [--threads N]    # prints "listening on HOST:PORT" once bound
//
// It must stay a no-op: no parsing of the body, no allocation per request beyond what Beast needs.
#include <algorithm>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::string_view kBody = R"({"result":true})";

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket socket) : stream_(std::move(socket)) {}

  void read() {
    parser_.emplace();
    parser_->body_limit(256u << 20);
    stream_.expires_after(std::chrono::seconds(120));
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

 private:
  void on_read(beast::error_code ec, size_t) {
    if (ec) return close();
    const auto& req = parser_->get();
    res_ = {};
    res_.version(req.version());
    res_.result(http::status::ok);
    res_.set(http::field::content_type, "application/json");
    res_.body().assign(kBody);
    res_.keep_alive(req.keep_alive());
    res_.prepare_payload();
    http::async_write(stream_, res_, beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, size_t) {
    if (ec || !res_.keep_alive()) return close();
    read();
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
};

struct Server {
  std::vector<std::unique_ptr<net::io_context>> loops;
  std::unique_ptr<tcp::acceptor> acceptor;
  size_t next = 0;

  void accept() {
    auto& loop = *loops[next++ % loops.size()];
    acceptor->async_accept(loop, [this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (acceptor->is_open()) accept();
        return;
      }
      socket.set_option(tcp::no_delay(true), ec);
      auto executor = socket.get_executor();  // the loop this connection stays on
      auto session = std::make_shared<Session>(std::move(socket));
      net::post(executor, [session] { session->read(); });
      accept();
    });
  }
};

int usage() {
  std::cerr << "usage: noop_server [--addr HOST:PORT] [--threads N]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string addr = "127.0.0.1:8181";
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--addr" && i + 1 < argc) addr = argv[++i];
    else if (a == "--threads" && i + 1 < argc) threads = std::atoi(argv[++i]);
    else return usage();
  }
  auto colon = addr.rfind(':');
  if (colon == std::string::npos || threads < 1) return usage();

  Server server;
  for (int i = 0; i < threads; ++i) server.loops.push_back(std::make_unique<net::io_context>(1));
  beast::error_code ec;
  auto address = net::ip::make_address(colon == 0 ? "0.0.0.0" : addr.substr(0, colon), ec);
  if (ec) return usage();
  tcp::endpoint endpoint(address, static_cast<unsigned short>(std::atoi(addr.c_str() + colon + 1)));
  server.acceptor = std::make_unique<tcp::acceptor>(*server.loops[0]);
  if (server.acceptor->open(endpoint.protocol(), ec) ||
      server.acceptor->set_option(net::socket_base::reuse_address(true), ec) || server.acceptor->bind(endpoint, ec) ||
      server.acceptor->listen(net::socket_base::max_listen_connections, ec)) {
    std::cerr << "noop_server: listen " << addr << ": " << ec.message() << "\n";
    return 1;
  }
  auto bound = server.acceptor->local_endpoint();
  std::printf("listening on %s:%u\n", bound.address().to_string().c_str(), bound.port());
  std::fflush(stdout);
  server.accept();

  // SIGINT/SIGTERM stop every loop, so the benchmark script can end it cleanly.
  net::signal_set signals(*server.loops[0], SIGINT, SIGTERM);
  signals.async_wait([&server](beast::error_code, int) {
    for (auto& l : server.loops) l->stop();
  });

  std::vector<std::thread> pool;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  for (auto& l : server.loops) guards.emplace_back(net::make_work_guard(*l));
  for (size_t i = 1; i < server.loops.size(); ++i) pool.emplace_back([&server, i] { server.loops[i]->run(); });
  server.loops[0]->run();
  for (auto& l : server.loops) l->stop();
  for (auto& t : pool) t.join();
  return 0;
}
