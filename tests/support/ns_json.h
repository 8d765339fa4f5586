// A small JSON reader for what the meshfwd CLI prints (`stats --json`,
// `status --json`): the tests check the tool's real output, so they parse
// it rather than grep it. Numbers are kept as unsigned 64-bit integers when
// they are ones (counters), as double otherwise.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace meshfwd::test {

class JsonValue {
 public:
  using Array = std::vector<JsonValue>;
  using Object = std::map<std::string, JsonValue>;

  // Throws std::runtime_error with the offset of the first bad character.
  static JsonValue parse(const std::string& text);

  bool isNull() const { return std::holds_alternative<std::monostate>(value_); }
  bool isObject() const { return std::holds_alternative<std::shared_ptr<Object>>(value_); }
  bool isArray() const { return std::holds_alternative<std::shared_ptr<Array>>(value_); }

  // Typed access; throws std::runtime_error naming what was expected.
  const Object& object() const;
  const Array& array() const;
  const std::string& string() const;
  uint64_t u64() const;
  double number() const;
  bool boolean() const;
  const JsonValue& at(const std::string& key) const;
  bool has(const std::string& key) const;

 private:
  friend class JsonParser;
  std::variant<std::monostate, bool, uint64_t, double, std::string, std::shared_ptr<Array>, std::shared_ptr<Object>>
      value_;
};

}  // namespace meshfwd::test
