// Internals shared by the query validator (graphql_validate.cpp) and its OverlappingFieldsCanBeMerged rule
// (graphql_overlap.cpp).
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "rego/builtins/graphql_ast.h"

namespace rego::gql {

// Thrown when validation recursion exceeds kMaxValidationDepth (deep fragment chains, hostile input).
struct TooDeep {};

// RAII recursion counter.
class Enter {
 public:
  explicit Enter(int& depth) : depth_(depth) {
    if (++depth_ > kMaxValidationDepth) {
      --depth_;
      throw TooDeep{};
    }
  }
  ~Enter() { --depth_; }
  Enter(const Enter&) = delete;
  Enter& operator=(const Enter&) = delete;

 private:
  int& depth_;
};

// gqlparser's SuggestionList / QuotedOrList / OrList (validator/suggestionList.go, messaging.go).
std::vector<std::string> suggestion_list(std::string_view input, const std::vector<std::string>& options);
std::string quoted_or_list(const std::vector<std::string>& items);
std::string or_list(const std::vector<std::string>& items);

// A conflict found by OverlappingFieldsCanBeMerged.
struct Conflict {
  std::string response_name;
  std::string message;          // leaf conflicts
  std::vector<Conflict> sub;    // conflicts between subfields
  Pos pos;

  std::string error_message() const;  // "Fields "x" conflict because ... Use different aliases ..."
};

// The state of one OverlappingFieldsCanBeMerged rule instance (one per validation).
class OverlappingFields {
 public:
  OverlappingFields(const Schema& schema, int& depth) : schema_(schema), depth_(depth) {}
  std::vector<Conflict> within(const std::vector<Selection>& set);

 private:
  struct FieldsMap;
  void between_fields_and_fragment(std::vector<Conflict>& out, bool exclusive, const FieldsMap& fields,
                                   const Selection& spread);
  void between_fragments(std::vector<Conflict>& out, bool exclusive, const Selection& a, const Selection& b);
  void between(std::vector<Conflict>& out, bool exclusive, const FieldsMap& a, const FieldsMap& b);
  bool between_sub_selection_sets(std::vector<Conflict>& out, bool exclusive, const std::vector<Selection>& a,
                                  const std::vector<Selection>& b);
  bool find_conflict(bool parents_exclusive, const Selection& a, const Selection& b, Conflict& out);
  bool types_conflict(const Type& a, const Type& b) const;

  const Schema& schema_;
  int& depth_;
  std::map<std::string, std::map<std::string, bool>> compared_pairs_;  // per rule instance
  std::set<std::string> compared_fragments_;                           // per selection set (shared, as in Go)

  bool pair_has(const std::string& a, const std::string& b, bool exclusive) const;
  void pair_add(const std::string& a, const std::string& b, bool exclusive);
};

}  // namespace rego::gql
