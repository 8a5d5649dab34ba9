// A non-owning reference to a callable: the evaluator's continuations.
//
// The evaluator is written in continuation-passing style (each step calls "what comes next"), so it creates
// a continuation per step. std::function would allocate for most of them; FunctionRef never allocates and
// costs one indirect call. It must not outlive the callable it refers to — continuations never do.
#pragma once

#include <type_traits>
#include <utility>

namespace rego {

template <class Sig>
class FunctionRef;

template <class R, class... A>
class FunctionRef<R(A...)> {
 public:
  template <class C>
    requires(!std::is_same_v<std::decay_t<C>, FunctionRef> && std::is_invocable_r_v<R, C&, A...>)
  FunctionRef(C&& c) noexcept  // NOLINT: implicit by design
      : obj_(const_cast<void*>(static_cast<const void*>(&c))),
        call_([](void* o, A... a) -> R { return (*static_cast<std::remove_reference_t<C>*>(o))(std::forward<A>(a)...); }) {}
  FunctionRef(const FunctionRef&) noexcept = default;
  FunctionRef& operator=(const FunctionRef&) noexcept = default;

  R operator()(A... a) const { return call_(obj_, std::forward<A>(a)...); }

 private:
  void* obj_;
  R (*call_)(void*, A...);
};

}  // namespace rego
