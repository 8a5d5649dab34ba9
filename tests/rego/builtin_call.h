// Test helpers for calling built-ins directly through the registry (no parser, no evaluator).
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rego/builtins/registry.h"
#include "rego/json.h"

namespace rego::testing {

// A value from JSON text (the test fails on malformed text).
inline Value J(std::string_view text) {
  auto r = json::parse(text);
  EXPECT_TRUE(r.ok) << text << ": " << r.error;
  return r.value;
}

// A context whose clock reads now_ns (time-dependent built-ins: certificate validity, JWT expiry).
inline BuiltinContext context_at(int64_t now_ns) {
  BuiltinContext ctx;
  ctx.now_ns = now_ns;
  return ctx;
}

// Calls a built-in by name; the test fails when it is unknown or takes another number of arguments.
inline std::optional<Value> call(std::string_view name, std::vector<Value> args, BuiltinContext ctx = {}) {
  const Builtin* b = builtins().find(name);
  EXPECT_NE(b, nullptr) << name;
  if (!b) return std::nullopt;
  EXPECT_EQ(static_cast<size_t>(b->arity), args.size()) << name;
  return b->fn(BuiltinArgs(args.data(), args.size()), ctx);
}

// The result, which must be defined.
inline Value eval(std::string_view name, std::vector<Value> args, BuiltinContext ctx = {}) {
  auto r = call(name, std::move(args), std::move(ctx));
  EXPECT_TRUE(r.has_value()) << name << " undefined";
  return r ? *r : Value::null();
}

// The error message (and whether it is a type error) the call throws; the test fails when it does not throw.
inline std::pair<std::string, bool> error_of(std::string_view name, std::vector<Value> args) {
  try {
    call(name, std::move(args));
  } catch (const BuiltinError& e) {
    return {e.message, e.type_error};
  }
  ADD_FAILURE() << name << " did not throw";
  return {"", false};
}

// Just the error message of error_of.
inline std::string error_message(std::string_view name, std::vector<Value> args) {
  return error_of(name, std::move(args)).first;
}

}  // namespace rego::testing
