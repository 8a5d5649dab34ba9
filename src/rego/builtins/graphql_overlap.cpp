// The OverlappingFieldsCanBeMerged rule, a port of gqlparser's overlapping_fields_can_be_merged.go (itself the
// graphql-js algorithm): fields that share a response name must be the same field with the same arguments and
// compatible types, recursively. The bookkeeping (compared fragment pairs per rule instance, compared fragments
// reset per selection set and shared across the recursion) is gqlparser's, so the same conflicts are reported.
#include "rego/builtins/graphql_validate.h"

namespace rego::gql {

struct OverlappingFields::FieldsMap {
  std::vector<std::string> seq;  // response names in first-seen order
  std::map<std::string, std::vector<const Selection*>> data;

  void push(const std::string& name, const Selection* field) {
    auto [it, inserted] = data.try_emplace(name);
    if (inserted) seq.push_back(name);
    it->second.push_back(field);
  }
};

namespace {

// getFieldsAndFragmentNames.
template <class Map>
void fields_and_spreads(const std::vector<Selection>& set, Map& fields, std::vector<const Selection*>& spreads,
                        int& depth) {
  Enter guard(depth);
  for (const auto& s : set) {
    switch (s.kind) {
      case SelectionKind::Field: fields.push(s.alias.empty() ? s.name : s.alias, &s); break;
      case SelectionKind::InlineFragment: fields_and_spreads(s.selection_set, fields, spreads, depth); break;
      case SelectionKind::FragmentSpread: spreads.push_back(&s); break;
    }
  }
}

bool same_value(const Value* a, const Value* b) {
  if (!a || !b) return a == b;
  return a->kind == b->kind && a->raw == b->raw;
}

bool same_arguments(const std::vector<Argument>& a, const std::vector<Argument>& b) {
  if (a.size() != b.size()) return false;
  for (const auto& x : a) {
    bool matched = false;
    for (const auto& y : b) {
      if (x.name == y.name && same_value(x.value.get(), y.value.get())) {
        matched = true;
        break;
      }
    }
    if (!matched) return false;
  }
  return true;
}

// reflect.DeepEqual on two *ast.Field. Parsed fields carry distinct positions, so only the same field is equal;
// fields decoded from JSON have none and compare by content.
bool deep_equal_value(const Value* a, const Value* b) {
  if (!a || !b) return a == b;
  if (a->kind != b->kind || a->raw != b->raw || a->children.size() != b->children.size()) return false;
  for (size_t i = 0; i < a->children.size(); ++i) {
    if (a->children[i].name != b->children[i].name) return false;
    if (!deep_equal_value(a->children[i].value.get(), b->children[i].value.get())) return false;
  }
  return a->definition == b->definition && a->expected_type == b->expected_type;
}

bool deep_equal_selection(const Selection* a, const Selection* b, int& depth) {
  if (a == b) return true;
  Enter guard(depth);
  if (a->pos.set || b->pos.set) return false;
  if (a->kind != b->kind || a->alias != b->alias || a->name != b->name || a->type_condition != b->type_condition ||
      a->definition != b->definition || a->object_definition != b->object_definition || a->fragment != b->fragment ||
      a->arguments.size() != b->arguments.size() || a->directives.size() != b->directives.size() ||
      a->selection_set.size() != b->selection_set.size()) {
    return false;
  }
  for (size_t i = 0; i < a->arguments.size(); ++i) {
    if (a->arguments[i].name != b->arguments[i].name ||
        !deep_equal_value(a->arguments[i].value.get(), b->arguments[i].value.get())) {
      return false;
    }
  }
  for (size_t i = 0; i < a->directives.size(); ++i) {
    if (a->directives[i].name != b->directives[i].name) return false;
  }
  for (size_t i = 0; i < a->selection_set.size(); ++i) {
    if (!deep_equal_selection(&a->selection_set[i], &b->selection_set[i], depth)) return false;
  }
  return true;
}

}  // namespace

std::string Conflict::error_message() const {
  std::string because;
  auto render = [&](const Conflict& c, auto&& self) -> void {
    if (c.sub.empty()) {
      because += c.message;
      return;
    }
    for (size_t i = 0; i < c.sub.size(); ++i) {
      because += "subfields \"" + c.sub[i].response_name + "\" conflict because ";
      self(c.sub[i], self);
      if (i + 1 != c.sub.size()) because += " and ";
    }
  };
  render(*this, render);
  return "Fields \"" + response_name + "\" conflict because " + because +
         ". Use different aliases on the fields to fetch both if this was intentional.";
}

std::vector<Conflict> OverlappingFields::within(const std::vector<Selection>& set) {
  std::vector<Conflict> out;
  if (set.empty()) return out;
  FieldsMap fields;
  std::vector<const Selection*> spreads;
  fields_and_spreads(set, fields, spreads, depth_);

  // (A) conflicts within this selection set's own fields.
  for (const auto& name : fields.seq) {
    const auto& list = fields.data[name];
    for (size_t i = 0; i < list.size(); ++i) {
      for (size_t j = i + 1; j < list.size(); ++j) {
        Conflict c;
        if (find_conflict(false, *list[i], *list[j], c)) out.push_back(std::move(c));
      }
    }
  }
  compared_fragments_.clear();
  for (size_t i = 0; i < spreads.size(); ++i) {
    between_fields_and_fragment(out, false, fields, *spreads[i]);  // (B)
    for (size_t j = i + 1; j < spreads.size(); ++j) between_fragments(out, false, *spreads[i], *spreads[j]);  // (C)
  }
  return out;
}

void OverlappingFields::between_fields_and_fragment(std::vector<Conflict>& out, bool exclusive,
                                                    const FieldsMap& fields, const Selection& spread) {
  Enter guard(depth_);
  if (!compared_fragments_.insert(spread.name).second) return;
  if (!spread.fragment) return;
  FieldsMap other;
  std::vector<const Selection*> spreads;
  fields_and_spreads(spread.fragment->selection_set, other, spreads, depth_);

  // Do not compare a fragment's fields to themselves.
  bool same = fields.seq == other.seq;
  for (size_t i = 0; same && i < fields.seq.size(); ++i) {
    const auto& a = fields.data.at(fields.seq[i]);
    const auto& b = other.data.at(other.seq[i]);
    same = a.size() == b.size();
    for (size_t k = 0; same && k < a.size(); ++k) same = deep_equal_selection(a[k], b[k], depth_);
  }
  if (same) return;

  between(out, exclusive, fields, other);  // (D)
  for (const Selection* s : spreads) {      // (E)
    if (s->name == spread.name) continue;
    between_fields_and_fragment(out, exclusive, fields, *s);
  }
}

bool OverlappingFields::pair_has(const std::string& a, const std::string& b, bool exclusive) const {
  auto it = compared_pairs_.find(a);
  if (it == compared_pairs_.end()) return false;
  auto jt = it->second.find(b);
  if (jt == it->second.end()) return false;
  // Not mutually exclusive is a superset of mutually exclusive.
  return exclusive ? true : !jt->second;
}

void OverlappingFields::pair_add(const std::string& a, const std::string& b, bool exclusive) {
  compared_pairs_[a][b] = exclusive;
  compared_pairs_[b][a] = exclusive;
}

void OverlappingFields::between_fragments(std::vector<Conflict>& out, bool exclusive, const Selection& a,
                                          const Selection& b) {
  Enter guard(depth_);
  if (a.name == b.name) return;
  if (pair_has(a.name, b.name, exclusive)) return;
  pair_add(a.name, b.name, exclusive);
  if (!a.fragment || !b.fragment) return;
  FieldsMap fa, fb;
  std::vector<const Selection*> sa, sb;
  fields_and_spreads(a.fragment->selection_set, fa, sa, depth_);
  fields_and_spreads(b.fragment->selection_set, fb, sb, depth_);
  between(out, exclusive, fa, fb);                                 // (F)
  for (const Selection* s : sb) between_fragments(out, exclusive, a, *s);  // (G)
  for (const Selection* s : sa) between_fragments(out, exclusive, *s, b);
}

bool OverlappingFields::between_sub_selection_sets(std::vector<Conflict>& out, bool exclusive,
                                                   const std::vector<Selection>& a, const std::vector<Selection>& b) {
  FieldsMap fa, fb;
  std::vector<const Selection*> sa, sb;
  fields_and_spreads(a, fa, sa, depth_);
  fields_and_spreads(b, fb, sb, depth_);
  between(out, exclusive, fa, fb);  // (H)
  for (const Selection* s : sb) {    // (I)
    compared_fragments_.clear();
    between_fields_and_fragment(out, exclusive, fa, *s);
  }
  for (const Selection* s : sa) {
    compared_fragments_.clear();
    between_fields_and_fragment(out, exclusive, fb, *s);
  }
  for (const Selection* x : sa) {  // (J)
    for (const Selection* y : sb) between_fragments(out, exclusive, *x, *y);
  }
  return !out.empty();
}

void OverlappingFields::between(std::vector<Conflict>& out, bool exclusive, const FieldsMap& a, const FieldsMap& b) {
  for (const auto& name : a.seq) {
    auto it = b.data.find(name);
    if (it == b.data.end()) continue;
    for (const Selection* x : a.data.at(name)) {
      for (const Selection* y : it->second) {
        Conflict c;
        if (find_conflict(exclusive, *x, *y, c)) out.push_back(std::move(c));
      }
    }
  }
}

bool OverlappingFields::find_conflict(bool parents_exclusive, const Selection& a, const Selection& b, Conflict& out) {
  Enter guard(depth_);
  if (!a.object_definition || !b.object_definition) return false;
  bool exclusive = parents_exclusive;
  if (!exclusive) {
    exclusive = a.object_definition->name != b.object_definition->name && a.object_definition->kind == "OBJECT" &&
                b.object_definition->kind == "OBJECT" && a.definition && b.definition;
  }
  out.response_name = a.alias.empty() ? a.name : a.alias;
  out.pos = b.pos;
  if (!exclusive) {
    if (a.name != b.name) {
      out.message = "\"" + a.name + "\" and \"" + b.name + "\" are different fields";
      return true;
    }
    if (!same_arguments(a.arguments, b.arguments)) {
      out.message = "they have differing arguments";
      return true;
    }
  }
  if (a.definition && b.definition && a.definition->type && b.definition->type &&
      types_conflict(*a.definition->type, *b.definition->type)) {
    out.message = "they return conflicting types \"" + a.definition->type->str() + "\" and \"" +
                  b.definition->type->str() + "\"";
    return true;
  }
  std::vector<Conflict> sub;
  if (!between_sub_selection_sets(sub, exclusive, a.selection_set, b.selection_set)) return false;
  out.sub = std::move(sub);
  return true;
}

bool OverlappingFields::types_conflict(const Type& a, const Type& b) const {
  const Type* x = &a;
  const Type* y = &b;
  while (x->elem) {
    if (!y->elem) return true;
    x = x->elem.get();
    y = y->elem.get();
  }
  if (y->elem) return true;
  if (x->non_null != y->non_null) return true;
  const Definition* tx = schema_.type(x->named);
  const Definition* ty = schema_.type(y->named);
  if (!tx || !ty) return false;
  if (tx->is_leaf() && ty->is_leaf()) return tx->name != ty->name;
  return false;
}

}  // namespace rego::gql
