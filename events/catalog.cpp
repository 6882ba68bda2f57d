// SPDX-License-Identifier: MIT
#include "events/catalog.hpp"

#include "common/fd.hpp"
#include "common/text.hpp"
#include "common/trusted_files.hpp"

#include <yaml-cpp/yaml.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <tuple>
#include <utility>

namespace eventmgr::schema {
// schema/events.yaml and schema/catalogs/plesk-obsidian.yaml, embedded by cmake/Embed.cmake.
extern const std::string_view k_events;
extern const std::string_view k_plesk_obsidian;
} // namespace eventmgr::schema

namespace eventmgr::events {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view k_event_fields = "name, description, group, kind, key, params, verified";
constexpr std::string_view k_param_fields = "name, label, required, secret";
constexpr std::string_view k_valid_kinds = "create, update, delete, other";

bool is_valid_name(std::string_view name) {
  if (name.empty()) {
    return false;
  }
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> before(b.size() + 1);
  std::vector<std::size_t> previous(b.size() + 1);
  std::vector<std::size_t> current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    previous[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

// Problems of one file, sorted by line before they are reported.
struct Problem {
  int line;
  std::string message;
};

// Collects the events of every catalog file in order and every problem found on the way.
class CatalogBuilder {
public:
  // `catalog` names the catalog in `eventmgr events`: built-in ones merge, extra ones only add.
  void add_file(std::string_view text, const std::string& file_name, bool builtin,
                const std::string& catalog);
  void add_problem(std::string message) { m_problems.push_back(std::move(message)); }

  std::vector<EventDef> events;
  std::map<std::string, std::size_t, std::less<>> index;

  bool failed() const { return !m_problems.empty(); }
  Error error() const {
    std::string message;
    for (const auto& problem : m_problems) {
      if (!message.empty()) {
        message += '\n';
      }
      message += problem;
    }
    return make_error(std::move(message));
  }

private:
  void report(const YAML::Mark& mark, std::string message) {
    // A mark of a node that was never in the file has line -1.
    m_file_problems.push_back({mark.line < 0 ? 1 : mark.line + 1, std::move(message)});
  }
  std::string origin(const YAML::Mark& mark) const {
    return m_file + ":" + std::to_string(mark.line < 0 ? 1 : mark.line + 1);
  }
  void load_events(const YAML::Node& list);
  void load_event(const YAML::Node& node, std::size_t number);
  void load_params(const YAML::Node& list, EventDef& def, const std::string& what);
  void load_param(const YAML::Node& node, std::size_t number, EventDef& def, std::map<std::string, int>& seen,
                  const std::string& what);
  void merge(EventDef def, const YAML::Mark& mark);
  static void merge_builtin(EventDef& first, EventDef later);

  std::vector<std::string> m_problems;
  std::vector<Problem> m_file_problems;
  std::string m_file;
  std::string m_catalog;
  bool m_builtin = true;
};

// Whether `key` is an item of the ", "-separated `list`.
bool is_listed(std::string_view list, std::string_view key) {
  std::size_t pos = 0;
  while (true) {
    const std::size_t end = list.find(", ", pos);
    if (list.substr(pos, end - pos) == key) {
      return true;
    }
    if (end == std::string_view::npos) {
      return false;
    }
    pos = end + 2;
  }
}

// The fields of one YAML map, in file order, with unknown and duplicate keys reported.
struct Fields {
  std::map<std::string, YAML::Node, std::less<>> values;
  std::vector<std::pair<std::string, YAML::Mark>> unknown;
  std::vector<std::pair<std::string, YAML::Mark>> duplicate;

  Fields(const YAML::Node& map, std::string_view known) {
    for (auto it = map.begin(); it != map.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string("?");
      if (!is_listed(known, key)) {
        unknown.emplace_back(key, it->first.Mark());
      } else if (values.count(key) != 0) {
        duplicate.emplace_back(key, it->first.Mark());
      } else {
        values.emplace(key, it->second);
      }
    }
  }
  const YAML::Node* find(std::string_view key) const {
    const auto it = values.find(key);
    return it == values.end() ? nullptr : &it->second;
  }
};

void CatalogBuilder::add_file(std::string_view text, const std::string& file_name, bool builtin,
                              const std::string& catalog) {
  m_file = file_name;
  m_catalog = catalog;
  m_builtin = builtin;
  m_file_problems.clear();

  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    report(e.mark, "YAML syntax error: " + e.msg);
  }
  if (m_file_problems.empty()) {
    if (!root.IsMap()) {
      report(root.Mark(), "expected a map with an 'events' list");
    } else {
      const Fields fields(root, "events");
      for (const auto& [key, mark] : fields.unknown) {
        report(mark, "unknown top-level field '" + escape_for_message(key) + "'; valid: events");
      }
      for (const auto& [key, mark] : fields.duplicate) {
        report(mark, "duplicate top-level field '" + escape_for_message(key) + "'");
      }
      if (const auto* list = fields.find("events")) {
        load_events(*list);
      } else {
        report(root.Mark(), "missing top-level field 'events'");
      }
    }
  }

  std::stable_sort(m_file_problems.begin(), m_file_problems.end(),
                   [](const Problem& a, const Problem& b) { return a.line < b.line; });
  for (auto& problem : m_file_problems) {
    m_problems.push_back(m_file + ":" + std::to_string(problem.line) + ": " + problem.message);
  }
}

void CatalogBuilder::load_events(const YAML::Node& list) {
  if (list.IsNull()) {
    return; // `events:` with nothing under it: a file that adds no events
  }
  if (!list.IsSequence()) {
    report(list.Mark(), "'events' must be a list of events");
    return;
  }
  std::size_t number = 0;
  for (const auto& node : list) {
    load_event(node, ++number);
  }
}

void CatalogBuilder::load_event(const YAML::Node& node, std::size_t number) {
  if (!node.IsMap()) {
    report(node.Mark(),
           "event #" + std::to_string(number) + " must be a map with " + std::string(k_event_fields));
    return;
  }
  const Fields fields(node, k_event_fields);
  EventDef def;
  def.builtin = m_builtin;
  def.origin = origin(node.Mark());

  // The event's name, for every other message about it.
  std::string what = "event #" + std::to_string(number);
  const auto* name = fields.find("name");
  if (name != nullptr && name->IsScalar()) {
    def.name = name->Scalar();
    if (is_valid_name(def.name)) {
      what = "event '" + def.name + "'";
    } else {
      report(name->Mark(),
             "invalid event name '" + escape_for_message(def.name) + "': use lowercase letters, digits and '_'");
    }
  }

  for (const auto& [key, mark] : fields.unknown) {
    report(mark,
           "unknown field '" + escape_for_message(key) + "' in " + what + "; valid: " + std::string(k_event_fields));
  }
  for (const auto& [key, mark] : fields.duplicate) {
    report(mark, "duplicate field '" + key + "' in " + what);
  }

  // Every field is required; scalars must be strings, not maps or lists.
  const auto scalar = [&](std::string_view field, std::string& out) {
    const auto* value = fields.find(field);
    if (value == nullptr) {
      report(node.Mark(), "missing field '" + std::string(field) + "' in " + what);
      return false;
    }
    if (!value->IsScalar()) {
      report(value->Mark(), "field '" + std::string(field) + "' of " + what + " must be a string");
      return false;
    }
    out = value->Scalar();
    return true;
  };
  std::string ignored;
  scalar("name", ignored);
  scalar("description", def.description);
  scalar("group", def.group);
  std::string kind;
  if (scalar("kind", kind)) {
    if (const auto parsed = parse_event_kind(kind)) {
      def.kind = *parsed;
    } else {
      report(fields.find("kind")->Mark(), "unknown kind '" + escape_for_message(kind) + "' in " + what +
                                              "; valid kinds: " + std::string(k_valid_kinds));
    }
  }
  const bool has_key = scalar("key", def.key);
  if (const auto* verified = fields.find("verified")) {
    if (!verified->IsScalar() || !YAML::convert<bool>::decode(*verified, def.verified)) {
      report(verified->Mark(), "field 'verified' of " + what + " must be true or false");
    }
  }
  def.sources.push_back({m_catalog, def.description, def.origin, def.verified});
  if (const auto* params = fields.find("params")) {
    load_params(*params, def, what);
    // An empty key: the catalog does not know which parameter names the object (its events
    // are not ordered by object).
    if (has_key && !def.key.empty() && params->IsSequence() && def.find_param(def.key) == nullptr) {
      report(fields.find("key")->Mark(),
             "key '" + escape_for_message(def.key) + "' of " + what + " is not one of its parameters");
    }
  } else {
    report(node.Mark(), "missing field 'params' in " + what);
  }

  if (is_valid_name(def.name)) {
    merge(std::move(def), node.Mark());
  }
}

void CatalogBuilder::load_params(const YAML::Node& list, EventDef& def, const std::string& what) {
  if (!list.IsSequence()) {
    report(list.Mark(), "'params' of " + what + " must be a list of parameters");
    return;
  }
  std::map<std::string, int> seen; // name -> line of its first definition
  std::size_t number = 0;
  for (const auto& node : list) {
    load_param(node, ++number, def, seen, what);
  }
}

void CatalogBuilder::load_param(const YAML::Node& node, std::size_t number, EventDef& def,
                                std::map<std::string, int>& seen, const std::string& what) {
  if (!node.IsMap()) {
    report(node.Mark(), "parameter #" + std::to_string(number) + " of " + what + " must be a map with " +
                            std::string(k_param_fields));
    return;
  }
  const Fields fields(node, k_param_fields);
  ParamDef param;
  std::string param_what = "parameter #" + std::to_string(number) + " of " + what;
  bool valid = false;
  if (const auto* name = fields.find("name"); name == nullptr) {
    report(node.Mark(), "missing field 'name' in " + param_what);
  } else if (!name->IsScalar()) {
    report(name->Mark(), "field 'name' of " + param_what + " must be a string");
  } else {
    param.name = name->Scalar();
    if (!is_valid_name(param.name)) {
      report(name->Mark(), "invalid parameter name '" + escape_for_message(param.name) + "' in " + what +
                               ": use lowercase letters, digits and '_'");
    } else if (const auto first = seen.find(param.name); first != seen.end()) {
      report(name->Mark(), "duplicate parameter '" + param.name + "' in " + what +
                               "; first defined at line " + std::to_string(first->second));
    } else {
      seen.emplace(param.name, name->Mark().line + 1);
      param_what = "parameter '" + param.name + "' of " + what;
      valid = true;
    }
  }

  for (const auto& [key, mark] : fields.unknown) {
    report(mark, "unknown field '" + escape_for_message(key) + "' in " + param_what +
                     "; valid: " + std::string(k_param_fields));
  }
  for (const auto& [key, mark] : fields.duplicate) {
    report(mark, "duplicate field '" + key + "' in " + param_what);
  }
  if (const auto* label = fields.find("label"); label == nullptr) {
    report(node.Mark(), "missing field 'label' in " + param_what);
  } else if (!label->IsScalar()) {
    report(label->Mark(), "field 'label' of " + param_what + " must be a string");
  } else {
    param.label = label->Scalar();
  }
  const auto flag = [&](std::string_view field, bool& out) {
    if (const auto* value = fields.find(field)) {
      if (!value->IsScalar() || !YAML::convert<bool>::decode(*value, out)) {
        report(value->Mark(),
               "field '" + std::string(field) + "' of " + param_what + " must be true or false");
      }
    }
  };
  flag("required", param.required);
  flag("secret", param.secret);
  if (valid) {
    def.param_sources[param.name] = ParamSource{{m_catalog}, def.verified};
    def.params.push_back(std::move(param));
  }
}

void CatalogBuilder::merge(EventDef def, const YAML::Mark& mark) {
  if (const auto it = index.find(def.name); it != index.end()) {
    EventDef& first = events[it->second];
    if (first.builtin && def.builtin && first.sources.back().catalog != m_catalog) {
      merge_builtin(first, std::move(def));
      return;
    }
    if (first.builtin && !def.builtin) {
      report(mark, "event '" + def.name + "' redefines the built-in event defined at " + first.origin +
                       "; extra catalogs may only add events");
    } else {
      report(mark, "duplicate event '" + def.name + "'; first defined at " + first.origin);
    }
    return;
  }
  index.emplace(def.name, events.size());
  events.push_back(std::move(def));
}

// A later built-in catalog's definition of an event an earlier one defines: the earlier's
// title, kind, key and parameters stay (records written against it stay valid), the later's
// other parameters are added, never required (a panel following the earlier catalog does not
// send them).
void CatalogBuilder::merge_builtin(EventDef& first, EventDef later) {
  first.verified = first.verified || later.verified;
  first.sources.push_back(std::move(later.sources.front()));
  for (auto& param : later.params) {
    ParamSource& source = first.param_sources[param.name];
    const ParamSource& later_source = later.param_sources[param.name];
    source.catalogs.insert(source.catalogs.end(), later_source.catalogs.begin(), later_source.catalogs.end());
    const auto known = std::find_if(first.params.begin(), first.params.end(),
                                    [&param](const ParamDef& p) { return p.name == param.name; });
    if (known != first.params.end()) {
      source.verified = source.verified || later_source.verified;
      known->secret = known->secret || param.secret; // either catalog's word hides a value
      continue;
    }
    source.verified = later_source.verified;
    param.required = false;
    first.params.push_back(std::move(param));
  }
}

// Reads catalog file `name` of the open catalog dir `dir_fd`, never through a symbolic link: a
// regular file that `private_problem` accepts, as the config file. Else sets `problem`.
std::optional<std::string> read_catalog_file(int dir_fd, const std::string& name, const fs::path& path,
                                             std::string& problem) {
  UniqueFd fd(::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd) {
    problem = std::string("cannot read catalog file: ") + std::strerror(errno);
    std::vector<char> target(PATH_MAX);
    const ssize_t length =
        errno == ELOOP ? ::readlinkat(dir_fd, name.c_str(), target.data(), target.size()) : -1;
    if (length >= 0) {
      problem =
          "refusing catalog file: a symbolic link (to " +
          escape_control(std::string_view(target.data(), static_cast<std::size_t>(length))) +
          "); catalog files are read as regular files only: replace it with a copy of the file it points to";
    }
    return std::nullopt;
  }
  struct stat st{};
  if (::fstat(fd.get(), &st) != 0) {
    problem = std::string("cannot read catalog file: ") + std::strerror(errno);
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode)) {
    problem = "refusing catalog file: not a regular file";
    return std::nullopt;
  }
  if (auto refused = private_problem(st, path)) {
    problem = "refusing catalog file: " + *refused;
    return std::nullopt;
  }
  std::string text;
  char buffer[65536];
  for (;;) {
    ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0) {
      problem = std::string("cannot read catalog file: ") + std::strerror(errno);
      return std::nullopt;
    }
    if (got == 0) {
      return text;
    }
    text.append(buffer, static_cast<std::size_t>(got));
  }
}

// The `*.yaml` names in the open dir `dir_fd`, sorted; hidden files are editors' and package
// managers' leftovers, not catalogs. Sets `error` when the dir cannot be listed.
std::vector<std::string> catalog_file_names(int dir_fd, std::string& error) {
  std::vector<std::string> names;
  DIR* listing = ::fdopendir(::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0));
  if (listing == nullptr) {
    error = std::strerror(errno);
    return names;
  }
  errno = 0;
  while (const dirent* entry = ::readdir(listing)) {
    const std::string name = entry->d_name;
    if (name.size() > 5 && name.ends_with(".yaml") && !name.starts_with(".")) {
      names.push_back(name);
    }
    errno = 0;
  }
  if (errno != 0) {
    error = std::strerror(errno);
  }
  ::closedir(listing);
  std::sort(names.begin(), names.end());
  return names;
}

} // namespace

std::string_view to_string(EventKind kind) {
  switch (kind) {
  case EventKind::create:
    return "create";
  case EventKind::update:
    return "update";
  case EventKind::remove:
    return "delete";
  case EventKind::other:
    return "other";
  }
  return "other";
}

std::optional<EventKind> parse_event_kind(std::string_view text) {
  for (const auto kind : {EventKind::create, EventKind::update, EventKind::remove, EventKind::other}) {
    if (to_string(kind) == text) {
      return kind;
    }
  }
  return std::nullopt;
}

Catalog::Catalog(std::vector<EventDef> events, std::map<std::string, std::size_t, std::less<>> index)
  : m_events(std::move(events)), m_index(std::move(index)) {
  for (auto& def : m_events) {
    def.sorted_param_names.clear();
    for (const auto& param : def.params) {
      def.sorted_param_names.push_back(param.name);
    }
    std::sort(def.sorted_param_names.begin(), def.sorted_param_names.end());
  }
}

ParamSource EventDef::param_source(std::string_view base_name) const {
  const auto found = param_sources.find(base_name);
  return found == param_sources.end() ? ParamSource{{}, verified} : found->second;
}

const ParamDef* EventDef::find_param(std::string_view base_name) const {
  const auto it = std::find_if(params.begin(), params.end(),
                               [&](const ParamDef& param) { return param.name == base_name; });
  return it == params.end() ? nullptr : &*it;
}

std::optional<ParamRef> EventDef::resolve(std::string_view full_name) const {
  Side side = Side::old_side;
  if (full_name.starts_with("old_")) {
    side = Side::old_side;
  } else if (full_name.starts_with("new_")) {
    side = Side::new_side;
  } else {
    return std::nullopt;
  }
  const ParamDef* param = find_param(full_name.substr(4));
  if (param == nullptr) {
    return std::nullopt;
  }
  return ParamRef{side, param};
}

std::vector<std::string> EventDef::full_names() const {
  std::vector<std::string> names;
  names.reserve(params.size() * 2);
  for (const auto& param : params) {
    names.push_back("old_" + param.name);
    names.push_back("new_" + param.name);
  }
  return names;
}

const std::vector<CatalogText>& builtin_catalogs() {
  static const std::vector<CatalogText> k_catalogs = {
      {"seed", "schema/events.yaml", schema::k_events},
      {"plesk-obsidian", "schema/catalogs/plesk-obsidian.yaml", schema::k_plesk_obsidian}};
  return k_catalogs;
}

Result<Catalog> Catalog::load(const std::vector<std::filesystem::path>& extra_dirs,
                              const std::vector<std::string>& builtin) {
  CatalogBuilder builder;
  std::string valid;
  for (const auto& known : builtin_catalogs()) {
    valid += (valid.empty() ? "" : ", ") + known.name;
  }
  for (const auto& name : builtin) {
    const auto& all = builtin_catalogs();
    if (std::none_of(all.begin(), all.end(),
                     [&name](const CatalogText& known) { return known.name == name; })) {
      builder.add_problem("unknown built-in catalog '" + escape_for_message(name) + "'; valid: " + valid);
    }
  }
  for (const auto& known : builtin_catalogs()) {
    if (std::find(builtin.begin(), builtin.end(), known.name) != builtin.end()) {
      builder.add_file(known.text, known.file_name, true, known.name);
    }
  }
  for (const auto& dir : extra_dirs) {
    // The dir and its files are read through one descriptor, so what was checked is what is read.
    UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir_fd) {
      if (errno != ENOENT) {
        builder.add_problem(dir.string() + ": cannot read catalog dir: " +
                            (errno == ENOTDIR ? std::string("not a directory") : std::strerror(errno)));
      }
      continue;
    }
    struct stat st{};
    if (::fstat(dir_fd.get(), &st) != 0) {
      builder.add_problem(dir.string() + ": cannot read catalog dir: " + std::strerror(errno));
      continue;
    }
    if (auto problem = private_problem(st, dir)) {
      builder.add_problem(dir.string() + ": refusing catalog dir: " + *problem);
      continue;
    }
    std::string error;
    const auto names = catalog_file_names(dir_fd.get(), error);
    if (!error.empty()) {
      builder.add_problem(dir.string() + ": cannot read catalog dir: " + error);
      continue;
    }
    for (const auto& name : names) {
      const fs::path file = dir / name;
      if (const auto text = read_catalog_file(dir_fd.get(), name, file, error)) {
        builder.add_file(*text, file.string(), false, name);
      } else {
        builder.add_problem(file.string() + ": " + error);
      }
    }
  }
  if (builder.failed()) {
    return builder.error();
  }
  return Catalog(std::move(builder.events), std::move(builder.index));
}

Result<Catalog> Catalog::load_text(std::string_view text, const std::string& file_name) {
  return load_texts({{file_name, file_name, text}});
}

Result<Catalog> Catalog::load_texts(const std::vector<CatalogText>& texts) {
  CatalogBuilder builder;
  for (const auto& catalog : texts) {
    builder.add_file(catalog.text, catalog.file_name, true, catalog.name);
  }
  if (builder.failed()) {
    return builder.error();
  }
  return Catalog(std::move(builder.events), std::move(builder.index));
}

const EventDef* Catalog::find(std::string_view name) const {
  const auto it = m_index.find(name);
  return it == m_index.end() ? nullptr : &m_events[it->second];
}

std::vector<std::string> Catalog::suggest(std::string_view name, std::size_t count) const {
  // Ranked by how the name matches (prefix, then substring, then only close in spelling),
  // then by edit distance, then alphabetically.
  struct Candidate {
    int match;
    std::size_t distance;
    const std::string* name;
  };
  // Long input is garbage, not a typo: skip the quadratic distance for it.
  constexpr std::size_t k_max_typo_length = 64;
  const std::size_t max_distance = std::max<std::size_t>(2, name.size() / 4);
  std::vector<Candidate> candidates;
  if (name.empty()) {
    return {};
  }
  for (const auto& def : m_events) {
    const std::string_view known = def.name;
    const std::size_t distance = name.size() <= k_max_typo_length ? edit_distance(name, known) : name.size();
    int match = 3;
    if (name.size() >= 3 && (known.starts_with(name) || name.starts_with(known))) {
      match = 0;
    } else if (name.size() >= 3 &&
               (known.find(name) != std::string_view::npos || name.find(known) != std::string_view::npos)) {
      match = 1;
    } else if (distance <= max_distance) {
      match = 2;
    }
    if (match < 3) {
      candidates.push_back({match, distance, &def.name});
    }
  }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(a.match, a.distance, *a.name) < std::tie(b.match, b.distance, *b.name);
  });
  std::vector<std::string> names;
  for (std::size_t i = 0; i < candidates.size() && i < count; ++i) {
    names.push_back(*candidates[i].name);
  }
  return names;
}

} // namespace eventmgr::events
