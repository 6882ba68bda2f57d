// SPDX-License-Identifier: MIT
#include "daemon/log_fields.hpp"

namespace eventmgr::daemon {
namespace {

thread_local const LogFields* t_current = nullptr;

} // namespace

ScopedLogFields::ScopedLogFields(const LogFields& fields) : m_previous(t_current) {
  t_current = &fields;
}

ScopedLogFields::~ScopedLogFields() {
  t_current = m_previous;
}

const LogFields* ScopedLogFields::current() {
  return t_current;
}

} // namespace eventmgr::daemon
