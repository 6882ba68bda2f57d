// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace eventmgr {

// The error of one failed operation: a message naming the operation, the object and the cause.
struct Error {
  std::string message;
};

// A value or an Error, propagated explicitly below the event loop (a tiny tl::expected).
template <typename T>
class [[nodiscard]] Result {
public:
  Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : m_v(std::in_place_index<1>, std::move(error)) {}

  explicit operator bool() const { return m_v.index() == 0; }
  bool ok() const { return m_v.index() == 0; }
  T& value() & { return std::get<0>(m_v); }
  const T& value() const& { return std::get<0>(m_v); }
  T&& value() && { return std::get<0>(std::move(m_v)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const Error& error() const { return std::get<1>(m_v); }

private:
  std::variant<T, Error> m_v;
};

// Result of an operation that returns nothing on success.
template <>
class [[nodiscard]] Result<void> {
public:
  Result() = default;
  Result(Error error) : m_error(std::move(error)), m_failed(true) {}

  explicit operator bool() const { return !m_failed; }
  bool ok() const { return !m_failed; }
  const Error& error() const { return m_error; }

private:
  Error m_error;
  bool m_failed = false;
};

inline Error make_error(std::string message) { return Error{std::move(message)}; }

} // namespace eventmgr
