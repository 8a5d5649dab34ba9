// trex_hsm_bench: what the signed decision log costs, in one run on a throw-away SoftHSM2 token:
// signatures/s of the token (C_Sign, ECDSA P-256), and appends/s of SignedLog in sync mode (1 and 16
// client threads: group commit at work) and async mode, plus each as a ratio of the raw signature rate.
// usage: trex_hsm_bench [records per measurement, default 2000]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "hsm/signed_log.h"
#include "temp_token.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace trex::hsm;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string record(int i) {
  return R"({"decision_id":"bench-)" + std::to_string(i) +
         R"(","path":"authz/allow","input":{"user":"alice","action":"read","resource":"doc-42"},"result":true,)"
         R"("timestamp":"2026-11-26T15:53:27.123456789Z","metrics":{"timer_rego_query_eval_ns":12345}})";
}

struct Result {
  double per_second = 0;
  uint64_t checkpoints = 0;
};

Result run_log(Durability durability, int threads, int total, const std::string& dir,
               std::shared_ptr<Signer> signer) {
  SignedLogOptions o;
  o.dir = dir;
  o.durability = durability;
  std::string error;
  auto log = SignedLog::open(o, signer, error);
  if (!log) {
    std::fprintf(stderr, "open: %s\n", error.c_str());
    std::exit(1);
  }
  std::atomic<int> next{0}, failures{0};
  auto start = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      std::string e;
      for (int i; (i = next++) < total;)
        if (!log->append("decision", record(i), e)) ++failures;
    });
  for (auto& th : pool) th.join();
  if (!log->flush(error)) std::fprintf(stderr, "flush: %s\n", error.c_str());
  double secs = seconds_since(start);
  Result r{total / secs, log->stats().checkpoints};
  if (failures) std::fprintf(stderr, "%d appends failed: %s\n", failures.load(), log->last_error().c_str());
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 2000;
  std::string error;
  auto token = trex::hsm::testing::TempToken::create(error);
  if (!token) {
    std::fprintf(stderr, "cannot create a SoftHSM2 token: %s\n", error.c_str());
    return 1;
  }
  auto signer = Pkcs11Signer::open(token->config(), error);
  if (!signer) {
    std::fprintf(stderr, "cannot open the signer: %s\n", error.c_str());
    return 1;
  }

  auto start = Clock::now();
  std::string sig;
  for (int i = 0; i < n; ++i)
    if (!signer->sign("header.payload-" + std::to_string(i), sig, error)) {
      std::fprintf(stderr, "sign: %s\n", error.c_str());
      return 1;
    }
  double sign_rate = n / seconds_since(start);
  std::printf("token signatures (C_Sign, ECDSA P-256, 1 thread): %10.0f /s\n", sign_rate);

  struct Case {
    const char* name;
    Durability d;
    int threads;
  } cases[] = {
      {"sync,   1 client thread ", Durability::Sync, 1},
      {"sync,  16 client threads", Durability::Sync, 16},
      {"async,  1 client thread ", Durability::Async, 1},
      {"async, 16 client threads", Durability::Async, 16},
  };
  for (const auto& c : cases) {
    Result r = run_log(c.d, c.threads, n, token->new_log_dir(), signer);
    std::printf("appends %s: %10.0f /s  (%5.2fx the signature rate; %llu records per checkpoint)\n", c.name,
                r.per_second, r.per_second / sign_rate,
                static_cast<unsigned long long>(r.checkpoints ? n / r.checkpoints : 0));
  }
  return 0;
}
