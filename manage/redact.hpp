// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <set>
#include <string>
#include <string_view>

namespace eventmgr::manage {

using SecretNames = std::set<std::string, std::less<>>;

// Whether record key `key` names a secret: one of `secret_names` (with or without a new_/old_
// prefix, any case), or a name that contains "password", "passwd" or "secret".
bool is_secret_key(std::string_view key, const SecretNames& secret_names);

// A stored record (any bytes, valid JSON or not) as it may be shown: the value of every secret
// key replaced by "***". Text that is not JSON is searched from every double quote, so a stray
// quote or garbage glued in front of a record cannot hide a key; a secret key followed by an
// object or array hides the rest of the text.
std::string redact_record(std::string_view raw, const SecretNames& secret_names);

} // namespace eventmgr::manage
