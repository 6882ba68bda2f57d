// SPDX-License-Identifier: MIT
#pragma once

#include "common/result.hpp"

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventmgr::events {

enum class EventKind { create, update, remove, other };

// "create", "update", "delete", "other".
std::string_view to_string(EventKind kind);
std::optional<EventKind> parse_event_kind(std::string_view text);

// One parameter of an event: `name` is the base name (`login_name` gives `old_login_name`
// and `new_login_name`).
struct ParamDef {
  std::string name;
  std::string label;
  bool required = false;
  bool secret = false;
};

// Where a parameter comes from (kept beside ParamDef, which code builds as a plain aggregate).
struct ParamSource {
  std::vector<std::string> catalogs; // the catalogs that list it, the defining one first
  bool verified = true;              // false: only catalogs unsure of it list it
};

enum class Side { old_side, new_side };

// A full parameter name resolved against an event: `new_login_name` -> (new_side, "login_name").
struct ParamRef {
  Side side;
  const ParamDef* param;
};

// One catalog's definition of an event that several built-in catalogs define.
struct EventSource {
  std::string catalog;     // "seed", "plesk-obsidian", or an extra catalog's file name
  std::string description; // that catalog's title of the event
  std::string origin;      // "file:line"
  bool verified = true;    // false: that catalog is unsure of the name or the parameters
};

struct EventDef {
  std::string name;
  std::string description;
  std::string group;
  EventKind kind = EventKind::other;
  std::string key; // base name of the parameter naming the object (orders dispatch)
  std::vector<ParamDef> params;
  std::vector<std::string> sorted_param_names; // the params' names sorted, set by the Catalog
  bool builtin = true;
  std::string origin; // "file:line" of the definition
  // Whether some catalog that defines it is sure of its name; sources[0] defines it, later
  // built-in catalogs only add parameters.
  bool verified = true;
  std::vector<EventSource> sources;
  std::map<std::string, ParamSource, std::less<>> param_sources; // by base name

  // Where parameter `base_name` comes from; no catalogs when unknown.
  ParamSource param_source(std::string_view base_name) const;

  const ParamDef* find_param(std::string_view base_name) const;
  // Resolves `old_X`/`new_X`; nullopt when X is not a parameter of this event.
  std::optional<ParamRef> resolve(std::string_view full_name) const;
  // Every full name (`old_X`, `new_X`) in catalog order, for messages naming what is valid.
  std::vector<std::string> full_names() const;
};

// One catalog's YAML text: `name` as shown by `eventmgr events`, `file_name` in messages.
struct CatalogText {
  std::string name;
  std::string file_name;
  std::string_view text;
};

// The embedded catalogs, seed first: the config's `catalogs` picks from them.
const std::vector<CatalogText>& builtin_catalogs();

// The built-in catalogs plus extra catalog files; immutable once loaded.
class Catalog {
public:
  // Loads the embedded catalogs named in `builtin` (merged in builtin_catalogs() order) and
  // every `*.yaml` file in `extra_dirs` (missing dirs are skipped). Every problem is reported
  // at once, one `file:line: message` per line; an unknown name lists the valid ones.
  static Result<Catalog> load(const std::vector<std::filesystem::path>& extra_dirs,
                              const std::vector<std::string>& builtin = {"seed", "plesk-obsidian"});
  // Loads a catalog from YAML `text` named `file_name` in messages (tests, fuzzing).
  static Result<Catalog> load_text(std::string_view text, const std::string& file_name);
  // Loads `texts` as built-in catalogs merged in that order (tests, fuzzing): an event that
  // an earlier one defines keeps that definition and gains the later ones' other parameters.
  static Result<Catalog> load_texts(const std::vector<CatalogText>& texts);

  const EventDef* find(std::string_view name) const;
  const std::vector<EventDef>& events() const { return m_events; }
  // Up to `count` event names closest to `name` (edit distance, prefix matches first).
  std::vector<std::string> suggest(std::string_view name, std::size_t count = 3) const;

private:
  Catalog(std::vector<EventDef> events, std::map<std::string, std::size_t, std::less<>> index);

  std::vector<EventDef> m_events;
  std::map<std::string, std::size_t, std::less<>> m_index; // name -> position in m_events
};

} // namespace eventmgr::events
