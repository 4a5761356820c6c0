/**
 * @file function_ref.h
 * @brief A non-owning reference to a callable, cheaper than std::function (no allocation).
 *
 * Lifetime: a FunctionRef must not outlive the callable it was made from. It is meant
 * for parameters only (the parallel loop's body), never for storage.
 */
#pragma once

#include <type_traits>
#include <utility>

namespace torchq {

template <class Signature>
class FunctionRef;

template <class R, class... Args>
class FunctionRef<R(Args...)> {
 public:
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, FunctionRef> &&
                                              std::is_invocable_r_v<R, F&, Args...>>>
  FunctionRef(F&& f) noexcept  // NOLINT: implicit by design, like std::function
      : object_(const_cast<void*>(static_cast<const void*>(&f))),
        call_([](void* obj, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(obj))(std::forward<Args>(args)...);
        }) {}

  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

}  // namespace torchq
