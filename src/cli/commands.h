// The trex verbs. Each takes the arguments after the verb and returns the process exit code.
//
// Exit codes follow OPA: 0 success; 1 for `check`/`parse` errors and for `eval --fail`/`--fail-defined`;
// 2 for `eval` errors (policy, query or evaluation) and for command-line usage errors.
#pragma once

#include <string>
#include <vector>

namespace trex::cli {

// trex's version (trex version, provenance, the server's labels).
inline constexpr const char* kTrexVersion = "0.1.0-dev";

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

int run_eval(const std::vector<std::string>& args);
int run_check(const std::vector<std::string>& args);
int run_parse(const std::vector<std::string>& args);
int run_run(const std::vector<std::string>& args);
int run_hsm(const std::vector<std::string>& args);  // hsm.cpp: init, pubkey
int run_log(const std::vector<std::string>& args);  // log_verify.cpp: verify
int run_tre(const std::vector<std::string>& args);
int run_build(const std::vector<std::string>& args);
int run_sign(const std::vector<std::string>& args);
int run_test(const std::vector<std::string>& args);
int run_fmt(const std::vector<std::string>& args);  // fmt.cpp

// Prints "trex <verb>: <message>" and the verb's usage to stderr; returns kExitUsage.
int usage_error(const std::string& verb, const std::string& message, const char* usage);

}  // namespace trex::cli
